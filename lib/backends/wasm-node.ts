// The wasm backend in Node: modules compiled synchronously from dist/wasm (so require() is
// usable at once), memory shared with worker_threads for the threaded variant.
import { readFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WASM_BUILDS } from '../generated/kernels';
import type { Backend } from './backend';
import { WasmBackend, type WasmVariant } from './wasm';
import { runnableBuilds } from './wasm-features';

/** dist/wasm from dist/backends (the package) or from lib/backends (the sources, under tsx). */
function wasmDir(): string {
  const candidates = [join(__dirname, '..', 'wasm'), join(__dirname, '..', '..', 'dist', 'wasm')];
  const dir = candidates.find((d) => existsSync(join(d, 'convkit-scalar.wasm')));
  if (!dir) throw new Error(`the convkit .wasm files are missing (looked in ${candidates.join(', ')}); run \`npm run build\``);
  return dir;
}

const workers: Worker[] = [];
let pending = 0;

/** Idle workers are unref'd so they never keep the process alive; a job in flight must. */
function keepAlive(on: boolean): void {
  pending += on ? 1 : -1;
  if (on && pending === 1) workers.forEach((w) => w.ref());
  if (!on && pending === 0) workers.forEach((w) => w.unref());
}

export function loadWasmNode(): Backend {
  const dir = wasmDir();
  // CONVKIT_WASM names a variant to prefer (tests and benchmarks use it).
  const forced = typeof process !== 'undefined' ? process.env.CONVKIT_WASM : undefined;
  const usable = runnableBuilds(WASM_BUILDS, true);
  const ordered = forced ? [...usable.filter((v) => v.name === forced), ...usable.filter((v) => v.name !== forced)] : usable;
  // Compiled synchronously on first use: only the variant in use costs start-up time.
  const variants: WasmVariant[] = ordered.map((v) => {
    let module: WebAssembly.Module | undefined;
    return {
      name: v.name, shared: v.shared,
      get module() {
        return (module ??= new WebAssembly.Module(readFileSync(join(dir, `convkit-${v.name}.wasm`))));
      },
    };
  });
  return new WasmBackend({
    variants,
    canBlock: true,
    maxMemoryBytes: 4 * 2 ** 30 - 65536,
    spawnWorker: (source, data) => {
      const worker = new Worker(source, { eval: true, workerData: data });
      if (pending === 0) worker.unref();
      workers.push(worker);
    },
    keepAlive,
    // Uninitialized (the copy overwrites every byte at once): zeroing first cost P2's 800 KB
    // output 54 us where this costs 34. Its own ArrayBuffer, as allocUnsafeSlow (unpooled) gives.
    // Below 1024 floats a zeroed array costs less (256 floats: 0.5 us against 1.6).
    newOutput: (length) => {
      if (length < 1024) return new Float32Array(length);
      const b = Buffer.allocUnsafeSlow(length * 4);
      return new Float32Array(b.buffer, b.byteOffset, length);
    },
  }, availableParallelism());
}
