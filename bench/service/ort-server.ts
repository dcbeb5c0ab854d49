// The service of examples/service on onnxruntime-node: the same HTTP code, the same model and
// weights (built by convkit's seeded layers, converted by onnx-cnn.ts), predict by session.run.
// Run by bench/service.ts: node --import tsx bench/service/ort-server.ts --port 0 --threads n
import { parseArgs } from 'node:util';
import * as ck from '../../lib/index';
import { peer } from '../peers/peer-require';
import { onnxSequential } from './onnx-cnn';
const { createService, serve } = require('../../examples/service/service.js');
const { INPUT_SHAPE, INPUT_FLOATS, LABELS, loadModel } = require('../../examples/service/model.js');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, threads: { type: 'string' } } });
  const threads = Number(values.threads ?? 1);
  const ort = peer('onnxruntime-node');
  const inputShape = [1, ...INPUT_SHAPE];
  ck.setNumThreads(1); // convkit only makes the weights here: no pool threads
  const { bytes } = onnxSequential(loadModel(ck), inputShape);
  // As bench:peers runs it: the CPU provider, intra-op threads as asked, sequential execution.
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', executionProviders: ['cpu'],
  });
  const predict = async (image: Float32Array) => (await session.run({ x: new ort.Tensor('float32', image, inputShape) })).y.data as Float32Array;
  const service = createService({ predict, inputFloats: INPUT_FLOATS, labels: LABELS, info: { library: 'onnxruntime-node', threads } });
  serve(service, { port: Number(values.port ?? 0), host: '127.0.0.1', banner: `onnxruntime-node, ${threads} intra-op thread(s)` });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
