import { qwen25VlProfile } from './profile-qwen25-vl';
import { qwen3VlProfile } from './profile-qwen3-vl';
import type { RemoteProfile } from './remote-profile';

/**
 * Qwen2.5-Omni and Qwen3-Omni: the vision side of Qwen2.5-VL and Qwen3-VL (the same image budgets,
 * grounding prompts and box frames), and they hear: a sound goes as an `input_audio` WAV beside the image.
 */
export const qwen25OmniProfile: RemoteProfile = {
  ...qwen25VlProfile,
  name: 'qwen2.5-omni',
  summary: 'Qwen2.5-Omni: as Qwen2.5-VL (bbox_2d in pixels of the image sent), and sounds as input_audio',
  audio: true,
};

export const qwen3OmniProfile: RemoteProfile = {
  ...qwen3VlProfile,
  name: 'qwen3-omni',
  summary: 'Qwen3-Omni: as Qwen3-VL (bbox_2d relative 0–1000), and sounds as input_audio',
  audio: true,
};
