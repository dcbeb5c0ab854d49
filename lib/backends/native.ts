// The native backend: the N-API addon built by node-gyp (build/Release) or a prebuild.
import * as path from 'node:path';
import type { Backend, PackedWeights } from './backend';

type Addon = Omit<Backend, 'name' | 'owns' | 'release'>;

/** Loads the addon; throws what node-gyp-build threw when there is none for this platform. */
export function loadNative(): Backend {
  // dist/backends/ and lib/backends/ both sit two levels below the package root.
  const root = path.join(__dirname, '..', '..');
  const addon: Addon = require('node-gyp-build')(root);
  return {
    ...addon,
    name: 'native',
    // Packed weights are plain Float32Arrays: valid for every ISA, freed by the garbage collector.
    owns: (packed: PackedWeights) => packed instanceof Float32Array,
    release: () => {},
  };
}
