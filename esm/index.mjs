// ES module entry for Node: the CommonJS build re-exported, so `import` and `require` share one
// instance (one backend choice, one thread pool setting).
import ck from '../dist/index.js';

export default ck;
export const {
  Tensor, Layer, Conv2D, MaxPool2D, Dense, Flatten, Sequential, DepthwiseConv2D, gemm, gemmAsync, residentTensor, releaseTensor, Activation, version,
  getBackend, setBackend, ready, backends, backendInfo, setNumThreads, getNumThreads, loadModel,
  BatchNormalization,
  AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Cropping2D,
  ActivationLayer, ElementwiseActivation, ELU, LeakyReLU, ReLU, Softmax,
  Conv2DTranspose, UpSampling2D, Reshape, Permute,
  Add, Average, ElementwiseMerge, Maximum, Minimum, Multiply, Subtract, Concatenate, MultiInputLayer,
  PReLU, SeparableConv2D,
  Model, model, input, SymbolicTensor, Batcher,
} = ck;
