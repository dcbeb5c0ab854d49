// A convkit functional Model -> a Keras functional topology ('Functional', as tfjs-layers 4 and
// Keras 2.4+ write it: layers with inbound_nodes [[['name', 0, 0, {}], ...]], input_layers and
// output_layers) and its weights under each layer's name. Models nested as layers are written
// opened up, their layers in the outer model (tfjs and Keras load the same computation). A layer
// that Keras says as several (a Conv2D with explicit pads: a ZeroPadding2D before it) is written
// as a chain, the extra layers named after it.
import type { Layer } from '../layers/layer';
import { MultiInputLayer } from '../layers/multi-input';
import type { FunctionalSource } from '../layers/flat-types';
import { type Dim, mergeShape, nextShape } from '../models/layer-shapes';
import { mergeLayerConfig } from './merge-config';
import { writeLayer, Writer } from './topology-write';
import type { NamedWeight } from './weights';

type KerasRef = [string, number, number, Record<string, never>];

/** The classes the writer puts around a layer's own: before it (ZeroPadding2D, Flatten) or after (its activation). */
const AROUND = new Set(['ZeroPadding2D', 'Flatten']);

export function writeFunctional(model: FunctionalSource): { modelTopology: Record<string, unknown>; weights: NamedWeight[] } {
  const flat = model.flat(), w = new Writer(null), used = new Set<string>();
  const unique = (name: string): string => {
    let n = name;
    for (let k = 1; used.has(n); k++) n = `${name}_${k}`;
    used.add(n);
    return n;
  };
  const ref: KerasRef[] = [], shape: Dim[][] = [];
  const entries: Record<string, unknown>[] = [];
  const inputs = model.inputs.map((t, i) => {
    const name = unique(t.name);
    ref[i] = [name, 0, 0, {}];
    shape[i] = [...t.shape];
    entries.push({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...t.shape], dtype: 'float32', sparse: false, name }, name, inbound_nodes: [] });
    return ref[i];
  });
  flat.entries.forEach((e, k) => {
    const label = `layer '${e.layer.name}'`, reads = e.inputs.map((v) => ref[v]);
    if (e.layer instanceof MultiInputLayer) {
      shape[e.output] = mergeShape(e.layer, e.inputs.map((v) => shape[v]), label);
      const name = unique(e.layer.name), { class_name, config } = mergeLayerConfig(e.layer, name);
      entries.push({ class_name, config, name, inbound_nodes: [reads] });
      ref[e.output] = [name, 0, 0, {}];
      return;
    }
    const layer = e.layer as Layer, x = shape[e.inputs[0]];
    shape[e.output] = nextShape(layer, x, label);
    const firstLayer = w.layers.length, firstWeight = w.weights.length;
    writeLayer(w, layer, x, `${label} (flattened entry ${k})`);
    const pushed = w.layers.slice(firstLayer);
    const main = Math.max(0, pushed.findIndex((l) => !AROUND.has(l.class_name)));
    let previous = reads;
    pushed.forEach((l, i) => {
      const old = l.config.name as string;
      const name = unique(i === main ? layer.name : `${layer.name}_${(l.class_name as string).toLowerCase()}`);
      for (const wt of w.weights.slice(firstWeight)) if (wt.name.startsWith(`${old}/`)) wt.name = name + wt.name.slice(old.length);
      entries.push({ class_name: l.class_name, config: { ...l.config, name, trainable: layer.trainable }, name, inbound_nodes: [previous] });
      previous = [[name, 0, 0, {}]];
    });
    ref[e.output] = pushed.length ? previous[0] : reads[0];
  });
  const modelTopology = {
    class_name: 'Functional',
    config: { name: model.name, layers: entries, input_layers: inputs.map((r) => r.slice(0, 3)), output_layers: flat.outputs.map((v) => ref[v].slice(0, 3)) },
    backend: 'tensor_flow.js',
  };
  return { modelTopology, weights: w.weights };
}
