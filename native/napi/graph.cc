#include "napi/graph.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "napi/args.h"
#include "napi/jobs.h"
#include "napi/operator.h"
#include "ops/liveness.h"
#include "ops/workspace.h"

namespace convkit {
namespace napi {
namespace {

constexpr napi_type_tag kGraphTag = {0x636f6e766b697467ULL, 0x7261706830303031ULL};
// Far above any real model; keeps a malformed call from planning without end.
constexpr size_t kMaxNodes = 1 << 16;
constexpr size_t kMaxInputs = 64;
// Inputs of one node: its operator's count (two for a merge or concat) is checked at reshape.
constexpr size_t kMaxNodeInputs = 2;

struct Node {
  std::shared_ptr<const BoundOp> op;
  std::vector<size_t> inputs;  // values read
};

// Where a value is during a run.
struct Place {
  enum Kind { kInput, kOutput, kArena } kind;
  size_t at;  // the input's index, or a float offset in the output array or the arena
};

struct Step {
  RunnableOp op;
  std::vector<size_t> inputs;  // the values it reads, in the operator's order
};

// The arena of a finished run, kept for the next run of the same schedule: an arena beyond the
// workspace pool's bound (MobileNetV2 at batch 8 plans 79 MB) would otherwise be fresh pages,
// faulted in and cleared on every run. A run that finds it taken (an async run under way) takes
// a block of its own.
class ArenaCache {
 public:
  Workspace Take(size_t floats) {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      if (kept_) return std::move(kept_);
    }
    return floats ? NewWorkspace(floats) : Workspace();
  }
  void Keep(Workspace arena) {
    const std::lock_guard<std::mutex> lock(mu_);
    if (!kept_) kept_ = std::move(arena);
  }

 private:
  std::mutex mu_;
  Workspace kept_;
};

struct Schedule {
  std::vector<Step> steps;      // one per node
  std::vector<Place> places;    // one per value
  std::vector<size_t> input_floats;
  size_t output_floats;         // the one array a run returns
  size_t arena_floats;
  std::shared_ptr<ArenaCache> arenas = std::make_shared<ArenaCache>();  // shared by Fresh's copies (same sizes)
};

struct Graph {
  size_t inputs;
  std::vector<Node> nodes;
  std::vector<size_t> outputs;
  std::shared_ptr<const Schedule> schedule;  // of the last reshape
};

Graph* GraphArg(const Napi::CallbackInfo& info) {
  const Napi::Value v = info[0];
  if (!v.IsExternal() || !v.As<Napi::External<Graph>>().CheckTypeTag(&kGraphTag))
    throw Napi::TypeError::New(info.Env(), "Expected a graph created by the native backend");
  return v.As<Napi::External<Graph>>().Data();
}

size_t Index(Napi::Env env, const Napi::Value& v, size_t below, const std::string& what) {
  const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0 && d < double(below) && d == double(size_t(d))))
    throw Napi::RangeError::New(env, "Expected integer in [0, " + std::to_string(below) + ") for " + what);
  return size_t(d);
}

Napi::Array ArrayArg(const Napi::CallbackInfo& info, const Napi::Value& v, const std::string& what, size_t most) {
  if (!v.IsArray()) throw Napi::TypeError::New(info.Env(), "Expected array for " + what);
  const Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > most) throw Napi::RangeError::New(info.Env(), "Expected at most " + std::to_string(most) + " entries in " + what);
  return a;
}

// The schedule with every plan made again if the ISA or thread count changed since.
std::shared_ptr<const Schedule> Fresh(const std::shared_ptr<const Schedule>& s) {
  bool stale = false;
  for (const Step& step : s->steps) stale = stale || PlanIsStale(*step.op.shaped);
  if (!stale) return s;
  auto again = std::make_shared<Schedule>(*s);
  for (Step& step : again->steps) step.op.shaped = napi::Fresh(step.op.shaped);
  return again;
}

