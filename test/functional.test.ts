// The functional model API (ck.input, layer.apply, ck.model): a graph runs as one backend call
// and gives the bits of running its layers one by one; forwardAsync and predict agree; the
// BatchNormalization fold is within float32 rounding of the unfolded graph; bad graphs and bad
// inputs are refused with errors that name what is wrong.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A residual block with a squeeze-and-excite gate and two outputs, and its layers to run by hand. */
function build(seed: number) {
  const x = ck.input({ shape: [6, 5, 3], name: 'image' });
  const conv = new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', kernel: randomArray(3 * 3 * 3 * 4, seed), bias: randomArray(4, seed + 1) });
  const bn = new ck.BatchNormalization({ gamma: randomArray(4, seed + 2), beta: randomArray(4, seed + 3), movingMean: randomArray(4, seed + 4), movingVariance: randomArray(4, seed + 5).map((v) => 1 + v / 2) });
  const relu = new ck.ReLU({ maxValue: 6 });
  const proj = new ck.Conv2D({ filters: 4, kernelSize: 1, kernel: randomArray(3 * 4, seed + 6), bias: randomArray(4, seed + 7) });
  const add = new ck.Add({ name: 'sum' });
  const pool = new ck.GlobalAveragePooling2D({ keepdims: true });
  const gate = new ck.Dense({ units: 4, activation: 'sigmoid', kernel: randomArray(16, seed + 8), bias: randomArray(4, seed + 9) });
  const reshape = new ck.Reshape({ targetShape: [1, 1, 4] });
  const mul = new ck.Multiply();
  const flat = new ck.Flatten();
  const head = new ck.Dense({ units: 3, activation: 'softmax', kernel: randomArray(6 * 5 * 4 * 3, seed + 10), name: 'head' });
  const y = relu.apply(bn.apply(conv.apply(x)));
  const s = add.apply([y, proj.apply(x)]);
  const g = reshape.apply(gate.apply(new ck.Flatten().apply(pool.apply(s))));
  const m = mul.apply([s, g]);
  const out = head.apply(flat.apply(m));
  const model = ck.model({ inputs: x, outputs: [out, s], name: 'block' });
  const byHand = (t: ck.Tensor): ck.Tensor[] => {
    const yy = relu.forward(bn.forward(conv.forward(t)));
    const ss = add.forward([yy, proj.forward(t)]);
    const gg = reshape.forward(gate.forward(pool.forward(ss).reshape([t.shape[0], 4])));
    return [head.forward(flat.forward(mul.forward([ss, gg]))), ss];
  };
  return { model, byHand };
}

