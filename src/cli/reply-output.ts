import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Reply } from '../bot/types';

/** The `--json` shape of an answer: exactly these fields (boxes in pixels as displayed, spans in seconds). */
export interface AskJson {
  answer: string;
  boxes: { ref: number; x1: number; y1: number; x2: number; y2: number; label?: string }[];
  spans: { ref: number; start: number; end: number; label?: string }[];
  files: string[];
}

/** `lego-out/2026-11-28T13-22-05` under `cwd`: a folder name that sorts by time. */
export function defaultOutDir(cwd: string, now = new Date()): string {
  return resolve(cwd, 'lego-out', now.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-'));
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Write the reply's files into `dir` (created when there is something to write); returns their paths. */
export async function writeReplyFiles(reply: Reply, dir: string, prefix = ''): Promise<string[]> {
  if (reply.files.length === 0) return [];
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const file of reply.files) {
    const path = join(dir, `${prefix}${file.name}`);
    await writeFile(path, file.data);
    paths.push(path);
  }
  return paths;
}

export function toAskJson(reply: Reply, files: readonly string[]): AskJson {
  return {
    answer: reply.text,
    boxes: reply.boxes.map((b) => ({
      ref: b.ref,
      x1: round(b.pixels.x1, 2),
      y1: round(b.pixels.y1, 2),
      x2: round(b.pixels.x2, 2),
      y2: round(b.pixels.y2, 2),
      ...(b.label === undefined ? {} : { label: b.label }),
    })),
    spans: reply.spans.map((s) => ({
      ref: s.ref,
      start: round(s.seconds.start, 3),
      end: round(s.seconds.end, 3),
      ...(s.label === undefined ? {} : { label: s.label }),
    })),
    files: [...files],
  };
}

/** What follows the answer's text in a terminal: what each number is, the notices, where the pictures went. */
export function formatDetails(reply: Reply, files: readonly string[], cwd: string): string {
  const lines: string[] = [];
  for (const box of reply.boxes) {
    const p = box.pixels;
    lines.push(`  [${box.ref}] ${box.label ?? 'box'}: x ${Math.round(p.x1)}–${Math.round(p.x2)}, y ${Math.round(p.y1)}–${Math.round(p.y2)} px`);
  }
  for (const span of reply.spans) {
    lines.push(`  [${span.ref}] ${span.label ?? 'span'}: ${span.seconds.start.toFixed(1)}–${span.seconds.end.toFixed(1)} s`);
  }
  for (const notice of reply.notices) lines.push(`(${notice})`);
  for (const file of files) lines.push(`  saved ${relative(cwd, file) || file}`);
  return lines.map((line) => `${line}\n`).join('');
}

/** The answer for a terminal: the text, then its details (see formatDetails). */
export function formatReply(reply: Reply, files: readonly string[], cwd: string): string {
  return `${reply.text}\n${formatDetails(reply, files, cwd)}`;
}
