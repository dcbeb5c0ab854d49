// The drawing pad: every stroke is preprocessed like MNIST (preprocess.mjs) and classified by
// the model trained with `npm run train:mnist`, at most once per frame while the pen moves.
import * as ck from '/convkit.mjs';
import { SIZE, toDigit } from './preprocess.mjs';

const $ = (id) => document.getElementById(id);
const pad = $('pad');
const ink = pad.getContext('2d', { willReadFrequently: true });
const seen = $('seen').getContext('2d');

function clear() {
  ink.fillStyle = '#000';
  ink.fillRect(0, 0, pad.width, pad.height);
  seen.clearRect(0, 0, SIZE, SIZE);
  $('digit').textContent = '';
  $('bars').textContent = '';
  document.body.dataset.prediction = '';
}

/** The pad's grey levels in [0, 1] (white ink on black). */
function greyLevels() {
  const { data } = ink.getImageData(0, 0, pad.width, pad.height);
  const grey = new Float32Array(pad.width * pad.height);
  for (let i = 0; i < grey.length; i++) grey[i] = data[i * 4] / 255;
  return grey;
}

function show(digit, probabilities, ms) {
  const image = seen.createImageData(SIZE, SIZE);
  digit.forEach((v, i) => image.data.set([v * 255, v * 255, v * 255, 255], i * 4));
  seen.putImageData(image, 0, 0);
  const best = probabilities.indexOf(Math.max(...probabilities));
  $('digit').textContent = String(best);
  $('time').textContent = `${ms.toFixed(2)} ms per prediction`;
  $('bars').replaceChildren(...probabilities.map((p, d) => {
    const row = document.createElement('div');
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${Math.round(p * 160)}px`;
    row.append(`${d} `, bar, ` ${(p * 100).toFixed(1)} %`);
    return row;
  }));
  Object.assign(document.body.dataset, { prediction: String(best), ms: ms.toFixed(3) });
}

let model = null;
let pending = false;

function classify() {
  pending = false;
  const digit = toDigit(greyLevels(), pad.width, pad.height);
  if (!model || !digit) return;
  const start = performance.now();
  const y = model.forward(new ck.Tensor(digit, [1, SIZE, SIZE, 1]));
  show(digit, Array.from(y.data), performance.now() - start);
}

function requestClassify() {
  if (!pending) requestAnimationFrame(classify);
  pending = true;
}

let last = null;
pad.addEventListener('pointerdown', (e) => {
  pad.setPointerCapture(e.pointerId);
  last = [e.offsetX, e.offsetY];
  ink.beginPath();
  ink.arc(last[0], last[1], 9, 0, 2 * Math.PI);
  ink.fillStyle = '#fff';
  ink.fill();
  requestClassify();
});
pad.addEventListener('pointermove', (e) => {
  if (!last) return;
  Object.assign(ink, { strokeStyle: '#fff', lineWidth: 18, lineCap: 'round', lineJoin: 'round' });
  ink.beginPath();
  ink.moveTo(...last);
  ink.lineTo(e.offsetX, e.offsetY);
  ink.stroke();
  last = [e.offsetX, e.offsetY];
  requestClassify();
});
for (const end of ['pointerup', 'pointercancel']) pad.addEventListener(end, () => { last = null; });
$('clear').addEventListener('click', clear);

clear();
await ck.ready();
model = await ck.loadModel(new URL('model/model.json', import.meta.url).href);
const { name, isa, threads } = ck.backendInfo();
$('backend').textContent = `backend: ${name} (${isa}, ${threads} thread${threads > 1 ? 's' : ''})`;
document.body.dataset.ready = 'true';
