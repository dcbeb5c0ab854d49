// The clamp of the GEMM epilogue for an activation: relu is [0, inf], relu6 [0, 6], every other
// [-inf, inf] (linear; the others run afterwards, ops/activation.ts). Mirrors ClampFor in
// native/kernels/activation.h.
import { ACTIVATION_RELU, ACTIVATION_RELU6 } from '../generated/kernels';

// @ts-ignore: decorator
@inline
export function clampMin(activation: i32): f32 {
  return activation == ACTIVATION_RELU || activation == ACTIVATION_RELU6 ? 0 : -Infinity;
}

// @ts-ignore: decorator
@inline
export function clampMax(activation: i32): f32 {
  return activation == ACTIVATION_RELU6 ? 6 : Infinity;
}
