// Sequential.compile / fit / evaluate / predict on every backend: learning on small separable
// problems, the training step's gradients (fused softmax + cross-entropy against finite
// differences, the others against Sequential.backward), determinism, the event loop, the
// history and callbacks, evaluate and predict against forward, and the errors.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { lossSums } from '../lib/train/losses';
import { trainStep } from '../lib/train/step';
import { denseRef } from '../suite/reference';
import { expectRejectsLike, expectThrowsNamed } from './helpers/arbitraries';
import { forEachBackend } from './helpers/backends';
import { expectNear, finiteDifferences } from './helpers/finite-differences';
import { randomArray, rng } from './helpers/random';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** n points in d dimensions around `classes` centres (class i: +4 along axis i), noise of +-0.5. */
function blobs(n: number, d: number, classes: number, seed: number): { x: ck.Tensor; labels: Int32Array; oneHot: ck.Tensor } {
  const r = rng(seed), x = new Float32Array(n * d), labels = new Int32Array(n), hot = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    hot[i * classes + labels[i]] = 1;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === labels[i] ? 4 : 0) + r() - 0.5;
  }
  return { x: new ck.Tensor(x, [n, d]), labels, oneHot: new ck.Tensor(hot, [n, classes]) };
}

/** 6x6x1 images: a bright 2x2 patch in one of four quadrants (the class) over noise. */
function quadrants(n: number, seed: number): { x: ck.Tensor; oneHot: ck.Tensor; labels: Int32Array } {
  const r = rng(seed), x = new Float32Array(n * 36), hot = new Float32Array(n * 4), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = (labels[i] = i % 4), oy = c < 2 ? 0 : 3, ox = c % 2 ? 3 : 0;
    hot[i * 4 + c] = 1;
    for (let p = 0; p < 36; p++) x[i * 36 + p] = 0.3 * r();
    for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) x[i * 36 + (oy + 1 + dy) * 6 + ox + dx] += 1;
  }
  return { x: new ck.Tensor(x, [n, 6, 6, 1]), oneHot: new ck.Tensor(hot, [n, 4]), labels };
}

const mlp = (seed: number) => new ck.Sequential([new ck.Dense({ units: 16, activation: 'relu', seed }), new ck.Dense({ units: 3, activation: 'softmax', seed: seed + 1 })]);

forEachBackend('fit learns', () => {
  it('3 blobs, sparse labels, Dense relu -> Dense softmax, adam: near-zero loss, every point right', async () => {
    const { x, labels } = blobs(90, 3, 3, 1);
    const model = mlp(2);
    model.compile({ optimizer: { type: 'adam', learningRate: 0.02 }, loss: 'sparseCategoricalCrossentropy' });
    const { history } = await model.fit(x, labels, { epochs: 40, batchSize: 16, seed: 3, verbose: 0 });
    expect(history.loss.length).to.equal(40);
    expect(history.loss[39]).to.be.below(0.02);
    expect(history.loss[39]).to.be.below(history.loss[0] / 20);
    expect(history.accuracy![39]).to.equal(1);
    expect(model.evaluate(x, labels).accuracy).to.equal(1);
  });

  it('quadrant images, one-hot labels, Conv2D -> MaxPool2D -> Flatten -> Dense softmax: every image right', async () => {
    const { x, oneHot } = quadrants(64, 4);
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', seed: 5 }),
      new ck.MaxPool2D({ poolSize: 2 }),
      new ck.Flatten(),
      new ck.Dense({ units: 4, activation: 'softmax', seed: 6 }),
    ]);
    model.compile({ optimizer: { type: 'adam', learningRate: 0.02 }, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const { history } = await model.fit(x, oneHot, { epochs: 30, batchSize: 8, seed: 7, verbose: 0 });
    expect(history.loss[29]).to.be.below(0.05);
    expect(history.accuracy![29]).to.equal(1);
  });

  it('a linear map, meanSquaredError, sgd with momentum: the loss goes to zero', async () => {
    const x = randomArray(64 * 4, 8), a = randomArray(4 * 2, 9), y = new Float32Array(64 * 2);
    for (let i = 0; i < 64; i++) for (let j = 0; j < 2; j++) for (let t = 0; t < 4; t++) y[i * 2 + j] += x[i * 4 + t] * a[t * 2 + j];
    const model = new ck.Sequential([new ck.Dense({ units: 2, seed: 10 })]);
    model.compile({ optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 }, loss: 'meanSquaredError' });
    const { history } = await model.fit(new ck.Tensor(x, [64, 4]), new ck.Tensor(y, [64, 2]), { epochs: 60, batchSize: 16, seed: 11, verbose: 0 });
    expect(Object.keys(history)).to.deep.equal(['loss']);
    expect(history.loss[59]).to.be.below(1e-6);
    const w = model.layers[0].getWeights();
    w.kernel!.forEach((v, i) => expect(v).to.be.closeTo(a[i], 1e-3));
  });
});

