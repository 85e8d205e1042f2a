// Browsers and bundlers, edge build: everything, raw-request checking (`gate.checkRequest`, JWT,
// session + CSRF) and `mintCsrfToken` included. Call `await init()` once before using the API (it
// fetches the .wasm next to this file, `new URL("drf_gate_bg.wasm", import.meta.url)`), or
// `initSync({ module })`. Node and workerd load this build too.
export * from "./drf_gate.js";
export { default, default as init } from "./drf_gate.js";
export { PolicyError, ContextError } from "./errors.js";
import { Gate, Subject } from "./drf_gate.js";
import { install } from "./request.js";

install(Gate, Subject);
