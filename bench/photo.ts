/**
 * `npm run bench:photo [-- options]`: phone-size media at the speed and memory of the model (issue 23).
 * Every input is generated into a temp folder (nothing big is committed): a 12 MP JPEG stored turned
 * with EXIF orientation 6 (assets/samples/red-star.png, a lego-tiny scene, upscaled with noise so that
 * it compresses like a photo), the same scene at 480×360, an 8000×8000 PNG, and a 60 s 1080p30 H.264
 * clip (assets/samples/shapes-clip.mp4 looped and upscaled, a keyframe every second like a phone's).
 * Ratios are measured in one run, cases interleaved (the machine is shared).
 *
 *   npm run bench:photo                    # prep, web, video, help: the targets table
 *   npm run bench:photo -- --soak 1000     # also 1,000 photo turns each through the web chat and lego serve (RSS)
 *   npm run bench:photo -- --only prep,web # some parts only (prep, web, video, help, soak)
 *   npm run bench:photo -- --only soak --soak 1000 --soak-on serve   # the soak through lego serve only
 *   npm run bench:photo -- --append        # also append the report to docs/benchmarks.md
 *   npm run bench:photo -- --bare-env      # servers without the variables `npm start` sets (glibc's mmap threshold)
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';

const ROOT = resolve(__dirname, '..');
const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const ONLY = (arg('--only') ?? 'prep,web,video,help').split(',');
const SOAK = Number(arg('--soak') ?? 0);
/**
 * The servers run as `npm start` and the `lego` bin run them: compiled JavaScript from dist/ (built
 * first when stale). `--tsx` runs the TypeScript sources through tsx instead (compiled at run time, its
 * own memory on top).
 */
const TSX = process.argv.includes('--tsx');
/** `--bare-env`: start the servers without the variables package.json's scripts set (to measure what they do) */
const BARE_ENV = process.argv.includes('--bare-env');
/** which servers the soak drives (`--soak-on serve` for lego serve alone) */
const SOAK_ON = (arg('--soak-on') ?? 'web,serve').split(',');
if (SOAK > 0 && !ONLY.includes('soak')) ONLY.push('soak');
const APPEND = argv.includes('--append');
const BUNDLE = existsSync(join(ROOT, 'models/lego-tiny/manifest.json')) ? 'models/lego-tiny' : 'models/test-bundle';
const MB = 1024 * 1024;
const lines: string[] = [];
const note = (line: string): void => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** VmRSS and VmHWM (peak) of a process, bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

// ---------------------------------------------------------------- inputs

async function scene(): Promise<Buffer> {
  return readFileSync(join(ROOT, 'assets/samples/red-star.png'));
}

const noisyScenes = new Map<string, Buffer>();

/** The scene upscaled to `width`×`height` with photo-like noise (raw RGB), made once per size. */
async function noisyScene(width: number, height: number): Promise<Buffer> {
  const key = `${width}x${height}`;
  const cached = noisyScenes.get(key);
  if (cached) return cached;
  const upscaled = await sharp(await scene()).resize(width, height, { kernel: 'cubic' }).removeAlpha().raw().toBuffer();
  const noise = await sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 20 } } })
    .raw()
    .toBuffer();
  for (let i = 0; i < upscaled.length; i += 1) upscaled[i] = Math.max(0, Math.min(255, upscaled[i]! + noise[i]! - 128));
  noisyScenes.set(key, upscaled);
  return upscaled;
}

/**
 * The scene at `width`×`height` with photo-like noise, as a JPEG stored turned left with EXIF
 * orientation 6; `seed` changes a corner so that each photo is a different file (no cache hits).
 */
