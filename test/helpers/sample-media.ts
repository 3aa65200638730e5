import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxIou, spanIou } from '../../src/grounding/iou';

/**
 * assets/samples and their samples.json (models/lego-tiny/recipe/samples.py writes them): what each
 * sample asks and its truth in LEGO's padded-square frame, for the tests that check lego-tiny answers them.
 */
export const SAMPLES = join(__dirname, '..', '..', 'assets', 'samples');

export type Box = [number, number, number, number];
export interface Sample {
  file: string;
  kind: 'image' | 'video';
  question: string;
  width?: number;
  height?: number;
  duration?: number;
  /** a sound heard with the image (assets/samples/<sound>) */
  sound?: string;
  /** the clip has a soundtrack and the question is about it */
  soundtrack?: boolean;
  truth: { boxes?: Box[]; spans?: [number, number][]; count?: number; names?: string[] };
}

export const samples = (JSON.parse(readFileSync(join(SAMPLES, 'samples.json'), 'utf8')) as { samples: Sample[] }).samples;

/** A box of the padded square (fractions) on the W×H original, in pixels (DESIGN: X = x·S − (S−W)/2). */
export function toPixels(box: Box, w: number, h: number): Box {
  const s = Math.max(w, h);
  return [box[0] * s - (s - w) / 2, box[1] * s - (s - h) / 2, box[2] * s - (s - w) / 2, box[3] * s - (s - h) / 2];
}

export function iou(a: Box, b: Box): number {
  return boxIou({ x1: a[0], y1: a[1], x2: a[2], y2: a[3] }, { x1: b[0], y1: b[1], x2: b[2], y2: b[3] });
}

export function iou1d(a: [number, number], b: [number, number]): number {
  return spanIou({ start: a[0], end: a[1] }, { start: b[0], end: b[1] });
}
