// The bench:service report: a terminal table, the done-criteria check, and a self-contained HTML page.
import { availableParallelism } from 'node:os';
import { esc, grid } from '../peers/report';
import { markdownTable } from '../result-file';

export interface VariantInfo {
  id: string;
  label: string;
  library: string;
  threads: number;
  available: boolean;
  reason?: string;
  /** Exit code after SIGTERM at the end (0: a clean shutdown). */
  shutdownExitCode?: number;
}

export interface ServiceRun {
  variant: string;
  round: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  errors: number;
}

/** Medians over the rounds (errors summed). */
export interface ServiceRow {
  variant: string;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  loopP50Ms: number;
  loopP99Ms: number;
  errors: number;
}

export interface ServiceReport {
  date: string;
  cpu: string;
  command: string;
  quick: boolean;
  rounds: number;
  secondsPerRun: number;
  connections: number;
  installNote?: string;
  variants: VariantInfo[];
  runs: ServiceRun[];
  rows: ServiceRow[];
  /** Wall time of the whole command. */
  seconds: number;
}

/** The convkit row the example runs by default (cores - 1 compute threads), and the best ONNX Runtime row by requests/s. */
export function verdictRows(report: ServiceReport): { convkit?: ServiceRow; ort?: ServiceRow } {
  const library = (r: ServiceRow) => report.variants.find((v) => v.id === r.variant)!.library;
  const convkit = report.rows.find((r) => r.variant === `convkit-${Math.max(1, availableParallelism() - 1)}t`) ?? report.rows.find((r) => library(r) === 'convkit');
  const ort = report.rows.filter((r) => library(r) === 'onnxruntime-node').sort((a, b) => b.perSecond - a.perSecond)[0];
  return { convkit, ort };
}

/** The done criteria, each with its figures. */
export function verdict(report: ServiceReport): string[] {
  const { convkit, ort } = verdictRows(report);
  if (!convkit || !ort) return ['done criteria: not checked (needs a convkit and an onnxruntime-node row)'];
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  return [
    `done criteria (${convkit.variant}, the example's default, against ${ort.variant}, the faster ONNX Runtime service):`,
    `  requests/s ${convkit.perSecond.toFixed(0)} vs ${ort.perSecond.toFixed(0)} (${(convkit.perSecond / ort.perSecond).toFixed(2)}x): ${mark(convkit.perSecond >= ort.perSecond)}`,
    `  latency p99 ${convkit.p99Ms.toFixed(2)} ms vs ${ort.p99Ms.toFixed(2)} ms (${(convkit.p99Ms / ort.p99Ms).toFixed(2)}x): ${mark(convkit.p99Ms <= ort.p99Ms)}`,
    `  event-loop delay p99 ${convkit.loopP99Ms.toFixed(2)} ms (at most 1 ms): ${mark(convkit.loopP99Ms <= 1)}`,
  ];
}

function serviceTable(report: ServiceReport): [string[], string[][], string] {
  const label = (id: string) => report.variants.find((v) => v.id === id)!.label;
  return [['service', 'requests/s', 'latency p50', 'p99', 'p99.9', 'loop delay p50', 'p99', 'errors'], report.rows.map((r) => [
    label(r.variant), r.perSecond.toFixed(0), `${r.p50Ms.toFixed(2)} ms`, `${r.p99Ms.toFixed(2)} ms`, `${r.p999Ms.toFixed(2)} ms`,
    `${r.loopP50Ms.toFixed(3)} ms`, `${r.loopP99Ms.toFixed(3)} ms`, String(r.errors),
  ]), 'lrrrrrrr'];
}

/** The report as markdown, for bench/results/service.md (the header comes from result-file.ts). */
export function renderServiceMarkdown(report: ServiceReport): string {
  const broken = report.variants.filter((v) => !v.available || (v.shutdownExitCode !== undefined && v.shutdownExitCode !== 0));
  return [
    `autocannon, ${report.connections} connections, 127.0.0.1, POST /predict (one 64x64x3 float32 image); ${report.rounds} alternating rounds`
      + ` of ${report.secondsPerRun} s per service after a warm-up${report.quick ? ' (--quick)' : ''}; cells are medians over the rounds.`
      + ' Loop delay: the service\'s own `perf_hooks.monitorEventLoopDelay` (1 ms resolution, minus that resolution), read from its /stats.',
    '',
    markdownTable(...serviceTable(report)),
    '',
    '```',
    ...broken.map((v) => (v.available ? `${v.label}: exited with ${v.shutdownExitCode} after SIGTERM` : `${v.label}: unavailable: ${v.reason}`)),
    ...verdict(report),
    ...(report.installNote ? [report.installNote] : []),
    '```',
    '',
    `Run time ${report.seconds.toFixed(0)} s.`,
  ].join('\n');
}

