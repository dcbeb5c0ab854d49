// The gradient of average pooling in float64 (the forward is suite/reference.ts's avgpool2dRef):
// each window's dy / divisor added to each of its cells, the divisor its cells inside the image
// (Keras) or the whole window (countPad, ONNX's count_include_pad).
import type { Window } from '../../lib/shape';
import { outputSize, type RefResult, windowCells } from '../../suite/reference';

export function avgpool2dGradRef(dy: Float32Array, [n, h, w, c]: number[], win: Window, countPad: boolean): RefResult {
  const [oh, ow] = outputSize(h, w, win);
  const data = new Float64Array(n * h * w * c), absSum = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const at = windowCells(b, oy, ox, [h, w, c], win), divisor = countPad ? win.kh * win.kw : at.length;
        for (const i of at)
          for (let ci = 0; ci < c; ci++) {
            const g = dy[((b * oh + oy) * ow + ox) * c + ci] / divisor;
            data[i + ci] += g;
            absSum[i + ci] += Math.abs(g);
          }
      }
  return { shape: [n, h, w, c], data, absSum };
}