forEachBackend('the training step', () => {
  it('fused softmax + cross-entropy: gradients against central finite differences of the float64 loss', async () => {
    const x = randomArray(4 * 6, 20), kernel = randomArray(6 * 5, 21), bias = randomArray(5, 22), classes = [1, 4, 0, 1];
    const layer = new ck.Dense({ units: 5, activation: 'softmax', kernel, bias });
    const model = new ck.Sequential([layer]);
    const losses = [{ loss: 'sparseCategoricalCrossentropy' as const, weight: 1, fusedEntry: 0 }];
    const step = await trainStep(model.flat(), [new ck.Tensor(x, [4, 6])], [{ kind: 'sparse', classes: Int32Array.from(classes) }], losses, [true, true]);
    // -mean log softmax(x W + b)[class], written out in float64.
    const loss = () => {
      const p = denseRef(x, 4, 6, kernel, 5, bias, 'softmax').data;
      return -classes.reduce((s, c, r) => s + Math.log(p[r * 5 + c]), 0) / 4;
    };
    expectNear(step.grads[0].kernel!, finiteDifferences(kernel, loss), 'kernel');
    expectNear(step.grads[0].bias!, finiteDifferences(bias, loss), 'bias');
    expect(step.losses[0] / 4).to.be.closeTo(loss(), 1e-6);
  });

  it('other losses: the gradients of Sequential.backward given the loss gradient, bit for bit (the outputs handed over)', async () => {
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 5, kernelSize: 3, activation: 'tanh', seed: 30 }),
      new ck.MaxPool2D({ poolSize: 2 }),
      new ck.Dense({ units: 6, activation: 'sigmoid', seed: 31 }),
      new ck.Dense({ units: 3, activation: 'relu', seed: 32 }),
    ]);
    const x = new ck.Tensor(randomArray(3 * 8 * 7 * 2, 33), [3, 8, 7, 2]), y = randomArray(9, 34);
    const losses = [{ loss: 'meanSquaredError' as const, weight: 1, fusedEntry: -1 }];
    const step = await trainStep(model.flat(), [x], [{ kind: 'dense', values: y }], losses, [true, true, true, true, true]);
    const out = model.forward(x), dOut = new Float32Array(9);
    lossSums('meanSquaredError', out.data, 3, { kind: 'dense', values: y }, false, dOut, 1 / 3);
    const want = model.backward(x, new ck.Tensor(dOut, [3, 3]));
    want.grads.forEach((g, i) => {
      if (g.kernel) expect(bits(step.grads[i].kernel!), `layer ${i} kernel`).to.deep.equal(bits(g.kernel));
      if (g.bias) expect(bits(step.grads[i].bias!), `layer ${i} bias`).to.deep.equal(bits(g.bias));
    });
  });
});

/** A model big enough that its GEMMs and activation passes share across two threads. */
function wide(seed: number): ck.Sequential {
  return new ck.Sequential([
    new ck.Dense({ units: 256, activation: 'tanh', seed }),
    new ck.Dense({ units: 300, activation: 'sigmoid', seed: seed + 1 }),
    new ck.Dense({ units: 10, activation: 'softmax', seed: seed + 2 }),
  ]);
}

