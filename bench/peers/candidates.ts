// The libraries compared, each behind the same small interface. A candidate runs alone in its
// own child process (peers/child.ts); `init` loads its library and throws, with the reason, when
// it is unavailable here.
import { join } from 'node:path';
import * as ck from '../../lib/index';
import { convkitLayer, type WorkloadData } from '../../suite/data';
import { windowOf, type Workload } from '../../suite/workloads';
import { isMerge, mergeLayer } from '../../suite/merge-workloads';
import { onnxModel } from './onnx-model';
import { peer } from './peer-require';
import { nchwToNhwc, nhwcToNchw } from '../../suite/layout';
import { isNetwork } from '../networks/workloads';
import { convkitNetwork, ortNetwork, tfjsNetwork } from '../networks/runners';
import { onnxNetwork } from '../networks/onnx-graph';
import { networkOf } from '../networks/workloads';

export interface Runner {
  /** One timed forward pass, output materialised. */
  run(): unknown;
  /** The output in NHWC (or [N, units]) order, for verification. */
  output(): Promise<Float32Array>;
  release(): void;
  /** convkit on a network: the planned arena plus the weights, in bytes. */
  plannedBytes?: number;
}

export interface Candidate {
  id: string;
  label: string;
  library: string;
  layout: 'NHWC' | 'NCHW';
  threads: number;
  /** Whether the thread count is a setting (so --threads picks among its variants). */
  threaded: boolean;
  init(): Promise<void>;
  prepare(w: Workload, d: WorkloadData): Promise<Runner>;
}


function convkit(backend: ck.BackendName, threads: number): Candidate {
  return {
    id: `convkit-${backend}-${threads}t`, label: `convkit ${backend} ${threads}t`, library: 'convkit', layout: 'NHWC', threads, threaded: true,
    async init() {
      await ck.setBackend(backend);
      ck.setNumThreads(threads);
    },
    async prepare(w, d) {
      if (isMerge(w)) return convkitMerge(w, d);
      if (isNetwork(w)) return convkitNetwork(w, d);
      const layer = convkitLayer(w, d);
      // The input is placed once where the backend reads it, as tf.tensor does for TensorFlow.js
      // (wasm: the module's memory; native: an ordinary copy).
      const x = ck.residentTensor(new ck.Tensor(d.input, d.inputShape));
      let last: ck.Tensor | null = null;
      return {
        run: () => (last = layer.forward(x)),
        output: async () => (last ?? layer.forward(x)).data,
        release: () => {
          last = null;
          ck.releaseTensor(x);
        },
      };
    },
  };
}

/** A merge workload on convkit: both inputs resident, as a single-input workload's is. */
function convkitMerge(w: Workload, d: WorkloadData): Runner {
  const layer = mergeLayer(w);
  const xs = [d.input, d.second!].map((x) => ck.residentTensor(new ck.Tensor(x, d.inputShape)));
  let last: ck.Tensor | null = null;
  return {
    run: () => (last = layer.forward(xs)),
    output: async () => (last ?? layer.forward(xs)).data,
    release: () => {
      last = null;
      xs.forEach((x) => ck.releaseTensor(x));
      layer.release();
    },
  };
}

/**
 * convkit running the same .onnx bytes that ONNX Runtime runs, through its importer (loadModel
 * of the bytes: an NHWC functional model); the bytes read once, outside the timing.
 */
function convkitOnnx(threads: number): Candidate {
  return {
    id: `convkit-onnx-${threads}t`, label: `convkit onnx ${threads}t`, library: 'convkit', layout: 'NHWC', threads, threaded: true,
    async init() {
      await ck.setBackend('native');
      ck.setNumThreads(threads);
    },
    async prepare(w, d) {
      const bytes = isNetwork(w) ? onnxNetwork(networkOf(w), w.n).bytes : onnxModel(w, d).bytes;
      const model = (await ck.loadModel(bytes)) as ck.Model;
      const xs = [d.input, d.second].filter((v): v is Float32Array => !!v).map((v) => ck.residentTensor(new ck.Tensor(v, d.inputShape)));
      const forward = () => model.forward(xs.length === 1 ? xs[0] : xs) as ck.Tensor;
      let last: ck.Tensor | null = null;
      return {
        run: () => (last = forward()),
        output: async () => (last ?? forward()).data,
        release: () => {
          last = null;
          xs.forEach((x) => ck.releaseTensor(x));
        },
      };
    },
  };
}

