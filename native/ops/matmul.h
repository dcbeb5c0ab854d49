// The packed GEMM of a plan (Dense, pointwise Conv2D, ONNX Gemm after packing B): tasks of
// row blocks by panel blocks. Mirrors assembly/ops/matmul.ts.
#pragma once
#include "kernels/gemm-driver.h"
#include "ops/plan.h"

namespace convkit {

// Task `task` of a GEMM plan: one block of rows by one block of panels. pack: the running
// thread's plan.pack_floats floats of packed A (unused when the plan reads A in place).
void MatmulTask(const Plan& plan, const GemmProblem& p, size_t task, float* pack);

// Every task of a GEMM plan, on the plan's threads, with one workspace slot each.
void RunMatmul(const Plan& plan, const GemmProblem& p);

}  // namespace convkit
