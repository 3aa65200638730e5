import sharp from 'sharp';

type Rgb = { r: number; g: number; b: number };

function block(width: number, height: number, background: Rgb): { create: { width: number; height: number; channels: 3; background: Rgb } } {
  return { create: { width, height, channels: 3, background } };
}

/**
 * A deterministic scene without text or SVG: a light left half, a dark right half (labels must read on
 * both) and a few coloured shapes.
 */
export async function sceneJpeg(width = 640, height = 400): Promise<Buffer> {
  const half = Math.round(width / 2);
  return sharp(block(width, height, { r: 236, g: 232, b: 220 }))
    .composite([
      { input: block(width - half, height, { r: 34, g: 38, b: 46 }), left: half, top: 0 },
      { input: block(120, 90, { r: 250, g: 204, b: 0 }), left: 60, top: 60 },
      { input: block(140, 110, { r: 40, g: 90, b: 200 }), left: 400, top: 220 },
      { input: block(70, 70, { r: 200, g: 40, b: 40 }), left: 250, top: 260 },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** A small raw frame for keyframe thumbnails: a background with a square somewhere. */
export async function rawFrame(background: Rgb, square: Rgb, at: number): Promise<{ data: Buffer; width: number; height: number; channels: 3 }> {
  const { data, info } = await sharp(block(160, 90, background))
    .composite([{ input: block(30, 30, square), left: Math.round(at * 130), top: 30 }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}
