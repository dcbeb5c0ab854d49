// ResNet-18-like and MobileNetV2-like graphs, shaped as torch.onnx.export writes them, written as
// .onnx bytes by the test, loaded with ck.loadModel, and compared with what onnxruntime-node
// (bench/node_modules, the peers' install) predicts from the same bytes.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ck from '../lib/index';
import { forEachBackend } from './helpers/backends';
import { loadOrt, type Ort, ortRun } from './helpers/onnx-ort';
import { mobilenetV2Like, resnet18Like } from './helpers/onnx-nets';
import { encodeOnnx } from './helpers/onnx-writer';
import { randomArray } from './helpers/random';
import { nchwToNhwc } from '../suite/layout';

const NETS = { 'ResNet-18-like': resnet18Like(), 'MobileNetV2-like': mobilenetV2Like() };
const N = 2, SIZE = 32, DIMS = [N, 3, SIZE, SIZE];
const x = randomArray(N * 3 * SIZE * SIZE, 7);

forEachBackend('ONNX import: torch-exported network shapes against onnxruntime-node', () => {
  let ort: Ort | string;
  before(() => {
    ort = loadOrt();
  });
  for (const [title, net] of Object.entries(NETS)) {
    const bytes = encodeOnnx(net.graph);
    it(`${title}: predicts what onnxruntime-node predicts from the same file`, async function () {
      if (typeof ort === 'string') {
        console.log(`      skipped: ${ort}`);
        this.skip();
      }
      const expected = (await ortRun(ort, bytes, 'input', x, DIMS)).data;
      const model = await ck.loadModel(bytes) as ck.Model;
      const y = model.forward(new ck.Tensor(nchwToNhwc(x, DIMS), [N, SIZE, SIZE, 3])) as ck.Tensor;
      expect(y.shape).to.deep.equal([N, 10]);
      // Each layer's float32 sums of at most K products round differently in the two runtimes
      // (order, Winograd, fused multiply-adds): at most about K u of the scale of the logits per
      // layer, over `depth` layers: depth * K * u * max |logit| (u = 2^-24).
      const scale = Math.max(...Array.from(expected, Math.abs));
      const bound = net.depth * net.maxK * 2 ** -24 * scale;
      let worst = 0;
      y.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
      console.log(`      largest difference ${worst.toExponential(2)} (bound ${bound.toExponential(2)}, max |logit| ${scale.toFixed(3)})`);
      expect(worst).to.be.at.most(bound);
    });
  }

  it('reads a path, a file: URL, an ArrayBuffer and bytes alike; nchw layout, forwardAsync, predict and 1 or 2 threads give the same bits', async () => {
    const bytes = encodeOnnx(NETS['MobileNetV2-like'].graph);
    const dir = mkdtempSync(join(tmpdir(), 'convkit-onnx-')), path = join(dir, 'mobilenet.onnx');
    writeFileSync(path, bytes);
    const input = new ck.Tensor(nchwToNhwc(x, DIMS), [N, SIZE, SIZE, 3]);
    const models = await Promise.all([ck.loadModel(path), ck.loadModel(pathToFileURL(path)), ck.loadModel(bytes.slice().buffer), ck.loadModel(bytes)]) as ck.Model[];
    const ys = models.map((m) => m.forward(input) as ck.Tensor);
    for (const y of ys) expect(Array.from(y.data)).to.deep.equal(Array.from(ys[0].data));
    const nchw = await ck.loadModel(path, { layout: 'nchw' }) as ck.Model;
    expect(nchw.inputs[0].shape).to.deep.equal([3, SIZE, SIZE]);
    expect(Array.from((nchw.forward(new ck.Tensor(x, DIMS)) as ck.Tensor).data)).to.deep.equal(Array.from(ys[0].data));
    expect(Array.from(((await models[0].forwardAsync(input)) as ck.Tensor).data)).to.deep.equal(Array.from(ys[0].data));
    const threads = ck.getNumThreads();
    try {
      ck.setNumThreads(1);
      const one = (models[0].forward(input) as ck.Tensor).data;
      ck.setNumThreads(2);
      expect(Array.from((models[0].forward(input) as ck.Tensor).data)).to.deep.equal(Array.from(one));
    } finally {
      ck.setNumThreads(threads);
    }
    const lines: string[] = [];
    models[0].summary((l) => lines.push(l));
    expect(lines.join('\n')).to.include('features.features.1.conv').and.include('(DepthwiseConv2D)');
  });
});

describe('ONNX import: what require(\'convkit\') loads (child processes)', () => {
  const ROOT = join(__dirname, '..');
  /** Files of lib/ and protobufjs in require.cache after `script` runs in a new node on the sources. */
  const loadedBy = (script: string): string[] => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `${script}.then(() => console.log(JSON.stringify(Object.keys(require.cache))))`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CONVKIT_BACKEND: 'native' } });
    if (r.status !== 0) throw new Error(`the child process failed:\n${r.stderr}`);
    return (JSON.parse(r.stdout.trim().split('\n').pop()!) as string[]).filter((f) => f.includes('/lib/onnx/') || f.includes('/protobufjs/')).map((f) => f.replace(/^.*\/(lib\/onnx|node_modules\/protobufjs)\//, '$1/'));
  };
  const FORWARD = `const ck = require('./lib/index.ts');
    Promise.resolve(new ck.Conv2D({ filters: 4, kernelSize: 3 }).forward(new ck.Tensor(new Float32Array(256), [1, 8, 8, 4])))`;

  it('a forward loads neither the ONNX reader nor protobufjs (only the test of a source, onnx/source.ts); the first ONNX model read loads both', () => {
    expect(loadedBy(FORWARD)).to.deep.equal(['lib/onnx/source.ts']);
    const path = join(mkdtempSync(join(tmpdir(), 'convkit-onnx-')), 'm.onnx');
    writeFileSync(path, encodeOnnx(NETS['ResNet-18-like'].graph));
    const files = loadedBy(`${FORWARD}.then(() => ck.loadModel(${JSON.stringify(path)}))`);
    expect(files).to.include.members(['lib/onnx/decode.ts', 'lib/onnx/build.ts', 'node_modules/protobufjs/index.js']);
  });
});
