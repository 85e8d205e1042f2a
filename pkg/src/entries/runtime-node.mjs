// `drf-gate/runtime` in Node (and Bun, Deno): the browser runtime (compiled policies only, the
// smallest .wasm), ready on import: the .wasm next to this file is read and instantiated
// synchronously (no fetch: Node's fetch cannot read file: URLs). `init()`/`initSync()` are
// no-ops kept for code shared with browsers.
import { readWasm } from "./node-wasm.js";
import { initSync } from "./api-runtime.js";

initSync({ module: readWasm(new URL("./drf_gate_runtime_bg.wasm", import.meta.url), "drf_gate_runtime_bg.wasm") });

export * from "./api-runtime.js";
export { init as default } from "./api-runtime.js";
