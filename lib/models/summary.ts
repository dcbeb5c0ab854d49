// A functional model's summary as Keras prints it: a row per layer (its name and class, output
// shape, parameter count, the layers it reads), the total, and what convkit adds: the arena its
// graph plans for one sample, where every intermediate value lives.
import { backend } from '../backends/select';
import { Layer } from '../layers/layer';
import { MultiInputLayer } from '../layers/multi-input';
import { Sequential } from '../layers/sequential';
import type { Applicable, Dim, SymbolicNode } from '../layers/symbolic';

/** What the summary reads of a model. */
export interface Summarized {
  readonly name: string;
  readonly nodes: readonly SymbolicNode[];
  readonly inputs: readonly { name: string; shape: readonly Dim[] }[];
  /** Bytes of the planned arena for these input shapes (batch first). */
  planned(shapes: readonly (readonly number[])[]): { arenaBytes: number };
  readonly layers: readonly Applicable[];
}

const show = (s: readonly Dim[]) => `[${[null, ...s].map(String).join(', ')}]`;

/** A layer's weights made (as its first forward would) when it has none yet and its input shape is known. */
function paramsOf(layer: Applicable, input: readonly Dim[] | undefined): number {
  if (layer instanceof Sequential) return layer.layers.reduce((n, l) => n + paramsOf(l, undefined), 0);
  if (layer instanceof MultiInputLayer) return 0;
  if (!(layer instanceof Layer)) return (layer as unknown as Summarized).layers.reduce((n, l) => n + paramsOf(l, undefined), 0);
  if (layer.getWeights().kernel === null && input && input.every((d) => d !== null)) layer.planStep([1, ...(input as number[])], backend());
  return Object.values(layer.getWeights()).reduce((n, w) => n + (w ? w.length : 0), 0);
}

function table(rows: string[][], widths: number[]): string[] {
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join(' ').trimEnd());
}

/** The summary's lines. */
export function summaryLines(model: Summarized): string[] {
  const rows: string[][] = [['Layer (type)', 'Output shape', 'Param #', 'Connected to']];
  for (const t of model.inputs) rows.push([`${t.name} (InputLayer)`, show(t.shape), '0', '']);
  let total = 0;
  for (const node of model.nodes) {
    const params = paramsOf(node.layer, node.inputs[0]?.shape);
    total += params;
    const shapes = node.outputs.map((t) => show(t.shape)).join(', ');
    rows.push([`${node.layer.name} (${node.layer.constructor.name})`, shapes, String(params), node.inputs.map((t) => t.name).join(', ')]);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)) + 2);
  const rule = '_'.repeat(widths.reduce((a, b) => a + b, 0));
  const known = model.inputs.every((t) => t.shape.every((d) => d !== null));
  const arena = known ? `${(model.planned(model.inputs.map((t) => [1, ...(t.shape as number[])])).arenaBytes / 1024).toFixed(1)} KiB for one sample` : 'planned when the input size is known';
  const [head, ...body] = table(rows, widths);
  return [`Model: "${model.name}"`, rule, head, '='.repeat(rule.length), ...body, '='.repeat(rule.length), `Total params: ${total}`, `Intermediate values (arena): ${arena}`, rule];
}
