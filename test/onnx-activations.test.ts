// The ONNX backend test vectors of the activations (test/fixtures/onnx/activations, see its
// README) whose semantics a convkit activation has, mapped onto it: the values go through a Dense
// with kernel [1] (softmax: an identity kernel over the last axis), which hands them to the
// activation unchanged; LeakyRelu and Elu with their alpha through the LeakyReLU and ELU layers,
// PRelu through PReLU and a softmax over a leading axis through Softmax with that axis.
// The cases left out, and why, are listed in NOT_MAPPED.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { forEachBackend } from './helpers/backends';

interface OnnxTensor { name: string; dims: number[]; data: number[] | null }
interface OnnxCase { case: string; op: string; attributes: Record<string, unknown>; inputs: OnnxTensor[]; outputs: OnnxTensor[] }

const DIR = join(__dirname, 'fixtures', 'onnx', 'activations');
const CASES: OnnxCase[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')));

/** The conformance cases of these ops that no convkit activation computes. */
export const NOT_MAPPED: Record<string, string> = {
  test_selu: 'alpha 2 and gamma 3: selu has fixed constants',
  test_selu_example: 'alpha 2 and gamma 3, as test_selu',
  test_hardsigmoid: 'alpha 0.5, beta 0.6: hard_sigmoid is 0.2 x + 0.5',
  test_hardsigmoid_example: 'alpha 0.5, beta 0.6, as test_hardsigmoid',
  test_clip: 'bounds [-1, 1]: the clamps convkit names are relu [0, inf] and relu6 [0, 6]',
  test_clip_example: 'bounds [-1, 1], as test_clip',
  test_clip_inbounds: 'bounds [-5, 5], as test_clip',
  test_clip_outbounds: 'bounds [-5, 5], as test_clip',
  test_clip_splitbounds: 'bounds [-5, 5], as test_clip',
  test_clip_min_greater_than_max: 'bounds [2, 1], as test_clip',
  test_clip_default_max: 'max 0 alone, as test_clip',
};

/** The activation an ONNX node computes, when it is one of convkit's. */
function activationOf(t: OnnxCase): ck.ActivationName {
  const a = t.attributes;
  switch (t.op) {
    case 'Relu': return 'relu';
    case 'Elu': return 'elu';
    case 'Selu': return 'selu';
    case 'HardSigmoid': return 'hard_sigmoid';
    case 'HardSwish': return 'hard_swish';
    case 'Gelu': return a.approximate === 'tanh' ? 'gelu_new' : 'gelu';
    case 'Sigmoid': return 'sigmoid';
    case 'Tanh': return 'tanh';
    case 'Softmax': return 'softmax';
    case 'Clip': {
      const min = t.inputs[1]?.name ? t.inputs[1].data![0] : -Infinity, max = t.inputs[2]?.name ? t.inputs[2].data![0] : Infinity;
      if (min === -Infinity && max === Infinity) return 'linear';
      if (min === 0 && max === Infinity) return 'relu';
      if (min === 0 && max === 6) return 'relu6';
      throw new Error(`${t.case}: Clip [${min}, ${max}] is not a convkit activation`);
    }
    default: throw new Error(`no runner for ONNX op ${t.op}`);
  }
}

/**
 * The outputs were computed by ONNX's float32 reference, each within a few float32 roundings of
 * the exact value (and ours within half an ulp): 4 ulps of the result, plus 4 ulps of the scale of
 * the term that cancels where a float32 formula does (gelu's 1 + erf(x / sqrt 2): x; elu's and
 * selu's exp(x) - 1: 1, times selu's scale * alpha < 2).
 */
function tolerance(op: string, x: number, y: number): number {
  const cancelled = op === 'Gelu' ? Math.abs(x) : op === 'Elu' || op === 'Selu' ? 2 : 0;
  return 2 ** -22 * (Math.abs(y) + cancelled) + 2 ** -149;
}

/**
 * LeakyRelu (ONNX's default alpha 0.01) and Elu (1) with their alpha: the layers of those names,
 * on a column; Softmax over a leading axis: the Softmax layer with that axis, and PRelu: the PReLU
 * layer (a slope of x's shape: unshared on [1, ...x]; of its last axis: sharing the others), on x's shape.
 */
function layerOf(t: OnnxCase): { layer: ck.Layer; shape: number[] } | null {
  const alpha = t.attributes.alpha as number | undefined, dims = t.inputs[0].dims, column = [t.inputs[0].data!.length, 1];
  if (t.op === 'LeakyRelu') return { layer: new ck.LeakyReLU({ alpha: alpha ?? 0.01 }), shape: column };
  if (t.op === 'Elu' && alpha !== undefined && alpha !== 1) return { layer: new ck.ELU({ alpha }), shape: column };
  const axis = t.attributes.axis as number | undefined;
  if (t.op === 'Softmax' && (axis === 0 || axis === 1)) return { layer: new ck.Softmax({ axis }), shape: dims };
  if (t.op === 'PRelu') {
    const slope = t.inputs[1], whole = slope.dims.join() === dims.join();
    const layer = new ck.PReLU({ alpha: slope.data!, sharedAxes: whole ? null : dims.slice(2).map((_, i) => i + 1) });
    return { layer, shape: whole ? [1, ...dims] : dims };
  }
  return null;
}

function runCase(t: OnnxCase): void {
  const own = layerOf(t);
  if (own) return expectOutputs(t, own.layer.forward(new ck.Tensor(Float32Array.from(t.inputs[0].data!), own.shape)).data);
  const x = t.inputs[0], activation = activationOf(t);
  const cols = activation === 'softmax' ? x.dims[x.dims.length - 1] : 1, rows = x.data!.length / cols;
  const kernel = new Float32Array(cols * cols).map((_, i) => (i % (cols + 1) === 0 ? 1 : 0));
  const dense = new ck.Dense({ units: cols, useBias: false, activation, kernel });
  expectOutputs(t, dense.forward(new ck.Tensor(Float32Array.from(x.data!), [rows, cols])).data);
}

function expectOutputs(t: OnnxCase, y: Float32Array): void {
  const x = t.inputs[0], expected = t.outputs[0];
  expect(y.length).to.equal(expected.data!.length);
  y.forEach((v, i) => {
    const e = expected.data![i], tol = tolerance(t.op, x.data![i], e);
    if (!(Math.abs(v - e) <= tol)) expect.fail(`${t.case} [${i}]: f(${x.data![i]}) = ${v}, ONNX ${e}, tol ${tol}`);
  });
}

forEachBackend('ONNX conformance vectors of the activations', () => {
  it('has the 29 mapped vectors, none of them also listed as not mapped', () => {
    expect(CASES).to.have.length(29);
    for (const t of CASES) expect(NOT_MAPPED, t.case).not.to.have.property(t.case);
  });
  for (const t of CASES) it(`${t.op}: ${t.case}`, () => runCase(t));
});
