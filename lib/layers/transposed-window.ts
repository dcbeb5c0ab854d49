// The output size and crop of a transposed convolution, as Keras computes them
// (deconv_output_length, then TensorFlow's conv2d_transpose padding for that output).
import type { Padding } from '../shape';

/** Output extent and the crop at its start along one axis. */
export function transposedAxis(size: number, k: number, stride: number, padding: Padding, axis: 0 | 1, outputPadding: number | null): { out: number; begin: number } {
  if (Array.isArray(padding)) {
    // Explicit pads (ONNX ConvTranspose): cropped from each end of the full output.
    const begin = padding[2 * axis], end = padding[2 * axis + 1];
    return { out: (size - 1) * stride + k + (outputPadding ?? 0) - begin - end, begin };
  }
  let out: number;
  if (outputPadding === null) out = padding === 'valid' ? size * stride + Math.max(k - stride, 0) : size * stride;
  else out = (size - 1) * stride + k - (padding === 'same' ? 2 * Math.floor(k / 2) : 0) + outputPadding;
  // TensorFlow pads the convolution this is the gradient of: 'same' splits what its windows
  // need past the output, the odd cell at the end; 'valid' pads nothing.
  const begin = padding === 'same' ? Math.floor(Math.max((size - 1) * stride + k - out, 0) / 2) : 0;
  return { out, begin };
}
