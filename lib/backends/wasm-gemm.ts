// ONNX Gemm on the wasm backend: B packed with alpha folded in, then the packed GEMM job
// (assembly/ops/matmul.ts), which writes beta * C into y before accumulating onto it; when A is
// transposed, a job before it copies A transposed into a scratch block (assembly/ops/transpose.ts).
import type { GemmParams } from './backend';
import { checkGemm } from './check';
import { planActivation, planGemm } from './plan';
import { runOp } from './wasm-call';
import { activationJob, epilogue, matmulSpec, type OpContext, type OpJob } from './wasm-ops';
import { OP, type JobSpec } from './wasm-job';

export function wasmGemm(ctx: OpContext, threads: number, a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams, sync: boolean): Float32Array | Promise<Float32Array> {
  checkGemm(a, b, c, p);
  const engine = ctx.engine;
  const packed = engine.pack(b, p.k, p.n, p.transB ? 1 : p.n, p.transB ? p.k : 1, p.alpha);
  const gemm = matmulSpec(p.m, p.n, p.k, packed.ptr, epilogue(p.activation));
  // ptrs: a, then C when there is one, then the transposed copy of a when asked for.
  const addend = c !== null && p.beta !== 0;
  const spec = (ptrs: number[], yp: number): JobSpec => {
    const job = gemm([p.transA ? ptrs[ptrs.length - 1] : ptrs[0], 0], yp);
    if (addend) Object.assign(job, { addend: ptrs[1], addendRows: p.cRows, addendCols: p.cCols, beta: p.beta });
    return job;
  };
  const before = p.transA
    ? {
      plan: planActivation(p.m, p.k, ctx.target),
      spec: (ptrs: number[]): JobSpec => ({ op: OP.transpose, x: ptrs[0], y: ptrs[ptrs.length - 1], m: p.m, k: p.k }),
      scratchFloats: p.m * p.k,
    }
    : undefined;
  const release = () => engine.release(packed);
  try {
    const op: OpJob = { extra: addend ? [c] : [], inputs: p.m * p.k, outputs: p.m * p.n, plan: planGemm(p.m, p.n, p.k, ctx.target), spec, activation: activationJob(ctx, p.activation, p.m, p.n), before };
    const result = runOp(engine, threads, [a], op, sync);
    if (result instanceof Promise) return result.finally(release);
    release();
    return result;
  } catch (e) {
    release();
    throw e;
  }
}
