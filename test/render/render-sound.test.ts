/**
 * What a reply shows of a sound: the box of the sound's source with its legend entry, and a video's
 * soundtrack as a waveform strip under the timeline with the span marked over it.
 */
import sharp from 'sharp';
import { referenceColour } from '../../src/render/palette';
import { renderBoxes, soundSourceLegend } from '../../src/render/render-boxes';
import { renderTimeline } from '../../src/render/render-timeline';
import { waveformEnvelope } from '../../src/render/waveform-envelope';

async function pixels(png: Buffer): Promise<{ at: (x: number, y: number) => number[]; width: number; height: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, at: (x, y) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)] };
}

function hexRgb(hex: string): number[] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

const near = (a: readonly number[], b: readonly number[], tolerance = 30): boolean => a.every((v, i) => Math.abs(v - (b[i] ?? 0)) <= tolerance);

/** 1 s of silence, 1 s of a loud 440 Hz tone, 1 s of silence at 16 kHz. */
function toneInSilence(): Float32Array {
  const samples = new Float32Array(48_000);
  for (let i = 16_000; i < 32_000; i += 1) samples[i] = 0.8 * Math.sin((2 * Math.PI * 440 * i) / 16_000);
  return samples;
}

describe('waveformEnvelope', () => {
  it('keeps the min and max of the samples under each column', () => {
    const env = waveformEnvelope(new Float32Array([0, 0.5, -0.25, 1, -1, 0.25, 2, -3]), 4);
    expect(Array.from(env.min)).toEqual([0, -0.25, -1, -1]);
    expect(Array.from(env.max)).toEqual([0.5, 1, 0.25, 1]);
  });

  it('gives a column with no sample of its own the sample under it, and nothing a flat line', () => {
    const env = waveformEnvelope(new Float32Array([0.5, -0.5]), 4);
    expect(Array.from(env.max)).toEqual([0.5, 0.5, -0.5, -0.5]);
    expect(Array.from(waveformEnvelope(new Float32Array(0), 3).max)).toEqual([0, 0, 0]);
  });

  it('is loud only where the tone is', () => {
    const env = waveformEnvelope(toneInSilence(), 300);
    expect(Math.max(...env.max.subarray(0, 95))).toBe(0);
    expect(Math.min(...env.max.subarray(105, 195))).toBeGreaterThan(0.7);
    expect(Math.max(...env.min.subarray(105, 195))).toBeLessThan(-0.7);
    expect(Math.max(...env.max.subarray(205))).toBe(0);
  });
});

describe('the sound in reply pictures', () => {
  it("draws a sound-source box with its legend entry, and no legend for other boxes", async () => {
    expect(soundSourceLegend(1)).toBe('[1] — source of the sound');
    const white = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const box = { index: 1, pixels: { x1: 150, y1: 60, x2: 300, y2: 160 } };
    const plain = await pixels((await renderBoxes(white, [box])).data);
    const withSound = await pixels((await renderBoxes(white, [{ ...box, soundSource: true }])).data);
    const colour = hexRgb(referenceColour(1));
    // the legend tag sits in the bottom-left corner, in the box's colour, and runs to the right
    const legendRow = [...Array(40).keys()].map((d) => withSound.height - 6 - d).find((y) => near(withSound.at(6, y), colour));
    expect(legendRow).toBeDefined();
    const filled = [...Array(380).keys()].filter((x) => near(withSound.at(x, legendRow!), colour)).length;
    expect(filled).toBeGreaterThan(100);
    expect(near(plain.at(6, legendRow!), [255, 255, 255], 1)).toBe(true);
    // the box itself is drawn the same
    expect(withSound.at(150 + 1, 110)).toEqual(plain.at(150 + 1, 110));
  });

  it('draws the soundtrack under the timeline with the span marked over it', async () => {
    const spans = [{ index: 2, start: 1, end: 2, label: 'the whistle' }];
    const without = await pixels(await renderTimeline({ durationSec: 3, spans }, { width: 628 }));
    const png = await renderTimeline({ durationSec: 3, spans, waveform: { samples: toneInSilence(), sampleRate: 16_000 } }, { width: 628 });
    const timeline = await pixels(png);
    expect(timeline.height).toBeGreaterThan(without.height + 40);
    // 628 px wide, margins 28: t seconds at x = 28 + t·(572/3); the strip is between the bars and the axis
    const x = (t: number): number => Math.round(28 + (t * 572) / 3);
    const stripRows = [...Array(timeline.height).keys()].filter((y) => near(timeline.at(x(0.5), y), [0xf4, 0xf6, 0xf8], 2));
    expect(stripRows.length).toBeGreaterThan(40);
    const middle = stripRows[Math.floor(stripRows.length / 2)]!;
    const top = stripRows[0]!;
    const dark = (p: number[]): boolean => p.every((v) => v < 140);
    // silence: only the centre line; the tone reaches far from the centre, inside the span's shading
    expect(dark(timeline.at(x(0.5), top + 6))).toBe(false);
    expect(dark(timeline.at(x(1.5), top + 8))).toBe(true);
    expect(dark(timeline.at(x(1.5), middle + 18))).toBe(true);
    // the span is shaded in its colour over the strip where the waveform does not draw
    const shade = timeline.at(x(2) - 1, top + 3);
    expect(near(shade, [0xf4, 0xf6, 0xf8], 8)).toBe(false);
    expect(near(timeline.at(x(2.5), top + 3), [0xf4, 0xf6, 0xf8], 2)).toBe(true);
  });
});
