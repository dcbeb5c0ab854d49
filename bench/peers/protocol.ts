// Messages between the bench:peers parent and a candidate's child process.

export type ToChild =
  | { type: 'prepare'; workload: string; referencePath: string }
  | { type: 'measure'; budgetMs: number; minRuns: number }
  | { type: 'release' }
  | { type: 'exit' };

export type FromChild =
  | { type: 'ready' }
  | { type: 'unavailable'; reason: string }
  | { type: 'prepared'; maxError: number; firstRunMs: number; memory: PreparedMemory }
  | { type: 'measured'; times: number[] }
  | { type: 'released' }
  | { type: 'failed'; reason: string }
  | { type: 'exited'; maxRssMb: number };

/** A candidate's output is accepted when max |y - ref| / (sum of |terms| + 1e-6) stays below this. */
export const MAX_RELATIVE_ERROR = 1e-4;

/** What preparing a workload took: the process's RSS growth from before it to after the warm-up, and convkit's planned bytes. */
export interface PreparedMemory {
  rssDeltaMb: number;
  plannedMb?: number;
}
