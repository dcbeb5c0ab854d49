// ONNX windows (Conv, pools) as convkit's explicit padding [top, bottom, left, right]: auto_pad
// resolved for the known input size, ceil_mode as extra padding at the end.
import type { Context } from './context';
import { refuse } from './graph';

export type Pads = [number, number, number, number];

export interface Window {
  k: [number, number];
  s: [number, number];
  d: [number, number];
  pads: Pads;
}

const pair = (v: number[] | undefined, dflt: number, what: string, ctx: Context): [number, number] => {
  if (v === undefined) return [dflt, dflt];
  if (v.length !== 2) refuse(ctx.node, `expects 2 values (H, W) but received [${v.join(', ')}]: convkit runs 2-D windows`, what);
  return [v[0], v[1]];
};

/** SAME_UPPER / SAME_LOWER padding of one axis: the output is ceil(size / s). */
function same(size: number, k: number, s: number, d: number, lower: boolean): [number, number] {
  const out = Math.ceil(size / s), total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - size);
  const small = Math.floor(total / 2);
  return lower ? [total - small, small] : [small, total - small];
}

/** The window of the current node over an input of this H and W. */
export function windowOf(ctx: Context, h: number, w: number, kernel: [number, number]): Window {
  const k = kernel, s = pair(ctx.attr<number[] | undefined>('strides', undefined), 1, 'strides', ctx);
  const d = pair(ctx.attr<number[] | undefined>('dilations', undefined), 1, 'dilations', ctx);
  const auto = ctx.attr('auto_pad', 'NOTSET');
  let pads: Pads;
  if (auto === 'VALID') pads = [0, 0, 0, 0];
  else if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') pads = [...same(h, k[0], s[0], d[0], auto === 'SAME_LOWER'), ...same(w, k[1], s[1], d[1], auto === 'SAME_LOWER')];
  else if (auto === 'NOTSET' || auto === '') {
    const p = ctx.attr<number[]>('pads', [0, 0, 0, 0]);
    if (p.length !== 4) refuse(ctx.node, `expects 4 values [top, left, bottom, right] but received [${p.join(', ')}]`, 'pads');
    pads = [p[0], p[2], p[1], p[3]];
  } else refuse(ctx.node, `'${auto}' is not an ONNX auto_pad`, 'auto_pad');
  return { k, s, d, pads };
}

/** The kernel_shape attribute (or the given default, a Conv's weight dims). */
export function kernelOf(ctx: Context, dflt?: number[]): [number, number] {
  const k = ctx.attr<number[] | undefined>('kernel_shape', dflt);
  if (!k) refuse(ctx.node, 'is required', 'kernel_shape');
  return pair(k, 1, 'kernel_shape', ctx);
}

/** ceil_mode as extra end padding: the last window may run past the input, never starting in the padding. */
export function ceilPads(win: Window, h: number, w: number): Pads {
  const extra = (size: number, begin: number, end: number, i: number) => {
    const ek = (win.k[i] - 1) * win.d[i] + 1;
    let out = Math.ceil((size + begin + end - ek) / win.s[i]) + 1;
    if ((out - 1) * win.s[i] >= size + begin) out -= 1;
    return Math.max(end, (out - 1) * win.s[i] + ek - size - begin);
  };
  const p = win.pads;
  return [p[0], extra(h, p[0], p[1], 0), p[2], extra(w, p[2], p[3], 1)];
}

/** An output size of a window over a padded axis (floor). */
export const outSize = (size: number, k: number, s: number, d: number, begin: number, end: number): number => Math.floor((size + begin + end - (k - 1) * d - 1) / s) + 1;
