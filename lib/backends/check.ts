// Argument checks for backends written in JavaScript, mirroring what native/napi/ does at the
// N-API boundary: the layers validate first; these make sure no call reaches a kernel with
// buffers too short for its shapes.
import type { ConcatParams, Conv2DParams, DenseParams, GemmParams, MergeParams, PackedWeights, WindowParams } from './backend';
import { packedWeightsLength } from './backend';
import { ACTIVATION, MERGE } from '../generated/kernels';
import { GEOMETRY_SIZES } from '../generated/params';
import { firstEmptyWindow, outputExtent } from '../shape';
import { fail, float32Array, integer } from '../validate';

/** Each size of an op's geometry an integer of at least its minimum (kernels.json "params"). */
function sizes(op: keyof typeof GEOMETRY_SIZES, p: object): void {
  for (const [name, min] of GEOMETRY_SIZES[op]) integer(`params.${name}`, (p as Record<string, unknown>)[name], min);
}

/** A Float32Array input, or the length of the previous step's output in a chain. */
function input(name: string, x: Float32Array | number): { length: number } {
  return typeof x === 'number' ? { length: x } : float32Array(name, x);
}

export function lengthIs(name: string, a: { length: number }, expected: number): void {
  if (a.length !== expected) throw new RangeError(`Expected ${expected} elements in ${name} but received ${a.length}`);
}

function windowOut(p: WindowParams): void {
  const oh = outputExtent(p.h, p.kh, p.sh, p.dh, p.pt, p.pb), ow = outputExtent(p.w, p.kw, p.sw, p.dw, p.pl, p.pr);
  if (oh < 1 || p.oh !== oh) fail('range', `${oh} for this window`, 'params.oh', p.oh);
  if (ow < 1 || p.ow !== ow) fail('range', `${ow} for this window`, 'params.ow', p.ow);
}

const CODES: readonly number[] = Object.values(ACTIVATION);

function activation(v: number): void {
  if (!CODES.includes(v)) fail('range', `activation code in [${CODES.join(', ')}]`, 'params.activation', v);
}

export function checkPack(kernel: Float32Array, dims: { k: number; n: number }): void {
  float32Array('kernel', kernel);
  lengthIs('kernel', kernel, integer('params.k', dims.k) * integer('params.n', dims.n));
}

export function checkConv2D(x: Float32Array | number, packed: PackedWeights, bias: Float32Array | null, p: Conv2DParams): void {
  sizes('conv2d', p);
  windowOut(p);
  activation(p.activation);
  lengthIs('x', input('x', x), p.n * p.h * p.w * p.c);
  lengthIs('packedWeights', packed, packedWeightsLength(p.kh * p.kw * p.c, p.oc));
  if (bias !== null) lengthIs('bias', float32Array('bias', bias), p.oc);
}

export function checkMaxPool2D(x: Float32Array | number, p: WindowParams): void {
  sizes('maxpool2d', p);
  windowOut(p);
  if (firstEmptyWindow(p.h, p.kh, p.sh, p.dh, p.pt, p.oh) >= 0 || firstEmptyWindow(p.w, p.kw, p.sw, p.dw, p.pl, p.ow) >= 0) {
    throw new RangeError('Expected every pooling window to cover at least one input cell');
  }
  lengthIs('x', input('x', x), p.n * p.h * p.w * p.c);
}

export function checkDense(x: Float32Array | number, packed: PackedWeights, bias: Float32Array | null, p: DenseParams): void {
  sizes('dense', p);
  const { m, k, n } = p;
  activation(p.activation);
  lengthIs('x', input('x', x), m * k);
  lengthIs('packedWeights', packed, packedWeightsLength(k, n));
  if (bias !== null) lengthIs('bias', float32Array('bias', bias), n);
}

const MERGES: readonly number[] = Object.values(MERGE);

/** A merge's shapes and attributes checked: its inputs' 4-D shapes and their broadcast. */
export function checkMerge(p: MergeParams): number[][] {
  sizes('merge', p);
  if (!MERGES.includes(p.mode)) fail('range', `merge code in [${MERGES.join(', ')}]`, 'params.mode', p.mode);
  integer('params.divisor', p.divisor, 0);
  if (p.divisor > 1024) fail('range', 'integer in [0, 1024]', 'params.divisor', p.divisor);
  const a = [p.an, p.ah, p.aw, p.ac], b = [p.bn, p.bh, p.bw, p.bc];
  if (a.some((d, k) => d !== b[k] && d !== 1 && b[k] !== 1)) throw new RangeError('Expected merge inputs whose sizes are equal or 1 on each axis');
  return [a, b, a.map((d, k) => Math.max(d, b[k]))];
}

export function checkConcat(p: ConcatParams): void {
  sizes('concat', p);
}

export function checkGemm(a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams): void {
  const m = integer('params.m', p.m), n = integer('params.n', p.n), k = integer('params.k', p.k);
  activation(p.activation);
  lengthIs('a', float32Array('a', a), m * k);
  lengthIs('b', float32Array('b', b), k * n);
  if (c !== null) {
    if ((p.cRows !== 1 && p.cRows !== m) || (p.cCols !== 1 && p.cCols !== n)) throw new RangeError('Expected c to broadcast to [m, n]');
    lengthIs('c', float32Array('c', c), p.cRows * p.cCols);
  }
}

/** Whether two arrays share any byte (views of one buffer whose ranges meet). */
export function sharesMemory(x: Float32Array, y: Float32Array): boolean {
  return x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

/** out must be a Float32Array of `length` floats sharing no memory with the inputs a call reads. */
export function checkInto(out: Float32Array, length: number, inputs: readonly (Float32Array | null)[]): void {
  lengthIs('out', float32Array('out', out), length);
  if (inputs.some((x) => x !== null && sharesMemory(out, x))) throw new RangeError('Expected out to share no memory with the inputs');
}
