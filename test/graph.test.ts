// Graphs of operators on random DAGs: a value read by several nodes, several outputs, values
// alive over different spans of nodes (so the liveness arena reuses space in many patterns). The
// oracle is each layer's own forward on the values one by one (every intermediate a new array),
// so any overlap in the arena, or a node reading the wrong value, changes the bits.
import { expect } from 'chai';
import * as ck from '../lib/index';
import type { Step } from '../lib/backends/backend';
import { backend } from '../lib/backends/select';
import { forEachBackend } from './helpers/backends';
import { pick, randomArray, randomInt, rng } from './helpers/random';

const SHAPE = [2, 6, 6, 8];
const FLOATS = 2 * 6 * 6 * 8;
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A layer that keeps the [2, 6, 6, 8] shape (8 channels: convolutions read their input in place, no copy), so that any node may read any value. */
function randomLayer(r: () => number, seed: number): ck.Layer {
  return pick(r, ['conv', 'conv', 'pool'] as const) === 'pool'
    ? new ck.MaxPool2D({ poolSize: pick(r, [1, 2, 3]), strides: 1, padding: 'same' })
    : new ck.Conv2D({ filters: 8, kernelSize: pick(r, [1, 3]), padding: 'same', seed, activation: pick(r, ['linear', 'relu', 'sigmoid'] as const) });
}

forEachBackend('graphs of operators', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`random DAG ${seed}: every output has the bits of the layers run one by one; the arena holds no more than the intermediates`, async () => {
      const r = rng(seed), b = backend();
      const nodes = randomInt(r, 2, 10);
      const layers = Array.from({ length: nodes }, (_, i) => randomLayer(r, seed * 100 + i));
      // Node i reads a value below its own: the input (0) or an earlier node's (1 + j).
      const reads = layers.map((_, i) => randomInt(r, 0, i));
      const outputs = [nodes, ...Array.from({ length: nodes - 1 }, (_, i) => i + 1).filter(() => r() < 0.3)];
      const steps = layers.map((l) => l.planStep(SHAPE, b).step as Step);
      const graph = b.createGraph(1, steps.map((s, i) => ({ operator: b.createOperator(s), input: reads[i] })), outputs);
      const shape = graph.reshape(steps.map((s) => s.params));

      const x = new ck.Tensor(randomArray(FLOATS, seed), SHAPE);
      const values: ck.Tensor[] = [x];
      layers.forEach((l, i) => values.push(l.forward(values[reads[i]])));
      const expected = outputs.map((v) => bits(values[v].data));
      expect(graph.run([x.data]).map(bits)).to.deep.equal(expected);
      expect((await graph.runAsync([x.data])).map(bits)).to.deep.equal(expected);

      const intermediates = nodes - outputs.length;
      expect(shape.outputs).to.deep.equal(outputs.map(() => FLOATS));
      expect(shape.arenaBytes).to.be.at.most(intermediates * FLOATS * 4);
      if (intermediates > 0) expect(shape.arenaBytes).to.be.at.least(FLOATS * 4);
    });
  }

  it('a new input shape is a new schedule; the graph runs either shape as reshaped last', () => {
    const b = backend();
    const conv = new ck.Conv2D({ filters: 3, kernelSize: 3, seed: 7 });
    const pool = new ck.MaxPool2D();
    const graph = (shape: number[]) => {
      const steps = [conv.planStep(shape, b).step as Step, pool.planStep(conv.outputShape(shape), b).step as Step];
      return { steps, graph: b.createGraph(1, steps.map((s, i) => ({ operator: b.createOperator(s), input: i })), [2]) };
    };
    const { steps, graph: g } = graph([1, 10, 10, 2]);
    const small = graph([1, 6, 6, 2]).steps;
    for (const [shape, ss] of [[[1, 10, 10, 2], steps], [[1, 6, 6, 2], small]] as [number[], Step[]][]) {
      expect(g.reshape(ss.map((s) => s.params)).outputs).to.deep.equal([pool.outputShape(conv.outputShape(shape)).reduce((p, d) => p * d, 1)]);
      const x = new ck.Tensor(randomArray(shape.reduce((p, d) => p * d, 1), 9), shape);
      expect(bits(g.run([x.data])[0])).to.deep.equal(bits(pool.forward(conv.forward(x)).data));
    }
  });
});
