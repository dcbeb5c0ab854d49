// Constants computed at load: shape arithmetic (Shape -> Gather -> Unsqueeze -> Concat -> Reshape
// before a classifier), elementwise ops of constants, and layout changes of constant tensors.
import type { Const, Context } from './context';
import { refuse } from './graph';

export const product = (d: readonly number[]): number => d.reduce((p, q) => p * q, 1);

/** NumPy's broadcast of two dims (aligned at the right). */
export function broadcastDims(ctx: Context, a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length), pa = [...Array(r - a.length).fill(1), ...a], pb = [...Array(r - b.length).fill(1), ...b];
  return pa.map((d, i) => {
    if (d === pb[i] || pb[i] === 1 || Number.isNaN(d) || Number.isNaN(pb[i])) return d === 1 ? pb[i] : d;
    if (d === 1) return pb[i];
    return refuse(ctx.node, `dims [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
  });
}

const strides = (dims: readonly number[]): number[] => dims.map((_, i) => product(dims.slice(i + 1)));

/** Index into a tensor of `dims` (broadcast onto `out`) of the flat output index i. */
function sourceIndex(i: number, out: readonly number[], dims: readonly number[]): number {
  const s = strides(dims), os = strides(out), off = out.length - dims.length;
  let idx = 0;
  for (let k = 0; k < dims.length; k++) if (dims[k] !== 1) idx += (Math.floor(i / os[k + off]) % out[k + off]) * s[k];
  return idx;
}

const OPS: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y, Sub: (x, y) => x - y, Mul: (x, y) => x * y,
  Div: (x, y) => x / y, Pow: (x, y) => x ** y, Max: Math.max, Min: Math.min,
};

/** a op b of two constants (integer division truncates, as ONNX's). */
export function foldBinary(ctx: Context, a: Const, b: Const): Const {
  const f = OPS[ctx.node.opType], out = broadcastDims(ctx, a.dims, b.dims), n = product(out);
  const ints = !(a.data instanceof Float32Array) && !(b.data instanceof Float32Array);
  const values = Array.from({ length: n }, (_, i) => f(Number(a.data[sourceIndex(i, out, a.dims)]), Number(b.data[sourceIndex(i, out, b.dims)])));
  return ints ? { kind: 'const', dims: out, type: a.type, data: values.map(Math.trunc) } : { kind: 'const', dims: out, type: 'float32', data: Float32Array.from(values) };
}

/** A constant with its axes permuted (ONNX Transpose). */
export function transposeConst(c: Const, perm: readonly number[]): Const {
  const dims = perm.map((p) => c.dims[p]), s = strides(c.dims), n = product(dims), os = strides(dims);
  const pick = (i: number) => perm.reduce((idx, p, k) => idx + (Math.floor(i / os[k]) % dims[k]) * s[p], 0);
  const data = c.data instanceof Float32Array ? Float32Array.from({ length: n }, (_, i) => c.data[pick(i)]) : Array.from({ length: n }, (_, i) => c.data[pick(i)]);
  return { ...c, dims, data };
}

/** Elements of a constant along `axis` at `indices` (ONNX Gather). */
export function gatherConst(c: Const, indices: Const, axis: number): Const {
  const outer = product(c.dims.slice(0, axis)), inner = product(c.dims.slice(axis + 1)), size = c.dims[axis];
  const idx = Array.from(indices.data, (v) => (v < 0 ? v + size : v));
  const values: number[] = [];
  for (let o = 0; o < outer; o++) for (const j of idx) for (let k = 0; k < inner; k++) values.push(Number(c.data[(o * size + j) * inner + k]));
  const dims = [...c.dims.slice(0, axis), ...indices.dims, ...c.dims.slice(axis + 1)];
  return { ...c, dims, data: c.data instanceof Float32Array ? Float32Array.from(values) : values };
}

/** A constant sliced along its axes (ONNX Slice with constant starts, ends, axes and steps). */
export function sliceConst(c: Const, starts: number[], ends: number[], axes: number[], steps: number[]): Const {
  const r = c.dims.length, ranges = c.dims.map((d) => ({ start: 0, end: d, step: 1 }));
  axes.forEach((a0, i) => {
    const a = a0 < 0 ? a0 + r : a0, d = c.dims[a], step = steps[i] ?? 1;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    ranges[a] = step > 0 ? { start: clamp(starts[i], 0, d), end: clamp(ends[i], 0, d), step } : { start: clamp(starts[i], -1, d - 1), end: clamp(ends[i], -1, d - 1), step };
  });
  const picks = ranges.map(({ start, end, step }) => {
    const out: number[] = [];
    for (let v = start; step > 0 ? v < end : v > end; v += step) out.push(v);
    return out;
  });
  const dims = picks.map((p) => p.length), s = strides(c.dims), values: number[] = [];
  const walk = (k: number, idx: number): void => {
    if (k === r) values.push(Number(c.data[idx]));
    else for (const p of picks[k]) walk(k + 1, idx + p * s[k]);
  };
  if (product(dims) > 0) walk(0, 0);
  return { ...c, dims, data: c.data instanceof Float32Array ? Float32Array.from(values) : values };
}
