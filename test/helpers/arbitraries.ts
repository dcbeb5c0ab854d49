// fast-check arbitraries for test/property.test.ts: where a valid Float32Array lives (plain,
// offset view, SharedArrayBuffer, resizable buffer), window options in every accepted form, and
// invalid values, each paired with the name its error message must carry and the error class
// docs/api.md promises (TypeError for a wrong kind of value, RangeError for a wrong size or value).
import { expect } from 'chai';
import fc, { type Arbitrary } from 'fast-check';
import * as ck from '../../lib/index';
import { product } from '../../lib/shape';

// ---------------------------------------------------------------------------------------------
// Where valid data lives.

export const STORAGES = ['plain', 'offset', 'shared', 'shared-offset', 'resizable'] as const;
export type Storage = (typeof STORAGES)[number];
export const storageArb: Arbitrary<Storage> = fc.constantFrom(...STORAGES);

/** Cells before an offset view; the cells around it hold NaN, so a read outside it shows. */
const GUARD = 3;

interface ResizableBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
type ResizableCtor = new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/** A length-tracking Float32Array over a resizable ArrayBuffer, and that buffer. */
export function resizable(length: number): { data: Float32Array; buffer: ResizableBuffer } {
  const buffer = new (ArrayBuffer as unknown as ResizableCtor)(length * 4, { maxByteLength: (length + 8) * 4 });
  return { data: new Float32Array(buffer), buffer };
}

/** A copy of `values` in the given storage. */
export function place(values: Float32Array, storage: Storage): Float32Array {
  const n = values.length;
  let out: Float32Array;
  if (storage === 'plain') out = new Float32Array(n);
  else if (storage === 'resizable') out = resizable(n).data;
  else {
    const offset = storage.endsWith('offset') ? GUARD : 0;
    const bytes = (n + 2 * offset) * 4;
    const buffer = storage.startsWith('shared') ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    new Float32Array(buffer).fill(NaN);
    out = new Float32Array(buffer, offset * 4, n);
  }
  out.set(values);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Valid window options: each arbitrary gives the option as a caller writes it (a number, a pair,
// or left out) and the [h, w] pair it means.

export interface PairOption {
  option: number | [number, number] | undefined | null;
  value: [number, number];
}

/** A size option in [lo, hi] as a number or an [h, w] pair; when `fallback` is given, also left out (undefined or null). */
export function pairOption(lo: number, hi: number, fallback?: number): Arbitrary<PairOption> {
  const size = fc.integer({ min: lo, max: hi });
  const forms: Arbitrary<PairOption>[] = [
    size.map((k) => ({ option: k, value: [k, k] as [number, number] })),
    fc.tuple(size, size).map(([h, w]) => ({ option: [h, w] as [number, number], value: [h, w] as [number, number] })),
  ];
  if (fallback !== undefined) forms.push(fc.constantFrom(undefined, null).map((option) => ({ option, value: [fallback, fallback] as [number, number] })));
  return fc.oneof(...forms);
}

/** A padding option: left out (undefined or null), 'valid', 'same' or [top, bottom, left, right] (with -0 for 0 at times). */
export function paddingOption(maxPad: number): Arbitrary<ck.Padding | undefined | null> {
  const pad = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: maxPad }) }, { weight: 1, arbitrary: fc.constant(-0) });
  return fc.oneof(
    fc.constantFrom(undefined, null, 'valid' as const, 'same' as const),
    fc.tuple(pad, pad, pad, pad),
  );
}

