// Argument checks for backends written in JavaScript, mirroring what native/napi/ does at the
// N-API boundary: the layers validate first; these make sure no call reaches a kernel with
// buffers too short for its shapes.
import type { ActivationOpParams, Conv2DParams, DenseParams, Depthwise2DParams, GemmParams, PackedWeights, Pad2DParams, WindowParams } from './backend';
import type { ConcatParams, Conv2DTransposeParams, MergeParams, PermuteParams, UpSampling2DParams } from './backend';
import { groupedColumns, packedWeightsLength } from './backend';
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
  const groups = integer('params.groups', p.groups ?? 1, 1);
  if (p.c % groups !== 0 || p.oc % groups !== 0) fail('range', `a divisor of params.c (${p.c}) and params.oc (${p.oc})`, 'params.groups', groups);
  lengthIs('packedWeights', packed, packedWeightsLength(p.kh * p.kw * p.c / groups, groupedColumns(p.oc, groups)));
  if (bias !== null) lengthIs('bias', float32Array('bias', bias), p.oc);
}

/** A convolution backward's params: ungrouped (a grouped Conv2D's backward runs on its block-diagonal kernel). */
export function checkUngrouped(p: { groups?: number }): void {
  if ((p.groups ?? 1) !== 1) fail('range', "1 (a grouped convolution's backward runs on its block-diagonal kernel)", 'params.groups', p.groups);
}

export function checkDepthwise2D(x: Float32Array | number, packed: PackedWeights, bias: Float32Array | null, p: Depthwise2DParams): void {
  sizes('depthwise2d', p);
  windowOut(p);
  activation(p.activation);
  if (p.oc % p.c !== 0) fail('range', `a multiple of params.c (${p.c})`, 'params.oc', p.oc);
  lengthIs('x', input('x', x), p.n * p.h * p.w * p.c);
  lengthIs('packedWeights', packed, packedWeightsLength(p.kh * p.kw, p.oc));
  if (bias !== null) lengthIs('bias', float32Array('bias', bias), p.oc);
}

export function checkMaxPool2D(x: Float32Array | number, p: WindowParams, op: 'maxpool2d' | 'avgpool2d' = 'maxpool2d'): void {
  sizes(op, p);
  windowOut(p);
  if (firstEmptyWindow(p.h, p.kh, p.sh, p.dh, p.pt, p.oh) >= 0 || firstEmptyWindow(p.w, p.kw, p.sw, p.dw, p.pl, p.ow) >= 0) {
    throw new RangeError('Expected every pooling window to cover at least one input cell');
  }
  lengthIs('x', input('x', x), p.n * p.h * p.w * p.c);
}

export function checkPad2D(x: Float32Array | number, p: Pad2DParams): void {
  sizes('pad2d', p);
  for (const [o, n, c0, c1, p0, p1] of [['oh', p.h, p.ct, p.cb, p.pt, p.pb], ['ow', p.w, p.cl, p.cr, p.pl, p.pr]] as const) {
    if (c0 + c1 >= n) throw new RangeError(`Expected the crops along ${o === 'oh' ? 'h' : 'w'} to leave at least one cell`);
    if (p[o] !== n - c0 - c1 + p0 + p1) fail('range', `${n - c0 - c1 + p0 + p1} for these crops and pads`, `params.${o}`, p[o]);
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

export function checkBatchNorm(x: Float32Array | number, scaleShift: Float32Array, p: { m: number; c: number; activation?: number }): void {
  sizes('batchNorm', p);
  if (p.activation !== undefined) activation(p.activation);
  lengthIs('x', input('x', x), p.m * p.c);
  lengthIs('scaleShift', float32Array('scaleShift', scaleShift), 2 * p.c);
}

export function checkPRelu(x: Float32Array | number, alpha: Float32Array, p: { m: number; c: number }): void {
  sizes('prelu', p);
  lengthIs('x', input('x', x), p.m * p.c);
  lengthIs('alpha', float32Array('alpha', alpha), p.c);
}

export function checkActivationOp(x: Float32Array | number, p: ActivationOpParams): void {
  sizes('activation', p);
  activation(p.activation);
  for (const key of ['alpha', 'maxValue', 'threshold'] as const) {
    if (typeof p[key] !== 'number' || Number.isNaN(p[key])) fail('type', 'number', `params.${key}`, p[key]);
  }
  lengthIs('x', input('x', x), p.m * p.n * p.inner);
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

export function checkConv2DTranspose(x: Float32Array | number, packed: PackedWeights, bias: Float32Array | null, p: Conv2DTransposeParams): void {
  sizes('conv2dTranspose', p);
  activation(p.activation);
  lengthIs('x', input('x', x), p.n * p.h * p.w * p.c);
  lengthIs('packedWeights', packed, packedWeightsLength(p.c, p.kh * p.kw * p.oc));
  if (bias !== null) lengthIs('bias', float32Array('bias', bias), p.oc);
}

export function checkUpSampling2D(x: Float32Array | number, p: UpSampling2DParams): void {
  sizes('upsampling2d', p);
  lengthIs('x', input('x', x), p.n * p.h * p.w * p.c);
}

export function checkPermute(x: Float32Array | number, p: PermuteParams): void {
  sizes('permute', p);
  if ([p.p0, p.p1, p.p2].sort().join() !== '0,1,2') throw new RangeError('Expected params.p0, p1 and p2 to be a permutation of 0, 1 and 2');
  lengthIs('x', input('x', x), p.n * p.d0 * p.d1 * p.d2);
}
