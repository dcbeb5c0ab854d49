// The MobileNet depthwise 3x3 layers ('same' padding) on the native backend as bytes moved per
// second (input read, output written, weights), next to the machine's memory copy rate in the same
// run (a Float32Array.set of 64 MiB: read once, written once). A depthwise layer is memory-bound:
// its rate, not its FLOP/s, says how close it runs to the machine's limit.
import * as ck from '../lib/index';
import { median } from './stats';

export const DEPTHWISE_WORKLOADS = [
  { name: 'MobileNet dw 112x112x32 s1', h: 112, c: 32, s: 1 },
  { name: 'MobileNet dw 56x56x144 s2', h: 56, c: 144, s: 2 },
  { name: 'MobileNet dw 14x14x576 s1', h: 14, c: 576, s: 1 },
] as const;

type Table = (caption: string, header: string[], rows: string[][]) => void;
type Samples = (fn: () => unknown, budgetMs: number) => number[];

/** Bytes per second of a copy of 64 MiB (read plus write). */
function copyRate(samples: Samples, budgetMs: number): number {
  const src = new Float32Array(1 << 24).fill(1), dst = new Float32Array(src.length);
  return (2 * src.byteLength) / median(samples(() => dst.set(src), budgetMs));
}

export function depthwiseRates(threads: number, budgetMs: number, samples: Samples, table: Table): void {
  const original = ck.getNumThreads();
  ck.setNumThreads(threads);
  const copy = copyRate(samples, budgetMs);
  const rows = DEPTHWISE_WORKLOADS.map(({ name, h, c, s }) => {
    const layer = new ck.DepthwiseConv2D({ kernelSize: 3, strides: s, padding: 'same', activation: 'relu', seed: 1 });
    const x = new ck.Tensor(new Float32Array(h * h * c).fill(0.5), [1, h, h, c]);
    const oh = Math.ceil(h / s), bytes = 4 * (h * h * c + oh * oh * c + 10 * c);
    const rate = bytes / median(samples(() => layer.forward(x), budgetMs));
    return [name, (rate / 1e9).toFixed(1), (copy / 1e9).toFixed(1), (copy / rate).toFixed(2)];
  });
  ck.setNumThreads(original);
  table(`Depthwise 3x3, ${threads} thread${threads > 1 ? 's' : ''}, ${ck.backendInfo().isa} (GB/s moved; copy: Float32Array.set of 64 MiB):`,
    ['layer', 'depthwise GB/s', 'copy GB/s', 'copy / depthwise'], rows);
}
