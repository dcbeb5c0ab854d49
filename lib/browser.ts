// convkit for browsers: the wasm backend only, no Node built-ins. `await ck.ready()` before the
// first forward: the modules compile asynchronously.
import { configure } from './backends/select';
import { loadWasmBrowser } from './backends/wasm-browser';

configure([{ name: 'wasm', load: loadWasmBrowser, fix: 'use a browser with WebAssembly' }]);

export * from './api';
