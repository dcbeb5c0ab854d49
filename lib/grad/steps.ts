// A backward pass written once as a generator of backend requests (a GEMM, or the layer's
// forward), run either on this thread (gemm, forward) or off it (gemmAsync, forwardAsync).
import { gemm, gemmAsync, type GemmOptions } from '../gemm';
import { Tensor } from '../tensor';

export interface Gradients {
  /** Gradient of the loss with respect to the input, shaped like it. */
  dx: Tensor;
  /** With respect to the kernel, in the layout of getWeights() (layers with weights only). */
  kernel?: Float32Array;
  /** With respect to the bias (layers with a bias only). */
  bias?: Float32Array;
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

export type GradRequest = { op: 'gemm'; a: Tensor; b: Tensor; opts: GemmOptions } | { op: 'forward'; x: Tensor };

/** Yields requests, receives their results, returns the gradients. */
export type GradSteps = Generator<GradRequest, Gradients, Tensor>;

export interface Forward {
  forward(x: Tensor): Tensor;
  forwardAsync(x: Tensor): Promise<Tensor>;
}

export function runSync(steps: GradSteps, layer: Forward): Gradients {
  let r = steps.next();
  while (!r.done) {
    const q = r.value;
    r = steps.next(q.op === 'gemm' ? gemm(q.a, q.b, q.opts) : layer.forward(q.x));
  }
  return r.value;
}

/**
 * Like runSync with the requests computed off the event loop. The steps read the caller's
 * arrays (copying what they keep) before their first request, so before this returns a Promise.
 */
export async function runAsync(steps: GradSteps, layer: Forward): Promise<Gradients> {
  let r = steps.next();
  while (!r.done) {
    const q = r.value;
    r = steps.next(await (q.op === 'gemm' ? gemmAsync(q.a, q.b, q.opts) : layer.forwardAsync(q.x)));
  }
  return r.value;
}
