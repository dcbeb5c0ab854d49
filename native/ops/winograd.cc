#include "ops/winograd.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/gemm-driver.h"
#include "kernels/pack-weights.h"
#include "kernels/thread-pool.h"

namespace convkit {
namespace {

// The transforms run over channels in 4-float vectors (GCC/clang vector extensions: SSE2 on
// x86-64, NEON on AArch64) and one float at a time for the rest; both give the same bits.
typedef float F32x4 __attribute__((vector_size(16)));

template <typename V>
inline V Load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}

template <typename V>
inline void Store(float* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}

// V = B^T d B at channel ch (one vector of channels) of one tile: d[r][q] points at the channels
// of the tile's input pixel (r, q), or at zeros past the image. Element e = 4i + j goes to
// v[e * plane + ch].
template <typename V>
inline void TransformChannels(const float* const d[4][4], size_t ch, float* v, size_t plane) {
  V t[4][4];  // B^T d: rows combined
  for (size_t q = 0; q < 4; q++) {
    const V d0 = Load<V>(d[0][q] + ch), d1 = Load<V>(d[1][q] + ch), d2 = Load<V>(d[2][q] + ch),
            d3 = Load<V>(d[3][q] + ch);
    t[0][q] = d0 - d2;
    t[1][q] = d1 + d2;
    t[2][q] = d2 - d1;
    t[3][q] = d1 - d3;
  }
  for (size_t i = 0; i < 4; i++) {  // (B^T d) B: columns combined
    float* row = v + 4 * i * plane + ch;
    Store(row, t[i][0] - t[i][2]);
    Store(row + plane, t[i][1] + t[i][2]);
    Store(row + 2 * plane, t[i][2] - t[i][1]);
    Store(row + 3 * plane, t[i][1] - t[i][3]);
  }
}

void TransformTile(const float* const d[4][4], size_t c, float* v, size_t plane) {
  size_t ch = 0;
  for (; ch + 4 <= c; ch += 4) TransformChannels<F32x4>(d, ch, v, plane);
  for (; ch < c; ch++) TransformChannels<float>(d, ch, v, plane);
}

// V of tiles [t0, t0 + len): tile t's row is t - t0 of each of the 16 planes (plane floats apart).
void TransformInput(const Conv2DShape& s, size_t tiles_h, size_t tiles_w, const float* x, const float* zeros,
                    size_t t0, size_t len, size_t plane, float* v) {
  const size_t c = s.in.c;
  const ptrdiff_t h = ptrdiff_t(s.in.h), w = ptrdiff_t(s.in.w);
  for (size_t i = 0; i < len; i++) {
    const size_t t = t0 + i, per_image = tiles_h * tiles_w;
    const size_t b = t / per_image, ty = t % per_image / tiles_w, tx = t % tiles_w;
    const ptrdiff_t iy0 = ptrdiff_t(2 * ty) - ptrdiff_t(s.win.pt), ix0 = ptrdiff_t(2 * tx) - ptrdiff_t(s.win.pl);
    const float* image = x + b * s.in.h * s.in.w * c;
    const float* d[4][4];
    for (ptrdiff_t r = 0; r < 4; r++)
      for (ptrdiff_t q = 0; q < 4; q++) {
        const ptrdiff_t iy = iy0 + r, ix = ix0 + q;
        d[r][q] = iy >= 0 && iy < h && ix >= 0 && ix < w ? image + (iy * w + ix) * ptrdiff_t(c) : zeros;
      }
    TransformTile(d, c, v + i * c, plane);
  }
}

// Y = A^T M A at column j (one vector of columns) of one tile's M (16 planes of plane floats),
// plus bias, clamped as the GEMM epilogue clamps (NaN passes), into out[r][q] + j.
template <typename V>
inline void OutputChannels(const float* mt, size_t plane, size_t j, const float* bias, size_t oc0,
                           ClampRange clamp, float* const out[2][2]) {
  V e[16];
  for (size_t k = 0; k < 16; k++) e[k] = Load<V>(mt + k * plane + j);
  V s0[4], s1[4];  // A^T M: rows combined
  for (size_t q = 0; q < 4; q++) {
    s0[q] = e[q] + e[4 + q] + e[8 + q];
    s1[q] = e[4 + q] - e[8 + q] - e[12 + q];
  }
  const V add = bias ? Load<V>(bias + oc0 + j) : V{} * 0.0f;
  const V o[2][2] = {{s0[0] + s0[1] + s0[2] + add, s0[1] - s0[2] - s0[3] + add},
                     {s1[0] + s1[1] + s1[2] + add, s1[1] - s1[2] - s1[3] + add}};
  const V lo = V{} + clamp.min, hi = V{} + clamp.max;
  for (size_t r = 0; r < 2; r++)
    for (size_t q = 0; q < 2; q++) {
      V v = o[r][q];
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
      Store(out[r][q] + j, v);
    }
}

// Y = A^T M A for tiles [t0, t0 + len) and columns [0, cols) of M (row stride ld, planes of
// plane floats), plus bias, clamped, into y's channels [oc0, oc0 + cols). Pixels past the
// output (an odd extent's last tile) go to sink.
void TransformOutput(const Conv2DShape& s, size_t tiles_h, size_t tiles_w, const float* m, size_t plane, size_t ld,
                     size_t t0, size_t len, size_t oc0, size_t cols, const float* bias, ClampRange clamp,
                     float* sink, float* y) {
  for (size_t i = 0; i < len; i++) {
    const size_t t = t0 + i, per_image = tiles_h * tiles_w;
    const size_t b = t / per_image, ty = t % per_image / tiles_w, tx = t % tiles_w;
    float* out[2][2];
    for (size_t r = 0; r < 2; r++)
      for (size_t q = 0; q < 2; q++) {
        const size_t oy = 2 * ty + r, ox = 2 * tx + q;
        out[r][q] = oy < s.oh && ox < s.ow ? y + ((b * s.oh + oy) * s.ow + ox) * s.oc + oc0 : sink;
      }
    const float* mt = m + i * ld;
    size_t j = 0;
    for (; j + 4 <= cols; j += 4) OutputChannels<F32x4>(mt, plane, j, bias, oc0, clamp, out);
    for (; j < cols; j++) OutputChannels<float>(mt, plane, j, bias, oc0, clamp, out);
  }
}

// U = G g G^T for every channel pair of a kernel packed by PackWeights (9c x oc, rows (ky, kx,
// ch)), each U_e packed the same way (c x oc) at u + e * WinogradWeightsFloats(c, oc). Computed
// in double and rounded once; padding columns stay zero.
void TransformWeights(const float* packed_w, size_t c, size_t oc, float* u) {
  static const double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  const size_t k = 9 * c, panels = (oc + kGemmNR - 1) / kGemmNR, floats = WinogradWeightsFloats(c, oc);
  for (size_t p = 0; p < panels; p++)
    for (size_t ch = 0; ch < c; ch++)
      for (size_t j = 0; j < kGemmNR; j++) {
        double g[3][3], t[4][3];
        for (size_t ky = 0; ky < 3; ky++)
          for (size_t kx = 0; kx < 3; kx++) g[ky][kx] = packed_w[(p * k + (ky * 3 + kx) * c + ch) * kGemmNR + j];
        for (size_t i = 0; i < 4; i++)
          for (size_t kx = 0; kx < 3; kx++) t[i][kx] = G[i][0] * g[0][kx] + G[i][1] * g[1][kx] + G[i][2] * g[2][kx];
        for (size_t i = 0; i < 4; i++)
          for (size_t q = 0; q < 4; q++)
            u[(4 * i + q) * floats + (p * c + ch) * kGemmNR + j] =
                float(t[i][0] * G[q][0] + t[i][1] * G[q][1] + t[i][2] * G[q][2]);
      }
}

}  // namespace

