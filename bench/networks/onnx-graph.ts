// A bench network as an ONNX graph (opset 13, NCHW) for ONNX Runtime, encoded with the bench's
// protobufjs writer (peers/onnx-model.ts). As exporters write it: Keras kernels transposed to
// OIHW, ZeroPadding2D folded into the pads of the convolution that reads it, ReLU(6) as Clip,
// BatchNormalization left as its own node (ONNX Runtime folds it into the Conv when it loads).
import { hwioToOihw } from '../../suite/layout';
import { encodeModel, initializer, ints } from '../peers/onnx-model';
import type { NetNode, Network } from './graph';

const FLOAT_ATTR = 1, INT_ATTR = 2;
const float = (name: string, f: number) => ({ name, f, type: FLOAT_ATTR });
const int = (name: string, i: number) => ({ name, i, type: INT_ATTR });

/** TensorFlow's 'same' padding for one axis: [before, after]. */
function samePads(size: number, k: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export function onnxNetwork(net: Network, batch: number): { bytes: Uint8Array; inputShape: number[]; outputShape: number[] } {
  const nodes: object[] = [], inits: object[] = [];
  const nchw = (shape: number[]) => (shape.length === 3 ? [batch, shape[2], shape[0], shape[1]] : [batch, ...shape]);
  const last = net.nodes.length - 1;
  const value = (i: number) => (i === 0 ? 'x' : i === last ? 'y' : net.nodes[i].name);
  /** The value a node reads, through a ZeroPadding2D (whose pads it returns to fold). */
  const source = (i: number): { name: string; pad: number[]; shape: number[] } => {
    const n = net.nodes[i];
    if (n.op === 'zeropad') return { name: value(n.inputs[0]), pad: n.pad, shape: net.nodes[n.inputs[0]].shape };
    return { name: value(i), pad: [0, 0, 0, 0], shape: n.shape };
  };
  const weight = (n: NetNode, key: string, dims: number[], data: Float32Array) => {
    inits.push(initializer(`${n.name}/${key}`, dims, data));
    return `${n.name}/${key}`;
  };
  const activation = (n: NetNode, kind: string, pre: string, i: number) => {
    const op = { relu: 'Relu', sigmoid: 'Sigmoid', softmax: 'Softmax' }[kind];
    if (op) nodes.push({ opType: op, input: [pre], output: [value(i)], name: `${n.name}/${kind}` });
  };
  if (net.nodes.some((n) => n.op === 'relu6')) inits.push(initializer('relu6/min', [], new Float32Array([0])), initializer('relu6/max', [], new Float32Array([6])));
  net.nodes.forEach((n, i) => {
    if (n.op === 'input' || n.op === 'zeropad') return;
    const out = value(i), inputs = n.inputs.map(value);
    if (n.op === 'conv' || n.op === 'depthwise') {
      const src = source(n.inputs[0]), [h, w, c] = src.shape;
      const [t, b] = n.padding === 'same' ? samePads(h, n.k, n.stride) : [0, 0], [l, r] = n.padding === 'same' ? samePads(w, n.k, n.stride) : [0, 0];
      const pads = [t + src.pad[0], l + src.pad[2], b + src.pad[1], r + src.pad[3]];
      const depthwise = n.op === 'depthwise', oc = depthwise ? c : n.filters;
      const kernel = depthwise ? hwioToOihw(n.weights.kernel, [n.k, n.k, 1, c]) : hwioToOihw(n.weights.kernel, [n.k, n.k, c, oc]);
      const input = [src.name, weight(n, 'W', [oc, depthwise ? 1 : c, n.k, n.k], kernel)];
      if (n.weights.bias) input.push(weight(n, 'B', [oc], n.weights.bias));
      const act = depthwise ? 'linear' : n.activation, pre = act === 'linear' ? out : `${n.name}/pre`;
      const attrs = [ints('kernel_shape', [n.k, n.k]), ints('strides', [n.stride, n.stride]), ints('pads', pads), ...(depthwise ? [int('group', c)] : [])];
      nodes.push({ opType: 'Conv', input, output: [pre], name: n.name, attribute: attrs });
      activation(n, act, pre, i);
    } else if (n.op === 'convTranspose') {
      const c = net.nodes[n.inputs[0]].shape[2], pre = n.activation === 'linear' ? out : `${n.name}/pre`;
      // W [C, M, k, k] from Keras's [k, k, M, C]; k = stride, so 'same' adds no pads.
      const input = [inputs[0], weight(n, 'W', [c, n.filters, n.k, n.k], hwioToOihw(n.weights.kernel, [n.k, n.k, n.filters, c])), weight(n, 'B', [n.filters], n.weights.bias)];
      nodes.push({ opType: 'ConvTranspose', input, output: [pre], name: n.name, attribute: [ints('kernel_shape', [n.k, n.k]), ints('strides', [n.stride, n.stride])] });
      activation(n, n.activation, pre, i);
    } else if (n.op === 'batchnorm') {
      const c = n.shape[2], ws = ['gamma', 'beta', 'movingMean', 'movingVariance'].map((k) => weight(n, k, [c], n.weights[k]));
      nodes.push({ opType: 'BatchNormalization', input: [inputs[0], ...ws], output: [out], name: n.name, attribute: [float('epsilon', n.epsilon)] });
    } else if (n.op === 'relu6') {
      nodes.push({ opType: 'Clip', input: [inputs[0], 'relu6/min', 'relu6/max'], output: [out], name: n.name });
    } else if (n.op === 'add') {
      nodes.push({ opType: 'Add', input: inputs, output: [out], name: n.name });
    } else if (n.op === 'concat') {
      nodes.push({ opType: 'Concat', input: inputs, output: [out], name: n.name, attribute: [int('axis', 1)] });
    } else if (n.op === 'upsample') {
      // Resize (opset 13) nearest with its defaults (half_pixel, round_prefer_floor): UpSampling2D for an integer factor.
      const scales = weight(n, 'scales', [4], new Float32Array([1, 1, n.size, n.size]));
      nodes.push({ opType: 'Resize', input: [inputs[0], '', scales], output: [out], name: n.name, attribute: [{ name: 'mode', s: Buffer.from('nearest'), type: 3 }] });
    } else if (n.op === 'maxpool') {
      nodes.push({ opType: 'MaxPool', input: inputs, output: [out], name: n.name, attribute: [ints('kernel_shape', [n.size, n.size]), ints('strides', [n.size, n.size])] });
    } else if (n.op === 'gap') {
      nodes.push({ opType: 'GlobalAveragePool', input: inputs, output: [`${n.name}/nchw`], name: n.name });
      nodes.push({ opType: 'Flatten', input: [`${n.name}/nchw`], output: [out], name: `${n.name}/flatten`, attribute: [int('axis', 1)] });
    } else if (n.op === 'dense') {
      const input = [inputs[0], weight(n, 'W', [net.nodes[n.inputs[0]].shape[0], n.units], n.weights.kernel), weight(n, 'B', [n.units], n.weights.bias)];
      nodes.push({ opType: 'Gemm', input, output: [`${n.name}/pre`], name: n.name });
      activation(n, n.activation, `${n.name}/pre`, i);
    }
  });
  const inputShape = nchw(net.nodes[0].shape), outputShape = nchw(net.nodes[last].shape);
  return { bytes: encodeModel(net.name, nodes, inits, inputShape, outputShape), inputShape, outputShape };
}
