// The configurations of the tutorial convkit started from (../shared/seed), each checked against
// the float64 reference. Two of its bugs must not be reproduced: the batched output has height
// out_height (not out_width), and row (b, y, x) of the im2col matrix is b*outH*outW + y*outW + x.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { resolveWindow } from '../lib/shape';
import { expectClose, expectExact } from './helpers/assert';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { conv2dRef, denseRef, maxpool2dRef } from '../suite/reference';

function conv(shape: number[], filters: number, k: number, stride: number, padding: ck.Padding, bias: boolean, relu: boolean, seed: number): ck.Tensor {
  const [n, h, w, c] = shape;
  const x = randomArray(n * h * w * c, seed), kernel = randomArray(k * k * c * filters, seed + 1);
  const b = bias ? randomArray(filters, seed + 2) : null;
  const layer = new ck.Conv2D({ filters, kernelSize: k, strides: stride, padding, activation: relu ? 'relu' : 'linear', useBias: bias, kernel, ...(b ? { bias: b } : {}) });
  const y = layer.forward(new ck.Tensor(x, shape));
  const expected = conv2dRef(x, shape, kernel, filters, resolveWindow([k, k], [stride, stride], [1, 1], padding, h, w), b, relu ? 'relu' : 'linear');
  expect(y.shape).to.deep.equal(expected.shape);
  expectClose(y.data, expected, k * k * c);
  return y;
}

forEachBackend('the tutorial configurations', () => {
  it('32x48 single channel, 3x3 kernel, zero padding 1: output 32x48', () => {
    const y = conv([1, 32, 48, 1], 1, 3, 1, [1, 1, 1, 1], false, false, 11);
    expect(y.shape).to.deep.equal([1, 32, 48, 1]);
  });

  it('32x48x12 -> 24 filters 3x3 with bias', () => {
    expect(conv([1, 32, 48, 12], 24, 3, 1, 'same', true, false, 12).shape).to.deep.equal([1, 32, 48, 24]);
  });

  it('the same with stride 2 and pad 1: output 16x24', () => {
    expect(conv([1, 32, 48, 12], 24, 3, 2, [1, 1, 1, 1], true, false, 13).shape).to.deep.equal([1, 16, 24, 24]);
  });

  it('batch 8 of 32x48x16 -> 32 filters 3x3 + ReLU: [8, 32, 48, 32], height 32 not the width', () => {
    expect(conv([8, 32, 48, 16], 32, 3, 1, 'same', true, true, 14).shape).to.deep.equal([8, 32, 48, 32]);
  });

  it('max-pool 2x2 stride 2 of 8x32x48x16: [8, 16, 24, 16]', () => {
    const x = randomArray(8 * 32 * 48 * 16, 15);
    const y = new ck.MaxPool2D({ poolSize: 2, strides: 2 }).forward(new ck.Tensor(x, [8, 32, 48, 16]));
    expect(y.shape).to.deep.equal([8, 16, 24, 16]);
    expectExact(y.data, maxpool2dRef(x, [8, 32, 48, 16], resolveWindow([2, 2], [2, 2], [1, 1], 'valid', 32, 48)).data);
  });

  it('dense 8 x (32*48*16) -> 32 + ReLU, flattening NHWC', () => {
    const k = 32 * 48 * 16;
    const x = randomArray(8 * k, 16), kernel = randomArray(k * 32, 17), bias = randomArray(32, 18);
    const y = new ck.Dense({ units: 32, activation: 'relu', kernel, bias }).forward(new ck.Tensor(x, [8, 32, 48, 16]));
    expect(y.shape).to.deep.equal([8, 32]);
    expectClose(y.data, denseRef(x, 8, k, kernel, 32, bias, 'relu'), k);
  });
});
