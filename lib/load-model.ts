// loadModel, shared by both entry files: the model format (lib/model) comes from the loader the
// entry installs, index.ts requiring it on the first call (so that a process that never loads a
// model never loads the format), browser.ts from its bundle.
import { noEntryPoint } from './layers/model-services';
import type { Sequential } from './layers/sequential';
import type { Model } from './models/functional';
import type { ArtifactsInput } from './model/artifacts';
import type { OnnxOptions } from './onnx/build';

/** What loadModel reads: the tfjs layers format, or an ONNX file (index.ts and convkit/onnx install its reader). */
export type ModelSource = string | URL | ArtifactsInput | Uint8Array | ArrayBuffer;

export interface LoadingModule {
  loadModel(source: ModelSource, options?: OnnxOptions): Promise<Sequential | Model>;
}

let loading: (() => LoadingModule) | null = null;

export function installModelLoading(load: () => LoadingModule): void {
  loading = load;
}

/**
 * Loads a model saved in the TensorFlow.js layers format (by convkit, tfjs's `model.save`, or
 * tensorflowjs_converter from Keras): a path to model.json or its directory, a file: URL, or an
 * http(s) URL (Node); a URL, relative to the page or absolute (browsers); or tfjs ModelArtifacts
 * (`{ modelTopology, weightSpecs, weightData }`) anywhere. In Node (and browsers through
 * 'convkit/onnx'), an ONNX model: a path or URL ending in .onnx, or its bytes (Uint8Array,
 * ArrayBuffer), with `options` (docs/api.md, "ONNX models").
 */
export async function loadModel(source: ModelSource, options?: OnnxOptions): Promise<Sequential | Model> {
  return (loading ?? noEntryPoint)().loadModel(source, options);
}
