// A small functional CNN: a residual block and a concatenation of two branches, the shapes that
// ResNet and Inception are made of, on 28x28 digits. The same graph for convkit (ck.input,
// apply, ck.model) and for TensorFlow.js (tf.input, apply, tf.model).
'use strict';

const { SIZE, CLASSES } = require('./data');

/** The graph on a library's layers: `layer(kind, options)` makes one, `join` builds it. */
function graph(x, layer) {
  let y = layer('conv2d', { filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }).apply(x);
  y = layer('maxPool', { poolSize: 2 }).apply(y);
  const r = layer('conv2d', { filters: 16, kernelSize: 3, padding: 'same' }).apply(
    layer('conv2d', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(y));
  y = layer('relu', {}).apply(layer('add', {}).apply([y, r]));
  const a = layer('conv2d', { filters: 16, kernelSize: 1, activation: 'relu' }).apply(y);
  const b = layer('conv2d', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(y);
  y = layer('maxPool', { poolSize: 2 }).apply(layer('concatenate', {}).apply([a, b]));
  y = layer('dense', { units: 128, activation: 'relu' }).apply(layer('flatten', {}).apply(y));
  return layer('dense', { units: CLASSES, activation: 'softmax' }).apply(y);
}

/** convkit: seeded He-uniform weights, so every run starts from the same model. */
function convkitResidual(ck, seed = 1) {
  let s = seed;
  const make = {
    conv2d: (o) => new ck.Conv2D({ ...o, seed: s++ }), dense: (o) => new ck.Dense({ ...o, seed: s++ }), maxPool: (o) => new ck.MaxPool2D(o),
    relu: () => new ck.ReLU(), add: () => new ck.Add(), concatenate: () => new ck.Concatenate(), flatten: () => new ck.Flatten(),
  };
  const x = ck.input({ shape: [SIZE, SIZE, 1] });
  return ck.model({ inputs: x, outputs: graph(x, (kind, o) => make[kind](o)), name: 'residual' });
}

/** TensorFlow.js (tfjs-layers), He-uniform like convkit's initialisation. */
function tfjsResidual(tf) {
  const init = () => ({ kernelInitializer: tf.initializers.heUniform({ seed: 1 }) });
  const L = tf.layers;
  const make = {
    conv2d: (o) => L.conv2d({ ...o, ...init() }), dense: (o) => L.dense({ ...o, ...init() }), maxPool: (o) => L.maxPooling2d(o),
    relu: () => L.reLU(), add: () => L.add(), concatenate: () => L.concatenate(), flatten: () => L.flatten(),
  };
  const x = tf.input({ shape: [SIZE, SIZE, 1] });
  return tf.model({ inputs: x, outputs: graph(x, (kind, o) => make[kind](o)) });
}

module.exports = { convkitResidual, tfjsResidual };
