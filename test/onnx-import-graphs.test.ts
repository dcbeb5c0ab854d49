// Small ONNX graphs that exercise the importer's rewrites and the ops' opset forms, written as
// .onnx bytes and compared with onnxruntime-node on the same bytes (both layouts of the model's
// edges); and the refusals, each naming the node, its op type and the attribute.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ck from '../lib/index';
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor } from '../lib/onnx/graph';
import { forEachBackend } from './helpers/backends';
import { loadOrt, type Ort, ortRun } from './helpers/onnx-ort';
import { encodeOnnx } from './helpers/onnx-writer';
import { randomArray } from './helpers/random';
import { nchwToNhwc, nhwcToNchw } from '../suite/layout';

const node = (opType: string, inputs: string[], outputs: string[], attributes: Record<string, OnnxAttribute> = {}): OnnxNode => ({ name: `${opType}_${outputs[0]}`, opType, inputs, outputs, attributes });
const f32 = (name: string, dims: number[], seed: number, scale = 1, offset = 0): OnnxTensor => ({ name, dims, type: 'float32', data: randomArray(dims.reduce((p, q) => p * q, 1), seed).map((v) => offset + v * scale) });
const i64 = (name: string, data: number[]): OnnxTensor => ({ name, dims: [data.length], type: 'int64', data });
const scalar = (name: string, v: number): OnnxTensor => ({ name, dims: [], type: 'float32', data: Float32Array.of(v) });

function graph(opset: number, nodes: OnnxNode[], initializers: OnnxTensor[], inDims: (number | string)[], outDims: (number | string)[]): OnnxGraph {
  return { name: 'g', opset, nodes, initializers, inputs: [{ name: 'x', type: 'float32', dims: inDims }], outputs: [{ name: 'y', type: 'float32', dims: outDims }] };
}

