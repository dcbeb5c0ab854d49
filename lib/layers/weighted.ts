import { Activation, type ActivationCode, type ActivationName } from '../activation';
import type { Backend, ForwardWeights, PackedWeights, Step, WeightedGrads } from '../backends/backend';
import type { GradCall } from '../grad/gradients';
import { Tensor } from '../tensor';
import { heUniform } from '../init';
import { checkShape } from '../shape';
import { fail, float32Array, float32Length, options } from '../validate';
import { type ChannelAffine, Layer, type Planned, type Weights } from './layer';
import type { Trainable } from './trainable';

/**
 * Shared by Conv2D, Dense and DepthwiseConv2D: a kernel of `depth * taps` rows by `units`
 * columns (packDims: DepthwiseConv2D's is `taps` by `depth * units`), an optional bias of one
 * float per column, He-uniform initialisation once the input depth is known, and the kernel
 * packed in panels once per backend (create once, run many).
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
  /**
   * The kernel and bias with a following BatchNormalization folded in (planFolded), for that
   * affine on that backend; the layer's own weights stay as they are.
   */
  private folded: { fold: ChannelAffine; backend: Backend; packed: PackedWeights; bias: Float32Array } | null = null;

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
    return { matrix: kernel, ...this.packDims(depth) };
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
  override trainer(): Trainable {
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
      const perDepth = this.kernelPerDepth();
      if (length === 0 || length % perDepth !== 0) {
        throw new RangeError(
          `Expected kernel length to be a positive multiple of ${perDepth} (${this.kernelLayout()}) for ${this.layerName} but received length ${length}`,
        );
      }
      kernel = k.slice();
      depth = length / perDepth;
    }
    let bias = this.bias;
    const columns = this.columns(depth);
    if (w.bias !== undefined && w.bias !== null) {
      if (!this.useBias) fail('type', 'no bias (useBias is false)', 'bias', w.bias);
      bias = float32Array('bias', w.bias, columns ?? undefined).slice();
    }
    if (bias && columns !== null && bias.length !== columns) bias = null; // a new kernel's depth changed the output channels
    this.depth = depth;
    this.bias = bias ?? (this.useBias && columns !== null ? new Float32Array(columns) : null);
    this.weightsChanged();
    if (kernel !== this.kernel) {
      this.dropPacked(); // a running call keeps what it reads (see the in-flight rule in backend.ts)
      this.kernel = kernel;
    }
  }

  /** A change of weights drops the folded copy too (the next fold is made from the new ones). */
  protected override weightsChanged(): void {
    if (this.folded) this.folded.backend.release(this.folded.packed);
    this.folded = null;
    super.weightsChanged();
  }

  /** The activation runs after the GEMM: an affine can be folded in only when it is linear. */
  override foldsChannelAffine(): boolean {
    return this.activationCode === Activation.linear;
  }

  /**
   * The layer's step with the affine after it in its weights, and its activation after it, made once per affine and backend:
   * kernel column o times scale[o] (rounded once), bias[o] * scale[o] + shift[o] (in float64,
   * rounded once).
   */
  protected override planFolded(shape: readonly number[], b: Backend, fold: ChannelAffine): Planned {
    const depth = shape[shape.length - 1], n = this.columns(depth) as number;
    if (!this.foldsChannelAffine() || fold.scale.length !== n) {
      throw new RangeError(`Expected a linear ${this.layerName} of ${n} output channels before a folded BatchNormalization of ${fold.scale.length} channels`);
    }
    const planned = this.plan(shape, b, false); // checks the shape, makes and packs the kernel
    const f = this.folded;
    if (!f || f.fold !== fold || f.backend !== b || !b.owns(f.packed)) {
      const kernel = this.scaleOutputChannels(this.currentKernel() as Float32Array, fold.scale);
      const bias = new Float32Array(n);
      for (let o = 0; o < n; o++) bias[o] = (this.bias ? this.bias[o] : 0) * fold.scale[o] + fold.shift[o];
      const m = this.toPacked(kernel, depth), packed = b.packWeights(m.matrix, { k: m.k, n: m.n });
      if (f) f.backend.release(f.packed);
      this.folded = { fold, backend: b, packed, bias };
    }
    const params = { ...planned.step!.params, activation: fold.activation };
    const step = { ...planned.step, packed: this.folded!.packed, bias: this.folded!.bias, params } as Step;
    return { shape: planned.shape, step };
  }

  /**
   * The kernel with output channel o scaled by scale[o]: column o of the kernel as the rows x
   * scale.length matrix it is (Conv2D's [taps * depth, filters], DepthwiseConv2D's [taps, depth *
   * multiplier]). A layer whose kernel holds its output channels otherwise overrides it.
   */
  protected scaleOutputChannels(kernel: Float32Array, scale: Float32Array): Float32Array {
    const out = new Float32Array(kernel.length), n = scale.length;
    for (let i = 0; i < kernel.length; i += n) for (let o = 0; o < n; o++) out[i + o] = kernel[i + o] * scale[o];
    return out;
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

  /** Kernel floats per input channel (Conv2D's groups share the channels out among them). */
  protected kernelPerDepth(): number {
    return this.taps * this.units;
  }

  /** Kernel layout, for error messages. */
  protected abstract kernelLayout(): string;

  /** A convolution's NHWC output shape: rank and channels checked, then the window's params. */
  protected convOutputShape(inputShape: readonly number[], params: (shape: number[]) => { n: number; oh: number; ow: number; oc: number }): number[] {
    const p = params(this.imageShape(inputShape));
    return [p.n, p.oh, p.ow, p.oc];
  }

  /**
   * Output channels (the kernel matrix's columns, the bias's floats) for an input depth, or null
   * while it is unknown: units here; DepthwiseConv2D's depend on the depth.
   */
  protected columns(_depth: number | null): number | null {
    return this.units;
  }

  /** The kernel as the matrix the backend packs: taps * depth rows by units columns here. */
  protected packDims(depth: number): { k: number; n: number } {
    return { k: this.taps * depth, n: this.units };
  }

  /** The kernel packed for `b`, after checking (or learning) the input depth. */
  protected packedKernel(inputDepth: number, shape: readonly number[], b: Backend): PackedWeights {
    if (this.depth === null) this.depth = inputDepth;
    if (this.depth !== inputDepth) {
      throw new RangeError(
        `Expected input with ${this.depth} ${this.depthName} for ${this.layerName} (its kernel is ${this.kernelLayout()}) but received shape [${shape.join(', ')}]`,
      );
    }
    const columns = this.columns(inputDepth) as number;
    if (this.bias && this.bias.length !== columns) {
      throw new RangeError(`Expected bias of length ${columns} for ${this.layerName} with ${inputDepth} ${this.depthName} but received length ${this.bias.length}`);
    }
    if (this.useBias && !this.bias) this.bias = new Float32Array(columns);
    if (!this.packed || this.packed.backend !== b || !b.owns(this.packed.data)) {
      const dims = this.packDims(inputDepth), fanIn = dims.k;
      const kernel = this.kernel ?? this.unpacked() ?? heUniform(fanIn * dims.n, fanIn, this.seed);
      this.dropPacked();
      const m = this.toPacked(kernel, inputDepth);
      this.packed = { backend: b, data: b.packWeights(m.matrix, { k: m.k, n: m.n }) };
      this.kernel = this.training ? kernel : null;
    }
    return this.packed.data;
  }
}
