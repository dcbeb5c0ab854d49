// The C++ kernels without Node: every micro-kernel of every ISA this CPU runs (GEMM tiles, one-row
// and two-panel kernels, indirect GEMM, max-pool, depthwise convolution), the blocked GEMM driver, PackA, PackWeights,
// im2col and the indirection buffer, against naive float64 loops, and the workspace pool. Sizes
// below, at and above MR, NR (16) and the K and M blocks; seeded random data; the tolerance of
// test/helpers/assert.ts (scaled with K).
// scripts/test-kernels.mjs compiles it for x86-64 (run natively) and AArch64 (run under
// qemu-aarch64). Every buffer a kernel reads or writes ends at a PROT_NONE page, so a read or
// write past its end crashes the run instead of passing unseen. Closes with `N passed, N failed`.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "kernels/cpu-features.h"
#include "kernels/gemm-driver.h"
#include "kernels/igemm.h"
#include "kernels/pack-a.h"
#include "kernels/pack-weights.h"
#include "ops/col2im.h"
#include "ops/im2col.h"
#include "kernels/thread-pool.h"
#include "ops/indirection.h"
#include "ops/plan.h"
#include "ops/winograd.h"
#include "ops/workspace.h"

using namespace convkit;

namespace {

size_t g_passed = 0, g_failed = 0;
char g_current[256];  // the case running, named when a kernel faults (e.g. on a guard page)

void OnFault(int sig) {
  const char prefix[] = "FAIL crashed (signal) in: ";
  (void)!write(1, prefix, sizeof prefix - 1);
  (void)!write(1, g_current, strnlen(g_current, sizeof g_current));
  (void)!write(1, "\n", 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

// One test case: counted once, its first failure printed with the case's label.
class Case {
 public:
  explicit Case(std::string label) : label_(std::move(label)) {
    std::snprintf(g_current, sizeof g_current, "%s", label_.c_str());
  }
  ~Case() { ok_ ? g_passed++ : g_failed++; }
  bool Check(bool cond, const char* fmt, ...) __attribute__((format(printf, 3, 4))) {
    if (cond || !ok_) return cond;
    ok_ = false;
    char msg[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    if (g_failed < 40) std::printf("FAIL %s: %s\n", label_.c_str(), msg);
    return false;
  }
  bool ok() const { return ok_; }

 private:
  std::string label_;
  bool ok_ = true;
};

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

// n floats whose last one ends where a PROT_NONE page begins.
class Guarded {
 public:
  explicit Guarded(size_t n) : n_(n) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    bytes_ = (n * sizeof(float) + page - 1) / page * page + page;
    void* m = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      std::perror("mmap");
      std::exit(2);
    }
    base_ = static_cast<char*>(m);
    mprotect(base_ + bytes_ - page, page, PROT_NONE);
    data_ = reinterpret_cast<float*>(base_ + bytes_ - page) - n;
  }
  ~Guarded() { munmap(base_, bytes_); }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  float* data() { return data_; }
  float& operator[](size_t i) { return data_[i]; }
  size_t size() const { return n_; }

 private:
  size_t n_, bytes_;
  char* base_;
  float* data_;
};

// splitmix64: the same numbers on every machine.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float Uniform() { return float(double(Next() >> 11) / double(1ull << 53) * 2.0 - 1.0); }  // [-1, 1)
  void Fill(float* p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = Uniform();
  }

 private:
  uint64_t s_;
};

constexpr double kU = 1.0 / (1 << 24);  // unit roundoff of float32
constexpr float kSentinel = 1234.5f;     // C cells a kernel must leave alone

// The exact value of one output and the sum of its terms' magnitudes (the tolerance's scale).
struct Ref {
  double value = 0, abs_sum = 0;
  void Add(double t) {
    value += t;
    abs_sum += std::fabs(t);
  }
};

// test/helpers/assert.ts's rule: |got - exact| <= 2 (K + 2) u sum|terms| + |exact| u + 1e-30.
bool Close(float got, const Ref& r, size_t k) {
  const double tol = 2.0 * double(k + 2) * kU * r.abs_sum + std::fabs(r.value) * kU + 1e-30;
  return std::fabs(double(got) - r.value) <= tol;
}

// The epilogue in float64: optional C addend, bias, clamp to [minv, maxv].
Ref Finish(Ref r, bool accumulate, float c0, bool epilogue, float bias, float minv, float maxv) {
  if (accumulate) r.Add(c0);
  if (epilogue) {
    r.Add(bias);
    if (r.value < minv) r.value = minv;
    if (r.value > maxv) r.value = maxv;
  }
  return r;
}

struct Activation {
  const char* name;
  float minv, maxv;
};
const Activation kActivations[] = {{"linear", -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()},
                                   {"relu", 0.0f, std::numeric_limits<float>::infinity()},
                                   {"clamp", -0.25f, 0.5f}};

// How a micro-kernel reads A (gemm.h): rows in place, a block packed by PackA, or a transposed
// matrix (a_rs = 1, a_cs = rows).
enum class ALayout { kInPlace, kPacked, kTransposed };
const char* Name(ALayout l) { return l == ALayout::kInPlace ? "in-place" : l == ALayout::kPacked ? "packed" : "transposed"; }

// A micro-kernel over `panels` (1 or 2) panels: C[mr x 16*panels] (+)= A * W, against the naive
// sum, with the C cells around the tile (row gap, rows past mr) checked untouched.
void MicroKernelCase(const IsaKernels& uk, const char* which, GemmUkernelFn fn, GemmPairFn pair,
                     size_t tile_mr, size_t mr, size_t kc, ALayout layout, unsigned flags,
                     const Activation& act, Rng& rng) {
  Case t(Format("%s %s mr=%zu kc=%zu A %s flags=%u %s", uk.isa, which, mr, kc, Name(layout), flags, act.name));
  const size_t panels = pair ? 2 : 1, width = panels * kGemmNR;
  // Logical A (mr x kc), then the layout the kernel reads, in a buffer of exactly what it may read.
  std::vector<float> a(mr * kc);
  rng.Fill(a.data(), a.size());
  size_t a_rs, a_cs, a_len;
  if (layout == ALayout::kInPlace) a_rs = kc + 3, a_cs = 1, a_len = (mr - 1) * a_rs + kc;
  else if (layout == ALayout::kPacked) a_rs = 1, a_cs = tile_mr, a_len = kc * tile_mr;
  else a_rs = 1, a_cs = mr, a_len = kc * mr;
  Guarded ab(a_len);
  for (size_t i = 0; i < a_len; i++) ab[i] = std::numeric_limits<float>::quiet_NaN();  // gaps
  if (layout == ALayout::kPacked) {
    PackA(tile_mr, mr, kc, a.data(), kc, 1, ab.data());
  } else {
    for (size_t i = 0; i < mr; i++)
      for (size_t k = 0; k < kc; k++) ab[i * a_rs + k * a_cs] = a[i * kc + k];
  }
  Guarded w0(kc * kGemmNR), w1(pair ? kc * kGemmNR : 1), bias(width);
  rng.Fill(w0.data(), w0.size());
  rng.Fill(w1.data(), w1.size());
  rng.Fill(bias.data(), bias.size());
  // C: rows of `width` floats plus a gap of 3, and one row past mr (never written).
  const size_t ldc = width + 3;
  Guarded c((mr + 1) * ldc);
  for (size_t i = 0; i < c.size(); i++) c[i] = kSentinel;
  std::vector<float> c0(mr * width);
  rng.Fill(c0.data(), c0.size());
  for (size_t i = 0; i < mr; i++)
    for (size_t j = 0; j < width; j++) c[i * ldc + j] = c0[i * width + j];

  if (pair) pair(mr, kc, ab.data(), a_rs, a_cs, w0.data(), w1.data(), c.data(), ldc, flags, bias.data(), act.minv, act.maxv);
  else fn(mr, kc, ab.data(), a_rs, a_cs, w0.data(), c.data(), ldc, flags, bias.data(), act.minv, act.maxv);

  for (size_t i = 0; i < mr + 1 && t.ok(); i++) {
    for (size_t j = 0; j < ldc && t.ok(); j++) {
      const float got = c[i * ldc + j];
      if (i == mr || j >= width) {
        t.Check(got == kSentinel, "C[%zu][%zu] outside the tile was written (%g)", i, j, double(got));
        continue;
      }
      const float* w = j < kGemmNR ? w0.data() : w1.data();
      Ref r;
      for (size_t k = 0; k < kc; k++) r.Add(double(a[i * kc + k]) * double(w[k * kGemmNR + j % kGemmNR]));
      r = Finish(r, flags & kGemmAccumulate, c0[i * width + j], flags & kGemmEpilogue, bias[j], act.minv, act.maxv);
      t.Check(Close(got, r, kc), "C[%zu][%zu] = %.9g, expected %.9g", i, j, double(got), r.value);
    }
  }
}

// The one-row kernel over four panels at w + p * panel_stride (a stride wider than a panel's kc
// rows, as no packed W has, to catch a kernel that assumes them adjacent), against the naive sum
// and against the one-row kernel's bits on each panel (threads may give a panel to either).
void RowQuadCase(const IsaKernels& uk, size_t kc, unsigned flags, const Activation& act, Rng& rng) {
  Case t(Format("%s row-quad kc=%zu flags=%u %s", uk.isa, kc, flags, act.name));
  const size_t stride = kc * kGemmNR + 5, width = 4 * kGemmNR;
  Guarded a(kc), w(3 * stride + kc * kGemmNR), bias(width), c(width + 1), single(kGemmNR);
  rng.Fill(a.data(), a.size());
  rng.Fill(w.data(), w.size());
  rng.Fill(bias.data(), bias.size());
  std::vector<float> c0(width);
  rng.Fill(c0.data(), c0.size());
  for (size_t j = 0; j < width; j++) c[j] = c0[j];
  c[width] = kSentinel;
  uk.row_quad(kc, a.data(), 1, w.data(), stride, c.data(), flags, bias.data(), act.minv, act.maxv);
  t.Check(c[width] == kSentinel, "C past the 64 columns was written");
  for (size_t j = 0; j < width && t.ok(); j++) {
    Ref r;
    for (size_t k = 0; k < kc; k++) r.Add(double(a[k]) * double(w[(j / kGemmNR) * stride + k * kGemmNR + j % kGemmNR]));
    r = Finish(r, flags & kGemmAccumulate, c0[j], flags & kGemmEpilogue, bias[j], act.minv, act.maxv);
    t.Check(Close(c[j], r, kc), "C[%zu] = %.9g, expected %.9g", j, double(c[j]), r.value);
  }
  for (size_t p = 0; p < 4 && t.ok(); p++) {
    for (size_t j = 0; j < kGemmNR; j++) single[j] = c0[p * kGemmNR + j];
    uk.row(1, kc, a.data(), 1, 1, w.data() + p * stride, single.data(), kGemmNR, flags, bias.data() + p * kGemmNR, act.minv, act.maxv);
    t.Check(std::memcmp(single.data(), c.data() + p * kGemmNR, sizeof(float) * kGemmNR) == 0,
            "panel %zu differs in its bits from the one-row kernel's", p);
  }
}

void MicroKernels(const IsaKernels& uk, Rng& rng) {
  const size_t kcs[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 64, 255, 256, 257};
  const unsigned flag_sets[] = {0, kGemmAccumulate, kGemmEpilogue, kGemmAccumulate | kGemmEpilogue};
  const ALayout layouts[] = {ALayout::kInPlace, ALayout::kPacked, ALayout::kTransposed};
  for (size_t kc : kcs) {
    for (ALayout layout : layouts) {
      for (unsigned flags : flag_sets) {
        // Activations matter only with the epilogue; otherwise one run is enough.
        for (const Activation& act : kActivations) {
          if (!(flags & kGemmEpilogue) && &act != kActivations) continue;
          for (size_t mr = 1; mr <= uk.mr; mr++) {
            MicroKernelCase(uk, "tile", uk.fn, nullptr, uk.mr, mr, kc, layout, flags, act, rng);
            if (uk.pair) MicroKernelCase(uk, "pair", nullptr, uk.pair, uk.mr, mr, kc, layout, flags, act, rng);
          }
          // The packed-A kernels read only packed tiles of their own height (gemm.h).
          if (layout == ALayout::kPacked && uk.packed_fn != uk.fn) {
            for (size_t mr = 1; mr <= uk.packed_mr; mr++) {
              MicroKernelCase(uk, "packed", uk.packed_fn, nullptr, uk.packed_mr, mr, kc, layout, flags, act, rng);
              if (uk.packed_pair) MicroKernelCase(uk, "packed-pair", nullptr, uk.packed_pair, uk.packed_mr, mr, kc, layout, flags, act, rng);
            }
          }
          // The one-row kernels read A at a + k * a_cs (a single row, as the driver calls them).
          if (uk.row) MicroKernelCase(uk, "row", uk.row, nullptr, 1, 1, kc, layout, flags, act, rng);
          if (uk.row_pair) MicroKernelCase(uk, "row-pair", nullptr, uk.row_pair, 1, 1, kc, layout, flags, act, rng);
          if (uk.row_quad && layout == ALayout::kInPlace) RowQuadCase(uk, kc, flags, act, rng);
        }
      }
    }
  }
}

// The blocked driver: C = clamp(A * W + bias) (+ C) over packed W, every row tile, panel, K block.
void DriverCase(const IsaKernels& uk, size_t m, size_t n, size_t k, size_t k_block, bool pack,
                bool transposed, bool with_bias, bool accumulate, const Activation& act, Rng& rng) {
  Case t(Format("%s driver m=%zu n=%zu k=%zu k_block=%zu pack=%d transposed=%d bias=%d acc=%d %s", uk.isa, m, n, k,
                k_block, pack, transposed, with_bias, accumulate, act.name));
  Guarded a(m * k), b(k * n), bias(with_bias ? n : 1), w(PackedWeightsSize(k, n)), c(m * n);
  rng.Fill(a.data(), a.size());
  rng.Fill(b.data(), b.size());
  rng.Fill(bias.data(), bias.size());
  rng.Fill(c.data(), c.size());
  std::vector<float> c0(c.data(), c.data() + c.size());
  PackWeights(k, n, b.data(), n, 1, 1.0f, w.data());
  GemmProblem p{};
  p.m = m, p.n = n, p.k = k, p.a = a.data(), p.w = w.data(), p.c = c.data(), p.ldc = n;
  // Transposed: a holds the k x m matrix A^T; element (i, kk) of A at a[kk * m + i].
  p.lda = transposed ? 1 : k, p.a_cs = transposed ? m : 1;
  p.bias = with_bias ? bias.data() : nullptr, p.minv = act.minv, p.maxv = act.maxv, p.accumulate = accumulate;
  std::vector<float> packed(pack ? PackedABlockFloats(m, uk.mr, uk.packed_mr, k_block) : 0);
  const size_t panels = (n + kGemmNR - 1) / kGemmNR;
  GemmTile(uk, p, 0, m, 0, panels, k_block, pack ? packed.data() : nullptr);
  for (size_t i = 0; i < m && t.ok(); i++) {
    for (size_t j = 0; j < n && t.ok(); j++) {
      Ref r;
      for (size_t kk = 0; kk < k; kk++) r.Add(double(a[transposed ? kk * m + i : i * k + kk]) * double(b[kk * n + j]));
      r = Finish(r, accumulate, c0[i * n + j], true, with_bias ? bias[j] : 0.0f, act.minv, act.maxv);
      t.Check(Close(c[i * n + j], r, k), "C[%zu][%zu] = %.9g, expected %.9g", i, j, double(c[i * n + j]), r.value);
    }
  }
}

void Driver(const IsaKernels& uk, Rng& rng) {
  // Row counts around the tile heights of both A layouts (in place: mr, packed: packed_mr tiles
  // then mr tiles, TallTiles), 64 among them (4 tiles of 12 and 2 of 8 on AVX-512).
  const size_t mr = uk.mr, pmr = uk.packed_mr;
  const size_t ms[] = {1, mr - 1, mr, mr + 1, 2 * mr + 1, pmr - 1, pmr + 1, 2 * pmr + 1, 64, kGemmMc - 1, kGemmMc, kGemmMc + 1};
  const size_t ns[] = {1, 15, 16, 17, 32, 33, 50};
  const size_t ks[] = {1, 17, kGemmKc - 1, kGemmKc, kGemmKc + 1};
  for (size_t m : ms) {
    if (m == 0) continue;
    for (size_t n : ns) {
      for (size_t k : ks) {
        // Every shape in place with the real K block; the combinations rotate through the rest.
        const size_t v = m + n + k;
        DriverCase(uk, m, n, k, kGemmKc, false, false, true, false, kActivations[0], rng);
        DriverCase(uk, m, n, k, v % 2 ? 7 : kGemmKc, true, v % 3 == 0, v % 4 != 0, v % 5 == 0, kActivations[v % 3], rng);
      }
    }
  }
  // One row over enough panels for the four-panel row kernel, then pairs and a last panel.
  for (size_t n : {size_t(64), size_t(65), size_t(80), size_t(97), size_t(130)})
    for (size_t k : ks) {
      DriverCase(uk, 1, n, k, k, false, false, true, false, kActivations[0], rng);
      DriverCase(uk, 1, n, k, k, false, (n + k) % 2 == 0, (n + k) % 3 != 0, true, kActivations[(n + k) % 3], rng);
    }
}

// A convolution window over an NHWC input, with the naive patch value of (output row, K column).
struct ConvShape {
  Nhwc in;
  Window2D win;
  size_t oh, ow;
  ConvShape(size_t n, size_t h, size_t w, size_t c, Window2D wd) : in{n, h, w, c}, win(wd) {
    oh = OutputExtent(h, wd.kh, wd.sh, wd.dh, wd.pt, wd.pb);
    ow = OutputExtent(w, wd.kw, wd.sw, wd.dw, wd.pl, wd.pr);
  }
  size_t rows() const { return in.n * oh * ow; }
  size_t k() const { return win.kh * win.kw * in.c; }
  // Element (row, col) of the im2col matrix, from the definition: 0 in the padding.
  float Patch(const float* x, size_t row, size_t col) const {
    const size_t b = row / (oh * ow), oy = row / ow % oh, ox = row % ow;
    const size_t ch = col % in.c, tap = col / in.c, ky = tap / win.kw, kx = tap % win.kw;
    const long iy = long(oy * win.sh + ky * win.dh) - long(win.pt), ix = long(ox * win.sw + kx * win.dw) - long(win.pl);
    if (iy < 0 || ix < 0 || iy >= long(in.h) || ix >= long(in.w)) return 0.0f;
    return x[((b * in.h + size_t(iy)) * in.w + size_t(ix)) * in.c + ch];
  }
  std::string Label() const {
    return Format("%zux%zux%zux%zu k%zux%zu s%zux%zu d%zux%zu p%zu,%zu,%zu,%zu", in.n, in.h, in.w, in.c, win.kh, win.kw, win.sh,
                  win.sw, win.dh, win.dw, win.pt, win.pb, win.pl, win.pr);
  }
};

std::vector<ConvShape> ConvShapes() {
  return {
      ConvShape(1, 5, 5, 1, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}),
      ConvShape(2, 7, 6, 3, {3, 3, 2, 2, 1, 1, 0, 1, 0, 1}),
      ConvShape(1, 9, 9, 16, {3, 3, 1, 1, 2, 2, 2, 2, 2, 2}),
      ConvShape(1, 4, 11, 17, {2, 3, 1, 2, 1, 1, 1, 0, 2, 1}),
      ConvShape(1, 3, 3, 5, {1, 1, 1, 1, 1, 1, 0, 0, 0, 0}),
      ConvShape(1, 6, 6, 40, {5, 5, 1, 1, 1, 1, 2, 2, 2, 2}),  // K = 1000: several tap blocks
  };
}

