// Vercel's edge runtime (`edge-light`): it compiles no WebAssembly from bytes at run time, so the
// .wasm is imported with Vercel's `?module` suffix (a compiled WebAssembly.Module, as the Vercel
// and Next.js bundlers provide it) and instantiated synchronously on import. The edge build.
import wasmModule from "./drf_gate_bg.wasm?module";
import { initSync } from "./api-edge.js";

initSync({ module: wasmModule });

export * from "./api-edge.js";
export { init as default } from "./api-edge.js";
