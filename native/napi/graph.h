// A graph of operators (TFLite's interpreter, XNNPACK's subgraphs), compiled once per input shape
// into a schedule: each node shaped and planned, the intermediate values placed by liveness in
// one arena whose size is known, and run as one job (sync, or async on a libuv worker thread:
// the event loop pays one call for the whole graph).
//
// Values are numbered: the graph's inputs first, then one per node, in node order. A node reads
// values numbered below its own (so node order is an order to run them in).
#pragma once
#include <napi.h>

namespace convkit {
namespace napi {

// createGraph(inputs, nodes [[operator, [value, ...]], ...], outputs [value, ...]) -> handle
Napi::Value CreateGraph(const Napi::CallbackInfo& info);
// reshapeGraph(handle, [params of each node]) -> { arenaBytes, outputs: [floats, ...],
// offsets: [float offset of each output in the array a run returns] }
Napi::Value ReshapeGraph(const Napi::CallbackInfo& info);
// runGraph(handle, x0, x1, ...) -> one Float32Array holding every output at its offset
Napi::Value RunGraph(const Napi::CallbackInfo& info);
// runGraphAsync(handle, x0, x1, ...) -> Promise of the same
Napi::Value RunGraphAsync(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace convkit
