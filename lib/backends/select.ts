// Picks the backend once, at load time: try each candidate in order, keep every error, and if
// none loads, explain what was tried and how to fix it. CONVKIT_BACKEND forces one (Node).
// The entry point (index.ts for Node, browser.ts) says which candidates exist.
import { type Backend, type BackendName, backendNames } from './backend';
import { oneOf } from '../validate';

export interface Candidate {
  name: BackendName;
  /** Loads the backend; throws (or rejects) with the reason it is unavailable. */
  load(): Backend | Promise<Backend>;
  fix: string;
}

let candidates: Candidate[] = [];
const loaded = new Map<BackendName, Backend>();
const errors = new Map<BackendName, string>();
let active: Backend | null = null;
let startupError: Error | null = null;
let starting: Promise<void> | null = null;
let passedOver: string[] = [];

function forcedBackend(): string | undefined {
  return typeof process !== 'undefined' ? process.env?.CONVKIT_BACKEND || undefined : undefined;
}

function record(name: BackendName, e: unknown): null {
  errors.set(name, (e as Error).message.split('\n')[0]);
  return null;
}

/** Loads a candidate (cached); null with the reason recorded when it cannot load. */
/** CONVKIT_THREADS (Node): the thread count every backend starts with, instead of the number of cores. */
function threadsFromEnv(): number | undefined {
  const v = typeof process !== 'undefined' ? process.env?.CONVKIT_THREADS : undefined;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`Expected integer in [1, 64] for CONVKIT_THREADS but received '${v}'`);
  return n;
}

function tryLoad(name: BackendName): Backend | null | Promise<Backend | null> {
  const cached = loaded.get(name);
  if (cached) return cached;
  const candidate = candidates.find((c) => c.name === name);
  if (!candidate) return record(name, new Error(`the ${name} backend is not part of this build of convkit`));
  const done = (b: Backend) => {
    // The thread policy (docs/api.md, "Threads"): CONVKIT_THREADS or setNumThreads set one count
    // for every call; by default synchronous calls use every core and async jobs every core but
    // one, so that a service's event loop keeps a core to accept and answer on.
    const threads = threadsFromEnv();
    if (threads !== undefined) b.setNumThreads(threads);
    else b.setAsyncThreads?.(Math.max(1, b.info().threads - 1));
    loaded.set(name, b);
    errors.delete(name);
    return b;
  };
  try {
    const b = candidate.load();
    return b instanceof Promise ? b.then(done, (e) => record(name, e)) : done(b);
  } catch (e) {
    return record(name, e);
  }
}

function noBackendError(tried: BackendName[]): Error {
  const lines = tried.map((name) => {
    const fix = candidates.find((c) => c.name === name)?.fix;
    return `  - ${name}: ${errors.get(name)}${fix ? `\n    fix: ${fix}` : ''}`;
  });
  const forced = forcedBackend() ? ` (CONVKIT_BACKEND=${forcedBackend()})` : '';
  return new Error(`convkit: no backend could be loaded${forced}. Tried:\n${lines.join('\n')}`);
}

/** Why the backends preferred to the one in use were passed over, e.g. "native: <error>". */
export function selectionNotes(): string[] {
  return [...passedOver];
}

/**
 * Sets the candidates and picks the first that loads (synchronously where every load is
 * synchronous, as in Node). Returns why the preferred candidates were passed over.
 */
export function configure(list: Candidate[]): string[] {
  candidates = list;
  const passed: string[] = (passedOver = []);
  let order: BackendName[];
  try {
    const forced = forcedBackend();
    order = forced ? [oneOf('CONVKIT_BACKEND', forced, backendNames)] : list.map((c) => c.name);
  } catch (e) {
    startupError = e as Error;
    return [];
  }
  const next = (i: number): void | Promise<void> => {
    if (i >= order.length) {
      startupError = noBackendError(order);
      return;
    }
    const b = tryLoad(order[i]);
    const settle = (r: Backend | null) => {
      if (r) {
        active = r;
        return;
      }
      passed.push(`${order[i]}: ${errors.get(order[i])}`);
      return next(i + 1);
    };
    if (b instanceof Promise) return b.then(settle);
    return settle(b);
  };
  const result = next(0);
  if (result instanceof Promise) starting = result.finally(() => (starting = null));
  return passed;
}

/** The backend in use; throws the startup error when none could be loaded. */
export function backend(): Backend {
  if (active) return active;
  if (starting) throw new Error('convkit: the backend is still loading: await ready() before the first forward');
  throw startupError ?? noBackendError(candidates.map((c) => c.name));
}

/** Resolves once selection has finished; rejects with the startup error if nothing loaded. */
export async function whenReady(): Promise<Backend> {
  if (starting) await starting;
  return backend();
}

/** Switches the backend for every layer; rejects with the load error when it is unavailable. */
export async function switchBackend(name: unknown): Promise<void> {
  const wanted = oneOf('backend name', name, backendNames);
  const b = await tryLoad(wanted);
  if (!b) throw noBackendError([wanted]);
  active = b;
  startupError = null;
}

/**
 * Names of the backends that load here, loading them if needed. A backend whose loading is
 * asynchronous (wasm in a browser) is listed once it has loaded.
 */
export function availableBackends(): BackendName[] {
  return candidates.map((c) => c.name).filter((name) => {
    const b = tryLoad(name);
    return b !== null && !(b instanceof Promise);
  });
}

/** Every backend loaded so far (a tensor made resident by one is released through it). */
export function loadedBackends(): Backend[] {
  return [...loaded.values()];
}
