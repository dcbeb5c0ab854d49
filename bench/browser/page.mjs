// The page of `npm run bench:browser`: one candidate per page (?candidate=convkit-wasm-2t), driven
// by bench/browser/driver.ts through window.bench. Plain JavaScript, served as it is. Inputs,
// weights, ONNX models and each workload's spec come from the bench process (/data/<id>/...);
// every output is posted back to it (/output/<candidate>/<id>), which checks it against the
// float64 reference and answers with the error.
const candidate = new URLSearchParams(location.search).get('candidate');
const threads = Number(/-(\d+)t$/.exec(candidate)[1]);

const bytes = async (url) => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.arrayBuffer();
};
const floats = async (url) => new Float32Array(await bytes(url));
const json = async (url) => JSON.parse(new TextDecoder().decode(await bytes(url)));

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

/** Each library: init() once, then prepare(spec, data) gives { run, output, release }. */
const LIBRARIES = {
  async convkit() {
    const ck = await import('/convkit.mjs');
    await ck.ready();
    ck.setNumThreads(threads);
    return {
      info: () => `${ck.backendInfo().isa}, ${ck.getNumThreads()} threads`,
      async prepare(s, d) {
        // Placed once where the backend reads it, as tf.tensor does for TensorFlow.js.
        const x = ck.residentTensor(new ck.Tensor(d.input, s.inputShape));
        // A network: the layers model file the bench wrote, loaded as a user loads one.
        const layer = s.op === 'network' ? await ck.loadModel(`/data/${s.id}/${s.layersModel}`)
          : s.op === 'dense' ? new ck.Dense({ units: s.units, activation: s.activation, kernel: d.kernel, bias: d.bias })
          : s.op === 'maxpool' ? new ck.MaxPool2D({ poolSize: s.k, strides: s.stride, padding: s.padding })
            : s.op === 'avgpool' || s.op === 'globalavgpool' ? new ck.AveragePooling2D({ poolSize: s.k, strides: s.stride, padding: s.padding })
            : new ck.Conv2D({ filters: s.filters, kernelSize: s.k, strides: s.stride, padding: s.padding, activation: s.activation, kernel: d.kernel, bias: d.bias });
        let last = null;
        return { run: () => (last = layer.forward(x)), output: () => last.data, release: () => { last = null; ck.releaseTensor(x); } };
      },
    };
  },

  async tfjs() {
    await loadScript('/peers/@tensorflow/tfjs-core/dist/tf-core.es2017.min.js');
    await loadScript('/peers/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.es2017.min.js');
    await loadScript('/peers/@tensorflow/tfjs-layers/dist/tf-layers.es2017.min.js');
    const tf = globalThis.tf;
    tf.wasm.setWasmPaths('/peers/@tensorflow/tfjs-backend-wasm/dist/');
    tf.wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
    await tf.ready();
    return {
      info: () => `tfjs ${tf.version_core}, ${tf.wasm.getThreadsCount()} threads`,
      async prepare(s, d) {
        const x = tf.tensor(d.input, s.inputShape);
        const model = s.op === 'network' ? await tf.loadLayersModel(`/data/${s.id}/${s.layersModel}`) : null;
        const kernel = d.kernel && tf.tensor(d.kernel, s.kernelShape);
        const bias = d.bias && tf.tensor(d.bias);
        const pad = s.padding === undefined || typeof s.padding === 'string' ? s.padding : [[0, 0], [s.padding[0], s.padding[1]], [s.padding[2], s.padding[3]], [0, 0]];
        const op = () => model ? model.predict(x) : s.op === 'conv2d' ? tf.fused.conv2d({ x, filter: kernel, strides: s.stride, pad, bias, activation: s.activation })
          : s.op === 'maxpool' ? tf.maxPool(x, s.k, s.stride, pad)
            : s.op === 'avgpool' || s.op === 'globalavgpool' ? tf.avgPool(x, s.k, s.stride, pad)
            : tf.fused.matMul({ a: x, b: kernel, bias, activation: s.activation });
        let last = null, data = null;
        return {
          run: () => {
            last?.dispose();
            last = op();
            data = last.dataSync();
          },
          output: () => data,
          release: () => {
            last?.dispose();
            tf.dispose([x, kernel, bias].filter(Boolean));
            model?.dispose();
          },
        };
      },
    };
  },

  async ort() {
    const ort = await import('/peers/onnxruntime-web/dist/ort.wasm.min.mjs');
    ort.env.wasm.wasmPaths = '/peers/onnxruntime-web/dist/';
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.simd = true;
    return {
      info: () => `onnxruntime-web ${ort.env.versions?.web ?? ''}, ${ort.env.wasm.numThreads} threads`,
      async prepare(s, d) {
        const session = await ort.InferenceSession.create(d.model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
        const x = new ort.Tensor('float32', d.inputNchw, s.modelInputShape);
        let last = null;
        return {
          run: async () => (last = await session.run({ x })),
          output: () => last.y.data,
          release: () => void session.release(),
        };
      },
    };
  },
};

let library = null, runner = null;

async function timedRun() {
  const t0 = performance.now();
  await runner.run();
  return performance.now() - t0;
}

window.bench = {
  async init() {
    library = await LIBRARIES[candidate.split('-')[0]]();
    return { info: library.info(), isolated: globalThis.crossOriginIsolated === true };
  },

  /** Loads a workload, runs it once, has its output checked, warms up; { maxError, firstRunMs }. */
  async prepare(id) {
    const s = await json(`/data/${id}/spec.json`);
    const d = {};
    for (const name of s.files) d[name] = name === 'model' ? new Uint8Array(await bytes(`/data/${id}/${name}`)) : await floats(`/data/${id}/${name}`);
    runner = await library.prepare(s, d);
    const firstRunMs = await timedRun();
    const r = await fetch(`/output/${candidate}/${id}`, { method: 'POST', body: runner.output() });
    const { maxError } = await r.json();
    for (let i = 0, spent = firstRunMs; i < 3 && spent < 500; i++) spent += await timedRun();
    return { maxError, firstRunMs, info: library.info() };
  },

  /** Runs back to back for budgetMs (at least minRuns); the times in ms. */
  async measure(budgetMs, minRuns) {
    const times = [];
    const start = performance.now();
    while (times.length < minRuns || performance.now() - start < budgetMs) times.push(await timedRun());
    return times;
  },

  release() {
    runner?.release();
    runner = null;
  },
};