void RunSchedule(const Schedule& s, const std::vector<Input>& xs, float* y) {
  Workspace arena = s.arenas->Take(s.arena_floats);
  const size_t inputs = s.input_floats.size();
  const auto where = [&](size_t value) -> float* {
    const Place& p = s.places[value];
    if (p.kind == Place::kInput) return const_cast<float*>(xs[p.at].data);
    return (p.kind == Place::kOutput ? y : arena.get()) + p.at;
  };
  for (size_t i = 0; i < s.steps.size(); i++) {
    const float* xs[kMaxNodeInputs] = {};
    for (size_t j = 0; j < s.steps[i].inputs.size(); j++) xs[j] = where(s.steps[i].inputs[j]);
    RunOp(s.steps[i].op, xs, where(inputs + i));
  }
  s.arenas->Keep(std::move(arena));
}

Job GraphJob(const Napi::CallbackInfo& info, Ownership own) {
  Graph* g = GraphArg(info);
  if (!g->schedule) throw Napi::Error::New(info.Env(), "Expected reshapeGraph before the graph runs");
  g->schedule = Fresh(g->schedule);
  std::shared_ptr<const Schedule> s = g->schedule;
  if (info.Length() != 1 + g->inputs)
    throw Napi::TypeError::New(info.Env(), "Expected " + std::to_string(g->inputs) + " inputs for the graph");
  std::vector<Input> xs;
  for (size_t i = 0; i < g->inputs; i++) xs.push_back(InputArg(info, 1 + i, "x", s->input_floats[i], own));
  return {s->output_floats, [s, xs](float* y) { RunSchedule(*s, xs, y); }};
}

}  // namespace

Napi::Value CreateGraph(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  auto g = std::make_unique<Graph>();
  g->inputs = Index(env, info[0], kMaxInputs + 1, "inputs");
  if (g->inputs == 0) throw Napi::RangeError::New(env, "Expected at least one graph input");
  const Napi::Array nodes = ArrayArg(info, info[1], "nodes", kMaxNodes);
  for (uint32_t i = 0; i < nodes.Length(); i++) {
    const std::string what = "nodes[" + std::to_string(i) + "]";
    const Napi::Array node = ArrayArg(info, nodes.Get(i), what, 2);
    const Napi::Array reads = ArrayArg(info, node.Get(1u), what + " inputs", kMaxNodeInputs);
    if (node.Length() != 2 || reads.Length() == 0)
      throw Napi::TypeError::New(env, "Expected [operator, [input values]] for " + what);
    Node n;
    for (uint32_t j = 0; j < reads.Length(); j++)
      n.inputs.push_back(Index(env, reads.Get(j), g->inputs + i, what + " input"));
    g->nodes.push_back(std::move(n));
  }
  if (g->nodes.empty()) throw Napi::RangeError::New(env, "Expected at least one node");
  const Napi::Array outputs = ArrayArg(info, info[2], "outputs", kMaxNodes);
  std::vector<bool> taken(g->inputs + g->nodes.size());
  for (uint32_t j = 0; j < outputs.Length(); j++) {
    const size_t v = Index(env, outputs.Get(j), g->inputs + g->nodes.size(), "outputs[" + std::to_string(j) + "]");
    if (v < g->inputs || taken[v]) throw Napi::RangeError::New(env, "Expected each output to be a distinct node's value");
    taken[v] = true;
    g->outputs.push_back(v);
  }
  if (g->outputs.empty()) throw Napi::RangeError::New(env, "Expected at least one output");
  // The operators last: each handle is checked as it is read, after every plain field.
  for (uint32_t i = 0; i < nodes.Length(); i++) {
    const Napi::Value handle = nodes.Get(i).As<Napi::Array>().Get(0u);
    g->nodes[i].op = OperatorOf(env, handle);
  }
  auto* graph = g.release();
  auto handle = Napi::External<Graph>::New(env, graph, [](Napi::Env, Graph* p) { delete p; });
  handle.TypeTag(&kGraphTag);
  return handle;
}