// Im2colNhwc in segments (row0, rows) against the definition, bit for bit.
void Im2col(Rng& rng) {
  for (const ConvShape& s : ConvShapes()) {
    Guarded x(s.in.n * s.in.h * s.in.w * s.in.c);
    rng.Fill(x.data(), x.size());
    const size_t rows = s.rows(), k = s.k();
    for (size_t seg : {size_t(1), size_t(7), rows}) {
      Case t("im2col " + s.Label() + Format(" segments of %zu rows", seg));
      for (size_t row0 = 0; row0 < rows && t.ok(); row0 += seg) {
        const size_t n = std::min(seg, rows - row0);
        Guarded out(n * k);
        Im2colNhwc(s.in, s.win, s.oh, s.ow, x.data(), row0, n, out.data());
        for (size_t r = 0; r < n && t.ok(); r++)
          for (size_t col = 0; col < k && t.ok(); col++) {
            const float want = s.Patch(x.data(), row0 + r, col), got = out[r * k + col];
            t.Check(std::memcmp(&got, &want, 4) == 0, "row %zu col %zu = %g, expected %g", row0 + r, col, double(got), double(want));
          }
      }
    }
  }
}

// Col2imNhwc, the adjoint of im2col, in segments against the definition: each cell of dx the
// sum of the patch entries read from it, added in row order then column order (so bit for bit).
void Col2im(Rng& rng) {
  for (const ConvShape& s : ConvShapes()) {
    const size_t rows = s.rows(), k = s.k(), cells = s.in.n * s.in.h * s.in.w * s.in.c;
    Guarded cols(rows * k), index(cells);
    rng.Fill(cols.data(), cols.size());
    // Which cell each patch entry reads: im2col of x = the cell indices (exact in float below 2^24).
    for (size_t i = 0; i < cells; i++) index[i] = float(i + 1);
    std::vector<float> want(cells, 0.0f);
    for (size_t r = 0; r < rows; r++)
      for (size_t col = 0; col < k; col++) {
        const float at = s.Patch(index.data(), r, col);
        if (at != 0.0f) want[size_t(at) - 1] += cols[r * k + col];
      }
    for (size_t seg : {size_t(1), size_t(7), rows}) {
      Case t("col2im " + s.Label() + Format(" segments of %zu rows", seg));
      Guarded dx(cells);
      for (size_t i = 0; i < cells; i++) dx[i] = 0.0f;
      for (size_t row0 = 0; row0 < rows; row0 += seg)
        Col2imNhwc(s.in, s.win, s.oh, s.ow, cols.data() + row0 * k, row0, std::min(seg, rows - row0), dx.data());
      for (size_t i = 0; i < cells && t.ok(); i++)
        t.Check(std::memcmp(&dx[i], &want[i], 4) == 0, "cell %zu = %g, expected %g", i, double(dx[i]), double(want[i]));
    }
  }
}

