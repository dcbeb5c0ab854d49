// A Keras functional topology (class_name 'Model' in Keras 2.0-2.3, 'Functional' in 2.4+ and
// tfjs, Keras 3's functional config) -> a convkit Model. Each layer's inbound_nodes, in any of
// their three forms, name the tensors it reads: [[['conv1', 0, 0, {}], ...]] (Keras 2, tfjs),
// [['conv1', 0, 0]] without kwargs, or Keras 3's { args: [keras tensors], kwargs }. Layers come
// in any order; each is built once the tensors it reads exist. A run of single-input layers, each
// read by the next alone, is read as a Sequential's layers are (topology-read.ts): an activation
// folds into the linear layer before it and a ZeroPadding2D into the convolution after it.
// Models nested as layers (functional or Sequential) are read the same way. A layer applied more
// than once (shared weights) is refused, naming it.
import type { Layer } from '../layers/layer';
import type { MultiInputLayer } from '../layers/multi-input';
import { Sequential } from '../layers/sequential';
import type { SymbolicTensor } from '../layers/symbolic';
import { input, Model } from '../models/functional';
import { describe } from '../validate';
import { record } from './artifacts';
import { checkDtype, declaredShape, type KerasSequential, type LayerConfig, layerConfig, sequentialConfig, show } from './keras-config';
import { MERGE_CLASS_NAMES, readMergeLayer } from './merge-config';
import { Reader, readLayer } from './topology-read';
import type { WeightStore } from './weights';

/** The class names Keras gives a functional model. */
export const FUNCTIONAL_CLASS_NAMES: readonly string[] = ['Functional', 'Model'];
const FUNCTIONAL = FUNCTIONAL_CLASS_NAMES;

/** A tensor a layer reads: the layer that makes it, which of its nodes, which of its outputs. */
interface Ref {
  layer: string;
  tensor: number;
}

interface Spec {
  cfg: LayerConfig;
  /** The layer's entry in `layers` (for nested models: the whole entry). */
  raw: Record<string, unknown>;
  inbound: Ref[];
  outputs: SymbolicTensor[] | null;
}

/** One tensor reference: ['name', node, tensor, kwargs?] or a Keras 3 keras tensor. */
function ref(v: unknown, where: string): Ref {
  if (Array.isArray(v) && typeof v[0] === 'string') {
    const kwargs = v[3];
    if (kwargs !== undefined && kwargs !== null && Object.keys(kwargs as object).some((k) => k !== 'training')) {
      throw new RangeError(`${where}: call arguments ${show(kwargs)} are not supported (convkit reads layers called on their inputs alone)`);
    }
    return { layer: v[0], tensor: Number.isInteger(v[2]) ? (v[2] as number) : 0 };
  }
  const t = record(where, v, "tensor reference (['layer', node, tensor] or a Keras 3 keras tensor)");
  const history = (t.config as { keras_history?: unknown } | undefined)?.keras_history;
  if (t.class_name !== '__keras_tensor__' || !Array.isArray(history)) throw new TypeError(`Expected a keras tensor for ${where} but received ${describe(v)}`);
  return ref(history, where);
}

/** The tensors a layer's one inbound node reads, from any of the three forms. */
function inboundOf(cfg: LayerConfig, raw: Record<string, unknown>): Ref[] {
  const nodes = raw.inbound_nodes ?? [];
  if (!Array.isArray(nodes)) throw new TypeError(`${cfg.label}: expected array for inbound_nodes but received ${describe(nodes)}`);
  if (nodes.length > 1) {
    throw new RangeError(`${cfg.label}: it is applied ${nodes.length} times (shared weights), which convkit does not support; make one layer per place`);
  }
  if (!nodes.length) return [];
  const node = nodes[0] as unknown;
  if (Array.isArray(node)) return (typeof node[0] === 'string' ? [node] : node).map((r, i) => ref(r, `${cfg.label} inbound tensor ${i}`));
  const call = record(`${cfg.label} inbound node`, node, 'inbound node');
  const args = Array.isArray(call.args) ? call.args : [];
  const kwargs = record(`${cfg.label} kwargs`, call.kwargs ?? {}, 'object');
  if (Object.keys(kwargs).some((k) => k !== 'training' && k !== 'mask')) throw new RangeError(`${cfg.label}: call arguments ${show(kwargs)} are not supported`);
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return list.map((r: unknown, i: number) => ref(r, `${cfg.label} inbound tensor ${i}`));
}

/** input_layers / output_layers: [['name', node, tensor], ...], or Keras 3's single ['name', node, tensor]. */
function endpoints(v: unknown, where: string): Ref[] {
  if (!Array.isArray(v) || v.length === 0) throw new TypeError(`Expected non-empty array for ${where} but received ${describe(v)}`);
  return (typeof v[0] === 'string' ? [v] : v).map((r, i) => ref(r, `${where}[${i}]`));
}

