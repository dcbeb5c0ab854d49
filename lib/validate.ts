// One validation vocabulary for the whole facade: a few predicates and one error format,
// "Expected positive integer for filters but received -3 of type number". Thrown before any
// kernel runs: TypeError for a wrong kind of value, RangeError for a wrong size or value.

export function describe(value: unknown): string {
  try {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    if (typeof value === 'string') return `'${value}' of type string`;
    if (Object.is(value, -0)) return '-0 of type number';
    if (Array.isArray(value)) return `[${value.map((v) => String(v)).join(', ')}] of type array`;
    if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
    if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
    return `${String(value)} of type ${typeof value}`;
  } catch {
    // A Proxy whose traps throw, or an element that cannot become a string.
    return `an unprintable value of type ${typeof value}`;
  }
}

/**
 * Runs `read` (a property read of a caller's value); a throwing getter or Proxy trap becomes
 * "TypeError: Expected readable filters but reading it threw boom".
 */
export function readable<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    let reason: string;
    try {
      reason = e instanceof Error ? String(e.message) : String(e);
    } catch {
      reason = describe(e);
    }
    throw new TypeError(`Expected readable ${name} but reading it threw ${reason}`);
  }
}

/**
 * A copy of the elements of an array (holes read as undefined), of exactly `length` elements
 * when given; null for anything else. Read through `readable`.
 */
export function elements(name: string, v: unknown, length?: number): unknown[] | null {
  return readable(name, () => {
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) return null;
    return Array.from({ length: v.length }, (_, i) => v[i]);
  });
}

export function fail(kind: 'type' | 'range', expected: string, name: string, value: unknown): never {
  const message = `Expected ${expected} for ${name} but received ${describe(value)}`;
  throw kind === 'type' ? new TypeError(message) : new RangeError(message);
}

/** An integer >= min (1 by default). Non-numbers are a TypeError, bad numbers a RangeError. */
export function integer(name: string, v: unknown, min = 1): number {
  const expected = min === 1 ? 'positive integer' : min === 0 ? 'non-negative integer' : `integer >= ${min}`;
  if (typeof v !== 'number') fail('type', expected, name, v);
  if (!Number.isInteger(v) || v < min || v > 2 ** 31 - 1) fail('range', expected, name, v);
  return v === 0 ? 0 : v; // -0 is 0
}

/** A number or an [h, w] pair of integers >= min, as Keras takes kernelSize and strides. */
export function pair(name: string, v: unknown, min = 1): [number, number] {
  if (typeof v === 'number') return [integer(name, v, min), integer(name, v, min)];
  const hw = elements(name, v, 2);
  if (hw === null) fail('type', 'number or [h, w] array', name, v);
  return [integer(`${name}[0]`, hw[0], min), integer(`${name}[1]`, hw[1], min)];
}

export function oneOf<T extends string>(name: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== 'string') fail('type', `one of ${options.map((o) => `'${o}'`).join(', ')}`, name, v);
  if (!options.includes(v as T)) fail('range', `one of ${options.map((o) => `'${o}'`).join(', ')}`, name, v);
  return v as T;
}

export function boolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail('type', 'boolean', name, v);
  return v;
}

export function finiteNumber(name: string, v: unknown): number {
  if (typeof v !== 'number') fail('type', 'finite number', name, v);
  if (!Number.isFinite(v)) fail('range', 'finite number', name, v);
  return v;
}

// The [[TypedArrayName]] of a typed array, undefined for anything else (a Proxy included).
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), Symbol.toStringTag)!.get!;

/** 'Float32Array', 'Int32Array', ... for a typed array; undefined for anything else. */
export function typedArrayType(v: unknown): string | undefined {
  return typedArrayName.call(v);
}

/**
 * Elements in a Float32Array, counted from byteLength: in Node 20 (V8 11.3), optimized code that
 * has also seen arrays over resizable buffers can read the old `length` of a detached array.
 */
export function float32Length(v: Float32Array): number {
  return v.byteLength / Float32Array.BYTES_PER_ELEMENT;
}

/**
 * Whether a typed array's buffer was detached (transferred). Node 20 has no
 * ArrayBuffer.prototype.detached, and its optimized code can see a stale length and byteLength
 * too (above); making a view over a detached buffer throws, whatever the JIT has cached.
 */
export function isDetached(v: Float32Array): boolean {
  try {
    new Uint8Array(v.buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** A Float32Array, of exactly `length` elements when given; not one whose buffer was detached. */
export function float32Array(name: string, v: unknown, length?: number): Float32Array {
  if (typedArrayName.call(v) !== 'Float32Array' || !(v instanceof Float32Array)) fail('type', 'Float32Array', name, v);
  if (isDetached(v)) throw new RangeError(`Expected Float32Array${length === undefined ? '' : ` of length ${length}`} for ${name} but received one whose buffer was detached`);
  const n = float32Length(v);
  if (n !== v.length || (length !== undefined && n !== length)) {
    const hint = n !== v.length ? ' (was its buffer detached?)' : '';
    throw new RangeError(`Expected Float32Array of length ${length ?? v.length} for ${name} but received length ${n}${hint}`);
  }
  return v;
}

/**
 * Options must be a plain object (or omitted, when optional). Each option is read through
 * `readable`, so a throwing getter or Proxy trap is a TypeError naming that option.
 */
export function options(name: string, v: unknown, optional: boolean): Record<string, unknown> {
  if (v === undefined && optional) return {};
  if (typeof v !== 'object' || v === null || readable(name, () => Array.isArray(v))) fail('type', 'options object', name, v);
  return new Proxy(v, { get: (target, key) => readable(String(key), () => Reflect.get(target, key)) }) as Record<string, unknown>;
}

const quoted = (keys: readonly string[]) => keys.map((k) => `'${k}'`).join(', ');

/**
 * Throws a RangeError naming the first own key of v that is not among `keys`: for options where
 * a misspelt key would otherwise be ignored without a word (compile, fit, the optimizers).
 */
export function knownKeys(name: string, v: object, keys: readonly string[]): void {
  for (const key of readable(name, () => Object.keys(v))) {
    if (!keys.includes(key)) throw new RangeError(`Expected one of the keys ${quoted(keys)} for ${name} but received key '${key}'`);
  }
}