// A convolution through IndirectionNhwc and IgemmTile against the naive sum over patches.
void Igemm(const IsaKernels& uk, Rng& rng) {
  for (const ConvShape& s : ConvShapes()) {
    for (size_t oc : {size_t(1), size_t(16), size_t(17), size_t(40), size_t(64)}) {
      const Activation& act = kActivations[oc % 3];
      Case t(Format("%s igemm %s oc=%zu %s", uk.isa, s.Label().c_str(), oc, act.name));
      const size_t rows = s.rows(), k = s.k(), taps = s.win.kh * s.win.kw;
      Guarded x(s.in.n * s.in.h * s.in.w * s.in.c), b(k * oc), w(PackedWeightsSize(k, oc)), bias(oc), zeros(s.in.c), y(rows * oc);
      rng.Fill(x.data(), x.size());
      rng.Fill(b.data(), b.size());
      rng.Fill(bias.data(), bias.size());
      for (size_t i = 0; i < zeros.size(); i++) zeros[i] = 0.0f;
      PackWeights(k, oc, b.data(), oc, 1, 1.0f, w.data());
      const size_t tiles = (rows + uk.mr - 1) / uk.mr;
      std::vector<const float*> ind(tiles * taps * uk.mr);
      // Built against another buffer, as a kept buffer is (ops/indirection-cache.h): the kernels
      // move each pointer but the zero vector's to x.
      Guarded elsewhere(x.size());
      IndirectionNhwc(s.in, s.win, s.oh, s.ow, elsewhere.data(), zeros.data(), 0, rows, uk.mr, ind.data());
      const size_t a_offset = reinterpret_cast<uintptr_t>(x.data()) - reinterpret_cast<uintptr_t>(elsewhere.data());
      // In two groups of panels when there are more than two, as threads may split them.
      const size_t panels = (oc + kGemmNR - 1) / kGemmNR, split = panels > 2 ? 2 : panels;
      IgemmTile(uk, rows, oc, 0, split, taps, s.in.c, ind.data(), a_offset, zeros.data(), w.data(), y.data(), oc, bias.data(), act.minv, act.maxv);
      if (split < panels)
        IgemmTile(uk, rows, oc, split, panels, taps, s.in.c, ind.data(), a_offset, zeros.data(), w.data(), y.data(), oc, bias.data(), act.minv, act.maxv);
      for (size_t r = 0; r < rows && t.ok(); r++)
        for (size_t j = 0; j < oc && t.ok(); j++) {
          Ref ref;
          for (size_t col = 0; col < k; col++) ref.Add(double(s.Patch(x.data(), r, col)) * double(b[col * oc + j]));
          ref = Finish(ref, false, 0, true, bias[j], act.minv, act.maxv);
          t.Check(Close(y[r * oc + j], ref, k), "y[%zu][%zu] = %.9g, expected %.9g", r, j, double(y[r * oc + j]), ref.value);
        }
    }
  }
}

