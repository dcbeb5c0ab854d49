// What a layer's backward returns, and what training tells it. The gradients themselves are
// computed by the backend (Backend.conv2dBackward, denseBackward, maxpool2dBackward).
import type { Tensor } from '../tensor';

export interface Gradients {
  /** Gradient of the loss with respect to the input, shaped like it. */
  dx: Tensor;
  /** With respect to the kernel, in the layout of getWeights() (layers with weights only). */
  kernel?: Float32Array;
  /** With respect to the bias (layers with a bias only). */
  bias?: Float32Array;
  /** BatchNormalization's, with respect to gamma and beta (when the layer has them). */
  gamma?: Float32Array;
  beta?: Float32Array;
  alpha?: Float32Array; // PReLU's
  /** SeparableConv2D's, with respect to its depthwise and pointwise kernels. */
  depthwiseKernel?: Float32Array;
  pointwiseKernel?: Float32Array;
}

/**
 * What training already knows (internal: lib/train): the layer's forward output for this x (no
 * forward is run again for the activation's derivative), or that dy is the gradient with respect
 * to the pre-activation (the activation is skipped: the fused softmax and cross-entropy).
 */
export interface GradHints {
  output?: Tensor;
  preActivation?: boolean;
}

/**
 * A layer's backward bound to its checked x and dy: one backend call, on this thread or off it.
 * y is the layer's forward output for x when the caller has it; without it the call runs the
 * forward itself where the activation's derivative needs it.
 */
export interface GradCall {
  sync(y: Float32Array | null): Gradients;
  /** Reads x, dy and y (copying what it keeps) before it returns its Promise. */
  async(y: Float32Array | null): Promise<Gradients>;
}
