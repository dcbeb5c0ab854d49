// A bench network as a tfjs-layers functional model (tf.input / apply / tf.model) with the same
// weights, for TensorFlow.js candidates. `tf` is @tensorflow/tfjs-core, `tfl` @tensorflow/tfjs-layers.
import type { NetNode, Network } from './graph';

function layerOf(tfl: any, n: NetNode): any {
  const name = n.name;
  switch (n.op) {
    case 'conv': return tfl.layers.conv2d({ name, filters: n.filters, kernelSize: n.k, strides: n.stride, padding: n.padding, useBias: n.useBias, activation: n.activation });
    case 'depthwise': return tfl.layers.depthwiseConv2d({ name, kernelSize: n.k, strides: n.stride, padding: n.padding, useBias: false });
    case 'batchnorm': return tfl.layers.batchNormalization({ name, epsilon: n.epsilon });
    case 'relu6': return tfl.layers.reLU({ name, maxValue: 6 });
    case 'zeropad': return tfl.layers.zeroPadding2d({ name, padding: [[n.pad[0], n.pad[1]], [n.pad[2], n.pad[3]]] });
    case 'add': return tfl.layers.add({ name });
    case 'concat': return tfl.layers.concatenate({ name, axis: -1 });
    case 'convTranspose': return tfl.layers.conv2dTranspose({ name, filters: n.filters, kernelSize: n.k, strides: n.stride, padding: 'same', activation: n.activation });
    case 'upsample': return tfl.layers.upSampling2d({ name, size: [n.size, n.size] });
    case 'maxpool': return tfl.layers.maxPooling2d({ name, poolSize: n.size });
    case 'gap': return tfl.layers.globalAveragePooling2d({ name });
    case 'dense': return tfl.layers.dense({ name, units: n.units, activation: n.activation });
    case 'input': throw new Error('the input is not a layer');
  }
}

/** Keras's weight order per layer kind (the shapes are the ones tfjs-layers made). */
const WEIGHT_ORDER: Partial<Record<NetNode['op'], string[]>> = {
  batchnorm: ['gamma', 'beta', 'movingMean', 'movingVariance'],
};

export function tfjsModel(tf: any, tfl: any, net: Network): any {
  const values: any[] = [tfl.input({ shape: net.nodes[0].shape, name: 'input' })];
  const layers: any[] = [null];
  for (const n of net.nodes.slice(1)) {
    const layer = layerOf(tfl, n), inputs = n.inputs.map((i) => values[i]);
    layers.push(layer);
    values.push(layer.apply(inputs.length === 1 ? inputs[0] : inputs));
  }
  const model = tfl.model({ inputs: values[0], outputs: values[values.length - 1], name: net.name });
  net.nodes.forEach((n, i) => {
    const names = WEIGHT_ORDER[n.op] ?? ['kernel', 'bias'].filter((k) => n.weights[k]);
    if (!names.length) return;
    const layer = layers[i];
    layer.setWeights(names.map((k, j) => tf.tensor(n.weights[k], layer.weights[j].shape)));
  });
  return model;
}
