import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeMedia } from '../src/media/probe-media';
import { readPacketIndex } from '../src/media/packet-index';
import { sampleVideo } from '../src/media/sample-video';
import { prepareSampledVideo } from '../src/media/prepare-video';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries';
import { DEFAULT_MEDIA_OPTIONS } from '../src/media/options';
const split = '/tmp/photo/evalset';
function childCpu(): number { const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' '); return (Number(f[13]) + Number(f[14])) * 10; }
(async () => {
  const rows = readFileSync(join(split, 'eval.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.media.kind === 'video').slice(0, 30);
  const spec = { size: 48, frames: 16, padRgb: [122, 116, 104] as const, mean: [0.5, 0.5, 0.5] as const, std: [0.25, 0.25, 0.25] as const };
  const binaries = resolveFfmpegBinaries(DEFAULT_MEDIA_OPTIONS);
  const acc: Record<string, { wall: number; cpu: number }> = {};
  const add = (k: string, wall: number, cpu: number) => { acc[k] ??= { wall: 0, cpu: 0 }; acc[k].wall += wall; acc[k].cpu += cpu; };
  for (const r of rows) {
    const path = join(split, r.media.file);
    let t = performance.now(), c = childCpu();
    const probe = await probeMedia(path, { binaries, timeoutMs: 15000 });
    add('ffprobe streams', performance.now() - t, childCpu() - c);
    t = performance.now(); c = childCpu();
    await readPacketIndex(path, probe.video!.index, { binaries, timeoutMs: 15000, startSec: probe.formatStartSec });
    add('ffprobe packets', performance.now() - t, childCpu() - c);
    t = performance.now(); c = childCpu();
    const sampled = await sampleVideo(path, 16, DEFAULT_MEDIA_OPTIONS, { frameMaxSide: 320 });
    add('sampleVideo total (' + sampled.strategy + ')', performance.now() - t, childCpu() - c);
    t = performance.now();
    await prepareSampledVideo(sampled, spec);
    add('tensor', performance.now() - t, 0);
  }
  for (const [k, v] of Object.entries(acc)) console.log(k.padEnd(32), 'wall/clip', (v.wall / rows.length).toFixed(1), 'ms; child CPU/clip', (v.cpu / rows.length).toFixed(1), 'ms');
})();
