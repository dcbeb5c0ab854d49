// What the Node script and the page share: the model's input size, 8-bit pixels made into its
// input, and its output made into the most probable classes.

/** [height, width] of a functional model's image input (ck.loadModel of a Keras/tfjs model). */
export function inputSize(model) {
  const shape = model.inputs?.[0]?.shape;
  if (!shape || shape.length !== 3 || shape[2] !== 3 || !Number.isInteger(shape[0]) || !Number.isInteger(shape[1])) {
    throw new Error(`Expected a functional model whose input is [height, width, 3] but received ${shape ? `[${shape.join(', ')}]` : 'a model without inputs'}`);
  }
  return [shape[0], shape[1]];
}

/**
 * Interleaved 8-bit pixels (`stride` bytes each: 3 for RGB, 4 for RGBA; alpha is ignored) as the
 * float32 RGB data of one NHWC image, 0..255 mapped linearly onto `range` ([0, 1] or [-1, 1]).
 */
export function toInputData(pixels, stride, range = [0, 1]) {
  const [lo, hi] = range;
  const scale = (hi - lo) / 255;
  const n = pixels.length / stride;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = lo + pixels[i * stride + c] * scale;
  }
  return out;
}

/** The k most probable classes, most probable first, as { label, p }. */
export function topClasses(probabilities, labels, k = 5) {
  return Array.from(probabilities, (p, i) => ({ label: labels[i] ?? `class ${i}`, p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}

/** One line of the top classes: the percentage to two decimals, then the label. */
export function formatClass({ label, p }) {
  return `${(p * 100).toFixed(2).padStart(6)} %  ${label}`;
}
