// The broadcast of a merge's two NHWC inputs, collapsed for the wasm kernel (native/ops/merge.cc
// collapses for its own): the output as rows[0] x rows[1] x rows[2] rows of c floats, each
// input's stride over them (0 where it spreads) and along the row (1, or 0: one float spread).
// Axes where both inputs spread alike merge, so equal shapes are one long row.
import type { MergeParams } from './backend';

export interface MergeShape {
  a: number[];
  b: number[];
  y: number[];
  rows: [number, number, number];
  c: number;
  as: number[];
  bs: number[];
}

/** The merge's shapes, or null when an axis differs and neither size is 1. */
export function broadcastMerge(p: MergeParams): MergeShape | null {
  const a = [p.an, p.ah, p.aw, p.ac], b = [p.bn, p.bh, p.bw, p.bc];
  if (a.some((d, k) => d !== b[k] && d !== 1 && b[k] !== 1)) return null;
  const y = a.map((d, k) => Math.max(d, b[k]));
  const after = (x: number[], k: number) => x.slice(k + 1).reduce((s, d) => s * d, 1);
  const groups: { size: number; sa: number; sb: number; pattern: number }[] = [];
  for (let k = 0; k < 4; k++) {
    if (y[k] === 1) continue;
    const pattern = (a[k] === 1 ? 1 : 0) | (b[k] === 1 ? 2 : 0);
    const sa = pattern & 1 ? 0 : after(a, k), sb = pattern & 2 ? 0 : after(b, k);
    const last = groups[groups.length - 1];
    if (last && last.pattern === pattern) Object.assign(last, { size: last.size * y[k], sa, sb });
    else groups.push({ size: y[k], sa, sb, pattern });
  }
  const s: MergeShape = { a, b, y, rows: [1, 1, 1], c: 1, as: [0, 0, 0, 1], bs: [0, 0, 0, 1] };
  const row = groups.pop();
  if (!row) return s;
  s.c = row.size;
  s.as[3] = row.sa ? 1 : 0;
  s.bs[3] = row.sb ? 1 : 0;
  groups.forEach((g, i) => {
    const k = 3 - groups.length + i;
    s.rows[k] = g.size;
    s.as[k] = g.sa;
    s.bs[k] = g.sb;
  });
  return s;
}