/** Options without the keys whose value is undefined (an option left out), typed as T (null passes as left out too). */
export function defined<T>(o: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// Invalid values. A Bad is a value and what its error must be: the class (null: either TypeError
// or RangeError) and the name the message must carry ("filters", "kernelSize[1]", "data", ...).

type ErrorClass = typeof TypeError | typeof RangeError;

export interface Bad {
  value: unknown;
  name: string;
  type: ErrorClass | null;
}

function bad(arb: Arbitrary<unknown>, name: string, type: ErrorClass | null): Arbitrary<Bad> {
  return arb.map((value) => ({ value, name, type }));
}

/**
 * A value fast-check must not hold (it would run its traps or getters to clone or print it): a
 * label, and a maker called at use. Bad values hold these; `materialize` turns them into values.
 */
class Hostile {
  constructor(readonly label: string, readonly make: () => unknown) {}
  [fc.toStringMethod](): string {
    return `<${this.label}>`;
  }
}

/** The value to pass: a Hostile made, in an array too (one level, holes kept). */
export function materialize(v: unknown): unknown {
  if (v instanceof Hostile) return v.make();
  if (Array.isArray(v) && v.some((e) => e instanceof Hostile)) return v.map(materialize);
  return v;
}

const throwingProxy = new Hostile('Proxy whose get and getPrototypeOf throw', () => new Proxy({}, {
  get() { throw new Error('trap get'); },
  getPrototypeOf() { throw new Error('trap getPrototypeOf'); },
}));
const revokedProxy = new Hostile('revoked Proxy', () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
});

/** Array.isArray, false where it throws (a revoked Proxy). */
function isArray(v: unknown): v is unknown[] {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}

/** Values of odd kinds: boxed, null-prototype, proxies (one throwing, one revoked), functions, symbols. */
const oddities = fc.constantFrom<unknown>(
  null, true, '', '3', ' 2', '1e3', 3n, Symbol('s'), {}, [], [3], { valueOf: () => 3 }, new Number(3),
  Object.create(null), () => 3, new Date(0), new Map(), throwingProxy, revokedProxy, [revokedProxy, 1], new ArrayBuffer(8), new DataView(new ArrayBuffer(8)),
);

/** Anything fast-check makes (objects, arrays with holes, typed arrays, boxed values) and the oddities. */
export const anyValue: Arbitrary<unknown> = fc.oneof(
  oddities,
  fc.anything({
    maxDepth: 2, withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true,
    withObjectString: true, withTypedArray: true, withSparseArray: true, withDate: true,
  }),
);

/** Numbers that are not integers in [min, 2^31 - 1]: NaN, infinities, -0 (when min is 1), fractions, out of range. */
export function badIntegerNumber(min: 0 | 1): Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, 0.5, -1, ...(min === 1 ? [0, -0] : [])),
    fc.double({ noNaN: true }).filter((v) => !(Number.isInteger(v) && v >= min && v < 2 ** 31)),
    fc.integer({ min: -(2 ** 31), max: min - 1 }),
    fc.bigInt({ min: 2n ** 31n, max: 2n ** 64n }).map(Number),
  );
}

/** An optional option is left out when undefined or null (the parsers use `??`): not a bad value. */
const given = (v: unknown): boolean => v !== undefined && v !== null;

/** Anything but a number: undefined and null too when the option is required. */
function notNumber(required: boolean): Arbitrary<unknown> {
  return anyValue.filter((v) => typeof v !== 'number' && (required || given(v)));
}

/** An invalid integer option (a size when min is 1, a pad or seed when min is 0). */
export function badInteger(name: string, min: 0 | 1, required = false): Arbitrary<Bad> {
  return fc.oneof(bad(badIntegerNumber(min), name, RangeError), bad(notNumber(required), name, TypeError));
}

/** An invalid value for one element of an array option, named `name[i]`. */
function badElement(name: string, length: number, good: Arbitrary<unknown>, element: (name: string) => Arbitrary<Bad>): Arbitrary<Bad> {
  return fc.nat(length - 1).chain((i) =>
    fc.tuple(fc.array(good, { minLength: length, maxLength: length }), element(`${name}[${i}]`)).map(([values, b]) => {
      values[i] = b.value;
      return { ...b, value: values };
    }),
  );
}