// Winograd F(2x2, 3x3) (ops/winograd.cc) as its plan runs it, on this ISA's kernels with 1 and 3
// threads, against the exact sum, with that algorithm's bound: the magnitude sum taken over the
// transformed terms, |A^T| (sum_c (|G| |g| |G^T|) (.) (|B^T| |d| |B|)) |A| + |bias|, with
// K = c + 6 (test/helpers/winograd-bound.ts derives it). Tiles with a remainder of 1 and 2 rows
// against each MR, odd extents, one-sided and wide pads, channels off the vectors and past the K
// block, filters off the panels; the same bits for both thread counts.
void Winograd(const IsaKernels& uk, Rng& rng) {
  static const double kG[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0, 0, 1}};
  static const double kBt[4][4] = {{1, 0, 1, 0}, {0, 1, 1, 0}, {0, 1, 1, 0}, {0, 1, 0, 1}};
  static const double kAt[2][4] = {{1, 1, 1, 0}, {0, 1, 1, 1}};
  const ConvShape shapes[] = {
      ConvShape(1, 6, 6, 32, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}),  ConvShape(1, 4, 10, 40, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}),
      ConvShape(2, 7, 9, 33, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}),  ConvShape(1, 9, 8, 48, {3, 3, 1, 1, 1, 1, 0, 2, 1, 0}),
      ConvShape(1, 5, 5, 32, {3, 3, 1, 1, 1, 1, 3, 3, 3, 3}),  ConvShape(1, 6, 7, 300, {3, 3, 1, 1, 1, 1, 1, 1, 1, 1}),
  };
  for (const ConvShape& s : shapes) {
    for (size_t oc : {size_t(32), size_t(50)}) {
      const Activation& act = kActivations[oc % 3];
      Case t(Format("%s winograd %s oc=%zu %s", uk.isa, s.Label().c_str(), oc, act.name));
      const size_t c = s.in.c, k = s.k(), rows = s.rows();
      const Conv2DShape cs{s.in, s.win, s.oh, s.ow, oc};
      Guarded x(s.in.n * s.in.h * s.in.w * c), b(k * oc), w(PackedWeightsSize(k, oc)), bias(oc);
      rng.Fill(x.data(), x.size());
      rng.Fill(b.data(), b.size());
      rng.Fill(bias.data(), bias.size());
      PackWeights(k, oc, b.data(), oc, 1, 1.0f, w.data());
      WinogradCache cache;
      const float* u = cache.Get(w.data(), c, oc)->get();
      std::vector<std::vector<float>> ys;
      for (size_t threads : {size_t(1), size_t(3)}) {
        SetNumThreads(threads);
        const PlanTarget target{&uk, uk.mr, uk.packed_mr, threads, 0, 0, 0, 0, sizeof(const float*), true, true, true, true};
        const Plan plan = PlanConv2D(cs, false, target);
        if (!t.Check(plan.path == Path::kWinograd, "planned path %d, not Winograd", int(plan.path))) break;
        Guarded y(rows * oc);
        RunWinograd(plan, cs, x.data(), u, bias.data(), ClampRange{act.minv, act.maxv}, y.data());
        ys.emplace_back(y.data(), y.data() + y.size());
      }
      SetNumThreads(1);
      if (!t.ok()) continue;
      t.Check(std::memcmp(ys[0].data(), ys[1].data(), ys[0].size() * sizeof(float)) == 0, "3 threads differ from 1 in their bits");
      for (size_t r = 0; r < rows && t.ok(); r++) {
        const size_t bi = r / (s.oh * s.ow), oy = r / s.ow % s.oh, ox = r % s.ow, ty = oy / 2, tx = ox / 2;
        for (size_t j = 0; j < oc && t.ok(); j++) {
          Ref ref;
          for (size_t col = 0; col < k; col++) ref.Add(double(s.Patch(x.data(), r, col)) * double(b[col * oc + j]));
          // The Winograd magnitude sum of this output, over its tile's 4x4 input.
          double mag = std::fabs(double(bias[j]));
          for (size_t ch = 0; ch < c; ch++) {
            double d[4][4], g[3][3], v[4][4], uu[4][4];
            for (size_t yy = 0; yy < 4; yy++)
              for (size_t xx = 0; xx < 4; xx++) {
                const long iy = long(2 * ty + yy) - long(s.win.pt), ix = long(2 * tx + xx) - long(s.win.pl);
                d[yy][xx] = iy < 0 || ix < 0 || iy >= long(s.in.h) || ix >= long(s.in.w)
                                ? 0.0
                                : std::fabs(double(x[((bi * s.in.h + size_t(iy)) * s.in.w + size_t(ix)) * c + ch]));
              }
            for (size_t ky = 0; ky < 3; ky++)
              for (size_t kx = 0; kx < 3; kx++) g[ky][kx] = std::fabs(double(b[((ky * 3 + kx) * c + ch) * oc + j]));
            for (size_t i = 0; i < 4; i++)
              for (size_t q = 0; q < 4; q++) {
                v[i][q] = uu[i][q] = 0;
                for (size_t yy = 0; yy < 4; yy++)
                  for (size_t xx = 0; xx < 4; xx++) v[i][q] += kBt[i][yy] * d[yy][xx] * kBt[q][xx];
                for (size_t ky = 0; ky < 3; ky++)
                  for (size_t kx = 0; kx < 3; kx++) uu[i][q] += kG[i][ky] * g[ky][kx] * kG[q][kx];
              }
            for (size_t i = 0; i < 4; i++)
              for (size_t q = 0; q < 4; q++) mag += kAt[oy % 2][i] * uu[i][q] * v[i][q] * kAt[ox % 2][q];
          }
          ref = Finish(ref, false, 0, true, bias[j], act.minv, act.maxv);
          ref.abs_sum = mag;
          t.Check(Close(ys[0][r * oc + j], ref, c + 6), "y[%zu][%zu] = %.9g, expected %.9g", r, j, double(ys[0][r * oc + j]), ref.value);
        }
      }
    }
  }
}

