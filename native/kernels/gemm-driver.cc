#include "kernels/gemm-driver.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/pack-a.h"

namespace convkit {
namespace {

const float kZeroBias[4 * kGemmNR] = {};

// The bias of the panel at column n0 with nc columns: in place for a full panel, zeros without a
// bias, else copied into edge_bias (16 floats) with zeros past nc.
const float* PanelBias(const float* bias, size_t n0, size_t nc, float* edge_bias) {
  if (!bias) return kZeroBias;
  if (nc == kGemmNR) return bias + n0;
  std::memset(edge_bias, 0, kGemmNR * sizeof(float));
  std::memcpy(edge_bias, bias + n0, nc * sizeof(float));
  return edge_bias;
}

// A partial panel (nc < 16 columns) of mr rows of C: run(tile, 16) computes into a 16-wide tile
// (holding C first when accumulating) and the columns that exist are copied back.
template <typename Run>
void EdgeTile(float* c, size_t ldc, size_t mr, size_t nc, unsigned flags, Run run) {
  float edge[kGemmMaxMR * kGemmNR];
  if (flags & kGemmAccumulate)
    for (size_t r = 0; r < mr; r++) std::memcpy(edge + r * kGemmNR, c + r * ldc, nc * sizeof(float));
  run(edge, kGemmNR);
  for (size_t r = 0; r < mr; r++) std::memcpy(c + r * ldc, edge + r * kGemmNR, nc * sizeof(float));
}

}  // namespace

void IgemmTile(const IsaKernels& uk, size_t rows, size_t n, size_t p0, size_t p1, size_t taps,
               size_t channels, const float* const* ind, size_t a_offset, const float* zero,
               const float* w, float* c, size_t ldc, const float* bias, float minv, float maxv) {
  const size_t k = taps * channels;
  const size_t tile_ptrs = taps * uk.mr;
  // Taps in blocks of at most kGemmKc rows of K (one tap when a tap has more channels), so that
  // a block of two panels of W stays in L1 across the row tiles, as GemmTile's K block does.
  // Fixed by the shape: the order of every sum never depends on the threads.
  const size_t tap_block = std::max<size_t>(1, kGemmKc / channels);
  float edge_bias[kGemmNR];
  for (size_t t0 = 0; t0 < taps; t0 += tap_block) {
    const size_t tb = std::min(tap_block, taps - t0);
    unsigned flags = 0;
    if (t0 > 0) flags |= kGemmAccumulate;
    if (t0 + tb >= taps) flags |= kGemmEpilogue;
    const float* const* ind0 = ind + t0 * uk.mr;
    for (size_t pi = p0; pi < p1;) {
      const size_t n0 = pi * kGemmNR;
      const float* wp = w + (pi * k + t0 * channels) * kGemmNR;
      if (uk.igemm_pair && pi + 1 < p1 && n0 + 2 * kGemmNR <= n) {
        const float* b = bias ? bias + n0 : kZeroBias;
        for (size_t i = 0, t = 0; i < rows; i += uk.mr, t++)
          uk.igemm_pair(std::min(uk.mr, rows - i), tb, channels, ind0 + t * tile_ptrs, a_offset, zero, wp,
                        wp + k * kGemmNR, c + i * ldc + n0, ldc, flags, b, minv, maxv);
        pi += 2;
        continue;
      }
      const size_t nc = std::min(kGemmNR, n - n0);
      const float* b = PanelBias(bias, n0, nc, edge_bias);
      for (size_t i = 0, t = 0; i < rows; i += uk.mr, t++) {
        const size_t mr = std::min(uk.mr, rows - i);
        const auto run = [&](float* out, size_t ld) {
          uk.igemm(mr, tb, channels, ind0 + t * tile_ptrs, a_offset, zero, wp, out, ld, flags, b, minv, maxv);
        };
        if (nc == kGemmNR) run(c + i * ldc + n0, ldc);
        else EdgeTile(c + i * ldc + n0, ldc, mr, nc, flags, run);
      }
      pi++;
    }
  }
}

size_t TallTiles(size_t rows, size_t mr, size_t packed_mr) {
  if (packed_mr == mr) return 0;
  // Up to two mr tiles at the end (three make two tall ones): the split that costs least, a tall
  // row costing 9 / 10 of an mr row (the kernels' measured rates).
  size_t best = 0, best_cost = SIZE_MAX;
  for (size_t shorts = 0; shorts <= 2; shorts++) {
    const size_t rest = rows > shorts * mr ? rows - shorts * mr : 0;
    const size_t tall = (rest + packed_mr - 1) / packed_mr;
    const size_t cost = 9 * tall * packed_mr + 10 * shorts * mr;
    if (cost < best_cost) best = tall, best_cost = cost;
  }
  return best;
}

size_t PackedABlockFloats(size_t rows, size_t mr, size_t packed_mr, size_t k_block) {
  return (std::min(rows, kGemmMc) + std::max(mr, packed_mr) - 1) * k_block;
}

void GemmTile(const IsaKernels& uk, const GemmProblem& p, size_t m0, size_t m1, size_t p0,
              size_t p1, size_t k_block, float* pack) {
  const size_t panels = (p.n + kGemmNR - 1) / kGemmNR;
  p1 = std::min(p1, panels);
  float edge_bias[kGemmNR];  // bias of the last panel when N is not a multiple of 16
  // A single-row problem goes to the one-row kernel (and is never packed by the plan). Decided
  // on the whole problem: which kernel sums a row (and so its bits) must not depend on how
  // threads split the rows. Tile heights do not matter to the bits: every kernel sums a row's
  // steps in the same order.
  const GemmUkernelFn fn = p.m == 1 && uk.row ? uk.row : uk.fn;
  const GemmPairFn pair = fn == uk.fn ? uk.pair : uk.row_pair;
  const GemmRowQuadFn quad = fn == uk.fn ? nullptr : uk.row_quad;
  const size_t k_end = p.k_end ? p.k_end : p.k;
  for (size_t mb = m0; mb < m1; mb += kGemmMc) {
    const size_t me = std::min(m1, mb + kGemmMc), rows = me - mb;
    // Packed A: tall tiles (the ISA's packed kernels) first, then mr tiles, each packed at its
    // own height; in place: mr tiles.
    const size_t tall_rows = pack ? std::min(rows, TallTiles(rows, uk.mr, uk.packed_mr) * uk.packed_mr) : 0;
    for (size_t k0 = p.k_begin; k0 < k_end; k0 += k_block) {
      const size_t kc = std::min(k_block, k_end - k0);
      unsigned flags = 0;
      if (k0 > p.k_begin || p.accumulate) flags |= kGemmAccumulate;
      if (k0 + kc >= k_end && p.epilogue) flags |= kGemmEpilogue;
      const float* a = p.a + mb * p.lda + k0 * p.a_cs;
      // The mr tiles' packed rows follow the tall tiles' (whole tiles, the last zero-padded).
      float* const short_pack = pack ? pack + (tall_rows + uk.packed_mr - 1) / uk.packed_mr * uk.packed_mr * kc : nullptr;
      if (pack) {
        const auto pack_rows = [&](size_t mr, size_t first, size_t count, float* out) {
          const float* src = a + first * p.lda;
          if (uk.pack_a) uk.pack_a(mr, count, kc, src, p.lda, p.a_cs, out);
          else PackA(mr, count, kc, src, p.lda, p.a_cs, out);
        };
        if (tall_rows) pack_rows(uk.packed_mr, 0, tall_rows, pack);
        if (tall_rows < rows) pack_rows(uk.mr, tall_rows, rows - tall_rows, short_pack);
      }
      // Each row tile of the block: its first row, its rows, where its A is, and how it is laid out.
      const auto each_tile = [&](auto&& visit) {
        for (size_t r = 0; r < tall_rows; r += uk.packed_mr)
          visit(mb + r, std::min(uk.packed_mr, tall_rows - r), pack + r * kc, size_t(1), uk.packed_mr, uk.packed_fn, uk.packed_pair);
        for (size_t r = tall_rows; r < rows; r += uk.mr) {
          const size_t s = r - tall_rows;
          if (pack) visit(mb + r, std::min(uk.mr, rows - r), short_pack + s * kc, size_t(1), uk.mr, fn, pair);
          else visit(mb + r, std::min(uk.mr, rows - r), a + r * p.lda, p.lda, p.a_cs, fn, pair);
        }
      };
      for (size_t pi = p0; pi < p1;) {
        const size_t n0 = pi * kGemmNR;
        const float* w = p.w + (pi * p.k + k0) * kGemmNR;
        if (quad && pi + 3 < p1 && n0 + 4 * kGemmNR <= p.n) {
          // A single row (the only tile, A in place) over four full panels.
          quad(kc, a, p.a_cs, w, p.k * kGemmNR, p.c + mb * p.ldc + n0, flags, p.bias ? p.bias + n0 : kZeroBias,
               p.minv, p.maxv);
          pi += 4;
          continue;
        }
        if (pair && pi + 1 < p1 && n0 + 2 * kGemmNR <= p.n) {
          // Two full panels at once; the second starts K rows of 16 after the first.
          const float* bias = p.bias ? p.bias + n0 : kZeroBias;
          each_tile([&](size_t i, size_t mr, const float* at, size_t a_rs, size_t a_cs, GemmUkernelFn, GemmPairFn tile_pair) {
            tile_pair(mr, kc, at, a_rs, a_cs, w, w + p.k * kGemmNR, p.c + i * p.ldc + n0, p.ldc, flags, bias, p.minv, p.maxv);
          });
          pi += 2;
          continue;
        }
        const size_t nc = std::min(kGemmNR, p.n - n0);
        const float* bias = PanelBias(p.bias, n0, nc, edge_bias);
        each_tile([&](size_t i, size_t mr, const float* at, size_t a_rs, size_t a_cs, GemmUkernelFn tile_fn, GemmPairFn) {
          const auto run = [&](float* out, size_t ld) {
            tile_fn(mr, kc, at, a_rs, a_cs, w, out, ld, flags, bias, p.minv, p.maxv);
          };
          if (nc == kGemmNR) run(p.c + i * p.ldc + n0, p.ldc);
          else EdgeTile(p.c + i * p.ldc + n0, p.ldc, mr, nc, flags, run);
        });
        pi++;
      }
    }
  }
}

}  // namespace convkit
