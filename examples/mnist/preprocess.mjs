// A drawing made into what the model was trained on, the way MNIST made its digits (LeCun et
// al.): the ink's bounding box scaled to fit 20x20 (aspect kept, grey levels by area), then
// placed in a 28x28 image so that the ink's centre of mass is at the centre.

export const SIZE = 28;
const BOX = 20;
const INK = 0.05; // grey level below which a pixel counts as paper

/**
 * ink: width x height grey levels in [0, 1], row-major (1 = ink). Returns SIZE x SIZE grey
 * levels, or null when nothing is drawn.
 */
export function toDigit(ink, width, height) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const sw = Math.max(1, Math.round(bw * scale)), sh = Math.max(1, Math.round(bh * scale));
  const small = boxResample(ink, width, x0, y0, bw, bh, sw, sh);
  // Centre of mass of the scaled ink, moved to the image's centre.
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const v = small[y * sw + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const dx = Math.round(SIZE / 2 - mx / mass), dy = Math.round(SIZE / 2 - my / mass);
  const digit = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < sh; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= SIZE) continue;
    for (let x = 0; x < sw; x++) {
      const tx = x + dx;
      if (tx >= 0 && tx < SIZE) digit[ty * SIZE + tx] = Math.min(1, small[y * sw + x]);
    }
  }
  return digit;
}

/** The bw x bh region at (x0, y0) of src (row stride `width`) resampled to sw x sh by area. */
function boxResample(src, width, x0, y0, bw, bh, sw, sh) {
  const out = new Float32Array(sw * sh);
  const fx = bw / sw, fy = bh / sh;
  for (let ty = 0; ty < sh; ty++) {
    const sy0 = ty * fy, sy1 = sy0 + fy;
    for (let tx = 0; tx < sw; tx++) {
      const sx0 = tx * fx, sx1 = sx0 + fx;
      let sum = 0;
      for (let sy = Math.floor(sy0); sy < Math.ceil(sy1); sy++) {
        const wy = Math.min(sy + 1, sy1) - Math.max(sy, sy0);
        const row = (y0 + sy) * width + x0;
        for (let sx = Math.floor(sx0); sx < Math.ceil(sx1); sx++) {
          const wx = Math.min(sx + 1, sx1) - Math.max(sx, sx0);
          sum += wx * wy * src[row + sx];
        }
      }
      out[ty * sw + tx] = sum / (fx * fy);
    }
  }
  return out;
}
