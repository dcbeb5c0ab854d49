// Trains LeNet-5 on the `mnist` package's digits with convkit, then the same network on the same
// data with TensorFlow.js, and reports both. Adam in two stages (a step decay): --epochs at its
// default rate (0.001), then --fine-tune-epochs at a fifth of it.
// Run: npm run train:mnist [-- options]
//   --epochs N (5)  --fine-tune-epochs N (3)  --batch-size N (32)  --threads N  --seed N (1)
//   --model lenet|residual   LeNet-5 (Sequential, the default) or a functional CNN with a residual
//                block and a concatenation (residual.js)
//   --save DIR   write the trained model in the TensorFlow.js layers format (model.json + weights)
//   --no-tfjs    skip the TensorFlow.js run
// CONVKIT_BACKEND=wasm trains on the WebAssembly backend.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import * as ck from 'convkit';

const require = createRequire(import.meta.url);
const { SIZE, loadMnist } = require('./data.js');
const { convkitLeNet, tfjsLeNet } = require('./lenet.js');
const { convkitResidual, tfjsResidual } = require('./residual.js');

const TARGET_ACCURACY = 0.97;
const TARGET_SECONDS = 60;

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    'fine-tune-epochs': { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '32' },
    threads: { type: 'string' },
    seed: { type: 'string', default: '1' },
    save: { type: 'string' },
    model: { type: 'string', default: 'lenet' },
    'no-tfjs': { type: 'boolean', default: false },
  },
});
const batchSize = Number(values['batch-size']), seed = Number(values.seed);
const NETWORKS = { lenet: ['LeNet-5', convkitLeNet, tfjsLeNet], residual: ['a residual, concatenating CNN', convkitResidual, tfjsResidual] };
if (!NETWORKS[values.model]) throw new Error(`--model: expected lenet or residual, got ${values.model}`);
const [networkName, convkitNetwork, tfjsNetwork] = NETWORKS[values.model];
// The two stages: [epochs, Adam's learning rate].
const STAGES = [[Number(values.epochs), 0.001], [Number(values['fine-tune-epochs']), 0.0002]].filter(([e]) => e > 0);
const epochs = STAGES.reduce((sum, [e]) => sum + e, 0);
if (values.threads) ck.setNumThreads(Number(values.threads));

const percent = (v) => `${(v * 100).toFixed(2)} %`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * A progress bar for one epoch on a terminal, a line at its end otherwise (a log file);
 * update(done, loss, accuracy) after each batch, stop() at the end of the epoch.
 */
