/**
 * Sound preprocessing (issue 18): decoding a 30 s MP3 and a 60 s MP4's soundtrack to 16 kHz mono with
 * ffmpeg, and the log-mel features of 3 clips (a sound) and 8 clips (a soundtrack) with the contract's
 * numbers — the mixed-radix FFT against a 201×400 DFT matrix in the same run. Run with
 * `npx tsx bench/audio.ts`. Inputs are generated into the OS temp folder (lego-bench-audio/).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioSpec } from '../src/engine/types';
import { cutClips } from '../src/media/audio-clips';
import { LogMelExtractor } from '../src/media/audio-log-mel';
import { audioFeatures } from '../src/media/audio-prepare';
import { extractAudio } from '../src/media/extract-audio';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries';
import { resolveMediaOptions } from '../src/media/options';

const SPEC: AudioSpec = {
  sampleRate: 16000,
  clipSeconds: 1,
  clips: 3,
  soundtrackClips: 8,
  features: { nFft: 400, winLength: 400, hopLength: 160, nMels: 64, fMin: 0, fMax: 8000, power: 2, logFloor: 1e-6, mean: -4.1, std: 4.2, frames: 98 },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(runs: number, work: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The power spectra of the same frames with a precomputed 201×400 DFT matrix: what the FFT replaces. */
function matrixSpectra(clips: Float32Array, count: number): void {
  const { nFft, hopLength, frames } = SPEC.features;
  const bins = nFft / 2 + 1;
  const cos = new Float64Array(bins * nFft);
  const sin = new Float64Array(bins * nFft);
  for (let k = 0; k < bins; k += 1) {
    for (let n = 0; n < nFft; n += 1) {
      cos[k * nFft + n] = Math.cos((2 * Math.PI * k * n) / nFft);
      sin[k * nFft + n] = Math.sin((2 * Math.PI * k * n) / nFft);
    }
  }
  const power = new Float64Array(bins);
  for (let c = 0; c < count; c += 1) {
    for (let t = 0; t < frames; t += 1) {
      const start = c * 16000 + t * hopLength;
      for (let k = 0; k < bins; k += 1) {
        let re = 0;
        let im = 0;
        for (let n = 0; n < nFft; n += 1) {
          re += clips[start + n]! * cos[k * nFft + n]!;
          im += clips[start + n]! * sin[k * nFft + n]!;
        }
        power[k] = re * re + im * im;
      }
    }
  }
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), 'lego-bench-audio');
  mkdirSync(dir, { recursive: true });
  const options = resolveMediaOptions();
  const { ffmpeg } = resolveFfmpegBinaries(options);
  const mp3 = join(dir, 'tone-30s.mp3');
  const mp4 = join(dir, 'clip-60s.mp4');
  const quiet = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  if (!existsSync(mp3)) execFileSync(ffmpeg, [...quiet, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=30', '-ac', '2', '-c:a', 'libmp3lame', mp3]);
  if (!existsSync(mp4)) {
    execFileSync(ffmpeg, [...quiet, '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=30:duration=60', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=60',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', mp4]);
  }
  const sound = await extractAudio(mp3, options);
  const soundtrack = await extractAudio(mp4, options);
  const decodeMp3 = await timed(5, () => extractAudio(mp3, options));
  const decodeMp4 = await timed(5, () => extractAudio(mp4, options));
  const extractor = new LogMelExtractor(SPEC.features, SPEC.sampleRate);
  const clips8 = cutClips(soundtrack.samples, 8, 16000);
  for (let i = 0; i < 3; i += 1) extractor.clips(clips8, 8, 16000); // warm the JIT
  const features3 = await timed(15, () => audioFeatures(sound.samples, SPEC, 'sound'));
  const features8 = await timed(15, () => audioFeatures(soundtrack.samples, SPEC, 'soundtrack'));
  const matrix8 = await timed(5, () => matrixSpectra(clips8, 8));
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`decode 30 s MP3 (stereo 44.1 kHz) to 16 kHz mono: ${decodeMp3.toFixed(0)} ms (median of 5)`);
  console.log(`decode the soundtrack of a 60 s 720p MP4: ${decodeMp4.toFixed(0)} ms (median of 5)`);
  console.log(`log-mel features, 3 clips (a sound): ${features3.toFixed(1)} ms; 8 clips (a soundtrack): ${features8.toFixed(1)} ms (median of 15)`);
  console.log(`power spectra alone of the 8 clips with a 201×400 DFT matrix instead of the FFT: ${matrix8.toFixed(1)} ms (median of 5)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