class FunctionalReader {
  private readonly specs = new Map<string, Spec>();
  private readonly readers = new Map<string, number>();
  private readonly outputs: Ref[];
  private readonly inputs: Ref[];

  constructor(private readonly config: Record<string, unknown>, private readonly weights: WeightStore) {
    if (!Array.isArray(config.layers)) throw new TypeError(`Expected array for the functional model's config.layers but received ${describe(config.layers)}`);
    config.layers.forEach((l: unknown, i: number) => {
      const cfg = layerConfig(l, `layers[${i}]`), raw = l as Record<string, unknown>;
      if (this.specs.has(cfg.name)) throw new RangeError(`${cfg.label}: a second layer of this name (names must be unique)`);
      const inbound = inboundOf(cfg, raw);
      this.specs.set(cfg.name, { cfg, raw, inbound, outputs: null });
      for (const r of inbound) this.readers.set(r.layer, (this.readers.get(r.layer) ?? 0) + 1);
    });
    this.inputs = endpoints(config.input_layers, 'input_layers');
    this.outputs = endpoints(config.output_layers, 'output_layers');
    for (const r of [...this.inputs, ...this.outputs]) if (!this.specs.has(r.layer)) throw new RangeError(`Expected a layer named '${r.layer}' (in input_layers or output_layers) but the model has none`);
  }

  private tensor(r: Ref, owner: string): SymbolicTensor | null {
    const spec = this.specs.get(r.layer);
    if (!spec) throw new RangeError(`${owner}: reads layer '${r.layer}', which the model does not have`);
    if (!spec.outputs) return null;
    const t = spec.outputs[r.tensor];
    if (!t) throw new RangeError(`${owner}: reads output ${r.tensor} of layer '${r.layer}', which has ${spec.outputs.length}`);
    return t;
  }

  /** A single-input plain layer (not an input, a merge or a nested model). */
  private plain(spec: Spec): boolean {
    const c = spec.cfg.className;
    return spec.inbound.length === 1 && c !== 'InputLayer' && !MERGE_CLASS_NAMES.includes(c) && !FUNCTIONAL.includes(c) && c !== 'Sequential';
  }

  /** The run of plain layers from `spec`: each next one the only reader of the one before, which is no model output. */
  private run(spec: Spec): Spec[] {
    const run = [spec];
    for (;;) {
      const last = run[run.length - 1];
      if (this.readers.get(last.cfg.name) !== 1 || this.outputs.some((r) => r.layer === last.cfg.name)) return run;
      const next = [...this.specs.values()].find((s) => s.inbound.some((r) => r.layer === last.cfg.name))!;
      if (!this.plain(next)) return run;
      run.push(next);
    }
  }

  private build(spec: Spec, xs: SymbolicTensor[]): void {
    const { cfg } = spec;
    if (cfg.className === 'InputLayer') {
      cfg.only('sparse', false);
      cfg.only('ragged', false);
      checkDtype(cfg);
      const shape = declaredShape(cfg);
      if (!shape) throw new RangeError(`${cfg.label}: declares no input shape (batch_input_shape or batch_shape)`);
      cfg.checkNoOthers();
      spec.outputs = [input({ shape, name: cfg.name })];
    } else if (MERGE_CLASS_NAMES.includes(cfg.className)) {
      checkDtype(cfg);
      const layer = readMergeLayer(cfg) as MultiInputLayer;
      layer.name = cfg.name;
      spec.outputs = [layer.apply(xs)];
    } else if (FUNCTIONAL.includes(cfg.className) || cfg.className === 'Sequential') {
      const nested = cfg.className === 'Sequential' ? readNestedSequential(spec, xs[0], this.weights) : readFunctionalConfig(record(cfg.label, spec.raw.config, 'model config'), this.weights);
      nested.name = cfg.name;
      const out = nested instanceof Sequential ? nested.apply(xs[0]) : nested.apply(xs.length === 1 && nested.inputs.length === 1 ? xs[0] : xs);
      spec.outputs = Array.isArray(out) ? out : [out];
    } else {
      const run = this.run(spec);
      const r = new Reader([...xs[0].shape], this.weights);
      for (const s of run) {
        checkDtype(s.cfg);
        readLayer(r, s.cfg, false);
        s.cfg.checkNoOthers();
      }
      const out = r.layers().reduce((x: SymbolicTensor, l: Layer) => l.apply(x), xs[0]);
      run.forEach((s) => (s.outputs = [out])); // the run's inner tensors are read by the run alone
    }
  }

