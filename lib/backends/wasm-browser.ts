// The wasm backend in browsers: the modules are embedded in the bundle (esbuild's binary loader),
// compiled asynchronously; threads use Web Workers on a shared memory, which browsers allow only
// on crossOriginIsolated pages. Elsewhere one thread runs everything.
//
// The four builds are embedded deflated together (wasm-pack.ts) and inflated at load.
import buildsFile from '../../dist/wasm/convkit-builds.bin';
import { WASM_BUILDS } from '../generated/kernels';
import type { Backend } from './backend';
import { WasmBackend, type WasmVariant } from './wasm';
import { runnableBuilds, threadsSupported } from './wasm-features';
import { unpackBuilds } from './wasm-pack';

export async function loadWasmBrowser(): Promise<Backend> {
  const threads = threadsSupported() && typeof Worker !== 'undefined';
  // The list of builds and its order come from kernels.json.
  const usable = runnableBuilds(WASM_BUILDS, threads), embedded = unpackBuilds(buildsFile);
  const variants: WasmVariant[] = await Promise.all(usable.map(async ({ name, shared }) => {
    const bytes = embedded.get(name);
    if (!bytes) throw new Error(`convkit: the bundle has no wasm build '${name}' (it was built from another kernels.json)`);
    return { name, shared, module: await WebAssembly.compile(bytes as BufferSource) };
  }));
  let workerUrl: string | null = null;
  return new WasmBackend({
    variants,
    canBlock: false,
    maxMemoryBytes: 2 ** 30,
    spawnWorker: threads
      ? (source, data) => {
        workerUrl ??= URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
        new Worker(workerUrl).postMessage(data);
      }
      : undefined,
  }, navigator.hardwareConcurrency || 1);
}
