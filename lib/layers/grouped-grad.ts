// The backward of a grouped Conv2D: the backend's Conv2D backward on the block-diagonal kernel of
// the same convolution (one backend call; the zero blocks add exact zeros to dx, and dW's blocks
// off the diagonal are dropped), so it costs `groups` times a grouped backward's multiply-adds.
import type { Backend, Conv2DGradParams, WeightedGrads } from '../backends/backend';
import type { GradCall, Gradients } from '../grad/gradients';
import { Tensor } from '../tensor';
import { blockDiagonal, type GroupedShape } from './grouped-kernel';

export function groupedGradCall(b: Backend, x: Tensor, dy: Tensor, kernel: Float32Array, bias: Float32Array | null, s: GroupedShape, p: Conv2DGradParams): GradCall {
  const dense = blockDiagonal(kernel, s);
  const wrap = (g: WeightedGrads): Gradients => {
    const dx = new Tensor(g.dx, x.shape), dw = blockDiagonal(g.dw, s, true);
    return g.db ? { dx, kernel: dw, bias: g.db } : { dx, kernel: dw };
  };
  const forward = () => ({ packed: b.packWeights(dense, { k: s.taps * s.depth * s.groups, n: s.filters }), bias });
  return {
    sync: (y) => {
      const f = forward();
      try {
        return wrap(b.conv2dBackward(x.data, dy.data, y, dense, p, f));
      } finally {
        b.release(f.packed);
      }
    },
    async: (y) => {
      const f = forward();
      return b.conv2dBackwardAsync(x.data, dy.data, y, dense, p, f).then(wrap).finally(() => b.release(f.packed));
    },
  };
}
