// A JPEG or PNG file as a model's input, with sharp: turned upright (EXIF orientation), any
// transparency flattened onto white, made sRGB, resized to the model's input (the whole image,
// its aspect ratio not kept, as the model was trained) and mapped onto `range`.
import sharp from 'sharp';
import { toInputData } from './top-classes.mjs';

/** The float32 RGB data of a [1, height, width, 3] input. */
export async function readImage(file, [height, width], range = [0, 1]) {
  const { data, info } = await sharp(file)
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return toInputData(data, info.channels, range);
}
