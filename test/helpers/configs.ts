// Seeded shape sweeps: sizes below, at and above every tile and block size of the kernels
// (MR 4/6/8 rows, NR 16 columns, KC 256, MC 96 rows, the im2col segment), odd and prime sizes,
// every padding mode and option.
import { effectiveKernel, type Padding, resolveWindow, type Window } from '../../lib/shape';
import { outputSize, type RefActivation } from '../../suite/reference';
import { pick, randomInt, rng } from './random';

export interface ConvConfig {
  n: number; h: number; w: number; c: number; oc: number;
  kernelSize: [number, number]; strides: [number, number]; dilation: [number, number];
  padding: Padding; useBias: boolean; activation: RefActivation;
}

export interface PoolConfig {
  n: number; h: number; w: number; c: number;
  poolSize: [number, number]; strides: [number, number]; dilation: [number, number]; padding: Padding;
}

/** Every activation, for the sweeps to draw from. */
export const ACTIVATIONS: readonly RefActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

/** Channel counts crossing the 16-column panels and the 4/6/8-row micro-tiles. */
export const CHANNELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 47, 48, 49, 63, 64, 65, 70];

export function outputFits(h: number, w: number, win: Window): boolean {
  return Math.min(...outputSize(h, w, win)) >= 1;
}

/**
 * False when some pooling window holds only padding (convkit rejects those): every tap of every
 * window is tried, independently of lib/shape.ts's firstEmptyWindow.
 */
export function everyWindowReal(h: number, w: number, win: Window): boolean {
  const [oh, ow] = outputSize(h, w, win);
  const axis = (size: number, out: number, k: number, s: number, d: number, p0: number): boolean => {
    for (let o = 0; o < out; o++) {
      let real = false;
      for (let t = 0; t < k; t++) real ||= o * s - p0 + t * d >= 0 && o * s - p0 + t * d < size;
      if (!real) return false;
    }
    return true;
  };
  return axis(h, oh, win.kh, win.sh, win.dh, win.pt) && axis(w, ow, win.kw, win.sw, win.dw, win.pl);
}

function randomPadding(r: () => number, limitH: number, limitW: number): Padding {
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
  return { n: randomInt(r, 1, 3), h, w, c: pick(r, CHANNELS), size, strides, dilation, padding, win: resolveWindow(size, strides, dilation, padding, h, w) };
}

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13];

export function convConfigs(count: number, seed: number): ConvConfig[] {
  const r = rng(seed);
  const out: ConvConfig[] = [];
  while (out.length < count) {
    const g = randomGeometry(r, (k) => k);
    const cfg: ConvConfig = {
      n: g.n, h: g.h, w: g.w, c: g.c, oc: pick(r, CHANNELS), kernelSize: g.size, strides: g.strides, dilation: g.dilation,
      padding: g.padding, useBias: r() < 0.7, activation: pick(r, ACTIVATIONS),
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
    const g = randomGeometry(r, (k, d) => effectiveKernel(k, d) - 1);
    const cfg: PoolConfig = { n: g.n, h: g.h, w: g.w, c: g.c, poolSize: g.size, strides: g.strides, dilation: g.dilation, padding: g.padding };
    if (outputFits(g.h, g.w, g.win) && everyWindowReal(g.h, g.w, g.win)) out.push(cfg);
  }
  return out;
}

export function describeConv(c: ConvConfig): string {
  return `${c.n}x${c.h}x${c.w}x${c.c} -> ${c.oc}, k ${c.kernelSize.join('x')}, s ${c.strides.join('x')}, d ${c.dilation.join('x')}, ` +
    `pad ${JSON.stringify(c.padding)}${c.useBias ? ', bias' : ''}${c.activation === 'linear' ? '' : `, ${c.activation}`}`;
}

export function describePool(c: PoolConfig): string {
  return `${c.n}x${c.h}x${c.w}x${c.c}, pool ${c.poolSize.join('x')}, s ${c.strides.join('x')}, d ${c.dilation.join('x')}, pad ${JSON.stringify(c.padding)}`;
}

/** A random window's options: kernel 1-4 and dilation 1-2 per axis, strides 1 to maxStride, any padding kind. */
export function randomWindowOptions(r: () => number, maxStride: number): { k: [number, number]; d: [number, number]; s: [number, number]; padding: Padding } {
  const k: [number, number] = [randomInt(r, 1, 4), randomInt(r, 1, 4)], d: [number, number] = [randomInt(r, 1, 2), randomInt(r, 1, 2)];
  const padding: Padding = pick(r, ['valid', 'same', [randomInt(r, 0, 2), randomInt(r, 0, 2), randomInt(r, 0, 2), randomInt(r, 0, 2)]] as Padding[]);
  return { k, d, padding, s: [randomInt(r, 1, maxStride), randomInt(r, 1, maxStride)] };
}