Napi::Value ReshapeGraph(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Graph* g = GraphArg(info);
  const Napi::Array params = ArrayArg(info, info[1], "params", kMaxNodes);
  if (params.Length() != g->nodes.size())
    throw Napi::TypeError::New(env, "Expected params for each of the " + std::to_string(g->nodes.size()) + " nodes");
  auto s = std::make_shared<Schedule>();
  const size_t values = g->inputs + g->nodes.size();
  std::vector<size_t> floats(values, 0), last_read(values, 0);
  s->input_floats.assign(g->inputs, 0);
  for (size_t i = 0; i < g->nodes.size(); i++) {
    const Napi::Value p = params.Get(uint32_t(i));
    if (!p.IsObject()) throw Napi::TypeError::New(env, "Expected object for params[" + std::to_string(i) + "]");
    auto shaped = ReadShape(env, *g->nodes[i].op, p.As<Napi::Object>());
    const std::vector<size_t>& reads = g->nodes[i].inputs;
    const size_t arity = shaped->second ? 2 : 1;
    if (reads.size() != arity)
      throw Napi::RangeError::New(env, "Expected node " + std::to_string(i) + " to read " + std::to_string(arity) +
                                           (arity > 1 ? " values" : " value") + " (its operator's inputs) but it reads " + std::to_string(reads.size()));
    for (size_t j = 0; j < arity; j++) {
      const size_t in = reads[j], need = j ? shaped->second : shaped->inputs;
      size_t& known = in < g->inputs ? s->input_floats[in] : floats[in];
      if (in < g->inputs && known == 0) known = need;
      if (known != need)
        throw Napi::RangeError::New(env, "Expected node " + std::to_string(i) + " to read the " + std::to_string(known) +
                                             " floats of value " + std::to_string(in) + " but it reads " +
                                             std::to_string(need));
      last_read[in] = i;  // every input stays alive until the node has run
    }
    floats[g->inputs + i] = shaped->outputs;
    s->steps.push_back({{g->nodes[i].op, std::move(shaped)}, reads});
  }
  for (size_t i = 0; i < g->inputs; i++)
    if (!s->input_floats[i]) throw Napi::RangeError::New(env, "Expected every graph input to be read by a node");
  s->places.resize(values);
  for (size_t i = 0; i < g->inputs; i++) s->places[i] = {Place::kInput, i};
  // Outputs one after another in the array a run returns, each on a cache line (the array has
  // no padding after the last, so a single output is the whole array).
  std::vector<bool> is_output(values);
  Napi::Array lengths = Napi::Array::New(env), offsets = Napi::Array::New(env);
  s->output_floats = 0;
  for (size_t j = 0; j < g->outputs.size(); j++) {
    const size_t v = g->outputs[j];
    is_output[v] = true;
    s->places[v] = {Place::kOutput, s->output_floats};
    lengths.Set(uint32_t(j), double(floats[v]));
    offsets.Set(uint32_t(j), double(s->output_floats));
    s->output_floats += j + 1 < g->outputs.size() ? (floats[v] + kArenaAlign - 1) / kArenaAlign * kArenaAlign : floats[v];
  }
  std::vector<LiveRange> ranges;
  std::vector<size_t> ranged;
  for (size_t v = g->inputs; v < values; v++) {
    if (is_output[v]) continue;
    const size_t node = v - g->inputs;
    ranges.push_back({floats[v], node, std::max(node, last_read[v])});
    ranged.push_back(v);
  }
  const ArenaLayout layout = AssignByLiveness(ranges);
  for (size_t r = 0; r < ranged.size(); r++) s->places[ranged[r]] = {Place::kArena, layout.offsets[r]};
  s->arena_floats = layout.floats;
  g->schedule = s;
  Napi::Object out = Napi::Object::New(env);
  out.Set("arenaBytes", double(layout.floats * sizeof(float)));
  out.Set("outputs", lengths);
  out.Set("offsets", offsets);
  return out;
}

Napi::Value RunGraph(const Napi::CallbackInfo& info) { return RunJobSync(info, GraphJob(info, Ownership::kBorrow)); }

Napi::Value RunGraphAsync(const Napi::CallbackInfo& info) { return RunJobAsync(info, GraphJob(info, Ownership::kCopy)); }

}  // namespace napi
}  // namespace convkit
