// `drf-gate/can` in Node (and Bun, Deno): the UI-gating build, ready on import: the .wasm next to
// this file is read and instantiated synchronously (Node's fetch cannot read file: URLs), for
// code shared with browsers (server rendering, tests). `init()`/`initSync()` are no-ops then.
import { readWasm } from "./node-wasm.js";
import { initSync } from "./api-can.js";

initSync({ module: readWasm(new URL("./drf_gate_can_bg.wasm", import.meta.url), "drf_gate_can_bg.wasm") });

export * from "./api-can.js";
export { init as default } from "./api-can.js";