  read(): Model {
    let pending = [...this.specs.values()];
    while (pending.length) {
      const before = pending.length;
      for (const spec of pending) {
        if (spec.outputs) continue;
        const xs = spec.inbound.map((r) => this.tensor(r, spec.cfg.label));
        if (xs.every((x) => x !== null) && (xs.length > 0 || spec.cfg.className === 'InputLayer')) this.build(spec, xs as SymbolicTensor[]);
      }
      pending = pending.filter((s) => !s.outputs);
      if (pending.length === before) {
        throw new RangeError(`Expected every layer's inputs to come from the model's layers but ${pending.map((s) => s.cfg.label).join(', ')} cannot be reached from its inputs`);
      }
    }
    const tensors = (refs: Ref[], where: string) => refs.map((r) => this.tensor(r, where)!);
    const inputs = tensors(this.inputs, 'input_layers'), outputs = tensors(this.outputs, 'output_layers');
    const name = typeof this.config.name === 'string' ? this.config.name : undefined;
    return new Model({ inputs: inputs.length === 1 ? inputs[0] : inputs, outputs: outputs.length === 1 ? outputs[0] : outputs, ...(name ? { name } : {}) });
  }
}

/** A Sequential nested in a functional model: its layers read for the shape of the tensor it is applied to. */
function readNestedSequential(spec: Spec, x: SymbolicTensor, weights: WeightStore): Sequential {
  const k: KerasSequential = sequentialConfig(spec.raw.config, spec.cfg.label);
  const r = new Reader([...x.shape], weights);
  k.layers.forEach((cfg, i) => {
    checkDtype(cfg);
    readLayer(r, cfg, i === 0);
    cfg.checkNoOthers();
  });
  const layers = r.layers();
  if (!layers.length) throw new RangeError(`${spec.cfg.label}: holds no layer convkit runs`);
  return new Sequential(layers);
}

/** A functional model's config (name, layers, input_layers, output_layers) read into a Model. */
export function readFunctionalConfig(config: Record<string, unknown>, weights: WeightStore): Model {
  return new FunctionalReader(config, weights).read();
}

/** The whole model: read, every weight taken, and its input shape (the first input's) kept for save. */
export function readFunctional(config: unknown, weights: WeightStore): Model {
  const m = readFunctionalConfig(record('modelTopology.config', config, 'functional model config'), weights);
  weights.checkAllUsed();
  m.inputShape = [...m.inputs[0].shape];
  return m;
}

/** The input shape of a Sequential's config as its first layer (or a model nested first) or build_input_shape declares it, batch first. */
function sequentialInput(c: Record<string, unknown>, layers: Record<string, unknown>[]): unknown {
  const first = record('layers[0].config', layers[0]?.config ?? {}, 'object');
  const declared = first.batch_input_shape ?? first.batch_shape ?? (Array.isArray(first.input_shape) ? [null, ...first.input_shape] : undefined);
  if (declared !== undefined) return declared;
  if (FUNCTIONAL.includes(layers[0]?.class_name as string) && Array.isArray(first.layers)) {
    const inner = first.layers.find((l: Record<string, unknown>) => l.class_name === 'InputLayer') as Record<string, unknown> | undefined;
    const ic = inner?.config as Record<string, unknown> | undefined;
    if (ic) return ic.batch_input_shape ?? ic.batch_shape;
  }
  return c.build_input_shape;
}

/**
 * A Sequential's config that holds a model as a layer (transfer learning: Sequential([base,
 * GlobalAveragePooling2D(), Dense(n)])) as the functional config of the same chain: an input,
 * then each layer reading the one before.
 */
export function sequentialAsFunctional(config: unknown): Record<string, unknown> {
  const c = Array.isArray(config) ? { layers: config } : record('modelTopology.config', config, 'object with layers');
  const layers = (c.layers as Record<string, unknown>[]).filter((l) => l.class_name !== 'InputLayer');
  const shape = sequentialInput(c, c.layers as Record<string, unknown>[]);
  if (!Array.isArray(shape)) throw new RangeError('Expected the model to declare its input shape (batch_input_shape on its first layer, or an InputLayer) but it declares none');
  const name = (l: Record<string, unknown>, i: number) => ((l.config as Record<string, unknown> | undefined)?.name as string | undefined) ?? `layers[${i}]`;
  const input = `${typeof c.name === 'string' ? c.name : 'sequential'}_input`;
  const chained: Record<string, unknown>[] = layers.map((l, i) => ({ ...l, inbound_nodes: [[[i ? name(layers[i - 1], i - 1) : input, 0, 0, {}]]] }));
  if (chained.length) {
    // The input shape moves to the InputLayer.
    const first = { ...(chained[0].config as Record<string, unknown>) };
    for (const k of ['batch_input_shape', 'batch_shape', 'input_shape']) delete first[k];
    chained[0] = { ...chained[0], config: first };
  }
  return {
    name: c.name,
    layers: [{ class_name: 'InputLayer', config: { name: input, batch_input_shape: shape }, inbound_nodes: [] }, ...chained],
    input_layers: [[input, 0, 0]],
    output_layers: [[name(layers[layers.length - 1], layers.length - 1), 0, 0]],
  };
}
