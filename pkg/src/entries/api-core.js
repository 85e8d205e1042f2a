// The core build's API (internal: the entry points re-export it). Policies, decisions and UI
// gating over drf_gate_core.js, the small .wasm; raw-request checking and `mintCsrfToken` throw
// an `Error` with `code` `"needs_edge_build"`. Ready after init()/initSync().
import * as wasm from "./drf_gate_core.js";
import * as check from "./check-resolved.js";
import { defineApi } from "./gate.js";

export { PolicyError, ContextError, NotInitializedError } from "./errors.js";
// Local names unlike the exports: in esbuild's Node bundles the entry's top-level names share one
// scope with defineApi's, which would rename its classes (`Gate.name` would read "Gate2").
const { Gate: CoreGate, Subject: CoreSubject, mintCsrfToken: coreMintCsrfToken, init: coreInit, initSync: coreInitSync } =
  defineApi(wasm, { check });
export { CoreGate as Gate, CoreSubject as Subject, coreMintCsrfToken as mintCsrfToken, coreInit as init, coreInitSync as initSync };
