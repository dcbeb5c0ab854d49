// Sequential -> the tfjs layers format: ModelArtifacts in memory (toArtifacts), or model.json and
// group1-shard1of1.bin in a directory (save, Node).
import { Dense } from '../layers/dense';
import type { Layer } from '../layers/layer';
import { version } from '../version';
import { describe, readable } from '../validate';
import type { ModelArtifacts } from './artifacts';
import { modelIO } from './io';
import type { Dim } from '../models/layer-shapes';
import { writeSequential } from './topology-write';
import { writeFunctional } from './functional-write';
import { type FunctionalSource, isFunctionalSource } from '../layers/flat-types';
import { encodeWeights } from './weights';

export interface SaveOptions {
  /**
   * The input shape without the batch dimension, as Keras's inputShape: [height, width, channels]
   * for images (height and width may be null: any size), [features] for vectors. The Keras format
   * records it. Default: the shape the model was loaded with (loadModel) or last trained on
   * (fit), else [features] when the first layer is a Dense that has its kernel; otherwise required.
   */
  inputShape?: (number | null)[];
}

/** What save reads of a model (Sequential): its layers, and the input shape it was loaded with or last trained on. */
export interface SavableModel {
  readonly layers: readonly Layer[];
  readonly inputShape: readonly Dim[] | null;
}

function checkInputShape(v: unknown): Dim[] {
  const dims = readable('inputShape', () => (Array.isArray(v) ? [...v] : null));
  const ok = dims && dims.length > 0 && dims.every((d, i) => (Number.isInteger(d) && d >= 1) || (d === null && i < dims.length - 1));
  if (!ok) {
    const err = Array.isArray(v) ? RangeError : TypeError;
    throw new err(`Expected array of positive integers (null allowed but for the last, the channels or features) for inputShape but received ${describe(v)}`);
  }
  return dims as Dim[];
}

function inputShapeOf(model: SavableModel, options: SaveOptions | undefined): Dim[] {
  const given = options === undefined ? undefined : readable('inputShape', () => options.inputShape);
  if (given !== undefined) return checkInputShape(given);
  if (model.inputShape) return [...model.inputShape];
  const first = model.layers[0];
  const kernel = first.getWeights().kernel;
  if (first instanceof Dense && kernel) return [kernel.length / first.units];
  throw new RangeError(
    'Expected inputShape in the save options (the input shape without the batch dimension, e.g. [28, 28, 1]): the Keras format records it and this model was not loaded with one',
  );
}

/** The model as tfjs ModelArtifacts (see Sequential.toArtifacts). */
export function modelArtifacts(model: SavableModel | FunctionalSource, options?: SaveOptions): ModelArtifacts {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`Expected options object for save options but received ${describe(options)}`);
  }
  if (isFunctionalSource(model) && options?.inputShape !== undefined) {
    throw new RangeError('Expected no inputShape in the save options of a functional model: its inputs (ck.input) declare their shapes');
  }
  const { modelTopology, weights } = isFunctionalSource(model) ? writeFunctional(model) : writeSequential(model.layers, inputShapeOf(model, options));
  return { modelTopology, ...encodeWeights(weights), format: 'layers-model', generatedBy: `convkit ${version}`, convertedBy: null };
}

/** Writes the model into a directory (see Sequential.save). */
export async function saveModel(model: SavableModel | FunctionalSource, path: string | URL, options?: SaveOptions): Promise<void> {
  await modelIO().write(path, modelArtifacts(model, options));
}
