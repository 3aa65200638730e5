import { LegoError } from '../errors';

/** The LegoErrors of the media pipeline: short, polite user messages; the detail goes to `message`. */

function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

function formatMinutes(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} seconds`;
  return `${Math.round((seconds / 60) * 10) / 10} minutes`;
}

export function emptyFileError(): LegoError {
  return new LegoError('bad-input', 'empty file (0 bytes)', { userMessage: 'Sorry, that file is empty.' });
}

export function unsupportedMediaError(detail: string, expected: 'image' | 'video' | 'audio' | 'media'): LegoError {
  const userMessage =
    expected === 'image'
      ? 'Sorry, I cannot read that kind of file. Try a JPEG, PNG, WebP, GIF, AVIF or TIFF image.'
      : expected === 'video'
        ? 'Sorry, I cannot read that kind of file. Try an MP4, MOV or WebM video.'
        : expected === 'audio'
          ? 'Sorry, I cannot read that kind of file. Try a WAV, MP3, OGG/Opus or M4A sound.'
          : undefined;
  return new LegoError('unsupported-media', detail, userMessage === undefined ? {} : { userMessage });
}

export function fileTooLargeError(kind: 'image' | 'video' | 'audio', bytes: number, limit: number): LegoError {
  const noun = kind === 'audio' ? 'sound file' : kind;
  return new LegoError('too-large', `${kind} file of ${bytes} bytes is over the limit of ${limit}`, {
    userMessage: `Sorry, that ${noun} is too large (the limit is ${formatMegabytes(limit)}).`,
    details: { bytes, limit },
  });
}

export function imageTooManyPixelsError(width: number, height: number, maxPixels: number, maxSide: number): LegoError {
  const megapixels = Math.round(maxPixels / 1e5) / 10;
  return new LegoError('too-large', `image of ${width}×${height} is over the limit (${maxPixels} px, side ${maxSide})`, {
    userMessage: `Sorry, that image is too big (the limit is ${megapixels} megapixels and ${maxSide} px a side).`,
    details: { width, height, maxPixels, maxSide },
  });
}

export function videoTooLongError(durationSec: number, limitSec: number): LegoError {
  return new LegoError('too-large', `media of ${durationSec.toFixed(1)} s is over the limit of ${limitSec} s`, {
    userMessage: `Sorry, that is too long for me (the limit is ${formatMinutes(limitSec)}).`,
    details: { durationSec, limitSec },
  });
}

export function audioTooLongError(durationSec: number, limitSec: number): LegoError {
  return new LegoError('too-large', `sound of ${durationSec.toFixed(1)} s is over the limit of ${limitSec} s`, {
    userMessage: `Sorry, that sound is too long for me (the limit is ${formatMinutes(limitSec)}).`,
    details: { durationSec, limitSec },
  });
}

export function silentAudioError(peak: number): LegoError {
  return new LegoError('bad-input', `the sound is silent (peak ${peak.toExponential(2)})`, {
    userMessage: 'Sorry, I could not hear anything in that sound: it seems to be silent.',
    details: { peak },
  });
}

export function videoResolutionError(width: number, height: number, maxSide: number): LegoError {
  return new LegoError('too-large', `video of ${width}×${height} is over the resolution limit`, {
    userMessage: `Sorry, that video's resolution is too high (the limit is ${maxSide} px a side).`,
    details: { width, height, maxSide },
  });
}

export function corruptMediaError(kind: 'image' | 'video' | 'audio', detail: string, cause?: unknown): LegoError {
  const noun = kind === 'audio' ? 'sound file' : kind;
  return new LegoError('media-corrupt', `${kind} does not decode: ${detail}`, {
    userMessage: `Sorry, that ${noun} seems to be damaged and I could not open it.`,
    cause,
  });
}

export function noVideoStreamError(): LegoError {
  return new LegoError('bad-input', 'file has no video stream', {
    userMessage: 'Sorry, that file has no video in it (only sound?). Please send a video.',
    details: { reason: 'no-video-stream' },
  });
}

export function noAudioStreamError(): LegoError {
  return new LegoError('bad-input', 'file has no audio stream', {
    userMessage: 'Sorry, that file has no sound in it.',
    details: { reason: 'no-audio-stream' },
  });
}

export function ffmpegTimeoutError(tool: string, timeoutMs: number): LegoError {
  return new LegoError('too-large', `${tool} ran over its time limit of ${timeoutMs} ms and was killed`, {
    userMessage: 'Sorry, that file took too long to process.',
    retryable: false,
    details: { tool, timeoutMs },
  });
}

export function ffmpegMissingError(tool: string, cause?: unknown): LegoError {
  return new LegoError('internal', `${tool} binary not found or not runnable`, { cause });
}

export function abortedError(): LegoError {
  return new LegoError('aborted', 'media processing was aborted', { userMessage: 'Stopped.' });
}

/** Map an error thrown by sharp/libvips into the right LegoError. */
export function fromSharpError(error: unknown): LegoError {
  if (LegoError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/exceeds pixel limit|exceeds channel limit/i.test(message)) {
    return new LegoError('too-large', `sharp: ${message}`, {
      userMessage: 'Sorry, that image is too big for me.',
      cause: error,
    });
  }
  if (/unsupported image format|has not been built in|no decoding plugin/i.test(message)) {
    // e.g. HEIC (HEVC): libvips reads its header but the prebuilt sharp has no HEVC decoder
    return unsupportedMediaError(`sharp: ${message}`, 'image');
  }
  return corruptMediaError('image', `sharp: ${message}`, error);
}
