// The wasm backend in browsers: the modules are embedded in the bundle (esbuild's binary loader),
// compiled asynchronously; threads use Web Workers on a shared memory, which browsers allow only
// on crossOriginIsolated pages. Elsewhere one thread runs everything.
import scalarBytes from '../../dist/wasm/convkit-scalar.wasm';
import simdBytes from '../../dist/wasm/convkit-simd.wasm';
import simdThreadsBytes from '../../dist/wasm/convkit-simd-threads.wasm';
import type { Backend } from './backend';
import { WasmBackend, type WasmVariant } from './wasm';
import { simdSupported, threadsSupported } from './wasm-features';

export async function loadWasmBrowser(): Promise<Backend> {
  const simd = simdSupported(), threads = threadsSupported() && typeof Worker !== 'undefined';
  const wanted: [WasmVariant['name'], Uint8Array, boolean][] = [];
  if (simd && threads) wanted.push(['simd-threads', simdThreadsBytes, true]);
  if (simd) wanted.push(['simd', simdBytes, false]);
  wanted.push(['scalar', scalarBytes, false]);
  const variants: WasmVariant[] = await Promise.all(wanted.map(async ([name, bytes, shared]) => ({
    name, shared, module: await WebAssembly.compile(bytes as BufferSource),
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
