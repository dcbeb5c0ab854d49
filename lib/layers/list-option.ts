import { describe, options } from '../validate';

/** The integer list `key` of a layer's options object, checked by `ok` and frozen; else a TypeError naming it. */
export function listOption(layer: string, opts: unknown, key: string, ok: (v: number[]) => boolean, expected: string): readonly number[] {
  const v = options(`${layer} options`, opts, false)[key];
  if (!Array.isArray(v) || !v.every(Number.isInteger) || !ok(v)) throw new TypeError(`Expected ${expected} for ${key} but received ${describe(v)}`);
  return Object.freeze([...v]);
}
