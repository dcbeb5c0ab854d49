// convkit for browsers: the wasm backend only, no Node built-ins. `await ck.ready()` before the
// first forward: the modules compile asynchronously.
import { configure } from './backends/select';
import { loadWasmBrowser } from './backends/wasm-browser';
import { configureModelIO } from './model/io';
import { fetchIO } from './model/io-fetch';

configure([{ name: 'wasm', load: loadWasmBrowser, fix: 'use a browser with WebAssembly' }]);
configureModelIO(fetchIO); // loadModel fetches URLs; Sequential.save rejects (toArtifacts instead)

export * from './api';
