// Sequential's compile, fit and evaluate are training (lib/train) and its save and toArtifacts
// the model format (lib/model): floors above this one, which import layers. Sequential reaches
// them through the loaders installed here by the entry file (index.ts loads each module on its
// first use, so that a process that only runs forwards never loads them; the browser entry hands
// over what its bundle holds). Only their types are imported here.
import type * as Training from '../train/fit';
import type * as Saving from '../model/save';

type TrainingModule = Pick<typeof Training, 'compile' | 'fit' | 'evaluate'>;
type SavingModule = Pick<typeof Saving, 'modelArtifacts' | 'saveModel'>;

export interface ModelServices {
  training(): TrainingModule;
  saving(): SavingModule;
}

let services: ModelServices | null = null;

export function installModelServices(s: ModelServices): void {
  services = s;
}

/** What a model's training or files meet when no entry file installed their loaders. */
export function noEntryPoint(): never {
  throw new Error('convkit was loaded without its entry point (index or browser): no training and no model files');
}

export function training(): TrainingModule {
  return (services ?? noEntryPoint()).training();
}

export function saving(): SavingModule {
  return (services ?? noEntryPoint()).saving();
}
