// Quantized weights (tensorflowjs_converter --quantize_uint8 / _uint16 / _float16) decode to the
// float32 values tfjs-core's decodeWeights gives, and a quantized model predicts what tfjs
// predicts from the same files; saving writes float32.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { dequantize, float16ToFloat32 } from '../lib/model/dequantize';
import { forEachBackend } from './helpers/backends';
import { conv2dOptions, denseOptions, kerasTopology, layer, poolOptions, type Spec } from './helpers/keras';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsLoad, tfjsPredict, tfjsReady } from './helpers/tfjs';

/** Seeded bytes (a xorshift stream), so that every bit pattern of a stored value can occur. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

function expectBits(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!same(actual[i], expected[i])) expect.fail(`${label} [${i}]: convkit ${actual[i]}, tfjs ${expected[i]}`);
  }
}

/** tfjs-core's decoding of one tensor of these bytes. */
function tfjsDecoded(bytes: Uint8Array, spec: Spec): Float32Array {
  const map = tf.io.decodeWeights(bytes.slice().buffer, [spec as tf.io.WeightsManifestEntry]);
  const out = map[spec.name].dataSync() as Float32Array;
  map[spec.name].dispose();
  return out;
}

describe('model format: quantized weights', function () {
  before(tfjsReady);

  it('every float16 bit pattern widens to the float32 tfjs gives (subnormals, infinities and NaN included)', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const bytes = new Uint8Array(bits.buffer);
    const spec: Spec = { name: 'w', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } };
    expectBits(dequantize(bytes, 65536, spec.quantization!), tfjsDecoded(bytes, spec), 'float16');
    // Spot values known from the format, independent of both decoders.
    expect(float16ToFloat32(0x3c00)).to.equal(1);
    expect(float16ToFloat32(0xc000)).to.equal(-2);
    expect(float16ToFloat32(0x7bff)).to.equal(65504);
    expect(float16ToFloat32(0x0001)).to.equal(2 ** -24);
    expect(Object.is(float16ToFloat32(0x8000), -0)).to.equal(true);
  });

  for (const dtype of ['uint8', 'uint16'] as const) {
    it(`${dtype}: q * scale + min rounded once to float32, as tfjs decodes it`, () => {
      const n = 4099, width = dtype === 'uint8' ? 1 : 2;
      for (const [scale, min] of [[0.0123, -1.7], [1 / 3, 0], [2.5e-6, 1e4]]) {
        const bytes = randomBytes(n * width, 7 + n * scale);
        const spec: Spec = { name: 'w', shape: [n], dtype: 'float32', quantization: { dtype, scale, min } };
        expectBits(dequantize(bytes, n, spec.quantization!), tfjsDecoded(bytes, spec), `${dtype} scale ${scale}`);
      }
    });
  }

  forEachBackend('a quantized model', () => {
    it('loads, predicts as tfjs does from the same files, and saves float32 weights', async () => {
      const layers = [
        layer('InputLayer', 'input_1', { batch_input_shape: [null, 8, 8, 3], sparse: false, ragged: false }),
        layer('Conv2D', 'conv2d', conv2dOptions(4, 3, { activation: 'relu' })),
        layer('MaxPooling2D', 'max_pooling2d', poolOptions(2)),
        layer('Flatten', 'flatten', { data_format: 'channels_last' }),
        layer('Dense', 'dense', denseOptions(5)),
      ];
      const specs: Spec[] = [
        { name: 'conv2d/kernel', shape: [3, 3, 3, 4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.008, min: -1 } },
        { name: 'conv2d/bias', shape: [4], dtype: 'float32', quantization: { dtype: 'uint16', scale: 3e-5, min: -0.9 } },
        { name: 'dense/kernel', shape: [36, 5], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'dense/bias', shape: [5], dtype: 'float32' },
      ];
      // float16 values in [-1, 1): the bytes of random halves (exponent below 15).
      const half = new Uint16Array(36 * 5).map((_, i) => (randomBytes(2, 100 + i)[0] << 8 | randomBytes(2, 300 + i)[1]) & 0xbbff);
      const parts = [randomBytes(108, 3), randomBytes(8, 4), new Uint8Array(half.buffer), new Uint8Array(randomArray(5, 5).buffer)];
      const data = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
      parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
      const artifacts = { modelTopology: kerasTopology(layers), weightSpecs: specs, weightData: data.buffer, format: 'layers-model' };

      const model = await loadSequential(artifacts);
      const peer = await tfjsLoad(artifacts as unknown as ck.ModelArtifacts);
      const x = randomArray(2 * 8 * 8 * 3, 9), shape = [2, 8, 8, 3];
      expectMatches(model.forward(new ck.Tensor(x, shape)).data, tfjsPredict(peer, x, shape), 'forward');

      const saved = model.toArtifacts({ inputShape: [8, 8, 3] });
      for (const s of saved.weightSpecs) expect(s, s.name).to.not.have.property('quantization');
      expect(saved.weightSpecs.map((s) => s.dtype)).to.deep.equal(['float32', 'float32', 'float32', 'float32']);
      const decoded = tf.io.decodeWeights(data.slice().buffer, specs as tf.io.WeightsManifestEntry[]);
      const savedValues = new Float32Array(saved.weightData as ArrayBuffer);
      let at = 0;
      for (const s of specs) {
        const want = decoded[s.name].dataSync() as Float32Array;
        expectBits(savedValues.subarray(at, at + want.length), want, `saved ${s.name}`);
        at += want.length;
      }
      peer.dispose();
    });
  });
});
