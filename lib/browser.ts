// convkit for browsers: the wasm backend only, no Node built-ins. `await ck.ready()` before the
// first forward: the modules compile asynchronously.
import { configure } from './backends/select';
import { loadWasmBrowser } from './backends/wasm-browser';
import { installModelServices } from './layers/model-services';
import { installModelLoading } from './load-model';
import { configureModelIO } from './model/io';
import { fetchIO } from './model/io-fetch';
import { loadModel } from './model/load';
import { modelArtifacts, saveModel } from './model/save';
import { compile, evaluate, fit } from './train/fit';

configure([{ name: 'wasm', load: loadWasmBrowser, fix: 'use a browser with WebAssembly' }]);
configureModelIO(fetchIO); // loadModel fetches URLs; Sequential.save rejects (toArtifacts instead)
// The bundle holds training and the model format already: nothing to load on first use.
const training = { compile, fit, evaluate }, saving = { modelArtifacts, saveModel }, loading = { loadModel };
installModelServices({ training: () => training, saving: () => saving });
installModelLoading(() => loading);

export * from './api';