size_t WinogradWeightsFloats(size_t c, size_t oc) { return PackedWeightsSize(c, oc); }

std::shared_ptr<const Workspace> WinogradCache::Get(const float* packed_w, size_t c, size_t oc) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!kept_) {
    Workspace u = NewAlignedFloats(kWinogradElements * WinogradWeightsFloats(c, oc));
    TransformWeights(packed_w, c, oc, u.get());
    kept_ = std::make_shared<const Workspace>(std::move(u));
  }
  return kept_;
}

void RunWinograd(const Plan& plan, const Conv2DShape& s, const float* x, const float* u,
                 const float* bias, ClampRange clamp, float* y) {
  const IsaKernels& uk = *plan.kernels;
  const size_t c = s.in.c, tiles_h = (s.oh + 1) / 2, tiles_w = (s.ow + 1) / 2;
  const size_t rpt = plan.rows_per_task, chunk = kWinogradChunkPanels * kGemmNR;
  const size_t groups = (plan.panels + plan.panels_per_task - 1) / plan.panels_per_task;
  const size_t v_plane = WinogradPlane(rpt * c), m_plane = WinogradPlane(rpt * chunk), u_floats = WinogradWeightsFloats(c, s.oc);
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const Workspace work = NewWorkspace(plan.threads * slot_floats + c);
  float* zeros = work.get() + plan.threads * slot_floats;
  std::fill(zeros, zeros + c, 0.0f);
  const float inf = std::numeric_limits<float>::infinity();
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const size_t r0 = t / groups * rpt, len = std::min(rpt, plan.rows - r0);
    const size_t g0 = t % groups * plan.panels_per_task, g1 = std::min(plan.panels, g0 + plan.panels_per_task);
    float* v = work.get() + slot * slot_floats;
    float* m = v + kWinogradElements * v_plane;
    float* sink = m + kWinogradElements * m_plane;
    TransformInput(s, tiles_h, tiles_w, x, zeros, r0, len, v_plane, v);
    // The last row tile, when it holds only a row or two, goes to the one-row kernel (a row of it
    // would cost a whole tile): the same sums, so the same bits.
    const size_t rest = len % uk.mr, tiled = rest && rest * 4 <= uk.mr && uk.row ? len - rest : len;
    // Columns a pair of panels at a time: M stays small, and V is read from cache again anyway
    // (the GEMM sweeps its rows once per pair).
    for (size_t p0 = g0; p0 < g1; p0 += kWinogradChunkPanels) {
      const size_t oc0 = p0 * kGemmNR, cols = std::min(chunk, s.oc - oc0);
      for (size_t e = 0; e < kWinogradElements; e++) {
        GemmProblem p{len, cols, c, v + e * v_plane, c, 1, u + e * u_floats + p0 * c * kGemmNR,
                      m + e * m_plane, chunk, nullptr, -inf, inf, false};
        p.epilogue = false;
        if (tiled) GemmTile(uk, p, 0, tiled, 0, kWinogradChunkPanels, plan.k_block, nullptr);
        for (size_t r = tiled; r < len; r++) {
          GemmProblem row = p;
          row.m = 1;
          row.a += r * c;
          row.c += r * chunk;
          GemmTile(uk, row, 0, 1, 0, kWinogradChunkPanels, plan.k_block, nullptr);
        }
      }
      TransformOutput(s, tiles_h, tiles_w, m, m_plane, chunk, r0, len, oc0, cols, bias, clamp, sink, y);
    }
  });
}

}  // namespace convkit
