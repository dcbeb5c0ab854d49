// The real-network workloads of bench:peers (N1-N3): MobileNetV2 224x224 at batch 1 and 8 and a
// small U-Net 256x256, the same weights for every candidate. Their reference is convkit's native
// output with every layer run as its own op (no BatchNormalization folding), and a candidate
// passes when max |y - ref| / max |ref| stays within the network's bound, stated from its depth.
import { writeFileSync } from 'node:fs';
import * as ck from '../../lib/index';
import type { WorkloadData } from '../../suite/data';
import type { Workload } from '../../suite/workloads';
import { convkitModel } from './convkit-model';
import { networkFlops, Random, type Network } from './graph';
import { mobileNetV2, smallUNet } from './models';

export const NETWORK_WORKLOADS: readonly Workload[] = [
  { id: 'N1', name: 'mobilenetv2 224 b1', op: 'network', network: 'mobilenetv2', n: 1, h: 224, w: 224, c: 3 },
  { id: 'N2', name: 'mobilenetv2 224 b8', op: 'network', network: 'mobilenetv2', n: 8, h: 224, w: 224, c: 3 },
  { id: 'N3', name: 'unet 256', op: 'network', network: 'unet', n: 1, h: 256, w: 256, c: 3 },
];

export const isNetwork = (w: Workload): boolean => w.op === 'network';

const built = new Map<string, Network>();
/** The workload's network (built once per process: the weights are seeded, so every process has the same). */
export function networkOf(w: Workload): Network {
  const key = `${w.network} ${w.h}`;
  if (!built.has(key)) built.set(key, w.network === 'unet' ? smallUNet(w.h) : mobileNetV2(w.h));
  return built.get(key)!;
}

/**
 * How far a float32 implementation may drift from the reference, relative to the output's largest
 * value: 2^-17 per weighted layer on the longest path. Each layer rounds its sums (about
 * sqrt(K) * 2^-24 relative for K terms, K up to 9 * 960 here) and implementations differ in
 * order and algorithm (Winograd, BatchNormalization folded or not); BN's 1/sqrt(var) and the
 * residual adds carry the difference on.
 */
export const networkBound = (w: Workload): number => networkOf(w).depth * 2 ** -17;

export function networkData(w: Workload): WorkloadData {
  const net = networkOf(w), inputShape = [w.n, w.h!, w.w!, w.c!];
  const input = new Random(7).array(inputShape.reduce((a, b) => a * b, 1), -1, 1);
  return { input, inputShape, kernel: null, bias: null, outputShape: [w.n, ...net.nodes[net.nodes.length - 1].shape] };
}

export const networkWork = (w: Workload): { amount: number; unit: 'GFLOP/s' } => ({ amount: w.n * networkFlops(networkOf(w)), unit: 'GFLOP/s' });

/** The reference file maxError reads: convkit native's output (every layer its own op), and max |ref| as every value's scale. */
export async function writeNetworkReference(w: Workload, d: WorkloadData, path: string): Promise<void> {
  await ck.setBackend('native');
  const y = (convkitModel(networkOf(w), { foldBatchNorm: false }).forward(new ck.Tensor(d.input, d.inputShape)) as ck.Tensor).data;
  const scale = y.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const out = new Float32Array(y.length * 2);
  out.set(y);
  out.fill(scale, y.length);
  writeFileSync(path, out);
}

/** bench:peers' workloads: the single-op ones, then the networks. */
export const withNetworks = (workloads: Workload[]): Workload[] => [...workloads, ...NETWORK_WORKLOADS];
