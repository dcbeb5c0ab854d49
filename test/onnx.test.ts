// The official ONNX backend test vectors (test/fixtures/onnx, see its README), run through the
// layers: NCHW inputs transposed to NHWC, OIHW weights to HWIO, outputs transposed back.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { effectiveKernel, samePads } from '../lib/shape';
import { expectExact } from './helpers/assert';
import { forEachBackend } from './helpers/backends';
import { nchwToNhwc, nhwcToNchw, oihwToHwio } from '../suite/layout';

interface OnnxTensor { name: string; dims: number[]; data: number[] }
interface OnnxCase { case: string; op: string; attributes: Record<string, unknown>; inputs: OnnxTensor[]; outputs: OnnxTensor[] }

const DIR = join(__dirname, 'fixtures', 'onnx');
const CASES: OnnxCase[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')))
  .filter((t: OnnxCase) => !['ConvTranspose', 'Resize', 'Upsample'].includes(t.op)); // onnx-resample.test.ts

const f32 = (t: OnnxTensor) => Float32Array.from(t.data);

/** A layer's NHWC output as ONNX's NCHW data and dims. */
function toNchw(t: ck.Tensor): { data: Float32Array; dims: number[] } {
  const [n, h, w, c] = t.shape;
  return { data: nhwcToNchw(t.data, [n, h, w, c]), dims: [n, c, h, w] };
}

const pairOf = (v: unknown, dflt: number): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [dflt, dflt]);

/** ONNX padding (pads [top, left, bottom, right] or auto_pad) as convkit's padding option. */
function padding(a: Record<string, unknown>, h: number, w: number, k: [number, number], s: [number, number], d: [number, number]): ck.Padding {
  const auto = (a.auto_pad as string | undefined) ?? 'NOTSET';
  if (auto === 'VALID') return 'valid';
  if (auto === 'SAME_UPPER') return 'same';
  if (auto === 'SAME_LOWER') {
    // 'same' with the odd cell at the beginning (SAME_UPPER, convkit's 'same', puts it at the end).
    const split = (size: number, i: number) => samePads(size, k[i], s[i], d[i]).reverse();
    return [...split(h, 0), ...split(w, 1)] as ck.Padding;
  }
  const p = (a.pads as number[] | undefined) ?? [0, 0, 0, 0];
  return [p[0], p[2], p[1], p[3]];
}

/** ceil_mode as extra end padding: the last window may run past the input (never starting in the padding). */
function ceilPadding(pads: [number, number, number, number], h: number, w: number, k: [number, number], s: [number, number], d: [number, number]): ck.Padding {
  const extra = (size: number, begin: number, end: number, i: number) => {
    const ek = effectiveKernel(k[i], d[i]);
    let out = Math.ceil((size + begin + end - ek) / s[i]) + 1;
    if ((out - 1) * s[i] >= size + begin) out -= 1;
    return Math.max(end, (out - 1) * s[i] + ek - size - begin);
  };
  return [pads[0], extra(h, pads[0], pads[1], 0), pads[2], extra(w, pads[2], pads[3], 1)];
}

/** An ONNX pool's window as convkit's options: a global pool's is the image; ceil_mode as extra end padding. */
function poolOptions(t: OnnxCase): ck.Pool2DOptions {
  const a = t.attributes, [, , h, w] = t.inputs[0].dims;
  const global = t.op.startsWith('Global');
  const k: [number, number] = global ? [h, w] : pairOf(a.kernel_shape, 1);
  const s = pairOf(a.strides, 1), d = pairOf(a.dilations, 1);
  let pad = padding(a, h, w, k, s, d);
  if (a.ceil_mode === 1) pad = ceilPadding(pad === 'valid' ? [0, 0, 0, 0] : (pad as [number, number, number, number]), h, w, k, s, d);
  return { poolSize: k, strides: global ? 1 : s, dilationRate: d, padding: pad };
}

