// Builds single-op ONNX models in code for ONNX Runtime, encoded with protobufjs from the subset
// of onnx.proto (field numbers as in the ONNX specification) that these models use.
import type { Padding } from '../../lib/shape';
import { windowOf, type Workload } from '../../suite/workloads';
import type { WorkloadData } from '../../suite/data';
import { peer } from './peer-require';
import { hwioToOihw } from '../../suite/layout';
import { isMerge, mergeOnnxNodes } from '../../suite/merge-workloads';

const SCHEMA = `
syntax = "proto3";
package onnx;
message AttributeProto {
  string name = 1; float f = 2; int64 i = 3; bytes s = 4; repeated int64 ints = 8; int32 type = 20;
}
message TensorShapeProto { message Dimension { int64 dim_value = 1; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; } Tensor tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4;
  repeated AttributeProto attribute = 5;
}
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_STRING = 3, ATTR_INTS = 7; // AttributeProto.AttributeType
const ATTR_INT = 2;
/** The part of protobufjs's reflected message type used here. */
interface MessageType {
  verify(message: object): string | null;
  fromObject(message: object): object;
  encode(message: object): { finish(): Uint8Array };
}

let modelProto: MessageType | null = null;
const ModelProtoType = (): MessageType => (modelProto ??= peer('protobufjs').parse(SCHEMA).root.lookupType('onnx.ModelProto'));

export const ints = (name: string, values: number[]) => ({ name, ints: values, type: ATTR_INTS });
const int = (name: string, value: number) => ({ name, i: value, type: ATTR_INT });
const str = (name: string, value: string) => ({ name, s: Buffer.from(value), type: ATTR_STRING });
const valueInfo = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
export const initializer = (name: string, dims: number[], data: Float32Array) => ({
  name, dims, dataType: FLOAT, rawData: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
});

/** Padding attributes: auto_pad SAME_UPPER is TensorFlow's 'same'; explicit pads are [t, l, b, r]. */
export function padAttributes(padding: Padding): object[] {
  if (typeof padding !== 'string') return [ints('pads', [padding[0], padding[2], padding[1], padding[3]])];
  return [str('auto_pad', padding === 'same' ? 'SAME_UPPER' : 'VALID')];
}

/** The ONNX model of a workload (NCHW for conv and pool), its input name and shape. */
export function onnxModel(w: Workload, data: WorkloadData): { bytes: Uint8Array; inputShape: number[]; outputShape: number[] } {
  const nodes: object[] = [];
  const inits: object[] = [];
  let inputShape: number[];
  let outputShape: number[];
  if (isMerge(w)) {
    const [n, h, wd, c] = data.outputShape;
    const shape = [w.n, w.c!, w.h!, w.w!], out = [n, c, h, wd];
    return { bytes: encodeModel(w.id, mergeOnnxNodes(w), [], shape, out, ['x2']), inputShape: shape, outputShape: out };
  }
  const relu = w.activation === 'relu';
  const main = relu ? 'pre' : 'y';
  if (w.op === 'dense') {
    inputShape = [w.n, w.in!];
    outputShape = [w.n, w.units!];
    inits.push(initializer('W', [w.in!, w.units!], data.kernel!), initializer('B', [w.units!], data.bias!));
    nodes.push({ opType: 'Gemm', input: ['x', 'W', 'B'], output: [main], name: 'gemm' });
  } else {
    const [n, oh, ow, oc] = data.outputShape;
    inputShape = [w.n, w.c!, w.h!, w.w!];
    outputShape = [n, oc, oh, ow];
    const { k, stride, padding } = windowOf(w);
    const common = [ints('kernel_shape', [k, k]), ints('strides', [stride, stride]), ...padAttributes(padding)];
    if (w.op === 'conv2dTranspose') {
      // W [C, M, k, k] from Keras's [k, k, M, C] (hwioToOihw reads it as [kh, kw, M, C] -> [C, M, kh, kw]).
      inits.push(initializer('W', [w.c!, w.filters!, w.k!, w.k!], hwioToOihw(data.kernel!, [w.k!, w.k!, w.filters!, w.c!])), initializer('B', [w.filters!], data.bias!));
      nodes.push({ opType: 'ConvTranspose', input: ['x', 'W', 'B'], output: [main], name: 'deconv', attribute: [ints('kernel_shape', [k, k]), ints('strides', [stride, stride])] });
    } else if (w.op === 'upsample') {
      // Resize (opset 13): half_pixel and round_prefer_floor by default, Keras's UpSampling2D for an integer factor.
      inits.push(initializer('scales', [4], new Float32Array([1, 1, k, k])));
      nodes.push({ opType: 'Resize', input: ['x', '', 'scales'], output: [main], name: 'resize', attribute: [str('mode', w.interpolation === 'bilinear' ? 'linear' : 'nearest')] });
    } else if (w.op === 'conv2d') {
      // Grouped: W is [filters, c / group, k, k], Keras's [k, k, c / groups, filters] as HWIO.
      const g = w.groups ?? 1, cpg = w.c! / g;
      inits.push(initializer('W', [w.filters!, cpg, w.k!, w.k!], hwioToOihw(data.kernel!, [w.k!, w.k!, cpg, w.filters!])), initializer('B', [w.filters!], data.bias!));
      nodes.push({ opType: 'Conv', input: ['x', 'W', 'B'], output: [main], name: 'conv', attribute: g > 1 ? [...common, int('group', g)] : common });
    } else if (w.op === 'globalavgpool') {
      nodes.push({ opType: 'GlobalAveragePool', input: ['x'], output: [main], name: 'pool' });
    } else if (w.op === 'depthwise') {
      // A convolution of group = C: W is [C, 1, k, k], the depthwise kernel [k, k, C, 1] read as HWIO with one input channel.
      inits.push(initializer('W', [w.c!, 1, w.k!, w.k!], hwioToOihw(data.kernel!, [w.k!, w.k!, 1, w.c!])), initializer('B', [w.c!], data.bias!));
      nodes.push({ opType: 'Conv', input: ['x', 'W', 'B'], output: [main], name: 'depthwise', attribute: [...common, int('group', w.c!)] });
    } else {
      nodes.push({ opType: w.op === 'avgpool' ? 'AveragePool' : 'MaxPool', input: ['x'], output: [main], name: 'pool', attribute: common });
    }
  }
  if (relu) nodes.push({ opType: 'Relu', input: [main], output: ['y'], name: 'relu' });
  return { bytes: encodeModel(w.id, nodes, inits, inputShape, outputShape), inputShape, outputShape };
}

/** An opset-13 model of these nodes and initializers, from input x to output y, encoded. */
export function encodeModel(name: string, nodes: object[], inits: object[], inputShape: number[], outputShape: number[], moreInputs: string[] = []): Uint8Array {
  const model = {
    irVersion: 8,
    producerName: 'convkit-bench',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name, node: nodes, initializer: inits, input: ['x', ...moreInputs].map((x) => valueInfo(x, inputShape)), output: [valueInfo('y', outputShape)] },
  };
  const ModelProto = ModelProtoType();
  const err = ModelProto.verify(model);
  if (err) throw new Error(`bad ONNX model for ${name}: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