/** An array of `length` with a getter that throws at index i: a TypeError naming the array. */
function throwingElement(name: string, length: number): Arbitrary<Bad> {
  return fc.nat(length - 1).map((i) => ({
    value: new Hostile(`array of ${length} whose element ${i} throws`, () => {
      const values: unknown[] = Array.from({ length }, () => 1);
      return Object.defineProperty(values, i, { get() { throw new Error('element getter'); } });
    }),
    name,
    type: TypeError,
  }));
}

/** A hole at index i (a sparse array): the element reads as undefined, a TypeError naming it. */
function holeAt(name: string, length: number): Arbitrary<Bad> {
  return fc.nat(length - 1).map((i) => {
    const values: unknown[] = Array.from({ length }, () => 1);
    delete values[i];
    return { value: values, name: `${name}[${i}]`, type: TypeError };
  });
}

/** Arrays of any other length than `length`. */
function wrongLength(length: number, name: string): Arbitrary<Bad> {
  return bad(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 6 }).filter((a) => a.length !== length), name, TypeError);
}

/** An invalid kernelSize / strides / dilationRate / poolSize: number or [h, w] of positive integers. */
export function badPair(name: string, required = false): Arbitrary<Bad> {
  const positive = fc.integer({ min: 1, max: 4 });
  return fc.oneof(
    bad(badIntegerNumber(1), name, RangeError),
    bad(notNumber(required).filter((v) => !(isArray(v) && v.length === 2)), name, TypeError),
    badElement(name, 2, positive, (n) => badInteger(n, 1, true)),
    holeAt(name, 2),
    throwingElement(name, 2),
    wrongLength(2, name),
  );
}

/** An invalid padding: another string, [top, bottom, left, right] with a bad element, anything else. */
export function badPadding(name: string): Arbitrary<Bad> {
  return fc.oneof(
    bad(fc.string().filter((s) => s !== 'valid' && s !== 'same'), name, RangeError),
    bad(anyValue.filter((v) => given(v) && typeof v !== 'string' && !(isArray(v) && v.length === 4)), name, TypeError),
    badElement(name, 4, fc.integer({ min: 0, max: 2 }), (n) => badInteger(n, 0, true)),
    holeAt(name, 4),
    throwingElement(name, 4),
    wrongLength(4, name),
  );
}

const ACTIVATION_NAMES = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

export function badActivation(name: string): Arbitrary<Bad> {
  return fc.oneof(
    bad(fc.oneof(fc.string(), fc.constantFrom('Relu', 'Sigmoid', 'softMax', ' linear', 'tanh ')).filter((s) => !ACTIVATION_NAMES.includes(s)), name, RangeError),
    bad(anyValue.filter((v) => given(v) && typeof v !== 'string'), name, TypeError),
  );
}

export function badBoolean(name: string): Arbitrary<Bad> {
  return bad(anyValue.filter((v) => given(v) && typeof v !== 'boolean'), name, TypeError);
}

export function badFinite(name: string): Arbitrary<Bad> {
  return fc.oneof(
    bad(fc.constantFrom(NaN, Infinity, -Infinity), name, RangeError),
    bad(anyValue.filter((v) => given(v) && typeof v !== 'number'), name, TypeError),
  );
}

const OTHER_ARRAYS = [Float64Array, Int32Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint32Array] as const;

/** Not a Float32Array: other typed arrays, plain arrays, a Proxy of a Float32Array, anything else (null too unless it is valid). */
export function notFloat32(length: number, nullIsValid = false): Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...OTHER_ARRAYS).map((C) => new C(length)),
    fc.constant(Array.from({ length }, () => 0)),
    fc.constant(new Hostile(`Proxy of a Float32Array(${length})`, () => new Proxy(new Float32Array(length), {}))),
    anyValue.filter((v) => v !== undefined && !(ArrayBuffer.isView(v) && v instanceof Float32Array) && !(nullIsValid && v === null)),
  );
}

