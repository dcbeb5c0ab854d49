// The browser bundle embeds the .wasm files as bytes (esbuild's binary loader).
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}

// The SIMD builds gzipped together (scripts/build-wasm.mjs writes them): inflated at load
// (backends/wasm-browser.ts).
declare module '*.gz' {
  const bytes: Uint8Array;
  export default bytes;
}
