// The page: a dropped (or chosen) image is decoded and resized by the browser (createImageBitmap),
// flattened onto white in a canvas of the model's input size, and classified with convkit's
// browser bundle. document.body.dataset.state says 'ready', 'busy', 'done' or 'error'.
import * as ck from '/convkit.mjs';
import { formatClass, inputSize, toInputData, topClasses } from './top-classes.mjs';

const $ = (id) => document.getElementById(id);
const canvas = $('seen');
const drawing = canvas.getContext('2d', { willReadFrequently: true });
const state = (s) => { document.body.dataset.state = s; };

async function load() {
  await ck.ready();
  const t0 = performance.now();
  const [model, meta] = await Promise.all([
    ck.loadModel('model/model.json'),
    fetch('model/labels.json').then((r) => (r.ok ? r.json() : Promise.reject(new Error(`model/labels.json: HTTP ${r.status}`)))),
  ]);
  const loadMs = performance.now() - t0;
  const size = inputSize(model);
  // The first run plans the graph for this input shape: done now, so an image's time is a run's.
  const t1 = performance.now();
  await model.forwardAsync(new ck.Tensor(new Float32Array(size[0] * size[1] * 3), [1, ...size, 3]));
  const planMs = performance.now() - t1;
  const info = ck.backendInfo();
  $('status').textContent = `${model.name} loaded in ${loadMs.toFixed(0)} ms, first run ${planMs.toFixed(0)} ms, ` +
    `on ${info.name} (${info.isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'}).`;
  return { model, meta, size };
}

/** The image file as the model's input (the canvas shows it). */
async function toInput(file, [height, width], range) {
  const bitmap = await createImageBitmap(file, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  canvas.width = width;
  canvas.height = height;
  drawing.fillStyle = '#fff';
  drawing.fillRect(0, 0, width, height);
  drawing.drawImage(bitmap, 0, 0);
  bitmap.close();
  canvas.classList.add('shown');
  return new ck.Tensor(toInputData(drawing.getImageData(0, 0, width, height).data, 4, range), [1, height, width, 3]);
}

function show(top) {
  $('top').replaceChildren(...top.map((c) => {
    const row = document.createElement('li');
    const text = document.createElement('span');
    const bar = document.createElement('span');
    text.className = 'text';
    text.textContent = formatClass(c);
    bar.className = 'bar';
    bar.style.width = `${Math.round(c.p * 200)}px`;
    row.append(text, bar);
    return row;
  }));
}

let ready;
async function classify(file) {
  if (!file) return;
  state('busy');
  try {
    const { model, meta, size } = await ready;
    const x = await toInput(file, size, meta.inputRange ?? [0, 1]);
    const t0 = performance.now();
    const y = await model.forwardAsync(x);
    const ms = performance.now() - t0;
    show(topClasses(y.data, meta.labels, 5));
    $('time').textContent = `${file.name}: forwardAsync ${ms.toFixed(1)} ms`;
    state('done');
  } catch (e) {
    $('time').textContent = `Cannot classify ${file.name}: ${e.message}`;
    state('error');
  }
}

const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  classify(e.dataTransfer.files[0]);
});
$('file').addEventListener('change', (e) => classify(e.target.files[0]));

ready = load();
ready.then(() => state('ready'), (e) => {
  $('status').textContent = `Cannot load the model (${e.message}): run \`npm run example:weights\`, then reload.`;
  state('error');
});
