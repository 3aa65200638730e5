/** What the first bytes of a file say it is, whatever its name claims. */
export interface SniffedMedia {
  kind: 'image' | 'video' | 'audio';
  /** short format name: jpeg, png, gif, webp, tiff, avif, heic, mp4, mov, webm, mkv, avi, wav, mp3, opus, m4a, … */
  format: string;
  mime: string;
}

/** How many leading bytes `sniffMedia` looks at; read at least this many from a file. */
export const SNIFF_BYTES = 512;

function ascii(bytes: Uint8Array, start: number, length: number): string {
  if (bytes.length < start + length) return '';
  let out = '';
  for (let i = start; i < start + length; i += 1) out += String.fromCharCode(bytes[i] ?? 0);
  return out;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, i) => bytes[offset + i] === value);
}

const IMAGE_BRANDS: Record<string, SniffedMedia> = {
  avif: { kind: 'image', format: 'avif', mime: 'image/avif' },
  avis: { kind: 'image', format: 'avif', mime: 'image/avif' },
  heic: { kind: 'image', format: 'heic', mime: 'image/heic' },
  heix: { kind: 'image', format: 'heic', mime: 'image/heic' },
  mif1: { kind: 'image', format: 'heif', mime: 'image/heif' },
  msf1: { kind: 'image', format: 'heif', mime: 'image/heif' },
};

const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'F4A ']);

/** ISO base media (MP4, MOV, 3GP, AVIF, HEIC): a `ftyp` box at offset 4 with a major brand. */
function sniffIsoBmff(bytes: Uint8Array): SniffedMedia | undefined {
  if (ascii(bytes, 4, 4) !== 'ftyp') return undefined;
  const major = ascii(bytes, 8, 4);
  const image = IMAGE_BRANDS[major];
  if (image) return image;
  if (AUDIO_BRANDS.has(major)) return { kind: 'audio', format: 'm4a', mime: 'audio/mp4' };
  if (major === 'qt  ') return { kind: 'video', format: 'mov', mime: 'video/quicktime' };
  if (major.startsWith('3g')) return { kind: 'video', format: '3gp', mime: 'video/3gpp' };
  return { kind: 'video', format: 'mp4', mime: 'video/mp4' };
}

/**
 * Ogg: the first page carries the first stream's header packet. Opus (voice messages), Vorbis, Speex
 * and FLAC are sound; Theora/Dirac (or anything else) a video.
 */
function sniffOgg(bytes: Uint8Array): SniffedMedia {
  const head = ascii(bytes, 0, Math.min(bytes.length, SNIFF_BYTES));
  if (head.includes('theora') || head.includes('BBCD')) return { kind: 'video', format: 'ogg', mime: 'video/ogg' };
  if (head.includes('OpusHead')) return { kind: 'audio', format: 'opus', mime: 'audio/ogg' };
  if (head.includes('\x01vorbis') || head.includes('Speex   ') || head.includes('\x7fFLAC')) {
    return { kind: 'audio', format: 'ogg', mime: 'audio/ogg' };
  }
  return { kind: 'video', format: 'ogg', mime: 'video/ogg' };
}

/**
 * WebM/Matroska: sound only when the track codecs seen in the head are all audio (`A_OPUS`, `A_VORBIS`…)
 * — a browser's audio recording; any video codec, or none seen, is a video.
 */
function sniffMatroska(bytes: Uint8Array): SniffedMedia {
  const head = ascii(bytes, 0, Math.min(bytes.length, SNIFF_BYTES));
  const isWebm = head.includes('webm');
  const audioOnly = /A_(OPUS|VORBIS|AAC|MPEG|FLAC|PCM|AC3|EAC3)/.test(head) && !/V_[A-Z0-9]/.test(head);
  if (audioOnly) {
    return isWebm ? { kind: 'audio', format: 'webm', mime: 'audio/webm' } : { kind: 'audio', format: 'mka', mime: 'audio/x-matroska' };
  }
  return isWebm ? { kind: 'video', format: 'webm', mime: 'video/webm' } : { kind: 'video', format: 'mkv', mime: 'video/x-matroska' };
}

/**
 * Identify a file from its first bytes (`SNIFF_BYTES` are enough). Returns `undefined` for anything
 * the media pipeline does not read (text, SVG, PDF, archives…). Audio/video containers are told apart
 * only where the signature allows it; a WebM or Ogg file may still turn out to hold only sound.
 */
export function sniffMedia(bytes: Uint8Array): SniffedMedia | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg', mime: 'image/jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { kind: 'image', format: 'png', mime: 'image/png' };
  }
  const head6 = ascii(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return { kind: 'image', format: 'gif', mime: 'image/gif' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { kind: 'image', format: 'tiff', mime: 'image/tiff' };
  }
  if (ascii(bytes, 0, 4) === 'RIFF') {
    const form = ascii(bytes, 8, 4);
    if (form === 'WEBP') return { kind: 'image', format: 'webp', mime: 'image/webp' };
    if (form === 'AVI ') return { kind: 'video', format: 'avi', mime: 'video/x-msvideo' };
    if (form === 'WAVE') return { kind: 'audio', format: 'wav', mime: 'audio/wav' };
    return undefined;
  }
  const iso = sniffIsoBmff(bytes);
  if (iso) return iso;
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return sniffMatroska(bytes);
  if (ascii(bytes, 0, 3) === 'FLV') return { kind: 'video', format: 'flv', mime: 'video/x-flv' };
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0xba])) return { kind: 'video', format: 'mpeg', mime: 'video/mpeg' };
  if (bytes[0] === 0x47 && bytes[188] === 0x47) return { kind: 'video', format: 'mpegts', mime: 'video/mp2t' };
  if (ascii(bytes, 0, 4) === 'OggS') return sniffOgg(bytes);
  if (ascii(bytes, 0, 4) === 'fLaC') return { kind: 'audio', format: 'flac', mime: 'audio/flac' };
  if (ascii(bytes, 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(bytes, 8, 4))) {
    return { kind: 'audio', format: 'aiff', mime: 'audio/aiff' };
  }
  if (ascii(bytes, 0, 4) === 'caff') return { kind: 'audio', format: 'caf', mime: 'audio/x-caf' };
  if (ascii(bytes, 0, 5) === '#!AMR') return { kind: 'audio', format: 'amr', mime: 'audio/amr' };
  // MPEG audio frame sync (11 bits): layer bits 00 are AAC in ADTS, anything else MP1/2/3
  if (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xf6) === 0xf0) return { kind: 'audio', format: 'aac', mime: 'audio/aac' };
  if (ascii(bytes, 0, 3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) {
    return { kind: 'audio', format: 'mp3', mime: 'audio/mpeg' };
  }
  return undefined;
}
