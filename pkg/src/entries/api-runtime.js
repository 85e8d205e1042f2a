// The browser runtime's API (internal: the entry point re-exports it). Loads compiled policies
// (`npx drf-gate compile policy.json -o policy.gate`, or `gate.toCompiled()` in Node/Workers)
// into the small .wasm without a policy compiler or a JSON reader; a JSON policy throws a
// PolicyError naming `drf-gate/web` (the JSON core). Ready after init()/initSync().
import * as wasm from "./drf_gate_runtime.js";
import { defineApi } from "./gate.js";

export { PolicyError, ContextError, NotInitializedError } from "./errors.js";
// Local names unlike the exports: in esbuild's Node bundles the entry's top-level names share one
// scope with defineApi's, which would rename its classes (`Gate.name` would read "Gate2").
const { Gate: RuntimeGate, Subject: RuntimeSubject, mintCsrfToken: runtimeMintCsrfToken, init: runtimeInit, initSync: runtimeInitSync } =
  defineApi(wasm, { runtime: true });
export { RuntimeGate as Gate, RuntimeSubject as Subject, runtimeMintCsrfToken as mintCsrfToken, runtimeInit as init, runtimeInitSync as initSync };