forEachBackend('functional models', () => {
  it('forward is one graph with the bits of its layers run one by one (a BatchNormalization folded only where rounding allows)', () => {
    const { model, byHand } = build(11);
    const x = new ck.Tensor(randomArray(2 * 6 * 5 * 3, 12), [2, 6, 5, 3]);
    const got = model.forward(x) as ck.Tensor[];
    const want = byHand(x);
    expect(got.map((t) => t.shape)).to.deep.equal([[2, 3], [2, 6, 5, 4]]);
    // The conv's output is read by the BatchNormalization alone: folded, so within rounding of the layers' own.
    got.forEach((t, i) => t.data.forEach((v, k) => expect(Math.abs(v - want[i].data[k])).to.be.at.most(1e-5 * (1 + Math.abs(want[i].data[k])))));
    const unfolded = ck.model({ inputs: model.inputs[0], outputs: [...model.outputs], rewrites: { foldBatchNorm: false } });
    (unfolded.forward(x) as ck.Tensor[]).forEach((t, i) => expect(bits(t.data)).to.deep.equal(bits(want[i].data)));
  });

  it('activation layers run in the epilogue of the linear layer before them, with the bits of running them apart', () => {
    const x = ck.input({ shape: [7, 6, 3] });
    let y = new ck.ReLU({ maxValue: 6 }).apply(new ck.Conv2D({ filters: 5, kernelSize: 3, kernel: randomArray(3 * 3 * 3 * 5, 71), bias: randomArray(5, 72) }).apply(x));
    y = new ck.LeakyReLU().apply(new ck.DepthwiseConv2D({ kernelSize: 3, padding: 'same', kernel: randomArray(3 * 3 * 5, 73) }).apply(y));
    y = new ck.ActivationLayer({ activation: 'sigmoid' }).apply(new ck.Conv2D({ filters: 4, kernelSize: 1, kernel: randomArray(5 * 4, 74) }).apply(y));
    const out = new ck.Softmax().apply(new ck.Dense({ units: 3, kernel: randomArray(5 * 4 * 4 * 3, 75) }).apply(new ck.Flatten().apply(y)));
    const fused = ck.model({ inputs: x, outputs: out }), apart = ck.model({ inputs: x, outputs: out, rewrites: { fuseActivations: false } });
    const t = new ck.Tensor(randomArray(3 * 7 * 6 * 3, 76), [3, 7, 6, 3]);
    expect(bits((fused.forward(t) as ck.Tensor).data)).to.deep.equal(bits((apart.forward(t) as ck.Tensor).data));
    expect(fused.planned([[3, 7, 6, 3]]).nodes).to.equal(apart.planned([[3, 7, 6, 3]]).nodes - 3); // all but the LeakyReLU of slope 0.3
  });

  it('a forward after new weights (a folded BatchNormalization\'s too) computes with them', () => {
    const { model, byHand } = build(81);
    const x = new ck.Tensor(randomArray(2 * 6 * 5 * 3, 82), [2, 6, 5, 3]);
    model.forward(x);
    const bn = model.layers[1] as ck.BatchNormalization;
    bn.setWeights({ beta: randomArray(4, 83) });
    (model.getLayer('head') as ck.Dense).setWeights({ bias: randomArray(3, 84) });
    const got = model.forward(x) as ck.Tensor[], want = byHand(x);
    got.forEach((t, i) => t.data.forEach((v, k) => expect(Math.abs(v - want[i].data[k])).to.be.at.most(1e-5 * (1 + Math.abs(want[i].data[k])))));
  });

  it('a ZeroPadding2D runs as the pads of the valid Conv2D or DepthwiseConv2D after it, with the values of running it apart', () => {
    const x = ck.input({ shape: [9, 8, 4] });
    let y = new ck.Conv2D({ filters: 6, kernelSize: 3, kernel: randomArray(3 * 3 * 4 * 6, 91), bias: randomArray(6, 92) }).apply(new ck.ZeroPadding2D({ padding: [[1, 2], [0, 1]] }).apply(x));
    y = new ck.DepthwiseConv2D({ kernelSize: 3, strides: 2, kernel: randomArray(3 * 3 * 6, 93) }).apply(new ck.ZeroPadding2D({ padding: [[0, 1], [0, 1]] }).apply(y));
    const kept = new ck.ZeroPadding2D({ padding: 1 }).apply(y); // a model output: stays
    const out = new ck.Conv2D({ filters: 2, kernelSize: 3, padding: 'same', kernel: randomArray(3 * 3 * 6 * 2, 94) }).apply(new ck.ZeroPadding2D({ padding: 1 }).apply(kept));
    const folded = ck.model({ inputs: x, outputs: [out, kept] }), apart = ck.model({ inputs: x, outputs: [out, kept], rewrites: { foldPadding: false } });
    const t = new ck.Tensor(randomArray(2 * 9 * 8 * 4, 95), [2, 9, 8, 4]);
    const a = folded.forward(t) as ck.Tensor[], b = apart.forward(t) as ck.Tensor[];
    a.forEach((o, i) => o.data.forEach((v, k) => expect(v, `output ${i} [${k}]`).to.equal(b[i].data[k])));
    expect(folded.planned([[2, 9, 8, 4]]).nodes).to.equal(apart.planned([[2, 9, 8, 4]]).nodes - 2); // not the one before the 'same' Conv2D
  });

  it('forwardAsync and predict give forward\'s bits', async () => {
    const { model } = build(21);
    const x = new ck.Tensor(randomArray(5 * 6 * 5 * 3, 22), [5, 6, 5, 3]);
    const sync = model.forward(x) as ck.Tensor[];
    const async = (await model.forwardAsync(x)) as ck.Tensor[];
    sync.forEach((t, i) => expect(bits(async[i].data)).to.deep.equal(bits(t.data)));
    const predicted = model.predict(x, { batchSize: 5 }) as ck.Tensor[];
    sync.forEach((t, i) => expect(bits(predicted[i].data)).to.deep.equal(bits(t.data)));
    const batched = model.predict(x, { batchSize: 2 }) as ck.Tensor[];
    expect(batched.map((t) => t.shape)).to.deep.equal(sync.map((t) => t.shape));
  });

  it('runs nested models and Sequentials as one graph, and a model whose output is its input', () => {
    const { model } = build(31);
    const x = ck.input({ shape: [6, 5, 3] });
    const [cls] = model.apply(x) as ck.SymbolicTensor[];
    const tail = new ck.Sequential([new ck.Dense({ units: 2, kernel: randomArray(6, 32) })]);
    const outer = ck.model({ inputs: x, outputs: [tail.apply(cls), x] });
    const t = new ck.Tensor(randomArray(2 * 6 * 5 * 3, 33), [2, 6, 5, 3]);
    const [y, same] = outer.forward(t) as ck.Tensor[];
    const want = tail.forward((model.forward(t) as ck.Tensor[])[0]);
    expect(bits(y.data)).to.deep.equal(bits(want.data));
    expect(Array.from(same.data)).to.deep.equal(Array.from(t.data));
    expect(same.data).not.to.equal(t.data);
  });

  it('saves as a Keras functional topology that loadModel reads back to the same bits', async () => {
    const { model } = build(41);
    const x = new ck.Tensor(randomArray(2 * 6 * 5 * 3, 42), [2, 6, 5, 3]);
    const loaded = await ck.loadModel(model.toArtifacts());
    expect(loaded).to.be.instanceOf(ck.Model);
    expect((loaded as ck.Model).getLayer('head')).to.be.instanceOf(ck.Dense);
    const a = model.forward(x) as ck.Tensor[], b = (loaded as ck.Model).forward(x) as ck.Tensor[];
    a.forEach((t, i) => expect(bits(b[i].data)).to.deep.equal(bits(t.data)));
  });
});

