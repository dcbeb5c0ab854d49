// A bench network as a convkit functional model (ck.input / apply / ck.model) with its weights.
import * as ck from '../../lib/index';
import type { NetNode, Network } from './graph';

export function layerOf(n: NetNode): ck.Layer | ck.MultiInputLayer {
  const name = n.name;
  switch (n.op) {
    case 'conv': return new ck.Conv2D({ name, filters: n.filters, kernelSize: n.k, strides: n.stride, padding: n.padding, useBias: n.useBias, activation: n.activation });
    case 'depthwise': return new ck.DepthwiseConv2D({ name, kernelSize: n.k, strides: n.stride, padding: n.padding, useBias: false });
    case 'batchnorm': return new ck.BatchNormalization({ name, epsilon: n.epsilon });
    case 'relu6': return new ck.ReLU({ name, maxValue: 6 });
    case 'zeropad': return new ck.ZeroPadding2D({ name, padding: [[n.pad[0], n.pad[1]], [n.pad[2], n.pad[3]]] });
    case 'add': return new ck.Add({ name });
    case 'concat': return new ck.Concatenate({ name, axis: -1 });
    case 'convTranspose': return new ck.Conv2DTranspose({ name, filters: n.filters, kernelSize: n.k, strides: n.stride, padding: 'same', activation: n.activation });
    case 'upsample': return new ck.UpSampling2D({ name, size: n.size });
    case 'maxpool': return new ck.MaxPool2D({ name, poolSize: n.size });
    case 'gap': return new ck.GlobalAveragePooling2D({ name });
    case 'dense': return new ck.Dense({ name, units: n.units, activation: n.activation });
    case 'input': throw new Error('the input is not a layer');
  }
}

/** The network as a convkit model; `foldBatchNorm: false` runs each BatchNormalization as its own op. */
export function convkitModel(net: Network, rewrites?: ck.RewriteOptions): ck.Model {
  const values: ck.SymbolicTensor[] = [ck.input({ shape: net.nodes[0].shape, name: 'input' })];
  for (const n of net.nodes.slice(1)) {
    const layer = layerOf(n), inputs = n.inputs.map((i) => values[i]);
    values.push(layer instanceof ck.MultiInputLayer ? layer.apply(inputs) : layer.apply(inputs[0]));
  }
  const model = ck.model({ inputs: values[0], outputs: values[values.length - 1], name: net.name, rewrites });
  const weights: Record<string, Partial<ck.Weights>> = {};
  for (const n of net.nodes) {
    if (n.op === 'batchnorm') weights[n.name] = { ...n.weights };
    else if (n.weights.kernel) weights[n.name] = { kernel: n.weights.kernel, bias: n.weights.bias ?? null };
  }
  model.setWeights(weights);
  return model;
}

/** Bytes of the weights the model holds (float32). */
export function weightBytes(net: Network): number {
  return net.nodes.reduce((s, n) => s + Object.values(n.weights).reduce((t, a) => t + a.byteLength, 0), 0);
}