// Depthwise convolution over `taps` rows of c input channels (some taps the zero row, as the
// padding's), multiplier m, three pixels a call: the value of the definition within the sum's
// bound, bias or none, linear or relu's clamp. Guarded rows catch a read past c (the vector
// kernels' tails) or past oc in y.
void Dwconv(const IsaKernels& uk, Rng& rng) {
  const float inf = std::numeric_limits<float>::infinity();
  for (size_t taps : {size_t(1), size_t(4), size_t(9), size_t(25)}) {
    for (size_t c : {size_t(1), size_t(3), size_t(4), size_t(5), size_t(8), size_t(15), size_t(16), size_t(17), size_t(31), size_t(32),
                     size_t(33), size_t(40), size_t(47)}) {
      for (size_t m : {size_t(1), size_t(2), size_t(3)}) {
        const bool with_bias = (taps + c + m) % 3 != 0, relu = (taps + c) % 2 == 0;
        Case t(Format("%s dwconv taps=%zu c=%zu m=%zu%s%s", uk.isa, taps, c, m, with_bias ? "" : " no bias", relu ? " relu" : ""));
        const size_t oc = c * m;
        std::vector<Guarded*> rows;
        for (size_t i = 0; i < taps; i++) {
          rows.push_back(new Guarded(c));
          rng.Fill(rows.back()->data(), c);
        }
        Guarded zeros(c), b(taps * oc), w(PackedWeightsSize(taps, oc)), bias(oc);
        for (size_t j = 0; j < c; j++) zeros[j] = 0.0f;
        rng.Fill(b.data(), taps * oc);
        rng.Fill(bias.data(), oc);
        PackWeights(taps, oc, b.data(), oc, 1, 1.0f, w.data());
        constexpr size_t kPixels = 3;
        std::vector<const float*> list;
        for (size_t p = 0; p < kPixels; p++)
          for (size_t i = 0; i < taps; i++) list.push_back((i + p) % 5 == 4 ? zeros.data() : rows[(i + p) % taps]->data());
        Guarded y(kPixels * oc);
        uk.dwconv(kPixels, taps, list.data(), oc, m, w.data(), with_bias ? bias.data() : nullptr, relu ? 0.0f : -inf, inf, y.data());
        for (size_t p = 0; p < kPixels && t.ok(); p++)
          for (size_t o = 0; o < oc && t.ok(); o++) {
            Ref r;
            for (size_t i = 0; i < taps; i++) r.Add(double(list[p * taps + i][o / m]) * double(b[i * oc + o]));
            r = Finish(r, false, 0.0f, true, with_bias ? bias[o] : 0.0f, relu ? 0.0f : -inf, inf);
            t.Check(Close(y[p * oc + o], r, taps), "y[%zu][%zu] = %.9g, expected %.9g", p, o, double(y[p * oc + o]), r.value);
          }
        for (Guarded* g : rows) delete g;
      }
    }
  }
}

