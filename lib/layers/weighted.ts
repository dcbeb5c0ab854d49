import { Activation, type ActivationCode, type ActivationName } from '../activation';
import type { Backend, ForwardWeights, PackedWeights, WeightedGrads } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { Tensor } from '../tensor';
import { heUniform } from '../init';
import { checkShape } from '../shape';
import { fail, float32Array, float32Length, options } from '../validate';
import { Layer, type Weights } from './layer';
import type { Trainable } from './trainable';

/**
 * Shared by Conv2D and Dense: a kernel of `depth * taps` rows by `units` columns, an optional
 * bias of `units`, He-uniform initialisation once the input depth is known, and the kernel
 * packed for the GEMM once per backend (create once, run many).
 *
 * The kernel is held once: unpacked until the first forward, packed after it (getWeights unpacks
 * a copy on demand, and a switch of backend repacks from the unpacked form). While fit trains the
 * layer it is held both ways: the optimizer updates the unpacked kernel in place and the next
 * forward packs it again (trainableWeights, weightsUpdated).
 */
export abstract class WeightedLayer extends Layer {
  protected kernel: Float32Array | null = null;
  protected bias: Float32Array | null = null;
  /** Input channels (Conv2D) or features (Dense): known from the kernel or the first input. */
  protected depth: number | null = null;
  private packed: { backend: Backend; data: PackedWeights } | null = null;
  /** fit is training this layer: packing keeps the unpacked kernel (see trainableWeights). */
  private training = false;
  /** The activation applied to the GEMM's output. */
  abstract readonly activation: ActivationName;

  protected constructor(
    private readonly layerName: string,
    private readonly depthName: string,
    readonly units: number,
    private readonly taps: number,
    protected readonly useBias: boolean,
    protected readonly activationCode: ActivationCode,
    private readonly seed: number,
  ) {
    super();
  }

  getWeights(): Weights {
    return { kernel: this.kernel ? this.kernel.slice() : this.unpacked(), bias: this.bias && this.bias.slice() };
  }

  /** The kernel unpacked from its packed form, or null before it exists. */
  private unpacked(): Float32Array | null {
    return this.packed && this.fromPacked(this.packed.backend.unpackWeights(this.packed.data));
  }

  /**
   * The k x n matrix the GEMM packs, from the kernel (taps * depth rows by units columns): the
   * kernel itself, or, for a layer whose GEMM multiplies by its transpose, that transpose.
   */
  protected toPacked(kernel: Float32Array, depth: number): { matrix: Float32Array; k: number; n: number } {
    return { matrix: kernel, k: this.taps * depth, n: this.units };
  }

  /** The kernel from the matrix toPacked gave. */
  protected fromPacked(matrix: Float32Array): Float32Array {
    return matrix;
  }

  /**
   * The kernel, unpacked: the layer's own array while one exists (the backward GEMMs read it
   * there; it is only replaced, never written in place, but by fit's optimizer between steps).
   */
  protected currentKernel(): Float32Array | null {
    return this.kernel ?? this.unpacked();
  }

  /** @internal fit trains the kernel and the bias through the Trainable methods below. */
  override trainable(): Trainable {
    return this;
  }

  /**
   * @internal fit's path to the weights: the layer's own kernel and bias arrays, which the
   * optimizer updates in place; the kernel stays unpacked beside its packed copy until
   * endTraining. weightsUpdated after each update. Cheaper than getWeights and setWeights, which
   * copy both and unpack the kernel (measured: 12 % of a 784-256-10 step on native, 21 % on wasm).
   */
  trainableWeights(): { kernel: Float32Array; bias: Float32Array | null } {
    this.training = true;
    this.kernel = this.currentKernel();
    if (!this.kernel) throw new Error(`Expected ${this.layerName} weights to exist before training (a forward makes them)`);
    return { kernel: this.kernel, bias: this.bias };
  }

  /** @internal The trainable weights changed in place: the next forward packs them again. */
  weightsUpdated(): void {
    this.dropPacked();
  }

  /**
   * @internal fit is done: the kernel is held once again, packed (a packed copy present is the
   * current one: every update drops it), or unpacked until the next forward packs it.
   */
  endTraining(): void {
    this.training = false;
    if (this.packed) this.kernel = null;
  }

