// `npm run bench:browser`: the 12 standard workloads in headless Chromium on a cross-origin-
// isolated page: convkit's browser bundle (wasm, 1 and 2 threads, the best build the page
// validates) against @tensorflow/tfjs-backend-wasm and onnxruntime-web (1 and 2 threads each).
// This process serves the page, the bundles and each workload's data, and checks every output
// against the float64 reference (bench/peers/reference.ts); Chromium runs in a child process
// (bench/browser/driver.ts), one page per candidate, rounds interleaved as in bench:peers.
// Options: --only C3,D2  --candidates convkit-wasm-1t,ort-web-1t  --quick  --json  --out DIR.
// Writes browser.md, browser.json and browser.html (bench/results by default) and prints the table.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { workloadData } from '../suite/data';
import { nchwToNhwc, nhwcToNchw } from '../suite/layout';
import { loadWorkloads, windowOf, work, type Workload } from '../suite/workloads';
import type { Plan, ToParent } from './browser/protocol';
import { ensurePeersInstalled } from './peers/install';
import { onnxModel } from './peers/onnx-model';
import { MAX_RELATIVE_ERROR } from './peers/protocol';
import { maxError, writeReference } from './peers/reference';
import { progress } from './progress';
import { networkFiles } from './networks/browser-files';
import { isNetwork, networkBound, networkWork, withNetworks } from './networks/workloads';
import { commandLine, writeResult } from './result-file';
import { renderHtml, renderMarkdown, renderTable, scoreWorkload, type CandidateInfo, type PeerReport, type PeerRow } from './peers/report';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const quick = args.includes('--quick');
const ROUNDS = quick ? 2 : 5;
const BUDGET_MS = quick ? 150 : 1000;
const MIN_RUNS_PER_ROUND = quick ? 1 : 2;

const ROOT = join(__dirname, '..');
const PEERS = join(__dirname, 'node_modules');
/** What the page may load from bench/node_modules: the peers' browser builds and their .wasm files. */
const PEER_DIRS = ['@tensorflow/tfjs-core/dist/', '@tensorflow/tfjs-backend-wasm/dist/', 'onnxruntime-web/dist/', '@tensorflow/tfjs-layers/dist/'];
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.json': 'application/json' };
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };

const CANDIDATES: Omit<CandidateInfo, 'available'>[] = [
  ...[1, 2].map((t) => ({ id: `convkit-wasm-${t}t`, label: `convkit wasm ${t}t`, library: 'convkit', layout: 'NHWC' as const, threads: t })),
  ...[1, 2].map((t) => ({ id: `tfjs-wasm-${t}t`, label: `tfjs wasm ${t}t`, library: '@tensorflow/tfjs-backend-wasm', layout: 'NHWC' as const, threads: t })),
  ...[1, 2].map((t) => ({ id: `ort-web-${t}t`, label: `ort-web ${t}t`, library: 'onnxruntime-web', layout: 'NCHW' as const, threads: t })),
];

