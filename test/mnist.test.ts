// examples/mnist: the data split, the MNIST-style preprocessing of a drawing, the shipped trained
// model (loaded as a user loads it) on held-out digits, and the drawing page in headless Chromium
// with strokes drawn by the mouse.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { forEachBackend } from './helpers/backends';
import { openExample, withChromium } from './helpers/browser';

const ROOT = join(__dirname, '..');
const { loadMnist, PIXELS } = require('../examples/mnist/data.js');
interface Preprocess {
  toDigit(ink: Float32Array, width: number, height: number): Float32Array | null;
}
// An ES module of the example (the page imports it as is), untyped: its one function typed here.
const preprocess = (): Promise<Preprocess> => import(join(ROOT, 'examples', 'mnist', 'preprocess.mjs'));

const sampleKey = (x: Float32Array, i: number) => createHash('sha1').update(x.subarray(i * PIXELS, (i + 1) * PIXELS)).digest('hex');

describe('examples/mnist data', () => {
  const data = loadMnist(ck);

  it('splits every digit 85/15 into training and held-out samples', () => {
    const counts = (labels: Int32Array) => Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    const train = counts(data.train.labels), test = counts(data.test.labels);
    for (let d = 0; d < 10; d++) {
      const total = require(`mnist/src/digits/${d}.json`).data.length / PIXELS;
      expect(train[d] + test[d], `digit ${d}`).to.equal(total);
      expect(test[d] / total, `digit ${d}`).to.be.closeTo(0.15, 0.01);
    }
    expect(data.train.x.shape).to.deep.equal([data.train.labels.length, 28, 28, 1]);
    expect(data.test.y.shape).to.deep.equal([data.test.labels.length, 10]);
  });

  it('one-hot targets agree with the labels, pixels are grey levels in [0, 1]', () => {
    for (const part of [data.train, data.test]) {
      part.labels.forEach((label: number, i: number) => {
        const row: number[] = Array.from(part.y.data.subarray(i * 10, i * 10 + 10));
        expect(row.indexOf(1)).to.equal(label);
        expect(row.reduce((a, b) => a + b)).to.equal(1);
      });
      expect(part.x.data.every((v: number) => v >= 0 && v <= 1)).to.equal(true);
    }
  });

  it('holds out samples the training set does not contain', () => {
    const train = new Set<string>();
    for (let i = 0; i < data.train.labels.length; i++) train.add(sampleKey(data.train.x.data, i));
    let shared = 0;
    for (let i = 0; i < data.test.labels.length; i++) if (train.has(sampleKey(data.test.x.data, i))) shared++;
    // The package has a few exact duplicates; a split that leaked would share hundreds.
    expect(shared).to.be.below(5);
  });
});

describe('examples/mnist preprocessing (MNIST-style)', () => {
  const W = 280, H = 200;
  /** A filled rectangle of ink, as a pad of W x H grey levels. */
  const rect = (x0: number, y0: number, w: number, h: number) => {
    const ink = new Float32Array(W * H);
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) ink[y * W + x] = 1;
    return ink;
  };
  const bounds = (d: Float32Array) => {
    let x0 = 28, y0 = 28, x1 = -1, y1 = -1, mass = 0, mx = 0, my = 0;
    d.forEach((v, i) => {
      if (v <= 0) return;
      const x = i % 28, y = Math.floor(i / 28);
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
    });
    return { w: x1 - x0 + 1, h: y1 - y0 + 1, cx: mx / mass, cy: my / mass };
  };

  it('scales the longer side to 20 pixels, keeps the aspect and centres the mass', async () => {
    const { toDigit } = await preprocess();
    for (const [x0, y0, w, h] of [[10, 10, 40, 160], [100, 50, 150, 30], [0, 0, 100, 100], [270, 190, 10, 10]]) {
      const d = toDigit(rect(x0, y0, w, h), W, H)!;
      const b = bounds(d);
      const label = `rect ${w}x${h} at ${x0},${y0}`;
      expect(Math.max(b.w, b.h), label).to.equal(20);
      expect(Math.min(b.w, b.h), label).to.be.closeTo(Math.round((20 * Math.min(w, h)) / Math.max(w, h)), 1);
      expect(b.cx, label).to.be.closeTo(14, 1);
      expect(b.cy, label).to.be.closeTo(14, 1);
      expect(d.every((v) => v >= 0 && v <= 1), label).to.equal(true);
    }
  });

  it('gives null for an empty pad and keeps grey levels of partial pixels', async () => {
    const { toDigit } = await preprocess();
    expect(toDigit(new Float32Array(W * H), W, H)).to.equal(null);
    const band = new Float32Array(W * H); // a diagonal stroke: its edges cross pixels of the 28x28 grid
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (Math.abs(x - y) < 6) band[y * W + x] = 1;
    const d = toDigit(band, W, H)!;
    expect(Array.from(d).some((v) => v > 0.05 && v < 0.95), 'an edge pixel is partly covered').to.equal(true);
  });
});

