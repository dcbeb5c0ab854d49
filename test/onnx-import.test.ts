// The ONNX conformance vectors (test/fixtures/onnx, its activations/ and import/ folders: all 156
// of ../shared/conformance/onnx) run through the ONNX importer as one-node models built from each
// vector's attributes: the first input is the graph input (the inputs of Concat, and those of Add
// and Mul of its dims, too), the others initializers. Both layouts of the model's 4-D edges.
// Within ONNX's own tolerance, rtol 1e-3 and atol 1e-7. The cases the importer refuses are listed
// with why, and each must be refused with a message naming the node and its op.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { buildOnnxModel } from '../lib/onnx/build';
import type { OnnxGraph, OnnxTensor } from '../lib/onnx/graph';
import { forEachBackend } from './helpers/backends';
import { nchwToNhwc, nhwcToNchw } from '../suite/layout';

interface VectorTensor { name: string; dims: number[]; dtype?: string; data: number[] | null }
interface Vector { case: string; op: string; attributes: Record<string, unknown>; inputs: VectorTensor[]; outputs: VectorTensor[] }

const ROOT = join(__dirname, 'fixtures', 'onnx');
const VECTORS: Vector[] = ['', 'activations', 'import'].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(ROOT, d, f), 'utf8')) as Vector))
  .filter((t, i, all) => all.findIndex((u) => u.case === t.case) === i) // test_relu is in two folders
  .sort((a, b) => a.case.localeCompare(b.case));

/** The vectors the importer refuses, and why (each refusal is checked below). */
export const REFUSED: Record<string, string> = {
  test_concat_1d_axis_0: 'joins along axis 0, the batch axis',
  test_concat_1d_axis_negative_1: 'joins along axis -1 of a rank-1 tensor, the batch axis',
  test_concat_2d_axis_0: 'joins along the batch axis',
  test_concat_2d_axis_negative_2: 'axis -2 of rank 2, the batch axis',
  test_concat_3d_axis_0: 'joins along the batch axis',
  test_concat_3d_axis_negative_3: 'axis -3 of rank 3, the batch axis',
  test_convtranspose_dilations: 'dilations 2: Conv2DTranspose runs undilated kernels',
  test_convtranspose_group_2: 'group 2: convkit has no grouped transposed convolution',
  test_convtranspose_group_2_image_3: 'group 2, as test_convtranspose_group_2',
  test_flatten_axis0: 'axis 0 merges the batch axis into the rows',
  test_flatten_axis2: 'axis 2 of [2, 3, 4, 5] gives 6 rows: it merges the batch axis with the channels',
  test_flatten_axis3: 'axis 3, as test_flatten_axis2',
  test_flatten_negative_axis1: 'axis -1 (3), as test_flatten_axis2',
  test_flatten_negative_axis2: 'axis -2 (2), as test_flatten_axis2',
  test_flatten_negative_axis4: 'axis -4 (0), as test_flatten_axis0',
  test_gemm_all_attributes: 'transA 1 transposes the tensor with its batch axis',
  test_gemm_default_matrix_bias: 'C [3, 4] differs per row (per sample): Dense adds a bias per unit',
  test_gemm_transposeA: 'transA 1, as test_gemm_all_attributes',
  test_maxpool_with_argmax_2d_precomputed_pads: 'its Indices output: convkit produces no argmax',
  test_maxpool_with_argmax_2d_precomputed_strides: 'its Indices output, as the case above',
  test_prelu_example: 'slope [3, 4, 5] varies along the first axis, the batch axis',
  test_reshape_allowzero_reordered: 'an empty tensor (dims [0, 3, 4])',
  test_reshape_negative_extended_dims: 'shape [-1, 2, 3, 4] changes the first axis (2 -> 1)',
  test_reshape_one_dim: 'shape [24] merges the batch axis',
  test_reshape_reordered_all_dims: 'shape [4, 2, 3] changes the first axis',
  test_resize_downsample_scales_linear: 'factor 0.6: UpSampling2D only enlarges',
  test_resize_downsample_scales_linear_align_corners: 'factor 0.6, as above',
  test_resize_downsample_scales_linear_antialias: 'factor 0.6, as above',
  test_resize_downsample_scales_linear_half_pixel_symmetric: 'factor 0.6, as above',
  test_resize_upsample_scales_linear_align_corners: 'align_corners: convkit resizes with half-pixel centers',
  test_resize_upsample_scales_linear_half_pixel_symmetric: 'factors 2.3 and 2.94 are not integers',
  test_resize_upsample_sizes_nearest: 'sizes 7x8 from 2x2: factor 3.5',
  test_resize_upsample_sizes_nearest_axes_2_3: 'factor 3.5, as above',
  test_resize_upsample_sizes_nearest_axes_3_2: 'factor 3.5, as above',
  test_resize_upsample_sizes_nearest_ceil_half_pixel: "nearest_mode 'ceil' reads the next cell (UpSampling2D repeats each one)",
  test_resize_upsample_sizes_nearest_floor_align_corners: 'align_corners maps outputs onto the input otherwise than a repeat',
  test_resize_upsample_sizes_nearest_not_larger: 'not_larger keeps the aspect at factor 3.5',
  test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric: "asymmetric with 'round_prefer_ceil' reads the next cell at ties",
  test_softmax_axis_0: 'softmax over the batch axis',
};

