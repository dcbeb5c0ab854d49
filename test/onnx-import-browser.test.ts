// convkit/onnx (dist/browser/convkit-onnx.mjs) in headless Chromium: loadModel reads an .onnx
// file by URL and as bytes, and predicts what the Node entry predicts from the same file.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { evaluateInPage, withChromium } from './helpers/browser';
import { mobilenetV2Like } from './helpers/onnx-nets';
import { encodeOnnx } from './helpers/onnx-writer';
import { randomArray } from './helpers/random';

/** Runs in the page (plain JavaScript). */
const IN_PAGE = `async (args) => {
  const ck = await import('/convkit-onnx.mjs');
  await ck.ready();
  const x = new ck.Tensor(new Float32Array(args.x), args.shape);
  const byUrl = await ck.loadModel('models/net.onnx');
  const bytes = new Uint8Array(await (await fetch('/models/net.onnx')).arrayBuffer());
  const fromBytes = await ck.loadModel(bytes, { layout: 'nhwc' });
  return { y: Array.from(byUrl.forward(x).data), again: Array.from(fromBytes.forward(x).data) };
}`;

describe('convkit/onnx in the browser (headless Chromium)', function () {
  if (!withChromium()) return;
  this.timeout(120000);

  it('loads an ONNX model by URL and from bytes, and predicts what Node predicts', async () => {
    const bytes = encodeOnnx(mobilenetV2Like().graph), shape = [1, 32, 32, 3], x = randomArray(32 * 32 * 3, 9);
    const expected = ((await ck.loadModel(bytes)) as ck.Model).forward(new ck.Tensor(x, shape)) as ck.Tensor;
    const files = { '/convkit-onnx.mjs': readFileSync(join(__dirname, '..', 'dist', 'browser', 'convkit-onnx.mjs')), '/models/net.onnx': bytes };
    const { result: r, errors } = await evaluateInPage<{ y: number[]; again: number[] }>(files, IN_PAGE, { x: Array.from(x), shape });
    expect(errors).to.deep.equal([]);
    expect(r.again).to.deep.equal(r.y);
    // The same graph on another backend or thread count: a few roundings of the logits apart.
    r.y.forEach((v, i) => expect(Math.abs(v - expected.data[i])).to.be.at.most(1e-5 * (1 + Math.abs(expected.data[i]))));
  });
});