describe('functional models: structure and refusals', () => {
  it('summary prints each layer, the total of parameters and the planned arena', () => {
    const { model } = build(51);
    const lines: string[] = [];
    model.summary((l) => lines.push(l));
    expect(lines[0]).to.equal('Model: "block"');
    expect(lines.some((l) => l.startsWith('sum (Add)') && l.includes('[null, 6, 5, 4]'))).to.equal(true);
    const total = Object.values(model.getWeights()).reduce((n, w) => n + Object.values(w).reduce((k, a) => k + (a ? a.length : 0), 0), 0);
    expect(lines).to.include(`Total params: ${total}`);
    expect(lines.find((l) => l.startsWith('Intermediate values (arena):'))).to.match(/KiB for one sample$/);
  });

  it('finds layers and sets weights by name', () => {
    const { model } = build(61);
    const head = model.getLayer('head') as ck.Dense;
    const kernel = new Float32Array(head.getWeights().kernel!.length).fill(0.5);
    model.setWeights({ head: { kernel } });
    expect(Array.from(model.getWeights().head.kernel!)).to.deep.equal(Array.from(kernel));
    expect(() => model.getLayer('nope')).to.throw(RangeError, /^Expected the name of a layer of model 'block' but received 'nope'/);
  });

  it('refuses a layer applied twice, inputs that are not ck.input, and outputs that need another input', () => {
    const x = ck.input({ shape: [4] }), other = ck.input({ shape: [4], name: 'other' });
    const d = new ck.Dense({ units: 4, name: 'shared' });
    const y = d.apply(x);
    expect(() => d.apply(y)).to.throw(RangeError, /^Layer 'shared' is already applied/);
    expect(() => ck.model({ inputs: y, outputs: y })).to.throw(TypeError, /^Expected the model's inputs to come from ck.input/);
    const z = new ck.Add().apply([y, other]);
    expect(() => ck.model({ inputs: x, outputs: z })).to.throw(RangeError, /need input 'other', which is not one of them/);
    expect(() => new ck.Dense({ units: 2 }).apply(3 as never)).to.throw(TypeError, /^Expected SymbolicTensor/);
    expect(() => ck.input({ shape: [0, 3] })).to.throw(TypeError, /for shape/);
    expect(() => ck.model({ inputs: x, outputs: y, rewrite: {} } as never)).to.throw(RangeError, /'rewrite'/);
  });

  it('refuses inputs of the wrong shape, count or batch', () => {
    const a = ck.input({ shape: [3] }), b = ck.input({ shape: [3] });
    const m = ck.model({ inputs: [a, b], outputs: new ck.Add().apply([a, b]) });
    const t = (n: number, k = 3) => new ck.Tensor(new Float32Array(n * k), [n, k]);
    expect(() => m.forward(t(2))).to.throw(TypeError, /an array of 2 Tensors/);
    expect(() => m.forward([t(2), t(2, 4)])).to.throw(RangeError, /of shape \[null, 3\] but received shape \[2, 4\]/);
    expect(() => m.forward([t(2), t(3)])).to.throw(RangeError, /batch size/);
    expect(Array.from((m.forward([t(2), t(2)]) as ck.Tensor).data)).to.deep.equal([0, 0, 0, 0, 0, 0]);
  });
});
