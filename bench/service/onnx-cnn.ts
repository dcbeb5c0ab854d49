// A convkit Sequential (Conv2D, MaxPool2D, Dense) as one ONNX graph with the same weights, for
// the onnxruntime-node service of `npm run bench:service`. It takes the same NHWC request body:
// a Transpose to NCHW first (how a Keras model converted by tf2onnx starts), and the Dense
// kernel's rows reordered for NCHW flattening, so no transpose is needed before it.
import * as ck from '../../lib/index';
import { hwioToOihw } from '../../suite/layout';
import { encodeModel, initializer, ints, padAttributes } from '../peers/onnx-model';

export function onnxSequential(model: ck.Sequential, inputShape: number[]): { bytes: Uint8Array; outputShape: number[] } {
  const nodes: object[] = [{ opType: 'Transpose', input: ['x'], output: ['t0'], name: 'to_nchw', attribute: [ints('perm', [0, 3, 1, 2])] }];
  const inits: object[] = [];
  let shape = [...inputShape];
  let at = 't0';
  const next = (i: number, what: string) => `l${i}_${what}`;
  model.layers.forEach((layer, i) => {
    const out = layer.outputShape(shape);
    const { kernel, bias } = layer.getWeights();
    let y = next(i, 'y');
    if (layer instanceof ck.Conv2D) {
      const [kh, kw] = layer.kernelSize, c = shape[3], o = layer.filters;
      inits.push(initializer(next(i, 'W'), [o, c, kh, kw], hwioToOihw(kernel!, [kh, kw, c, o])));
      const inputs = [at, next(i, 'W')];
      if (bias) inits.push(initializer(next(i, 'B'), [o], bias)), inputs.push(next(i, 'B'));
      const attribute = [ints('kernel_shape', [kh, kw]), ints('strides', layer.strides), ints('dilations', layer.dilationRate), ...padAttributes(layer.padding)];
      nodes.push({ opType: 'Conv', input: inputs, output: [y], name: next(i, 'conv'), attribute });
      if (layer.activation === 'relu') nodes.push({ opType: 'Relu', input: [y], output: [(y = next(i, 'relu'))], name: next(i, 'relu') });
    } else if (layer instanceof ck.MaxPool2D) {
      const attribute = [ints('kernel_shape', layer.poolSize), ints('strides', layer.strides), ints('dilations', layer.dilationRate), ...padAttributes(layer.padding)];
      nodes.push({ opType: 'MaxPool', input: [at], output: [y], name: next(i, 'pool'), attribute });
    } else if (layer instanceof ck.Dense) {
      if (shape.length !== 4 && shape.length !== 2) throw new Error(`Dense after a rank-${shape.length} output is not built here`);
      const units = layer.units, features = kernel!.length / units;
      // convkit flattens NHWC; the ONNX tensor is NCHW here, so its kernel rows go in (c, h, w) order.
      const rows = shape.length === 4 ? nhwcRowsToNchw(kernel!, shape[1], shape[2], shape[3], units) : kernel!;
      nodes.push({ opType: 'Flatten', input: [at], output: [next(i, 'flat')], name: next(i, 'flatten') });
      inits.push(initializer(next(i, 'W'), [features, units], rows));
      const inputs = [next(i, 'flat'), next(i, 'W')];
      if (bias) inits.push(initializer(next(i, 'B'), [units], bias)), inputs.push(next(i, 'B'));
      nodes.push({ opType: 'Gemm', input: inputs, output: [y], name: next(i, 'gemm') });
      if (layer.activation === 'relu') nodes.push({ opType: 'Relu', input: [y], output: [(y = next(i, 'relu'))], name: next(i, 'relu') });
    } else {
      throw new Error(`layer ${i} is not a Conv2D, MaxPool2D or Dense`);
    }
    at = y;
    shape = out;
  });
  if (shape.length !== 2) throw new Error('the model must end in a Dense layer');
  nodes.push({ opType: 'Identity', input: [at], output: ['y'], name: 'out' });
  return { bytes: encodeModel('service-cnn', nodes, inits, inputShape, shape), outputShape: shape };
}

/** Rows of a Dense kernel reordered from NHWC flattening ((h, w, c)) to NCHW ((c, h, w)). */
function nhwcRowsToNchw(kernel: Float32Array, h: number, w: number, c: number, units: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
    const from = ((y * w + x) * c + ch) * units, to = ((ch * h + y) * w + x) * units;
    out.set(kernel.subarray(from, from + units), to);
  }
  return out;
}
