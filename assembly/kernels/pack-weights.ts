// Packs a K x N weight matrix into 16-column panels, the layout every GEMM micro-kernel reads.
// Mirrors native/kernels/pack-weights.cc: packed[(p*K + k)*16 + j] = scale * B(k, p*16 + j).
import { NR } from '../generated/kernels';

export function packedWeightsFloats(k: i32, n: i32): i32 {
  return (n + NR - 1) / NR * NR * k;
}

/** B(k, n) is read at b + 4*(k*rowStride + n*colStride). */
export function packWeights(k: i32, n: i32, b: usize, rowStride: i32, colStride: i32, scale: f32, out: usize): void {
  for (let n0 = 0; n0 < n; n0 += NR) {
    const nc = min(NR, n - n0);
    for (let kk = 0; kk < k; kk++) {
      const row = b + (<usize>kk * rowStride + <usize>n0 * colStride) * 4;
      let j = 0;
      for (; j < nc; j++) store<f32>(out + (<usize>j << 2), scale * load<f32>(row + (<usize>j * colStride << 2)));
      for (; j < NR; j++) store<f32>(out + (<usize>j << 2), 0);
      out += NR * 4;
    }
  }
}
