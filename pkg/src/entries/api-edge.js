// The edge build's API (internal: the entry points re-export it). Everything, raw-request
// checking and CSRF minting included, over drf_gate.js; ready after init()/initSync().
import * as wasm from "./drf_gate.js";
import * as check from "./check-resolved.js";
import { defineCheckRequest } from "./check-request.js";
import { defineApi } from "./gate.js";

export { PolicyError, ContextError, NotInitializedError } from "./errors.js";
export const { Gate, Subject, mintCsrfToken, init, initSync } = defineApi(wasm, { check, checkRequest: defineCheckRequest });
