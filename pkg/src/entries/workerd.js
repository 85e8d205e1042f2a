// Cloudflare Workers (workerd): the .wasm is imported as a compiled WebAssembly.Module, so there
// is no fetch at start-up; it is instantiated synchronously on import.
import wasmModule from "./drf_gate_bg.wasm";
import { initSync } from "./api-edge.js";

initSync({ module: wasmModule });

export * from "./api-edge.js";
export { init as default } from "./api-edge.js";
