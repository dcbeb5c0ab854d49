// The optimizers of compile({ optimizer }), with TensorFlow.js's update rules and defaults
// (tfjs-core sgd_optimizer, momentum_optimizer and adam_optimizer; tfjs-layers maps 'sgd' to
// sgd(0.01) and 'adam' to adam(0.001, 0.9, 0.999, epsilon() = 1e-7)). State (momentum, Adam's
// moments) is kept per weight array as float32, as tfjs keeps it; each element's update is
// computed in float64 and rounded once when stored.
import { describe, fail, finiteNumber, knownKeys, oneOf, options } from '../validate';

export type OptimizerName = 'sgd' | 'adam';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam'];

export interface SgdConfig {
  type: 'sgd';
  /** Default 0.01. */
  learningRate?: number;
  /** Default 0: plain SGD. Otherwise tf.train.momentum: v = momentum v + g; w -= learningRate v. */
  momentum?: number;
}

export interface AdamConfig {
  type: 'adam';
  /** Default 0.001. */
  learningRate?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

export type OptimizerSpec = OptimizerName | SgdConfig | AdamConfig;

/** One weight array (updated in place) and its gradient; key names its state across steps. */
export interface WeightUpdate {
  key: string;
  value: Float32Array;
  grad: Float32Array;
}

export interface Optimizer {
  /** The settings in use, defaults filled in. */
  readonly config: Readonly<Required<SgdConfig>> | Readonly<Required<AdamConfig>>;
  /** One step over every weight the model trains. */
  step(updates: readonly WeightUpdate[]): void;
}

/** State arrays per weight key, made (zeroed) on first use. */
class Slots {
  private readonly slots = new Map<string, Float32Array[]>();

  get(key: string, count: number, length: number): Float32Array[] {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = Array.from({ length: count }, () => new Float32Array(length))));
    return s;
  }
}

class Sgd implements Optimizer {
  private readonly velocity = new Slots();
  constructor(readonly config: Readonly<Required<SgdConfig>>) {}

  step(updates: readonly WeightUpdate[]): void {
    const { learningRate: lr, momentum } = this.config;
    for (const { key, value: w, grad: g } of updates) {
      if (momentum === 0) {
        for (let i = 0; i < w.length; i++) w[i] = w[i] - lr * g[i];
        continue;
      }
      const [v] = this.velocity.get(key, 1, w.length);
      for (let i = 0; i < w.length; i++) {
        v[i] = momentum * v[i] + g[i];
        w[i] = w[i] - lr * v[i];
      }
    }
  }
}

class Adam implements Optimizer {
  private readonly moments = new Slots();
  /** Steps taken: the bias corrections divide by 1 - beta^t. */
  private t = 0;
  constructor(readonly config: Readonly<Required<AdamConfig>>) {}

  step(updates: readonly WeightUpdate[]): void {
    const { learningRate: lr, beta1, beta2, epsilon } = this.config;
    this.t++;
    const c1 = 1 - beta1 ** this.t, c2 = 1 - beta2 ** this.t;
    for (const { key, value: w, grad: g } of updates) {
      const [m, v] = this.moments.get(key, 2, w.length);
      for (let i = 0; i < w.length; i++) {
        const mi = beta1 * m[i] + (1 - beta1) * g[i], vi = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
      }
    }
  }
}

/** A number in [min, max) (max: Infinity for none); above min when minOpen. */
function inRange(name: string, v: unknown, min: number, max: number, minOpen: boolean): number {
  const x = finiteNumber(name, v);
  const expected = `finite number ${minOpen ? '>' : '>='} ${min}${max === Infinity ? '' : ` and < ${max}`}`;
  if (minOpen ? x <= min : x < min) fail('range', expected, name, v);
  if (x >= max) fail('range', expected, name, v);
  return x;
}

/** The optimizer compile() asked for: a name, or { type, ...settings }. */
export function makeOptimizer(spec: unknown): Optimizer {
  if (typeof spec === 'string') return makeOptimizer({ type: oneOf('optimizer', spec, OPTIMIZER_NAMES) });
  if (typeof spec !== 'object' || spec === null) {
    throw new TypeError(`Expected one of 'sgd', 'adam' or an optimizer object { type, ... } for optimizer but received ${describe(spec)}`);
  }
  const o = options('optimizer', spec, false);
  const type = oneOf('optimizer.type', o.type, OPTIMIZER_NAMES);
  const rate = (fallback: number) => inRange('optimizer.learningRate', o.learningRate ?? fallback, 0, Infinity, true);
  const unit = (name: string, fallback: number) => inRange(`optimizer.${name}`, o[name] ?? fallback, 0, 1, false);
  if (type === 'sgd') {
    knownKeys('optimizer', spec, ['type', 'learningRate', 'momentum']);
    return new Sgd({ type, learningRate: rate(0.01), momentum: unit('momentum', 0) });
  }
  knownKeys('optimizer', spec, ['type', 'learningRate', 'beta1', 'beta2', 'epsilon']);
  return new Adam({
    type, learningRate: rate(0.001), beta1: unit('beta1', 0.9), beta2: unit('beta2', 0.999),
    epsilon: inRange('optimizer.epsilon', o.epsilon ?? 1e-7, 0, Infinity, true),
  });
}
