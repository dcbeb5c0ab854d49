// Functional models as tfjs-layers builds them: the shapes of the networks people run (residual,
// inception, MobileNet V1 and V2, squeeze-and-excite, U-Net), several inputs or outputs, and
// models nested as layers. `depth` is the count of layers on the longest path that round
// (convolutions, Dense, BatchNormalization, merges): the tests' bound grows with it.
import { randomArray } from './random';
import { tf, tfl } from './tfjs';

type ST = tfl.SymbolicTensor;

export interface FunctionalCase {
  title: string;
  inputShapes: number[][];
  depth: number;
  /** The convkit class loadModel gives, when it matters ('Model' for a functional model). */
  className?: string;
  build(): tfl.LayersModel;
}

const L = tfl.layers;

/** `model` with each layer's weights seeded (nested models' layers too): uniform in [-0.5, 0.5), variances in [0.5, 1.5). */
export function seedWeights(model: tfl.LayersModel, seed: number): tfl.LayersModel {
  let j = 0;
  const seedLayers = (layers: tfl.layers.Layer[]): void => {
    for (const l of layers) {
      if (l instanceof tfl.LayersModel) {
        seedLayers(l.layers);
        continue;
      }
      l.setWeights(l.weights.map((w) => {
        const n = w.shape.reduce((a: number, b) => a * b!, 1), r = randomArray(n, seed + j++);
        return tf.tensor(w.name.includes('variance') ? r.map((x) => 1 + x / 2) : r.map((x) => x / 2), w.shape as number[]);
      }));
    }
  };
  seedLayers(model.layers);
  return model;
}
const ap = (layer: tfl.layers.Layer, x: ST | ST[]) => layer.apply(x) as ST;

/** Conv, BatchNormalization and an activation layer, Keras-application style. */
function convBn(x: ST, filters: number, kernelSize: number, strides: number, name: string, act: 'relu' | 'relu6' | null = 'relu', padding: 'same' | 'valid' = 'same'): ST {
  let y = ap(L.conv2d({ filters, kernelSize, strides, padding, useBias: false, name }), x);
  y = ap(L.batchNormalization({ name: `${name}_bn` }), y);
  if (act === 'relu') y = ap(L.activation({ activation: 'relu', name: `${name}_relu` }), y);
  if (act === 'relu6') y = ap(L.reLU({ maxValue: 6, name: `${name}_relu6` }), y);
  return y;
}

/** A ResNet basic block; with a projection shortcut (1x1 stride-2 conv and BN) when it downsamples. */
function resBlock(x: ST, filters: number, strides: number, name: string): ST {
  let y = convBn(x, filters, 3, strides, `${name}_1`);
  y = convBn(y, filters, 3, 1, `${name}_2`, null);
  const shortcut = strides > 1 || x.shape[3] !== filters ? convBn(x, filters, 1, strides, `${name}_proj`, null) : x;
  return ap(L.activation({ activation: 'relu', name: `${name}_out` }), ap(L.add({ name: `${name}_add` }), [y, shortcut]));
}

/** MobileNetV2's inverted residual block, as keras.applications writes it. */
function invertedResidual(x: ST, expansion: number, filters: number, stride: number, name: string): ST {
  const inC = x.shape[3] as number;
  let y = expansion > 1 ? convBn(x, inC * expansion, 1, 1, `${name}_expand`, 'relu6') : x;
  if (stride === 2) y = ap(L.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `${name}_pad` }), y);
  y = ap(L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false, name: `${name}_depthwise` }), y);
  y = ap(L.batchNormalization({ name: `${name}_depthwise_bn` }), y);
  y = ap(L.reLU({ maxValue: 6, name: `${name}_depthwise_relu` }), y);
  y = ap(L.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, name: `${name}_project` }), y);
  y = ap(L.batchNormalization({ name: `${name}_project_bn` }), y);
  return stride === 1 && inC === filters ? ap(L.add({ name: `${name}_add` }), [x, y]) : y;
}

