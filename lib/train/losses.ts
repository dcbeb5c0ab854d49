// The losses of compile({ loss }), as TensorFlow.js (tfjs-layers losses.ts) defines them, over
// the rows of the model output's last axis (a Dense output's rows; a Conv2D output's pixels):
// the loss is the mean over rows of each row's loss. Computed in float64; the gradient with
// respect to the output (or, fused, the logits) is rounded once to float32.

export type LossName = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';
export const LOSS_NAMES: readonly LossName[] = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'meanSquaredError'];

/** tfjs-layers' epsilon(): cross-entropy clips probabilities to [EPSILON, 1 - EPSILON]. */
export const EPSILON = 1e-7;

/** A batch's targets: a value per output (one-hot rows, MSE targets) or a class per row. */
export type Targets = { kind: 'dense'; values: Float32Array } | { kind: 'sparse'; classes: Int32Array };

/** Sums over a batch's rows: of the rows' losses, and of rows whose argmax is right. */
export interface LossSums {
  loss: number;
  correct: number;
}

const clip = (p: number) => (p < EPSILON ? EPSILON : p > 1 - EPSILON ? 1 - EPSILON : p);
/** tf.clipByValue's gradient: it passes where the value lies within the bounds, ends included. */
const passes = (p: number) => p >= EPSILON && p <= 1 - EPSILON;

/** Index of the first largest value (tf.argMax's choice on ties). */
export function argmax(v: Float32Array, at: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[at + j] > v[at + best]) best = j;
  return best;
}

/** The target of row r as a dense row: a one-hot row for a class, else its values. */
function targetRow(t: Targets, r: number, cols: number): Float64Array {
  if (t.kind === 'dense') return Float64Array.from(t.values.subarray(r * cols, (r + 1) * cols));
  const row = new Float64Array(cols);
  row[t.classes[r]] = 1;
  return row;
}

/** mean_j (p_j - t_j)^2; d/dp_j = 2 (p_j - t_j) / cols. */
function meanSquared(p: Float32Array, at: number, t: Float64Array, g: Float64Array | null): number {
  let sum = 0;
  for (let j = 0; j < t.length; j++) {
    const d = p[at + j] - t[j];
    sum += d * d;
    if (g) g[j] = (2 * d) / t.length;
  }
  return sum / t.length;
}

/**
 * tfjs's categoricalCrossentropy on probabilities: q = p / sum(p), clipped to [eps, 1 - eps],
 * loss -sum_j t_j log q_j; sparseCategoricalCrossentropy clips p to [eps, 1 - eps] before that
 * (clipFirst). The gradient is that expression's, through the clips (zero where one bites).
 */
function crossEntropy(p: Float32Array, at: number, t: Float64Array, clipFirst: boolean, g: Float64Array | null): number {
  const n = t.length, p1 = new Float64Array(n);
  let sum = 0;
  for (let j = 0; j < n; j++) sum += p1[j] = clipFirst ? clip(p[at + j]) : p[at + j];
  let loss = 0, dot = 0;
  const dq = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const q = p1[j] / sum;
    if (t[j] !== 0) loss -= t[j] * Math.log(clip(q));
    dq[j] = t[j] !== 0 && passes(q) ? -t[j] / q : 0;
    dot += dq[j] * q;
  }
  if (g) for (let j = 0; j < n; j++) g[j] = clipFirst && !passes(p[at + j]) ? 0 : (dq[j] - dot) / sum;
  return loss;
}

/**
 * Cross-entropy from the logits z of a softmax: sum_j t_j (logsumexp(z) - z_j), logsumexp taken
 * as max + log(sum e^(z - max)); its gradient softmax(z) sum(t) - t (one-hot: softmax - t) never
 * divides by a probability, so nothing is clipped.
 */
function crossEntropyFromLogits(z: Float32Array, at: number, t: Float64Array, g: Float64Array | null): number {
  const n = t.length;
  let most = -Infinity;
  for (let j = 0; j < n; j++) most = z[at + j] > most ? z[at + j] : most;
  let sum = 0;
  for (let j = 0; j < n; j++) sum += Math.exp(z[at + j] - most);
  const lse = most + Math.log(sum);
  let loss = 0, mass = 0;
  for (let j = 0; j < n; j++) {
    if (t[j] !== 0) loss += t[j] * (lse - z[at + j]);
    mass += t[j];
  }
  if (g) for (let j = 0; j < n; j++) g[j] = (Math.exp(z[at + j] - most) / sum) * mass - t[j];
  return loss;
}

/**
 * The loss summed over the rows of out ([rows, cols]: outputs, or logits when fromLogits) and the
 * rows whose argmax matches the target's (categorical: its argmax; sparse: its class). With grad,
 * writes d(sum of losses * scale)/d(out) into it (scale: 1 / the rows the mean is over).
 */
export function lossSums(
  name: LossName, out: Float32Array, cols: number, targets: Targets, fromLogits: boolean, grad: Float32Array | null, scale: number,
): LossSums {
  const rows = out.length / cols, g = grad && new Float64Array(cols);
  let loss = 0, correct = 0;
  for (let r = 0, at = 0; r < rows; r++, at += cols) {
    const t = targetRow(targets, r, cols);
    if (name === 'meanSquaredError') loss += meanSquared(out, at, t, g);
    else if (fromLogits) loss += crossEntropyFromLogits(out, at, t, g);
    else loss += crossEntropy(out, at, t, name === 'sparseCategoricalCrossentropy', g);
    if (grad && g) for (let j = 0; j < cols; j++) grad[at + j] = g[j] * scale;
    if (name === 'meanSquaredError') continue;
    const want = targets.kind === 'sparse' ? targets.classes[r] : argmax(targets.values, at, cols);
    if (argmax(out, at, cols) === want) correct++;
  }
  return { loss, correct };
}
