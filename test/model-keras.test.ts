// Hand-written model.json fixtures in the shapes Keras and tfjs write (test/fixtures/keras):
// tensorflowjs_converter's Keras 2 output (model_config, InputLayer, training_config, weights in
// three shards), a Keras 2.1 topology (config as a list of layers, two weight groups), a Keras 3
// one (module/registered_name, DTypePolicy objects, batch_shape, weights named under the model),
// and a camelCase tfjs-style one. Weights are seeded and written as the shard files each names,
// cut at byte offsets that split tensors. The expected predictions come from tfjs loading the
// same fixture, or for Keras 3 (which tfjs 4 does not read: "An InputLayer should be passed
// either a batchInputShape or an inputShape") from the float64 reference. keras2-cnn's kernel
// regularizer is an L1L2, not the L2 that Keras 2.15 writes, only because tfjs 4 cannot read L2
// (convkit ignores regularizers: they do not change a prediction).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { resolveWindow } from '../lib/shape';
import { conv2dRef, denseRef, maxpool2dRef } from '../suite/reference';
import { forEachBackend } from './helpers/backends';
import { type Spec, weightDataFor } from './helpers/keras';
import { randomArray } from './helpers/random';
import { expectMatches, tfjsLoad, tfjsPredict, tfjsReady } from './helpers/tfjs';

const FIXTURES = join(__dirname, 'fixtures', 'keras');
const SEED = 40;

interface Written {
  json: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: Spec[] }[] };
  specs: Spec[];
  data: ArrayBuffer;
}

/** Copies fixture `name` into dir as model.json and writes its weight files: each group's seeded data cut over its paths. */
async function writeFixture(name: string, dir: string): Promise<Written> {
  const text = await readFile(join(FIXTURES, `${name}.json`), 'utf8');
  const json = JSON.parse(text) as Written['json'];
  await writeFile(join(dir, 'model.json'), text);
  const groups: Uint8Array[] = [];
  let seed = SEED;
  for (const g of json.weightsManifest) {
    const bytes = new Uint8Array(weightDataFor(g.weights, seed));
    seed += g.weights.length;
    groups.push(bytes);
    const cuts = g.paths.map((_, j) => (j === 0 ? 0 : Math.floor((bytes.length * j) / g.paths.length) + 3));
    await Promise.all(g.paths.map((p, j) => writeFile(join(dir, p), bytes.subarray(cuts[j], j + 1 < cuts.length ? cuts[j + 1] : bytes.length))));
  }
  const data = new Uint8Array(groups.reduce((n, g) => n + g.length, 0));
  groups.reduce((at, g) => (data.set(g, at), at + g.length), 0);
  return { json, specs: json.weightsManifest.flatMap((g) => g.weights), data: data.buffer };
}

const PEER_FIXTURES: [string, number[]][] = [
  ['keras2-cnn', [12, 10, 3]],
  ['keras2-legacy-mlp', [30]],
  ['tfjs-camel', [7, 6, 2]],
];

/** The Keras 3 fixture through the float64 reference: Conv2D(5, 3x3, stride 2, same, relu) -> MaxPool(2, same) -> Flatten -> Dense(3). */
function keras3Reference(x: Float32Array, n: number): ArrayLike<number> {
  // Weight i of the fixture is randomArray(size, SEED + i), as weightDataFor writes it.
  const kernel = randomArray(3 * 3 * 2 * 5, SEED), bias = randomArray(5, SEED + 1);
  const dense = randomArray(45 * 3, SEED + 2), denseBias = randomArray(3, SEED + 3);
  const conv = conv2dRef(x, [n, 9, 9, 2], kernel, 5, resolveWindow([3, 3], [2, 2], [1, 1], 'same', 9, 9), bias, 'relu');
  const pooled = maxpool2dRef(Float32Array.from(conv.data), conv.shape, resolveWindow([2, 2], [2, 2], [1, 1], 'same', 5, 5));
  return denseRef(Float32Array.from(pooled.data), n, 45, dense, 3, denseBias, 'linear').data;
}

describe('model format: Keras-written model.json fixtures', () => {
  let dir: string;
  before(async () => {
    await tfjsReady();
    dir = await mkdtemp(join(tmpdir(), 'convkit-keras-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  forEachBackend('fixtures', () => {
    PEER_FIXTURES.forEach(([name, inputShape], i) => {
      it(`${name}: convkit predicts what tfjs predicts from the same files`, async () => {
        const at = join(dir, name);
        await rm(at, { recursive: true, force: true });
        await mkdir(at);
        const w = await writeFixture(name, at);
        const peer = await tfjsLoad({ modelTopology: w.json.modelTopology as object, weightSpecs: w.specs as never, weightData: w.data });
        const shape = [3, ...inputShape], x = randomArray(shape.reduce((a, b) => a * b, 1), 500 + i);
        const expected = tfjsPredict(peer, x, shape);
        peer.dispose();
        for (const source of [at, join(at, 'model.json')]) {
          const model = await loadSequential(source);
          expectMatches(model.forward(new ck.Tensor(x, shape)).data, expected, `${name} from ${source}`);
        }
      });
    });

    it('keras3-cnn: convkit predicts what the float64 reference computes', async () => {
      const at = join(dir, 'keras3-cnn');
      await rm(at, { recursive: true, force: true });
      await mkdir(at);
      await writeFixture('keras3-cnn', at);
      const x = randomArray(2 * 9 * 9 * 2, 600);
      const model = await loadSequential(at);
      expect(model.layers.map((l) => l.constructor.name)).to.deep.equal(['Conv2D', 'MaxPool2D', 'Flatten', 'Dense']);
      expectMatches(model.forward(new ck.Tensor(x, [2, 9, 9, 2])).data, keras3Reference(x, 2), 'keras3-cnn');
    });
  });

  it('the folds: keras2-cnn loads as Conv2D relu, MaxPool2D, Conv2D relu (its Activation), Flatten, Dense relu, Dense (no Dropout)', async () => {
    const at = join(dir, 'folds');
    await mkdir(at, { recursive: true });
    await writeFixture('keras2-cnn', at);
    const model = await loadSequential(at);
    const described = model.layers.map((l) => [l.constructor.name, (l as { activation?: string }).activation ?? '']);
    expect(described).to.deep.equal([['Conv2D', 'relu'], ['MaxPool2D', ''], ['Conv2D', 'relu'], ['Flatten', ''], ['Dense', 'relu'], ['Dense', 'linear']]);
    // Saved again, it keeps the input shape it was loaded with.
    const topology = model.toArtifacts().modelTopology as { config: { layers: { config: { batch_input_shape?: unknown } }[] } };
    expect(topology.config.layers[0].config.batch_input_shape).to.deep.equal([null, 12, 10, 3]);
  });
});
