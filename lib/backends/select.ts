// Picks the backend once, at load time: try each candidate in order, keep every error, and if
// none loads, explain what was tried and how to fix it. CONVKIT_BACKEND forces one.
import { type Backend, type BackendName, backendNames } from './backend';
import { loadNative } from './native';
import { oneOf } from '../validate';

interface Candidate {
  name: BackendName;
  load(): Backend;
  fix: string;
}

// The wasm backend joins this list in a later release; until then native is the only one.
const candidates: Candidate[] = [
  {
    name: 'native',
    load: loadNative,
    fix: 'run `npm rebuild convkit` (needs python3, make and a C++17 compiler)',
  },
];

const loaded = new Map<BackendName, Backend>();
const errors = new Map<BackendName, string>();
let active: Backend | null = null;
let activeName: BackendName | null = null;

function tryLoad(name: BackendName): Backend | null {
  const cached = loaded.get(name);
  if (cached) return cached;
  const candidate = candidates.find((c) => c.name === name);
  if (!candidate) {
    errors.set(name, `the ${name} backend is not part of this version of convkit`);
    return null;
  }
  try {
    const backend = candidate.load();
    loaded.set(name, backend);
    errors.delete(name);
    return backend;
  } catch (e) {
    errors.set(name, (e as Error).message.split('\n')[0]);
    return null;
  }
}

function noBackendError(tried: BackendName[]): Error {
  const lines = tried.map((name) => {
    const fix = candidates.find((c) => c.name === name)?.fix;
    return `  - ${name}: ${errors.get(name)}${fix ? `\n    fix: ${fix}` : ''}`;
  });
  const forced = process.env.CONVKIT_BACKEND ? ` (CONVKIT_BACKEND=${process.env.CONVKIT_BACKEND})` : '';
  return new Error(`convkit: no backend could be loaded${forced}. Tried:\n${lines.join('\n')}`);
}

let startupError: Error | null = null;

function selectAtStartup(): void {
  const forced = process.env.CONVKIT_BACKEND;
  let order: BackendName[];
  try {
    order = forced ? [oneOf('CONVKIT_BACKEND', forced, backendNames)] : candidates.map((c) => c.name);
  } catch (e) {
    startupError = e as Error;
    return;
  }
  for (const name of order) {
    const backend = tryLoad(name);
    if (backend) {
      active = backend;
      activeName = name;
      return;
    }
  }
  startupError = noBackendError(order);
}

selectAtStartup();

/** The backend in use; throws the startup error when none could be loaded. */
export function backend(): Backend {
  if (!active) throw startupError ?? noBackendError(candidates.map((c) => c.name));
  return active;
}

export function backendName(): BackendName {
  backend();
  return activeName as BackendName;
}

/** Switches the backend for every layer; rejects with the load error when it is unavailable. */
export async function switchBackend(name: unknown): Promise<void> {
  const wanted = oneOf('backend name', name, backendNames);
  const b = tryLoad(wanted);
  if (!b) throw noBackendError([wanted]);
  active = b;
  activeName = wanted;
  startupError = null;
}

/** Names of the backends that load on this machine. */
export function availableBackends(): BackendName[] {
  return backendNames.filter((name) => tryLoad(name) !== null);
}
