// Node, ESM: the .wasm is read and instantiated synchronously on import; `init()` is a no-op
// kept for code shared with browsers.
import { readFileSync } from "node:fs";
import { initSync } from "./api-edge.js";

initSync({ module: readFileSync(new URL("./drf_gate_bg.wasm", import.meta.url)) });

export * from "./api-edge.js";
export { init as default } from "./api-edge.js";
