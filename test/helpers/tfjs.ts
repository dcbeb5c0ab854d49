// TensorFlow.js (tfjs-core, tfjs-layers, the CPU backend) as the peer that the model-format and
// gradient tests check convkit against: what it saves, what it loads and what it computes.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'chai';
import type * as ck from '../../lib/index';

// The CPU backend's "install tfjs-node" banner is a warning that test mode silences.
tf.env().set('IS_TEST', true);

export { tf, tfl };

export async function tfjsReady(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** What tfjs hands to a save handler for this model. */
export async function tfjsArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

/** tfjs loading convkit's artifacts (or a model.json's parts), through tf.io.fromMemory. */
export function tfjsLoad(artifacts: ck.ModelArtifacts | tf.io.ModelArtifacts): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
}

/** tfjs's prediction for NHWC (or [N, features]) data. */
export function tfjsPredict(model: tfl.LayersModel, x: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
}

/** Each element within tol * (1 + |expected|) of the peer's. */
export function expectMatches(actual: Float32Array, expected: ArrayLike<number>, label: string, tol = 1e-5): void {
  expect(actual.length, `${label} length`).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) {
      expect.fail(`${label} [${i}]: convkit ${actual[i]}, tfjs ${expected[i]} (|diff| ${Math.abs(actual[i] - expected[i])})`);
    }
  }
}
