#include "ops/maxpool2d.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "kernels/maxpool.h"
#include "kernels/thread-pool.h"

namespace convkit {

void RunPool2D(const Plan& plan, const Nhwc& in, const Window2D& win, size_t oh, size_t ow, PoolReduce reduce,
               const float* x, float* y) {
  const size_t slot_taps = plan.slot_bytes / sizeof(const float*), window = win.kh * win.kw;
  const size_t per_call = std::max<size_t>(1, std::min(kPoolPixelsPerCall, slot_taps / window));
  const std::unique_ptr<const float*[]> work(new const float*[plan.threads * slot_taps]);
  const WindowTaps geo(in, win);
  const bool average = reduce != PoolReduce::kMax;
  // The taps an average's window lacks read zeros (a max's repeat a real one).
  const std::vector<float> zeros(average ? in.c : 0);
  // Each task in chunks of per_call pixels, one kernel call per chunk: every window lists
  // `window` taps, a window cut by the padding its real taps first, then for each missing one
  // its first real tap again (max: the max of a value with itself is that value) or zeros
  // (average, divided by the count of real taps unless the padding counts).
  // A task is a run of pixels and a block of channels (plan.panels_per_task 16-channel groups).
  const size_t blocks = plan.panels_per_task ? (plan.panels + plan.panels_per_task - 1) / plan.panels_per_task : 1;
  const size_t block = plan.panels_per_task * 16;
  ParallelFor(plan.tasks, plan.threads, [&](size_t task, size_t slot) {
    const float** list = work.get() + slot * slot_taps;
    float divisors[kPoolPixelsPerCall];
    const size_t t = task / blocks, ch0 = task % blocks * block, ch1 = std::min(in.c, ch0 + block);
    const size_t r0 = t * plan.rows_per_task, r1 = std::min(plan.rows, r0 + plan.rows_per_task);
    OutputPixel px(r0, oh, ow);
    for (size_t c0 = r0; c0 < r1; c0 += per_call) {
      const size_t c1 = std::min(r1, c0 + per_call);
      const float** taps = list;
      for (size_t r = c0; r < c1; r++, taps += window, px.Next(oh, ow)) {
        const float* image = x + px.b * in.h * in.w * in.c;
        size_t count = geo.List(image, geo.Top(px.oy), geo.Left(px.ox), nullptr, taps);
        // Keras's average counts the real cells only; ONNX's count_include_pad the whole window.
        divisors[r - c0] = float(reduce == PoolReduce::kAverage ? count : window);
        // Every window holds a real cell (checked at the boundary), so taps[0] exists.
        const float* missing = average ? zeros.data() : taps[0];
        for (; count < window; count++) taps[count] = missing;
      }
      if (blocks == 1) {
        plan.kernels->maxpool(c1 - c0, window, list, in.c, average ? divisors : nullptr, y + c0 * in.c);
        continue;
      }
      // One pixel a call: the kernel's output pixels lie c floats apart, this block's are not.
      for (size_t k = 0; k < (c1 - c0) * window; k++) list[k] += ch0;
      for (size_t i = 0; i < c1 - c0; i++)
        plan.kernels->maxpool(1, window, list + i * window, ch1 - ch0, average ? divisors + i : nullptr, y + (c0 + i) * in.c + ch0);
    }
  });
}

}  // namespace convkit
