// convkit/onnx for browsers: the browser entry with the ONNX reader (protobufjs) bundled in, so
// that the main bundle does not carry it. `import * as ck from 'convkit/onnx'`, then
// `await ck.loadModel(url_or_bytes)`.
import { installOnnxLoading } from './load-model';
import { loadOnnxModel } from './onnx/fetch';

installOnnxLoading(() => loadOnnxModel);

export * from './browser';
