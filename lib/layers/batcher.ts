// Dynamic batching (opt-in), as TensorFlow Serving and Triton do it: requests of a few samples
// that arrive together are joined along the batch axis into one forwardAsync, and each gets its
// rows of the result. One batch runs at a time; requests that arrive meanwhile wait for the
// next, which starts as soon as the running one ends (under load, batches fill by themselves).
// An idle batcher waits at most maxDelayMs after the first request for others to join it. Only
// requests whose inputs have the same shape past the batch axis share a batch.
import { Tensor } from '../tensor';
import { integer, knownKeys, options } from '../validate';

export interface BatcherOptions {
  /** Most samples in one batch (default 8). */
  maxBatch?: number;
  /** Longest an idle batcher holds a request for others to join it, in ms (default 2; 0: none). */
  maxDelayMs?: number;
}

/** What the batcher runs: a model's checked inputs to its outputs, off the event loop. */
export interface BatchTarget {
  checkInputs(name: string, x: unknown): Tensor[];
  forwardLinearAsync(xs: Tensor[], linear: ReadonlySet<number>): Promise<Tensor[]>;
}

interface Request {
  xs: Tensor[];
  samples: number;
  resolve(out: Tensor[]): void;
  reject(e: unknown): void;
}

const NONE: ReadonlySet<number> = new Set();

/** Joins the tensors of several requests along the batch axis (one copy). */
function join(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const data = new Float32Array(parts.reduce((n, t) => n + t.size, 0));
  let at = 0;
  for (const t of parts) (data.set(t.data, at), (at += t.size));
  return new Tensor(data, [parts.reduce((n, t) => n + t.shape[0], 0), ...parts[0].shape.slice(1)]);
}

export class Batcher {
  readonly maxBatch: number;
  readonly maxDelayMs: number;
  /** Waiting requests, per input shape past the batch axis. */
  private readonly queues = new Map<string, Request[]>();
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly model: BatchTarget, opts?: BatcherOptions, private readonly many = false) {
    const o = options('batcher options', opts, true);
    if (opts !== undefined) knownKeys('batcher options', opts, ['maxBatch', 'maxDelayMs']);
    this.maxBatch = integer('maxBatch', o.maxBatch ?? 8);
    this.maxDelayMs = integer('maxDelayMs', o.maxDelayMs ?? 2, 0);
  }

  /**
   * The model's output for x (a Tensor, or one per input as the model's forward takes them),
   * computed in a batch with the requests that arrive with it: the values of forwardAsync(x), to
   * rounding (a batch of another size may take another micro-kernel). x is read at the call.
   */
  predict(x: Tensor | Tensor[]): Promise<Tensor | Tensor[]> {
    let xs: Tensor[];
    try {
      xs = this.model.checkInputs('x', x).map((t) => new Tensor(t.data.slice(), t.shape));
    } catch (e) {
      return Promise.reject(e);
    }
    const key = xs.map((t) => t.shape.slice(1).join('x')).join();
    return new Promise<Tensor[]>((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ xs, samples: xs[0].shape[0], resolve, reject });
      this.queues.set(key, queue);
      this.schedule();
    }).then((outs) => (this.many ? outs : outs[0]));
  }

  /** Starts a batch now when one is full or no delay is asked for; else once the first request has waited maxDelayMs. */
  private schedule(): void {
    if (this.running) return;
    const full = [...this.queues.values()].some((q) => q.reduce((n, r) => n + r.samples, 0) >= this.maxBatch);
    if (full || this.maxDelayMs === 0) {
      this.runNext();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.runNext(), this.maxDelayMs);
    }
  }

  /** Runs the oldest queue's first requests, up to maxBatch samples (at least one request). */
  private runNext(): void {
    if (this.timer) (clearTimeout(this.timer), (this.timer = null));
    const entry = this.queues.entries().next();
    if (entry.done) return;
    const [key, queue] = entry.value;
    const batch: Request[] = [];
    let samples = 0;
    while (queue.length && (batch.length === 0 || samples + queue[0].samples <= this.maxBatch)) {
      const r = queue.shift()!;
      batch.push(r);
      samples += r.samples;
    }
    if (!queue.length) this.queues.delete(key);
    this.running = true;
    const inputs = batch[0].xs.map((_, i) => join(batch.map((r) => r.xs[i])));
    this.model.forwardLinearAsync(inputs, NONE).then(
      (outs) => {
        let row = 0;
        for (const r of batch) {
          r.resolve(outs.map((o) => {
            const width = o.size / o.shape[0];
            return new Tensor(o.data.slice(row * width, (row + r.samples) * width), [r.samples, ...o.shape.slice(1)]);
          }));
          row += r.samples;
        }
      },
      (e) => batch.forEach((r) => r.reject(e)),
    ).finally(() => {
      this.running = false;
      // Whoever arrived meanwhile has waited the whole batch already: run them now.
      if (this.queues.size) this.runNext();
    });
  }
}
