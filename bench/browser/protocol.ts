// Messages between `npm run bench:browser` (bench/browser.ts: serves the page, checks outputs,
// writes the report) and its driver process (bench/browser/driver.ts: Chromium).

export interface Plan {
  url: string;
  candidates: string[];
  workloads: string[];
  rounds: number;
  budgetMs: number;
  minRuns: number;
}

export interface CandidateResult {
  id: string;
  available: boolean;
  reason?: string;
  /** What the page reports it runs: build or version, threads. */
  info?: string;
  isolated?: boolean;
}

/** One candidate on one workload: the output's error, the times (ms), or what failed. */
export interface Measurement {
  maxError?: number;
  times: number[];
  error?: string;
}

export type ToParent =
  | { type: 'progress'; task: string }
  | { type: 'done'; candidates: CandidateResult[]; results: Record<string, Record<string, Measurement>> }
  | { type: 'failed'; reason: string };
