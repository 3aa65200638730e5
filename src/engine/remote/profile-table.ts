import { florence2Profile } from './profile-florence2';
import { geminiProfile } from './profile-gemini';
import { kosmos2Profile } from './profile-kosmos2';
import { legoProfile } from './profile-lego';
import { qwen25OmniProfile, qwen3OmniProfile } from './profile-omni';
import { PEER_PROFILES } from './profile-peers';
import { qwen25VlProfile } from './profile-qwen25-vl';
import { qwen3VlProfile } from './profile-qwen3-vl';
import type { RemoteProfile, RemoteProfileName } from './remote-profile';

/** Every profile by name (`LEGO_REMOTE_PROFILE`). */
export const REMOTE_PROFILES: Readonly<Record<RemoteProfileName, RemoteProfile>> = {
  lego: legoProfile,
  'qwen2.5-vl': qwen25VlProfile,
  'qwen3-vl': qwen3VlProfile,
  'qwen2.5-omni': qwen25OmniProfile,
  'qwen3-omni': qwen3OmniProfile,
  gemini: geminiProfile,
  'florence-2': florence2Profile,
  'kosmos-2': kosmos2Profile,
  ...PEER_PROFILES,
};

/**
 * Served model names → profile, first match wins (Hugging Face ids as vLLM/SGLang serve them, Ollama
 * tags, Gemini model names): `Qwen/Qwen3-VL-8B-Instruct`, `qwen3-vl:8b`, `Qwen/Qwen2.5-VL-7B-Instruct`,
 * `qwen2.5vl:7b`, `gemini-2.5-flash`, `models/gemini-2.0-flash`, `microsoft/Florence-2-large`,
 * `microsoft/kosmos-2-patch14-224`, … The name alone decides: Qwen2.5-VL and Qwen3-VL write the same
 * JSON in different frames, and nothing in an answer tells them apart.
 */
const BY_NAME: readonly (readonly [RegExp, RemoteProfileName])[] = [
  [/qwen[-_ ]?3(?:\.\d+)?[-_ ]?omni/i, 'qwen3-omni'],
  [/qwen[-_ ]?2\.5[-_ ]?omni/i, 'qwen2.5-omni'],
  [/qwen[-_ ]?3(?:\.\d+)?[-_ ]?vl/i, 'qwen3-vl'],
  [/qwen[-_ ]?2\.5[-_ ]?vl/i, 'qwen2.5-vl'],
  [/qwen[-_ ]?2[-_ ]?vl/i, 'qwen2-vl'],
  [/qwen[-_ ]?vl/i, 'qwen-vl'],
  [/gemini/i, 'gemini'],
  [/florence[-_ ]?2/i, 'florence-2'],
  [/kosmos[-_ ]?2/i, 'kosmos-2'],
  [/shikra/i, 'shikra'],
  [/ferret/i, 'ferret'],
  [/minigpt[-_ ]?v2/i, 'minigpt-v2'],
  [/timechat/i, 'timechat'],
  [/vtimellm/i, 'vtimellm'],
  [/\blego\b|groundinggpt/i, 'lego'],
];

/** The profile a served model's name calls for, or undefined when the name is not one we know. */
export function profileForModel(model: string): RemoteProfileName | undefined {
  return BY_NAME.find(([pattern]) => pattern.test(model))?.[1];
}

/** Models whose chat template opens with reasoning (`…</think>` before the answer). */
export function isThinkingModel(model: string): boolean {
  return /thinking|\bqwq\b|-r1\b/i.test(model);
}
