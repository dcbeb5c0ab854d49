// LeNet-5 (LeCun et al., 1998) as Keras builds it today: ReLU for its squashing functions,
// max-pooling for its subsampling, softmax over the ten digits. The same layers for convkit and
// for TensorFlow.js, so that train.mjs compares like with like.
'use strict';

const { SIZE, CLASSES } = require('./data');

/** convkit: seeded He-uniform weights, so every run starts from the same model. */
function convkitLeNet(ck, seed = 1) {
  return new ck.Sequential([
    new ck.Conv2D({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', seed }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Conv2D({ filters: 16, kernelSize: 5, activation: 'relu', seed: seed + 1 }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Flatten(),
    new ck.Dense({ units: 120, activation: 'relu', seed: seed + 2 }),
    new ck.Dense({ units: 84, activation: 'relu', seed: seed + 3 }),
    new ck.Dense({ units: CLASSES, activation: 'softmax', seed: seed + 4 }),
  ]);
}

/** TensorFlow.js (tfjs-layers), He-uniform like convkit's initialisation. */
function tfjsLeNet(tf) {
  const init = () => tf.initializers.heUniform({ seed: 1 });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init() }),
      tf.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init() }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: init() }),
    ],
  });
}

module.exports = { convkitLeNet, tfjsLeNet };
