// The wasm backend in browsers: the modules are embedded in the bundle (esbuild's binary loader),
// compiled asynchronously; threads use Web Workers on a shared memory, which browsers allow only
// on crossOriginIsolated pages. Elsewhere one thread runs everything.
//
// The SIMD builds are embedded gzipped together (6 KB for the three; wasm-pack.ts) and inflated
// with DecompressionStream, which every engine with WASM SIMD has but Firefox 89-112; the scalar
// build, for engines without SIMD, is embedded as it is. An engine without DecompressionStream
// runs the scalar build.
import scalarBytes from '../../dist/wasm/convkit-scalar.wasm';
import simdBuildsGz from '../../dist/wasm/convkit-simd-builds.gz';
import { WASM_BUILDS } from '../generated/kernels';
import type { Backend } from './backend';
import { WasmBackend, type WasmVariant } from './wasm';
import { runnableBuilds, threadsSupported } from './wasm-features';
import { gunzip, unpackBuilds } from './wasm-pack';

export async function loadWasmBrowser(): Promise<Backend> {
  const threads = threadsSupported() && typeof Worker !== 'undefined';
  // The list of builds and its order come from kernels.json.
  const inflate = typeof DecompressionStream !== 'undefined';
  const usable = runnableBuilds(WASM_BUILDS, threads).filter((b) => inflate || !b.simd);
  const simdBuilds = usable.some((b) => b.simd) ? unpackBuilds(await gunzip(simdBuildsGz)) : null;
  const variants: WasmVariant[] = await Promise.all(usable.map(async ({ name, shared, simd }) => {
    const bytes = simd ? simdBuilds!.get(name) : scalarBytes;
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