/** MobileNet V1 at width `alpha` on a small image: the stem, then depthwise-separable blocks. */
function mobileNetV1(alpha: number, size: number): tfl.LayersModel {
  const x = tfl.input({ shape: [size, size, 3], name: 'input_1' });
  const f = (n: number) => Math.max(8, Math.round(n * alpha));
  let y = convBn(x, f(32), 3, 2, 'conv1', 'relu6');
  const blocks: [number, number][] = [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [1024, 2], [1024, 1]];
  blocks.forEach(([filters, stride], i) => {
    y = ap(L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, name: `conv_dw_${i + 1}` }), y);
    y = ap(L.batchNormalization({ name: `conv_dw_${i + 1}_bn` }), y);
    y = ap(L.reLU({ maxValue: 6, name: `conv_dw_${i + 1}_relu` }), y);
    y = convBn(y, f(filters), 1, 1, `conv_pw_${i + 1}`, 'relu6');
  });
  y = ap(L.globalAveragePooling2d({ name: 'global_pool' }), y);
  y = ap(L.dense({ units: 10, activation: 'softmax', name: 'predictions' }), y);
  return tfl.model({ inputs: x, outputs: y, name: `mobilenet_${alpha}` });
}

/** MobileNetV2 as keras.applications builds it, narrowed, on a small image; softmax over 10 classes. */
export function mobileNetV2(size: number): tfl.LayersModel {
  const x = tfl.input({ shape: [size, size, 3] });
  let y = ap(L.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'Conv1_pad' }), x);
  y = convBn(y, 16, 3, 2, 'Conv1', 'relu6', 'valid');
  y = invertedResidual(y, 1, 8, 1, 'expanded_conv');
  y = invertedResidual(y, 6, 12, 2, 'block_1');
  y = invertedResidual(y, 6, 12, 1, 'block_2');
  y = invertedResidual(y, 6, 16, 2, 'block_3');
  y = invertedResidual(y, 6, 16, 1, 'block_4');
  y = convBn(y, 64, 1, 1, 'Conv_1', 'relu6');
  y = ap(L.globalAveragePooling2d({}), y);
  y = ap(L.dense({ units: 10, activation: 'softmax', name: 'predictions' }), y);
  return tfl.model({ inputs: x, outputs: y });
}