/** A Float32Array whose buffer has been transferred away (its length reads 0), made at use. */
export function detachedArray(length: number): unknown {
  return new Hostile(`Float32Array(${length}) whose buffer was detached`, () => {
    const data = new Float32Array(length);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    return data;
  });
}

/** An invalid kernel or bias: the wrong kind of array, or a Float32Array whose length `fits` rejects. */
export function badFloat32(name: string, fits: (length: number) => boolean, nullIsValid = false): Arbitrary<Bad> {
  return fc.oneof(
    bad(notFloat32(12, nullIsValid), name, TypeError),
    bad(fc.nat(40).filter((n) => !fits(n)).map((n) => new Float32Array(n)), name, RangeError),
    bad(fc.nat(40).filter((n) => n > 0).map(detachedArray), name, RangeError),
  );
}

// ---------------------------------------------------------------------------------------------
// Option objects with one bad option: the value itself, a getter that throws, or a Proxy whose
// get trap throws for that key (both a TypeError naming the option).

export interface OptionCase {
  key: string;
  /** 'whole': the options argument itself is bad.value. */
  via: 'value' | 'getter' | 'proxy' | 'whole';
  bad: Bad;
  /** Other options the case needs (useBias: false for a bias that must be refused). */
  extra: Record<string, unknown>;
}

const thrown = fc.oneof(fc.string().map((s) => new Error(s)), anyValue);

/**
 * One option replaced by a bad value or made unreadable, or (`whole`) the options argument not an
 * object: a TypeError naming `objectName`.
 */
export function optionCase(
  badByKey: Record<string, Arbitrary<Bad>>, objectName: string, optional: boolean, extras: Arbitrary<OptionCase>[] = [],
): Arbitrary<OptionCase> {
  const keys = Object.keys(badByKey);
  const byValue = fc.constantFrom(...keys).chain((key) => badByKey[key].map((b): OptionCase => ({ key, via: 'value', bad: b, extra: {} })));
  const unreadable = fc.tuple(fc.constantFrom(...keys), fc.constantFrom('getter' as const, 'proxy' as const), thrown)
    .map(([key, via, value]): OptionCase => ({ key, via, bad: { value, name: key, type: TypeError }, extra: {} }));
  const whole = badOptionsObject(objectName, optional).map((b): OptionCase => ({ key: '', via: 'whole', bad: b, extra: {} }));
  return fc.oneof({ weight: 8, arbitrary: byValue }, { weight: 2, arbitrary: unreadable }, { weight: 1, arbitrary: whole }, ...extras);
}

/** The options object of a case, over valid `base` options. */
export function buildOptions(base: Record<string, unknown>, c: OptionCase): unknown {
  if (c.via === 'whole') return materialize(c.bad.value);
  const o: Record<string, unknown> = { ...base, ...c.extra };
  if (c.via === 'value') {
    o[c.key] = materialize(c.bad.value);
    return o;
  }
  delete o[c.key];
  const error = c.bad.value;
  if (c.via === 'getter') return Object.defineProperty(o, c.key, { get() { throw error; } });
  return new Proxy(o, { get: (t, k, r) => { if (k === c.key) throw error; return Reflect.get(t, k, r); } });
}

/** Options that are not an options object at all (undefined only when required): a TypeError naming `name`. */
function badOptionsObject(name: string, optional: boolean): Arbitrary<Bad> {
  const notObject = anyValue.filter((v) => (typeof v !== 'object' || v === null || isArray(v)) && !(optional && v === undefined));
  return bad(fc.oneof(notObject, fc.constant(revokedProxy)), name, TypeError);
}

// ---------------------------------------------------------------------------------------------
// Shapes and tensors.

