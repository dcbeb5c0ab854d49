// Activation codes. Must match lib/activation.ts and native/kernels/activation.h.
export const ACTIVATION_LINEAR: i32 = 0;
export const ACTIVATION_RELU: i32 = 1;

export function clampMin(activation: i32): f32 {
  return activation == ACTIVATION_RELU ? 0 : -Infinity;
}
