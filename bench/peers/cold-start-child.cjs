// One cold start, in a fresh process: time from before loading the library to the first conv
// result (C1's shape), printed as JSON. Plain JavaScript, so no loader adds to the time.
// argv: variant ('convkit' | 'onnxruntime-web'), root of the package, ONNX model path (ort).
const t0 = performance.now();
const [variant, root, modelPath] = process.argv.slice(2);
const shape = [8, 32, 48, 16];
const input = new Float32Array(8 * 32 * 48 * 16).fill(0.5);

async function main() {
  if (variant === 'convkit') {
    const ck = require(root);
    const loaded = performance.now();
    const conv = new ck.Conv2D({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 });
    const y = conv.forward(new ck.Tensor(input, shape));
    const done = performance.now();
    return { backend: ck.getBackend(), requireMs: loaded - t0, firstResultMs: done - t0, outputs: y.size };
  }
  const ort = require(require.resolve('onnxruntime-web', { paths: [root + '/bench'] }));
  ort.env.wasm.numThreads = 1;
  const loaded = performance.now();
  const session = await ort.InferenceSession.create(require('node:fs').readFileSync(modelPath));
  const created = performance.now();
  const out = await session.run({ x: new ort.Tensor('float32', input, [8, 16, 32, 48]) });
  const done = performance.now();
  return { backend: 'onnxruntime-web', requireMs: loaded - t0, sessionMs: created - t0, firstResultMs: done - t0, outputs: out.y.data.length };
}

main().then((r) => {
  process.stdout.write(JSON.stringify(r));
  process.exit(0);
}, (e) => {
  process.stdout.write(JSON.stringify({ error: String(e && e.message || e).split('\n')[0] }));
  process.exit(0);
});
