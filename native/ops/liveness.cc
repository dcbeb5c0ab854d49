#include "ops/liveness.h"

#include <algorithm>
#include <numeric>

namespace convkit {

ArenaLayout AssignByLiveness(const std::vector<LiveRange>& ranges) {
  ArenaLayout layout{std::vector<size_t>(ranges.size()), 0};
  std::vector<size_t> order(ranges.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ranges[a].first < ranges[b].first; });
  std::vector<size_t> live;  // ranges holding space, by offset
  for (const size_t v : order) {
    const LiveRange& r = ranges[v];
    live.erase(std::remove_if(live.begin(), live.end(), [&](size_t u) { return ranges[u].last < r.first; }), live.end());
    std::sort(live.begin(), live.end(), [&](size_t a, size_t b) { return layout.offsets[a] < layout.offsets[b]; });
    const size_t need = (r.floats + kArenaAlign - 1) / kArenaAlign * kArenaAlign;
    size_t at = 0;
    for (const size_t u : live) {
      if (layout.offsets[u] >= at + need) break;  // the gap before u holds it
      at = std::max(at, layout.offsets[u] + (ranges[u].floats + kArenaAlign - 1) / kArenaAlign * kArenaAlign);
    }
    layout.offsets[v] = at;
    layout.floats = std::max(layout.floats, at + need);
    live.push_back(v);
  }
  return layout;
}

}  // namespace convkit
