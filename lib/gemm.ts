// General matrix multiply with ONNX Gemm semantics, on the same GEMM kernels as the layers:
// y = activation(alpha * op(A) * op(B) + beta * C), op = transpose when asked.
import { activationCode, type ActivationName } from './activation';
import type { Backend } from './backends/backend';
import { backend } from './backends/select';
import { type Call, runAsync, runSync } from './layers/layer';
import { sharesMemory } from './backends/check';
import { checkData, isTensor, type Tensor } from './tensor';
import { boolean, describe, finiteNumber, options } from './validate';

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  /** Added after scaling by beta; shape [], [1], [n], [1, n], [m, 1] or [m, n]. */
  c?: Tensor;
  activation?: ActivationName;
  /**
   * Where to write the [m, n] result, instead of a new Tensor: it is returned. It must share no
   * memory with a, b or c. gemm writes it in place (native: no allocation, so no fresh pages to
   * fault in); gemmAsync copies the result into it when the work is done.
   */
  out?: Tensor;
}

function matrix(name: string, t: unknown): Tensor {
  if (!isTensor(name, t)) throw new TypeError(`Expected Tensor for ${name} but received ${describe(t)}`);
  if (t.rank !== 2) throw new RangeError(`Expected ${name} of rank 2 but received shape [${t.shape.join(', ')}]`);
  return checkData(t, name);
}

/** [rows, cols] of C as it broadcasts to [m, n], or a RangeError. */
function broadcastDims(c: Tensor, m: number, n: number): [number, number] {
  const s = c.shape;
  const dims: [number, number] = s.length === 0 ? [1, 1] : s.length === 1 ? [1, s[0]] : s.length === 2 ? [s[0], s[1]] : [0, 0];
  if ((dims[0] !== 1 && dims[0] !== m) || (dims[1] !== 1 && dims[1] !== n)) {
    throw new RangeError(`Expected c to broadcast to [${m}, ${n}] but received shape [${s.join(', ')}]`);
  }
  return dims;
}

/** The out option checked against the result's shape and the inputs, or null when absent. */
function outTensor(out: unknown, m: number, n: number, inputs: [string, Tensor | null][]): Tensor | null {
  if (out === undefined) return null;
  if (!isTensor('out', out)) throw new TypeError(`Expected Tensor for out but received ${describe(out)}`);
  checkData(out, 'out');
  if (out.rank !== 2 || out.shape[0] !== m || out.shape[1] !== n) {
    throw new RangeError(`Expected out of shape [${m}, ${n}] but received shape [${out.shape.join(', ')}]`);
  }
  for (const [name, t] of inputs) {
    if (t && sharesMemory(out.data, t.data)) throw new RangeError(`Expected out to share no memory with ${name}`);
  }
  return out;
}

interface GemmCall extends Call {
  out: Tensor | null;
  into(out: Tensor): Tensor;
}

function plan(a: Tensor, b: Tensor, opts: GemmOptions | undefined, be: Backend): GemmCall {
  matrix('a', a);
  matrix('b', b);
  const o = options('gemm options', opts, true);
  const transA = boolean('transA', o.transA ?? false), transB = boolean('transB', o.transB ?? false);
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb) {
    throw new RangeError(`Expected inner dimensions to agree but op(a) is [${m}, ${k}] and op(b) is [${kb}, ${n}]`);
  }
  const c = o.c === undefined ? null : (o.c as Tensor);
  if (c !== null && !isTensor('c', c)) throw new TypeError(`Expected Tensor for c but received ${describe(c)}`);
  if (c !== null) checkData(c, 'c');
  const [cRows, cCols] = c ? broadcastDims(c, m, n) : [1, 1];
  const params = {
    m, n, k, transA, transB, cRows, cCols,
    alpha: finiteNumber('alpha', o.alpha ?? 1),
    beta: finiteNumber('beta', o.beta ?? 1),
    activation: activationCode('activation', o.activation ?? 'linear'),
  };
  const out = outTensor(o.out, m, n, [['a', a], ['b', b], ['c', c]]);
  const cData = c && c.data;
  return {
    shape: [m, n], out,
    sync: () => be.gemm(a.data, b.data, cData, params),
    async: () => be.gemmAsync(a.data, b.data, cData, params),
    into: (y) => (be.gemmInto(a.data, b.data, cData, params, y.data), y),
  };
}

export function gemm(a: Tensor, b: Tensor, opts?: GemmOptions): Tensor {
  const call = plan(a, b, opts, backend());
  return call.out ? call.into(call.out) : runSync(call);
}

/** gemm computed on a worker thread. */
export async function gemmAsync(a: Tensor, b: Tensor, opts?: GemmOptions): Promise<Tensor> {
  const call = plan(a, b, opts, backend());
  const y = await runAsync(call);
  if (!call.out) return y;
  // out may have been detached while the worker computed: checked again before the copy.
  checkData(call.out, 'out');
  call.out.data.set(y.data);
  return call.out;
}
