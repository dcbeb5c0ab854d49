// The browser bundle embeds the .wasm files as bytes (esbuild's binary loader).
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}

// The same, gzipped (scripts/build-wasm.mjs writes them): inflated at load (backends/wasm-browser.ts).
declare module '*.wasm.gz' {
  const bytes: Uint8Array;
  export default bytes;
}
