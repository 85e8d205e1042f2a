// The Worker build's API (internal: the entry points re-export it): the edge build without the
// policy compiler (no JSON policy reader, no condition-language or permission-expression
// parser), over drf_gate_worker.js. Loads compiled policies only (`npx drf-gate compile
// policy.json -o policy.gate`, or `gate.toCompiled()` in Node); everything else is the edge
// build's: raw-request checking, JWT with HS* keys (an RS/ES key is refused at load: `invalid_settings`,
// naming `drf-gate`), session + CSRF, `mintCsrfToken`. `check` crosses typed only, as in the
// browser runtime (its .wasm has no serde `Context` reader): a context given as JSON text is
// parsed here, with exact BigInts. A JSON policy throws a PolicyError naming the full edge
// entry. Ready after init()/initSync().
import * as wasm from "./drf_gate_worker.js";
import * as check from "./check-resolved.js";
import { defineCheckRequest } from "./check-request.js";
import { defineApi } from "./gate.js";

export { PolicyError, ContextError, NotInitializedError } from "./errors.js";
// Local names unlike the exports: in esbuild's Node bundles the entry's top-level names share one
// scope with defineApi's, which would rename its classes (`Gate.name` would read "Gate2").
const { Gate: WorkerGate, Subject: WorkerSubject, mintCsrfToken: workerMintCsrfToken, init: workerInit, initSync: workerInitSync } =
  defineApi(wasm, { check, checkRequest: defineCheckRequest, compiler: false });
export { WorkerGate as Gate, WorkerSubject as Subject, workerMintCsrfToken as mintCsrfToken, workerInit as init, workerInitSync as initSync };
