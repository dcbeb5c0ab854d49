// ONNX Gemm on the wasm backend: B packed with alpha folded in, A transposed when asked, beta * C
// written into y first, then the packed GEMM job (assembly/ops/matmul.ts).
import type { GemmParams } from './backend';
import { checkGemm } from './check';
import { planGemm } from '../backends/plan';
import { runOp } from './wasm-call';
import { activationJob, epilogue, matmulSpec, type OpContext, type OpJob } from './wasm-ops';
import type { JobSpec } from './wasm-job';

export function wasmGemm(ctx: OpContext, threads: number, a: Float32Array, b: Float32Array, c: Float32Array | null, p: GemmParams, sync: boolean): Float32Array | Promise<Float32Array> {
  checkGemm(a, b, c, p);
  const engine = ctx.engine;
  const packed = engine.pack(b, p.k, p.n, p.transB ? 1 : p.n, p.transB ? p.k : 1, p.alpha);
  let rows = a;
  if (p.transA) {
    rows = new Float32Array(p.m * p.k);
    for (let i = 0; i < p.m; i++) for (let kk = 0; kk < p.k; kk++) rows[i * p.k + kk] = a[kk * p.m + i];
  }
  const accumulate = c !== null && p.beta !== 0;
  const inner = matmulSpec(p.m, p.n, p.k, packed.ptr, epilogue(p.activation), accumulate);
  const spec = (ptrs: number[], yp: number): JobSpec => {
    if (accumulate) {
      const y = engine.arena.f32(yp, p.m * p.n);
      for (let i = 0; i < p.m; i++)
        for (let j = 0; j < p.n; j++) y[i * p.n + j] = p.beta * c![(p.cRows === 1 ? 0 : i) * p.cCols + (p.cCols === 1 ? 0 : j)];
    }
    return inner([ptrs[0], 0], yp);
  };
  const release = () => engine.release(packed);
  try {
    const op: OpJob = { extra: [], inputs: p.m * p.k, outputs: p.m * p.n, plan: planGemm(p.m, p.n, p.k, ctx.target), spec, activation: activationJob(ctx, p.activation, p.m, p.n) };
    const result = runOp(engine, threads, rows, op, sync);
    if (result instanceof Promise) return result.finally(release);
    release();
    return result;
  } catch (e) {
    release();
    throw e;
  }
}
