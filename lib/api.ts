// The public API shared by the Node entry (index.ts) and the browser entry (browser.ts).
import { availableBackends, backend, selectionNotes, switchBackend, whenReady } from './backends/select';
import type { BackendName } from './backends/backend';
import { fail, integer } from './validate';

export { Tensor } from './tensor';
export { Layer, type Weights } from './layers/layer';
export type { Gradients } from './grad/gradients';
export { Conv2D, type Conv2DOptions, type ConvAlgorithm } from './layers/conv2d';
export { MaxPool2D, type MaxPool2DOptions } from './layers/maxpool2d';
export { Dense, type DenseOptions } from './layers/dense';
export { Flatten } from './layers/flatten';
export { AveragePooling2D, type AveragePooling2DOptions } from './layers/avgpool2d';
export { GlobalAveragePooling2D, GlobalMaxPooling2D, type GlobalPooling2DOptions } from './layers/global-pool2d';
export type { Pool2DOptions } from './layers/pooling';
export { Cropping2D, type Cropping2DOptions, type Padding2D, ZeroPadding2D, type ZeroPadding2DOptions } from './layers/padding2d';
export { BatchNormalization, type BatchNormalizationOptions, type BatchNormInitializer } from './layers/batchnorm';
export { DepthwiseConv2D, type DepthwiseConv2DOptions } from './layers/depthwise-conv2d';
export { PReLU, type PReLUInitializer, type PReLUOptions } from './layers/prelu';
export { SeparableConv2D, type SeparableConv2DOptions } from './layers/separable-conv2d';
export { ActivationLayer, type ActivationLayerOptions, ELU, ElementwiseActivation, LeakyReLU, ReLU, type ReLUOptions, Softmax } from './layers/activation-layers';
export { Conv2DTranspose, type Conv2DTransposeOptions } from './layers/conv2d-transpose';
export { UpSampling2D, type UpSampling2DOptions, type Interpolation } from './layers/upsampling2d';
export { Reshape, type ReshapeOptions } from './layers/reshape';
export { Permute, type PermuteOptions } from './layers/permute';
export { Add, Average, ElementwiseMerge, Maximum, Minimum, Multiply, Subtract, type MergeMode } from './layers/merge';
export { Concatenate, type ConcatenateOptions } from './layers/concatenate';
export { MultiInputLayer, type MultiInputGradients } from './layers/multi-input';
export { Sequential, type LayerGradients, type SequentialGradients } from './layers/sequential';
export { input, type InputOptions, Model, model, type ModelOptions } from './models/functional';
export type { RewriteOptions } from './models/model-graph';
export { SymbolicTensor } from './layers/symbolic';
export { Batcher, type BatcherOptions } from './layers/batcher';
export { gemm, gemmAsync, type GemmOptions } from './gemm';
export { residentTensor, releaseTensor } from './resident';
export type { EvaluateResult, FitResult, History } from './train/fit';
export type { LossName } from './train/losses';
export type { AdamConfig, OptimizerName, OptimizerSpec, SgdConfig } from './train/optimizers';
export type { BatchOptions, CompileOptions, EpochLogs, FitOptions, Labels } from './train/options';
export { loadModel } from './load-model';
export type { OnnxOptions } from './onnx/build';
export type { SaveOptions } from './model/save';
export type { ArtifactsInput, ModelArtifacts, WeightSpec } from './model/artifacts';
export { Activation, type ActivationName } from './activation';
export type { Padding } from './shape';
export type { BackendName } from './backends/backend';

export { version } from './version';
import { Conv2D } from './layers/conv2d';
import { Dense } from './layers/dense';
import { Flatten } from './layers/flatten';
import { ActivationLayer, ELU, LeakyReLU, ReLU, Softmax } from './layers/activation-layers';
import { Layer } from './layers/layer';
import { MaxPool2D } from './layers/maxpool2d';
import { Sequential } from './layers/sequential';
import { Tensor } from './tensor';
import { AveragePooling2D } from './layers/avgpool2d';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from './layers/global-pool2d';
import { Cropping2D, ZeroPadding2D } from './layers/padding2d';
import { BatchNormalization } from './layers/batchnorm';
import { DepthwiseConv2D } from './layers/depthwise-conv2d';
import { Conv2DTranspose } from './layers/conv2d-transpose';
import { UpSampling2D } from './layers/upsampling2d';
import { Reshape } from './layers/reshape';
import { Permute } from './layers/permute';
import { Add, Average, Maximum, Minimum, Multiply, Subtract } from './layers/merge';
import { Concatenate } from './layers/concatenate';
import { PReLU } from './layers/prelu';
import { SeparableConv2D } from './layers/separable-conv2d';

// Both entries are bundled (the browser's minified, without esbuild's --keep-names, which would
// cost 4.5 KB; the Node one without it too, since its __name() wrapper runs on hot paths), and a
// bundler may rename a class: the public classes take their names back, which error messages
// ("received an object of type Tensor") and users' own checks read.
for (const [name, c] of Object.entries({ Conv2D, Dense, Flatten, Layer, MaxPool2D, Sequential, Tensor, ActivationLayer, ELU, LeakyReLU, ReLU, Softmax, Conv2DTranspose, UpSampling2D, Reshape, Permute })) {
  Object.defineProperty(c, 'name', { value: name });
}
for (const [name, c] of Object.entries({ AveragePooling2D, BatchNormalization, Cropping2D, DepthwiseConv2D, GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D,
  Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract,
  PReLU, SeparableConv2D })) {
  Object.defineProperty(c, 'name', { value: name });
}
import { version } from './version';

/** Name of the backend in use: 'native' or 'wasm'. Throws if none could be loaded. */
export function getBackend(): BackendName {
  return backend().name;
}

/** Switches every layer to another backend; rejects, saying why, if it cannot be loaded. */
export function setBackend(name: BackendName): Promise<void> {
  return switchBackend(name);
}

/** Resolves with the backend name once it is ready to compute (in browsers, await it first). */
export async function ready(): Promise<BackendName> {
  return (await whenReady()).name;
}

/** Backends that load on this machine. */
export function backends(): BackendName[] {
  return availableBackends();
}

export interface BackendInfo {
  name: BackendName;
  /** Instruction set of the GEMM micro-kernel chosen for this CPU. */
  isa: string;
  /** Every instruction set this machine can run, widest first. */
  isas: string[];
  /** Threads of synchronous calls, and of async jobs (forwardAsync, predict's batches, gemmAsync): see docs/api.md, "Threads". */
  threads: number;
  asyncThreads: number;
  version: string;
  /** Why backends preferred to this one were not used (e.g. the native addon failed to load). */
  notes: string[];
}

export function backendInfo(): BackendInfo {
  const b = backend();
  const { isa, isas, threads, asyncThreads } = b.info();
  return { name: b.name, isa, isas, threads, asyncThreads: asyncThreads ?? threads, version, notes: selectionNotes() };
}

/** Threads each op may use, for every call (1 to 64). Default: the number of cores for synchronous calls and, on native, one fewer for async jobs (docs/api.md, "Threads"). */
export function setNumThreads(n: number): void {
  // Checked here so that both backends answer alike (the addon would throw, wasm would clamp).
  const threads = integer('threads', n);
  if (threads > 64) fail('range', 'integer in [1, 64]', 'threads', n);
  backend().setNumThreads(threads);
  backend().setAsyncThreads?.(0); // a count asked for holds for async jobs too
}

export function getNumThreads(): number {
  return backend().info().threads;
}