forEachBackend('fit is deterministic', () => {
  const x = new ck.Tensor(randomArray(96 * 300, 40), [96, 300]);
  const y = Int32Array.from({ length: 96 }, (_, i) => (i * 7) % 10);
  async function run(seed: number, threads: number): Promise<{ history: ck.History; kernel: Float32Array }> {
    const original = ck.getNumThreads();
    ck.setNumThreads(threads);
    try {
      const model = wide(41);
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const { history } = await model.fit(x, y, { epochs: 2, batchSize: 32, seed, verbose: 0 });
      return { history, kernel: model.layers[1].getWeights().kernel! };
    } finally {
      ck.setNumThreads(original);
    }
  }
  it('the same seed gives the same history and weights, with 1 thread and with 2; another seed another history', async () => {
    const one = await run(42, 1), again = await run(42, 1), two = await run(42, 2), other = await run(43, 1);
    expect(again.history).to.deep.equal(one.history);
    expect(two.history, '2 threads').to.deep.equal(one.history);
    expect(bits(two.kernel), '2 threads: weights').to.deep.equal(bits(one.kernel));
    expect(other.history.loss).to.not.deep.equal(one.history.loss);
  });
});

forEachBackend('fit and the event loop', () => {
  it('timers keep firing while fit runs: the loop waits for one batch at the most', async () => {
    const x = new ck.Tensor(randomArray(256 * 300, 50), [256, 300]);
    const y = Int32Array.from({ length: 256 }, (_, i) => i % 10);
    const model = wide(51);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 1);
    const started = performance.now();
    try {
      await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, seed: 1 });
    } finally {
      clearInterval(timer);
    }
    // A fit that held the loop would let no tick through (or one per epoch, were it to yield
    // only there); loose bounds, since other processes share the cores.
    const took = performance.now() - started, batches = 2 * 16;
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
    expect(ticks.length, `ticks in ${took.toFixed(0)} ms`).to.be.at.least(batches / 4);
    expect(Math.max(...gaps), `longest wait between ticks in ${took.toFixed(0)} ms`).to.be.below(took / 3);
  });
});

