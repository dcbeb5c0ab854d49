// Depthwise convolution, 4 channels per vector (GCC/clang vector extensions: SSE2 on x86-64, NEON
// on AArch64), 16 channels (four accumulators: one weight panel) per tile across all taps of a
// pixel, then 4, then single channels. The kernel of every build.
#include <cstring>

#include "kernels/dwconv.h"

namespace convkit {
namespace {

typedef float F32x4 __attribute__((vector_size(16)));

inline F32x4 Load(const float* p) {
  F32x4 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline F32x4 LoadOr0(const float* p) { return p ? Load(p) : F32x4{0, 0, 0, 0}; }

inline void StoreClamped(float* p, F32x4 v, F32x4 vmin, F32x4 vmax) {
  v = v < vmin ? vmin : v;
  v = v > vmax ? vmax : v;
  std::memcpy(p, &v, sizeof(v));
}

}  // namespace

void f32_dwconv_4_scalar(size_t pixels, size_t taps, const float* const* inputs, size_t c, size_t m,
                         const float* w, const float* bias, float minv, float maxv, float* y) {
  if (DwconvMultiplied(pixels, taps, inputs, c, m, w, bias, minv, maxv, y)) return;
  const F32x4 vmin = {minv, minv, minv, minv}, vmax = {maxv, maxv, maxv, maxv};
  const size_t panel = taps * kGemmNR;
  for (size_t p = 0; p < pixels; p++, inputs += taps, y += c) {
    size_t j = 0;
    const float* wp = w;
    for (; j + 16 <= c; j += 16, wp += panel) {
      F32x4 vacc0123 = LoadOr0(bias ? bias + j : nullptr), vacc4567 = LoadOr0(bias ? bias + j + 4 : nullptr);
      F32x4 vacc89AB = LoadOr0(bias ? bias + j + 8 : nullptr), vaccCDEF = LoadOr0(bias ? bias + j + 12 : nullptr);
      const float* wk = wp;
      for (size_t t = 0; t < taps; t++, wk += kGemmNR) {
        const float* row = inputs[t] + j;
        vacc0123 += Load(row) * Load(wk);
        vacc4567 += Load(row + 4) * Load(wk + 4);
        vacc89AB += Load(row + 8) * Load(wk + 8);
        vaccCDEF += Load(row + 12) * Load(wk + 12);
      }
      StoreClamped(y + j, vacc0123, vmin, vmax);
      StoreClamped(y + j + 4, vacc4567, vmin, vmax);
      StoreClamped(y + j + 8, vacc89AB, vmin, vmax);
      StoreClamped(y + j + 12, vaccCDEF, vmin, vmax);
    }
    for (size_t q = 0; j + 4 <= c; j += 4, q += 4) {
      F32x4 vacc0123 = LoadOr0(bias ? bias + j : nullptr);
      const float* wk = wp + q;
      for (size_t t = 0; t < taps; t++, wk += kGemmNR) vacc0123 += Load(inputs[t] + j) * Load(wk);
      StoreClamped(y + j, vacc0123, vmin, vmax);
    }
    DwconvChannels(taps, inputs, j, c, 1, w, bias, minv, maxv, y);
  }
}

}  // namespace convkit
