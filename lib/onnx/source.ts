// Which sources loadModel reads as ONNX (a path or URL ending in .onnx, or bytes), for the entries
// that install the ONNX reader: required without protobufjs, which loads with the first ONNX file.
import type { LoadingModule, ModelSource } from '../load-model';
import type { Model } from '../models/functional';
import type { ArtifactsInput } from '../model/artifacts';
import type { OnnxOptions } from './build';

export type OnnxLoader = (source: string | URL | Uint8Array | ArrayBuffer, options?: OnnxOptions) => Promise<Model>;

export function isOnnx(source: unknown): source is string | URL | Uint8Array | ArrayBuffer {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return true;
  const s = source instanceof URL ? source.pathname : typeof source === 'string' ? source.replace(/[?#].*$/, '') : '';
  return /\.onnx$/i.test(s);
}

/** A loader that reads ONNX sources with `onnx` and the others with the tfjs layers format's loader. */
export function withOnnx(layers: { loadModel(source: string | URL | ArtifactsInput): Promise<Awaited<ReturnType<LoadingModule['loadModel']>>> }, onnx: () => OnnxLoader): LoadingModule {
  return { loadModel: (source: ModelSource, options?: OnnxOptions) => (isOnnx(source) ? onnx()(source, options) : layers.loadModel(source as string | URL | ArtifactsInput)) };
}
