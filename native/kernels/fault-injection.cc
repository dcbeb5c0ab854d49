#include "kernels/fault-injection.h"

#include <atomic>

namespace convkit {
namespace {

std::atomic<bool> armed[2];

}  // namespace

void InjectFault(Fault f) { armed[int(f)].store(true); }

bool TakeFault(Fault f) { return armed[int(f)].exchange(false); }

}  // namespace convkit
