// What bench:browser serves for a network workload: the input, the model as a Keras/tfjs layers
// file (model.json and its weights, written by convkit's save) that convkit's loadModel and
// tfjs-layers' loadLayersModel both read in the page, the ONNX graph and NCHW input for
// onnxruntime-web, and the reference (convkit native) the page's outputs are checked against.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nhwcToNchw } from '../../suite/layout';
import type { Workload } from '../../suite/workloads';
import { convkitModel } from './convkit-model';
import { onnxNetwork } from './onnx-graph';
import { networkData, networkOf, writeNetworkReference } from './workloads';

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export interface NetworkFiles {
  files: Map<string, Uint8Array>;
  /** The page's spec: `files` lists the float arrays and the ONNX model it fetches; the layers model it loads by URL. */
  spec: object;
  modelOutputShape: number[];
}

export async function networkFiles(w: Workload, referencePath: string, withOnnx: boolean): Promise<NetworkFiles> {
  const d = networkData(w), net = networkOf(w);
  await writeNetworkReference(w, d, referencePath);
  const files = new Map<string, Uint8Array>([['input', bytesOf(d.input)]]);
  let modelInputShape: number[] = [], modelOutputShape: number[] = [];
  if (withOnnx) {
    const model = onnxNetwork(net, w.n);
    files.set('model', model.bytes);
    files.set('inputNchw', bytesOf(nhwcToNchw(d.input, d.inputShape)));
    ({ inputShape: modelInputShape, outputShape: modelOutputShape } = model);
  }
  const listed = [...files.keys()];
  const dir = mkdtempSync(join(tmpdir(), 'convkit-net-'));
  try {
    await convkitModel(net).save(dir);
    for (const f of readdirSync(dir)) files.set(f, readFileSync(join(dir, f)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const spec = { id: w.id, op: 'network', inputShape: d.inputShape, outputShape: d.outputShape, modelInputShape, files: listed, layersModel: 'model.json' };
  files.set('spec.json', new TextEncoder().encode(JSON.stringify(spec)));
  return { files, spec, modelOutputShape };
}
