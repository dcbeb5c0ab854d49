// The browser bundle embeds the wasm builds as bytes (esbuild's binary loader), deflated
// together (scripts/build-wasm.mjs writes them) and inflated at load (backends/wasm-pack.ts).
declare module '*.bin' {
  const bytes: Uint8Array;
  export default bytes;
}
