// Cold start in Node: a fresh process from loading the library to the first C1 convolution,
// convkit with the wasm backend forced (and native, for reference) next to onnxruntime-web's
// session creation and first result. Median of several processes each.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workloadData } from '../../suite/data';
import { loadWorkloads } from '../../suite/workloads';
import { onnxModel } from './onnx-model';

export interface ColdStartRow {
  variant: string;
  runs: number;
  requireMs?: number;
  sessionMs?: number;
  firstResultMs?: number;
  error?: string;
}

const ROOT = join(__dirname, '..', '..');

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function runColdStart(runs: number, withPeers: boolean): ColdStartRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-cold-'));
  const variants: { name: string; args: string[]; env: Record<string, string> }[] = [
    { name: 'convkit wasm (forced)', args: ['convkit', ROOT], env: { CONVKIT_BACKEND: 'wasm' } },
    { name: 'convkit native', args: ['convkit', ROOT], env: { CONVKIT_BACKEND: 'native' } },
  ];
  try {
    if (withPeers) {
      const w = loadWorkloads().find((x) => x.id === 'C1')!;
      const model = join(dir, 'c1.onnx');
      writeFileSync(model, onnxModel(w, workloadData(w)).bytes);
      variants.push({ name: 'onnxruntime-web (1 thread)', args: ['onnxruntime-web', ROOT, model], env: {} });
    }
    return variants.map((v) => {
      const results: Record<string, number | string>[] = [];
      for (let i = 0; i < runs; i++) {
        const out = execFileSync(process.execPath, [join(__dirname, 'cold-start-child.cjs'), ...v.args], {
          env: { ...process.env, ...v.env, NODE_OPTIONS: '' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
        });
        results.push(JSON.parse(out));
      }
      const failed = results.find((r) => r.error);
      if (failed) return { variant: v.name, runs, error: String(failed.error) };
      const pick = (key: string) => (results[0][key] === undefined ? undefined : median(results.map((r) => Number(r[key]))));
      return { variant: v.name, runs, requireMs: pick('requireMs'), sessionMs: pick('sessionMs'), firstResultMs: pick('firstResultMs') };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
