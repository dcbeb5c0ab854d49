#include "ops/conv2d.h"

#include <algorithm>
#include <cstdint>

#include "kernels/thread-pool.h"
#include "ops/im2col.h"
#include "ops/indirection.h"
#include "ops/matmul.h"
#include "ops/workspace.h"

namespace convkit {

namespace {

// Few channels (a first layer: C4, an RGB image): the kw taps of one window row are kw * c
// contiguous floats of a zero-padded copy of x, so the indirect GEMM takes one pointer per window
// row instead of one per tap, over the same K rows in the same order (the same sums, bit for
// bit). Below 8 channels a tap's pointers cost over a third of its FMAs; from 8 up the copy
// costs more than it saves (C2, 12 channels, stride 2: 0.87x).
constexpr size_t kMergeRowsBelowChannels = 8;

bool MergesWindowRows(const Conv2DShape& s) {
  if (s.in.c >= kMergeRowsBelowChannels || s.win.kw < 2 || s.win.dw != 1) return false;
  // Only where the padded copy stays near the input's size (a pad may be far wider than x).
  const double padded = double(s.in.n) * double(s.in.h + s.win.pt + s.win.pb) *
                        double(s.in.w + s.win.pl + s.win.pr) * double(s.in.c);
  return padded <= 4.0 * double(s.in.n * s.in.h * s.in.w * s.in.c) + 65536.0;
}

// x with its padding made real, into out: n images of (pt + h + pb) x (pl + w + pr) pixels.
void PadNhwc(const Conv2DShape& s, const float* x, float* out) {
  const Window2D& win = s.win;
  const size_t c = s.in.c, wp = s.in.w + win.pl + win.pr, row = wp * c;
  for (size_t b = 0; b < s.in.n; b++) {
    std::fill(out, out + win.pt * row, 0.0f);
    out += win.pt * row;
    for (size_t iy = 0; iy < s.in.h; iy++, out += row, x += s.in.w * c) {
      std::fill(out, out + win.pl * c, 0.0f);
      std::copy(x, x + s.in.w * c, out + win.pl * c);
      std::fill(out + (win.pl + s.in.w) * c, out + row, 0.0f);
    }
    std::fill(out, out + win.pb * row, 0.0f);
    out += win.pb * row;
  }
}

// Path::kIndirectGemm. Task t is a run of output rows and a group of panels (of channel group
// t / (tasks / groups): its channels of the same pixels, a_offset further, its own panels and
// its columns of y).
void RunIndirectGemm(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_w,
                     const float* bias, ClampRange clamp, float* y, IndirectionCache* indirection) {
  // g: the convolution the kernels run, over src; with merged window rows, a kh x 1 window of
  // kw * c "channels" over the padded copy.
  Conv2DShape g = s;
  size_t channels = s.in.c / s.groups;
  const float* src = x;
  Workspace padded;
  if (s.groups == 1 && MergesWindowRows(s)) {
    g.in = {s.in.n, s.in.h + s.win.pt + s.win.pb, s.in.w + s.win.pl + s.win.pr, s.in.c};
    g.win = {s.win.kh, 1, s.win.sh, s.win.sw, s.win.dh, 1, 0, 0, 0, 0};
    channels = s.win.kw * s.in.c;
    padded = NewWorkspace(g.in.n * g.in.h * g.in.w * g.in.c);
    PadNhwc(s, x, padded.get());
    src = padded.get();
  }
  const size_t taps = g.win.kh * g.win.kw, mr = plan.kernels->mr;
  const size_t groups = (plan.panels + plan.panels_per_task - 1) / plan.panels_per_task;
  const size_t per_group = plan.tasks / s.groups, opg = s.oc / s.groups;
  const size_t group_w = GroupPanels(s.oc, s.groups) * kGemmNR * taps * channels;
  const auto first_row = [&](size_t t) { return t % per_group / groups * plan.rows_per_task; };
  const auto igemm = [&](size_t t, const float* const* ind, size_t a_offset, const float* zero) {
    const size_t cg = t / per_group, r0 = first_row(t), len = std::min(plan.rows_per_task, plan.rows - r0);
    const size_t p0 = t % per_group % groups * plan.panels_per_task;
    IgemmTile(*plan.kernels, len, opg, p0, std::min(plan.panels, p0 + plan.panels_per_task), taps, channels, ind,
              a_offset + cg * channels * sizeof(float), zero, packed_w + cg * group_w, y + r0 * s.oc + cg * opg, s.oc,
              bias ? bias + cg * opg : nullptr, clamp.min, clamp.max);
  };
  // The kept buffer covers every row in tiles of mr from row 0, and tasks start on whole tiles
  // (rows_per_task is a multiple of mr, or all the rows): task t's tiles are a slice of it.
  if (const auto kept = indirection ? indirection->Get(g, mr, src) : nullptr) {
    const size_t a_offset = reinterpret_cast<uintptr_t>(src) - reinterpret_cast<uintptr_t>(kept->base);
    ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t) {
      igemm(t, kept->pointers.data() + first_row(t) / mr * taps * mr, a_offset, kept->zeros.data());
    });
    return;
  }
  // Otherwise each task's share of the buffer in the participant's slot, and the padding taps
  // read a zero vector after the slots.
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const Workspace work = NewWorkspace(plan.threads * slot_floats + channels);
  float* zeros = work.get() + plan.threads * slot_floats;
  std::fill(zeros, zeros + channels, 0.0f);
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const size_t r0 = first_row(t), len = std::min(plan.rows_per_task, plan.rows - r0);
    const float** ind = reinterpret_cast<const float**>(work.get() + slot * slot_floats);
    IndirectionNhwc(g.in, g.win, g.oh, g.ow, src, zeros, r0, len, mr, ind);
    igemm(t, ind, 0, zeros);
  });
}