/** Graphs of several ops each, with the input dims they are run at (batch 2). */
const GRAPHS: Record<string, { g: OnnxGraph; dims: number[] }> = {
  'Pad folded into the Conv after it, Flatten of 4-D before a Gemm (rows permuted), alpha and beta': {
    dims: [2, 3, 7, 6],
    g: graph(13, [
      node('Pad', ['x', 'pads'], ['p']), node('Conv', ['p', 'w', 'b'], ['c'], { kernel_shape: [3, 3], strides: [2, 2] }), node('Relu', ['c'], ['r']),
      node('Flatten', ['r'], ['f']), node('Gemm', ['f', 'gw', 'gb'], ['y'], { alpha: 0.5, beta: 2 }),
    ], [i64('pads', [0, 0, 1, 2, 0, 0, 2, 1]), f32('w', [5, 3, 3, 3], 1, 0.5), f32('b', [5], 2), f32('gw', [5 * 4 * 4, 7], 3, 0.2), f32('gb', [7], 4)], ['N', 3, 7, 6], ['N', 7]),
  },
  'Reshape to [N, C, H*W], Transpose, Softmax over the last axis, MatMul and Add of a constant': {
    dims: [2, 4, 3, 5],
    g: graph(13, [
      node('Conv', ['x', 'w'], ['c'], { kernel_shape: [1, 1] }), node('Reshape', ['c', 'shape'], ['r']), node('Transpose', ['r'], ['t'], { perm: [0, 2, 1] }),
      node('Softmax', ['t'], ['s'], { axis: -1 }), node('MatMul', ['s', 'm'], ['mm']), node('Add', ['mm', 'bias'], ['y']),
    ], [f32('w', [6, 4, 1, 1], 5), i64('shape', [0, 6, -1]), f32('m', [6, 3], 6), f32('bias', [3], 7)], ['N', 4, 3, 5], ['N', 15, 3]),
  },
  'Clip [-0.5, 0.7], PRelu per channel, HardSigmoid and Selu with own constants, Div, Sub from a constant, Mul and Concat of branches': {
    dims: [2, 3, 5, 5],
    g: graph(13, [
      node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
      node('Clip', ['c', 'lo', 'hi'], ['k']), node('PRelu', ['c', 'slope'], ['p']), node('HardSigmoid', ['c'], ['h'], { alpha: 0.3, beta: 0.4 }),
      node('Selu', ['c'], ['s'], { alpha: 1.5, gamma: 1.2 }), node('Div', ['p', 'div'], ['d']), node('Sub', ['one', 'h'], ['u']), node('Mul', ['s', 'k'], ['m']),
      node('Concat', ['k', 'd', 'u', 'm'], ['y'], { axis: 1 }),
    ], [f32('w', [4, 3, 3, 3], 8), f32('b', [4], 9), scalar('lo', -0.5), scalar('hi', 0.7), f32('slope', [4, 1, 1], 10), f32('div', [1, 4, 1, 1], 11, 0.5, 1.5), scalar('one', 1)], ['N', 3, 5, 5], ['N', 16, 5, 5]),
  },
  'Depthwise Conv (multiplier 2), ConvTranspose, AveragePool with ceil_mode, MaxPool SAME_UPPER, Resize nearest (asymmetric, floor), GlobalMaxPool': {
    dims: [2, 3, 9, 8],
    g: graph(13, [
      node('Conv', ['x', 'dw'], ['d'], { group: 3, kernel_shape: [3, 3], strides: [2, 1], pads: [0, 1, 2, 1] }), node('Sigmoid', ['d'], ['s']),
      node('ConvTranspose', ['s', 'tw', 'tb'], ['t'], { strides: [2, 2], pads: [1, 0, 0, 1] }),
      node('AveragePool', ['t'], ['a'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
      node('MaxPool', ['a'], ['m'], { kernel_shape: [2, 3], auto_pad: 'SAME_UPPER' }),
      node('Resize', ['m', '', 'scales'], ['r'], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }),
      node('GlobalMaxPool', ['r'], ['g']), node('Add', ['g', 'r'], ['y']),
    ], [f32('dw', [6, 1, 3, 3], 12), f32('tw', [6, 4, 3, 3], 13, 0.5), f32('tb', [4], 14), { name: 'scales', dims: [4], type: 'float32', data: Float32Array.of(1, 1, 2, 3) }], ['N', 3, 9, 8], ['N', 4, 10, 24]),
  },
  'opset 9: Clip and Pad attributes, Upsample scales input, BatchNormalization, Dropout, Softmax over the flattened axes, Squeeze of axes': {
    dims: [2, 2, 4, 4],
    g: graph(9, [
      node('Pad', ['x'], ['p'], { pads: [0, 0, 1, 1, 0, 0, 1, 1] }), node('Conv', ['p', 'w'], ['c'], { kernel_shape: [3, 3] }),
      node('BatchNormalization', ['c', 'g', 'be', 'mu', 'var'], ['n'], { epsilon: 1e-3 }), node('Clip', ['n'], ['k'], { min: 0, max: 6 }), node('Dropout', ['k'], ['dr'], { ratio: 0.5 }),
      node('Upsample', ['dr', 'sc'], ['u'], { mode: 'nearest' }), node('GlobalAveragePool', ['u'], ['gp']), node('Squeeze', ['gp'], ['sq'], { axes: [2, 3] }),
      node('Softmax', ['sq'], ['y'], { axis: 1 }),
    ], [f32('w', [3, 2, 3, 3], 15), f32('g', [3], 16, 0.2, 1), f32('be', [3], 17), f32('mu', [3], 18), f32('var', [3], 19, 0.3, 1), { name: 'sc', dims: [4], type: 'float32', data: Float32Array.of(1, 1, 2, 2) }], ['N', 2, 4, 4], ['N', 3]),
  },
  'grouped Conv (2 groups of 3 channels, 4 filters each) after a depthwise one, LeakyRelu, Elu': {
    dims: [2, 6, 7, 5],
    g: graph(13, [
      node('Conv', ['x', 'dw', 'db'], ['d'], { group: 6, kernel_shape: [3, 3], pads: [1, 1, 1, 1] }), node('LeakyRelu', ['d'], ['l'], { alpha: 0.2 }),
      node('Conv', ['l', 'gw', 'gb'], ['g'], { group: 2, kernel_shape: [3, 3], strides: [2, 1] }), node('Elu', ['g'], ['y'], { alpha: 0.7 }),
    ], [f32('dw', [6, 1, 3, 3], 28), f32('db', [6], 29), f32('gw', [8, 3, 3, 3], 30, 0.4), f32('gb', [8], 31)], ['N', 6, 7, 5], ['N', 8, 3, 3]),
  },
  'opset 11: Resize by sizes (linear, pytorch_half_pixel), Transpose to NHWC, Shape -> Slice -> Concat -> Reshape, Gemm with transB': {
    dims: [2, 2, 4, 3],
    g: graph(11, [
      node('Resize', ['x', 'roi', 'noscales', 'sizes'], ['r'], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }),
      node('Conv', ['r', 'w', 'b'], ['c'], { kernel_shape: [1, 1] }), node('Transpose', ['c'], ['t'], { perm: [0, 2, 3, 1] }),
      node('Shape', ['t'], ['sh']), node('Slice', ['sh', 'zero', 'one'], ['n']), node('Concat', ['n', 'minus1'], ['target'], { axis: 0 }),
      node('Reshape', ['t', 'target'], ['f']), node('Gemm', ['f', 'gw'], ['y'], { transB: 1 }),
    ], [{ name: 'roi', dims: [0], type: 'float32', data: new Float32Array(0) }, { name: 'noscales', dims: [0], type: 'float32', data: new Float32Array(0) }, i64('sizes', [2, 2, 8, 6]),
      f32('w', [3, 2, 1, 1], 25), f32('b', [3], 26), i64('zero', [0]), i64('one', [1]), i64('minus1', [-1]), f32('gw', [5, 8 * 6 * 3], 27, 0.1)], [2, 2, 4, 3], [2, 5]),
  },
};

