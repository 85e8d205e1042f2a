// The browser runtime's API (internal: the entry point re-exports it). Loads compiled policies
// (`npx drf-gate compile policy.json -o policy.gate`, or `gate.toCompiled()` in Node/Workers)
// into the small .wasm without a policy compiler or a JSON reader; a JSON policy throws a
// PolicyError naming `drf-gate/web` (the JSON core). Ready after init()/initSync().
import * as wasm from "./drf_gate_runtime.js";
import { defineApi } from "./gate.js";

export { PolicyError, ContextError, NotInitializedError } from "./errors.js";
export const { Gate, Subject, mintCsrfToken, init, initSync } = defineApi(wasm, { runtime: true });