forEachBackend('fit reports, evaluate and predict', () => {
  const { x, labels, oneHot } = blobs(40, 3, 3, 60);

  it('history, onEpochEnd (awaited) and verbose lines agree, with validation data', async () => {
    const model = mlp(61);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const seen: [number, ck.EpochLogs][] = [], lines: string[] = [];
    let pending = false;
    const { history } = await model.fit(x, oneHot, {
      epochs: 3, batchSize: 16, validationData: [x, oneHot], log: (l) => lines.push(l),
      onEpochEnd: async (epoch, logs) => {
        expect(pending, 'the previous callback finished first').to.equal(false);
        pending = true;
        await new Promise((r) => setTimeout(r, 5));
        pending = false;
        seen.push([epoch, logs]);
      },
    });
    expect(Object.keys(history)).to.deep.equal(['loss', 'accuracy', 'valLoss', 'valAccuracy']);
    expect(seen.map(([e]) => e)).to.deep.equal([0, 1, 2]);
    seen.forEach(([e, logs]) => expect(logs).to.deep.equal({ loss: history.loss[e], accuracy: history.accuracy![e], valLoss: history.valLoss![e], valAccuracy: history.valAccuracy![e] }));
    expect(lines.length).to.equal(3);
    expect(lines[2]).to.match(/^Epoch 3\/3 - \d+\.\d\d s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - valLoss: \d\.\d{4} - valAccuracy: \d\.\d{4}$/);
    // The last validation is evaluate on the trained model.
    const e = model.evaluate(x, oneHot, { batchSize: 16 });
    expect(history.valLoss![2]).to.equal(e.loss);
    expect(history.valAccuracy![2]).to.equal(e.accuracy);
  });

  it('onEpochBegin and onBatchEnd: in order, the epoch\'s running means ending at its logs', async () => {
    const model = mlp(63);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const events: string[] = [];
    const batches: ck.EpochLogs[][] = [];
    const { history } = await model.fit(x, oneHot, {
      epochs: 2, batchSize: 16, verbose: 0, seed: 5,
      onEpochBegin: async (epoch) => {
        await new Promise((r) => setTimeout(r, 2));
        events.push(`begin ${epoch}`);
        batches.push([]);
      },
      onBatchEnd: (batch, logs) => {
        events.push(`batch ${batch}`);
        batches[batches.length - 1].push(logs);
      },
      onEpochEnd: (epoch) => { events.push(`end ${epoch}`); },
    });
    // 40 samples in batches of 16: 16, 16, 8.
    expect(events).to.deep.equal(['begin 0', 'batch 0', 'batch 1', 'batch 2', 'end 0', 'begin 1', 'batch 0', 'batch 1', 'batch 2', 'end 1']);
    batches.forEach((epoch, e) => {
      // The last batch's running means are the epoch's; the first batch's are its own.
      expect(epoch[2]).to.deep.equal({ loss: history.loss[e], accuracy: history.accuracy![e] });
      // Means over the rows so far: the loss summed over them never shrinks (each row's is
      // positive), and the accuracy is a whole number of rows.
      const rows = [16, 32, 40];
      for (let b = 1; b < 3; b++) expect(epoch[b].loss * rows[b]).to.be.above(epoch[b - 1].loss * rows[b - 1]);
      epoch.forEach((logs, b) => {
        const right = logs.accuracy! * rows[b];
        expect(right, `correct rows after batch ${b}`).to.be.closeTo(Math.round(right), 1e-9);
      });
    });
  });

  it('evaluate: the mean cross-entropy of forward\'s softmax and its argmax accuracy', () => {
    const model = mlp(62);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const p = model.forward(x).data;
    let loss = 0, right = 0;
    labels.forEach((c, r) => {
      loss -= Math.log(p[r * 3 + c]);
      const row = Array.from(p.subarray(r * 3, r * 3 + 3));
      if (row.indexOf(Math.max(...row)) === c) right++;
    });
    for (const batchSize of [7, 32, 40]) {
      const e = model.evaluate(x, labels, { batchSize });
      expect(e.loss, `batchSize ${batchSize}`).to.be.closeTo(loss / 40, 1e-6 * loss);
      expect(e.accuracy).to.equal(right / 40);
    }
    // meanSquaredError reports no accuracy
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(Object.keys(model.evaluate(x, oneHot))).to.deep.equal(['loss']);
  });

  it('evaluate over pixels: a Conv2D softmax over channels, a class per pixel as a Tensor [N, H, W]', () => {
    const model = new ck.Sequential([new ck.Conv2D({ filters: 3, kernelSize: 1, activation: 'softmax', seed: 64 })]);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const images = new ck.Tensor(randomArray(2 * 4 * 5 * 2, 65), [2, 4, 5, 2]);
    const classes = Float32Array.from({ length: 40 }, (_, i) => (i * 5) % 3);
    const p = model.forward(images).data;
    const want = -Array.from(classes).reduce((s, c, r) => s + Math.log(p[r * 3 + c]), 0) / 40;
    for (const y of [new ck.Tensor(classes, [2, 4, 5]), new ck.Tensor(classes, [2, 4, 5, 1]), Int32Array.from(classes)]) {
      expect(model.evaluate(images, y).loss).to.be.closeTo(want, 1e-6 * want);
    }
    expectThrowsNamed(() => model.evaluate(images, new ck.Tensor(classes, [2, 20])), { name: 'y', type: RangeError });
  });

  it('predict: forward in batches, put together (the same bits in one batch; to rounding in several)', () => {
    const model = mlp(63);
    const want = model.forward(x);
    for (const batchSize of [1, 7, 32]) {
      // A batch of another size may take another micro-kernel (native sums one row in its own
      // order): logits an ulp or two apart, which the softmax turns into a relative 1e-6 or so.
      const got = model.predict(x, { batchSize });
      expect(got.shape).to.deep.equal(want.shape);
      got.data.forEach((v, i) => expect(v, `batchSize ${batchSize} [${i}]`).to.be.closeTo(want.data[i], 1e-5 * Math.abs(want.data[i]) + 1e-30));
    }
    expect(bits(model.predict(x, { batchSize: 40 }).data)).to.deep.equal(bits(want.data));
    expect(bits(model.predict(x, { batchSize: 64 }).data)).to.deep.equal(bits(want.data));
  });
});