forEachBackend('ONNX import: graphs against onnxruntime-node', () => {
  let ort: Ort | string;
  before(() => {
    ort = loadOrt();
  });
  for (const [title, { g, dims }] of Object.entries(GRAPHS)) {
    it(title, async function () {
      if (typeof ort === 'string') {
        console.log(`      skipped: ${ort}`);
        this.skip();
      }
      const bytes = encodeOnnx(g), x = randomArray(dims.reduce((p, q) => p * q, 1), 20);
      const want = await ortRun(ort, bytes, 'x', x, dims);
      const [n, c, h, w] = dims;
      for (const layout of ['nhwc', 'nchw'] as const) {
        const model = await ck.loadModel(bytes, { layout }) as ck.Model;
        const input = layout === 'nhwc' ? new ck.Tensor(nchwToNhwc(x, dims), [n, h, w, c]) : new ck.Tensor(x, dims);
        const y = model.forward(input) as ck.Tensor;
        const nchw = want.dims.length === 4 && layout === 'nhwc';
        const got = nchw ? nhwcToNchw(y.data, y.shape as number[]) : y.data;
        expect(nchw ? [y.shape[0], y.shape[3], y.shape[1], y.shape[2]] : y.shape).to.deep.equal(want.dims);
        // A few float32 roundings apart (sums of at most 27 products): 1e-5 relative, 1e-6 absolute.
        got.forEach((v, i) => {
          if (!(Math.abs(v - want.data[i]) <= 1e-6 + 1e-5 * Math.abs(want.data[i]))) expect.fail(`${layout} [${i}]: ${v}, onnxruntime ${want.data[i]}`);
        });
        if (title.startsWith('Pad')) expect(model.layers.some((l) => l instanceof ck.ZeroPadding2D), 'a ZeroPadding2D left').to.equal(false);
      }
    });
  }
});

/** A one-Conv graph with these changes. */
function convGraph(change: { w?: OnnxTensor; attrs?: Record<string, OnnxAttribute>; inDims?: (number | string)[]; inType?: string; op?: string } = {}): OnnxGraph {
  const g = graph(13, [node(change.op ?? 'Conv', ['x', 'w'], ['y'], { kernel_shape: [3, 3], ...change.attrs })], [change.w ?? f32('w', [4, 2, 3, 3], 21)], change.inDims ?? ['N', 2, 6, 6], ['N', 4, 4, 4]);
  g.inputs[0].type = change.inType ?? 'float32';
  return g;
}

