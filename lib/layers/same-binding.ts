// Whether a layer's kept operator still serves a step: the same op bound to the same weights,
// bias and attributes (the geometry is the reshape's, not the binding's).
import type { Step } from '../backends/backend';

/** Whether two steps bind the same weights, bias and attributes (an operator serves both). */
export function sameBinding(a: Step | null, b: Step | null): boolean {
  if (a === null || b === null || a.op !== b.op) return a === b;
  if (a.op === 'maxpool2d' || a.op === 'permute') return true;
  if (a.op === 'upsampling2d') return a.params.bilinear === (b as typeof a).params.bilinear;
  if (a.op === 'pad2d') return true;
  if (a.op === 'avgpool2d') return a.params.countIncludePad === (b as typeof a).params.countIncludePad;
  if (a.op === 'batchNorm') return a.scaleShift === (b as typeof a).scaleShift && a.params.activation === (b as typeof a).params.activation;
  if (a.op === 'activation') {
    const p = a.params, q = (b as typeof a).params;
    return p.activation === q.activation && p.alpha === q.alpha && p.maxValue === q.maxValue && p.threshold === q.threshold;
  }
  if (a.op === 'concat') return true;
  if (a.op === 'prelu') return a.alpha === (b as typeof a).alpha;
  if (a.op === 'separable2d') return sameBinding(a.depthwise, (b as typeof a).depthwise) && sameBinding(a.pointwise, (b as typeof a).pointwise);
  if (a.op === 'merge') return a.params.mode === (b as typeof a).params.mode && a.params.divisor === (b as typeof a).params.divisor;
  const q = b as typeof a;
  return a.packed === q.packed && a.bias === q.bias && a.params.activation === q.params.activation && (a.params as { direct?: boolean }).direct === (q.params as { direct?: boolean }).direct;
}
