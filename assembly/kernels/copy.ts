// Short copies and fills, inlined: engines run memory.copy/memory.fill through a call, which
// costs more than the copy itself for the few channels of one im2col tap or pooling cell.

// @ts-ignore: decorator
@inline
export function copyFloats(dst: usize, src: usize, bytes: usize): void {
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) for (; o + 16 <= bytes; o += 16) v128.store(dst + o, v128.load(src + o));
  for (; o < bytes; o += 4) store<f32>(dst + o, load<f32>(src + o));
}

// @ts-ignore: decorator
@inline
export function zeroFloats(dst: usize, bytes: usize): void {
  let o: usize = 0;
  if (ASC_FEATURE_SIMD) for (; o + 16 <= bytes; o += 16) v128.store(dst + o, i32x4.splat(0));
  for (; o < bytes; o += 4) store<f32>(dst + o, 0);
}
