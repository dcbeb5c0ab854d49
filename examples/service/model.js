// The model this service serves: a small CNN (Conv2D, MaxPool2D, Conv2D, MaxPool2D, Dense) on one
// 64x64 RGB image as float32 NHWC. Its weights are seeded He-uniform (no trained model yet):
// replace `layers()` with your own, e.g. `new ck.Conv2D({ ..., kernel, bias })` with trained
// Keras/TensorFlow.js weights, and LABELS with your classes.
'use strict';

const INPUT_SHAPE = [64, 64, 3];
const INPUT_FLOATS = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];
const LABELS = ['class 0', 'class 1', 'class 2', 'class 3', 'class 4', 'class 5', 'class 6', 'class 7', 'class 8', 'class 9'];

/** The layers, in order (the same seeds give the same weights on every machine). */
function layers(ck) {
  return [
    new ck.Conv2D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Conv2D({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', seed: 2 }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Dense({ units: LABELS.length, seed: 3 }),
  ];
}

/**
 * The model, ready to serve: one forward at load time initialises and packs every layer's
 * weights, so the first request pays for nothing but its own compute.
 */
function loadModel(ck) {
  const model = new ck.Sequential(layers(ck));
  model.forward(new ck.Tensor(new Float32Array(INPUT_FLOATS), [1, ...INPUT_SHAPE]));
  return model;
}

/**
 * predict(image) for the service: the logits of one image, computed off the event loop; with
 * `batch`, images arriving together are computed as one batch (model.batcher: at most 8, an idle
 * service holding a request at most 1 ms for others).
 */
function convkitPredictor(ck, model, { batch = false } = {}) {
  const run = batch ? model.batcher({ maxBatch: 8, maxDelayMs: 1 }) : { predict: (x) => model.forwardAsync(x) };
  return async (image) => (await run.predict(new ck.Tensor(image, [1, ...INPUT_SHAPE]))).data;
}

module.exports = { INPUT_SHAPE, INPUT_FLOATS, LABELS, layers, loadModel, convkitPredictor };
