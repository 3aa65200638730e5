import type { SKRSContext2D } from '@napi-rs/canvas';
import { renderFont } from './fonts';
import { textColourOn } from './palette';

/** A filled label tag: the reference colour behind black or white text, with a thin dark outline. */
export interface TagMetrics {
  width: number;
  height: number;
}

export function measureTag(ctx: SKRSContext2D, text: string, fontPx: number): TagMetrics {
  ctx.font = renderFont(fontPx);
  const pad = Math.max(2, Math.round(fontPx * 0.3));
  return { width: Math.ceil(ctx.measureText(text).width) + 2 * pad, height: Math.round(fontPx * 1.35) };
}

/** Draw a tag with its top-left corner at (x, y). */
export function drawTag(ctx: SKRSContext2D, text: string, x: number, y: number, colour: string, fontPx: number): TagMetrics {
  const metrics = measureTag(ctx, text, fontPx);
  const pad = Math.max(2, Math.round(fontPx * 0.3));
  ctx.save();
  ctx.fillStyle = colour;
  ctx.fillRect(x, y, metrics.width, metrics.height);
  ctx.lineWidth = Math.max(1, Math.round(fontPx / 14));
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
  ctx.strokeRect(x, y, metrics.width, metrics.height);
  ctx.fillStyle = textColourOn(colour);
  ctx.font = renderFont(fontPx);
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.fillText(text, x + pad, y + metrics.height / 2 + fontPx * 0.04);
  ctx.restore();
  return metrics;
}
