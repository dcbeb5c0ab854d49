// The `mnist` package's 10,000 handwritten digits (28x28, grey levels 0 to 1) as NHWC tensors,
// split the same way on every run: of each digit's samples, the first 85 % train the model and
// the rest are held out to test it (never seen in training).
'use strict';

const SIZE = 28;
const PIXELS = SIZE * SIZE;
const CLASSES = 10;

/** Digit d's samples: the package's flat array of PIXELS floats per sample. */
function rawDigits(d) {
  return require(`mnist/src/digits/${d}.json`).data;
}

/** Samples as { x: Tensor [n, 28, 28, 1], y: one-hot Tensor [n, 10], labels: Int32Array [n] }. */
function toTensors(ck, samples) {
  const x = new Float32Array(samples.length * PIXELS);
  const y = new Float32Array(samples.length * CLASSES);
  const labels = new Int32Array(samples.length);
  samples.forEach(({ raw, at, label }, i) => {
    for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = raw[at + p];
    y[i * CLASSES + label] = 1;
    labels[i] = label;
  });
  return {
    x: new ck.Tensor(x, [samples.length, SIZE, SIZE, 1]),
    y: new ck.Tensor(y, [samples.length, CLASSES]),
    labels,
  };
}

/** { train, test }, each as toTensors gives; testFraction of each digit is held out. */
function loadMnist(ck, { testFraction = 0.15 } = {}) {
  const train = [], test = [];
  for (let label = 0; label < CLASSES; label++) {
    const raw = rawDigits(label);
    const count = Math.floor(raw.length / PIXELS);
    const cut = Math.round(count * (1 - testFraction));
    for (let i = 0; i < count; i++) (i < cut ? train : test).push({ raw, at: i * PIXELS, label });
  }
  return { train: toTensors(ck, train), test: toTensors(ck, test) };
}

module.exports = { SIZE, PIXELS, CLASSES, loadMnist };
