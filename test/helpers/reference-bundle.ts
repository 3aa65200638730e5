/**
 * The small randomly initialised bundle that models/lego-tiny/recipe/export.py writes for engine tests
 * (another shape than lego-tiny), and its PyTorch reference generations.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PreparedAudio, PreparedMedia, Turn } from '../../src/engine/types';

export const TEST_BUNDLE = path.resolve(__dirname, '../../models/test-bundle');

export interface ReferenceCase {
  name: string;
  media: {
    kind: 'image' | 'video';
    source: string | null;
    width: number;
    height: number;
    duration?: number;
    tensor: string;
    shape: number[];
    sha256: string;
  };
  turns: Turn[];
  max_new_tokens: number;
  prompt: string;
  prompt_ids: number[];
  query_ids: number[];
  output_ids: number[];
  output_text: string;
}

export function testBundleExists(): boolean {
  return existsSync(path.join(TEST_BUNDLE, 'manifest.json'));
}

export function referenceCases(folder = TEST_BUNDLE): ReferenceCase[] {
  const json = JSON.parse(readFileSync(path.join(folder, 'reference.json'), 'utf8')) as { cases: ReferenceCase[] };
  return json.cases;
}

/** The case's preprocessed tensor as the media pipeline would hand it over; checks its checksum. */
export function referenceMedia(c: ReferenceCase, folder = TEST_BUNDLE): PreparedMedia {
  const bytes = readFileSync(path.join(folder, c.media.tensor));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== c.media.sha256) throw new Error(`${c.media.tensor}: checksum ${sha} does not match reference.json`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const pixelValues = new Float32Array(copy.buffer);
  const size = { width: c.media.width, height: c.media.height };
  if (c.media.kind === 'image') return { kind: 'image', size, pixelValues };
  const frames = c.media.shape[0]!;
  const duration = c.media.duration ?? 0;
  return {
    kind: 'video',
    size,
    durationSec: duration,
    pixelValues,
    frameTimes: Array.from({ length: frames }, (_, i) => ((i + 0.5) / frames) * duration),
  };
}

/** A reference generation with a sound: alone, beside an image, or a video's soundtrack. */
export interface ReferenceAudioCase extends Omit<ReferenceCase, 'media'> {
  media: ReferenceCase['media'] | null;
  audio: { source: string; tensor: string; shape: number[]; clips: number; duration: number; sha256: string };
}

export function referenceAudioCases(folder = TEST_BUNDLE): ReferenceAudioCase[] {
  const json = JSON.parse(readFileSync(path.join(folder, 'reference.json'), 'utf8')) as { audio_cases?: ReferenceAudioCase[] };
  return json.audio_cases ?? [];
}

function readTensor(folder: string, file: string, sha256: string): Float32Array {
  const bytes = readFileSync(path.join(folder, file));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== sha256) throw new Error(`${file}: checksum ${sha} does not match reference.json`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** The case's log-mel clips as the media pipeline would hand them over; checks the checksum. */
export function referenceAudio(c: ReferenceAudioCase, folder = TEST_BUNDLE): PreparedAudio {
  return {
    kind: 'audio',
    source: c.media?.kind === 'video' ? 'soundtrack' : 'sound',
    durationSec: c.audio.duration,
    clips: c.audio.clips,
    features: readTensor(folder, c.audio.tensor, c.audio.sha256),
  };
}
