// The model format in the browser bundle, in headless Chromium: loadModel fetches model.json and
// its weights relative to it (a URL relative to the page, or a directory URL), toArtifacts works
// without a file system and loadModel reads its result back, save rejects saying what to use.
// The predictions are checked against tfjs's for the same files, in Node.
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { evaluateInPage, withChromium } from './helpers/browser';
import { randomArray } from './helpers/random';
import { expectMatches, tfjsLoad, tfjsPredict, tfjsReady } from './helpers/tfjs';

interface PageResult {
  y: number[];
  fromDirectory: number[];
  fromArtifacts: number[];
  specs: string[];
  bytes: number;
  saveError: string;
  missing: string;
}

/** Runs in the page (plain JavaScript: see browser.test.ts). */
const IN_PAGE = `async (args) => {
  const ck = await import('/convkit.mjs');
  await ck.ready();
  const x = new ck.Tensor(new Float32Array(args.x), args.shape);
  const model = await ck.loadModel('models/one/model.json');
  const a = model.toArtifacts();
  const again = await ck.loadModel(a);
  const saveError = await model.save('anywhere').then(() => 'resolved', (e) => e.message);
  const missing = await ck.loadModel('/models/two/model.json').then(() => 'resolved', (e) => e.message);
  return {
    y: Array.from(model.forward(x).data), fromDirectory: Array.from((await ck.loadModel(new URL('/models/one/', location.href))).forward(x).data),
    fromArtifacts: Array.from(again.forward(x).data), specs: a.weightSpecs.map((s) => s.name), bytes: a.weightData.byteLength, saveError, missing,
  };
}`;

describe('model format in the browser bundle (headless Chromium)', function () {
  if (!withChromium()) return;
  this.timeout(120000);
  let dir: string;
  before(async () => {
    await tfjsReady();
    dir = await mkdtemp(join(tmpdir(), 'convkit-browser-model-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('loadModel by URL, toArtifacts, loadModel of artifacts, and save refused', async () => {
    const model = new ck.Sequential([
      new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernel: randomArray(3 * 3 * 2 * 4, 1), bias: randomArray(4, 2) }),
      new ck.MaxPool2D({ poolSize: 2 }),
      new ck.Dense({ units: 3, kernel: randomArray(3 * 3 * 4 * 3, 3), bias: randomArray(3, 4) }),
    ]);
    await model.save(dir, { inputShape: [6, 6, 2] });
    const files = {
      '/models/one/model.json': await readFile(join(dir, 'model.json')),
      '/models/one/group1-shard1of1.bin': await readFile(join(dir, 'group1-shard1of1.bin')),
    };
    const shape = [2, 6, 6, 2], x = randomArray(2 * 6 * 6 * 2, 5);
    const json = JSON.parse(files['/models/one/model.json'].toString());
    const bin = files['/models/one/group1-shard1of1.bin'];
    const peer = await tfjsLoad({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) });
    const expected = tfjsPredict(peer, x, shape);
    peer.dispose();

    const { result: r, errors, url } = await evaluateInPage<PageResult>(files, IN_PAGE, { x: Array.from(x), shape });
    expect(errors).to.deep.equal([]);
    expectMatches(Float32Array.from(r.y), expected, 'loadModel(url)');
    expect(r.fromDirectory).to.deep.equal(r.y);
    expect(r.fromArtifacts).to.deep.equal(r.y);
    expect(r.specs).to.deep.equal(['conv2d_1/kernel', 'conv2d_1/bias', 'dense_1/kernel', 'dense_1/bias']);
    expect(r.bytes).to.equal(files['/models/one/group1-shard1of1.bin'].length);
    expect(r.saveError).to.match(/^Sequential.save writes files and needs Node; in a browser, model.toArtifacts\(\) gives/);
    expect(r.missing).to.equal(`Could not fetch ${url}/models/two/model.json: 404 Not Found`);
  });
});