// Max-pool over `taps` rows of c channels, several pixels a call: the value of the definition
// (NaN if any tap is NaN, -infinity with no taps), and the bits of the scalar kernel (signed
// zeros included), so every ISA pools alike.
void MaxPool(const IsaKernels& uk, Rng& rng) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), 0.0f, -0.0f, -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::infinity()};
  for (size_t taps : {size_t(0), size_t(1), size_t(2), size_t(4), size_t(9)}) {
    for (size_t c : {size_t(1), size_t(3), size_t(4), size_t(5), size_t(7), size_t(8), size_t(9), size_t(15), size_t(16), size_t(17), size_t(33)}) {
      Case t(Format("%s maxpool taps=%zu c=%zu", uk.isa, taps, c));
      std::vector<Guarded*> rows;
      std::vector<const float*> ptrs;
      for (size_t i = 0; i < taps; i++) {
        rows.push_back(new Guarded(c));
        rng.Fill(rows.back()->data(), c);
        // About one value in six special: NaN, signed zeros, infinities.
        for (size_t j = 0; j < c; j++)
          if (rng.Next() % 6 == 0) (*rows.back())[j] = specials[rng.Next() % 5];
        ptrs.push_back(rows.back()->data());
      }
      // Three pixels in one call, each listing the taps in another order.
      constexpr size_t kPixels = 3;
      std::vector<const float*> list;
      for (size_t p = 0; p < kPixels; p++)
        for (size_t i = 0; i < taps; i++) list.push_back(ptrs[(i + p) % taps]);
      Guarded y(kPixels * c), ys(kPixels * c);
      uk.maxpool(kPixels, taps, list.data(), c, nullptr, y.data());
      f32_maxpool_nhwc_scalar(kPixels, taps, list.data(), c, nullptr, ys.data());
      for (size_t q = 0; q < kPixels * c && t.ok(); q++) {
        const size_t j = q % c;
        double want = -std::numeric_limits<double>::infinity();
        bool nan = false;
        for (size_t i = 0; i < taps; i++) {
          nan |= std::isnan(ptrs[i][j]);
          want = std::fmax(want, double(ptrs[i][j]));
        }
        if (nan) t.Check(std::isnan(y[q]), "y[%zu] = %g, expected NaN", q, double(y[q]));
        else t.Check(double(y[q]) == want, "y[%zu] = %g, expected %g", q, double(y[q]), want);
        t.Check(std::memcmp(&y[q], &ys[q], 4) == 0, "y[%zu] = %g differs in its bits from the scalar kernel's %g", q,
                double(y[q]), double(ys[q]));
      }
      for (Guarded* g : rows) delete g;
    }
  }
}

