// loadModel, shared by both entry files: the model format (lib/model) comes from the loader the
// entry installs, index.ts requiring it on the first call (so that a process that never loads a
// model never loads the format), browser.ts from its bundle.
import { noEntryPoint } from './layers/model-services';
import type { Sequential } from './layers/sequential';
import type { Model } from './models/functional';
import type { ArtifactsInput } from './model/artifacts';
import type * as Loading from './model/load';

type LoadingModule = Pick<typeof Loading, 'loadModel'>;

let loading: (() => LoadingModule) | null = null;

export function installModelLoading(load: () => LoadingModule): void {
  loading = load;
}

/**
 * Loads a model saved in the TensorFlow.js layers format (by convkit, tfjs's `model.save`, or
 * tensorflowjs_converter from Keras): a path to model.json or its directory, a file: URL, or an
 * http(s) URL (Node); a URL, relative to the page or absolute (browsers); or tfjs ModelArtifacts
 * (`{ modelTopology, weightSpecs, weightData }`) anywhere.
 */
export async function loadModel(source: string | URL | ArtifactsInput): Promise<Sequential | Model> {
  return (loading ?? noEntryPoint)().loadModel(source);
}