/** One workload's files for the page, its reference on disk, made when the page first asks. */
interface Served {
  id: string;
  workload: Workload;
  files: Map<string, Uint8Array>;
  referencePath: string;
  modelOutputShape: number[];
}

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function serveWorkload(w: Workload, refDir: string, withOnnx: boolean): Served {
  const d = workloadData(w);
  const referencePath = join(refDir, `${w.id}.bin`);
  writeReference(w, d, referencePath);
  const files = new Map<string, Uint8Array>([['input', bytesOf(d.input)]]);
  if (d.kernel) files.set('kernel', bytesOf(d.kernel));
  if (d.bias) files.set('bias', bytesOf(d.bias));
  let modelInputShape: number[] = [], modelOutputShape: number[] = [];
  if (withOnnx) {
    const model = onnxModel(w, d);
    files.set('model', model.bytes);
    files.set('inputNchw', w.op === 'dense' ? bytesOf(d.input) : bytesOf(nhwcToNchw(d.input, d.inputShape)));
    ({ inputShape: modelInputShape, outputShape: modelOutputShape } = model);
  }
  const { k, stride, padding } = w.op === 'dense' ? { k: 0, stride: 0, padding: 'valid' } : windowOf(w);
  const spec = {
    id: w.id, op: w.op, inputShape: d.inputShape, outputShape: d.outputShape, k, stride, padding,
    activation: w.activation ?? 'linear', filters: w.filters, units: w.units,
    kernelShape: w.op === 'conv2d' ? [w.k, w.k, w.c, w.filters] : [w.in, w.units], modelInputShape, files: [...files.keys()],
  };
  files.set('spec.json', new TextEncoder().encode(JSON.stringify(spec)));
  return { id: w.id, workload: w, files, referencePath, modelOutputShape };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const only = option('only')?.split(',');
  const wanted = option('candidates')?.split(',');
  const workloads = withNetworks(loadWorkloads()).filter((w) => !only || only.includes(w.id));
  if (!workloads.length) throw new Error(`no workload matches --only ${only!.join(',')}`);
  const chosen = CANDIDATES.filter((c) => !wanted || wanted.includes(c.id));
  if (!chosen.length) throw new Error(`no candidate matches --candidates ${wanted!.join(',')} (known: ${CANDIDATES.map((c) => c.id).join(', ')})`);
  const bundle = join(ROOT, 'dist', 'browser', 'convkit.mjs');
  if (!existsSync(bundle)) throw new Error('dist/browser/convkit.mjs is missing: run `npm run build`');
  const installNote = chosen.some((c) => c.library !== 'convkit') ? ensurePeersInstalled() : undefined;
  const withOnnx = chosen.some((c) => c.library === 'onnxruntime-web');

  const refDir = mkdtempSync(join(tmpdir(), 'convkit-browser-ref-'));
  let current: Served | null = null;
  const errors = new Map<string, number>(); // `${candidate} ${workload}` -> max relative error
  // The networks' files are made before the page runs (the reference and the saved model take a moment).
  const networks = new Map<string, Served>();
  for (const w of workloads.filter(isNetwork)) {
    const referencePath = join(refDir, `${w.id}.bin`);
    const { files, modelOutputShape } = await networkFiles(w, referencePath, withOnnx);
    networks.set(w.id, { id: w.id, workload: w, files, referencePath, modelOutputShape });
  }
  const served = (id: string): Served => {
    if (networks.has(id)) return networks.get(id)!;
    if (current?.id !== id) current = serveWorkload(workloads.find((w) => w.id === id)!, refDir, withOnnx);
    return current;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (body: Uint8Array | string, type: string) => res.writeHead(200, { ...ISOLATED, 'Content-Type': type }).end(body);
    let m: RegExpExecArray | null;
    if (url === '/page.html' || url === '/page.mjs') return send(readFileSync(join(__dirname, 'browser', url.slice(1))), TYPES[extname(url)]);
    if (url === '/convkit.mjs') return send(readFileSync(bundle), TYPES['.mjs']);
    if ((m = /^\/peers\/(.+)$/.exec(url)) && PEER_DIRS.some((d) => normalize(m![1]).startsWith(d)) && existsSync(join(PEERS, normalize(m[1])))) {
      return send(readFileSync(join(PEERS, normalize(m[1]))), TYPES[extname(url)] ?? 'application/octet-stream');
    }
    if ((m = /^\/data\/(\w+)\/([\w.-]+)$/.exec(url)) && workloads.some((w) => w.id === m![1])) {
      const file = served(m[1]).files.get(m[2]);
      if (file) return send(file, m[2].endsWith('.json') ? TYPES['.json'] : 'application/octet-stream');
    }
    if (req.method === 'POST' && (m = /^\/output\/([\w-]+)\/(\w+)$/.exec(url))) {
      const body = await readBody(req);
      const s = served(m[2]);
      let y = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
      if (m[1].startsWith('ort') && s.modelOutputShape.length === 4) y = nchwToNhwc(y, s.modelOutputShape);
      const error = maxError(y, s.referencePath);
      errors.set(`${m[1]} ${m[2]}`, error);
      return send(JSON.stringify({ maxError: error }), TYPES['.json']);
    }
    res.writeHead(404, ISOLATED).end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => res.writeHead(500, ISOLATED).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const plan: Plan = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, candidates: chosen.map((c) => c.id),
    workloads: workloads.map((w) => w.id), rounds: ROUNDS, budgetMs: BUDGET_MS, minRuns: MIN_RUNS_PER_ROUND,
  };

  // Chromium from a child process: this one keeps serving the page while it runs.
  const driver = fork(join(__dirname, 'browser', 'driver.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let result: Extract<ToParent, { type: 'done' }>;
  // Steps: per workload, each candidate's warm-up and rounds; the driver names each as it starts.
  const bar = progress();
  bar.start(workloads.length * chosen.length * (ROUNDS + 1), 'starting Chromium');
  let steps = 0;
  try {
    result = await new Promise((resolve, reject) => {
      driver.on('message', (m: ToParent) => {
        if (m.type === 'progress') {
          if (/warm-up|round/.test(m.task) && steps++ > 0) bar.increment();
          bar.task(m.task);
        }
        else if (m.type === 'done') resolve(m);
        else reject(new Error(`bench:browser driver: ${m.reason}`));
      });
      driver.on('exit', (code) => reject(new Error(`bench:browser driver exited (${code}) before reporting`)));
      driver.send(plan);
    });
  } finally {
    bar.stop();
    if (driver.exitCode === null) driver.kill();
    server.close();
    rmSync(refDir, { recursive: true, force: true });
  }

  const candidates: CandidateInfo[] = chosen.map((c) => {
    const r = result.candidates.find((x) => x.id === c.id)!;
    const detail = r.available && !r.isolated ? `${r.info}; the page is not crossOriginIsolated` : r.info;
    return { ...c, available: r.available, reason: r.reason, detail };
  });
  const rows: PeerRow[] = [];
  for (const w of workloads) {
    const measured = result.results[w.id] ?? {};
    const { amount, unit } = isNetwork(w) ? networkWork(w) : work(w, workloadData(w).outputShape);
    const bound = isNetwork(w) ? networkBound(w) : MAX_RELATIVE_ERROR;
    const times = new Map<string, number[]>();
    const wRows = Object.entries(measured).map(([id, m]): PeerRow => {
      const error = errors.get(`${id} ${w.id}`) ?? m.maxError;
      times.set(id, m.times);
      return {
        workload: w.id, name: w.name, candidate: id, unit, runs: 0, medianMs: NaN, minMs: NaN, rate: NaN, ratioToBestPeer: NaN,
        verified: error !== undefined && error <= bound, maxError: error, error: m.error, ...(isNetwork(w) ? { bound } : {}),
      };
    });
    const threadsOf = (id: string) => String(CANDIDATES.find((c) => c.id === id)!.threads);
    scoreWorkload(wRows, times, amount, threadsOf);
    rows.push(...wRows);
  }
  const report: PeerReport = {
    title: 'convkit vs peers in headless Chromium', ratioTo: 'the best peer with the same thread count',
    date: new Date().toISOString(), cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
    command: commandLine('bench:browser', args),
    quick, rounds: ROUNDS, budgetMs: BUDGET_MS, maxRelativeError: MAX_RELATIVE_ERROR,
    installNote, candidates, rows, eventLoop: [], coldStart: [], seconds: (Date.now() - started) / 1000,
  };
  const outDir = option('out') ?? join(__dirname, 'results');
  if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'browser.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(outDir, 'browser.html'), renderHtml(report));
  writeResult({ name: 'browser', title: 'convkit against TensorFlow.js and onnxruntime-web in headless Chromium', command: report.command, body: renderMarkdown(report), outDir });
  if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else console.log(renderTable(report));
  process.stderr.write(`wrote browser.md, browser.json and browser.html in ${outDir} (${report.seconds.toFixed(0)} s)\n`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
