// convkit for Node: Conv2D, MaxPool2D and Dense on float32 NHWC tensors. The native addon is
// preferred; the wasm backend takes over when the addon is missing or fails to load.
import { configure } from './backends/select';
import { loadNative } from './backends/native';
import { loadWasmNode } from './backends/wasm-node';
import { configureModelIO } from './model/io';
import { nodeIO } from './model/io-node';

const passedOver = configure([
  { name: 'native', load: loadNative, fix: 'run `npm rebuild convkit` (needs python3, make and a C++17 compiler)' },
  { name: 'wasm', load: loadWasmNode, fix: 'run `npm run build` in the convkit package to produce dist/wasm' },
]);
// One line when the addon is not used without being asked for (backendInfo().notes keeps it).
if (passedOver.length && !process.env.CONVKIT_BACKEND) {
  process.emitWarning(`convkit is using its WebAssembly backend: ${passedOver.join('; ')}`, { code: 'CONVKIT_NATIVE_UNAVAILABLE' });
}

// loadModel and Sequential.save read and write files, and fetch URLs.
configureModelIO(nodeIO);

export * from './api';
