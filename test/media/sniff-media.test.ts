import sharp from 'sharp';
import { sniffMedia } from '../../src/media/sniff-media';

describe('sniffMedia', () => {
  it.each(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const)('recognises %s from its bytes', async (format) => {
    const bytes = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).toFormat(format).toBuffer();
    expect(sniffMedia(bytes)).toMatchObject({ kind: 'image', format });
  });

  it('tells ISO-BMFF brands apart', () => {
    const ftyp = (brand: string): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from(`ftyp${brand}`), Buffer.alloc(20)]);
    expect(sniffMedia(ftyp('isom'))).toMatchObject({ kind: 'video', format: 'mp4' });
    expect(sniffMedia(ftyp('qt  '))).toMatchObject({ kind: 'video', format: 'mov' });
    expect(sniffMedia(ftyp('M4A '))).toMatchObject({ kind: 'audio' });
    expect(sniffMedia(ftyp('avif'))).toMatchObject({ kind: 'image', format: 'avif' });
    expect(sniffMedia(ftyp('heic'))).toMatchObject({ kind: 'image', format: 'heic' });
  });

  it('recognises WebM/Matroska, AVI and WAV', () => {
    const webm = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84]), Buffer.from('webm')]);
    expect(sniffMedia(webm)).toMatchObject({ kind: 'video', format: 'webm' });
    expect(sniffMedia(Buffer.from('RIFF\0\0\0\0AVI LIST'))).toMatchObject({ kind: 'video', format: 'avi' });
    expect(sniffMedia(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toMatchObject({ kind: 'audio', format: 'wav' });
  });

  it('tells sound from video in Ogg and WebM, and knows ADTS, AIFF and AMR', () => {
    const ogg = (packet: string): Buffer => Buffer.concat([Buffer.from('OggS'), Buffer.alloc(24), Buffer.from([1, 19]), Buffer.from(packet)]);
    expect(sniffMedia(ogg('OpusHead'))).toMatchObject({ kind: 'audio', format: 'opus', mime: 'audio/ogg' });
    expect(sniffMedia(ogg('\x01vorbis'))).toMatchObject({ kind: 'audio', format: 'ogg' });
    expect(sniffMedia(ogg('\x80theora'))).toMatchObject({ kind: 'video', format: 'ogg' });
    const ebml = Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84]);
    expect(sniffMedia(Buffer.concat([ebml, Buffer.from('webm....A_OPUS')]))).toMatchObject({ kind: 'audio', format: 'webm' });
    expect(sniffMedia(Buffer.concat([ebml, Buffer.from('webm....A_OPUS....V_VP8')]))).toMatchObject({ kind: 'video', format: 'webm' });
    expect(sniffMedia(Buffer.from([0xff, 0xf1, 0x50, 0x80]))).toMatchObject({ kind: 'audio', format: 'aac' });
    expect(sniffMedia(Buffer.from([0xff, 0xfb, 0x90, 0x64]))).toMatchObject({ kind: 'audio', format: 'mp3' });
    expect(sniffMedia(Buffer.from('FORM\0\0\0\0AIFFCOMM'))).toMatchObject({ kind: 'audio', format: 'aiff' });
    expect(sniffMedia(Buffer.from('#!AMR\n'))).toMatchObject({ kind: 'audio', format: 'amr' });
  });

  it('refuses text, SVG, PDF and empty input', () => {
    expect(sniffMedia(Buffer.from('just some text'))).toBeUndefined();
    expect(sniffMedia(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffMedia(Buffer.from('%PDF-1.7'))).toBeUndefined();
    expect(sniffMedia(Buffer.alloc(0))).toBeUndefined();
  });
});