describe('ONNX import: refusals and sources', () => {
  const refused = (g: OnnxGraph, pattern: RegExp) => ck.loadModel(encodeOnnx(g)).then(() => expect.fail('loaded'), (e: Error) => expect(e.message).to.match(pattern));

  it('refuses an op it does not import, naming the node and its op type', () =>
    refused(convGraph({ op: 'LpPool' }), /ONNX node 'LpPool_y' \(LpPool\): convkit does not import this op/));
  it('refuses a group that does not split the channels, naming the attribute', () =>
    refused(convGraph({ w: f32('w', [4, 2, 3, 3], 22), attrs: { group: 3 }, inDims: ['N', 6, 6, 6] }), /ONNX node 'Conv_y' \(Conv\), attribute group: 3 groups with W of 2 input channels for an input of 6/));
  it('refuses float16 weights and an int64 input', async () => {
    await refused(convGraph({ w: { name: 'w', dims: [4, 2, 3, 3], type: 'float16', data: null } }), /input 1 \(W, 'w'\) is float16: convkit computes in float32/);
    await refused(convGraph({ inType: 'int64' }), /ONNX graph input 'x' is int64/);
  });
  it('refuses AveragePool ceil_mode past the pads with count_include_pad', () =>
    refused(convGraph({ op: 'AveragePool', attrs: { ceil_mode: 1, count_include_pad: 1, strides: [2, 2] } }), /\(AveragePool\), attribute ceil_mode/));
  it('refuses symbolic image dims unless inputShapes gives them', async () => {
    const g = convGraph({ inDims: ['N', 2, 'height', 'width'] });
    await refused(g, /dim 2 is 'height'.*inputShapes/);
    const m = await ck.loadModel(encodeOnnx(g), { inputShapes: { x: [1, 2, 6, 6] } }) as ck.Model;
    expect(m.inputs[0].shape).to.deep.equal([6, 6, 2]);
    await ck.loadModel(encodeOnnx(g), { inputShapes: { x: [1, 2, 0, 6] } }).then(() => expect.fail('loaded'), (e: Error) => expect(e.message).to.match(/Expected array of positive integers for inputShapes\['x'\]/));
  });
  it('reads several inputs and outputs, in the file\'s order', async () => {
    const g = graph(13, [node('Add', ['x', 'z'], ['y']), node('Relu', ['z'], ['r'])], [], ['N', 3], ['N', 3]);
    g.inputs.push({ name: 'z', type: 'float32', dims: ['N', 3] });
    g.outputs.push({ name: 'r', type: 'float32', dims: ['N', 3] });
    const m = await ck.loadModel(encodeOnnx(g)) as ck.Model;
    const x = randomArray(6, 32), z = randomArray(6, 33);
    const [y, r] = m.forward([new ck.Tensor(x, [2, 3]), new ck.Tensor(z, [2, 3])]) as ck.Tensor[];
    expect(Array.from(y.data)).to.deep.equal(Array.from(x, (v, i) => Math.fround(v + z[i])));
    expect(Array.from(r.data)).to.deep.equal(Array.from(z, (v) => Math.max(v, 0)));
  });
  it('refuses bytes that are no ONNX model, and options it does not know', async () => {
    await ck.loadModel(new Uint8Array([1, 2, 3, 4, 5])).then(() => expect.fail('loaded'), (e: Error) => expect(e.message).to.match(/Expected an ONNX model/));
    await ck.loadModel(encodeOnnx(convGraph()), { layout: 'ncwh' as 'nchw' }).then(() => expect.fail('loaded'), (e: Error) => expect(e.message).to.match(/layout/));
  });
  it('reads external data beside the file, and refuses it when missing or given as bytes', async () => {
    const w = f32('w', [4, 2, 3, 3], 23), dir = mkdtempSync(join(tmpdir(), 'convkit-onnx-ext-'));
    const external = convGraph({ w: { ...w, data: null, external: { location: 'weights.bin', offset: 8, length: 4 * 72 } } });
    writeFileSync(join(dir, 'model.onnx'), encodeOnnx(external));
    await ck.loadModel(join(dir, 'model.onnx')).then(() => expect.fail('loaded'), (e: Error) => expect(e.message).to.match(/tensor 'w' is stored in the external file 'weights.bin', which is missing/));
    await ck.loadModel(encodeOnnx(external)).then(() => expect.fail('loaded'), (e: Error) => expect(e.message).to.match(/cannot be read from ONNX bytes: load the .onnx file by its path/));
    const data = w.data as Float32Array;
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array([...new Uint8Array(8), ...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]));
    const x = new ck.Tensor(randomArray(2 * 6 * 6 * 2, 24), [2, 6, 6, 2]);
    const a = (await ck.loadModel(join(dir, 'model.onnx')) as ck.Model).forward(x) as ck.Tensor, b = (await ck.loadModel(encodeOnnx(convGraph({ w }))) as ck.Model).forward(x) as ck.Tensor;
    expect(Array.from(a.data)).to.deep.equal(Array.from(b.data));
  });
});