export const FUNCTIONAL_CASES: FunctionalCase[] = [
  {
    title: 'ResNet: stem, identity and projection blocks, global pooling, Dense softmax',
    inputShapes: [[16, 16, 3]],
    depth: 12,
    className: 'Model',
    build() {
      const x = tfl.input({ shape: [16, 16, 3] });
      let y = convBn(x, 8, 3, 1, 'stem');
      y = resBlock(y, 8, 1, 'res1');
      y = resBlock(y, 16, 2, 'res2');
      y = ap(L.globalAveragePooling2d({}), y);
      return tfl.model({ inputs: x, outputs: ap(L.dense({ units: 5, activation: 'softmax' }), y) });
    },
  },
  {
    title: 'Inception block: 1x1, 3x3 and 5x5 branches and a pooled branch, concatenated',
    inputShapes: [[9, 9, 4]],
    depth: 4,
    build() {
      const x = tfl.input({ shape: [9, 9, 4] });
      const b1 = ap(L.conv2d({ filters: 3, kernelSize: 1, activation: 'relu' }), x);
      const b2 = ap(L.conv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }), ap(L.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }), x));
      const b3 = ap(L.conv2d({ filters: 2, kernelSize: 5, padding: 'same', activation: 'relu' }), ap(L.conv2d({ filters: 2, kernelSize: 1 }), x));
      const b4 = ap(L.conv2d({ filters: 3, kernelSize: 1 }), ap(L.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }), x));
      const y = ap(L.concatenate({ axis: -1 }), [b1, b2, b3, b4]);
      return tfl.model({ inputs: x, outputs: ap(L.flatten({}), ap(L.averagePooling2d({ poolSize: 3 }), y)) });
    },
  },
  {
    title: 'MobileNetV2 as keras.applications defines it (ZeroPadding2D, ReLU max_value 6, Add), small',
    inputShapes: [[32, 32, 3]],
    depth: 20,
    build: () => mobileNetV2(32),
  },
  {
    title: 'MobileNet V1 alpha 0.25',
    inputShapes: [[64, 64, 3]],
    depth: 45,
    build: () => mobileNetV1(0.25, 64),
  },
  {
    title: 'MobileNet V1 alpha 1.0',
    inputShapes: [[32, 32, 3]],
    depth: 45,
    build: () => mobileNetV1(1, 32),
  },
  {
    title: 'squeeze-and-excite: GlobalAveragePooling2D, Dense relu, Dense sigmoid, Reshape, Multiply',
    inputShapes: [[7, 7, 8]],
    depth: 5,
    build() {
      const x = tfl.input({ shape: [7, 7, 8] });
      const y = ap(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
      let s = ap(L.globalAveragePooling2d({}), y);
      s = ap(L.dense({ units: 2, activation: 'relu' }), s);
      s = ap(L.dense({ units: 8, activation: 'sigmoid' }), s);
      s = ap(L.reshape({ targetShape: [1, 1, 8] }), s);
      return tfl.model({ inputs: x, outputs: ap(L.multiply({}), [y, s]) });
    },
  },
  {
    title: 'U-Net: encoder, Conv2DTranspose and UpSampling2D decoders joined by Concatenate',
    inputShapes: [[16, 16, 2]],
    depth: 9,
    build() {
      const x = tfl.input({ shape: [16, 16, 2] });
      const c1 = ap(L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
      const p1 = ap(L.maxPooling2d({ poolSize: 2 }), c1);
      const c2 = ap(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }), p1);
      const p2 = ap(L.maxPooling2d({ poolSize: 2 }), c2);
      const c3 = ap(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }), p2);
      const u2 = ap(L.conv2dTranspose({ filters: 8, kernelSize: 2, strides: 2, padding: 'same' }), c3);
      const d2 = ap(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }), ap(L.concatenate({}), [u2, c2]));
      const u1 = ap(L.upSampling2d({ size: [2, 2] }), d2);
      const d1 = ap(L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), ap(L.concatenate({}), [c1, u1]));
      return tfl.model({ inputs: x, outputs: ap(L.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }), d1) });
    },
  },
  {
    title: 'two outputs (a class and a box) from one trunk',
    inputShapes: [[8, 8, 3]],
    depth: 4,
    build() {
      const x = tfl.input({ shape: [8, 8, 3] });
      const t = ap(L.flatten({}), ap(L.maxPooling2d({ poolSize: 2 }), ap(L.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), x)));
      return tfl.model({ inputs: x, outputs: [ap(L.dense({ units: 3, activation: 'softmax', name: 'cls' }), t), ap(L.dense({ units: 4, name: 'box' }), t)] });
    },
  },
  {
    title: 'two inputs: an image and a vector, joined after the image is pooled',
    inputShapes: [[6, 6, 2], [5]],
    depth: 4,
    build() {
      const img = tfl.input({ shape: [6, 6, 2], name: 'img' }), vec = tfl.input({ shape: [5], name: 'vec' });
      const a = ap(L.globalMaxPooling2d({}), ap(L.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }), img));
      const b = ap(L.dense({ units: 3, activation: 'tanh' }), vec);
      const j = ap(L.concatenate({}), [a, b]);
      return tfl.model({ inputs: [img, vec], outputs: ap(L.dense({ units: 2 }), ap(L.maximum({}), [ap(L.dense({ units: 4 }), j), ap(L.dense({ units: 4 }), a)])) });
    },
  },
  {
    title: 'transfer learning: a functional base nested in a Sequential with GlobalAveragePooling2D and Dense',
    inputShapes: [[12, 12, 3]],
    depth: 8,
    className: 'Model',
    build() {
      const x = tfl.input({ shape: [12, 12, 3] });
      let y = convBn(x, 6, 3, 2, 'base_conv1');
      y = resBlock(y, 6, 1, 'base_res');
      const base = tfl.model({ inputs: x, outputs: y, name: 'base' });
      base.trainable = false;
      return tfl.sequential({ layers: [base, L.globalAveragePooling2d({}), L.dense({ units: 4, activation: 'softmax' })] });
    },
  },
  {
    title: 'a functional model nested in a functional model, with a branch around it',
    inputShapes: [[8, 8, 4]],
    depth: 6,
    build() {
      const ix = tfl.input({ shape: [8, 8, 4] });
      const inner = tfl.model({ inputs: ix, outputs: ap(L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), ap(L.conv2d({ filters: 4, kernelSize: 1 }), ix)), name: 'inner' });
      const x = tfl.input({ shape: [8, 8, 4] });
      const y = ap(L.add({}), [inner.apply(x) as ST, x]);
      return tfl.model({ inputs: x, outputs: ap(L.averagePooling2d({ poolSize: 2 }), y) });
    },
  },
  {
    title: 'a Sequential nested in a functional model, applied to one branch',
    inputShapes: [[8, 8, 3]],
    depth: 5,
    build() {
      const x = tfl.input({ shape: [8, 8, 3] });
      const block = tfl.sequential({ layers: [L.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), L.batchNormalization({}), L.conv2d({ filters: 3, kernelSize: 1 })], name: 'block' });
      const y = ap(L.add({}), [block.apply(x) as ST, x]);
      return tfl.model({ inputs: x, outputs: ap(L.dense({ units: 2 }), ap(L.globalAveragePooling2d({}), y)) });
    },
  },
];
