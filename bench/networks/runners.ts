// Each candidate's runner for a network workload: the model built once (convkit functional model,
// tfjs-layers model, ONNX Runtime session on the ONNX graph), the input placed once, as the
// single-op workloads do (peers/candidates.ts).
import * as ck from '../../lib/index';
import type { WorkloadData } from '../../suite/data';
import { nchwToNhwc, nhwcToNchw } from '../../suite/layout';
import type { Workload } from '../../suite/workloads';
import type { Runner } from '../peers/candidates';
import { convkitModel, weightBytes } from './convkit-model';
import { onnxNetwork } from './onnx-graph';
import { tfjsModel } from './tfjs-model';
import { networkOf } from './workloads';

export function convkitNetwork(w: Workload, d: WorkloadData): Runner {
  const net = networkOf(w), model = convkitModel(net);
  const x = ck.residentTensor(new ck.Tensor(d.input, d.inputShape));
  let last: ck.Tensor | null = null;
  return {
    run: () => (last = model.forward(x) as ck.Tensor),
    output: async () => (last ?? (model.forward(x) as ck.Tensor)).data,
    release: () => {
      last = null;
      ck.releaseTensor(x);
    },
    plannedBytes: model.planned([d.inputShape]).arenaBytes + weightBytes(net),
  };
}

/** `ort` is onnxruntime-node or onnxruntime-web, `options` the session's. */
export async function ortNetwork(ort: any, options: object, w: Workload, d: WorkloadData): Promise<Runner> {
  const model = onnxNetwork(networkOf(w), w.n);
  const session = await ort.InferenceSession.create(model.bytes, options);
  const feeds = { x: new ort.Tensor('float32', nhwcToNchw(d.input, d.inputShape), model.inputShape) };
  let last: any = null;
  return {
    run: async () => (last = await session.run(feeds)),
    output: async () => {
      const y = (last ?? (await session.run(feeds))).y.data as Float32Array;
      return model.outputShape.length === 4 ? nchwToNhwc(y, model.outputShape) : y;
    },
    release: () => {
      last = null;
      void session.release?.();
    },
  };
}

/** tfjs-layers' predict (inference mode) on the backend `tf` has. */
export function tfjsNetwork(tf: any, tfl: any, w: Workload, d: WorkloadData): Runner {
  const model = tfjsModel(tf, tfl, networkOf(w));
  const x = tf.tensor(d.input, d.inputShape);
  let last: any = null;
  return {
    run: () => {
      last?.dispose();
      last = model.predict(x);
      last.dataSync();
    },
    output: async () => Float32Array.from((last ?? model.predict(x)).dataSync()),
    release: () => {
      last?.dispose();
      last = null;
      x.dispose();
      model.dispose();
    },
  };
}