/** An invalid shape: not an array, a bad size at one index, a hole, a throwing element, or sizes whose product exceeds 2^53 - 1. */
export function badShape(name: string, rank: number): Arbitrary<Bad> {
  const huge = fc.array(fc.integer({ min: 2 ** 14, max: 2 ** 31 - 1 }), { minLength: Math.max(rank, 4), maxLength: Math.max(rank, 4) });
  return fc.oneof(
    bad(anyValue.filter((v) => !isArray(v)), name, TypeError),
    badElement(name, rank, fc.integer({ min: 1, max: 3 }), (n) => badInteger(n, 1, true)),
    holeAt(name, rank),
    throwingElement(name, rank),
    bad(fc.oneof(huge, fc.constant([2 ** 23, 2 ** 30, 1, 1])), name, RangeError),
  );
}

/** Not a Tensor: anything (undefined and null too unless it is an optional option), a Float32Array, a Tensor's prototype. */
export function notTensor(optional = false): Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(new Float32Array(4), ck.Tensor.prototype, { data: new Float32Array(4), shape: [2, 2] }),
    anyValue.filter((v) => !optional || given(v)),
  );
}

/** A Tensor of `shape` made unusable after construction: its buffer detached, shrunk or grown (made at use). */
export function brokenTensor(shape: number[]): Arbitrary<unknown> {
  const size = product(shape);
  const make = (how: string) => (): ck.Tensor => {
    if (how === 'detached' || how === 'detached offset view') {
      const t = new ck.Tensor(how === 'detached' ? new Float32Array(size) : place(new Float32Array(size), 'offset'), shape);
      structuredClone(t.data.buffer, { transfer: [t.data.buffer as ArrayBuffer] });
      return t;
    }
    const { data, buffer } = resizable(size);
    const t = new ck.Tensor(data, shape);
    buffer.resize(how === 'shrunk' ? (size - 1) * 4 : (size + 1) * 4);
    return t;
  };
  return fc.constantFrom('detached', 'detached offset view', 'shrunk', 'grown')
    .map((how) => new Hostile(`Tensor [${shape.join(', ')}] whose buffer was ${how}`, make(how)));
}

// ---------------------------------------------------------------------------------------------
// Checking errors.

/** e is a TypeError or RangeError of the expected class whose message names `bad.name`. */
export function expectNamedError(e: unknown, b: Pick<Bad, 'name' | 'type'>): void {
  if (!(e instanceof TypeError || e instanceof RangeError)) {
    expect.fail(`expected a TypeError or RangeError naming ${b.name} but got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  if (b.type) expect(e, `${e.name}: ${e.message}`).to.be.instanceOf(b.type);
  const m = e.message;
  const names = m.startsWith(`Expected ${b.name} `) || m.includes(` for ${b.name} but received`) || m.startsWith(`Expected readable ${b.name} but reading it threw`);
  expect(names, `the message should name ${b.name}: ${m}`).to.equal(true);
}

/** fn throws a TypeError or RangeError naming `b.name`; returns that error. */
export function expectThrowsNamed(fn: () => unknown, b: Pick<Bad, 'name' | 'type'>): Error {
  try {
    fn();
  } catch (e) {
    expectNamedError(e, b);
    return e as Error;
  }
  return expect.fail(`expected a ${b.type?.name ?? 'TypeError or RangeError'} naming ${b.name}, but nothing was thrown`);
}

/** fn returns a Promise (it must not throw) that rejects like `sync` threw: same class and message. */
export async function expectRejectsLike(fn: () => unknown, sync: Error): Promise<void> {
  let p: unknown;
  try {
    p = fn();
  } catch (e) {
    expect.fail(`expected a rejected Promise but it threw synchronously: ${String(e)}`);
  }
  expect(p).to.be.instanceOf(Promise);
  const error = await (p as Promise<unknown>).then(() => expect.fail('expected a rejection, but it resolved'), (e: unknown) => e);
  expect(error, 'the rejection').to.be.instanceOf(sync.constructor as ErrorClass);
  expect((error as Error).message).to.equal(sync.message);
}
