// loadModel, shared by both entry files: the model format (lib/model) comes from the loader the
// entry installs, index.ts requiring it on the first call (so that a process that never loads a
// model never loads the format), browser.ts from its bundle.
import { noEntryPoint } from './layers/model-services';
import type { Sequential } from './layers/sequential';
import type { Model } from './models/functional';
import type { ArtifactsInput } from './model/artifacts';
import type * as Loading from './model/load';
import type { OnnxOptions } from './onnx/build';

type LoadingModule = Pick<typeof Loading, 'loadModel'>;

let loading: (() => LoadingModule) | null = null;

export function installModelLoading(load: () => LoadingModule): void {
  loading = load;
}

type OnnxLoader = (source: string | URL | Uint8Array | ArrayBuffer, options?: OnnxOptions) => Promise<Model>;
let onnxLoading: (() => OnnxLoader) | null = null;

/** The entry's reader of ONNX files (required on the first ONNX model read). */
export function installOnnxLoading(load: () => OnnxLoader): void {
  onnxLoading = load;
}

/** A path or URL ending in .onnx, or bytes. */
function isOnnx(source: unknown): source is string | URL | Uint8Array | ArrayBuffer {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return true;
  const s = source instanceof URL ? source.pathname : typeof source === 'string' ? source.replace(/[?#].*$/, '') : '';
  return /\.onnx$/i.test(s);
}

/**
 * Loads a model saved in the TensorFlow.js layers format (by convkit, tfjs's `model.save`, or
 * tensorflowjs_converter from Keras): a path to model.json or its directory, a file: URL, or an
 * http(s) URL (Node); a URL, relative to the page or absolute (browsers); or tfjs ModelArtifacts
 * (`{ modelTopology, weightSpecs, weightData }`) anywhere. An ONNX model: a path or URL ending
 * in .onnx, or its bytes (Uint8Array, ArrayBuffer), with `options` (docs/api.md, "ONNX models").
 */
export async function loadModel(source: string | URL | ArtifactsInput | Uint8Array | ArrayBuffer, options?: OnnxOptions): Promise<Sequential | Model> {
  if (isOnnx(source)) {
    if (!onnxLoading) throw new Error("This convkit entry reads no ONNX files: in browsers, import 'convkit/onnx' (the same API with the ONNX reader)");
    return onnxLoading()(source, options);
  }
  return (loading ?? noEntryPoint)().loadModel(source as string | URL | ArtifactsInput);
}
