import sharp from 'sharp';
import { renderTimeline } from '../../src/render/render-timeline';
import { formatClock, timeTicks } from '../../src/render/time-ticks';
import { expectMatchesGolden } from './golden';
import { rawFrame } from './render-fixtures';

describe('renderTimeline', () => {
  it('matches the golden image (axis, numbered bars on lanes, keyframes)', async () => {
    const keyframes = [
      { time: 9, image: await rawFrame({ r: 30, g: 120, b: 60 }, { r: 250, g: 220, b: 0 }, 0.1) },
      { time: 31, image: await rawFrame({ r: 40, g: 60, b: 140 }, { r: 250, g: 250, b: 250 }, 0.5) },
      { time: 62, image: await rawFrame({ r: 120, g: 40, b: 40 }, { r: 0, g: 200, b: 220 }, 0.9) },
    ];
    const png = await renderTimeline({
      durationSec: 75,
      spans: [
        { index: 1, start: 6, end: 14.5, label: 'the dog jumps' },
        { index: 2, start: 12, end: 40, label: 'it runs after the ball' },
        { index: 3, start: 60, end: 63 },
      ],
      keyframes,
    });
    const meta = await sharp(png).metadata();
    expect(meta.width).toBe(1200);
    await expectMatchesGolden(png, 'timeline-keyframes');
  });

  it('matches the golden image for a short clip without keyframes (tenths on the axis)', async () => {
    const png = await renderTimeline(
      { durationSec: 8.4, spans: [{ index: 1, start: 0.8, end: 2.6, label: 'a wave' }, { index: 2, start: 5, end: 8.4 }] },
      { width: 800 },
    );
    await expectMatchesGolden(png, 'timeline-short');
  });

  it('places a span at its times along the axis', async () => {
    const png = await renderTimeline({ durationSec: 100, spans: [{ index: 3, start: 25, end: 75 }] }, { width: 1000 });
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    // margins of 28 px: 25 s → x = 28 + 0.25 × 944 = 264, 75 s → 736; the bar row is the first lane
    const row = (x: number, y: number): number[] => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const barY = [...Array(info.height).keys()].find((y) => row(500, y)[2]! > 180 && row(500, y)[0]! < 120) ?? -1;
    expect(barY).toBeGreaterThan(0);
    expect(row(270, barY + 4)[2]).toBeGreaterThan(150);
    expect(row(258, barY + 4)).toEqual([255, 255, 255]);
    expect(row(742, barY + 4)).toEqual([255, 255, 255]);
  });

  it('accepts encoded keyframe images too', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#aa3300' } }).jpeg().toBuffer();
    const png = await renderTimeline({ durationSec: 10, spans: [], keyframes: [{ time: 5, image: jpeg }] });
    expect((await sharp(png).metadata()).format).toBe('png');
  });

  it('refuses a bad duration', async () => {
    await expect(renderTimeline({ durationSec: 0, spans: [] })).rejects.toMatchObject({ code: 'bad-input' });
  });
});

describe('time ticks', () => {
  it('formats m:ss, h:mm:ss and tenths', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(65)).toBe('1:05');
    expect(formatClock(3605)).toBe('1:00:05');
    expect(formatClock(2.25, true)).toBe('0:02.3');
  });

  it('picks a round step', () => {
    expect(timeTicks(60, 10)).toEqual({ step: 10, ticks: [0, 10, 20, 30, 40, 50, 60] });
    expect(timeTicks(75, 13).step).toBe(10);
    expect(timeTicks(8.4, 9).step).toBe(1);
    expect(timeTicks(3, 8).step).toBe(0.5);
  });
});
