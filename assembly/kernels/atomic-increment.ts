// The shared counters of a job (tasks taken, tasks done, chunks summed): atomic in the threaded
// builds, plain loads and stores in the others, where one thread runs every task.

/** Adds 1 to the i32 at ptr; returns the value before. */
// @ts-ignore: decorator
@inline
export function increment(ptr: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(ptr, 1);
  const v = load<i32>(ptr);
  store<i32>(ptr, v + 1);
  return v;
}
