// Functional models built and saved by TensorFlow.js (tfjs-layers 4, CPU backend) load in convkit
// and predict what tfjs predicts, on each backend; convkit's save of them loads back into tfjs
// and predicts the same. The bound grows with the network's depth: each layer's float32 sums may
// round differently in the two libraries (another summation order, BatchNormalization folded into
// the convolution's weights), by about 1e-6 relative per layer, so a network of depth d is held
// to 2e-6 * d * (1 + |y|).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';
import { expectMatches, tf, tfjsArtifacts, tfjsLoad, tfjsReady, tfl } from './helpers/tfjs';
import { FUNCTIONAL_CASES, seedWeights, type FunctionalCase } from './helpers/functional-cases';

/** The case's model in tfjs, its weights seeded. */
function tfjsModel(c: FunctionalCase, seed: number): tfl.LayersModel {
  return seedWeights(c.build(), seed);
}

function inputsOf(c: FunctionalCase, batch: number, seed: number): Float32Array[] {
  return c.inputShapes.map((s, i) => randomArray(batch * s.reduce((a, b) => a * b, 1), seed + 100 + i));
}

function tfjsPredictAll(model: tfl.LayersModel, c: FunctionalCase, xs: Float32Array[], batch: number): Float32Array[] {
  return tf.tidy(() => {
    const ts = xs.map((x, i) => tf.tensor(x, [batch, ...c.inputShapes[i]]));
    const out = model.predict(ts.length === 1 ? ts[0] : ts);
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

function convkitPredict(m: ck.Sequential | ck.Model, c: FunctionalCase, xs: Float32Array[], batch: number): Float32Array[] {
  const ts = xs.map((x, i) => new ck.Tensor(x, [batch, ...c.inputShapes[i]]));
  const out = m instanceof ck.Sequential ? m.forward(ts[0]) : m.forward(ts.length === 1 ? ts[0] : ts);
  return (Array.isArray(out) ? out : [out]).map((t) => t.data);
}

before(tfjsReady);

forEachBackend('functional models saved by tfjs-layers', () => {
  for (const c of FUNCTIONAL_CASES) {
    it(`${c.title}: loads, predicts what tfjs predicts, and its save loads back into tfjs`, async function () {
      this.timeout(120000);
      const seed = c.title.length * 7, batch = 2;
      const model = tfjsModel(c, seed);
      const artifacts = await tfjsArtifacts(model);
      const loaded = await ck.loadModel(artifacts);
      if (c.className) expect(loaded.constructor.name).to.equal(c.className);
      const xs = inputsOf(c, batch, seed);
      const expected = tfjsPredictAll(model, c, xs, batch);
      const got = convkitPredict(loaded, c, xs, batch);
      expect(got.length, 'outputs').to.equal(expected.length);
      const tol = 2e-6 * c.depth;
      got.forEach((g, i) => expectMatches(g, expected[i], `${c.title} output ${i}`, tol));

      // forwardAsync: the same bits.
      if (loaded instanceof ck.Model) {
        const ts = xs.map((x, i) => new ck.Tensor(x, [batch, ...c.inputShapes[i]]));
        const asyncOut = await loaded.forwardAsync(ts.length === 1 ? ts[0] : ts);
        (Array.isArray(asyncOut) ? asyncOut : [asyncOut]).forEach((t, i) => expect(Array.from(t.data)).to.deep.equal(Array.from(got[i])));
      }

      // convkit's save, loaded by tfjs, predicts what convkit predicts.
      const back = await tfjsLoad(loaded.toArtifacts());
      tfjsPredictAll(back, c, xs, batch).forEach((e, i) => expectMatches(got[i], e, `${c.title} saved by convkit, output ${i}`, tol));
    });
  }
});

/** float32 to float16 bits, the mantissa cut (not rounded): any float16 is a value both decoders must read alike. */
function toFloat16(v: number): number {
  const f = new Float32Array([v]), u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000, exp = ((u >>> 23) & 0xff) - 127 + 15, mant = (u >>> 13) & 0x3ff;
  if (exp <= 0) return sign; // flushed to zero: the test's weights are far from subnormal
  return exp >= 31 ? sign | 0x7c00 : sign | (exp << 10) | mant;
}

/** The artifacts' float32 weights stored as tensorflowjs_converter's --quantize_* writes them. */
function quantized(a: tf.io.ModelArtifacts, dtype: 'uint8' | 'uint16' | 'float16'): tf.io.ModelArtifacts {
  const all = new Float32Array(a.weightData as ArrayBuffer);
  const parts: Uint8Array[] = [];
  let at = 0;
  const specs = a.weightSpecs!.map((s) => {
    const n = s.shape.reduce((p, d) => p * d, 1), v = all.subarray(at, (at += n));
    if (dtype === 'float16') {
      parts.push(new Uint8Array(Uint16Array.from(v, toFloat16).buffer));
      return { ...s, quantization: { dtype } };
    }
    const levels = dtype === 'uint8' ? 255 : 65535, min = Math.min(...v), scale = (Math.max(...v) - min) / levels || 1;
    const q = Uint32Array.from(v, (x) => Math.round((x - min) / scale));
    parts.push(new Uint8Array((dtype === 'uint8' ? Uint8Array.from(q) : Uint16Array.from(q)).buffer));
    return { ...s, quantization: { dtype, min, scale } };
  });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (bytes.set(p, o), o + p.length), 0);
  return { ...a, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: bytes.buffer };
}

forEachBackend('functional models with quantized weights', () => {
  const c = FUNCTIONAL_CASES.find((k) => k.title.startsWith('MobileNetV2'))!;
  for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
    it(`${c.title}, ${dtype}: predicts what tfjs predicts from the same quantized weights`, async () => {
      const model = tfjsModel(c, 3), batch = 2;
      const artifacts = quantized(await tfjsArtifacts(model), dtype);
      const [loaded, peer] = [await ck.loadModel(artifacts), await tfjsLoad(artifacts)];
      const xs = inputsOf(c, batch, 3);
      const expected = tfjsPredictAll(peer, c, xs, batch);
      convkitPredict(loaded, c, xs, batch).forEach((g, i) => expectMatches(g, expected[i], `${dtype} output ${i}`, 2e-6 * c.depth));
    });
  }
});
