// The plan of native's Winograd F(2x2, 3x3) path (PlanWinograd and TakesWinograd in
// native/ops/plan.cc), by the same rules: the tests compare the two. Only a target with that path
// (native) passes it to planConv2D, so the browser bundle leaves it out.
import type { Conv2DParams } from './backend';
import { GEMM_BLOCKING, PANEL_WIDTH, PATH, PLAN } from '../generated/kernels';
import { ceilDiv, MAX_TASKS, participants, type Plan, type PlanTarget, slotBytes } from './plan';

/** The 16 elements of a transformed tile, and the panels of M per pass (native/ops/winograd.h). */
const ELEMENTS = 16, CHUNK_PANELS = 2;
/** Stride of the planes of V or M: an odd number of cache lines (WinogradPlane in winograd.h). */
const plane = (floats: number) => (ceilDiv(floats, 16) | 1) * 16;

/**
 * Tasks of whole 2x2 tiles and panel groups for a 3x3 stride-1 undilated convolution with enough
 * channels and tiles (kernels.json's winograd rules) unless p.direct; null for any other.
 */
export function planWinograd(p: Conv2DParams, t: PlanTarget): Plan | null {
  const tiles = p.n * ceilDiv(p.oh, 2) * ceilDiv(p.ow, 2);
  const fits = !p.direct && p.kh === 3 && p.kw === 3 && p.sh === 1 && p.sw === 1 && p.dh === 1 && p.dw === 1 &&
    p.c >= PLAN.winogradMinChannels && p.oc >= PLAN.winogradMinChannels && tiles >= PLAN.winogradMinTiles;
  if (!fits) return null;
  const macs = p.n * p.oh * p.ow * 9 * p.c * p.oc, threads = macs < t.parallelMacs ? 1 : t.threads;
  const chunk = CHUNK_PANELS * PANEL_WIDTH;
  const block = Math.max(t.mr, Math.floor(PLAN.winogradBlockFloats / (ELEMENTS * (p.c + chunk))));
  const panels = ceilDiv(p.oc, PANEL_WIDTH);
  const even = (parts: number) => Math.min(tiles, ceilDiv(ceilDiv(tiles, parts), t.mr) * t.mr);
  let rowsPerTask: number, panelsPerTask = panels;
  if (threads > 1 && tiles < p.oc && panels >= 2 * threads) {
    rowsPerTask = even(ceilDiv(tiles, block));
    panelsPerTask = ceilDiv(ceilDiv(panels, threads), CHUNK_PANELS) * CHUNK_PANELS;
  } else {
    rowsPerTask = even(ceilDiv(tiles, threads * block) * threads);
  }
  if (ceilDiv(tiles, rowsPerTask) > MAX_TASKS) rowsPerTask = even(MAX_TASKS);
  const tasks = ceilDiv(tiles, rowsPerTask) * ceilDiv(panels, panelsPerTask);
  const planes = plane(rowsPerTask * p.c) + plane(rowsPerTask * chunk);
  return {
    path: PATH.winograd, threads: participants(macs, t.parallelMacs, threads, tasks), tasks, rows: tiles, rowsPerTask,
    panels, panelsPerTask, kBlock: Math.min(p.c, GEMM_BLOCKING.kc), kSplits: 1, kChunk: p.c, packFloats: 0,
    slotBytes: slotBytes(t.tileBytes + (ELEMENTS * planes + chunk) * 4), sharedBytes: 0,
  };
}
