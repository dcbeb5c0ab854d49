// Sequential.save / toArtifacts and loadModel in Node: the bytes and files written (read back
// here with DataView and JSON, not with the loader), every way of naming a model (directory,
// model.json, file: URL, URL object, http URL), weights over several groups and shards, input
// shapes (given, remembered, inferred, unknown height and width), and the file-system errors.
// A model read back predicts exactly what the saved one did.
import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { forEachBackend } from './helpers/backends';
import { randomArray } from './helpers/random';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Conv2D(4, 3x3, same, relu) -> MaxPool2D(2) -> Dense(3) on [6, 6, 2] (the Dense flattens). */
function model(seed: number): ck.Sequential {
  return new ck.Sequential([
    new ck.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernel: randomArray(3 * 3 * 2 * 4, seed), bias: randomArray(4, seed + 1) }),
    new ck.MaxPool2D({ poolSize: 2 }),
    new ck.Dense({ units: 3, kernel: randomArray(3 * 3 * 4 * 3, seed + 2), bias: randomArray(3, seed + 3) }),
  ]);
}
const INPUT = [6, 6, 2];

function expectSamePredictions(a: ck.Sequential, b: ck.Sequential, shape: number[], seed: number): void {
  const x = new ck.Tensor(randomArray(shape.reduce((p, d) => p * d, 1), seed), shape);
  expect(bits(b.forward(x).data)).to.deep.equal(bits(a.forward(x).data));
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(() => expect.fail('should reject'), (e: Error) => e);
}

