// `drf-gate/worker` in Node (and Bun, Deno): the compiled-policy-only edge build, ready on
// import (the .wasm next to this file, read and instantiated synchronously). For tests and
// tools that run the Worker's build outside workerd; Node applications use `drf-gate`.
import { readWasm } from "./node-wasm.js";
import { initSync } from "./api-worker.js";

initSync({ module: readWasm(new URL("./drf_gate_worker_bg.wasm", import.meta.url), "drf_gate_worker_bg.wasm") });

export * from "./api-worker.js";
export { init as default } from "./api-worker.js";