async function phoneJpeg(width: number, height: number, seed: number): Promise<Buffer> {
  const pixels = Buffer.from(await noisyScene(width, height));
  for (let x = 0; x < 16; x += 1) pixels[x * 3] = (seed * 37 + x) & 255;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .rotate(-90) // stored turned left; orientation 6 shows it upright
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

async function bigPng(width = 8000, height = 8000): Promise<Buffer> {
  return sharp(await scene()).resize(width, height, { fit: 'fill', kernel: 'nearest' }).png({ compressionLevel: 9 }).toBuffer();
}

function ffmpegPath(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

function ffprobePath(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@ffprobe-installer/ffprobe') as { path: string }).path;
}

function makeClip(dir: string): string {
  const out = join(dir, 'phone-60s-1080p.mp4');
  const run = spawnSync(
    ffmpegPath(),
    ['-hide_banner', '-loglevel', 'error', '-stream_loop', '-1', '-i', join(ROOT, 'assets/samples/shapes-clip.mp4'), '-t', '60',
      '-vf', 'scale=1920:1080:flags=bicubic,noise=alls=4:allf=t,fps=30', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '12M', '-maxrate', '16M', '-bufsize', '16M',
      '-g', '30', '-keyint_min', '30', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-y', out],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) throw new Error('ffmpeg could not write the 60 s clip');
  return out;
}

// ---------------------------------------------------------------- preparation vs the libvips floor

async function childPrep(kind: 'prepare' | 'floor', file: string): Promise<void> {
  const { prepareImage } = await import('../src/media/prepare-image');
  const spec = JSON.parse(readFileSync(join(ROOT, BUNDLE, 'manifest.json'), 'utf8')).media.image;
  const imageSpec = { size: spec.size, padRgb: spec.pad_rgb, mean: spec.mean, std: spec.std };
  const bytes = readFileSync(file);
  const floor = (): Promise<Buffer> =>
    sharp(bytes, { limitInputPixels: false })
      .rotate()
      .resize(spec.size, spec.size, { fit: 'contain', background: { r: spec.pad_rgb[0], g: spec.pad_rgb[1], b: spec.pad_rgb[2] } })
      .raw()
      .toBuffer();
  const run = kind === 'prepare' ? () => prepareImage(bytes, imageSpec) : floor;
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer(); // load libvips
  const before = memoryOf(process.pid).rss;
  const started = performance.now();
  await run();
  const first = performance.now() - started;
  const peak = memoryOf(process.pid).peak;
  const times: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  process.stdout.write(`${JSON.stringify({ first, median: median(times), peakDelta: peak - before })}\n`);
}

function runChild(args: string[]): { first: number; median: number; peakDelta: number } {
  const out = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', ...args], { encoding: 'utf8', cwd: ROOT });
  if (out.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}');
}

async function benchPrep(dir: string): Promise<{ ratio12: number; ratio8k: number; ratioWide: number; floor12: number }> {
  const jpeg = join(dir, 'phone-12mp.jpg');
  const png = join(dir, 'big-8000.png');
  writeFileSync(jpeg, await phoneJpeg(4000, 3000, 1));
  writeFileSync(png, await bigPng());
  // the 8000² PNG is square (no padding: one resize); a wide one is padded, through the preshrunk path
  const wide = join(dir, 'big-8000x6000.png');
  writeFileSync(wide, await bigPng(8000, 6000));
  note('');
  note('| case | prepareImage | libvips floor | ratio (median) | peak RSS over the loaded process: prepareImage / floor |');
  note('|---|---:|---:|---:|---:|');
  const ratios: number[] = [];
  const floors: number[] = [];
  for (const [name, file] of [[`12 MP EXIF-6 JPEG (${(readFileSync(jpeg).length / MB).toFixed(1)} MB)`, jpeg], [`8000×8000 PNG (${(readFileSync(png).length / 1024).toFixed(0)} KB)`, png], [`8000×6000 PNG (${(readFileSync(wide).length / 1024).toFixed(0)} KB)`, wide]] as const) {
    const prep: ReturnType<typeof runChild>[] = [];
    const floor: ReturnType<typeof runChild>[] = [];
    for (let round = 0; round < 3; round += 1) {
      prep.push(runChild(['prep', 'prepare', file]));
      floor.push(runChild(['prep', 'floor', file]));
    }
    const p = median(prep.map((r) => r.median));
    const f = median(floor.map((r) => r.median));
    ratios.push(p / f);
    floors.push(f);
    const pm = median(prep.map((r) => r.peakDelta)) / MB;
    const fm = median(floor.map((r) => r.peakDelta)) / MB;
    note(`| ${name} → ${BUNDLE.endsWith('tiny') ? '96' : 'spec'}² | ${p.toFixed(1)} ms | ${f.toFixed(1)} ms | **${(p / f).toFixed(2)}×** | +${pm.toFixed(1)} MB / +${fm.toFixed(1)} MB |`);
  }
  return { ratio12: ratios[0]!, ratio8k: ratios[1]!, ratioWide: ratios[2]!, floor12: floors[0]! };
}

// ---------------------------------------------------------------- servers (web chat, lego serve)

interface Server {
  child: ChildProcess;
  url: string;
  stop: () => Promise<void>;
}

let built = false;

/** `src/x.ts` as the process to start: dist/src/x.js (built when stale), or tsx with `--tsx`. */
function entryOf(source: string): string[] {
  if (TSX) return ['--import', 'tsx', source];
  if (!built) {
    const build = spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`node scripts/build.js --if-stale failed: ${build.stderr}`);
    built = true;
  }
  return [join('dist', source.replace(/\.ts$/, '.js'))];
}

/**
 * The variables a package.json script sets before it starts node (`NAME=VALUE … exec node …`): the servers
 * run with the same environment as `npm start` and `npm run lego` give them (glibc's mmap threshold).
 */
function launchEnv(script: 'start' | 'lego'): Record<string, string> {
  if (BARE_ENV) return {};
  const line = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[script] ?? '';
  const env: Record<string, string> = {};
  for (const word of line.split(/\s+/)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/.exec(word);
    if (match === null) break;
    env[match[1]!] = match[2]!;
  }
  return env;
}

async function startServer(args: string[], env: Record<string, string>, ready: RegExp): Promise<Server> {
  const [source, ...rest] = args;
  const child = spawn(process.execPath, [...entryOf(source!), ...rest], {
    cwd: ROOT,
    env: { ...process.env, LEGO_LOGGING_LEVEL: 'warn', ...launchEnv(source === 'src/main.ts' ? 'start' : 'lego'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 120_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
  return {
    child,
    url,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

function startWeb(): Promise<Server> {
  return startServer(['src/main.ts'], { LEGO_WEB_PORT: '0', LEGO_ENGINE_BUNDLE: BUNDLE, LEGO_ENGINE_GENERATION_MAX_NEW_TOKENS: '48' }, /web chat: (http:\/\/[^\s]+)/);
}

function startServe(): Promise<Server> {
  return startServer(['src/cli/main.ts', 'serve', '--port', '0', '--bundle', BUNDLE], {}, /lego serve: .* at (http:\/\/[^\s/]+(?::\d+)?)/);
}

/** POST /api/uploads: the photo's upload id. */
async function uploadPhoto(base: string, conversation: string, photo: Buffer): Promise<string> {
  const response = await fetch(`${base}/api/uploads?conversation=${conversation}&name=photo.jpg`, {
    method: 'POST',
    headers: { Origin: base, 'Content-Type': 'image/jpeg' },
    body: new Uint8Array(photo),
  });
  if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** POST /api/chat, read to its last event (an error event is a failure). */
async function askChat(base: string, conversation: string, text: string, uploads: string[]): Promise<void> {
  const response = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { Origin: base, 'Content-Type': 'application/json' },
    body: JSON.stringify({ conversation, text, uploads }),
  });
  const body = await response.text();
  if (!response.ok || !body.includes('event: done')) throw new Error(`chat: ${response.status} ${body.slice(0, 300)}`);
  if (body.includes('event: error')) throw new Error(`chat error: ${body.slice(0, 300)}`);
}

/** One web chat turn: upload the photo (if any), ask, read the event stream to its end. */
async function webTurn(base: string, conversation: string, text: string, photo?: Buffer): Promise<number> {
  const started = performance.now();
  await askChat(base, conversation, text, photo ? [await uploadPhoto(base, conversation, photo)] : []);
  return performance.now() - started;
}

/**
 * A first turn as the web page sends it: the file is uploaded when it is attached, the question is
 * typed (`typingMs`), then Send. Returns the time from Send to the answer's last event — what the
 * person waits for.
 */
async function pageTurn(base: string, conversation: string, text: string, photo: Buffer, typingMs: number): Promise<number> {
  const id = await uploadPhoto(base, conversation, photo);
  await new Promise((done) => setTimeout(done, typingMs));
  const sent = performance.now();
  await askChat(base, conversation, text, [id]);
  return performance.now() - sent;
}

/** How long the bench's person takes to type the question after attaching the photo (short for a person). */
const TYPING_MS = 1000;

async function servePhotoTurn(base: string, photo: Buffer, text: string): Promise<void> {
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: 'lego-tiny',
      max_tokens: 48,
      temperature: 0,
      messages: [{ role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${photo.toString('base64')}` } }] }],
    }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`serve: ${response.status} ${body.slice(0, 300)}`);
}

async function benchWeb(): Promise<{ firstRatio: number; big: number; small: number; rssDelta: number; startRss: number; page: { big: number; small: number } }> {
  // the same scene, upright 480×360: a different file each turn, as the 12 MP photos are (the same bytes
  // again would be answered from the prepared-media cache by content hash, without a decode)
  const smalls = await Promise.all(Array.from({ length: 6 }, async (_, i) => sharp(await phoneJpeg(480, 360, i + 1)).rotate().jpeg({ quality: 90 }).toBuffer()));
  const photos = await Promise.all(Array.from({ length: 15 }, (_, i) => phoneJpeg(4000, 3000, i + 1)));
  const server = await startWeb();
  try {
    const pid = server.child.pid!;
    const start = memoryOf(pid);
    // first turns: a fresh conversation each, 12 MP and 480×360 interleaved (one warm-up each first)
    await webTurn(server.url, 'bench-warm-a', 'Where is the red star?', photos[14]);
    await webTurn(server.url, 'bench-warm-b', 'Where is the red star?', smalls[5]);
    const bigTimes: number[] = [];
    const smallTimes: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      bigTimes.push(await webTurn(server.url, `bench-first-big-${i}`, 'Where is the red star?', photos[i]));
      smallTimes.push(await webTurn(server.url, `bench-first-small-${i}`, 'Where is the red star?', smalls[i]));
    }
    const afterFirst = memoryOf(pid);
    // 22 turns: 7 conversations of photo + follow-up (14), then 8 photo turns at once
    for (let i = 0; i < 7; i += 1) {
      await webTurn(server.url, `bench-seq-${i}`, 'Where is the red star?', photos[(i + 5) % 15]);
      await webTurn(server.url, `bench-seq-${i}`, 'What colour is box 1?');
    }
    const afterSequence = memoryOf(pid);
    await Promise.all(Array.from({ length: 8 }, (_, i) => webTurn(server.url, `bench-burst-${i}`, 'Where is the red star?', photos[(i + 7) % 15])));
    const end = memoryOf(pid);
    // the same first turns as the page sends them (upload on attach, Send after typing), new files again
    const pagePhotos = await Promise.all(Array.from({ length: 9 }, (_, i) => phoneJpeg(4000, 3000, 100 + i)));
    const pageSmalls = await Promise.all(Array.from({ length: 9 }, async (_, i) => sharp(await phoneJpeg(480, 360, 100 + i)).rotate().jpeg({ quality: 90 }).toBuffer()));
    const pageBig: number[] = [];
    const pageSmall: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      pageBig.push(await pageTurn(server.url, `bench-page-big-${i}`, 'Where is the red star?', pagePhotos[i]!, TYPING_MS));
      pageSmall.push(await pageTurn(server.url, `bench-page-small-${i}`, 'Where is the red star?', pageSmalls[i]!, TYPING_MS));
    }
    const page = { big: median(pageBig), small: median(pageSmall) };
    const big = median(bigTimes);
    const smallMs = median(smallTimes);
    note('');
    const launch = Object.entries(launchEnv('start')).map(([name, value]) => `${name}=${value} `).join('');
    note(`Web chat (\`${launch}node ${entryOf('src/main.ts').join(' ')}\`, ${BUNDLE}, at most 48 new tokens), one server process; a turn = upload + /api/chat to its last event.`);
    note('');
    note('| case | value |');
    note('|---|---:|');
    note(`| first turn, 12 MP EXIF-6 JPEG (${(photos[0]!.length / MB).toFixed(1)} MB), median of 5 | ${big.toFixed(0)} ms |`);
    note(`| first turn, the same scene 480×360 (a different file each time), median of 5 (interleaved) | ${smallMs.toFixed(0)} ms |`);
    note(`| ratio | **${(big / smallMs).toFixed(2)}×** |`);
    note(`| first turn as the page sends it (uploaded on attach, Send ${TYPING_MS} ms later; Send → last event), 12 MP vs 480×360, medians of 9 (after the turns below) | ${page.big.toFixed(0)} / ${page.small.toFixed(0)} ms = **${(page.big / page.small).toFixed(2)}×** |`);
    note(`| server RSS at start / after the 12 first turns / after 14 more (7 photos and a follow-up each) | ${(start.rss / MB).toFixed(0)} MB / ${(afterFirst.rss / MB).toFixed(0)} MB / ${(afterSequence.rss / MB).toFixed(0)} MB (peak so far ${(afterSequence.peak / MB).toFixed(0)} MB) |`);
    note(`| peak RSS after 22 more turns (the last 8 photos at once), over the RSS at start | **+${((end.peak - start.rss) / MB).toFixed(0)} MB** (peak ${(end.peak / MB).toFixed(0)} MB) |`);
    return { firstRatio: big / smallMs, big, small: smallMs, rssDelta: end.peak - start.rss, startRss: start.rss, page };
  } finally {
    await server.stop();
  }
}

async function benchSoak(turns: number): Promise<void> {
  const photos = await Promise.all(Array.from({ length: 24 }, (_, i) => phoneJpeg(1600, 1200, i + 1)));
  note('');
  note(`Soak: ${turns} photo turns, each a new 1600×1200 JPEG conversation (24 distinct photos in turn), one at a time; RSS every ${turns / 10} turns.`);
  note('');
  note('| server | RSS | growth, peak, pace |');
  note('|---|---|---|');
  for (const [name, start, turn] of [
    ['web chat', startWeb, (s: Server, i: number) => webTurn(s.url, `bench-soak-${i}`, 'Where is the red star?', photos[i % photos.length])],
    ['lego serve', startServe, (s: Server, i: number) => servePhotoTurn(s.url, photos[i % photos.length]!, 'Where is the red star?')],
  ] as const) {
    if (!SOAK_ON.includes(name === 'web chat' ? 'web' : 'serve')) continue;
    const server = await start();
    try {
      const pid = server.child.pid!;
      const samples: number[] = [memoryOf(pid).rss];
      const started = performance.now();
      for (let i = 0; i < turns; i += 1) {
        await turn(server, i);
        if ((i + 1) % (turns / 10) === 0) samples.push(memoryOf(pid).rss);
      }
      const peak = memoryOf(pid).peak;
      const mid = samples[Math.floor(samples.length / 2)]!;
      note(`| ${name} | RSS (MB) at 0, ${turns / 10}, … ${turns}: ${samples.map((v) => (v / MB).toFixed(0)).join(', ')} | second half ${((samples.at(-1)! - mid) / MB).toFixed(0)} MB; peak ${(peak / MB).toFixed(0)} MB; ${((performance.now() - started) / turns).toFixed(0)} ms/turn |`);
    } finally {
      await server.stop();
    }
  }
}

// ---------------------------------------------------------------- video: a 60 s 1080p turn vs keyframe floor + model

async function benchVideo(dir: string): Promise<{ ratio: number }> {
  const clip = makeClip(dir);
  const { createBot } = await import('../src/bot/create-bot');
  const { loadConfig } = await import('../src/config/load-config');
  const { createConversationRuntime } = await import('../src/conversation/conversation-runtime');
  const { OnnxLegoEngine } = await import('../src/engine/onnx/onnx-lego-engine');
  const { collectAnswer } = await import('../src/engine/collect-answer');
  const { prepareSampledVideo } = await import('../src/media/prepare-video');
  const { sampleVideo } = await import('../src/media/sample-video');
  const { DEFAULT_MEDIA_OPTIONS } = await import('../src/media/options');
  const engine = await OnnxLegoEngine.load(BUNDLE);
  const config = loadConfig({ env: {}, overrides: { engine: { generation: { maxNewTokens: 48, temperature: 0 } }, bot: { preparedCacheEntries: 0 } } }).config; // no cache: every turn samples the clip
  const runtime = await createConversationRuntime(config.conversation);
  const bot = createBot({ config, engine, runtime });
  const bytes = readFileSync(clip);
  const question = 'When is the shape visible?';
  const spec = engine.media.video!;
  const floorRun = (): number => {
    const t = performance.now();
    const run = spawnSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-skip_frame', 'nokey', '-i', clip, '-vf', 'scale=320:-2:flags=area', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-y', '/dev/null']);
    if (run.status !== 0) throw new Error('keyframe floor run failed');
    return performance.now() - t;
  };
  const keyframes = spawnSync(ffprobePath(), ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=flags', '-of', 'csv=p=0', clip], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('K')).length;
  const turns: number[] = [];
  const floors: number[] = [];
  const models: number[] = [];
  let strategy = '';
  try {
    for (let i = 0; i < 3; i += 1) {
      const started = performance.now();
      const reply = await bot.handle({ platform: 'cli', conversationKey: `video-${i}-${process.pid}`, messageId: String(i), author: { id: 'bench' }, text: question, attachments: [{ id: `clip-${i}`, name: 'clip.mp4', size: bytes.length, contentType: 'video/mp4', fetch: async () => bytes }] });
      if (reply.error !== undefined) throw new Error(`video turn failed: ${reply.error.code} ${reply.text}`);
      turns.push(performance.now() - started);
      floors.push(floorRun());
      const sampled = await sampleVideo(clip, spec.frames, { ...DEFAULT_MEDIA_OPTIONS, ...config.media }, { frameMaxSide: 320 });
      strategy = sampled.strategy;
      const media = await prepareSampledVideo(sampled, spec);
      const t = performance.now();
      await collectAnswer(engine.generate({ turns: [{ role: 'user', text: question }], media, options: { temperature: 0, maxNewTokens: 48 } }));
      models.push(performance.now() - t);
    }
  } finally {
    await bot.close();
    await runtime.close();
    await engine.dispose();
  }
  const turn = median(turns);
  const floor = median(floors);
  const model = median(models);
  note('');
  note(`Video: a 60 s 1920×1080 30 fps H.264 clip (${(bytes.length / MB).toFixed(0)} MB, ${keyframes} keyframes), ${spec.frames} frames; the turn through createBot (sampling chose \`${strategy}\`), medians of 3, interleaved.`);
  note('');
  note('| case | value |');
  note('|---|---:|');
  note(`| video turn (probe, sampling, tensor, generation, timeline) | ${turn.toFixed(0)} ms |`);
  note(`| keyframe floor: \`ffmpeg -skip_frame nokey -i clip -vf scale=320:-2 -f rawvideo\` (decodes the ${keyframes} keyframes only) | ${floor.toFixed(0)} ms |`);
  note(`| model time (generate on the prepared tensor) | ${model.toFixed(0)} ms |`);
  note(`| turn / (floor + model) | **${(turn / (floor + model)).toFixed(2)}×** |`);
  return { ratio: turn / (floor + model) };
}

// ---------------------------------------------------------------- lego --help

function benchHelp(): number {
  const entry = existsSync(join(ROOT, 'dist/src/cli/main.js')) ? ['dist/src/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const times: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const t = performance.now();
    const run = spawnSync(process.execPath, [...entry, '--help'], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`lego --help failed: ${run.stderr}`);
    times.push(performance.now() - t);
  }
  const ms = median(times);
  note('');
  note(`\`lego --help\` (\`node ${entry.join(' ')} --help\`, what package.json's bin runs): median of 5: **${ms.toFixed(0)} ms**`);
  return ms;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (argv[0] === '--child') {
    if (argv[1] === 'prep') return childPrep(argv[2] as 'prepare' | 'floor', argv[3]!);
    throw new Error(`unknown child ${argv[1]}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'lego-bench-photo-'));
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  note('');
  note(`## Phone-size media (${date} UTC)`);
  note('');
  note(`Command: \`npm run bench:photo -- ${argv.join(' ')}\` (bench/photo.ts). Machine: ${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; load average ${loadavg()[0]!.toFixed(1)} at the start.`);
  const targets: string[] = [];
  try {
    let decodeFloor: number | undefined;
    if (ONLY.includes('prep')) {
      const r = await benchPrep(dir);
      decodeFloor = r.floor12;
      targets.push(`| image preparation ≤ 1.5× the libvips floor | 12 MP JPEG ${r.ratio12.toFixed(2)}×, 8000² PNG ${r.ratio8k.toFixed(2)}× | ${r.ratio12 <= 1.5 && r.ratio8k <= 1.5 ? 'met' : 'not met'} |`);
      // the 8000² PNG is square and takes the one-resize path; a wide one is padded, as most photos are
      targets.push(`| the same for a wide 8000×6000 PNG (padded: not one of the issue's cases) | ${r.ratioWide.toFixed(2)}× | ${r.ratioWide <= 1.5 ? 'within' : 'above'} |`);
    }
    if (ONLY.includes('web')) {
      const r = await benchWeb();
      targets.push(`| first turn on a 12 MP phone JPEG ≤ 1.5× the same scene at 480×360 (upload + answer: attached and sent at once) | ${r.big.toFixed(0)} / ${r.small.toFixed(0)} ms = ${r.firstRatio.toFixed(2)}× | ${r.firstRatio <= 1.5 ? 'met' : 'not met'} |`);
      const pageRatio = r.page.big / r.page.small;
      targets.push(`| the same, as the page sends it (uploaded on attach, Send ${TYPING_MS} ms later; Send → answer) | ${r.page.big.toFixed(0)} / ${r.page.small.toFixed(0)} ms = ${pageRatio.toFixed(2)}× | ${pageRatio <= 1.5 ? 'met' : 'not met'} |`);
      if (decodeFloor !== undefined) {
        // the least a 12 MP turn can cost: the small scene's whole turn plus the cheapest decode of the photo (the libvips floor above, 1/8 shrink-on-load to 96 px)
        note(`\nThe floor of that ratio in this run: (small turn + libvips floor decode of the 12 MP JPEG) / small turn = (${r.small.toFixed(0)} + ${decodeFloor.toFixed(0)}) / ${r.small.toFixed(0)} = **${((r.small + decodeFloor) / r.small).toFixed(2)}×**.`);
      }
      targets.push(`| 22 web turns, 8 photos at once ≤ +200 MB peak RSS over start | +${(r.rssDelta / MB).toFixed(0)} MB over ${(r.startRss / MB).toFixed(0)} MB | ${r.rssDelta <= 200 * MB ? 'met' : 'not met'} |`);
    }
    if (ONLY.includes('video')) {
      const r = await benchVideo(dir);
      targets.push(`| 60 s 1080p video turn ≤ 2× (keyframe floor + model time) | ${r.ratio.toFixed(2)}× | ${r.ratio <= 2 ? 'met' : 'not met'} |`);
    }
    if (ONLY.includes('help')) {
      const ms = benchHelp();
      targets.push(`| \`lego --help\` ≤ 0.3 s | ${(ms / 1000).toFixed(2)} s | ${ms <= 300 ? 'met' : 'not met'} |`);
    }
    if (ONLY.includes('soak')) await benchSoak(SOAK > 0 ? SOAK : 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  note('');
  note('| target | measured | |');
  note('|---|---|---|');
  for (const t of targets) note(t);
  note(`\nLoad average at the end: ${loadavg()[0]!.toFixed(1)}.`);
  if (APPEND) appendFileSync(join(ROOT, 'docs/benchmarks.md'), `${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:photo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
