/**
 * Helpers for tests of the bot pipeline and the CLI: a configuration without the environment, messages
 * with in-memory attachments, and small images made with sharp.
 */
import sharp from 'sharp';
import { loadConfig } from '../../src/config/load-config';
import type { LegoConfig, LegoConfigInput } from '../../src/config/schema';
import type { AppConfig, AppConfigInput } from '../../src/cli/commands';
import type { IncomingAttachment, IncomingMessage } from '../../src/bot/types';
import { LegoError } from '../../src/errors';

/** Every section (the adapters' too), with the environment ignored, plus `overrides`. */
export function appConfig(overrides: AppConfigInput = {}): AppConfig {
  // required here, not at the top: it loads every adapter, which most pipeline tests do not need
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { appSections } = require('../../src/cli/commands') as typeof import('../../src/cli/commands');
  return loadConfig({ sections: appSections(), env: {}, overrides }).config;
}

/** The core defaults, with the environment ignored, plus `overrides`. */
export function testConfig(overrides: LegoConfigInput = {}): LegoConfig {
  return loadConfig({ env: {}, overrides }).config;
}

let messageCounter = 0;

/** An attachment whose bytes are in memory; `fetch` enforces maxBytes like an adapter would. */
export function memoryAttachment(bytes: Buffer, name = 'image.png', extra: Partial<IncomingAttachment> = {}): IncomingAttachment & { fetches: number } {
  const attachment = {
    id: `att-${name}`,
    name,
    size: bytes.length,
    fetches: 0,
    async fetch(options: { signal?: AbortSignal; maxBytes: number }): Promise<Buffer> {
      attachment.fetches += 1;
      if (bytes.length > options.maxBytes) throw new LegoError('too-large', `attachment of ${bytes.length} bytes over ${options.maxBytes}`);
      return bytes;
    },
    ...extra,
  };
  return attachment;
}

export function message(text: string, attachments: IncomingAttachment[] = [], key = 'test:conversation'): IncomingMessage {
  messageCounter += 1;
  return { platform: 'cli', conversationKey: key, messageId: `m${messageCounter}`, author: { id: 'u1' }, text, attachments };
}

/** A plain grey PNG of `width`×`height`. */
export async function greyPng(width: number, height: number, grey = 128): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toBuffer();
}

/** The RGB pixel at (x, y) of an encoded image. */
export async function pixelAt(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (Math.round(y) * info.width + Math.round(x)) * info.channels;
  return [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
}

/** `#rrggbb` → [r, g, b]. */
export function hexRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Whether some pixel within `radius` of (x, y) has `colour` (within `tolerance` per channel). */
export async function hasColourNear(png: Buffer, x: number, y: number, colour: [number, number, number], radius = 3, tolerance = 30): Promise<boolean> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let dy = -radius; dy <= radius; dy += 1) {
    for (let dx = -radius; dx <= radius; dx += 1) {
      const px = Math.round(x) + dx;
      const py = Math.round(y) + dy;
      if (px < 0 || py < 0 || px >= info.width || py >= info.height) continue;
      const i = (py * info.width + px) * info.channels;
      if (colour.every((c, k) => Math.abs((data[i + k] ?? 0) - c) <= tolerance)) return true;
    }
  }
  return false;
}
