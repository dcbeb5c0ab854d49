// convkit for Node: Conv2D, MaxPool2D and Dense on float32 NHWC tensors. The native addon is
// preferred; the wasm backend takes over when the addon is missing or fails to load.
//
// The wasm backend, training (lib/train) and the model format (lib/model) are required on first
// use, not here: a process that runs forwards on native loads none of them, which halves the
// time from `require('convkit')` to the first result.
import { configure } from './backends/select';
import { loadNative } from './backends/native';
import { installModelServices } from './layers/model-services';
import { installModelLoading } from './load-model';
import { withOnnx } from './onnx/source';

const passedOver = configure([
  { name: 'native', load: loadNative, fix: 'run `npm rebuild convkit` (needs python3, make and a C++17 compiler)' },
  {
    name: 'wasm',
    load: () => (require('./backends/wasm-node') as typeof import('./backends/wasm-node')).loadWasmNode(),
    fix: 'run `npm run build` in the convkit package to produce dist/wasm',
  },
]);
// One line when the addon is not used without being asked for (backendInfo().notes keeps it).
if (passedOver.length && !process.env.CONVKIT_BACKEND) {
  process.emitWarning(`convkit is using its WebAssembly backend: ${passedOver.join('; ')}`, { code: 'CONVKIT_NATIVE_UNAVAILABLE' });
}

/** A module of the model format, once loadModel and Sequential.save read and write files and fetch URLs. */
function withNodeIO<T>(module: T): T {
  const { configureModelIO } = require('./model/io') as typeof import('./model/io');
  configureModelIO((require('./model/io-node') as typeof import('./model/io-node')).nodeIO);
  return module;
}

installModelServices({
  training: () => require('./train/fit') as typeof import('./train/fit'),
  saving: () => withNodeIO(require('./model/save') as typeof import('./model/save')),
});
// ONNX files (and protobufjs, which decodes them) load on the first ONNX model read.
installModelLoading(() => withOnnx(withNodeIO(require('./model/load') as typeof import('./model/load')), () => (require('./onnx/node') as typeof import('./onnx/node')).loadOnnxModel));

export * from './api';