function runCase(t: OnnxCase): void {
  const a = t.attributes, x = t.inputs[0], expected = t.outputs[0];
  switch (t.op) {
    case 'Conv': {
      const [n, c, h, w] = x.dims, wt = t.inputs[1];
      const k = pairOf(a.kernel_shape ?? wt.dims.slice(2), 1), s = pairOf(a.strides, 1), d = pairOf(a.dilations, 1);
      const layer = new ck.Conv2D({
        filters: wt.dims[0], kernelSize: k, strides: s, dilationRate: d, padding: padding(a, h, w, k, s, d),
        kernel: oihwToHwio(f32(wt), wt.dims), ...(t.inputs[2] ? { bias: f32(t.inputs[2]) } : {}),
      });
      const y = toNchw(layer.forward(new ck.Tensor(nchwToNhwc(f32(x), x.dims), [n, h, w, c])));
      expect(y.dims).to.deep.equal(expected.dims);
      expectExact(y.data, expected.data);
      return;
    }
    case 'MaxPool':
    case 'GlobalMaxPool': {
      const [n, c, h, w] = x.dims;
      const layer = new ck.MaxPool2D(poolOptions(t));
      const y = toNchw(layer.forward(new ck.Tensor(nchwToNhwc(f32(x), x.dims), [n, h, w, c])));
      expect(y.dims).to.deep.equal(expected.dims);
      expectExact(y.data, expected.data); // values; the Indices output is not produced by convkit yet
      return;
    }
    case 'AveragePool':
    case 'GlobalAveragePool': {
      const [n, c, h, w] = x.dims;
      const options = poolOptions(t), k = options.poolSize as [number, number];
      // The ceil-mode overhang never counts, not even with count_include_pad: it maps only while
      // it stays inside the explicit pads (every such case here: poolOptions then keeps them).
      const explicit = JSON.stringify(padding(a, h, w, k, options.strides as [number, number], options.dilationRate as [number, number]));
      if (a.count_include_pad === 1 && JSON.stringify(options.padding) !== explicit) throw new Error(`${t.case}: ceil overhang past the pads with count_include_pad`);
      const layer = new ck.AveragePooling2D({ ...options, countIncludePad: a.count_include_pad === 1 });
      const xt = nchwToNhwc(f32(x), x.dims);
      const y = toNchw(layer.forward(new ck.Tensor(xt, [n, h, w, c])));
      expect(y.dims).to.deep.equal(expected.dims);
      // The generator's float32 sum and convkit's each err by at most (K + 2) u times the mean
      // of |cells| (the same layer over |x| gives it); one case's expected values were written by
      // hand to 4 decimals, 3.0e-4 relative from the exact ones (the fixtures' README).
      const absMean = toNchw(layer.forward(new ck.Tensor(xt.map(Math.abs), [n, h, w, c]))).data;
      const byHand = t.case === 'test_averagepool_2d_ceil_last_window_starts_on_pad' ? 3e-4 : 0;
      const gamma = 2 * (k[0] * k[1] + 2) * 2 ** -24;
      y.data.forEach((v, i) => {
        const e = expected.data[i], tol = gamma * absMean[i] + Math.abs(e) * (2 ** -24 + byHand);
        if (!(Math.abs(v - e) <= tol)) expect.fail(`${t.case} [${i}]: ${v}, expected ${e} (tolerance ${tol})`);
      });
      return;
    }
    case 'Gemm': {
      const [A, B, C] = t.inputs;
      const alpha = (a.alpha as number | undefined) ?? 1, beta = (a.beta as number | undefined) ?? 1;
      const transA = a.transA === 1, transB = a.transB === 1;
      const units = transB ? B.dims[0] : B.dims[1];
      const cIsRowVector = !C || (C.dims.length === 1 && C.dims[0] === units) || (C.dims.length === 2 && C.dims[0] === 1 && C.dims[1] === units);
      let y: ck.Tensor;
      if (!transA && !transB && alpha === 1 && beta === 1 && cIsRowVector) {
        // x @ W + b is exactly a Dense layer.
        y = new ck.Dense({ units, kernel: f32(B), useBias: !!C, ...(C ? { bias: f32(C) } : {}) }).forward(new ck.Tensor(f32(A), A.dims));
      } else {
        y = ck.gemm(new ck.Tensor(f32(A), A.dims), new ck.Tensor(f32(B), B.dims), {
          transA, transB, alpha, beta, ...(C ? { c: new ck.Tensor(f32(C), C.dims) } : {}),
        });
      }
      expect(y.shape).to.deep.equal(expected.dims);
      // ONNX's own runner uses rtol 1e-3; these are within 1e-6 relative of the float64 result.
      y.data.forEach((v, i) => expect(Math.abs(v - expected.data[i])).to.be.at.most(1e-6 * Math.abs(expected.data[i]) + 1e-7));
      return;
    }
    case 'Relu': {
      // A 1x1 convolution with kernel [1] and ReLU: x * 1 + 0 is exact, so this is relu(x).
      const y = new ck.Conv2D({ filters: 1, kernelSize: 1, activation: 'relu', kernel: new Float32Array([1]) })
        .forward(new ck.Tensor(f32(x), [1, 1, x.data.length, 1]));
      expectExact(y.data, expected.data);
      return;
    }
    case 'Reshape': {
      // Keras's Reshape keeps the batch axis: the cases whose new shape keeps the first axis map
      // onto it (ONNX's 0, "copy this axis", resolved at this edge; -1 is inferred by both).
      // test_reshape_one_dim, _reordered_all_dims, _negative_extended_dims (each changes the
      // first axis) and _allowzero_reordered (an empty tensor) are not copied here.
      const shape = Array.from(t.inputs[1].data, (d, i) => (d === 0 ? x.dims[i] : d));
      expect(shape[0], 'the batch axis kept').to.equal(x.dims[0]);
      const y = new ck.Reshape({ targetShape: shape.slice(1) }).forward(new ck.Tensor(f32(x), x.dims));
      expect(y.shape).to.deep.equal(expected.dims);
      expectExact(y.data, expected.data);
      return;
    }
    case 'Flatten': {
      // Flatten is a reshape to [d0*...*d(axis-1), rest]; Dense with an identity kernel returns
      // its flattened input exactly. Axis 1 is Dense's own flatten of a rank-4 input.
      const r = x.dims.length;
      const axis = ((a.axis as number | undefined) ?? 1) < 0 ? (a.axis as number) + r : ((a.axis as number | undefined) ?? 1);
      const rows = x.dims.slice(0, axis).reduce((p, q) => p * q, 1), cols = x.data.length / rows;
      const input = axis === 1 ? new ck.Tensor(f32(x), x.dims) : new ck.Tensor(f32(x), [rows, cols]);
      const identity = new Float32Array(cols * cols);
      for (let i = 0; i < cols; i++) identity[i * cols + i] = 1;
      const y = new ck.Dense({ units: cols, kernel: identity, useBias: false }).forward(input);
      expect(y.shape).to.deep.equal(expected.dims);
      expectExact(y.data, expected.data);
      return;
    }
    case 'BatchNormalization': {
      // Inference (training_mode 0): the layer with the vector's scale, bias, mean and variance as
      // gamma, beta and the moving statistics, over NHWC.
      const [n, c, h, w] = x.dims, [s, bias, mean, variance] = t.inputs.slice(1).map(f32);
      const layer = new ck.BatchNormalization({ epsilon: (a.epsilon as number | undefined) ?? 1e-5, gamma: s, beta: bias, movingMean: mean, movingVariance: variance });
      const y = toNchw(layer.forward(new ck.Tensor(nchwToNhwc(f32(x), x.dims), [n, h, w, c])));
      expect(y.dims).to.deep.equal(expected.dims);
      // s and t (float64, rounded once), then x * s + t rounded twice: a few units of rounding of
      // |x s| + |t| (docs/api.md); the vectors are float32 results of the same formula.
      y.data.forEach((v, i) => expect(Math.abs(v - expected.data[i])).to.be.at.most(1e-6 * Math.abs(expected.data[i]) + 1e-6));
      return;
    }
    case 'Add':
    case 'Mul': {
      // NumPy's broadcasting aligns shapes at the right; convkit's merges take one rank, so the
      // shorter input gets leading ones at this edge ([5] against [3, 4, 5] is [1, 1, 5]).
      const rank = Math.max(...t.inputs.map((i) => i.dims.length));
      const xs = t.inputs.map((i) => new ck.Tensor(f32(i), [...Array(rank - i.dims.length).fill(1), ...i.dims]));
      const y = (t.op === 'Add' ? new ck.Add() : new ck.Multiply()).forward(xs);
      expect(y.shape).to.deep.equal(expected.dims);
      expectExact(y.data, expected.data); // the vectors are the float64 results rounded once
      return;
    }
    case 'Concat': {
      const y = new ck.Concatenate({ axis: a.axis as number }).forward(t.inputs.map((i) => new ck.Tensor(f32(i), i.dims)));
      expect(y.shape).to.deep.equal(expected.dims);
      expectExact(y.data, expected.data);
      return;
    }
    default:
      throw new Error(`no runner for ONNX op ${t.op}`);
  }
}

forEachBackend('ONNX conformance vectors', () => {
  it('has all 82 vectors', () => expect(CASES).to.have.length(82));
  for (const t of CASES) it(`${t.op}: ${t.case}`, () => runCase(t));
});
