// Sequential's compile, fit and evaluate are training (lib/train) and its save and toArtifacts
// the model format (lib/model): floors above this one, which import layers. Sequential reaches
// them through the loaders installed here by the entry file (index.ts loads each module on its
// first use, so that a process that only runs forwards never loads them; the browser entry hands
// over what its bundle holds). Only their types are imported here.
import type * as Training from '../train/fit';
import type * as Saving from '../model/save';

export interface ModelServices {
  training(): typeof Training;
  saving(): typeof Saving;
}

let services: ModelServices | null = null;

export function installModelServices(s: ModelServices): void {
  services = s;
}

function installed(): ModelServices {
  if (!services) throw new Error('convkit was loaded without its entry point (index or browser): no training and no model format');
  return services;
}

export function training(): typeof Training {
  return installed().training();
}

export function saving(): typeof Saving {
  return installed().saving();
}
