// The wasm backend in browsers: the modules are embedded in the bundle (esbuild's binary loader),
// compiled asynchronously; threads use Web Workers on a shared memory, which browsers allow only
// on crossOriginIsolated pages. Elsewhere one thread runs everything.
//
// The SIMD builds are embedded gzipped (2.7 KB instead of 9.5 KB each; the bundle has a 100 KB
// budget) and inflated with DecompressionStream, which every engine with WASM SIMD has but
// Firefox 89-112; the scalar build, for engines without SIMD, is embedded as it is. An engine
// without DecompressionStream runs the scalar build.
import relaxedSimdThreadsGz from '../../dist/wasm/convkit-relaxed-simd-threads.wasm.gz';
import scalarBytes from '../../dist/wasm/convkit-scalar.wasm';
import simdGz from '../../dist/wasm/convkit-simd.wasm.gz';
import simdThreadsGz from '../../dist/wasm/convkit-simd-threads.wasm.gz';
import { WASM_BUILDS } from '../generated/kernels';
import type { Backend } from './backend';
import { WasmBackend, type WasmVariant, type WasmVariantName } from './wasm';
import { runnableBuilds, threadsSupported } from './wasm-features';

export async function loadWasmBrowser(): Promise<Backend> {
  const threads = threadsSupported() && typeof Worker !== 'undefined';
  // The bundler embeds each build by a static import; the list and its order come from kernels.json.
  const gzipped: Partial<Record<WasmVariantName, Uint8Array>> = { 'relaxed-simd-threads': relaxedSimdThreadsGz, 'simd-threads': simdThreadsGz, simd: simdGz };
  const inflate = typeof DecompressionStream !== 'undefined';
  const usable = runnableBuilds(WASM_BUILDS, threads).filter((b) => inflate || !gzipped[b.name]);
  const variants: WasmVariant[] = await Promise.all(usable.map(async ({ name, shared }) => {
    const gz = gzipped[name];
    const bytes = gz ? await new Response(new Blob([gz as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer() : scalarBytes;
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