// Average-pool over `taps` rows of c channels, three pixels a call with their own divisors: the
// definition's value within the bound of a float32 sum of taps terms, and the bits of the scalar
// kernel (every width adds the taps in order), so every ISA averages alike.
void AvgPool(const IsaKernels& uk, Rng& rng) {
  for (size_t taps : {size_t(1), size_t(2), size_t(4), size_t(9), size_t(49)}) {
    for (size_t c : {size_t(1), size_t(3), size_t(4), size_t(7), size_t(8), size_t(15), size_t(16), size_t(17), size_t(33), size_t(63), size_t(64), size_t(65), size_t(130)}) {
      Case t(Format("%s avgpool taps=%zu c=%zu", uk.isa, taps, c));
      std::vector<Guarded*> rows;
      std::vector<const float*> ptrs;
      for (size_t i = 0; i < taps; i++) {
        rows.push_back(new Guarded(c));
        rng.Fill(rows.back()->data(), c);
        ptrs.push_back(rows.back()->data());
      }
      constexpr size_t kPixels = 3;
      const float divisors[kPixels] = {float(taps), float(taps + 2), 1.0f};
      std::vector<const float*> list;
      for (size_t p = 0; p < kPixels; p++)
        for (size_t i = 0; i < taps; i++) list.push_back(ptrs[(i + p) % taps]);
      Guarded y(kPixels * c), ys(kPixels * c);
      uk.maxpool(kPixels, taps, list.data(), c, divisors, y.data());
      f32_maxpool_nhwc_scalar(kPixels, taps, list.data(), c, divisors, ys.data());
      for (size_t q = 0; q < kPixels * c && t.ok(); q++) {
        const size_t j = q % c, p = q / c;
        double sum = 0, mag = 0;
        for (size_t i = 0; i < taps; i++) sum += ptrs[i][j], mag += std::fabs(ptrs[i][j]);
        const double want = sum / divisors[p], tol = (taps + 2) * 0x1p-24 * mag / divisors[p];
        t.Check(std::fabs(double(y[q]) - want) <= tol, "y[%zu] = %.9g, expected %.9g", q, double(y[q]), want);
        t.Check(std::memcmp(&y[q], &ys[q], 4) == 0, "y[%zu] = %g differs in its bits from the scalar kernel's %g", q,
                double(y[q]), double(ys[q]));
      }
      for (Guarded* g : rows) delete g;
    }
  }
}

// PackA: tile t, step k, row i at out[(t * kc + k) * mr + i], zeros past the rows.
void PackATest(Rng& rng) {
  for (size_t mr : {size_t(4), size_t(6), size_t(8), size_t(12)})
    for (size_t rows : {size_t(1), mr - 1, mr, mr + 1, 3 * mr + 2})
      for (size_t kc : {size_t(1), size_t(5), size_t(16)}) {
        Case t(Format("PackA mr=%zu rows=%zu kc=%zu", mr, rows, kc));
        const size_t tiles = (rows + mr - 1) / mr, lda = kc + 2;
        Guarded a(rows * lda), out(tiles * kc * mr);
        rng.Fill(a.data(), a.size());
        PackA(mr, rows, kc, a.data(), lda, 1, out.data());
        for (size_t tt = 0; tt < tiles; tt++)
          for (size_t k = 0; k < kc; k++)
            for (size_t i = 0; i < mr; i++) {
              const size_t r = tt * mr + i;
              const float want = r < rows ? a[r * lda + k] : 0.0f;
              t.Check(out[(tt * kc + k) * mr + i] == want, "tile %zu step %zu row %zu", tt, k, i);
            }
      }
}

// TallTiles: the cheapest split of a packed block into tall tiles then at most two mr tiles,
// against an exhaustive search over both counts (a tall row costing 9/10 of an mr row).
void TallTilesTest() {
  for (const auto& [mr, pmr] : {std::pair<size_t, size_t>{8, 12}, {6, 6}, {4, 4}})
    for (size_t rows = 1; rows <= kGemmMc; rows++) {
      Case t(Format("TallTiles mr=%zu packed_mr=%zu rows=%zu", mr, pmr, rows));
      const size_t tall = TallTiles(rows, mr, pmr);
      if (pmr == mr) {
        t.Check(tall == 0, "%zu tall tiles where there is one height", tall);
        continue;
      }
      const size_t shorts = rows > tall * pmr ? (rows - tall * pmr + mr - 1) / mr : 0;
      size_t best = SIZE_MAX;
      for (size_t a = 0; a * pmr <= rows + pmr; a++)
        for (size_t b = 0; b * mr <= rows + mr; b++)
          if (a * pmr + b * mr >= rows) best = std::min(best, 9 * a * pmr + 10 * b * mr);
      t.Check(shorts <= 2, "%zu mr tiles", shorts);
      t.Check(9 * tall * pmr + 10 * shorts * mr == best, "%zu tall and %zu mr tiles cost %zu, the best %zu", tall, shorts,
              9 * tall * pmr + 10 * shorts * mr, best);
    }
  Case t("TallTiles of D2's 64 rows on AVX-512");
  t.Check(TallTiles(64, 8, 12) == 4 && TallTiles(96, 8, 12) == 8 && TallTiles(16, 8, 12) == 0, "64: %zu, 96: %zu, 16: %zu",
          TallTiles(64, 8, 12), TallTiles(96, 8, 12), TallTiles(16, 8, 12));
}

// An ISA's own A packing (IsaKernels::pack_a): the portable PackA's floats in the same places,
// for A in place and transposed, partial tiles, and K around its 8-step blocks, at each tile
// height the driver packs (mr, packed_mr) and one it hands to PackA (5).
void IsaPackA(const IsaKernels& uk, Rng& rng) {
  if (!uk.pack_a) return;
  for (size_t mr : {uk.mr, uk.packed_mr, size_t(5)})
    for (size_t rows : {size_t(1), mr - 1, mr, mr + 1, 3 * mr + 2})
      for (size_t kc : {size_t(1), size_t(7), size_t(8), size_t(9), size_t(37)})
        for (const bool transposed : {false, true}) {
          Case t(Format("%s pack_a mr=%zu rows=%zu kc=%zu%s", uk.isa, mr, rows, kc, transposed ? " transposed" : ""));
          const size_t tiles = (rows + mr - 1) / mr, lda = transposed ? 1 : kc + 3, cs = transposed ? rows + 2 : 1;
          Guarded a(transposed ? kc * cs : rows * lda), want(tiles * kc * mr), got(tiles * kc * mr);
          rng.Fill(a.data(), a.size());
          PackA(mr, rows, kc, a.data(), lda, cs, want.data());
          uk.pack_a(mr, rows, kc, a.data(), lda, cs, got.data());
          t.Check(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0, "differs from PackA");
        }
}

