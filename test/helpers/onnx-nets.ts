// Graphs shaped as torch.onnx.export writes torchvision's ResNet-18 and MobileNetV2 (eval mode,
// without constant folding: Conv + BatchNormalization + Relu / Clip(0, 6), MaxPool, residual Add,
// GlobalAveragePool, Flatten or the Shape -> Gather -> Unsqueeze -> Concat -> Reshape subgraph,
// Gemm with transB 1), node and tensor names as torch gives them, smaller widths, seeded weights.
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor } from '../../lib/onnx/graph';
import { rng } from './random';

class Net {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly r: () => number;

  constructor(seed: number) {
    this.r = rng(seed);
  }

  uniform(n: number, scale: number, offset = 0): Float32Array {
    return Float32Array.from({ length: n }, () => offset + (this.r() * 2 - 1) * scale);
  }

  init(name: string, dims: number[], data: Float32Array | number[], type = 'float32'): string {
    this.initializers.push({ name, dims, type, data });
    return name;
  }

  node(opType: string, scope: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}): string {
    const name = `${scope}/${opType}`, out = `${name}_output_0`;
    this.nodes.push({ name, opType, inputs, outputs: [out], attributes });
    return out;
  }

  conv(x: string, scope: string, cin: number, cout: number, k: number, stride: number, group = 1): string {
    const key = scope.replace(/^\//, '').replace(/\//g, '.');
    // He-uniform over fan-in: activations keep their scale through the depth.
    const w = this.init(`${key}.weight`, [cout, cin / group, k, k], this.uniform(cout * (cin / group) * k * k, Math.sqrt(6 / ((cin / group) * k * k))));
    const p = (k - 1) >> 1;
    return this.node('Conv', scope, [x, w], { dilations: [1, 1], group, kernel_shape: [k, k], pads: [p, p, p, p], strides: [stride, stride] });
  }

  bn(x: string, scope: string, c: number): string {
    const key = scope.replace(/^\//, '').replace(/\//g, '.');
    const ins = [this.init(`${key}.weight`, [c], this.uniform(c, 0.3, 1)), this.init(`${key}.bias`, [c], this.uniform(c, 0.2)),
      this.init(`${key}.running_mean`, [c], this.uniform(c, 0.2)), this.init(`${key}.running_var`, [c], this.uniform(c, 0.5, 1.5))];
    return this.node('BatchNormalization', scope, [x, ...ins], { epsilon: 1e-5, momentum: 0.9 });
  }

  relu = (x: string, scope: string): string => this.node('Relu', scope, [x]);

  /** ReLU6 as torch exports it at opset 11 and later: Clip with min and max from Constant nodes. */
  relu6(x: string, scope: string): string {
    const c = (v: number, what: string) => {
      const out = `${scope}/Constant_${what}_output_0`;
      this.nodes.push({ name: `${scope}/Constant_${what}`, opType: 'Constant', inputs: [], outputs: [out], attributes: { value: { name: '', dims: [], type: 'float32', data: Float32Array.of(v) } } });
      return out;
    };
    return this.node('Clip', scope, [x, c(0, 'min'), c(6, 'max')]);
  }

  gemm(x: string, scope: string, k: number, units: number): string {
    const key = scope.replace(/^\//, '').replace(/\//g, '.');
    const w = this.init(`${key}.weight`, [units, k], this.uniform(units * k, Math.sqrt(1 / k))), b = this.init(`${key}.bias`, [units], this.uniform(units, 0.1));
    return this.node('Gemm', scope, [x, w, b], { alpha: 1, beta: 1, transB: 1 });
  }

  graph(name: string, input: number[], output: string, outDims: number[], opset: number): OnnxGraph {
    this.nodes.push({ name: '/Identity_out', opType: 'Identity', inputs: [output], outputs: ['output'], attributes: {} });
    return {
      name, opset, nodes: this.nodes, initializers: this.initializers,
      inputs: [{ name: 'input', type: 'float32', dims: ['batch_size', ...input] }], outputs: [{ name: 'output', type: 'float32', dims: ['batch_size', ...outDims] }],
    };
  }
}

/** ResNet-18's layout (stem, 4 stages of 2 basic blocks, GlobalAveragePool, Flatten, Gemm) at widths / 8: 17 convolutions and a Gemm. */
export function resnet18Like(seed = 1, size = 32, classes = 10): { graph: OnnxGraph; depth: number; maxK: number } {
  const n = new Net(seed), widths = [8, 16, 32, 64];
  let x = n.relu(n.bn(n.conv('input', '/conv1', 3, widths[0], 7, 2), '/bn1', widths[0]), '/relu');
  x = n.node('MaxPool', '/maxpool', [x], { ceil_mode: 0, kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] });
  let cin = widths[0];
  widths.forEach((c, stage) => {
    for (let b = 0; b < 2; b++) {
      const s = `/layer${stage + 1}/layer${stage + 1}.${b}`, stride = stage > 0 && b === 0 ? 2 : 1;
      let y = n.relu(n.bn(n.conv(x, `${s}/conv1`, cin, c, 3, stride), `${s}/bn1`, c), `${s}/relu`);
      y = n.bn(n.conv(y, `${s}/conv2`, c, c, 3, 1), `${s}/bn2`, c);
      const skip = stride !== 1 || cin !== c ? n.bn(n.conv(x, `${s}/downsample/downsample.0`, cin, c, 1, stride), `${s}/downsample/downsample.1`, c) : x;
      x = n.relu(n.node('Add', s, [y, skip]), `${s}/relu_1`);
      cin = c;
    }
  });
  x = n.node('GlobalAveragePool', '/avgpool', [x]);
  x = n.node('Flatten', '', [x], { axis: 1 });
  const y = n.gemm(x, '/fc', cin, classes);
  return { graph: n.graph('resnet18_like', [3, size, size], y, [classes], 13), depth: 18, maxK: 9 * 64 };
}

/** MobileNetV2's layout (inverted residuals with depthwise convolutions, ReLU6 as Clip) at small widths, then the shape subgraph before the classifier. */
export function mobilenetV2Like(seed = 2, size = 32, classes = 10): { graph: OnnxGraph; depth: number; maxK: number } {
  const n = new Net(seed);
  let x = n.relu6(n.bn(n.conv('input', '/features/features.0/features.0.0', 3, 16, 3, 2), '/features/features.0/features.0.1', 16), '/features/features.0/features.0.2');
  let cin = 16, i = 1;
  for (const [t, c, reps, stride] of [[1, 8, 1, 1], [6, 12, 2, 2], [6, 16, 2, 2], [6, 24, 2, 1], [6, 32, 1, 2]]) {
    for (let r = 0; r < reps; r++, i++) {
      const s = `/features/features.${i}/conv`, hidden = cin * t, st = r === 0 ? stride : 1;
      let y = x, j = 0;
      if (t !== 1) y = n.relu6(n.bn(n.conv(y, `${s}/conv.${j}/conv.${j}.0`, cin, hidden, 1, 1), `${s}/conv.${j}/conv.${j}.1`, hidden), `${s}/conv.${j++}/conv.${j - 1}.2`);
      y = n.relu6(n.bn(n.conv(y, `${s}/conv.${j}/conv.${j}.0`, hidden, hidden, 3, st, hidden), `${s}/conv.${j}/conv.${j}.1`, hidden), `${s}/conv.${j++}/conv.${j - 1}.2`);
      y = n.bn(n.conv(y, `${s}/conv.${j}`, hidden, c, 1, 1), `${s}/conv.${j + 1}`, c);
      x = st === 1 && cin === c ? n.node('Add', `/features/features.${i}`, [x, y]) : y;
      cin = c;
    }
  }
  x = n.relu6(n.bn(n.conv(x, `/features/features.${i}/features.${i}.0`, cin, 64, 1, 1), `/features/features.${i}/features.${i}.1`, 64), `/features/features.${i}/features.${i}.2`);
  x = n.node('GlobalAveragePool', '/GlobalAveragePool', [x]);
  // x.view(x.size(0), -1) as torch exports it: the batch size read from the tensor's shape.
  const shape = n.node('Shape', '', [x]);
  const zero = n.init('onnx::Gather_0', [], [0], 'int64'), axes = n.init('onnx::Unsqueeze_axes', [1], [0], 'int64');
  const batch = n.node('Unsqueeze', '', [n.node('Gather', '', [shape, zero], { axis: 0 }), axes]);
  const target = n.node('Concat', '', [batch, n.init('onnx::Concat_minus1', [1], [-1], 'int64')], { axis: 0 });
  x = n.node('Reshape', '', [x, target]);
  const y = n.gemm(x, '/classifier/classifier.1', 64, classes);
  return { graph: n.graph('mobilenet_v2_like', [3, size, size], y, [classes], 13), depth: 3 * 8 + 3, maxK: 9 * 1 + 192 };
}