function epochBar(epoch, batches) {
  const started = Date.now();
  let last = { loss: NaN, accuracy: NaN };
  const label = `epoch ${String(epoch).padStart(String(epochs).length)}/${epochs}`;
  const summary = () => `loss ${last.loss.toFixed(4)}  accuracy ${percent(last.accuracy)}  ${seconds(Date.now() - started)}`;
  if (!process.stderr.isTTY) {
    return {
      update: (_done, loss, accuracy) => { last = { loss, accuracy }; },
      stop: () => console.log(`${label}  ${summary()}`),
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} batches  {summary}`, hideCursor: true, clearOnComplete: false,
  }, Presets.shades_classic);
  bar.start(batches, 0, { summary: '' });
  return {
    update: (done, loss, accuracy) => {
      last = { loss, accuracy };
      bar.update(done, { summary: summary() });
    },
    stop: () => bar.stop(),
  };
}

async function trainConvkit(data) {
  const { name, isa, threads } = ck.backendInfo();
  console.log(`convkit ${ck.version}, ${name} backend (${isa}, ${threads} thread${threads > 1 ? 's' : ''})`);
  const model = convkitNetwork(ck, seed);
  const batches = Math.ceil(data.train.x.shape[0] / batchSize);
  let bar = null, done = 0;
  const started = Date.now();
  for (const [stageEpochs, learningRate] of STAGES) {
    // compile again: a new optimizer (the lower rate), the weights kept.
    model.compile({ optimizer: { type: 'adam', learningRate }, loss: 'categoricalCrossentropy' });
    await model.fit(data.train.x, data.train.y, {
      epochs: stageEpochs, batchSize, shuffle: true, seed: seed + done, verbose: 0,
      onEpochBegin: (epoch) => { bar = epochBar(done + epoch + 1, batches); },
      onBatchEnd: (batch, logs) => bar.update(batch + 1, logs.loss, logs.accuracy),
      onEpochEnd: () => bar.stop(),
    });
    done += stageEpochs;
  }
  const ms = Date.now() - started;
  const { accuracy } = await model.evaluate(data.test.x, data.test.y, { batchSize: 256 });
  console.log(`convkit: test accuracy ${percent(accuracy)} on ${data.test.x.shape[0]} held-out digits, trained in ${seconds(ms)}`);
  if (values.save) {
    await (model instanceof ck.Sequential ? model.save(values.save, { inputShape: [SIZE, SIZE, 1] }) : model.save(values.save));
    console.log(`saved the trained model in ${values.save} (TensorFlow.js layers format)`);
  }
  return { accuracy, ms, label: `convkit ${name}` };
}

/** TensorFlow.js's fastest backend here that has every kernel training LeNet needs. */
async function tfjsBackend(tf) {
  const tried = [];
  try {
    require('@tensorflow/tfjs-node');
    return { name: 'tensorflow', tried };
  } catch (e) {
    tried.push('tfjs-node: not installed (its native binary downloads at install time)');
  }
  // tfjs-backend-wasm (in bench/'s peers, or installed by the user) can train only with the
  // gradient kernels of a Conv2D; 4.22 has no Conv2DBackpropFilter.
  const wasmDir = ['../../node_modules', '../../bench/node_modules']
    .map((d) => fileURLToPath(new URL(`${d}/@tensorflow/tfjs-backend-wasm/`, import.meta.url))).find((d) => existsSync(d));
  if (!wasmDir) tried.push('tfjs-backend-wasm: not installed');
  else if (!existsSync(`${wasmDir}dist/kernels/Conv2DBackpropFilter.js`)) {
    tried.push(`tfjs-backend-wasm ${require(`${wasmDir}package.json`).version}: has no Conv2DBackpropFilter kernel, so it cannot train a Conv2D`);
  } else {
    try {
      require('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) return { name: 'wasm', tried };
    } catch (e) {
      tried.push(`tfjs-backend-wasm: ${e.message}`);
    }
  }
  require('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  return { name: 'cpu', tried };
}

async function trainTfjs(data) {
  let tf;
  try {
    tf = { ...require('@tensorflow/tfjs-core'), ...require('@tensorflow/tfjs-layers') };
  } catch {
    console.log('\nTensorFlow.js: skipped (@tensorflow/tfjs-core and tfjs-layers are devDependencies: npm install)');
    return null;
  }
  const backend = await tfjsBackend(tf);
  console.log(`\nTensorFlow.js ${tf.version_core}, ${backend.name} backend${backend.tried.length ? ` (${backend.tried.join('; ')})` : ''}`);
  const model = tfjsNetwork(tf);
  const x = tf.tensor4d(data.train.x.data, data.train.x.shape), y = tf.tensor2d(data.train.y.data, data.train.y.shape);
  const batches = Math.ceil(x.shape[0] / batchSize);
  let bar = null, done = 0, sums = null;
  const started = Date.now();
  for (const [stageEpochs, learningRate] of STAGES) {
    model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, {
      epochs: stageEpochs, batchSize, shuffle: true, verbose: 0,
      callbacks: {
        onEpochBegin: async (epoch) => {
          bar = epochBar(done + epoch + 1, batches);
          sums = { rows: 0, loss: 0, right: 0 };
        },
        // tfjs logs each batch's own means; the bar shows the epoch's so far, as convkit's does.
        onBatchEnd: async (batch, logs) => {
          sums = { rows: sums.rows + logs.size, loss: sums.loss + logs.loss * logs.size, right: sums.right + logs.acc * logs.size };
          bar.update(batch + 1, sums.loss / sums.rows, sums.right / sums.rows);
        },
        onEpochEnd: async () => bar.stop(),
      },
    });
    done += stageEpochs;
  }
  const ms = Date.now() - started;
  const xt = tf.tensor4d(data.test.x.data, data.test.x.shape), yt = tf.tensor2d(data.test.y.data, data.test.y.shape);
  const [, acc] = model.evaluate(xt, yt, { batchSize: 256 });
  const accuracy = (await acc.data())[0];
  console.log(`TensorFlow.js: test accuracy ${percent(accuracy)}, trained in ${seconds(ms)}`);
  return { accuracy, ms, label: `TensorFlow.js ${backend.name}` };
}

const data = loadMnist(ck);
console.log(`${networkName} on ${data.train.x.shape[0]} training and ${data.test.x.shape[0]} held-out digits, batch ${batchSize}, ` +
  `Adam: ${STAGES.map(([e, lr]) => `${e} epoch${e > 1 ? 's' : ''} at ${lr}`).join(', then ')}\n`);
const mine = await trainConvkit(data);
const met = mine.accuracy >= TARGET_ACCURACY && mine.ms < TARGET_SECONDS * 1000;
console.log(`target (at least ${percent(TARGET_ACCURACY)} in under ${TARGET_SECONDS} s): ${met ? 'met' : 'not met'}`);
const peer = values['no-tfjs'] ? null : await trainTfjs(data);
if (peer) {
  console.log(`\n${mine.label} trained ${(peer.ms / mine.ms).toFixed(2)}x as fast as ${peer.label} ` +
    `(${seconds(mine.ms)} vs ${seconds(peer.ms)}); test accuracy ${percent(mine.accuracy)} vs ${percent(peer.accuracy)}`);
}
