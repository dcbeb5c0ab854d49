// The bench:peers report: a terminal table and a self-contained HTML page with an SVG chart.
import type { ColdStartRow } from './cold-start';
import type { EventLoopRow } from './event-loop';
import { markdownTable } from '../result-file';
import { median } from '../stats';
import type { PreparedMemory } from './protocol';

export interface CandidateInfo {
  id: string;
  label: string;
  library: string;
  layout: 'NHWC' | 'NCHW';
  threads: number;
  available: boolean;
  reason?: string;
  /** What it ran, when it says (bench:browser: the build or version and the threads). */
  detail?: string;
  peakRssMb?: number;
}

export interface PeerRow {
  workload: string;
  name: string;
  candidate: string;
  unit: string;
  runs: number;
  medianMs: number;
  minMs: number;
  rate: number;
  ratioToBestPeer: number;
  verified: boolean;
  maxError?: number;
  error?: string;
  /** Network rows: the error bound they were checked against (relative to the output's largest value). */
  bound?: number;
  memory?: PreparedMemory;
}

export interface PeerReport {
  /** Heading of the table and the page (default: convkit vs peers). */
  title?: string;
  /** What the ratios compare with (default: the best peer on the row). */
  ratioTo?: string;
  date: string;
  cpu: string;
  command: string;
  quick: boolean;
  rounds: number;
  budgetMs: number;
  maxRelativeError: number;
  installNote?: string;
  candidates: CandidateInfo[];
  rows: PeerRow[];
  eventLoop: EventLoopRow[];
  coldStart: ColdStartRow[];
  seconds: number;
}

/**
 * Fills each row of one workload from its times (runs, median, min, rate) and its ratio to the
 * best verified peer of its group (every row in one group unless `group` says otherwise).
 */
export function scoreWorkload(rows: PeerRow[], times: Map<string, number[]>, amount: number, group: (candidate: string) => string = () => ''): void {
  for (const row of rows) {
    const t = times.get(row.candidate);
    if (!t?.length) continue;
    Object.assign(row, { runs: t.length, medianMs: median(t), minMs: t.reduce((a, v) => Math.min(a, v), Infinity) });
    row.rate = amount / (row.medianMs * 1e-3) / 1e9;
  }
  for (const r of rows) {
    const peers = rows.filter((p) => !p.candidate.startsWith('convkit') && p.verified && p.rate > 0 && group(p.candidate) === group(r.candidate));
    const best = Math.max(0, ...peers.map((p) => p.rate));
    r.ratioToBestPeer = best > 0 ? r.rate / best : NaN;
  }
}

const LAYOUT_NOTE = 'ONNX Runtime is fed NCHW, as its users feed it; convkit and TensorFlow.js take NHWC.';

function cell(r: PeerRow | undefined): string {
  if (!r) return '';
  if (r.error) return 'error';
  if (!Number.isFinite(r.rate)) return '-';
  const ratio = Number.isFinite(r.ratioToBestPeer) ? ` ${r.ratioToBestPeer.toFixed(2)}x` : '';
  return `${r.rate.toFixed(1)}${ratio}${r.verified ? '' : ' WRONG'}`;
}

