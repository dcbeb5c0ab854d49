// Runs one spec body against every backend that loads here, and against every kernel build of a
// backend: each native ISA this machine supports, each wasm build (simd-threads, simd, scalar).
import * as ck from '../../lib/index';
import { backend } from '../../lib/backends/select';
import type { NativeBackend } from '../../lib/backends/native';
import type { Backend } from '../../lib/backends/backend';

export const ALL_BACKENDS = ['native', 'wasm'] as const;

/**
 * The backends CONVKIT_TEST_BACKENDS names (comma-separated, e.g. `native` for `npm run
 * test:asan`); [] when it is unset. An unknown name throws.
 */
function namedBackends(): string[] {
  const names = (process.env.CONVKIT_TEST_BACKENDS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(ALL_BACKENDS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`CONVKIT_TEST_BACKENDS: unknown backend ${unknown.join(', ')} (expected ${ALL_BACKENDS.join(', ')})`);
  return names;
}

/** A failing test: CONVKIT_TEST_BACKENDS asks for a backend that does not load. */
function failNotLoaded(title: string, name: string): void {
  it(title, () => {
    throw new Error(`CONVKIT_TEST_BACKENDS=${process.env.CONVKIT_TEST_BACKENDS} asks for ${name}, which does not load here`);
  });
}

/**
 * describe(`<backend>`) for each backend; one that does not load is skipped with its reason (it
 * fails when CONVKIT_TEST_BACKENDS names it), one CONVKIT_TEST_BACKENDS leaves out is skipped.
 */
export function forEachBackend(title: string, body: () => void): void {
  const available = ck.backends();
  const named = namedBackends();
  for (const name of ALL_BACKENDS) {
    describe(`${title} [${name}]`, function () {
      if (named.length && !named.includes(name)) {
        it(`runs on ${name}`, function () {
          console.log(`      skipped: CONVKIT_TEST_BACKENDS=${process.env.CONVKIT_TEST_BACKENDS}`);
          this.skip();
        });
        return;
      }
      if (!available.includes(name) && named.includes(name)) return failNotLoaded(`runs on ${name}`, name);
      if (!available.includes(name)) {
        it(`runs on ${name}`, function () {
          console.log(`      skipped: the ${name} backend does not load on this machine or this version`);
          this.skip();
        });
        return;
      }
      let previous: ck.BackendName;
      before(async () => {
        previous = ck.getBackend();
        await ck.setBackend(name);
      });
      after(async () => {
        await ck.setBackend(previous);
      });
      body();
    });
  }
}

/**
 * Runs fn once per kernel build of the backend in use (native: each ISA this machine supports;
 * wasm: each build this engine runs), restoring the default after.
 */
export function forEachIsa(fn: (isa: string) => void): void {
  const b = backend();
  const { isa: original, isas } = b.info();
  try {
    for (const isa of isas) {
      if (!b.selectIsa(isa)) throw new Error(`could not select ${isa}`);
      fn(isa);
    }
  } finally {
    b.selectIsa(original);
  }
}

/** Runs fn with 1 thread and with 2 threads, restoring the count after. */
export function forEachThreadCount(fn: (threads: number) => void): void {
  const original = ck.getNumThreads();
  try {
    for (const t of [1, 2]) {
      ck.setNumThreads(t);
      fn(t);
    }
  } finally {
    ck.setNumThreads(original);
  }
}

/**
 * Inside a describe: when the native addon is not built, one skipped test saying so (failing when
 * CONVKIT_TEST_BACKENDS names native); true then.
 */
export function skipWithoutNative(): boolean {
  if (ck.backends().includes('native')) return false;
  if (namedBackends().includes('native')) {
    failNotLoaded('needs the native backend', 'native');
    return true;
  }
  it('needs the native backend', function () {
    console.log('      skipped: the native addon is not built');
    this.skip();
  });
  return true;
}

/**
 * Inside a describe: switches to the native backend for its tests (and back after), returning
 * the backend with its test hooks; null, with a skipped test saying why, when it is not built.
 */
export function onNative(): (() => NativeBackend) | null {
  if (skipWithoutNative()) return null;
  let previous: ck.BackendName;
  before(async () => {
    previous = ck.getBackend();
    await ck.setBackend('native');
  });
  after(async () => ck.setBackend(previous));
  return () => backend() as NativeBackend;
}

/**
 * Inside a describe: switches to the wasm backend for its tests (and back after), returning the
 * backend; null, with a skipped test saying why, when the wasm modules are not built.
 */
export function onWasm(): (() => Backend) | null {
  if (!ck.backends().includes('wasm')) {
    it('needs the wasm backend', function () {
      console.log('      skipped: the wasm backend does not load here (run npm run build)');
      this.skip();
    });
    return null;
  }
  let previous: ck.BackendName;
  before(async () => {
    previous = ck.getBackend();
    await ck.setBackend('wasm');
  });
  after(async () => ck.setBackend(previous));
  return () => backend();
}