  /** Replaces the kernel and/or bias (copied). A new kernel may change the input depth. */
  setWeights(weights: Partial<Weights>): void {
    const w = options('weights', weights, false);
    let depth = this.depth;
    let kernel = this.kernel;
    if (w.kernel !== undefined) {
      const k = float32Array('kernel', w.kernel), length = float32Length(k);
      const perDepth = this.taps * this.units;
      if (length === 0 || length % perDepth !== 0) {
        throw new RangeError(
          `Expected kernel length to be a positive multiple of ${perDepth} (${this.kernelLayout()}) for ${this.layerName} but received length ${length}`,
        );
      }
      kernel = k.slice();
      depth = length / perDepth;
    }
    let bias = this.bias;
    if (w.bias !== undefined && w.bias !== null) {
      if (!this.useBias) fail('type', 'no bias (useBias is false)', 'bias', w.bias);
      bias = float32Array('bias', w.bias, this.units).slice();
    }
    this.depth = depth;
    this.bias = bias ?? (this.useBias ? new Float32Array(this.units) : null);
    this.weightsChanged();
    if (kernel !== this.kernel) {
      this.dropPacked(); // a running call keeps what it reads (see the in-flight rule in backend.ts)
      this.kernel = kernel;
    }
  }

  private dropPacked(): void {
    if (this.packed) this.packed.backend.release(this.packed.data);
    this.packed = null;
    this.weightsChanged();
  }

  /**
   * The activation code of a step: linear when training asks for the logits; of a backward, the
   * derivative's (linear when dy is already with respect to the pre-activation).
   */
  protected activationFor(linear: boolean): ActivationCode {
    return linear ? Activation.linear : this.activationCode;
  }

  /**
   * A backward as one backend call (run.sync or run.async, given y, the unpacked kernel and the
   * forward's weights, for a y it must compute), its results as Gradients for x. The kernel is
   * read now: the layer's array, which only setWeights replaces and only fit's optimizer updates
   * (between steps); the backend copies it for an async call.
   */
  protected weightedGradCall(x: Tensor, packed: PackedWeights, run: {
    sync(y: Float32Array | null, kernel: Float32Array, forward: ForwardWeights): WeightedGrads;
    async(y: Float32Array | null, kernel: Float32Array, forward: ForwardWeights): Promise<WeightedGrads>;
  }): GradCall {
    const kernel = this.currentKernel() as Float32Array, forward = { packed, bias: this.bias };
    const wrap = (g: WeightedGrads) => {
      const dx = new Tensor(g.dx, x.shape);
      return g.db ? { dx, kernel: g.dw, bias: g.db } : { dx, kernel: g.dw };
    };
    return {
      sync: (y) => wrap(run.sync(y, kernel, forward)),
      async: (y) => run.async(y, kernel, forward).then(wrap),
    };
  }

  /** An NHWC input shape checked for outputShape: rank 4 and, once known, the input depth. */
  protected imageShape(inputShape: readonly number[]): number[] {
    const shape = checkShape('inputShape', inputShape);
    if (shape.length !== 4) {
      throw new RangeError(`Expected ${this.layerName} input shape of rank 4 (NHWC) but received [${shape.join(', ')}]`);
    }
    if (this.depth !== null && shape[3] !== this.depth) {
      throw new RangeError(`Expected input with ${this.depth} ${this.depthName} for ${this.layerName} but received shape [${shape.join(', ')}]`);
    }
    return shape;
  }

  /** Kernel layout, for error messages. */
  protected abstract kernelLayout(): string;

  /** The kernel packed for `b`, after checking (or learning) the input depth. */
  protected packedKernel(inputDepth: number, shape: readonly number[], b: Backend): PackedWeights {
    if (this.depth === null) this.depth = inputDepth;
    if (this.depth !== inputDepth) {
      throw new RangeError(
        `Expected input with ${this.depth} ${this.depthName} for ${this.layerName} (its kernel is ${this.kernelLayout()}) but received shape [${shape.join(', ')}]`,
      );
    }
    if (!this.packed || this.packed.backend !== b || !b.owns(this.packed.data)) {
      const fanIn = this.taps * inputDepth;
      const kernel = this.kernel ?? this.unpacked() ?? heUniform(fanIn * this.units, fanIn, this.seed);
      this.dropPacked();
      const m = this.toPacked(kernel, inputDepth);
      this.packed = { backend: b, data: b.packWeights(m.matrix, { k: m.k, n: m.n }) };
      this.kernel = this.training ? kernel : null;
    }
    return this.packed.data;
  }
}