/** A text table; align has one letter per column, 'l' or 'r'. */
export function grid(header: string[], body: string[][], align: string): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (align[i] === 'l' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function workloadIds(report: PeerReport): string[] {
  return [...new Set(report.rows.map((r) => r.workload))];
}

export interface Section {
  caption?: string;
  header: string[];
  body: string[][];
  align: string;
}

/** The report's tables (the comparison, the candidates, event-loop health, cold start) and notes. */
function sections(report: PeerReport): { tables: Section[]; notes: string[] } {
  const live = report.candidates.filter((c) => c.available);
  const tables: Section[] = [];
  const notes: string[] = [];
  tables.push({
    header: ['id', 'workload', ...live.map((c) => c.label)],
    body: workloadIds(report).map((id) => {
      const rows = report.rows.filter((r) => r.workload === id);
      return [id, rows[0].name, ...live.map((c) => cell(rows.find((r) => r.candidate === c.id)))];
    }),
    align: 'll'.padEnd(live.length + 2, 'r'),
  });
  tables.push({
    header: ['candidate', 'library', 'layout', 'threads', 'peak RSS', 'status'],
    body: report.candidates.map((c) => [
      c.label, c.library, c.layout, c.threads ? String(c.threads) : '-', c.peakRssMb ? `${c.peakRssMb.toFixed(0)} MB` : '-',
      c.available ? `ok${c.detail ? ` (${c.detail})` : ''}` : `unavailable: ${c.reason}`,
    ]),
    align: 'lllrrl',
  });
  const wrong = report.rows.filter((r) => !r.verified || r.error);
  if (wrong.length) {
    notes.push('rows that are not verified (WRONG: the output disagrees with the float64 reference):');
    for (const r of wrong) notes.push(`  ${r.workload} ${r.candidate}: ${r.error ?? `max relative error ${r.maxError?.toExponential(2)} > ${r.bound ?? report.maxRelativeError}`}`);
  }
  const networks = networkSection(report);
  if (networks) tables.splice(1, 0, networks);
  if (report.eventLoop.length) {
    tables.push({
      caption: 'event-loop health: a stream of C1 convolutions (8x32x48x16 -> 32, 3x3, ReLU), back to back',
      header: ['variant', 'threads', 'runs/s', 'loop delay p50', 'p99', 'max'],
      body: report.eventLoop.map((e) => e.error
        ? [e.variant, '-', `error: ${e.error}`, '', '', '']
        : [e.variant, String(e.threads), e.perSecond!.toFixed(0), `${e.p50Ms!.toFixed(2)} ms`, `${e.p99Ms!.toFixed(2)} ms`, `${e.maxMs!.toFixed(2)} ms`]),
      align: 'lrrrrr',
    });
  }
  if (report.coldStart.length) {
    const ms = (v?: number) => (v === undefined ? '-' : `${v.toFixed(1)} ms`);
    tables.push({
      caption: 'cold start: a fresh Node process, from loading the library to the first C1 result (median of several)',
      header: ['variant', 'library loaded', 'session created', 'first result'],
      body: report.coldStart.map((c) => c.error ? [c.variant, `error: ${c.error}`, '', ''] : [c.variant, ms(c.requireMs), ms(c.sessionMs), ms(c.firstResultMs)]),
      align: 'lrrr',
    });
  }
  if (report.installNote) notes.push(report.installNote);
  return { tables, notes };
}

/** The network rows (those with a bound) one per candidate: time per run, ratio, error and memory. */
function networkSection(report: PeerReport): Section | undefined {
  const rows = report.rows.filter((r) => r.bound !== undefined || r.memory?.plannedMb !== undefined);
  if (!rows.length) return undefined;
  const label = (id: string) => report.candidates.find((c) => c.id === id)?.label ?? id;
  return {
    caption: 'networks: median time per run, ratio to the best peer, error against convkit native (every layer its own op) relative to the output\'s largest value, and memory: the RSS growth of the candidate\'s process from before building the model to after its warm-up; for convkit also the planned arena plus the weights',
    header: ['id', 'network', 'candidate', 'median', 'ratio', 'error', 'bound', 'RSS growth', 'convkit planned'],
    body: rows.map((r) => [
      r.workload, r.name, label(r.candidate), r.error ? 'error' : Number.isFinite(r.medianMs) ? `${r.medianMs.toFixed(1)} ms` : '-',
      Number.isFinite(r.ratioToBestPeer) ? `${r.ratioToBestPeer.toFixed(2)}x` : '-', r.maxError?.toExponential(1) ?? '-', r.bound?.toExponential(1) ?? '-',
      r.memory ? `${r.memory.rssDeltaMb.toFixed(0)} MB` : '-', r.memory?.plannedMb !== undefined ? `${r.memory.plannedMb.toFixed(1)} MB` : '-',
    ]),
    align: 'lllrrrrrr',
  };
}

function preamble(report: PeerReport): string[] {
  return [
    `${report.rounds} interleaved rounds, ${report.budgetMs} ms per candidate and workload${report.quick ? ' (--quick)' : ''}; every output checked against the float64 reference first${report.rows.some((r) => r.bound !== undefined) ? ' (the network rows, N, against convkit native within a bound from their depth)' : ''}.`,
    `Cells: median rate (GFLOP/s; the pools, P, A and G rows, the depthwise W rows and the merges, M rows, in GB/s) and ratio to ${report.ratioTo ?? 'the best peer on the row'}. ${LAYOUT_NOTE}`,
  ];
}

export function renderTable(report: PeerReport): string {
  const out: string[] = [];
  out.push(`${report.title ?? 'convkit vs peers'}, ${report.date.slice(0, 10)}, ${report.cpu}`);
  out.push(`command: ${report.command}`, ...preamble(report));
  const { tables, notes } = sections(report);
  for (const t of tables) {
    out.push('');
    if (t.caption) out.push(t.caption);
    out.push(grid(t.header, t.body, t.align));
  }
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}

const GROUPS: [string, string][] = [['C', 'convolutions'], ['P', 'max-pool'], ['D', 'dense']];
/** Groups with a column only when the report has one of their workloads. */
const OPTIONAL_GROUPS: [string, string][] = [['A', 'average pool'], ['G', 'global pool'], ['W', 'depthwise'], ['X', 'transposed conv'], ['U', 'upsampling'], ['M', 'merges'], ['R', 'grouped conv'], ['N', 'networks']];
const wasmLibrary = (library: string) => /wasm|web/.test(library);

/**
 * convkit against each peer of its kind (native: ONNX Runtime and TensorFlow.js for Node; wasm:
 * their wasm and web builds) at the same thread count: per group of workloads, the lowest and
 * highest ratio of rates and how many rows convkit leads.
 */
export function summaryTable(report: PeerReport): Section | undefined {
  const live = report.candidates.filter((c) => c.available);
  const groups = [...GROUPS, ...OPTIONAL_GROUPS.filter(([prefix]) => workloadIds(report).some((id) => id.startsWith(prefix)))];
  const body: string[][] = [];
  for (const ours of live.filter((c) => c.library === 'convkit')) {
    const wasm = ours.id.includes('wasm');
    for (const peer of live.filter((c) => c.library !== 'convkit' && c.threads === ours.threads && wasmLibrary(c.library) === wasm && !c.library.endsWith('-cpu'))) {
      const cells = groups.map(([prefix]) => {
        const ratios = workloadIds(report).filter((id) => id.startsWith(prefix)).flatMap((id) => {
          const rate = (c: string) => report.rows.find((r) => r.workload === id && r.candidate === c && r.verified && !r.error)?.rate ?? NaN;
          const ratio = rate(ours.id) / rate(peer.id);
          return Number.isFinite(ratio) ? [ratio] : [];
        });
        if (!ratios.length) return '-';
        const lo = Math.min(...ratios), hi = Math.max(...ratios), ahead = ratios.filter((r) => r > 1).length;
        return `${lo.toFixed(2)}-${hi.toFixed(2)}x (${ahead}/${ratios.length} ahead)`;
      });
      body.push([ours.label, peer.label, String(ours.threads), ...cells]);
    }
  }
  if (!body.length) return undefined;
  return {
    caption: 'summary: convkit\'s rate over the peer\'s at the same thread count, lowest and highest over the rows of each group, and the rows where convkit is faster',
    header: ['convkit', 'against', 'threads', ...groups.map(([, name]) => name)],
    body,
    align: `llr${'l'.repeat(groups.length)}`,
  };
}

/** The same report as markdown, for bench/results/<name>.md (the header comes from result-file.ts). */
export function renderMarkdown(report: PeerReport): string {
  const out: string[] = [preamble(report).join(' '), ''];
  const summary = summaryTable(report);
  if (summary) out.push(`${summary.caption![0].toUpperCase()}${summary.caption!.slice(1)}:`, '', markdownTable(summary.header, summary.body, summary.align), '');
  const { tables, notes } = sections(report);
  for (const t of tables) {
    if (t.caption) out.push(`${t.caption[0].toUpperCase()}${t.caption.slice(1)}:`, '');
    out.push(markdownTable(t.header, t.body, t.align), '');
  }
  if (notes.length) out.push('```', ...notes, '```', '');
  out.push(`Run time ${report.seconds.toFixed(0)} s.`);
  return out.join('\n');
}

const COLORS: Record<string, string> = {
  convkit: '#1f77b4', 'onnxruntime-node': '#d62728', 'onnxruntime-web': '#ff9896',
  '@tensorflow/tfjs-backend-wasm': '#2ca02c', '@tensorflow/tfjs-backend-cpu': '#98df8a', '@tensorflow/tfjs-node': '#17becf',
};

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Small multiples: one panel per workload, one horizontal bar per candidate. */
export function chart(report: PeerReport): string {
  const live = report.candidates.filter((c) => c.available);
  const ids = workloadIds(report);
  const cols = 3, panelW = 360, barH = 16, labelW = 120, panelH = 40 + live.length * (barH + 4);
  const rows = Math.ceil(ids.length / cols);
  const parts: string[] = [];
  ids.forEach((id, k) => {
    const x0 = (k % cols) * (panelW + 20), y0 = Math.floor(k / cols) * (panelH + 20);
    const data = report.rows.filter((r) => r.workload === id);
    const max = Math.max(1e-9, ...data.filter((r) => Number.isFinite(r.rate)).map((r) => r.rate));
    parts.push(`<g transform="translate(${x0},${y0})"><text x="0" y="16" font-weight="bold">${esc(`${id} ${data[0].name}`)} (${esc(data[0].unit)})</text>`);
    live.forEach((c, i) => {
      const r = data.find((d) => d.candidate === c.id);
      const y = 28 + i * (barH + 4);
      const v = r && Number.isFinite(r.rate) ? r.rate : 0;
      const w = ((panelW - labelW - 60) * v) / max;
      parts.push(`<text x="${labelW - 6}" y="${y + 12}" text-anchor="end" font-size="11">${esc(c.label)}</text>`);
      parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[c.library] ?? '#888'}"${r && !r.verified ? ' stroke="black" stroke-dasharray="3,2"' : ''}/>`);
      parts.push(`<text x="${labelW + w + 4}" y="${y + 12}" font-size="11">${v ? v.toFixed(1) : r?.error ? 'error' : '-'}${r && !r.verified && !r.error ? ' WRONG' : ''}</text>`);
    });
    parts.push('</g>');
  });
  const width = cols * (panelW + 20), height = rows * (panelH + 20);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">${parts.join('')}</svg>`;
}

