// Graphs of operators on random DAGs: a value read by several nodes, nodes reading two values
// (merges), several outputs, values alive over different spans of nodes (so the liveness arena
// reuses space in many patterns). The oracle is each op run on its own on the values one by one
// (every intermediate a new array), so any overlap in the arena (a merge's second input
// overwritten before it ran), or a node reading the wrong value, changes the bits.
import { expect } from 'chai';
import * as ck from '../lib/index';
import type { Step } from '../lib/backends/backend';
import { backend } from '../lib/backends/select';
import { forEachBackend } from './helpers/backends';
import { MERGE } from '../lib/generated/kernels';
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

/** A merge of two [2, 6, 6, 8] values into one of the same shape. */
function randomMerge(r: () => number): Step {
  const [n, h, w, c] = SHAPE;
  const mode = pick(r, Object.values(MERGE));
  return { op: 'merge', params: { an: n, ah: h, aw: w, ac: c, bn: n, bh: h, bw: w, bc: c, mode, divisor: pick(r, [0, 2]) } };
}

/** The step run on its own, through a fresh operator: the oracle of one node. */
function runAlone(s: Step, xs: Float32Array[]): Float32Array {
  const b = backend(), op = b.createOperator(s);
  op.reshape(s.params);
  const y = op.run(xs);
  op.release();
  return y;
}

forEachBackend('graphs of operators', () => {
  for (let seed = 1; seed <= 16; seed++) {
    it(`random DAG ${seed}: every output has the bits of the ops run one by one; the arena holds no more than the intermediates`, async () => {
      const r = rng(seed), b = backend();
      const nodes = randomInt(r, 2, 10);
      // Node i reads values below its own: the input (0) or an earlier node's (1 + j); a merge reads two.
      const steps = Array.from({ length: nodes }, (_, i) => (i > 0 && r() < 0.4 ? randomMerge(r) : randomLayer(r, seed * 100 + i).planStep(SHAPE, b).step as Step));
      const reads = steps.map((s, i) => (s.op === 'merge' ? [randomInt(r, 0, i), randomInt(r, 0, i)] : [randomInt(r, 0, i)]));
      const outputs = [nodes, ...Array.from({ length: nodes - 1 }, (_, i) => i + 1).filter(() => r() < 0.3)];
      const graph = b.createGraph(1, steps.map((s, i) => ({ operator: b.createOperator(s), inputs: reads[i] })), outputs);
      const shape = graph.reshape(steps.map((s) => s.params));

      const x = new ck.Tensor(randomArray(FLOATS, seed), SHAPE);
      const values: Float32Array[] = [x.data];
      steps.forEach((s, i) => values.push(runAlone(s, reads[i].map((v) => values[v]))));
      const expected = outputs.map((v) => bits(values[v]));
      expect(graph.run([x.data]).map(bits)).to.deep.equal(expected);
      expect((await graph.runAsync([x.data])).map(bits)).to.deep.equal(expected);
      // Runs after the first reuse its arena as that left it; runs at once take arenas of their own.
      const together = await Promise.all([graph.runAsync([x.data]), graph.runAsync([x.data])]);
      for (const ys of [...together, graph.run([x.data])]) expect(ys.map(bits)).to.deep.equal(expected);

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
      return { steps, graph: b.createGraph(1, steps.map((s, i) => ({ operator: b.createOperator(s), inputs: [i] })), [2]) };
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