/** The one-node graph of a vector: opset 20 (the vectors' semantics; Upsample's are opset 9's). */
export function vectorGraph(t: Vector): OnnxGraph {
  const first = t.inputs[0];
  const isInput = (v: VectorTensor, i: number) => i === 0 || t.op === 'Concat' || ((t.op === 'Add' || t.op === 'Mul') && v.dims.join() === first.dims.join());
  const tensor = (v: VectorTensor): OnnxTensor => ({
    name: v.name, dims: v.dims, type: v.dtype === 'int64' ? 'int64' : 'float32',
    data: v.dtype === 'int64' ? v.data! : Float32Array.from(v.data!),
  });
  const present = t.inputs.map((v, i) => ({ v, i })).filter(({ v }) => v.name && v.data);
  return {
    name: t.case,
    opset: t.op === 'Upsample' ? 9 : 20,
    nodes: [{ name: t.case, opType: t.op, inputs: t.inputs.map((v) => (v.name && v.data ? v.name : '')), outputs: t.outputs.map((o) => o.name), attributes: t.attributes as OnnxGraph['nodes'][0]['attributes'] }],
    inputs: present.filter(({ v, i }) => isInput(v, i)).map(({ v }) => ({ name: v.name, type: 'float32', dims: v.dims })),
    initializers: present.filter(({ v, i }) => !isInput(v, i)).map(({ v }) => tensor(v)),
    outputs: t.outputs.slice(0, 1).map((o) => ({ name: o.name, type: 'float32', dims: o.dims })),
  };
}

/** A vector's input as the model takes it: 4-D NHWC (or as is for 'nchw'), rank 1 as [n, 1]. */
function feed(v: VectorTensor, layout: 'nhwc' | 'nchw'): ck.Tensor {
  const data = Float32Array.from(v.data!), d = v.dims;
  if (d.length === 4 && layout === 'nhwc') return new ck.Tensor(nchwToNhwc(data, d), [d[0], d[2], d[3], d[1]]);
  return new ck.Tensor(data, d.length === 1 ? [d[0], 1] : d);
}

function run(t: Vector, layout: 'nhwc' | 'nchw'): void {
  const graph = vectorGraph(t), model = buildOnnxModel(graph, { layout });
  const xs = graph.inputs.map((g) => feed(t.inputs.find((v) => v.name === g.name)!, layout));
  const y = model.forward(xs.length === 1 ? xs[0] : xs) as ck.Tensor, e = t.outputs[0];
  const nchw = e.dims.length === 4 && layout === 'nhwc';
  const got = nchw ? nhwcToNchw(y.data, y.shape as number[]) : y.data;
  const shape = nchw ? [y.shape[0], y.shape[3], y.shape[1], y.shape[2]] : e.dims.length === 1 ? [y.shape[0]] : y.shape;
  expect(shape).to.deep.equal(e.dims);
  got.forEach((v, i) => {
    const want = e.data![i];
    if (!(Math.abs(v - want) <= 1e-7 + 1e-3 * Math.abs(want))) expect.fail(`${t.case} [${i}]: ${v}, expected ${want}`);
  });
}

forEachBackend('ONNX import: conformance vectors as one-node models', () => {
  it(`reads all 156 vectors, of which ${Object.keys(REFUSED).length} are refused with why`, () => {
    expect(VECTORS).to.have.length(156);
    expect(Object.keys(REFUSED).filter((c) => !VECTORS.some((t) => t.case === c))).to.deep.equal([]);
  });
  for (const t of VECTORS) {
    if (REFUSED[t.case]) {
      it(`${t.op}: ${t.case} is refused (${REFUSED[t.case]})`, () => {
        expect(() => buildOnnxModel(vectorGraph(t))).to.throw(new RegExp(`ONNX node '${t.case}' \\(${t.op}\\)`));
      });
      continue;
    }
    it(`${t.op}: ${t.case}`, () => {
      run(t, 'nhwc');
      run(t, 'nchw');
    });
  }
});