/** ONNX Runtime, fed NCHW as its users feed it; the NHWC transposes are outside the timing. */
function onnxRuntime(pkg: 'onnxruntime-node' | 'onnxruntime-web', threads: number): Candidate {
  let ort: any;
  const short = pkg === 'onnxruntime-node' ? 'ort-node' : 'ort-web';
  return {
    id: `${short}-${threads}t`, label: `${short} ${threads}t`, library: pkg, layout: 'NCHW', threads, threaded: true,
    async init() {
      ort = peer(pkg);
      if (pkg === 'onnxruntime-web') {
        ort.env.wasm.numThreads = threads;
        ort.env.wasm.simd = true;
      }
    },
    async prepare(w, d) {
      const options = pkg === 'onnxruntime-node'
        ? { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', executionProviders: ['cpu'] }
        : { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
      if (isNetwork(w)) return ortNetwork(ort, options, w, d);
      const model = onnxModel(w, d);
      const session = await ort.InferenceSession.create(model.bytes, options);
      const input = w.op === 'dense' ? d.input : nhwcToNchw(d.input, d.inputShape);
      const x = new ort.Tensor('float32', input, model.inputShape);
      const feeds = d.second ? { x, x2: new ort.Tensor('float32', nhwcToNchw(d.second, d.inputShape), model.inputShape) } : { x };
      let last: any = null;
      return {
        run: async () => (last = await session.run(feeds)),
        output: async () => {
          const y = (last ?? (await session.run(feeds))).y.data as Float32Array;
          return w.op === 'dense' ? y : nchwToNhwc(y, model.outputShape);
        },
        release: () => {
          last = null;
          void session.release?.();
        },
      };
    },
  };
}

const TFJS_PACKAGES = { wasm: '@tensorflow/tfjs-backend-wasm', cpu: '@tensorflow/tfjs-backend-cpu', tensorflow: '@tensorflow/tfjs-node' } as const;

/** TensorFlow.js (NHWC, HWIO like convkit) on one of its backends. */
function tfjs(backendName: keyof typeof TFJS_PACKAGES): Candidate {
  let tf: any;
  const pkg = TFJS_PACKAGES[backendName];
  const name = backendName === 'tensorflow' ? 'tfjs-node' : `tfjs-${backendName}`;
  return {
    id: name, label: name.replace('-', ' '), library: pkg, layout: 'NHWC', threads: 1, threaded: false,
    async init() {
      let backend: any;
      try {
        tf = peer('@tensorflow/tfjs-core');
        backend = peer(pkg);
      } catch (e) {
        const why = backendName === 'tensorflow'
          ? 'its install script downloads the libtensorflow binary from outside the npm registry, which this machine cannot reach; '
          : '';
        throw new Error(`not installed: ${why}${(e as Error).message.split('\n')[0]}`);
      }
      if (backendName === 'wasm') backend.setWasmPaths(join(require.resolve(pkg, { paths: [join(__dirname, '..')] }), '..', '/'));
      if (!(await tf.setBackend(backendName))) throw new Error(`tf.setBackend('${backendName}') failed`);
      await tf.ready();
    },
    async prepare(w, d) {
      if (isNetwork(w)) return tfjsNetwork(tf, peer('@tensorflow/tfjs-layers'), w, d);
      const x = tf.tensor(d.input, d.inputShape);
      const x2 = d.second && tf.tensor(d.second, d.inputShape);
      const groups = w.groups ?? 1;
      const kernel = d.kernel && tf.tensor(d.kernel, w.op === 'conv2d' ? [w.k, w.k, w.c! / groups, w.filters] : w.op === 'depthwise' ? [w.k, w.k, w.c, 1] : w.op === 'conv2dTranspose' ? [w.k, w.k, w.filters, w.c] : [w.in, w.units]);
      const bias = d.bias && tf.tensor(d.bias);
      const activation = w.activation === 'relu' ? 'relu' : 'linear';
      const { k, stride, padding } = windowOf(w);
      const pad = typeof padding === 'string' ? padding : [[0, 0], [padding[0], padding[1]], [padding[2], padding[3]], [0, 0]];
      const op = () => {
        if (w.op === 'add') return tf.add(x, x2);
        if (w.op === 'concat') return tf.concat([x, x2], -1);
        // tfjs has no grouped convolution: each group's slice of the channels, then concatenated.
        if (w.op === 'conv2d' && groups > 1) {
          return tf.tidy(() => {
            const xs = tf.split(x, groups, 3), ws = tf.split(kernel, groups, 3), bs = tf.split(bias, groups);
            return tf.concat(xs.map((xg: any, g: number) => tf.fused.conv2d({ x: xg, filter: ws[g], strides: stride, pad, bias: bs[g], activation })), 3);
          });
        }
        if (w.op === 'conv2d') return tf.fused.conv2d({ x, filter: kernel, strides: stride, pad, bias, activation });
        if (w.op === 'maxpool') return tf.maxPool(x, k, stride, pad);
        if (w.op === 'avgpool') return tf.avgPool(x, k, stride, pad);
        if (w.op === 'globalavgpool') return tf.mean(x, [1, 2], true); // tfjs-layers' GlobalAveragePooling2D
        if (w.op === 'depthwise') return tf.fused.depthwiseConv2d({ x, filter: kernel, strides: stride, pad, bias, activation });
        if (w.op === 'conv2dTranspose') return tf.tidy(() => tf.add(tf.conv2dTranspose(x, kernel, d.outputShape, stride, pad), bias));
        if (w.op === 'upsample') {
          const size = [d.outputShape[1], d.outputShape[2]];
          return w.interpolation === 'bilinear' ? tf.image.resizeBilinear(x, size, false, true) : tf.image.resizeNearestNeighbor(x, size);
        }
        return tf.fused.matMul({ a: x, b: kernel, bias, activation });
      };
      let last: any = null;
      return {
        run: () => {
          last?.dispose();
          last = op();
          last.dataSync();
        },
        output: async () => Float32Array.from((last ?? op()).dataSync()),
        release: () => {
          last?.dispose();
          last = null;
          tf.dispose([x, x2, kernel, bias].filter(Boolean));
        },
      };
    },
  };
}

export function allCandidates(): Candidate[] {
  return [
    convkit('native', 1), convkit('native', 2), convkit('wasm', 1), convkit('wasm', 2), convkitOnnx(1), convkitOnnx(2),
    onnxRuntime('onnxruntime-node', 1), onnxRuntime('onnxruntime-node', 2),
    onnxRuntime('onnxruntime-web', 1), onnxRuntime('onnxruntime-web', 2),
    tfjs('wasm'), tfjs('cpu'), tfjs('tensorflow'),
  ];
}
