// The core build's API (internal: the entry points re-export it). Policies, decisions and UI
// gating over drf_gate_core.js, the small .wasm; raw-request checking and `mintCsrfToken` throw
// an `Error` with `code` `"needs_edge_build"`. Ready after init()/initSync().
import * as wasm from "./drf_gate_core.js";
import * as check from "./check-resolved.js";
import { defineApi } from "./gate.js";

export { PolicyError, ContextError, NotInitializedError } from "./errors.js";
export const { Gate, Subject, mintCsrfToken, init, initSync } = defineApi(wasm, { check });
