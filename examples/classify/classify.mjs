// Classifies a JPEG or PNG with a MobileNet-class functional model: sharp decodes the file and
// resizes it to the model's input (read-image.mjs); convkit loads the model (ck.loadModel) and
// runs it (forwardAsync); the top classes and the times are printed.
// Run: node examples/classify/classify.mjs IMAGE [options]   (npm run example:weights first)
//   --model PATH    model.json of a TensorFlow.js layers / Keras functional model (model/model.json here)
//   --labels PATH   { labels, inputRange } (labels.json beside the model)
//   --top K (5)  --runs N (5: forwardAsync calls timed after the first)  --threads N  --json
// CONVKIT_BACKEND=wasm runs it on the WebAssembly backend.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ck from 'convkit';
import { readImage } from './read-image.mjs';
import { formatClass, inputSize, topClasses } from './top-classes.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: fileURLToPath(new URL('model/model.json', import.meta.url)) },
    labels: { type: 'string' },
    top: { type: 'string', default: '5' },
    runs: { type: 'string', default: '5' },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
if (positionals.length !== 1) {
  console.error('usage: node examples/classify/classify.mjs IMAGE.jpg|png [--model model.json] [--labels labels.json] [--top 5] [--runs 5] [--threads N] [--json]');
  process.exit(2);
}
for (const [name, min] of [['top', 1], ['runs', 0], ['threads', 1]]) {
  if (values[name] !== undefined && !(Number.isInteger(Number(values[name])) && Number(values[name]) >= min)) {
    console.error(`--${name} takes an integer of at least ${min}, not '${values[name]}'`);
    process.exit(2);
  }
}
if (values.threads) ck.setNumThreads(Number(values.threads));

const ms = (t0) => performance.now() - t0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Reads the labels and the model, classifies the image, prints what it found and the times. */
async function main() {
  const labelsFile = values.labels ?? join(dirname(values.model), 'labels.json');
  const meta = JSON.parse(await readFile(labelsFile, 'utf8').catch((e) => {
    throw new Error(`Cannot read ${labelsFile} (${e.code}): run \`npm run example:weights\` first, or pass --model and --labels`);
  }));
  let t0 = performance.now();
  const model = await ck.loadModel(values.model);
  const loadMs = ms(t0);

  const size = inputSize(model);
  t0 = performance.now();
  const x = new ck.Tensor(await readImage(positionals[0], size, meta.inputRange ?? [0, 1]), [1, ...size, 3]);
  const readMs = ms(t0);

  t0 = performance.now();
  const y = await model.forwardAsync(x);
  const firstMs = ms(t0);
  const times = [];
  for (let i = 0; i < Number(values.runs); i++) {
    t0 = performance.now();
    await model.forwardAsync(x);
    times.push(ms(t0));
  }
  const top = topClasses(y.data, meta.labels, Number(values.top));
  const info = ck.backendInfo();
  const timing = { loadMs, readMs, firstForwardMs: firstMs, forwardMs: times.length ? median(times) : firstMs, runs: times.length };

  if (values.json) {
    console.log(JSON.stringify({ image: positionals[0], backend: info.name, isa: info.isa, threads: info.threads, inputSize: size, top, ...timing }));
  } else {
    console.log(`${positionals[0]}: ${model.name} on ${info.name} (${info.isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'}), input ${size.join('x')}`);
    for (const c of top) console.log(formatClass(c));
    console.log(`load ${loadMs.toFixed(1)} ms · read and resize ${readMs.toFixed(1)} ms · first forwardAsync ${firstMs.toFixed(1)} ms (plans the graph)` +
      (times.length ? ` · forwardAsync ${timing.forwardMs.toFixed(1)} ms (median of ${times.length})` : ''));
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
