// `drf-gate/worker`: Cloudflare Workers (workerd) and other runtimes that import a .wasm as a
// compiled WebAssembly.Module, with a compiled policy (`npx drf-gate compile policy.json -o
// policy.gate`): the edge build without the policy compiler and without RSA/ECDSA (HS* JWTs
// only: a policy with an RS/ES key is refused at load with a PolicyError naming `drf-gate`), a
// smaller .wasm that workerd validates and compiles faster on every cold isolate. Instantiated
// synchronously on import.
import wasmModule from "./drf_gate_worker_bg.wasm";
import { initSync } from "./api-worker.js";

initSync({ module: wasmModule });

export * from "./api-worker.js";
export { init as default } from "./api-worker.js";