describe('model format: files and artifacts', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'convkit-model-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('toArtifacts: the tfjs fields, Keras names, and the weights float32 little-endian in spec order', () => {
    const m = model(1);
    const a = m.toArtifacts({ inputShape: INPUT });
    expect(a.format).to.equal('layers-model');
    expect(a.generatedBy).to.equal(`convkit ${ck.version}`);
    expect(a.convertedBy).to.equal(null);
    expect(a.weightSpecs).to.deep.equal([
      { name: 'conv2d_1/kernel', shape: [3, 3, 2, 4], dtype: 'float32' }, { name: 'conv2d_1/bias', shape: [4], dtype: 'float32' },
      { name: 'dense_1/kernel', shape: [36, 3], dtype: 'float32' }, { name: 'dense_1/bias', shape: [3], dtype: 'float32' },
    ]);
    const layers = (a.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    expect(layers.map((l) => l.class_name)).to.deep.equal(['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
    expect(layers[0].config).to.include({ name: 'conv2d_1', padding: 'same', activation: 'relu', use_bias: true, data_format: 'channels_last' });
    expect(layers[0].config.batch_input_shape).to.deep.equal([null, 6, 6, 2]);
    const view = new DataView(a.weightData);
    const expected = [m.layers[0].getWeights().kernel!, m.layers[0].getWeights().bias!, m.layers[2].getWeights().kernel!, m.layers[2].getWeights().bias!];
    const flat = expected.flatMap((w) => Array.from(w));
    expect(a.weightData.byteLength).to.equal(flat.length * 4);
    flat.forEach((v, i) => expect(view.getFloat32(i * 4, true), `float ${i}`).to.equal(v));
  });

  forEachBackend('save and loadModel', () => {
    it('writes model.json and group1-shard1of1.bin into a new directory', async () => {
      const m = model(2), at = join(dir, ck.getBackend(), 'nested', 'a');
      await m.save(at, { inputShape: INPUT });
      expect((await readdir(at)).sort()).to.deep.equal(['group1-shard1of1.bin', 'model.json']);
      const json = JSON.parse(await readFile(join(at, 'model.json'), 'utf8'));
      const a = m.toArtifacts({ inputShape: INPUT });
      expect(json).to.deep.equal({
        format: 'layers-model', generatedBy: a.generatedBy, convertedBy: null, modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
      });
      expect(Array.from(await readFile(join(at, 'group1-shard1of1.bin')))).to.deep.equal(Array.from(new Uint8Array(a.weightData)));
    });

    it('reads it back from the directory, model.json, a file: URL string and a URL object, predicting the same bits', async () => {
      const m = model(3), at = join(dir, ck.getBackend(), 'b');
      await m.save(pathToFileURL(at), { inputShape: INPUT }); // save takes a file: URL too
      for (const source of [at, join(at, 'model.json'), pathToFileURL(at).href, pathToFileURL(join(at, 'model.json'))]) {
        const loaded = await loadSequential(source);
        expectSamePredictions(m, loaded, [2, ...INPUT], 4);
      }
    });

    it('overwrites a model saved before in the same directory', async () => {
      const at = join(dir, ck.getBackend(), 'c');
      await model(5).save(at, { inputShape: INPUT });
      const m = model(6);
      await m.save(at, { inputShape: INPUT });
      expectSamePredictions(m, await loadSequential(at), [1, ...INPUT], 7);
    });

    it('reads weights over several groups and shards, cut inside tensors', async () => {
      const m = model(8), at = join(dir, ck.getBackend(), 'd');
      const a = m.toArtifacts({ inputShape: INPUT });
      const bytes = new Uint8Array(a.weightData);
      const split = 4 * (3 * 3 * 2 * 4 + 4); // group 1: the conv weights, group 2: the dense ones
      const files: [string, Uint8Array][] = [
        ['g1-a', bytes.subarray(0, 10)], ['g1-b', bytes.subarray(10, split)],
        ['g2-a', bytes.subarray(split, split + 101)], ['g2-b', bytes.subarray(split + 101, split + 102)], ['g2-c', bytes.subarray(split + 102)],
      ];
      await mkdir(at, { recursive: true });
      await Promise.all(files.map(([name, b]) => writeFile(join(at, name), b)));
      await writeFile(join(at, 'model.json'), JSON.stringify({
        format: 'layers-model', modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['g1-a', 'g1-b'], weights: a.weightSpecs.slice(0, 2) }, { paths: ['g2-a', 'g2-b', 'g2-c'], weights: a.weightSpecs.slice(2) }],
      }));
      expectSamePredictions(m, await loadSequential(at), [2, ...INPUT], 9);
    });

    it('loads over http, relative to model.json, and says which URL failed', async () => {
      const m = model(10), at = join(dir, ck.getBackend(), 'served');
      await m.save(at, { inputShape: INPUT });
      const server: Server = createServer(async (req, res) => {
        const file = req.url!.replace(/^\/models\/one\//, '');
        if (file === req.url || file.includes('/')) return res.writeHead(404, 'Not Found').end();
        res.writeHead(200).end(await readFile(join(at, file || 'model.json')));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models`;
      try {
        expectSamePredictions(m, await loadSequential(`${base}/one/model.json`), [2, ...INPUT], 11);
        expectSamePredictions(m, await loadSequential(new URL(`${base}/one/`)), [2, ...INPUT], 11);
        const e = await rejection(loadSequential(`${base}/two/model.json`));
        expect(e.message).to.equal(`Could not fetch ${base}/two/model.json: 404 Not Found`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it("weight names as some converters write them, with ':0' or under the model's name, are found", async () => {
    const m = model(17);
    const a = m.toArtifacts({ inputShape: INPUT });
    const renamed = a.weightSpecs.map((s, i) => ({ ...s, name: i % 2 ? `${s.name}:0` : `sequential/${s.name}` }));
    expectSamePredictions(m, await loadSequential({ ...a, weightSpecs: renamed }), [2, ...INPUT], 18);
    // Optimizer state saved with the model (tfjs's includeOptimizer) is not a layer's weight: skipped.
    const withOptimizer = [...a.weightSpecs, { name: 'Adam/iter', shape: [], dtype: 'int32', group: 'optimizer' }];
    const data = new Uint8Array(a.weightData.byteLength + 4);
    data.set(new Uint8Array(a.weightData));
    expectSamePredictions(m, await loadSequential({ ...a, weightSpecs: withOptimizer, weightData: data.buffer }), [2, ...INPUT], 19);
  });

  describe('input shapes', () => {
    it('a model loaded saves with the input shape it declared, unknown height and width included', async () => {
      const conv = model(12).layers[0];
      const fcn = new ck.Sequential([conv, new ck.MaxPool2D({ poolSize: 2, padding: 'same' })]);
      const at = join(dir, 'fcn');
      await fcn.save(at, { inputShape: [null, null, 2] });
      const loaded = await loadSequential(at);
      const layers = (loaded.toArtifacts().modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
      expect(layers[0].config.batch_input_shape).to.deep.equal([null, null, null, 2]);
      expectSamePredictions(fcn, loaded, [1, 5, 7, 2], 13);
      expectSamePredictions(fcn, loaded, [2, 8, 3, 2], 14);
    });

    it('a model whose first layer is a Dense with its kernel needs no inputShape: [features]', () => {
      const m = new ck.Sequential([new ck.Dense({ units: 2, kernel: randomArray(10, 1) })]);
      const layers = (m.toArtifacts().modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
      expect(layers[0].config.batch_input_shape).to.deep.equal([null, 5]);
    });

    it('weights a layer has not made yet are made (as its first forward would) from a complete inputShape', () => {
      const m = new ck.Sequential([new ck.Conv2D({ filters: 2, kernelSize: 3, seed: 3 }), new ck.Flatten(), new ck.Dense({ units: 2, seed: 4 })]);
      const a = m.toArtifacts({ inputShape: [5, 5, 3] });
      expect(a.weightSpecs.map((s) => s.shape)).to.deep.equal([[3, 3, 3, 2], [2], [18, 2], [2]]);
      // The same weights a fresh model with the same seeds makes on its first forward.
      const fresh = new ck.Sequential([new ck.Conv2D({ filters: 2, kernelSize: 3, seed: 3 }), new ck.Flatten(), new ck.Dense({ units: 2, seed: 4 })]);
      fresh.forward(new ck.Tensor(new Float32Array(75), [1, 5, 5, 3]));
      expect(bits(new Float32Array(a.weightData, 0, 54))).to.deep.equal(bits(fresh.layers[0].getWeights().kernel!));
    });
  });

  describe('file-system errors', () => {
    it('a directory without model.json, and a path that does not exist', async () => {
      await mkdir(join(dir, 'empty'));
      expect((await rejection(loadSequential(join(dir, 'empty')))).message).to.match(/ENOENT.*empty\/model\.json/);
      expect((await rejection(loadSequential(join(dir, 'nothing-here')))).message).to.match(/ENOENT.*nothing-here/);
    });

    it('model.json that is not JSON', async () => {
      await mkdir(join(dir, 'bad'));
      await writeFile(join(dir, 'bad', 'model.json'), '{ "format": ');
      const e = await rejection(loadSequential(join(dir, 'bad')));
      expect(e).to.be.instanceOf(TypeError);
      expect(e.message).to.match(/^Expected JSON \(a model.json\) at .*bad\/model\.json but it does not parse: /);
    });

    it('weight files outside the model directory', async () => {
      const at = join(dir, 'escape');
      await model(15).save(at, { inputShape: INPUT });
      const json = JSON.parse(await readFile(join(at, 'model.json'), 'utf8'));
      json.weightsManifest[0].paths = ['../fcn/group1-shard1of1.bin'];
      await writeFile(join(at, 'model.json'), JSON.stringify(json));
      const e = await rejection(loadSequential(at));
      expect(e).to.be.instanceOf(RangeError);
      expect(e.message).to.equal(`Expected weight files inside ${at} but ${join(at, 'model.json')} names '../fcn/group1-shard1of1.bin'`);
    });

    it('save into a .json path or to an http URL', async () => {
      const m = model(16);
      const json = await rejection(m.save(join(dir, 'x', 'model.json'), { inputShape: INPUT }));
      expect(json).to.be.instanceOf(RangeError);
      expect(json.message).to.equal(`Expected a directory for path but received '${join(dir, 'x', 'model.json')}' (save writes model.json and group1-shard1of1.bin into it)`);
      const http = await rejection(m.save('http://127.0.0.1:1/m', { inputShape: INPUT }));
      expect(http.message).to.equal("Expected a directory for path but received 'http://127.0.0.1:1/m' (save writes files; toArtifacts() gives what to upload)");
      const bad = await rejection(m.save(42 as never, { inputShape: INPUT }));
      expect(bad.message).to.equal('Expected path or URL for path but received 42 of type number');
    });
  });
});
