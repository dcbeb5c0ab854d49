// The ONNX ConvTranspose, Resize and Upsample vectors (test/fixtures/onnx) mapped onto
// Conv2DTranspose and UpSampling2D: NCHW transposed to NHWC at the edges, W [C, M, kH, kW] to
// Keras's [kH, kW, M, C]. The vectors whose semantics convkit has no op for are listed below with why.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ck from '../lib/index';
import { backend } from '../lib/backends/select';
import { expectExact } from './helpers/assert';
import { forEachBackend } from './helpers/backends';
import { nchwToNhwc, nhwcToNchw, oihwToHwio } from '../suite/layout';

interface OnnxTensor { name: string; dims: number[]; data: number[] }
interface OnnxCase { case: string; op: string; attributes: Record<string, unknown>; inputs: OnnxTensor[]; outputs: OnnxTensor[] }

const OPS = ['ConvTranspose', 'Resize', 'Upsample'];
const DIR = join(__dirname, 'fixtures', 'onnx');
const CASES: OnnxCase[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as OnnxCase).filter((t) => OPS.includes(t.op));

/** The cases of ../shared/conformance/onnx left out of the fixtures, and why. */
export const NOT_MAPPED: Record<string, string> = {
  test_convtranspose_group_2: 'group 2: convkit has no grouped transposed convolution',
  test_convtranspose_group_2_image_3: 'group 2: convkit has no grouped transposed convolution',
  test_resize_upsample_sizes_nearest: 'sizes 7x8 from 2x2: factors 3.5 and 4, UpSampling2D takes integer factors',
  test_resize_upsample_sizes_nearest_axes_2_3: 'factor 3.5 (as test_resize_upsample_sizes_nearest)',
  test_resize_upsample_sizes_nearest_axes_3_2: 'factor 3.5 (as test_resize_upsample_sizes_nearest)',
  test_resize_upsample_sizes_nearest_not_larger: 'not_larger keeps the aspect at factor 3.5',
  test_resize_upsample_sizes_nearest_ceil_half_pixel: "nearest_mode 'ceil' reads the next cell (UpSampling2D repeats each one)",
  test_resize_upsample_sizes_nearest_floor_align_corners: 'align_corners maps outputs onto the input differently from Keras',
  test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric: "asymmetric with 'round_prefer_ceil' reads the next cell at ties",
  test_resize_upsample_scales_linear_align_corners: 'align_corners: Keras resizes with half-pixel centers',
  test_resize_upsample_scales_linear_half_pixel_symmetric: 'factors 2.3 and 2.94 are not integers',
  test_resize_downsample_scales_linear: 'factor 0.6: UpSampling2D only enlarges',
  test_resize_downsample_scales_linear_align_corners: 'factor 0.6: UpSampling2D only enlarges',
  test_resize_downsample_scales_linear_antialias: 'factor 0.6: UpSampling2D only enlarges',
  test_resize_downsample_scales_linear_half_pixel_symmetric: 'factor 0.6: UpSampling2D only enlarges',
};

const f32 = (t: OnnxTensor) => Float32Array.from(t.data);
const pairOf = (v: unknown, dflt: number): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [dflt, dflt]);

/** ONNX's output size and crop along one axis (its README: floor division, SAME_UPPER's split). */
function axis(t: OnnxCase, i: number, size: number, k: number, s: number, d: number): { out: number; begin: number } {
  const a = t.attributes, op = pairOf(a.output_padding, 0)[i];
  const full = s * (size - 1) + op + (k - 1) * d + 1;
  const shape = a.output_shape as number[] | undefined, auto = (a.auto_pad as string | undefined) ?? 'NOTSET';
  if (shape || auto !== 'NOTSET') {
    const out = shape ? shape[i] : size * s, total = full - out;
    return { out, begin: auto === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2) };
  }
  const pads = (a.pads as number[] | undefined) ?? [0, 0, 0, 0];
  return { out: full - pads[i] - pads[i + 2], begin: pads[i] };
}

