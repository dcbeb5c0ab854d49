// Keras (Python) configs of Conv2DTranspose and UpSampling2D as tensorflowjs_converter writes
// them: output_padding, the kernel [kh, kw, filters, in] and the float64 oracle; refusals that
// name the layer and the option.
import { expect } from 'chai';
import * as ck from '../lib/index';
import { loadSequential } from './helpers/load-sequential';
import { expectClose } from './helpers/assert';
import { conv2dOptions, kerasArtifacts, kerasTopology, layer, type Spec, weightDataFor } from './helpers/keras';
import { randomArray } from './helpers/random';
import { conv2dTransposeRef } from '../suite/reference-resample';

const transpose = (extra: Record<string, unknown>) => {
  const { groups: _groups, ...options } = conv2dOptions(4, 3, { strides: [2, 2], padding: 'same', output_padding: [1, 0], ...extra });
  return layer('Conv2DTranspose', 'conv2d_transpose', { batch_input_shape: [null, 5, 6, 3], ...options });
};
const specs: Spec[] = [{ name: 'conv2d_transpose/kernel', shape: [3, 3, 4, 3], dtype: 'float32' }, { name: 'conv2d_transpose/bias', shape: [4], dtype: 'float32' }];
const upsampling = (extra: Record<string, unknown> = {}) => layer('UpSampling2D', 'up_sampling2d', { size: [2, 2], data_format: 'channels_last', interpolation: 'bilinear', ...extra });

describe('model format: Keras Conv2DTranspose and UpSampling2D', () => {
  it('reads output_padding and the [kh, kw, filters, in] kernel as Keras computes them', async () => {
    const model = await loadSequential(kerasArtifacts(kerasTopology([transpose({}), upsampling()]), specs, 3));
    const data = new Float32Array(weightDataFor(specs, 3));
    const kernel = data.subarray(0, 3 * 3 * 4 * 3), bias = data.subarray(3 * 3 * 4 * 3);
    const x = randomArray(5 * 6 * 3, 9), t = model.layers[0] as ck.Conv2DTranspose;
    // Keras: (5 - 1) * 2 + 3 - 2 * 1 + 1 = 10 rows, (6 - 1) * 2 + 3 - 2 + 0 = 11 columns, TensorFlow's 'same' crop: floor(1 / 2) = 0 rows, floor(2 / 2) = 1 column.
    const y = t.forward(new ck.Tensor(x, [1, 5, 6, 3]));
    expect(y.shape).to.deep.equal([1, 10, 11, 4]);
    const ref = conv2dTransposeRef(x, kernel, bias, { n: 1, h: 5, w: 6, c: 3, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 0, pl: 1, oh: 10, ow: 11, oc: 4 }, 'linear');
    expectClose(y.data, ref, 3 + 9 + 1, 'Conv2DTranspose');
    expect((model.layers[1] as ck.UpSampling2D).interpolation).to.equal('bilinear');
    const saved = model.toArtifacts().modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    expect(saved.config.layers[0].config.output_padding).to.deep.equal([1, 0]);
    expect(saved.config.layers[1].config).to.include({ interpolation: 'bilinear' });
  });

  const refusals: [string, ck.ArtifactsInput, RegExp][] = [
    ['Conv2DTranspose dilation', kerasArtifacts(kerasTopology([transpose({ dilation_rate: [2, 2] })]), specs), /Conv2DTranspose layer 'conv2d_transpose': dilation_rate \[2, 2\] is not supported/],
    ['Conv2DTranspose channels_first', kerasArtifacts(kerasTopology([transpose({ data_format: 'channels_first' })]), specs), /data_format 'channels_first' is not supported/],
    ['UpSampling2D channels_first', kerasArtifacts(kerasTopology([transpose({}), upsampling({ data_format: 'channels_first' })]), specs), /UpSampling2D layer 'up_sampling2d': data_format 'channels_first'/],
    ['UpSampling2D bicubic', kerasArtifacts(kerasTopology([transpose({}), upsampling({ interpolation: 'bicubic' })]), specs), /interpolation 'bicubic' is not supported/],
  ];
  for (const [title, artifacts, message] of refusals) it(`refuses ${title}, naming the layer and the option`, async () => {
    let error: unknown = null;
    await loadSequential(artifacts).catch((e) => (error = e));
    expect(String(error)).to.match(message);
  });

  it('refuses to save explicit Conv2DTranspose pads (Keras has none)', () => {
    const m = new ck.Sequential([new ck.Conv2DTranspose({ filters: 2, kernelSize: 3, padding: [1, 0, 1, 0], seed: 1 })]);
    expect(() => m.toArtifacts({ inputShape: [4, 4, 1] } as never)).to.throw(RangeError, /padding \[1, 0, 1, 0\] cannot be saved/);
  });
});

describe('model format: a fully convolutional model of unknown height and width', () => {
  it('loads Conv2DTranspose and UpSampling2D with null height and width, saves them back, and runs any size', async () => {
    const layers = [transpose({ batch_input_shape: [null, null, null, 3] }), upsampling()];
    const model = await loadSequential(kerasArtifacts(kerasTopology(layers), specs, 3));
    expect(model.forward(new ck.Tensor(randomArray(2 * 4 * 7 * 3, 1), [2, 4, 7, 3])).shape).to.deep.equal([2, 16, 26, 4]);
    const saved = model.toArtifacts().modelTopology as { config: { layers: { config: Record<string, unknown> }[] } };
    expect(saved.config.layers[0].config.batch_input_shape).to.deep.equal([null, null, null, 3]);
  });
});
