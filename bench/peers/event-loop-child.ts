// One event-loop health variant (see event-loop.ts), run in its own process.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as ck from '../../lib/index';
import { convkitLayer, workloadData } from '../../suite/data';
import { loadWorkloads } from '../../suite/workloads';
import { onnxModel } from './onnx-model';
import { peer } from './peer-require';
import type { EventLoopRow } from './event-loop';

const [variant, duration] = [process.argv[2], Number(process.argv[3])];
const THREADS = 2;

async function stream(step: () => Promise<unknown>): Promise<Omit<EventLoopRow, 'variant' | 'threads'>> {
  await step(); // warm-up outside the measurement
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < duration) {
    await step();
    runs++;
  }
  const seconds = (performance.now() - start) / 1000;
  h.disable();
  return { runs, perSecond: runs / seconds, p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
}

async function main(): Promise<void> {
  const w = loadWorkloads().find((x) => x.id === 'C1')!;
  const d = workloadData(w);
  let step: () => Promise<unknown>;
  if (variant.startsWith('convkit')) {
    ck.setNumThreads(THREADS);
    const layer = convkitLayer(w, d);
    const x = new ck.Tensor(d.input, d.inputShape);
    step = variant.endsWith('forwardAsync')
      ? () => layer.forwardAsync(x)
      // A synchronous forward, then one turn of the loop so timers can run between calls.
      : () => { layer.forward(x); return new Promise((r) => setImmediate(r)); };
  } else {
    const ort = peer('onnxruntime-node');
    const model = onnxModel(w, d);
    const session = await ort.InferenceSession.create(model.bytes, { intraOpNumThreads: THREADS, interOpNumThreads: 1, executionMode: 'sequential' });
    const x = new ort.Tensor('float32', new Float32Array(d.input.length), model.inputShape);
    step = () => session.run({ x });
  }
  process.send!({ variant, threads: THREADS, ...(await stream(step)) }, () => process.exit(0));
}

main().catch((e) => process.send!({ variant, threads: THREADS, error: (e as Error).message.split('\n')[0] }, () => process.exit(0)));
