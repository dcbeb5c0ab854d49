// The TensorFlow.js layers-model format as data: what model.json holds and what tfjs calls
// ModelArtifacts (tf.io.fromMemory / tf.io.withSaveHandler). Shapes only; no I/O here.
import { describe, readable } from '../validate';

/** One tensor in the weight data: tfjs's WeightsManifestEntry. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** Quantized or float16 weights (tensorflowjs_converter --quantize_*): decoded to float32 on load. */
  quantization?: { dtype: string; [key: string]: unknown };
  /** 'optimizer' marks optimizer state saved with includeOptimizer: not part of the model. */
  group?: string;
}

/**
 * A model in memory, shaped like tfjs's ModelArtifacts: `tf.io.fromMemory(artifacts)` and
 * `tf.loadLayersModel` read what `Sequential.toArtifacts()` returns, and `loadModel` reads what
 * tfjs hands to `tf.io.withSaveHandler`.
 */
export interface ModelArtifacts {
  /** A Keras Sequential topology: `{ class_name: 'Sequential', config: { name, layers } }`. */
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  /** The weights in weightSpecs order, little-endian. */
  weightData: ArrayBuffer;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
}

/**
 * What loadModel accepts as artifacts: tfjs's ModelArtifacts type fits (modelTopology is
 * required at run time), and weightData may be several buffers, as tfjs gives it.
 */
export interface ArtifactsInput {
  modelTopology?: unknown;
  weightSpecs?: unknown;
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: unknown;
}

/** The JSON file: the topology and where its weights are (paths relative to model.json). */
export interface ModelJSON {
  modelTopology: unknown;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
  format?: unknown;
}

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'group1-shard1of1.bin';

/** A plain object, or a TypeError naming `name` and what it should have been. */
export function record(name: string, v: unknown, expected: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || readable(name, () => Array.isArray(v))) {
    throw new TypeError(`Expected ${expected} for ${name} but received ${describe(v)}`);
  }
  return v as Record<string, unknown>;
}

/** Refuses a format other than a layers model (a graph model has no Keras topology). */
export function checkFormat(name: string, format: unknown): void {
  if (format === undefined || format === null || format === 'layers-model') return;
  const what = format === 'graph-model' ? ' (a TensorFlow.js graph model: convkit reads layers models, which tensorflowjs_converter writes with --output_format=tfjs_layers_model)' : '';
  throw new RangeError(`Expected format 'layers-model' for ${name} but received ${describe(format)}${what}`);
}

/** The weight files a model.json names, in order, with the specs each group covers. */
export function manifestOf(json: ModelJSON, name: string): { paths: string[]; specs: WeightSpec[] } {
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new TypeError(`Expected array for weightsManifest in ${name} but received ${describe(manifest)}`);
  const paths: string[] = [], specs: WeightSpec[] = [];
  manifest.forEach((group, i) => {
    const g = record(`weightsManifest[${i}] in ${name}`, group, 'object with paths and weights');
    if (!Array.isArray(g.paths) || g.paths.some((p) => typeof p !== 'string')) {
      throw new TypeError(`Expected array of file names for weightsManifest[${i}].paths in ${name} but received ${describe(g.paths)}`);
    }
    if (!Array.isArray(g.weights)) throw new TypeError(`Expected array for weightsManifest[${i}].weights in ${name} but received ${describe(g.weights)}`);
    paths.push(...(g.paths as string[]));
    specs.push(...(g.weights as WeightSpec[]));
  });
  return { paths, specs };
}

/** The contents of a model.json file at `where` (a path or URL, for the message). */
export function parseModelJSON(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TypeError(`Expected JSON (a model.json) at ${where} but it does not parse: ${(e as Error).message}`);
  }
}

/** model.json for artifacts whose weights go to one file, WEIGHTS_FILE. */
export function modelJSON(a: ModelArtifacts): Record<string, unknown> {
  return {
    format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs }],
  };
}
