// An ONNX model as the importer reads it: plain objects decoded from the protobuf (decode.ts), or
// built directly (the tests build one-node graphs from the conformance vectors this way).

/** A tensor: float32 data as Float32Array, integer data as numbers; other types carry no data. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  /** 'float32', 'int64', 'int32', ... (schema.ts DATA_TYPES). */
  type: string;
  data: Float32Array | number[] | null;
  /** Set when the data lives in another file (data_location EXTERNAL) and was not read. */
  external?: { location: string; offset: number; length: number | null };
}

export type OnnxAttribute = number | string | number[] | string[] | OnnxTensor | { graph: true };

export interface OnnxNode {
  name: string;
  opType: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

/** A graph input or output: its dims in ONNX order, a string for a symbolic dim (dim_param) or null for an unknown one. */
export interface OnnxValueInfo {
  name: string;
  type: string;
  dims: (number | string | null)[] | null;
}

export interface OnnxGraph {
  name?: string;
  /** The version of the default ('' / ai.onnx) opset. */
  opset: number;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** The node as messages name it: its name, op type and position. */
export function nodeLabel(node: OnnxNode): string {
  return `ONNX node '${node.name || node.outputs[0]}' (${node.opType})`;
}

/** An error naming the node, its op type and (when one is to blame) the attribute. */
export function refuse(node: OnnxNode, why: string, attribute?: string): never {
  throw new RangeError(`${nodeLabel(node)}${attribute ? `, attribute ${attribute}` : ''}: ${why}`);
}
