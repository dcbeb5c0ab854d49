// The bench's real networks: MobileNetV2 as keras.applications defines it (alpha 1.0, with the
// ZeroPadding2D stem of its Keras 2.2 form) and a small 3-level U-Net, with seeded weights.
import { NetBuilder, type Network } from './graph';

/** keras.applications' (expansion t, channels c, repeats n, first stride s) of the 17 inverted-residual blocks. */
const MOBILENET_V2_BLOCKS: [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/** imagenet_utils.correct_pad for a 3x3 window: [top, bottom, left, right]. */
const correctPad = (h: number, w: number): [number, number, number, number] => [h % 2, 1, w % 2, 1];

export function mobileNetV2(size = 224): Network {
  const b = new NetBuilder('mobilenetv2', [size, size, 3], 2024);
  const [h0, w0] = b.shape(0);
  let x = b.zeropad(0, correctPad(h0, w0), 'Conv1_pad');
  x = b.relu6(b.batchnorm(b.conv(x, { filters: 32, k: 3, stride: 2, padding: 'valid', useBias: false }, 'Conv1'), 'bn_Conv1'), 'Conv1_relu');
  let id = 0;
  for (const [t, c, n, s] of MOBILENET_V2_BLOCKS) {
    for (let i = 0; i < n; i++, id++) {
      const stride = i === 0 ? s : 1, p = id ? `block_${id}_` : 'expanded_conv_', inC = b.shape(x)[2];
      let y = x;
      if (id) y = b.relu6(b.batchnorm(b.conv(y, { filters: t * inC, k: 1, useBias: false }, `${p}expand`), `${p}expand_BN`), `${p}expand_relu`);
      if (stride === 2) y = b.zeropad(y, correctPad(b.shape(y)[0], b.shape(y)[1]), `${p}pad`);
      y = b.depthwise(y, { k: 3, stride, padding: stride === 2 ? 'valid' : 'same' }, `${p}depthwise`);
      y = b.relu6(b.batchnorm(y, `${p}depthwise_BN`), `${p}depthwise_relu`);
      y = b.batchnorm(b.conv(y, { filters: c, k: 1, useBias: false }, `${p}project`), `${p}project_BN`);
      x = inC === c && stride === 1 ? b.addition(x, y, `${p}add`) : y;
    }
  }
  x = b.relu6(b.batchnorm(b.conv(x, { filters: 1280, k: 1, useBias: false }, 'Conv_1'), 'Conv_1_bn'), 'out_relu');
  b.dense(b.gap(x, 'global_average_pooling2d'), 1000, 'predictions');
  // Conv1, 2 convolutions in the first block and 3 in each of the 16 others, Conv_1, predictions.
  return b.done(1 + 2 + 16 * 3 + 2);
}

/**
 * A small U-Net: two 3x3 ReLU convolutions per level (16, 32, 64 filters), max-pooling down; up
 * by a 2x2 stride-2 Conv2DTranspose, then by UpSampling2D (nearest), each joined to its level's
 * skip by Concatenate; a 1x1 sigmoid convolution to one channel.
 */
export function smallUNet(size = 256): Network {
  const b = new NetBuilder('unet', [size, size, 3], 4048);
  const twice = (x: number, filters: number, p: string) =>
    b.conv(b.conv(x, { filters, k: 3, activation: 'relu' }, `${p}_conv1`), { filters, k: 3, activation: 'relu' }, `${p}_conv2`);
  const e1 = twice(0, 16, 'enc1');
  const e2 = twice(b.maxpool(e1, 2, 'pool1'), 32, 'enc2');
  const bottom = twice(b.maxpool(e2, 2, 'pool2'), 64, 'bottom');
  const up2 = b.convTranspose(bottom, { filters: 32, k: 2, stride: 2, activation: 'relu' }, 'up2');
  const d2 = twice(b.concat(up2, e2, 'skip2'), 32, 'dec2');
  const d1 = twice(b.concat(b.upsample(d2, 2, 'up1'), e1, 'skip1'), 16, 'dec1');
  b.conv(d1, { filters: 1, k: 1, activation: 'sigmoid' }, 'mask');
  return b.done(2 + 2 + 2 + 1 + 2 + 2 + 1);
}