export function renderServiceTable(report: ServiceReport): string {
  const out: string[] = [];
  out.push(`examples/service under load, ${report.date.slice(0, 10)}, ${report.cpu}`);
  out.push(`command: ${report.command}; autocannon, ${report.connections} connections, 127.0.0.1, POST /predict (one 64x64x3 float32 image);`);
  out.push(`${report.rounds} alternating rounds of ${report.secondsPerRun} s per service after a warm-up${report.quick ? ' (--quick)' : ''}; cells are medians over the rounds.`);
  out.push('loop delay: the service\'s own perf_hooks.monitorEventLoopDelay (1 ms resolution, minus that resolution), read from its /stats.');
  out.push('');
  out.push(grid(...serviceTable(report)));
  const broken = report.variants.filter((v) => !v.available || (v.shutdownExitCode !== undefined && v.shutdownExitCode !== 0));
  for (const v of broken) out.push(v.available ? `${v.label}: exited with ${v.shutdownExitCode} after SIGTERM` : `${v.label}: unavailable: ${v.reason}`);
  out.push('', ...verdict(report));
  if (report.installNote) out.push('', report.installNote);
  return out.join('\n');
}

const COLORS: Record<string, string> = { convkit: '#1f77b4', 'onnxruntime-node': '#d62728' };

/** Three panels of horizontal bars: requests/s, latency p99, loop delay p99. */
function chart(report: ServiceReport): string {
  const metrics: [string, (r: ServiceRow) => number, string][] = [
    ['requests/s (higher is better)', (r) => r.perSecond, ''],
    ['latency p99 (lower is better)', (r) => r.p99Ms, ' ms'],
    ['event-loop delay p99 (lower is better)', (r) => r.loopP99Ms, ' ms'],
  ];
  const panelW = 380, barH = 16, labelW = 220, panelH = 32 + report.rows.length * (barH + 4);
  const parts = metrics.map(([title, f, unit], k) => {
    const max = Math.max(1e-9, ...report.rows.map(f));
    const bars = report.rows.map((r, i) => {
      const v = report.variants.find((x) => x.id === r.variant)!;
      const y = 24 + i * (barH + 4), w = ((panelW - labelW - 70) * f(r)) / max;
      return `<text x="${labelW - 6}" y="${y + 12}" text-anchor="end" font-size="11">${esc(v.label)}</text>`
        + `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[v.library] ?? '#888'}"/>`
        + `<text x="${labelW + w + 4}" y="${y + 12}" font-size="11">${f(r).toFixed(unit ? 2 : 0)}${unit}</text>`;
    });
    return `<g transform="translate(0,${k * (panelH + 16)})"><text x="0" y="14" font-weight="bold">${esc(title)}</text>${bars.join('')}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${panelW}" height="${metrics.length * (panelH + 16)}" font-family="sans-serif">${parts.join('')}</svg>`;
}

export function renderServiceHtml(report: ServiceReport): string {
  const pre = (text: string) => `<pre>${esc(text)}</pre>`;
  const runs = report.runs.map((r) => `round ${r.round + 1} ${r.variant.padEnd(16)} ${r.perSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  p99.9 ${r.p999Ms.toFixed(2).padStart(6)} ms  loop p50 ${r.loopP50Ms.toFixed(3)} p99 ${r.loopP99Ms.toFixed(3)} max ${r.loopMaxMs.toFixed(2)} ms  errors ${r.errors}`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>convkit in a service</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}pre{font-size:12px;background:#f6f6f6;padding:12px;overflow-x:auto}</style></head><body>
<h1>convkit in a service</h1>
<p>${esc(report.date)} on ${esc(report.cpu)}. Command: <code>${esc(report.command)}</code>.</p>
${chart(report)}
<h2>Table</h2>${pre(renderServiceTable(report))}
<h2>Every run</h2>${pre(runs.join('\n'))}
</body></html>
`;
}
