// The UI-gating build's API (internal: the entry points re-export it): the browser runtime
// without `check` (`drf-gate/can`). Compiled policies only; `can`, `permissionsFor`, `subject`,
// `actions`, `route` answer as the browser runtime does; `check` throws an `Error` with `code`
// `"needs_check_build"` (import `drf-gate/runtime` for it). Ready after init()/initSync().
import * as wasm from "./drf_gate_can.js";
import { defineApi } from "./gate.js";

export { PolicyError, ContextError, NotInitializedError } from "./errors.js";
// Local names unlike the exports (see api-runtime.js).
const { Gate: CanGate, Subject: CanSubject, mintCsrfToken: canMintCsrfToken, init: canInit, initSync: canInitSync } =
  defineApi(wasm, { runtime: true, canOnly: true });
export { CanGate as Gate, CanSubject as Subject, canMintCsrfToken as mintCsrfToken, canInit as init, canInitSync as initSync };
