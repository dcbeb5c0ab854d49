#include "ops/plan.h"

#include <algorithm>

#include "kernels/cpu-features.h"
#include "kernels/gemm-driver.h"
#include "kernels/thread-pool.h"
#include "ops/winograd.h"

namespace convkit {
namespace {

size_t CeilDiv(size_t a, size_t b) { return (a + b - 1) / b; }

// Slots start on their own cache line: threads writing neighbouring slots must not share one.
size_t SlotBytes(size_t bytes) { return CeilDiv(bytes, kCacheLine) * kCacheLine; }

// Packed A for the blocks of one task (its rows, at most an M block, in whole row tiles), when
// enough panels reuse it and there is more than one row (a single row has its own kernel); 0
// reads A in place.
bool PacksA(size_t rows, size_t panels_per_task, const PlanTarget& t) {
  return t.pack_a && rows > 1 && panels_per_task >= kPackMinPanels;
}

size_t PackFloats(const Plan& p, const PlanTarget& t) {
  const bool pack = PacksA(p.rows, p.panels_per_task, t);
  return pack ? PackedABlockFloats(p.rows_per_task, t.mr, t.packed_mr, p.k_block) : 0;
}

// One participant when the work is too small to share; never more than there are tasks.
size_t Participants(double work, double threshold, size_t threads, size_t tasks) {
  return work < threshold ? 1 : std::max<size_t>(1, std::min(threads, tasks));
}

}  // namespace

PlanTarget NativeTarget() {
  // Native tile scratch lives on the stack of GemmTile; tap pointers are the CPU's.
  const IsaKernels& kernels = ActiveKernels();
  return {&kernels, kernels.mr, kernels.packed_mr, NumThreads(), kParallelMacs, kParallelReads, kParallelActivations, 0,
          sizeof(const float*), true, true, true, true};
}

Plan PlanGemm(size_t m, size_t n, size_t k, const PlanTarget& t) {
  Plan p{};
  p.path = Path::kGemm;
  p.kernels = t.kernels;
  p.rows = m;
  p.panels = CeilDiv(n, kGemmNR);
  // With one row tile A is tiny: blocking K would only break each panel's stream of weights.
  p.k_block = m <= t.mr ? k : std::min(k, kGemmKc);
  const double macs = double(m) * double(n) * double(k);
  const size_t threads = macs < t.parallel_macs ? 1 : t.threads;
  const size_t row_tiles = CeilDiv(m, t.mr);
  p.rows_per_task = m;
  p.panels_per_task = p.panels;
  p.k_splits = 1;
  p.k_chunk = k;
  // An output of few micro-tiles leaves threads idle, or has each stream all of A for a panel or
  // two: K is split into chunks fixed by the shape (never by the thread count, so the sums, and
  // the bits, stay the same for any count), their partial products kept in the shared workspace.
  if (t.split_k && row_tiles * p.panels < kSplitKMaxTiles && k >= 2 * kSplitKChunk) {
    p.k_chunk = kSplitKChunk;
    p.k_splits = CeilDiv(k, kSplitKChunk);
    p.shared_bytes = SlotBytes(p.k_splits * m * n * sizeof(float));
  }
  // Split the longer side: a thread reads all of the other operand, so splitting rows costs each
  // thread all of W (k x n), splitting panels all of A (m x k). Either way every thread gets work.
  const bool split_rows = row_tiles >= threads ? m >= n || p.panels < threads : row_tiles >= p.panels;
  if (threads > 1 && p.k_splits == 1 && split_rows) {
    // Whole micro-tiles per task, of the packed kernels' height when A will be packed.
    const size_t tile = PacksA(m, p.panels, t) ? t.packed_mr : t.mr;
    p.rows_per_task = CeilDiv(CeilDiv(m, tile), threads) * tile;
  } else if (threads > 1 && p.k_splits == 1) {
    p.panels_per_task = CeilDiv(p.panels, threads);
  }
  p.tasks = CeilDiv(m, p.rows_per_task) * CeilDiv(p.panels, p.panels_per_task) * p.k_splits;
  p.threads = Participants(macs, t.parallel_macs, threads, p.tasks);
  p.pack_floats = PackFloats(p, t);
  p.slot_bytes = SlotBytes(t.tile_bytes + p.pack_floats * sizeof(float));
  return p;
}

namespace {

// Tasks of whole 2x2 tiles and panel groups, split as the indirect GEMM's rows and panels are
// (below), each tile block's V and M (16 x tiles x (c + 32) floats) about kWinogradBlockFloats. Rows and columns never depend on one another, so the split may follow
// the thread count without changing a bit of the result.
Plan PlanWinograd(const Conv2DShape& s, const PlanTarget& t) {
  const size_t c = s.in.c, tiles = s.in.n * CeilDiv(s.oh, 2) * CeilDiv(s.ow, 2);
  const double macs = double(s.in.n * s.oh * s.ow) * double(9 * c) * double(s.oc);
  const size_t threads = macs < t.parallel_macs ? 1 : t.threads;
  const size_t chunk = kWinogradChunkPanels * kGemmNR;
  const size_t block = std::max(t.mr, kWinogradBlockFloats / (kWinogradElements * (c + chunk)));
  Plan p{};
  p.path = Path::kWinograd;
  p.kernels = t.kernels;
  p.rows = tiles;
  p.panels = p.panels_per_task = CeilDiv(s.oc, kGemmNR);
  p.k_block = std::min(c, kGemmKc);
  p.k_chunk = c;
  p.k_splits = 1;
  // Blocks of whole row tiles, as even as the bound allows (it may be passed by part of a tile).
  const auto even = [&](size_t parts) { return std::min(tiles, CeilDiv(CeilDiv(tiles, parts), t.mr) * t.mr); };
  if (threads > 1 && tiles < s.oc && p.panels >= 2 * threads) {
    p.rows_per_task = even(CeilDiv(tiles, block));
    p.panels_per_task = CeilDiv(CeilDiv(p.panels, threads), kWinogradChunkPanels) * kWinogradChunkPanels;
  } else {
    p.rows_per_task = even(CeilDiv(tiles, threads * block) * threads);
  }
  if (CeilDiv(tiles, p.rows_per_task) > kMaxTasks) p.rows_per_task = even(kMaxTasks);
  p.tasks = CeilDiv(tiles, p.rows_per_task) * CeilDiv(p.panels, p.panels_per_task);
  p.threads = Participants(macs, t.parallel_macs, threads, p.tasks);
  // V, then M (16 x tiles x a chunk of columns), then a chunk for pixels past the output.
  const size_t planes = WinogradPlane(p.rows_per_task * c) + WinogradPlane(p.rows_per_task * chunk);
  p.slot_bytes = SlotBytes(t.tile_bytes + (kWinogradElements * planes + chunk) * sizeof(float));
  return p;
}

bool TakesWinograd(const Conv2DShape& s, bool direct, const PlanTarget& t) {
  const Window2D& w = s.win;
  return !direct && t.winograd && w.kh == 3 && w.kw == 3 && w.sh == 1 && w.sw == 1 && w.dh == 1 && w.dw == 1 &&
         s.in.c >= kWinogradMinChannels && s.oc >= kWinogradMinChannels &&
         s.in.n * CeilDiv(s.oh, 2) * CeilDiv(s.ow, 2) >= kWinogradMinTiles;
}

// im2col segments of `rows` rows by K = k, n columns, for each of `groups` groups (task t: group
// t / segments, segment t % segments).
Plan PlanIm2col(size_t rows, size_t k, size_t n, size_t groups, const PlanTarget& t) {
  Plan p{};
  p.path = Path::kIm2colGemm;
  p.kernels = t.kernels;
  p.rows = rows;
  p.panels = p.panels_per_task = CeilDiv(n, kGemmNR);
  p.k_splits = 1;
  p.k_chunk = k;
  p.k_block = rows <= t.mr ? k : std::min(k, kGemmKc);
  // Segments: whole micro-tiles that keep the workspace bounded, and few enough tasks; at least
  // an M block, so that each pass over the weights serves enough rows when K is large.
  size_t seg = std::max(kGemmMc, kSegmentFloats / k / t.mr * t.mr);
  seg = std::min(seg, std::max(kGemmMc, CeilDiv(CeilDiv(rows, kMinSegments), t.mr) * t.mr));
  if (CeilDiv(rows, seg) > kMaxTasks) seg = CeilDiv(CeilDiv(rows, kMaxTasks), t.mr) * t.mr;
  // Every group's segments are tasks: at most kMaxTasks in all.
  if (groups * CeilDiv(rows, seg) > kMaxTasks) seg = std::min(rows, CeilDiv(CeilDiv(rows * groups, kMaxTasks), t.mr) * t.mr);
  p.rows_per_task = std::min(seg, rows);
  p.tasks = groups * CeilDiv(rows, p.rows_per_task);
  p.threads = Participants(double(groups) * double(rows) * double(k) * double(n), t.parallel_macs, t.threads, p.tasks);
  p.pack_floats = PackFloats(p, t);
  p.slot_bytes = SlotBytes(t.tile_bytes + (p.pack_floats + p.rows_per_task * k) * sizeof(float));
  return p;
}

// The indirect GEMM of rows x (taps * c) by oc columns, for each of `groups` groups (task t:
// group t / (tasks / groups), its channels read through the same pixel pointers).
Plan PlanIndirect(size_t rows, size_t taps, size_t c, size_t oc, size_t groups, const PlanTarget& t) {
  const size_t k = taps * c;
  // Runs of rows, each task's indirection buffer (a pointer per row and tap) in its slot. Every
  // task streams all of W, so tasks are as long as balance allows: a multiple of the threads,
  // at most kIndirectRowsPerTask rows each. With fewer rows than output channels (C5) the
  // threads split the panels instead, in whole pairs: each then reads its share of W, the
  // larger operand, and the split stays even however few the row tiles. Rows and columns never
  // depend on one another here, so the split may follow the thread count without changing a
  // bit of the result.
  const double macs = double(groups) * double(rows) * double(k) * double(oc);
  const size_t threads = macs < t.parallel_macs ? 1 : t.threads;
  Plan p{};
  p.path = Path::kIndirectGemm;
  p.kernels = t.kernels;
  p.rows = rows;
  p.panels = p.panels_per_task = CeilDiv(oc, kGemmNR);
  p.k_block = p.k_chunk = k;
  p.k_splits = 1;
  if (threads > 1 && rows < oc && p.panels >= 2 * threads) {
    p.rows_per_task = rows;
    p.panels_per_task = CeilDiv(CeilDiv(p.panels, threads), 2) * 2;
  } else {
    const size_t rounds = CeilDiv(rows, threads * kIndirectRowsPerTask);
    p.rows_per_task = std::min(rows, CeilDiv(CeilDiv(rows, threads * rounds), t.mr) * t.mr);
  }
  p.tasks = groups * CeilDiv(rows, p.rows_per_task) * CeilDiv(p.panels, p.panels_per_task);
  p.threads = Participants(macs, t.parallel_macs, threads, p.tasks);
  p.slot_bytes = SlotBytes(t.tile_bytes + CeilDiv(p.rows_per_task, t.mr) * t.mr * taps * t.pointer_bytes);
  return p;
}

}  // namespace

Plan PlanConv2D(const Conv2DShape& s, bool direct, const PlanTarget& t) {
  const Window2D& w = s.win;
  const size_t rows = s.in.n * s.oh * s.ow, k = w.kh * w.kw * s.in.c;
  const bool pointwise = w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.pt == 0 &&
                         w.pb == 0 && w.pl == 0 && w.pr == 0;
  // A grouped convolution: the indirect GEMM or im2col segments of each group's channels.
  if (s.groups > 1) {
    const size_t cpg = s.in.c / s.groups, opg = s.oc / s.groups;
    if (t.indirect && cpg >= kIndirectMinChannels) {
      const Plan p = PlanIndirect(rows, w.kh * w.kw, cpg, opg, s.groups, t);
      if (p.tasks <= kMaxTasks) return p;
    }
    return PlanIm2col(rows, w.kh * w.kw * cpg, opg, s.groups, t);
  }
  if (pointwise) return PlanGemm(rows, s.oc, k, t);
  if (TakesWinograd(s, direct, t)) return PlanWinograd(s, t);
  if (t.indirect && s.in.c >= kIndirectMinChannels) return PlanIndirect(rows, w.kh * w.kw, s.in.c, s.oc, 1, t);
  return PlanIm2col(rows, k, s.oc, 1, t);
}

Plan PlanMaxPool2D(const Nhwc& in, const Window2D& win, size_t oh, size_t ow, const PlanTarget& t) {
  Plan p{};
  p.path = Path::kMaxpool;
  p.kernels = t.kernels;
  p.rows = in.n * oh * ow;
  p.rows_per_task = std::max(kPoolPixelsPerTask, CeilDiv(p.rows, kMaxTasks));
  p.tasks = CeilDiv(p.rows, p.rows_per_task);
  // Fewer runs of pixels than threads (a global pool: one window per image): each run is also
  // cut into blocks of 16-channel groups, so that threads share the channels. A channel's sum
  // is the same whichever block holds it.
  p.panels = p.panels_per_task = CeilDiv(in.c, 16);
  if (p.tasks < t.threads && p.panels >= 8) {
    p.panels_per_task = std::max<size_t>(4, CeilDiv(p.panels, CeilDiv(t.threads, p.tasks)));
    p.tasks *= CeilDiv(p.panels, p.panels_per_task);
  }
  const double reads = double(p.rows) * double(win.kh * win.kw) * double(in.c);
  p.threads = Participants(reads, t.parallel_reads, t.threads, p.tasks);
  // A large window (global pooling) takes fewer pixels per kernel call, so that a slot's tap
  // list stays near kSegmentFloats pointers.
  const size_t window = win.kh * win.kw;
  const size_t per_call = std::max<size_t>(1, std::min({p.rows_per_task, kPoolPixelsPerCall, kSegmentFloats / window}));
  p.slot_bytes = SlotBytes(per_call * window * t.pointer_bytes);
  return p;
}

Plan PlanDepthwise2D(const Conv2DShape& s, const PlanTarget& t) {
  Plan p{};
  p.path = Path::kDepthwise;
  p.kernels = t.kernels;
  p.rows = s.in.n * s.oh * s.ow;
  p.rows_per_task = std::max(kPoolPixelsPerTask, CeilDiv(p.rows, kMaxTasks));
  p.tasks = CeilDiv(p.rows, p.rows_per_task);
  const double macs = double(p.rows) * double(s.win.kh * s.win.kw) * double(s.oc);
  p.threads = Participants(macs, t.parallel_macs, t.threads, p.tasks);
  p.slot_bytes = SlotBytes(std::min(p.rows_per_task, kPoolPixelsPerCall) * s.win.kh * s.win.kw * t.pointer_bytes);
  return p;
}

Plan PlanActivation(size_t rows, size_t cols, const PlanTarget& t) {
  Plan p{};
  p.path = Path::kActivation;
  p.kernels = t.kernels;
  p.rows = rows;
  // Whole rows (softmax reads one at a time) of about kActivationFloatsPerTask floats.
  p.rows_per_task = std::min(rows, std::max(CeilDiv(kActivationFloatsPerTask, cols), CeilDiv(rows, kMaxTasks)));
  p.tasks = CeilDiv(rows, p.rows_per_task);
  p.threads = Participants(double(rows) * double(cols), t.parallel_activations, t.threads, p.tasks);
  return p;
}

Plan PlanCopyRows(size_t rows, size_t cols, const PlanTarget& t) {
  Plan p{};
  p.path = Path::kCopy;
  p.kernels = t.kernels;
  p.rows = rows;
  // About a quarter of an im2col segment (64 KiB) per task: enough to repay taking it.
  p.rows_per_task = std::min(rows, std::max(CeilDiv(kSegmentFloats / 4, cols), CeilDiv(rows, kMaxTasks)));
  p.tasks = CeilDiv(rows, p.rows_per_task);
  p.threads = Participants(double(rows) * double(cols), t.parallel_reads, t.threads, p.tasks);
  return p;
}

Plan PlanBatchNorm(size_t rows, size_t c, const PlanTarget& t) {
  Plan p{};
  p.path = Path::kBatchNorm;
  p.kernels = t.kernels;
  p.rows = rows;
  p.rows_per_task = std::max(CeilDiv(kActivationFloatsPerTask, c), CeilDiv(rows, kMaxTasks));
  p.tasks = CeilDiv(rows, p.rows_per_task);
  p.threads = Participants(double(rows) * double(c), t.parallel_activations, t.threads, p.tasks);
  return p;
}

Plan PlanMerge(Path path, size_t rows, size_t c, const PlanTarget& t) {
  Plan p{};
  p.path = path;
  p.kernels = t.kernels;
  p.k_chunk = std::min(c, kMergeFloatsPerTask);
  p.panels = CeilDiv(c, p.k_chunk);
  p.rows = rows * p.panels;
  p.rows_per_task = std::max(kMergeFloatsPerTask / p.k_chunk, CeilDiv(p.rows, kMaxTasks));
  p.tasks = CeilDiv(p.rows, p.rows_per_task);
  p.threads = Participants(3.0 * double(rows) * double(c), t.parallel_reads, t.threads, p.tasks);
  return p;
}

}  // namespace convkit
