// Buffers assigned by liveness (TFLite's arena planner, ONNX Runtime's memory patterns): the
// intermediate values of a graph share one arena, a value taking space from the step that writes
// it to the last step that reads it, so the arena's size is known before anything runs.
#pragma once
#include <cstddef>
#include <vector>

namespace convkit {

struct LiveRange {
  size_t floats;
  size_t first;  // the step that writes it
  size_t last;   // the last step that reads it (first when none does)
};

struct ArenaLayout {
  std::vector<size_t> offsets;  // in floats, one per range, each a multiple of kArenaAlign
  size_t floats;                // the arena's size: the peak of the live ranges
};

// Offsets rounded to a cache line: threads split outputs at multiples of 16 floats.
constexpr size_t kArenaAlign = 16;

// First fit in step order: a value may reuse the space of every value whose last reader came
// before the step that writes it (never that step's own inputs).
ArenaLayout AssignByLiveness(const std::vector<LiveRange>& ranges);

}  // namespace convkit