describe('compile, fit, evaluate and predict: errors', () => {
  const { x, labels, oneHot } = blobs(10, 3, 3, 70);
  /** A compiled model whose first layer has seen x (so its input width is fixed at 3). */
  const compiled = (loss: ck.LossName = 'sparseCategoricalCrossentropy') => {
    const m = mlp(71);
    m.compile({ optimizer: 'sgd', loss });
    m.predict(x);
    return m;
  };

  it('a model trained by fit saves without an inputShape: the shape it trained on, read back by loadModel', async () => {
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 3, kernelSize: 3, activation: 'relu', seed: 90 }),
      new ck.Flatten(),
      new ck.Dense({ units: 2, activation: 'softmax', seed: 91 }),
    ]);
    const x = new ck.Tensor(randomArray(6 * 5 * 4 * 2, 92), [6, 5, 4, 2]);
    expect(() => model.toArtifacts(), 'before fit: nothing says the input shape').to.throw(/inputShape/);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await model.fit(x, new Int32Array([0, 1, 0, 1, 1, 0]), { epochs: 1, verbose: 0 });
    const artifacts = model.toArtifacts();
    const first = (artifacts.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers[0].config;
    expect(first.batch_input_shape).to.deep.equal([null, 5, 4, 2]);
    const loaded = await loadSequential(artifacts);
    expect(Array.from(loaded.forward(x).data)).to.deep.equal(Array.from(model.forward(x).data));
  });

  it('fit and evaluate before compile', async () => {
    const m = mlp(72);
    let e: unknown = null;
    await m.fit(x, labels).catch((err) => (e = err));
    expect(String(e)).to.match(/Expected model.compile\(\{ optimizer, loss \}\) before fit/);
    expect(() => m.evaluate(x, labels)).to.throw(/before evaluate/);
    expect(m.predict(x).shape).to.deep.equal([10, 3]);
  });

  it('one fit at a time on a model', async () => {
    const m = compiled();
    const first = m.fit(x, labels, { verbose: 0 });
    let e: unknown = null;
    await m.fit(x, labels, { verbose: 0 }).catch((err) => (e = err));
    await first;
    expect(String(e)).to.match(/one fit at a time/);
    await m.fit(x, labels, { verbose: 0 }); // and after it, another
  });

  const compileErrors: [string, unknown, string, typeof TypeError | typeof RangeError, RegExp][] = [
    ['an unknown loss, listing the valid ones', { optimizer: 'sgd', loss: 'hinge' }, 'loss', RangeError,
      /one of 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'meanSquaredError' for loss but received 'hinge'/],
    ['no loss', { optimizer: 'sgd' }, 'loss', TypeError, /for loss but received undefined/],
    ['a misspelt key', { optimizer: 'sgd', loss: 'meanSquaredError', metric: ['accuracy'] }, 'compile options', RangeError, /received key 'metric'/],
    ['metrics other than accuracy', { optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['mae'] }, 'metrics[0]', RangeError, /'accuracy', 'acc'/],
    ['options that are not an object', 'sgd', 'compile options', TypeError, /options object for compile options/],
  ];
  for (const [title, options, name, type, message] of compileErrors) {
    it(`compile: ${title}`, () => {
      const e = expectThrowsNamed(() => mlp(73).compile(options as ck.CompileOptions), { name, type });
      expect(e.message).to.match(message);
    });
  }
  it('compile: accuracy asked for with meanSquaredError', () => {
    expect(() => mlp(73).compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['accuracy'] })).to.throw(RangeError, /cross-entropies only/);
  });

  const fitErrors: [string, () => [unknown, unknown, unknown], string, typeof TypeError | typeof RangeError, RegExp?][] = [
    ['x not a Tensor', () => [x.data, labels, {}], 'x', TypeError],
    ['x of the wrong width', () => [new ck.Tensor(new Float32Array(40), [10, 4]), labels, {}], 'input', RangeError],
    ['labels of another count', () => [x, new Int32Array(9), {}], 'y', RangeError, /Expected 10 class indices \(one per row of the output \[10, 3\]\) for y but received 9/],
    ['a label out of range', () => [x, Int32Array.from([0, 1, 2, 3, 0, 0, 0, 0, 0, 0]), {}], 'y[3]', RangeError, /an integer in \[0, 2\]\) for y\[3\] but received 3 of type number/],
    ['a label that is not an integer', () => [x, Float32Array.from([0, 1, 1.5, 0, 0, 0, 0, 0, 0, 0]), {}], 'y[2]', RangeError],
    ['labels as a plain array', () => [x, [0, 1], {}], 'y', TypeError],
    ['labels as a Tensor of the wrong shape', () => [x, new ck.Tensor(new Float32Array(20), [10, 2]), {}], 'y', RangeError],
    ['epochs -3', () => [x, labels, { epochs: -3 }], 'epochs', RangeError, /^Expected positive integer for epochs but received -3 of type number$/],
    ["batchSize '32'", () => [x, labels, { batchSize: '32' }], 'batchSize', TypeError],
    ['shuffle 1', () => [x, labels, { shuffle: 1 }], 'shuffle', TypeError],
    ['seed -1', () => [x, labels, { seed: -1 }], 'seed', RangeError],
    ['verbose 2', () => [x, labels, { verbose: 2 }], 'verbose', RangeError],
    ["validationData 'x'", () => [x, labels, { validationData: 'x' }], 'validationData', TypeError],
    ['validation labels of another count', () => [x, labels, { validationData: [x, new Int32Array(3)] }], 'validationData[1]', RangeError],
    ['onEpochEnd 5', () => [x, labels, { onEpochEnd: 5 }], 'onEpochEnd', TypeError],
    ['onEpochBegin true', () => [x, labels, { onEpochBegin: true }], 'onEpochBegin', TypeError],
    ['onBatchEnd {}', () => [x, labels, { onBatchEnd: {} }], 'onBatchEnd', TypeError],
    ['a misspelt option', () => [x, labels, { epoch: 3 }], 'fit options', RangeError, /received key 'epoch'/],
  ];
  for (const [title, args, name, type, message] of fitErrors) {
    it(`fit rejects: ${title} (${type.name} naming ${name}), and evaluate throws alike where it takes the value`, async () => {
      const m = compiled();
      const [xv, yv, options] = args();
      let e: Error | null = null;
      await m.fit(xv as ck.Tensor, yv as ck.Labels, { verbose: 0, ...(options as object) } as ck.FitOptions).catch((err) => (e = err));
      expect(e, 'fit rejected').to.not.equal(null);
      const sync = expectThrowsNamed(() => { throw e; }, { name, type });
      if (message) expect(sync.message).to.match(message);
      if (Object.keys(options as object).length === 0) {
        await expectRejectsLike(async () => m.evaluate(xv as ck.Tensor, yv as ck.Labels), sync);
      }
    });
  }

  it('categorical targets must be a Tensor of the output\'s shape', async () => {
    const m = compiled('categoricalCrossentropy');
    expectThrowsNamed(() => m.evaluate(x, labels), { name: 'y', type: TypeError });
    expectThrowsNamed(() => m.evaluate(x, new ck.Tensor(new Float32Array(40), [10, 4])), { name: 'y', type: RangeError });
    expect(m.evaluate(x, oneHot).loss).to.be.a('number');
  });

  it('evaluate and predict: batchSize', () => {
    const m = compiled();
    expectThrowsNamed(() => m.evaluate(x, labels, { batchSize: 0 }), { name: 'batchSize', type: RangeError });
    expectThrowsNamed(() => m.predict(x, { batchSize: 1.5 }), { name: 'batchSize', type: RangeError });
    expectThrowsNamed(() => m.predict(x, { batch: 4 } as ck.BatchOptions), { name: 'predict options', type: RangeError });
  });
});
