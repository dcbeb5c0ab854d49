// DepthwiseConv2D as a Keras layer: tfjs-layers' depthwiseConv2d saved by tfjs and loaded by
// convkit (same predictions as tfjs on its cpu backend), and convkit's saved and read back by tfjs
// and by convkit itself.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { forEachBackend } from './helpers/backends';
import { pick, randomArray, randomInt, rng } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, tfl } from './helpers/tfjs';

before(tfjsReady);

/** Sums of at most 25 products of values below 2 in magnitude: a few float32 roundings of each. */
const TOL = 25 * 4 * 2 ** -23;

forEachBackend('DepthwiseConv2D read from tfjs-layers', () => {
  const r = rng(4242);
  for (let i = 0; i < 12; i++) {
    const k = randomInt(r, 1, 5), dilation = pick(r, [1, 1, 2]), strides = dilation > 1 ? 1 : randomInt(r, 1, 3);
    const h = randomInt(r, (k - 1) * dilation + 1, 12), w = randomInt(r, (k - 1) * dilation + 1, 12), c = randomInt(r, 1, 20);
    const m = randomInt(r, 1, 3), padding = pick(r, ['valid', 'same'] as const), activation = pick(r, ['linear', 'relu', 'sigmoid'] as const);
    const useBias = r() < 0.7, n = randomInt(r, 1, 2);
    const label = `${n}x${h}x${w}x${c} k${k} s${strides} d${dilation} m${m} ${padding} ${activation}${useBias ? '' : ' no bias'}`;
    it(label, async () => {
      const model = tfl.sequential({
        layers: [tfl.layers.depthwiseConv2d({
          inputShape: [h, w, c], kernelSize: k, strides, dilationRate: dilation, depthMultiplier: m, padding, activation, useBias,
          biasInitializer: 'randomUniform',
        })],
      });
      const x = randomArray(n * h * w * c, 50 + i);
      const loaded = await loadSequential(await tfjsArtifacts(model));
      // tfjs-layers' DepthwiseConv2D ignores dilationRate when it predicts (a TODO in its call());
      // Keras applies it, as tf.depthwiseConv2d does: that op, on the model's weights, is the peer.
      const [kernel, bias] = model.getWeights();
      const expected = tf.tidy(() => {
        let y = tf.depthwiseConv2d(tf.tensor4d(x, [n, h, w, c]), kernel as tf.Tensor4D, strides, padding, 'NHWC', dilation);
        if (bias) y = tf.add(y, bias);
        return (activation === 'relu' ? tf.relu(y) : activation === 'sigmoid' ? tf.sigmoid(y) : y).dataSync() as Float32Array;
      });
      if (dilation === 1) expectMatches(tfjsPredict(model, x, [n, h, w, c]), expected, `${label}: tfjs-layers vs tf.depthwiseConv2d`, TOL);
      expectMatches(loaded.forward(new ck.Tensor(x, [n, h, w, c])).data, expected, label, TOL);
      model.dispose();
    });
  }

  it('saves a DepthwiseConv2D (explicit pads as a ZeroPadding2D before it) that tfjs and convkit read back alike', async () => {
    const m = new ck.Sequential([
      new ck.DepthwiseConv2D({ kernelSize: 3, strides: 2, padding: [1, 0, 1, 0], depthMultiplier: 2, activation: 'relu', seed: 3 }),
      new ck.DepthwiseConv2D({ kernelSize: [2, 3], padding: 'same', useBias: false, seed: 4 }),
    ]);
    const a = m.toArtifacts({ inputShape: [9, 8, 5] });
    const layers = (a.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    expect(layers.map((l) => l.class_name)).to.deep.equal(['ZeroPadding2D', 'DepthwiseConv2D', 'DepthwiseConv2D']);
    expect(layers[1].config).to.include({ depth_multiplier: 2, padding: 'valid', activation: 'relu', use_bias: true });
    expect(a.weightSpecs!.map((s) => [s.name, s.shape])).to.deep.equal([
      ['depthwise_conv2d_1/depthwise_kernel', [3, 3, 5, 2]], ['depthwise_conv2d_1/bias', [10]], ['depthwise_conv2d_2/depthwise_kernel', [2, 3, 10, 1]],
    ]);
    const x = randomArray(2 * 9 * 8 * 5, 9), ours = m.forward(new ck.Tensor(x, [2, 9, 8, 5])).data;
    const peer = await tfjsLoad(a);
    expectMatches(ours, tfjsPredict(peer, x, [2, 9, 8, 5]), 'tfjs reading convkit', TOL);
    peer.dispose();
    const back = await loadSequential(a);
    expect(Array.from(back.forward(new ck.Tensor(x, [2, 9, 8, 5])).data)).to.deep.equal(Array.from(ours));
    expect(tf.memory().numTensors).to.be.a('number');
  });
});
