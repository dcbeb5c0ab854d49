// ES module entry for Node: the CommonJS build re-exported, so `import` and `require` share one
// instance (one backend choice, one thread pool setting).
import ck from '../dist/index.js';

export default ck;
export const {
  Tensor, Layer, Conv2D, MaxPool2D, Dense, Flatten, Sequential, gemm, gemmAsync, residentTensor, releaseTensor, Activation, version,
  getBackend, setBackend, ready, backends, backendInfo, setNumThreads, getNumThreads, loadModel,
  Add, Average, ElementwiseMerge, Maximum, Minimum, Multiply, Subtract, Concatenate, MultiInputLayer,
} = ck;
