// The memory copy rate that memory-bound ops (merges, pooling) are read against: TypedArray.set
// (memmove) over the sizes of the merge workloads (one and two 28x28x96 maps), bytes read plus
// written per second, the median of 5 rounds of 200 ms. `node bench/copy-rate.mjs`.
for (const floats of [28 * 28 * 96, 2 * 28 * 28 * 96]) {
  const src = new Float32Array(floats).fill(1), dst = new Float32Array(floats);
  for (let i = 0; i < 200; i++) dst.set(src);
  const rates = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 200) {
      dst.set(src);
      n++;
    }
    rates.push((n * floats * 8) / ((performance.now() - t0) / 1e3) / 1e9);
  }
  rates.sort((a, b) => a - b);
  console.log(`${(floats * 4) / 1024} KiB copy: median ${rates[2].toFixed(1)} GB/s (read + write)`);
}
