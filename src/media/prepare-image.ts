import type { ImageSpec, PreparedImage } from '../engine/types';
import { decodeImage } from './decode-image';
import { imageToTensor } from './image-tensor';
import type { MediaOptions } from './options';
import { DEFAULT_MEDIA_OPTIONS } from './options';

/**
 * Turn an uploaded image file into the tensor an engine takes (bundle format, "Media preprocessing"):
 * checked against the limits before decoding, oriented, flattened on white, 8-bit sRGB, padded to a
 * centred square, resized to `spec.size`, normalised, CHW. `size` is the image as displayed.
 */
export async function prepareImage(
  bytes: Uint8Array,
  spec: ImageSpec,
  options: Pick<MediaOptions, 'maxImageBytes' | 'maxImagePixels' | 'maxImageSide'> = DEFAULT_MEDIA_OPTIONS,
): Promise<PreparedImage> {
  const decoded = await decodeImage(bytes, options);
  const pixelValues = await imageToTensor(decoded.image, spec);
  return { kind: 'image', size: decoded.size, pixelValues };
}
