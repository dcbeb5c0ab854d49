// One validation vocabulary for the whole facade: a few predicates and one error format,
// "Expected positive integer for filters but received -3 of type number". Thrown before any
// kernel runs: TypeError for a wrong kind of value, RangeError for a wrong size or value.

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value}' of type string`;
  if (Array.isArray(value)) return `[${value.map((v) => String(v)).join(', ')}] of type array`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  return `${String(value)} of type ${typeof value}`;
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
  return v;
}

/** A number or an [h, w] pair of integers >= min, as Keras takes kernelSize and strides. */
export function pair(name: string, v: unknown, min = 1): [number, number] {
  if (typeof v === 'number') return [integer(name, v, min), integer(name, v, min)];
  if (!Array.isArray(v) || v.length !== 2) fail('type', 'number or [h, w] array', name, v);
  return [integer(`${name}[0]`, v[0], min), integer(`${name}[1]`, v[1], min)];
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

/** A Float32Array, of exactly `length` elements when given. */
export function float32Array(name: string, v: unknown, length?: number): Float32Array {
  if (!(v instanceof Float32Array)) fail('type', 'Float32Array', name, v);
  if (length !== undefined && v.length !== length) {
    throw new RangeError(`Expected Float32Array of length ${length} for ${name} but received length ${v.length}`);
  }
  return v;
}

/** Options must be a plain object (or omitted, when optional). */
export function options(name: string, v: unknown, optional: boolean): Record<string, unknown> {
  if (v === undefined && optional) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('type', 'options object', name, v);
  return v as Record<string, unknown>;
}
