// One gradient step on a batch: the layers' forwards one by one (each a job off the event loop),
// keeping every layer's input and output; the loss and its gradient; then the layers' backwards
// in reverse order (their GEMMs off the event loop too), each told the output it already has,
// so no activation's forward runs twice.
import type { Layer } from '../layers/layer';
import type { LayerGradients } from '../layers/trainable-model';
import { Tensor } from '../tensor';
import { type LossName, lossSums, type Targets } from './losses';

export interface StepResult {
  /** Sum of the batch rows' losses, and rows whose argmax was right. */
  loss: number;
  correct: number;
  /** Per layer, the gradient of the batch's mean loss: getWeights' layouts. */
  grads: LayerGradients[];
}

/**
 * fused: the last layer is a softmax and the loss a cross-entropy, so its forward stops at the
 * logits z, the loss is taken from them (log-sum-exp) and dz = (softmax(z) - y) / rows goes to
 * that layer's backward as the gradient with respect to its pre-activation.
 */
export async function trainStep(layers: readonly Layer[], x: Tensor, targets: Targets, loss: LossName, fused: boolean): Promise<StepResult> {
  const last = layers.length - 1;
  const tensors = [x];
  for (let i = 0; i <= last; i++) tensors.push(await layers[i].forwardAsyncAs(tensors[i], fused && i === last));
  const out = tensors[last + 1], cols = out.shape[out.shape.length - 1], rows = out.size / cols;
  const grad = new Float32Array(out.size);
  const sums = lossSums(loss, out.data, cols, targets, fused, grad, 1 / rows);
  const grads: LayerGradients[] = new Array(layers.length);
  let d = new Tensor(grad, out.shape);
  for (let i = last; i >= 0; i--) {
    const hints = fused && i === last ? { preActivation: true } : { output: tensors[i + 1] };
    const { dx, ...weights } = await layers[i].backwardAsyncWith(tensors[i], d, hints);
    grads[i] = weights;
    d = dx;
  }
  return { ...sums, grads };
}
