// Buffers assigned by liveness for the wasm backend's graphs (native/ops/liveness.h is the
// native backend's own): intermediate values share one arena, each holding space from the step
// that writes it to the last step that reads it.

export interface LiveRange {
  floats: number;
  /** The step that writes it. */
  first: number;
  /** The last step that reads it (first when none does). */
  last: number;
}

/** Offsets in floats are multiples of this: a cache line, where threads split outputs. */
export const ARENA_ALIGN = 16;

const aligned = (floats: number) => Math.ceil(floats / ARENA_ALIGN) * ARENA_ALIGN;

/**
 * First fit in step order: a value may reuse the space of every value whose last reader came
 * before the step that writes it (never that step's own inputs). Returns each range's offset and
 * the arena's size in floats.
 */
export function assignByLiveness(ranges: readonly LiveRange[]): { offsets: number[]; floats: number } {
  const offsets = new Array<number>(ranges.length).fill(0);
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a].first - ranges[b].first || a - b);
  let live: number[] = [];
  let floats = 0;
  for (const v of order) {
    const r = ranges[v];
    live = live.filter((u) => ranges[u].last >= r.first).sort((a, b) => offsets[a] - offsets[b]);
    const need = aligned(r.floats);
    let at = 0;
    for (const u of live) {
      if (offsets[u] >= at + need) break; // the gap before u holds it
      at = Math.max(at, offsets[u] + aligned(ranges[u].floats));
    }
    offsets[v] = at;
    floats = Math.max(floats, at + need);
    live.push(v);
  }
  return { offsets, floats };
}
