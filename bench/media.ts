/**
 * Media benchmarks (issue 4): preprocessing a 4000×3000 JPEG (time, peak RSS), sampling 16 frames
 * from a 60 s 1080p H.264 clip against a naive full decode in the same run, rendering 12 boxes on a
 * 4K image. Run with `npm run bench:media`; `--append` adds the results to docs/benchmarks.md.
 * Generated inputs are cached in the OS temp folder (lego-bench-media/).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { ImageSpec } from '../src/engine/types';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries';
import { resolveMediaOptions } from '../src/media/options';
import { prepareImage } from '../src/media/prepare-image';
import { sampleVideo } from '../src/media/sample-video';
import { renderBoxes } from '../src/render/render-boxes';

const run = promisify(execFile);
const CACHE = join(tmpdir(), 'lego-bench-media');
const CLIP_SPEC = (size: number): ImageSpec => ({
  size,
  padRgb: [122, 116, 104],
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

/** CPU seconds of this process plus its reaped children (ffmpeg, ffprobe) so far, from /proc (Linux). */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    // after "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    children = NaN;
  }
  return (own.user + own.system) / 1e6 + children;
}

interface Measured {
  /** median wall time, ms */
  ms: number;
  /** median CPU time (this process and its children), ms */
  cpuMs: number;
}

/** Run `work` `times` times; median wall and CPU time. CPU time does not suffer from a busy machine. */
async function measure(times: number, work: () => Promise<unknown>): Promise<Measured> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const cpu0 = cpuSeconds();
    const start = process.hrtime.bigint();
    await work();
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((cpuSeconds() - cpu0) * 1000);
  }
  return { ms: median(wall), cpuMs: median(cpu) };
}

/** A photo-like 4000×3000 JPEG: smooth gradients, edges and fine noise (not a flat colour). */
async function photoJpeg(path: string, width: number, height: number): Promise<Buffer> {
  if (existsSync(path)) return readFileSync(path);
  const data = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const noise = (seed >> 16) % 24;
      const i = (y * width + x) * 3;
      const band = ((x >> 7) + (y >> 7)) % 2 === 0 ? 40 : 0;
      data[i] = Math.min(255, ((x * 255) / width + band + noise) | 0);
      data[i + 1] = Math.min(255, ((y * 255) / height + noise) | 0);
      data[i + 2] = Math.min(255, (128 + band + noise) | 0);
    }
  }
  const jpeg = await sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  writeFileSync(path, jpeg);
  return jpeg;
}

async function clip(path: string, gop: number): Promise<string> {
  if (existsSync(path)) return path;
  const { ffmpeg } = resolveFfmpegBinaries(resolveMediaOptions());
  await run(
    ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=60',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(gop), '-pix_fmt', 'yuv420p', `${path}.part.mp4`],
    { timeout: 600_000 },
  );
  execFileSync('mv', [`${path}.part.mp4`, path]);
  return path;
}

/** Child mode: prepare the JPEG `times` times in a fresh process and print time and peak RSS. */
async function imageChild(path: string, size: number): Promise<void> {
  const bytes = readFileSync(path);
  const baseline = process.resourceUsage().maxRSS;
  const first = (await measure(1, () => prepareImage(bytes, CLIP_SPEC(size)))).ms;
  const { ms, cpuMs } = await measure(5, () => prepareImage(bytes, CLIP_SPEC(size)));
  const peak = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify({ first, ms, cpuMs, baselineMb: baseline / 1024, peakMb: peak / 1024 }));
}

interface ChildResult {
  first: number;
  ms: number;
  cpuMs: number;
  baselineMb: number;
  peakMb: number;
}

