// examples/mnist: the data split, the MNIST-style preprocessing of a drawing, the shipped trained
// model (loaded as a user loads it) on held-out digits, and the drawing page in headless Chromium
// with strokes drawn by the mouse.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as ck from '../lib/index';

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
