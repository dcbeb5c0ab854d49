// The fold of a BatchNormalization into the convolution before it takes a clamp ReLU after it
// too (relu6, ReLU(maxValue 6), plain ReLU: no node of its own, as MobileNetV2's ReLU(6)): the
// result has the bits of the BatchNormalization carrying that activation itself (the same
// fold), is within float32 rounding of every layer run as its own op, on both backends and
// thread counts; a ReLU with a slope or a threshold, or a BatchNormalization read twice, is left as it is.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { forEachBackend, forEachThreadCount } from './helpers/backends';
import { randomArray } from './helpers/random';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

const C = 7;
const bnWeights = (seed: number, activation: ck.ActivationName = 'linear') => new ck.BatchNormalization({
  activation, gamma: randomArray(C, seed).map((v) => 1 + v), beta: randomArray(C, seed + 1), movingMean: randomArray(C, seed + 2),
  movingVariance: randomArray(C, seed + 3).map((v) => 1 + v / 2),
});

/**
 * conv 3x3 -> BN -> act1, depthwise 3x3 -> BN -> act2, conv 1x1 -> BN -> act3, where act is a ReLU
 * layer (`inBn` false) or the BatchNormalization's own activation (`inBn` true).
 */
function build(acts: ck.ReLUOptions[], inBn: boolean, rewrites?: ck.RewriteOptions) {
  const x = ck.input({ shape: [9, 11, 5] });
  const code = (o: ck.ReLUOptions): ck.ActivationName => (o.maxValue === 6 ? 'relu6' : 'relu');
  const layers = [
    new ck.Conv2D({ filters: C, kernelSize: 3, padding: 'same', useBias: false, kernel: randomArray(9 * 5 * C, 1).map((v) => v * 3) }),
    new ck.DepthwiseConv2D({ kernelSize: 3, padding: 'same', useBias: false, kernel: randomArray(9 * C, 2).map((v) => v * 3) }),
    new ck.Conv2D({ filters: C, kernelSize: 1, useBias: false, kernel: randomArray(C * C, 3).map((v) => v * 3) }),
  ];
  let y: ck.SymbolicTensor = x;
  layers.forEach((l, i) => {
    y = (inBn ? bnWeights(10 * i, code(acts[i])) : bnWeights(10 * i)).apply(l.apply(y));
    if (!inBn) y = new ck.ReLU(acts[i]).apply(y);
  });
  return ck.model({ inputs: x, outputs: y, rewrites });
}

/** Nodes the model's graph runs (its compiled bindings that are not folded away). */
const nodeCount = (m: ck.Model): number => (m as unknown as { compiled: { bound: unknown[] } }).compiled.bound.filter(Boolean).length;

forEachBackend('BatchNormalization folds with the clamp ReLU after it', () => {
  const x = new ck.Tensor(randomArray(3 * 9 * 11 * 5, 4), [3, 9, 11, 5]);
  const clamps: ck.ReLUOptions[] = [{ maxValue: 6 }, {}, { maxValue: 6 }];

  it('relu6 and ReLU run in the folded layer: the bits of the BatchNormalization with that activation, 1 and 2 threads', () => {
    const fused = build(clamps, false), reference = build(clamps, true);
    let first: number[] = [];
    forEachThreadCount((threads) => {
      const y = bits((fused.forward(x) as ck.Tensor).data);
      expect(y).to.deep.equal(bits((reference.forward(x) as ck.Tensor).data));
      if (threads === 1) first = y;
      else expect(y).to.deep.equal(first);
    });
    // 3 convolutions; the BatchNormalizations and ReLUs run no node.
    expect(nodeCount(fused)).to.equal(3);
    const y = (fused.forward(x) as ck.Tensor).data;
    expect(y.some((v) => v === 6) && y.some((v) => v === 0), 'the clamps bite').to.equal(true);
    // Every layer its own op: within the fold's rounding (a few ulps of the terms, which are at most 6 * |w| * 45 here).
    const unfolded = (build(clamps, false, { foldBatchNorm: false }).forward(x) as ck.Tensor).data;
    y.forEach((v, i) => expect(Math.abs(v - unfolded[i]), `at ${i}`).to.be.at.most(1e-4));
  });

  it('a ReLU with a slope, a threshold or another maxValue runs as its own node, and gives the unfused bits', () => {
    const others: ck.ReLUOptions[] = [{ negativeSlope: 0.1 }, { threshold: 0.5 }, { maxValue: 4 }];
    const model = build(others, false);
    const y = (model.forward(x) as ck.Tensor).data;
    expect(nodeCount(model)).to.equal(6);
    const unfolded = (build(others, false, { foldBatchNorm: false }).forward(x) as ck.Tensor).data;
    y.forEach((v, i) => expect(Math.abs(v - unfolded[i]), `at ${i}`).to.be.at.most(1e-4));
  });

  it('a BatchNormalization read by the ReLU and another layer keeps its value: the ReLU runs as its own node', () => {
    const x0 = ck.input({ shape: [9, 11, 5] });
    const conv = new ck.Conv2D({ filters: C, kernelSize: 3, padding: 'same', kernel: randomArray(9 * 5 * C, 5) });
    const bn = bnWeights(20).apply(conv.apply(x0));
    const sum = new ck.Add().apply([new ck.ReLU({ maxValue: 6 }).apply(bn), bn]);
    const model = ck.model({ inputs: x0, outputs: sum });
    const want = (ck.model({ inputs: x0, outputs: sum, rewrites: { foldBatchNorm: false } }).forward(x) as ck.Tensor).data;
    const y = (model.forward(x) as ck.Tensor).data;
    y.forEach((v, i) => expect(Math.abs(v - want[i]), `at ${i}`).to.be.at.most(1e-4));
    // The convolution (the BatchNormalization folded in) and the ReLU; the Add is a merge, bound apart.
    expect(nodeCount(model)).to.equal(2);
  });
});
