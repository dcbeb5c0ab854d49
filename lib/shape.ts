// Output-size and padding math for the windowed layers: the single source of truth in
// TypeScript (the native side recomputes the same formula to check what it is given).
import { elements, fail, integer } from './validate';

export type Padding = 'valid' | 'same' | [number, number, number, number];

/** A resolved window: size, strides, dilation and pads (top, bottom, left, right). */
export interface Window {
  kh: number; kw: number;
  sh: number; sw: number;
  dh: number; dw: number;
  pt: number; pb: number; pl: number; pr: number;
}

export function effectiveKernel(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/** floor((in + padBegin + padEnd - effectiveKernel) / stride) + 1, or 0 when nothing fits. */
export function outputExtent(inSize: number, k: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  const room = inSize + padBegin + padEnd - effectiveKernel(k, dilation);
  return room < 0 ? 0 : Math.floor(room / stride) + 1;
}

/**
 * TensorFlow's 'same': out = ceil(in / stride); the total padding needed for that is split with
 * the odd cell at the end (bottom/right).
 */
export function samePads(inSize: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max(0, (out - 1) * stride + effectiveKernel(k, dilation) - inSize);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** Validates a padding option: 'valid', 'same' or [top, bottom, left, right]. */
export function checkPadding(name: string, v: unknown): Padding {
  if (v === 'valid' || v === 'same') return v;
  const pads = elements(name, v, 4);
  if (pads !== null) return pads.map((p, i) => integer(`${name}[${i}]`, p, 0)) as Padding;
  return fail(typeof v === 'string' ? 'range' : 'type', "'valid', 'same' or [top, bottom, left, right]", name, v);
}

/** The full window for an input of height h and width w. */
export function resolveWindow(
  size: [number, number], strides: [number, number], dilation: [number, number], padding: Padding, h: number, w: number,
): Window {
  const [kh, kw] = size, [sh, sw] = strides, [dh, dw] = dilation;
  let pads: number[];
  if (padding === 'valid') pads = [0, 0, 0, 0];
  else if (padding === 'same') pads = [...samePads(h, kh, sh, dh), ...samePads(w, kw, sw, dw)];
  else pads = padding;
  return { kh, kw, sh, sw, dh, dw, pt: pads[0], pb: pads[1], pl: pads[2], pr: pads[3] };
}

/** [oh, ow] of a window over h x w; a RangeError naming the layer when it is below 1. */
export function windowOutput(layer: string, win: Window, h: number, w: number): [number, number] {
  const oh = outputExtent(h, win.kh, win.sh, win.dh, win.pt, win.pb);
  const ow = outputExtent(w, win.kw, win.sw, win.dw, win.pl, win.pr);
  if (oh < 1 || ow < 1) {
    throw new RangeError(
      `Expected ${layer} output size of at least 1x1 but the ${win.kh}x${win.kw} window ` +
        `(dilation ${win.dh}x${win.dw}, padding [${win.pt}, ${win.pb}, ${win.pl}, ${win.pr}]) ` +
        `over a ${h}x${w} input gives ${oh}x${ow}`,
    );
  }
  return [oh, ow];
}

/**
 * First output index along one axis whose window holds only padding (dilated taps can step over
 * every real cell), or -1 when every window holds at least one. Max-pool rejects such windows.
 */
export function firstEmptyWindow(inSize: number, k: number, stride: number, dilation: number, padBegin: number, out: number): number {
  // O(1) per window (the first tap at or after cell 0), so huge kernels or pads cannot stall the loop.
  for (let o = 0; o < out; o++) {
    const first = o * stride - padBegin;
    const t = first >= 0 ? 0 : Math.ceil(-first / dilation);
    if (t >= k || first + t * dilation >= inSize) return o;
  }
  return -1;
}

/** Whether two shapes are equal (a loop: called on every forward). */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A tensor shape (a copy): an array of positive integers whose product, the element count, is at
 * most 2^53 - 1 (beyond that it is no longer exact).
 */
export function checkShape(name: string, v: unknown): number[] {
  const dims = elements(name, v);
  if (dims === null) fail('type', 'array of positive integers', name, v);
  const shape = dims.map((d, i) => integer(`${name}[${i}]`, d));
  if (product(shape) > Number.MAX_SAFE_INTEGER) fail('range', 'sizes whose product is at most 2^53 - 1', name, shape);
  return shape;
}