export function renderHtml(report: PeerReport): string {
  const table = (text: string) => `<pre>${esc(text)}</pre>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(report.title ?? 'convkit vs peers')}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}pre{font-size:12px;background:#f6f6f6;padding:12px;overflow-x:auto}</style></head><body>
<h1>${esc(report.title ?? 'convkit vs peers')}</h1>
<p>${esc(report.date)} on ${esc(report.cpu)}. Command: <code>${esc(report.command)}</code>. Median over ${report.rounds} interleaved rounds after warm-up; every output verified against convkit's float64 reference (max relative error ${report.maxRelativeError}). ${esc(LAYOUT_NOTE)}</p>
${chart(report)}
<h2>Table</h2>${table(renderTable(report))}
<h2>Every measurement</h2>${table(report.rows.map((r) => `${r.workload} ${r.candidate.padEnd(20)} runs ${String(r.runs).padStart(5)}  median ${r.medianMs.toFixed(3).padStart(9)} ms  min ${r.minMs.toFixed(3).padStart(9)} ms  ${Number.isFinite(r.rate) ? r.rate.toFixed(2) : '-'} ${r.unit}  max error ${r.maxError?.toExponential(2) ?? '-'}${r.error ? `  error: ${r.error}` : ''}`).join('\n'))}
</body></html>
`;
}
