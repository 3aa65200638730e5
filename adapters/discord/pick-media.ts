import type { DiscordAttachmentInfo } from './attachment-download';

const MEDIA_TYPE = /^(image|video|audio)\//i;
const MEDIA_NAME = /\.(png|jpe?g|webp|gif|bmp|tiff?|avif|heic|mp4|m4v|mov|webm|mkv|avi|mpe?g|mp3|wav|ogg|oga|opus|flac|m4a|aac)$/i;
const SOUND_NAME = /\.(mp3|wav|ogg|oga|opus|flac|m4a|aac)$/i;
const IMAGE_NAME = /\.(png|jpe?g|webp|gif|bmp|tiff?|avif|heic)$/i;

export function isMedia(attachment: DiscordAttachmentInfo): boolean {
  return MEDIA_TYPE.test(attachment.contentType ?? '') || MEDIA_NAME.test(attachment.name);
}

/** A sound file (a voice message is audio/ogg), by its declared type or else its name. */
export function isSound(attachment: DiscordAttachmentInfo): boolean {
  const type = attachment.contentType ?? '';
  return type === '' ? SOUND_NAME.test(attachment.name) : /^audio\//i.test(type);
}

export function isImage(attachment: DiscordAttachmentInfo): boolean {
  const type = attachment.contentType ?? '';
  return type === '' ? IMAGE_NAME.test(attachment.name) : /^image\//i.test(type);
}

export interface PickedMedia<A extends DiscordAttachmentInfo> {
  /**
   * what goes to the pipeline: the first media file, and with an image the first sound (or with a sound the
   * first image) — heard together as one media context; else the first file (the pipeline says why it
   * cannot read it)
   */
  chosen: A[];
  /** a notice for the reply when files were left out */
  notice: string | undefined;
}

/** One media per question, or an image with a sound; the rest are mentioned, not read. */
export function pickMedia<A extends DiscordAttachmentInfo>(attachments: readonly A[]): PickedMedia<A> {
  const media = attachments.filter(isMedia);
  const first = media[0] ?? attachments[0];
  if (first === undefined) return { chosen: [], notice: undefined };
  const partner = isImage(first) ? media.find(isSound) : isSound(first) ? media.find(isImage) : undefined;
  // the image first, then its sound: the order the pipeline hears them in
  const chosen = partner === undefined ? [first] : isImage(first) ? [first, partner] : [partner, first];
  const names = chosen.map((a) => `“${a.name}”`).join(' and ');
  const notice =
    attachments.length > chosen.length
      ? `You sent ${attachments.length} files; I looked at ${chosen.length === 2 ? names : `the first ${media.length > 0 ? 'picture or video' : 'one'} (${names})`} only — one per question (or a picture with its sound).`
      : undefined;
  return { chosen, notice };
}
