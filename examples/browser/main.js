// A small CNN on a picked image, with convkit's browser bundle. Served by serve.mjs, which maps
// /convkit.mjs to dist/browser/convkit.mjs and sends the headers that allow threads.
import * as ck from '/convkit.mjs';

const SIZE = 128;
const $ = (id) => document.getElementById(id);

// First layer: hand-made 3x3 filters on the RGB input, so that its maps mean something.
const FILTERS = {
  'gray': [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
  'sobel x': [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
  'sobel y': [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
  'laplacian': [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
  'blur': [[1, 2, 1], [2, 4, 2], [1, 2, 1]].map((r) => r.map((v) => v / 16)),
  'sharpen': [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
};
const names = Object.keys(FILTERS);

function firstKernel() {
  // HWIO: [3, 3, 3 input channels, filters]; each filter sees the mean of R, G and B.
  const k = new Float32Array(3 * 3 * 3 * names.length);
  names.forEach((name, o) => {
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) for (let c = 0; c < 3; c++) {
      k[((y * 3 + x) * 3 + c) * names.length + o] = FILTERS[name][y][x] / 3;
    }
  });
  return k;
}

const model = new ck.Sequential([
  new ck.Conv2D({ filters: names.length, kernelSize: 3, padding: 'same', kernel: firstKernel(), useBias: false }),
  new ck.MaxPool2D({ poolSize: 2 }),
  new ck.Conv2D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', seed: 1 }),
  new ck.MaxPool2D({ poolSize: 2 }),
  new ck.Dense({ units: 10, seed: 2 }),
]);

function imageTensor(canvas) {
  const { data } = canvas.getContext('2d').getImageData(0, 0, SIZE, SIZE);
  const x = new Float32Array(SIZE * SIZE * 3);
  for (let i = 0; i < SIZE * SIZE; i++) for (let c = 0; c < 3; c++) x[i * 3 + c] = data[i * 4 + c] / 255;
  return new ck.Tensor(x, [1, SIZE, SIZE, 3]);
}

function showMaps(y) {
  const [, h, w, c] = y.shape;
  const maps = $('maps');
  maps.replaceChildren();
  for (let o = 0; o < c; o++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < h * w; i++) {
      const v = y.data[i * c + o];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const canvas = Object.assign(document.createElement('canvas'), { width: w, height: h, title: names[o] });
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      const g = hi > lo ? (255 * (y.data[i * c + o] - lo)) / (hi - lo) : 0;
      img.data.set([g, g, g, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
    maps.append(canvas);
  }
}

async function run() {
  const x = imageTensor($('input'));
  const rows = [['layer', 'output shape', 'ms']];
  let t = x;
  let total = 0;
  for (const layer of model.layers) {
    const start = performance.now();
    t = await layer.forwardAsync(t);
    const ms = performance.now() - start;
    total += ms;
    rows.push([layer.constructor.name, `[${t.shape.join(', ')}]`, ms.toFixed(2)]);
    if (layer === model.layers[0]) showMaps(t);
  }
  rows.push(['total', '', total.toFixed(2)]);
  $('timing').innerHTML = rows.map((r, i) => `<tr>${r.map((c) => (i ? `<td>${c}</td>` : `<th>${c}</th>`)).join('')}</tr>`).join('');
  $('output').textContent = Array.from(t.data, (v) => v.toFixed(4)).join('  ');
  document.body.dataset.done = 'true';
}

function drawDemo() {
  const ctx = $('input').getContext('2d');
  const g = ctx.createLinearGradient(0, 0, SIZE, SIZE);
  g.addColorStop(0, '#1f77b4');
  g.addColorStop(1, '#ff7f0e');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, SIZE, SIZE);
  ctx.fillStyle = '#fff';
  ctx.beginPath();
  ctx.arc(44, 44, 24, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = '#2ca02c';
  ctx.fillRect(70, 70, 40, 30);
  return run();
}

$('demo').onclick = drawDemo;
$('file').onchange = async () => {
  const file = $('file').files[0];
  if (!file) return;
  const bitmap = await createImageBitmap(file);
  $('input').getContext('2d').drawImage(bitmap, 0, 0, SIZE, SIZE);
  await run();
};

const backend = await ck.ready();
const info = ck.backendInfo();
$('backend').textContent = `backend: ${backend} (${info.isa}, ${info.threads} thread${info.threads > 1 ? 's' : ''}), convkit ${info.version}` +
  (crossOriginIsolated ? '' : ' — not crossOriginIsolated, so one thread');
