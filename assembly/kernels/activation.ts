// Activation codes. Must match lib/activation.ts and native/kernels/activation.h.
export const ACTIVATION_LINEAR: i32 = 0;
export const ACTIVATION_RELU: i32 = 1;
