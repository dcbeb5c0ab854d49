// ONNX protobuf bytes -> OnnxGraph, through protobufjs (a dependency required here only, on the
// first ONNX model read). Tensors' float32 data is copied out of raw_data once.
import { ATTRIBUTE, DATA_TYPES, ONNX_SCHEMA } from './schema';
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './graph';

/** The reflected message type of protobufjs that decode uses. */
interface MessageType {
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: object): Record<string, any>;
}

let modelType: MessageType | null = null;

/** onnx.ModelProto, parsed from the schema on first use. */
export function modelProto(): MessageType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (modelType ??= (require('protobufjs') as { parse(s: string): { root: { lookupType(n: string): MessageType } } }).parse(ONNX_SCHEMA).root.lookupType('onnx.ModelProto'));
}

const utf8 = new TextDecoder();
const text = (b: Uint8Array | undefined): string => (b ? utf8.decode(b) : '');

function rawValues(type: string, raw: Uint8Array): Float32Array | number[] | null {
  const copy = new Uint8Array(raw).buffer; // a copy, aligned (Buffer.slice would be a view)
  switch (type) {
    case 'float32': return new Float32Array(copy);
    case 'int64': return Array.from(new BigInt64Array(copy), Number);
    case 'int32': return Array.from(new Int32Array(copy));
    case 'float64': return Array.from(new Float64Array(copy));
    default: return null;
  }
}

/** A TensorProto as an OnnxTensor (float32 kept float32; integers as numbers). */
export function tensorOf(t: Record<string, any>): OnnxTensor {
  const type = DATA_TYPES[t.dataType ?? 0] ?? `data type ${t.dataType}`;
  const dims: number[] = (t.dims ?? []).map(Number);
  const out: OnnxTensor = { name: t.name ?? '', dims, type, data: null };
  if (t.dataLocation === 1) {
    const entry = (k: string) => (t.externalData ?? []).find((e: { key: string }) => e.key === k)?.value as string | undefined;
    out.external = { location: entry('location') ?? '', offset: Number(entry('offset') ?? 0), length: entry('length') === undefined ? null : Number(entry('length')) };
    return out;
  }
  if (t.rawData && t.rawData.length > 0) out.data = rawValues(type, t.rawData);
  else if (type === 'float32') out.data = Float32Array.from(t.floatData ?? []);
  else if (type === 'int64') out.data = (t.int64Data ?? []).map(Number);
  else if (type === 'int32') out.data = (t.int32Data ?? []).map(Number);
  else if (type === 'float64') out.data = (t.doubleData ?? []).map(Number);
  return out;
}

function attributeOf(a: Record<string, any>): OnnxAttribute {
  switch (a.type ?? 0) {
    case ATTRIBUTE.FLOAT: return a.f ?? 0;
    case ATTRIBUTE.INT: return Number(a.i ?? 0);
    case ATTRIBUTE.STRING: return text(a.s);
    case ATTRIBUTE.TENSOR: return tensorOf(a.t ?? {});
    case ATTRIBUTE.FLOATS: return (a.floats ?? []).map(Number);
    case ATTRIBUTE.INTS: return (a.ints ?? []).map(Number);
    case ATTRIBUTE.STRINGS: return (a.strings ?? []).map(text);
    case ATTRIBUTE.GRAPH: return { graph: true };
    default:
      // Old writers left type unset: the field that is there says it.
      if (a.ints?.length) return a.ints.map(Number);
      if (a.floats?.length) return a.floats.map(Number);
      if (a.s !== undefined) return text(a.s);
      if (a.t !== undefined) return tensorOf(a.t);
      if (a.i !== undefined) return Number(a.i);
      return a.f ?? 0;
  }
}

function valueInfo(v: Record<string, any>): OnnxValueInfo {
  const tensor = v.type?.tensorType;
  const dims = tensor?.shape ? (tensor.shape.dim ?? []).map((d: Record<string, any>) => (d.dimValue !== undefined ? Number(d.dimValue) : d.dimParam ?? null)) : null;
  return { name: v.name ?? '', type: DATA_TYPES[tensor?.elemType ?? 0] ?? `data type ${tensor?.elemType}`, dims };
}

function nodeOf(n: Record<string, any>, i: number): OnnxNode {
  const attributes: Record<string, OnnxAttribute> = {};
  for (const a of n.attribute ?? []) attributes[a.name] = attributeOf(a);
  return { name: n.name || `${n.opType}_${i}`, opType: n.opType ?? '', domain: n.domain ?? '', inputs: n.input ?? [], outputs: n.output ?? [], attributes };
}

/** The graph of an ONNX model file's bytes. */
export function decodeOnnx(bytes: Uint8Array): OnnxGraph {
  const type = modelProto();
  let m: Record<string, any>;
  try {
    m = type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true });
  } catch (e) {
    throw new RangeError(`Expected an ONNX model (ModelProto) but the bytes do not decode: ${(e as Error).message}`);
  }
  if (!m.graph) throw new RangeError('Expected an ONNX model (ModelProto) but it has no graph');
  const opset = (m.opsetImport ?? []).find((o: Record<string, any>) => !o.domain || o.domain === 'ai.onnx');
  const g = m.graph;
  return {
    name: g.name,
    opset: opset ? Number(opset.version) : 1,
    nodes: (g.node ?? []).map(nodeOf),
    initializers: (g.initializer ?? []).map(tensorOf),
    inputs: (g.input ?? []).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
  };
}
