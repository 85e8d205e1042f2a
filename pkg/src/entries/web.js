// Browsers and bundlers: the core build (policies, decisions, UI gating; no edge
// authentication, no crypto), the small .wasm. Call `await init()` once before using the API (it
// fetches the .wasm next to this file, `new URL("drf_gate_core_bg.wasm", import.meta.url)`), or
// `initSync({ module })`. Raw-request checking (`gate.checkRequest`) and `mintCsrfToken` need
// the edge build: `drf-gate/web-edge`.
export * from "./drf_gate_core.js";
export { default, default as init } from "./drf_gate_core.js";
export { PolicyError, ContextError } from "./errors.js";
import { Gate, Subject } from "./drf_gate_core.js";
import { install, needsEdgeBuild } from "./request.js";

install(Gate, Subject);

/** Edge build only: throws, naming the entry point that has it. */
export function mintCsrfToken() {
  throw needsEdgeBuild("mintCsrfToken()");
}
