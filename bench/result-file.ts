// Each bench command writes what it prints to bench/results/<name>.md (or --out DIR), headed by
// when, on which commit and CPU, and by which command it was made, so that docs link to a file
// the command regenerates instead of pasting figures.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
export const RESULTS_DIR = join(__dirname, 'results');

/** A markdown table; align has one letter per column, 'l' or 'r'. */
export function markdownTable(header: string[], body: string[][], align = ''): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const row = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
  const rule = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [row(header), `| ${rule.join(' | ')} |`, ...body.map(row)].join('\n');
}

/**
 * The short hash of HEAD, marked when the work tree has uncommitted changes to anything but
 * markdown (docs and result files cannot change a figure); undefined outside git.
 */
export function commitOf(dir = ROOT): string | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const hash = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)*.md') ? `${hash} (with uncommitted changes)` : hash;
  } catch {
    return undefined;
  }
}

/** `npm run <script>` with the arguments this process was given. */
export function commandLine(script: string, args = process.argv.slice(2)): string {
  return `npm run ${script}${args.length ? ` -- ${args.join(' ')}` : ''}`;
}

export interface ResultFile {
  /** The file's name without .md: bench, kernels, overhead, peers, browser, service. */
  name: string;
  title: string;
  command: string;
  /** Markdown: tables and notes. */
  body: string;
  /** Defaults to bench/results. */
  outDir?: string;
  date?: Date;
}

export function renderResult(r: ResultFile): string {
  const cpu = cpus();
  return [
    `# ${r.title}`,
    '',
    `- date: ${(r.date ?? new Date()).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- commit: ${commitOf() ?? 'unknown (not a git checkout)'}`,
    `- CPU: ${cpu[0]?.model?.trim() ?? 'unknown'}, ${cpu.length} logical cores`,
    `- Node ${process.version}, ${process.platform}-${process.arch}; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) when written`,
    `- command: \`${r.command}\``,
    '',
    r.body.trimEnd(),
    '',
  ].join('\n');
}

/** Writes bench/results/<name>.md (or <outDir>/<name>.md) and returns its path. */
export function writeResult(r: ResultFile): string {
  const dir = r.outDir ?? RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${r.name}.md`);
  writeFileSync(path, renderResult(r));
  return path;
}
