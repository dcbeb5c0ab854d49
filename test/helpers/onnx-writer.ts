// The tests' ONNX writer: an OnnxGraph (lib/onnx/graph.ts) encoded as ModelProto bytes with
// protobufjs and the importer's schema, as an exporter would write it (raw_data for tensors).
import { modelProto } from '../../lib/onnx/decode';
import type { OnnxAttribute, OnnxGraph, OnnxTensor, OnnxValueInfo } from '../../lib/onnx/graph';
import { ATTRIBUTE } from '../../lib/onnx/schema';

const TYPES: Record<string, number> = { float32: 1, int32: 6, int64: 7, float16: 10, float64: 11 };

function tensor(t: OnnxTensor): object {
  const raw = t.type === 'int64' ? new BigInt64Array(Array.from(t.data ?? [], (v) => BigInt(v))) : t.type === 'float32' ? Float32Array.from(t.data ?? []) : new Uint8Array(0);
  const base = { name: t.name, dims: t.dims, dataType: TYPES[t.type] };
  if (t.external) {
    const ext = [['location', t.external.location], ['offset', String(t.external.offset)], ...(t.external.length === null ? [] : [['length', String(t.external.length)]])];
    return { ...base, dataLocation: 1, externalData: ext.map(([key, value]) => ({ key, value })) };
  }
  return { ...base, rawData: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
}

function attribute(name: string, v: OnnxAttribute): object {
  if (typeof v === 'number') return Number.isInteger(v) && !name.match(/^(alpha|beta|epsilon|gamma|momentum|value_float|min|max|bias|lambd|ratio|value|extrapolation_value|cubic_coeff_a)$/) ? { name, type: ATTRIBUTE.INT, i: v } : { name, type: ATTRIBUTE.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: ATTRIBUTE.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return typeof v[0] === 'string' ? { name, type: ATTRIBUTE.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) } : { name, type: ATTRIBUTE.INTS, ints: v };
  return { name, type: ATTRIBUTE.TENSOR, t: tensor(v as OnnxTensor) };
}

const valueInfo = (v: OnnxValueInfo): object => ({
  name: v.name,
  type: { tensorType: { elemType: TYPES[v.type] ?? 1, shape: { dim: (v.dims ?? []).map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d ?? 'unk' })) } } },
});

/** ModelProto bytes of a graph (IR version 8, the default opset at graph.opset). */
export function encodeOnnx(g: OnnxGraph): Uint8Array {
  const model = {
    irVersion: 8, producerName: 'convkit-test', opsetImport: [{ domain: '', version: g.opset }],
    graph: {
      name: g.name ?? 'graph',
      node: g.nodes.map((n) => ({ name: n.name, opType: n.opType, input: n.inputs, output: n.outputs, attribute: Object.entries(n.attributes).map(([k, v]) => attribute(k, v)) })),
      initializer: g.initializers.map(tensor),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  };
  const type = modelProto() as unknown as { fromObject(o: object): object; encode(m: object): { finish(): Uint8Array } };
  return type.encode(type.fromObject(model)).finish();
}