// The convolution's GEMM on the plan's path, the activation's clamp in its epilogue.
void RunConv2DGemm(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_w,
                   const float* bias, ClampRange clamp, float* y, ConvCaches* caches) {
  const size_t k = s.win.kh * s.win.kw * s.in.c;
  const GemmProblem p{plan.rows, s.oc, k, x, k, 1, packed_w, y, s.oc, bias, clamp.min, clamp.max, false};
  if (plan.path == Path::kGemm) {
    RunMatmul(plan, p);
    return;
  }
  if (plan.path == Path::kIndirectGemm) {
    RunIndirectGemm(plan, s, x, packed_w, bias, clamp, y, caches ? &caches->indirection : nullptr);
    return;
  }
  if (plan.path == Path::kWinograd) {
    if (caches) {
      const auto u = caches->winograd.Get(packed_w, s.in.c, s.oc);
      RunWinograd(plan, s, x, u->get(), bias, clamp, y);
    } else {
      WinogradCache once;
      RunWinograd(plan, s, x, once.Get(packed_w, s.in.c, s.oc)->get(), bias, clamp, y);
    }
    return;
  }
  const size_t slot_floats = plan.slot_bytes / sizeof(float);
  const Workspace work = NewWorkspace(plan.threads * slot_floats);
  // Path::kIm2colGemm: task t is segment t % segments of group t / segments, expanded into its
  // participant's slot after the slot's packed-A block. A group reads its slice of each pixel's
  // channels, multiplies its own panels and writes its columns of y's rows (ldc = oc).
  const size_t segments = (plan.rows + plan.rows_per_task - 1) / plan.rows_per_task;
  const size_t cpg = s.in.c / s.groups, opg = s.oc / s.groups, gk = k / s.groups;
  const size_t group_w = GroupPanels(s.oc, s.groups) * kGemmNR * gk;
  ParallelFor(plan.tasks, plan.threads, [&](size_t t, size_t slot) {
    const size_t g = t / segments, r0 = t % segments * plan.rows_per_task, len = std::min(plan.rows_per_task, plan.rows - r0);
    float* pack = work.get() + slot * slot_floats;
    float* a = pack + plan.pack_floats;
    Im2colNhwc(s.in, s.win, s.oh, s.ow, x, r0, len, a, g * cpg, cpg);
    // Segments are fixed by the shape, so how the driver treats one never depends on threads.
    GemmProblem part = p;
    part.m = len;
    part.a = a;
    part.k = part.lda = gk;
    part.n = opg;
    part.w = packed_w + g * group_w;
    part.bias = bias ? bias + g * opg : nullptr;
    part.c = y + r0 * s.oc + g * opg;
    GemmTile(*plan.kernels, part, 0, len, 0, plan.panels, plan.k_block, plan.pack_floats ? pack : nullptr);
  });
}

}  // namespace

void RunConv2D(const Plan& plan, const Conv2DShape& s, const float* x, const float* packed_w,
               const float* bias, const OutputActivation& act, float* y, ConvCaches* caches) {
  RunConv2DGemm(plan, s, x, packed_w, bias, ClampFor(act.act), y, caches);
  ApplyOutputActivation(act, y, s.oc);
}

}  // namespace convkit