forEachBackend('examples/mnist: the shipped trained model', () => {
  const data = loadMnist(ck);

  /** The share of held-out digits whose largest probability is the label's. */
  const heldOut = (p: Float32Array): number => {
    let right = 0;
    data.test.labels.forEach((label: number, i: number) => {
      const row = Array.from(p.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === label) right++;
    });
    return right / data.test.labels.length;
  };
  let lenet = 0;

  it('loads with loadModel and classifies at least 97 % of the held-out digits', async () => {
    const model = await loadSequential(join(ROOT, 'examples', 'mnist', 'model'));
    lenet = heldOut(model.predict(data.test.x, { batchSize: 250 }).data);
    console.log(`      ${(lenet * 100).toFixed(2)} % of ${data.test.labels.length} held-out digits`);
    expect(lenet).to.be.at.least(0.97);
  });

  it('the functional CNN (a residual block, a concatenation) trained by fit classifies at least as many as LeNet', async () => {
    const model = await ck.loadModel(join(ROOT, 'examples', 'mnist', 'model-residual'));
    expect(model).to.be.instanceOf(ck.Model);
    const accuracy = heldOut(((model as ck.Model).predict(data.test.x, { batchSize: 250 }) as ck.Tensor).data);
    console.log(`      ${(accuracy * 100).toFixed(2)} % of ${data.test.labels.length} held-out digits (LeNet: ${(lenet * 100).toFixed(2)} %)`);
    expect(accuracy).to.be.at.least(Math.max(lenet, 0.97));
  });
});

describe('examples/mnist drawing page in headless Chromium', function () {
  if (!withChromium()) return;
  this.timeout(120000);

  type Point = [number, number];
  const line = (x0: number, y0: number, x1: number, y1: number, n = 12): Point[] =>
    Array.from({ length: n + 1 }, (_, i) => [x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n]);
  const arc = (cx: number, cy: number, rx: number, ry: number, n: number, of = n): Point[] =>
    Array.from({ length: of + 1 }, (_, i) => [cx + rx * Math.sin((2 * Math.PI * i) / n), cy - ry * Math.cos((2 * Math.PI * i) / n)]);
  // Strokes on the 280x280 pad, drawn as a person would (mouse down, moves, up).
  const DIGITS: [string, Point[][]][] = [
    ['0', [arc(140, 140, 60, 95, 32)]],
    ['1', [line(150, 40, 135, 240)]],
    ['3', [arc(140, 95, 55, 50, 24, 17), arc(140, 190, 60, 55, 24, 18)]],
    ['4', [line(170, 40, 70, 170), line(70, 170, 220, 170), line(170, 90, 170, 250)]],
    ['7', [line(70, 50, 210, 50), line(210, 50, 120, 245)]],
  ];

  it('recognises digits drawn with the mouse, while they are drawn, and shows the time per prediction', async () => {
    const { tab, errors, close } = await openExample('mnist');
    try {
      await tab.waitForSelector('body[data-ready="true"]');
      expect(await tab.textContent('#backend')).to.match(/^backend: wasm \(wasm-relaxed-simd-threads, \d+ threads?\)/);
      const box = await tab.locator('#pad').boundingBox();
      const at = ([x, y]: Point): [number, number] => [box.x + x, box.y + y];
      const prediction = () => tab.evaluate(() => document.body.dataset.prediction);
      for (const [digit, strokes] of DIGITS) {
        await tab.click('#clear');
        expect(await prediction(), 'cleared').to.equal('');
        for (const [s, points] of strokes.entries()) {
          await tab.mouse.move(...at(points[0]));
          await tab.mouse.down();
          for (const [i, p] of points.slice(1).entries()) {
            await tab.mouse.move(...at(p), { steps: 4 });
            // Half way through the first stroke, with the button still down, it has answered.
            if (s === 0 && i === Math.floor(points.length / 2)) await tab.waitForFunction(() => document.body.dataset.prediction !== '');
          }
          await tab.mouse.up();
        }
        await tab.waitForTimeout(50); // the last frame's prediction
        await tab.waitForFunction(() => document.body.dataset.prediction !== '');
        expect(await prediction(), `drawn ${digit}`).to.equal(digit);
        expect(await tab.textContent('#digit')).to.equal(digit);
        const ms = Number(await tab.evaluate(() => document.body.dataset.ms));
        expect(ms, 'time per prediction').to.be.greaterThan(0).and.below(1000);
        expect(await tab.textContent('#time')).to.match(/^\d+\.\d\d ms per prediction$/);
        expect(await tab.$$eval('#bars div', (rows: Element[]) => rows.length)).to.equal(10);
      }
      expect(errors).to.deep.equal([]);
    } finally {
      await close();
    }
  });
});
