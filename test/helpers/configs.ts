// Seeded shape sweeps: sizes below, at and above every tile and block size of the kernels
// (MR 4/6/8 rows, NR 16 columns, KC 256, MC 96 rows, the im2col segment), odd and prime sizes,
// every padding mode and option.
import type { WindowSpec } from './reference';
import { pick, randomInt, rng } from './random';

export type PaddingSpec = 'valid' | 'same' | [number, number, number, number];

export interface ConvConfig {
  n: number; h: number; w: number; c: number; oc: number;
  kernelSize: [number, number]; strides: [number, number]; dilation: [number, number];
  padding: PaddingSpec; useBias: boolean; relu: boolean;
}

export interface PoolConfig {
  n: number; h: number; w: number; c: number;
  poolSize: [number, number]; strides: [number, number]; dilation: [number, number]; padding: PaddingSpec;
}

/** Channel counts crossing the 16-column panels and the 4/6/8-row micro-tiles. */
export const CHANNELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 47, 48, 49, 63, 64, 65, 70];

function effective(k: number, d: number): number {
  return (k - 1) * d + 1;
}

/** TensorFlow 'same' pads, computed here independently of lib/shape.ts. */
function samePads(size: number, k: number, s: number, d: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max(0, (out - 1) * s + effective(k, d) - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export function windowSpec(
  h: number, w: number, size: [number, number], strides: [number, number], dilation: [number, number], padding: PaddingSpec,
): WindowSpec {
  let pads: [number, number, number, number];
  if (padding === 'valid') pads = [0, 0, 0, 0];
  else if (padding === 'same') pads = [...samePads(h, size[0], strides[0], dilation[0]), ...samePads(w, size[1], strides[1], dilation[1])];
  else pads = padding;
  return { kh: size[0], kw: size[1], sh: strides[0], sw: strides[1], dh: dilation[0], dw: dilation[1], pads };
}

export function outputFits(h: number, w: number, win: WindowSpec): boolean {
  return h + win.pads[0] + win.pads[1] >= effective(win.kh, win.dh) && w + win.pads[2] + win.pads[3] >= effective(win.kw, win.dw);
}

/** False when some pooling window holds only padding (convkit rejects those). */
export function everyWindowReal(h: number, w: number, win: WindowSpec): boolean {
  const axis = (size: number, k: number, s: number, d: number, p0: number, p1: number): boolean => {
    const out = Math.floor((size + p0 + p1 - effective(k, d)) / s) + 1;
    for (let o = 0; o < out; o++) {
      let real = false;
      for (let t = 0; t < k; t++) real ||= o * s - p0 + t * d >= 0 && o * s - p0 + t * d < size;
      if (!real) return false;
    }
    return true;
  };
  return axis(h, win.kh, win.sh, win.dh, win.pads[0], win.pads[1]) && axis(w, win.kw, win.sw, win.dw, win.pads[2], win.pads[3]);
}

function randomPadding(r: () => number, limitH: number, limitW: number): PaddingSpec {
  const mode = pick(r, ['valid', 'same', 'explicit'] as const);
  if (mode !== 'explicit') return mode;
  return [randomInt(r, 0, limitH), randomInt(r, 0, limitH), randomInt(r, 0, limitW), randomInt(r, 0, limitW)];
}

/** A random window geometry over a random small image (pads up to padLimit(k, d) per side). */
function randomGeometry(r: () => number, padLimit: (k: number, d: number) => number) {
  const size: [number, number] = [randomInt(r, 1, 5), randomInt(r, 1, 5)];
  const strides: [number, number] = [randomInt(r, 1, 3), randomInt(r, 1, 3)];
  const dilation: [number, number] = [randomInt(r, 1, 2), randomInt(r, 1, 2)];
  const h = pick(r, SIZES), w = pick(r, SIZES);
  const padding = randomPadding(r, padLimit(size[0], dilation[0]), padLimit(size[1], dilation[1]));
  return { n: randomInt(r, 1, 3), h, w, c: pick(r, CHANNELS), size, strides, dilation, padding, win: windowSpec(h, w, size, strides, dilation, padding) };
}

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13];

export function convConfigs(count: number, seed: number): ConvConfig[] {
  const r = rng(seed);
  const out: ConvConfig[] = [];
  while (out.length < count) {
    const g = randomGeometry(r, (k) => k);
    const cfg: ConvConfig = {
      n: g.n, h: g.h, w: g.w, c: g.c, oc: pick(r, CHANNELS), kernelSize: g.size, strides: g.strides, dilation: g.dilation,
      padding: g.padding, useBias: r() < 0.7, relu: r() < 0.5,
    };
    if (outputFits(g.h, g.w, g.win)) out.push(cfg);
  }
  return out;
}

export function poolConfigs(count: number, seed: number): PoolConfig[] {
  const r = rng(seed);
  const out: PoolConfig[] = [];
  while (out.length < count) {
    // Pads below the window; windows that still cover only padding (dilation) are dropped.
    const g = randomGeometry(r, (k, d) => effective(k, d) - 1);
    const cfg: PoolConfig = { n: g.n, h: g.h, w: g.w, c: g.c, poolSize: g.size, strides: g.strides, dilation: g.dilation, padding: g.padding };
    if (outputFits(g.h, g.w, g.win) && everyWindowReal(g.h, g.w, g.win)) out.push(cfg);
  }
  return out;
}

export function describeConv(c: ConvConfig): string {
  return `${c.n}x${c.h}x${c.w}x${c.c} -> ${c.oc}, k ${c.kernelSize.join('x')}, s ${c.strides.join('x')}, d ${c.dilation.join('x')}, ` +
    `pad ${JSON.stringify(c.padding)}${c.useBias ? ', bias' : ''}${c.relu ? ', relu' : ''}`;
}

export function describePool(c: PoolConfig): string {
  return `${c.n}x${c.h}x${c.w}x${c.c}, pool ${c.poolSize.join('x')}, s ${c.strides.join('x')}, d ${c.dilation.join('x')}, pad ${JSON.stringify(c.padding)}`;
}