function inChild(args: string[]): ChildResult {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, ...args], { encoding: 'utf8' });
  return JSON.parse(out) as ChildResult;
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--image-child') return imageChild(rest[0] ?? '', Number(rest[1]));
  mkdirSync(CACHE, { recursive: true });
  const loadAtStart = loadavg()[0] ?? NaN;
  const rows: string[] = [];
  const note = (line: string): void => {
    rows.push(line);
    console.log(line);
  };

  // 1. a 4000×3000 JPEG through prepareImage
  const jpegPath = join(CACHE, 'photo-4000x3000.jpg');
  const jpeg = await photoJpeg(jpegPath, 4000, 3000);
  for (const size of [336, 96]) {
    const r = inChild(['--image-child', jpegPath, String(size)]);
    note(`| prepareImage, 4000×3000 JPEG (${(jpeg.length / 1e6).toFixed(1)} MB) → ${size}×${size} | ${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)} ms), median of 5; first call ${r.first.toFixed(0)} ms | peak RSS ${r.peakMb.toFixed(0)} MB in a fresh process (${r.baselineMb.toFixed(0)} MB after loading) |`);
  }

  // 2. 16 frames from a 60 s 1080p H.264 clip vs a naive full decode, same run
  const options = resolveMediaOptions({ ffmpegTimeoutMs: 600_000 });
  const { ffmpeg } = resolveFfmpegBinaries(options);
  await sampleVideo(await clip(join(CACHE, 'clip-1080p-60s-gop30.mp4'), 30), 2, options); // warm-up: fluent-ffmpeg's capability probe
  for (const gop of [30, 250]) {
    const path = await clip(join(CACHE, `clip-1080p-60s-gop${gop}.mp4`), gop);
    const naive = await measure(3, () =>
      run(ffmpeg, ['-nostdin', '-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'null', '-'], { timeout: 600_000 }),
    );
    const results: string[] = [];
    for (const frameSampling of ['auto', 'seek', 'decode'] as const) {
      let strategy = '';
      const m = await measure(3, async () => {
        strategy = (await sampleVideo(path, 16, { ...options, frameSampling })).strategy;
      });
      const label = frameSampling === 'auto' ? `auto (chose ${strategy})` : frameSampling;
      results.push(`${label}: ${m.ms.toFixed(0)} ms wall, ${m.cpuMs.toFixed(0)} ms CPU → ${(naive.ms / m.ms).toFixed(1)}× wall, ${(naive.cpuMs / m.cpuMs).toFixed(1)}× CPU`);
    }
    note(`| sampleVideo 16 frames, 60 s 1080p30 H.264, keyframe every ${gop} frames (${(readFileSync(path).length / 1e6).toFixed(0)} MB) | ${results.join('<br>')} | naive full decode (ffmpeg -i clip -f null -, decode only, all threads): ${naive.ms.toFixed(0)} ms wall, ${naive.cpuMs.toFixed(0)} ms CPU; medians of 3 |`);
  }

  // 3. 12 boxes on a 4K image
  const uhd = await sharp(jpeg).resize(3840, 2160, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
  const boxes = Array.from({ length: 12 }, (_, i) => ({
    index: i + 1,
    pixels: { x1: 100 + (i % 4) * 900, y1: 150 + Math.floor(i / 4) * 650, x2: 800 + (i % 4) * 900, y2: 700 + Math.floor(i / 4) * 650 },
    label: `object number ${i + 1}`,
  }));
  for (const maxSide of [2048, 3840]) {
    let info = '';
    const m = await measure(3, async () => {
      const r = await renderBoxes(uhd, boxes, { maxSide });
      info = `${r.width}×${r.height}, ${(r.data.length / 1e6).toFixed(1)} MB ${r.format}, scale ${r.scale.toFixed(3)}`;
    });
    note(`| renderBoxes, 12 boxes on a 3840×2160 JPEG, maxSide ${maxSide} | ${m.ms.toFixed(0)} ms (CPU ${m.cpuMs.toFixed(0)} ms), median of 3 | ${info} |`);
  }

  if (process.argv.includes('--append')) {
    const doc = join(__dirname, '..', 'docs', 'benchmarks.md');
    if (!existsSync(doc)) writeFileSync(doc, '# Benchmarks\n\nNumbers measured by the bench scripts in `bench/`; each section says how to rerun it.\n');
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    appendFileSync(
      doc,
      [
        '',
        `## Media (${new Date().toISOString().slice(0, 10)})`,
        '',
        `Command: \`npm run bench:media -- --append\` (bench/media.ts). Machine: ${cpus().length} × ${cpu}; load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? NaN).toFixed(1)} at the end (other work shared the cores, so CPU time is the steadier number).`,
        '',
        '| case | time | notes |',
        '|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
    console.log(`appended to ${doc}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
