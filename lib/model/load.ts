// The tfjs layers format -> Sequential: from a model.json (path, directory or URL, through the
// entry point's ModelIO) or from ModelArtifacts in memory.
import type { Sequential } from '../layers/sequential';
import type { Model } from '../models/functional';
import { describe, readable } from '../validate';
import { type ArtifactsInput, checkFormat, manifestOf, type ModelJSON, record } from './artifacts';
import { modelIO } from './io';
import { kerasModel, sequentialConfig, show } from './keras-config';
import { FUNCTIONAL_CLASS_NAMES, readFunctional, sequentialAsFunctional } from './functional-read';
import { readSequential } from './topology-read';
import { concatBuffers, WeightStore } from './weights';

/** A Sequential, or a functional model (also a Sequential that holds a model as a layer, read as one). */
function fromParts(topology: unknown, specs: unknown, data: ArrayBuffer): Sequential | Model {
  const { className, config } = kerasModel(topology), weights = new WeightStore(specs, data);
  if (typeof className === 'string' && FUNCTIONAL_CLASS_NAMES.includes(className)) return readFunctional(config, weights);
  if (className !== 'Sequential') {
    throw new RangeError(`Expected a Keras Sequential or functional model (class_name 'Sequential', 'Functional' or 'Model') but received class_name ${show(className)}`);
  }
  const k = sequentialConfig(config, 'modelTopology.config');
  if (k.layers.some((l) => l.className === 'Sequential' || FUNCTIONAL_CLASS_NAMES.includes(l.className))) return readFunctional(sequentialAsFunctional(config), weights);
  const { model, inputShape } = readSequential(k, weights);
  model.inputShape = inputShape; // what save records, unless told otherwise
  return model;
}

function weightData(v: unknown): ArrayBuffer {
  if (v === undefined) return new ArrayBuffer(0);
  if (v instanceof ArrayBuffer) return v;
  if (Array.isArray(v) && v.every((b) => b instanceof ArrayBuffer)) return concatBuffers(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice().buffer;
  throw new TypeError(`Expected ArrayBuffer or array of ArrayBuffers for weightData but received ${describe(v)}`);
}

function fromArtifacts(source: object): Sequential | Model {
  const a = readable('source', () => ({ ...source })) as ArtifactsInput & { weightsManifest?: unknown };
  if (a.modelTopology === undefined) {
    throw new TypeError(`Expected path, URL or ModelArtifacts (with modelTopology) for source but received ${describe(source)}`);
  }
  checkFormat('source', a.format);
  if (a.weightSpecs === undefined && a.weightsManifest !== undefined) {
    throw new TypeError('Expected weightSpecs and weightData for source but received a model.json object (weightsManifest): pass its path or URL so that its weight files can be read');
  }
  return fromParts(a.modelTopology, a.weightSpecs ?? [], weightData(a.weightData));
}

/**
 * Loads a model saved in the TensorFlow.js layers format (by convkit, tfjs's `model.save`, or
 * tensorflowjs_converter from Keras): a path to model.json or its directory, a file: URL, or an
 * http(s) URL (Node); a URL, relative to the page or absolute (browsers); or tfjs ModelArtifacts
 * (`{ modelTopology, weightSpecs, weightData }`) anywhere.
 */
export async function loadModel(source: string | URL | ArtifactsInput): Promise<Sequential | Model> {
  if (typeof source === 'object' && source !== null && !(source instanceof URL)) return fromArtifacts(source);
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new TypeError(`Expected path, URL or ModelArtifacts for source but received ${describe(source)}`);
  }
  const file = await modelIO().open(source);
  const json = record(file.name, file.json, 'model.json object') as unknown as ModelJSON;
  checkFormat(file.name, json.format);
  const { paths, specs } = manifestOf(json, file.name);
  return fromParts(json.modelTopology, specs, concatBuffers(await file.read(paths)));
}
