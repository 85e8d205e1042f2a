// Node, ESM: the .wasm is read and instantiated synchronously on import; `init()` is a no-op
// kept for code shared with browsers.
import { readWasm } from "./node-wasm.js";
import { initSync } from "./api-edge.js";

initSync({ module: readWasm(new URL("./drf_gate_bg.wasm", import.meta.url), "drf_gate_bg.wasm") });

export * from "./api-edge.js";
export { init as default } from "./api-edge.js";
