// The wasm backend in browsers: the modules are embedded in the bundle (esbuild's binary loader),
// compiled asynchronously; threads use Web Workers on a shared memory, which browsers allow only
// on crossOriginIsolated pages. Elsewhere one thread runs everything.
import relaxedSimdThreadsBytes from '../../dist/wasm/convkit-relaxed-simd-threads.wasm';
import scalarBytes from '../../dist/wasm/convkit-scalar.wasm';
import simdBytes from '../../dist/wasm/convkit-simd.wasm';
import simdThreadsBytes from '../../dist/wasm/convkit-simd-threads.wasm';
import { WASM_BUILDS } from '../generated/kernels';
import type { Backend } from './backend';
import { WasmBackend, type WasmVariant, type WasmVariantName } from './wasm';
import { runnableBuilds, threadsSupported } from './wasm-features';

export async function loadWasmBrowser(): Promise<Backend> {
  const threads = threadsSupported() && typeof Worker !== 'undefined';
  // The bundler embeds each build by a static import; the list and its order come from kernels.json.
  const bytes: Record<WasmVariantName, Uint8Array> = {
    'relaxed-simd-threads': relaxedSimdThreadsBytes, 'simd-threads': simdThreadsBytes, simd: simdBytes, scalar: scalarBytes,
  };
  const usable = runnableBuilds(WASM_BUILDS, threads);
  const variants: WasmVariant[] = await Promise.all(usable.map(async ({ name, shared }) => ({
    name, shared, module: await WebAssembly.compile(bytes[name] as BufferSource),
  })));
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
