import type { DiscordAttachmentInfo } from './attachment-download';

const MEDIA_TYPE = /^(image|video|audio)\//i;
const MEDIA_NAME = /\.(png|jpe?g|webp|gif|bmp|tiff?|avif|heic|mp4|m4v|mov|webm|mkv|avi|mpe?g|mp3|wav|ogg|oga|opus|flac|m4a|aac)$/i;

export function isMedia(attachment: DiscordAttachmentInfo): boolean {
  return MEDIA_TYPE.test(attachment.contentType ?? '') || MEDIA_NAME.test(attachment.name);
}

export interface PickedMedia<A extends DiscordAttachmentInfo> {
  /** what goes to the pipeline: the first media file, else the first file (the pipeline says why it cannot read it) */
  chosen: A | undefined;
  /** a notice for the reply when files were left out */
  notice: string | undefined;
}

/** One file per question: the first image, video or audio; the rest are mentioned, not read. */
export function pickMedia<A extends DiscordAttachmentInfo>(attachments: readonly A[]): PickedMedia<A> {
  const media = attachments.filter(isMedia);
  const chosen = media[0] ?? attachments[0];
  if (chosen === undefined) return { chosen: undefined, notice: undefined };
  const others = attachments.length - 1;
  const notice =
    others > 0
      ? `You sent ${attachments.length} files; I looked at the first ${media.length > 0 ? 'picture or video' : 'one'} (“${chosen.name}”) only — one per question.`
      : undefined;
  return { chosen, notice };
}