function convTranspose(t: OnnxCase): ck.Tensor {
  const [x, wt] = t.inputs, [n, c, h, w] = x.dims, m = wt.dims[1];
  const k = pairOf(t.attributes.kernel_shape ?? wt.dims.slice(2), 1), s = pairOf(t.attributes.strides, 1), d = pairOf(t.attributes.dilations, 1);
  const rows = axis(t, 0, h, k[0], s[0], d[0]), cols = axis(t, 1, w, k[1], s[1], d[1]);
  const kernel = oihwToHwio(f32(wt), wt.dims), input = nchwToNhwc(f32(x), x.dims);
  if (d[0] === 1 && d[1] === 1) {
    // The layer: pads crop the full output; what lies past it (output_padding, a larger output_shape) is outputPadding.
    const full = (size: number, kk: number, ss: number) => (size - 1) * ss + kk;
    const endH = full(h, k[0], s[0]) - rows.begin - rows.out, endW = full(w, k[1], s[1]) - cols.begin - cols.out;
    const layer = new ck.Conv2DTranspose({
      filters: m, kernelSize: k, strides: s, useBias: false, kernel, padding: [rows.begin, Math.max(0, endH), cols.begin, Math.max(0, endW)],
      outputPadding: [Math.max(0, -endH), Math.max(0, -endW)],
    });
    return layer.forward(new ck.Tensor(input, [n, h, w, c]));
  }
  // Dilation: Keras's layer has none; the backend's operator has the semantics.
  const b = backend(), cols2 = k[0] * k[1] * m;
  const wT = new Float32Array(kernel.length);
  for (let r = 0; r < cols2; r++) for (let ci = 0; ci < c; ci++) wT[ci * cols2 + r] = kernel[r * c + ci];
  const packed = b.packWeights(wT, { k: c, n: cols2 });
  const params = { n, h, w, c, kh: k[0], kw: k[1], sh: s[0], sw: s[1], dh: d[0], dw: d[1], pt: rows.begin, pl: cols.begin, oh: rows.out, ow: cols.out, oc: m, activation: 0 };
  const op = b.createOperator({ op: 'conv2dTranspose', packed, bias: null, params });
  try {
    op.reshape(params);
    return new ck.Tensor(op.run(input), [n, rows.out, cols.out, m]);
  } finally {
    op.release();
    b.release(packed);
  }
}

/** Resize and Upsample with integer factors on H and W (1 on N and C) as UpSampling2D. */
function upsample(t: OnnxCase): ck.Tensor {
  const x = t.inputs[0], [n, c, h, w] = x.dims, a = t.attributes;
  const given = t.inputs.find((i) => i.name === 'scales' || i.name === 'sizes')!;
  const axes = (a.axes as number[] | undefined) ?? [0, 1, 2, 3];
  const factor = (dim: number, size: number) => {
    const at = axes.indexOf(dim);
    if (at < 0) return 1;
    if (given.name === 'scales') return given.data[at];
    const policy = a.keep_aspect_ratio_policy as string | undefined;
    if (!policy) return given.data[at] / size;
    const ratios = axes.map((ax, j) => given.data[j] / x.dims[ax]);
    return policy === 'not_smaller' ? Math.max(...ratios) : Math.min(...ratios);
  };
  const size: [number, number] = [factor(2, h), factor(3, w)];
  expect([factor(0, n), factor(1, c)], 'N and C unscaled').to.deep.equal([1, 1]);
  expect(size.every(Number.isInteger), 'integer factors').to.equal(true);
  const linear = a.mode === 'linear';
  expect((a.coordinate_transformation_mode as string | undefined) ?? (t.op === 'Upsample' ? 'asymmetric' : 'half_pixel')).to.equal(t.op === 'Upsample' ? 'asymmetric' : 'half_pixel');
  const layer = new ck.UpSampling2D({ size, interpolation: linear ? 'bilinear' : 'nearest' });
  return layer.forward(new ck.Tensor(nchwToNhwc(f32(x), x.dims), [n, h, w, c]));
}

forEachBackend('ONNX ConvTranspose, Resize and Upsample vectors', () => {
  it(`has the ${13} mapped vectors and lists ${Object.keys(NOT_MAPPED).length} others with why`, () => {
    expect(CASES.map((t) => t.case).filter((name) => NOT_MAPPED[name])).to.deep.equal([]);
    expect(CASES).to.have.length(13);
  });
  for (const t of CASES) {
    it(`${t.op}: ${t.case}`, () => {
      const y = t.op === 'ConvTranspose' ? convTranspose(t) : upsample(t), expected = t.outputs[0];
      const [n, h, w, c] = y.shape;
      expect([n, c, h, w]).to.deep.equal(expected.dims);
      const data = nhwcToNchw(y.data, y.shape as number[]);
      // Sums of small integers and copies are exact; linear Resize within 1e-6 (ONNX's own float32 rounding).
      if (t.attributes.mode === 'linear') data.forEach((v, i) => expect(Math.abs(v - expected.data[i])).to.be.at.most(1e-6 * (1 + Math.abs(expected.data[i]))));
      else expectExact(data, expected.data, t.case);
    });
  }
  for (const [name, why] of Object.entries(NOT_MAPPED)) {
    it(`${name} (not mapped)`, function () {
      console.log(`      skipped: ${why}`);
      this.skip();
    });
  }
});