// PackWeights against its definition, packed[(p*K + k)*16 + j] = scale * B(k, p*16 + j) or 0
// past N: row-major B (the 8-row full-panel path, then the edge panel), scaled, and transposed,
// with N below, at and around the 16-column panel and K around the 8- and 64-row blocks.
void PackWeightsTest(Rng& rng) {
  for (size_t n : {size_t(1), size_t(15), size_t(16), size_t(17), size_t(32), size_t(45), size_t(64)})
    for (size_t k : {size_t(1), size_t(7), size_t(8), size_t(9), size_t(65)})
      for (int form = 0; form < 3; form++) {  // 0: row-major, 1: scaled, 2: transposed
        Case t(Format("PackWeights k=%zu n=%zu %s", k, n, form == 0 ? "row-major" : form == 1 ? "scaled" : "transposed"));
        const size_t ld = form == 2 ? k + 3 : n + 5;  // a stride wider than the matrix
        const size_t rs = form == 2 ? 1 : ld, cs = form == 2 ? ld : 1;
        const float scale = form == 1 ? 0.5f : 1.0f;
        Guarded b(form == 2 ? n * ld : k * ld), out(PackedWeightsSize(k, n));
        rng.Fill(b.data(), b.size());
        PackWeights(k, n, b.data(), rs, cs, scale, out.data());
        for (size_t p = 0; p * kGemmNR < n; p++)
          for (size_t kk = 0; kk < k; kk++)
            for (size_t j = 0; j < kGemmNR; j++) {
              const size_t col = p * kGemmNR + j;
              const float want = col < n ? scale * b[kk * rs + col * cs] : 0.0f;
              t.Check(std::memcmp(&out[(p * k + kk) * kGemmNR + j], &want, 4) == 0, "panel %zu row %zu col %zu", p, kk, j);
            }
      }
}

// The workspace pool: a released block is taken again by a request it fits (at most twice its
// size), cache-line aligned; it keeps at most kWorkspacePoolBytes, dropping the oldest; blocks
// larger than that and NewAlignedFloats' are never kept; threads take and release concurrently.
void WorkspacePoolTest() {
  {
    Case t("workspace pool reuses a released block it fits");
    const size_t before = WorkspacePoolBytes();
    float* first;
    {
      Workspace w = NewWorkspace(1000);
      first = w.get();
      t.Check(reinterpret_cast<uintptr_t>(first) % kCacheLine == 0, "not on a cache line");
    }
    t.Check(WorkspacePoolBytes() == before + 1000 * sizeof(float), "kept %zu bytes, expected %zu", WorkspacePoolBytes(), before + 4000);
    {
      Workspace w = NewWorkspace(1500);  // 1000 floats do not hold 1500
      t.Check(w.get() != first, "a block too small was handed out");
    }
    {
      Workspace w = NewWorkspace(900);
      t.Check(w.get() == first, "the kept 1000-float block was not reused for 900");
      w[899] = 1.0f;
    }
    {
      Workspace w = NewWorkspace(400);  // the 1000 and 1500 float blocks are more than twice 400
      t.Check(w.get() != first, "a block over twice the request was handed out");
    }
  }
  {
    Case t("workspace pool stays within its bound");
    const size_t quarter = kWorkspacePoolBytes / sizeof(float) / 4;
    std::vector<Workspace> held;
    for (int i = 0; i < 6; i++) held.push_back(NewWorkspace(quarter + size_t(i) * 4096));
    held.clear();
    t.Check(WorkspacePoolBytes() <= kWorkspacePoolBytes, "keeps %zu bytes, more than %zu", WorkspacePoolBytes(), kWorkspacePoolBytes);
    const size_t kept = WorkspacePoolBytes();
    { Workspace big = NewWorkspace(kWorkspacePoolBytes / sizeof(float) + 1); }
    t.Check(WorkspacePoolBytes() == kept, "a block larger than the pool was kept");
    { Workspace own = NewAlignedFloats(16); }
    t.Check(WorkspacePoolBytes() == kept, "NewAlignedFloats' block was kept");
  }
  {
    Case t("workspace pool from 4 threads");
    std::vector<std::thread> threads;
    std::vector<int> bad(4, 0);
    for (int i = 0; i < 4; i++)
      threads.emplace_back([i, &bad] {
        for (int r = 0; r < 2000; r++) {
          const size_t floats = 64 + size_t((r * 7 + i) % 50) * 64;
          Workspace w = NewWorkspace(floats);
          for (size_t j = 0; j < floats; j++) w[j] = float(i);
          for (size_t j = 0; j < floats; j++) bad[i] += w[j] != float(i);
        }
      });
    for (std::thread& th : threads) th.join();
    t.Check(bad[0] + bad[1] + bad[2] + bad[3] == 0, "a block was written by two threads at once");
    t.Check(WorkspacePoolBytes() <= kWorkspacePoolBytes, "keeps %zu bytes", WorkspacePoolBytes());
  }
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  signal(SIGSEGV, OnFault);
  signal(SIGBUS, OnFault);
  Rng rng(20240611);
  const std::vector<std::string> isas = SupportedIsas();
  std::printf("ISAs on this CPU:");
  for (const std::string& isa : isas) std::printf(" %s", isa.c_str());
  std::printf("\n");
  {
    Case t("the build's SIMD kernels are available");
    t.Check(!isas.empty() && isas.back() == "scalar", "scalar is not the last ISA");
#if defined(__aarch64__)
    // NEON is baseline on AArch64: without it here, its kernels would go untested.
    t.Check(isas.front() == "neon", "neon is not the first ISA (%s)", isas.front().c_str());
#endif
  }
  PackATest(rng);
  PackWeightsTest(rng);
  WorkspacePoolTest();
  TallTilesTest();
  Im2col(rng);
  Col2im(rng);
  for (const std::string& isa : isas) {
    const IsaKernels& uk = *FindKernels(isa);
    const size_t before = g_passed + g_failed, failed = g_failed;
    IsaPackA(uk, rng);
    MicroKernels(uk, rng);
    Driver(uk, rng);
    Igemm(uk, rng);
    Winograd(uk, rng);
    MaxPool(uk, rng);
    AvgPool(uk, rng);
    Dwconv(uk, rng);
    std::printf("%s: %zu cases, %zu failed\n", isa.c_str(), g_passed + g_failed - before, g_failed - failed);
  }
  std::printf("%zu passed, %zu failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
