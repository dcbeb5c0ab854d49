// Training functional models: one step's weight gradients through Add, Concatenate, a broadcast
// Multiply and two weighted losses equal TensorFlow.js's (tf.variableGrads on the same model,
// loaded from convkit's save); frozen layers keep their weights; fit lowers the loss of a
// residual, concatenating CNN; several outputs take a loss each (by name or in order).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { trainStep, needsGradient } from '../lib/train/step';
import { outputLosses } from '../lib/train/outputs';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { tf, tfjsLoad, tfjsReady } from './helpers/tfjs';

/** A two-output model: a residual block, a concatenation and a squeeze-and-excite gate. */
function build(seed: number): ck.Model {
  const x = ck.input({ shape: [6, 6, 2], name: 'img' });
  const c1 = new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', seed, name: 'c1' }).apply(x);
  const c2 = new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', seed: seed + 1, name: 'c2' }).apply(c1);
  const res = new ck.Add({ name: 'res' }).apply([c1, c2]);
  const side = new ck.Conv2D({ filters: 3, kernelSize: 1, seed: seed + 2, name: 'side' }).apply(x);
  const cat = new ck.Concatenate({ name: 'cat' }).apply([res, side]);
  const gate = new ck.Reshape({ targetShape: [1, 1, 7] }).apply(
    new ck.Dense({ units: 7, activation: 'sigmoid', seed: seed + 3, name: 'gate' }).apply(new ck.GlobalAveragePooling2D().apply(cat)));
  const se = new ck.Multiply({ name: 'se' }).apply([cat, gate]);
  const pooled = new ck.Flatten().apply(new ck.MaxPool2D({ poolSize: 2 }).apply(se));
  const cls = new ck.Dense({ units: 5, activation: 'softmax', seed: seed + 4, name: 'cls' }).apply(pooled);
  const box = new ck.Dense({ units: 2, seed: seed + 5, name: 'box' }).apply(pooled);
  return ck.model({ inputs: x, outputs: [cls, box], name: 'two_heads' });
}

before(tfjsReady);

forEachBackend('training functional models', () => {
  it('one step: every weight gradient through Add, Concatenate, Multiply and two weighted losses equals tfjs\'s', async () => {
    const model = build(5), n = 3;
    const x = new ck.Tensor(randomArray(n * 6 * 6 * 2, 6), [n, 6, 6, 2]);
    model.forward(x); // makes the weights
    const classes = Int32Array.from([1, 4, 0]), box = randomArray(n * 2, 7);
    const flat = model.flat();
    const losses = outputLosses(flat, model.outputNames(), ['sparseCategoricalCrossentropy', 'meanSquaredError'], { box: 0.5 });
    const trains = flat.entries.map((e) => e.layer instanceof ck.Layer && e.layer.getWeights().kernel !== null);
    const step = await trainStep(flat, [x], [{ kind: 'sparse', classes }, { kind: 'dense', values: box }], losses, needsGradient(flat, trains));

    const peer = await tfjsLoad(model.toArtifacts());
    const vars = peer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => {
      const [p, b] = peer.apply(tf.tensor(x.data, [...x.shape])) as tf.Tensor[];
      const ce = tf.mean(tf.neg(tf.log(tf.sum(tf.mul(p, tf.oneHot(tf.tensor1d(classes, 'int32'), 5)), 1))));
      const mse = tf.mean(tf.square(tf.sub(b, tf.tensor(box, [n, 2]))));
      return tf.add(ce, tf.mul(0.5, mse)) as tf.Scalar;
    }, vars);
    let checked = 0;
    flat.entries.forEach((e, i) => {
      if (!(e.layer instanceof ck.Layer) || !step.grads[i].kernel) return;
      const layer = peer.getLayer(e.layer.name);
      for (const [k, key] of (['kernel', 'bias'] as const).entries()) {
        const want = grads[(layer.trainableWeights[k].read() as tf.Variable).name].dataSync();
        const got = step.grads[i][key]!;
        got.forEach((g, j) => expect(Math.abs(g - want[j]), `${e.layer.name} ${key}[${j}]: ${g} vs ${want[j]}`).to.be.at.most(2e-5 * (1 + Math.abs(want[j]))));
        checked++;
      }
    });
    expect(checked).to.equal(12); // c1, c2, side, gate, cls, box: kernel and bias each
    // The step's losses are each output's sum over its rows (unweighted).
    expect(step.losses.length).to.equal(2);
  });

  it('fit lowers both losses, leaves frozen layers as they were, and evaluates each output', async function () {
    this.timeout(60000);
    const model = build(15), n = 24;
    const x = new ck.Tensor(randomArray(n * 6 * 6 * 2, 16), [n, 6, 6, 2]);
    const classes = Int32Array.from({ length: n }, (_, i) => i % 5), box = new ck.Tensor(randomArray(n * 2, 17), [n, 2]);
    model.forward(x);
    const frozen = model.getLayer('side') as ck.Conv2D;
    frozen.trainable = false;
    const before = frozen.getWeights().kernel!.slice();
    model.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: { cls: 'sparseCategoricalCrossentropy', box: 'meanSquaredError' }, lossWeights: [1, 0.5] });
    const start = model.evaluate(x, { cls: classes, box });
    const { history } = await model.fit(x, [classes, box], { epochs: 30, batchSize: 8, seed: 3, verbose: 0 });
    expect(Object.keys(history)).to.deep.equal(['loss']);
    expect(history.loss[29]).to.be.below(history.loss[0]);
    expect(model.evaluate(x, [classes, box]).loss).to.be.below(start.loss * 0.5);
    expect(Array.from(frozen.getWeights().kernel!)).to.deep.equal(Array.from(before));
  });
});

describe('training functional models: refusals', () => {
  it('names the output a loss or a target is missing for', async () => {
    const model = build(25), x = new ck.Tensor(new Float32Array(2 * 6 * 6 * 2), [2, 6, 6, 2]);
    model.compile({ optimizer: 'sgd', loss: ['meanSquaredError'] });
    await model.fit(x, [new ck.Tensor(new Float32Array(10), [2, 5]), new ck.Tensor(new Float32Array(4), [2, 2])]).then(
      () => expect.fail('should reject'),
      (e) => expect(e.message).to.equal("Expected 2 entries (one per output: 'cls', 'box') for loss but received 1"),
    );
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(() => model.evaluate(x, new ck.Tensor(new Float32Array(10), [2, 5]))).to.throw(TypeError, /^Expected one target per output/);
    expect(() => model.evaluate(x, { cls: new ck.Tensor(new Float32Array(10), [2, 5]) })).to.throw(RangeError, "Expected y for output 'box' but y has none");
    expect(() => model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', lossWeights: 2 } as never)).to.throw(TypeError, /lossWeights/);
  });
});
