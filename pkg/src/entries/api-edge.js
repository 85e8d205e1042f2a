// The edge build's API (internal: the entry points re-export it). Everything, raw-request
// checking and CSRF minting included, over drf_gate.js; ready after init()/initSync().
import * as wasm from "./drf_gate.js";
import * as check from "./check-resolved.js";
import { defineCheckRequest } from "./check-request.js";
import { defineApi } from "./gate.js";

export { PolicyError, ContextError, NotInitializedError } from "./errors.js";
// Local names unlike the exports: in esbuild's Node bundles the entry's top-level names share one
// scope with defineApi's, which would rename its classes (`Gate.name` would read "Gate2").
const { Gate: EdgeGate, Subject: EdgeSubject, mintCsrfToken: edgeMintCsrfToken, init: edgeInit, initSync: edgeInitSync } =
  defineApi(wasm, { check, checkRequest: defineCheckRequest });
export { EdgeGate as Gate, EdgeSubject as Subject, edgeMintCsrfToken as mintCsrfToken, edgeInit as init, edgeInitSync as initSync };
