// The browser bundle embeds the .wasm files as bytes (esbuild's binary loader).
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
