// convkit/onnx for browsers: the browser entry with the ONNX reader (protobufjs) bundled in, so
// that the main bundle does not carry it. `import * as ck from 'convkit/onnx'`, then
// `await ck.ready()` and `await ck.loadModel(urlOrBytes)`.
import { installModelLoading } from './load-model';
import { loadModel } from './model/load';
import { loadOnnxModel } from './onnx/fetch';
import { withOnnx } from './onnx/source';

export * from './browser';

// Evaluated after browser.ts (an import): this loader replaces the one it installed.
const loading = withOnnx({ loadModel }, () => loadOnnxModel);
installModelLoading(() => loading);
