// One gradient step on a batch, over the model's graph of layers: each layer's forward in order
// (each a job off the event loop), keeping every value; each output's loss and its gradient,
// weighted; then the layers' backwards in reverse order (their GEMMs off the event loop too),
// each told the output it already has, so no activation's forward runs twice. A value read by
// several layers gets the sum of their gradients, added in the reverse of the layers' order (a
// fixed order). A layer is run backwards only when a gradient reaches it and something before it,
// or itself, has weights to train.
import type { FlatGraph } from '../layers/flat-types';
import { Layer } from '../layers/layer';
import type { LayerGradients } from '../layers/trainable-model';
import { Tensor } from '../tensor';
import { lossSums, type Targets } from './losses';
import type { OutputLoss } from './outputs';

export interface StepResult {
  /** Per output, the sum of the batch rows' losses (unweighted); and rows whose argmax was right (the first output's). */
  losses: number[];
  correct: number;
  /** Per entry of the graph, the gradient of the batch's mean loss: getWeights' layouts ({} for none). */
  grads: LayerGradients[];
}

/** Per value: whether a layer that makes it, or one before, has weights fit trains (`trains` per entry). */
export function needsGradient(flat: FlatGraph, trains: readonly boolean[]): boolean[] {
  const needs = new Array<boolean>(flat.values).fill(false);
  flat.entries.forEach((e, i) => (needs[e.output] = trains[i] || e.inputs.some((v) => needs[v])));
  return needs;
}

/** a += b, elementwise (a gradient reaching a value from a second reader). */
function addInto(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

export async function trainStep(flat: FlatGraph, xs: Tensor[], targets: Targets[], losses: readonly OutputLoss[], needs: readonly boolean[]): Promise<StepResult> {
  const values: Tensor[] = [...xs], fused = new Set(losses.map((l) => l.fusedEntry).filter((i) => i >= 0));
  for (const [i, e] of flat.entries.entries()) {
    const layer = e.layer;
    values[e.output] = layer instanceof Layer ? await layer.forwardAsyncAs(values[e.inputs[0]], fused.has(i)) : await layer.forwardAsync(e.inputs.map((v) => values[v]));
  }
  const dy: (Float32Array | null)[] = new Array(flat.values).fill(null);
  let correct = 0;
  const sumsPerOutput = flat.outputs.map((v, k) => {
    const out = values[v], cols = out.shape[out.shape.length - 1], rows = out.size / cols, l = losses[k];
    const grad = new Float32Array(out.size);
    const sums = lossSums(l.loss, out.data, cols, targets[k], l.fusedEntry >= 0, grad, l.weight / rows);
    if (k === 0) correct = sums.correct;
    if (dy[v]) addInto(dy[v]!, grad);
    else dy[v] = grad;
    return sums.loss;
  });
  const grads: LayerGradients[] = flat.entries.map(() => ({}));
  for (let i = flat.entries.length - 1; i >= 0; i--) {
    const e = flat.entries[i], d = dy[e.output];
    if (!d || !needs[e.output]) continue;
    const gradient = new Tensor(d, values[e.output].shape);
    let dxs: Tensor[];
    if (e.layer instanceof Layer) {
      const hints = fused.has(i) ? { preActivation: true } : { output: values[e.output] };
      const { dx, ...weights } = await e.layer.backwardAsyncWith(values[e.inputs[0]], gradient, hints);
      grads[i] = weights;
      dxs = [dx];
    } else {
      dxs = (await e.layer.backwardAsync(e.inputs.map((v) => values[v]), gradient)).dx;
    }
    e.inputs.forEach((v, k) => {
      if (!needs[v]) return;
      if (dy[v]) addInto(dy[v]!, dxs[k].data);
      else dy[v] = dxs[k].data;
    });
  }
  return { losses: sumsPerOutput, correct, grads };
}
