// Browsers and bundlers, edge build: everything, raw-request checking (`gate.checkRequest`, JWT,
// session + CSRF) and `mintCsrfToken` included. Call `await init()` once before using the API (it
// fetches the .wasm next to this file, `new URL("drf_gate_bg.wasm", import.meta.url)`), or
// `initSync({ module })`; a call before that throws `NotInitializedError`. Not instantiated on
// import, so a Worker can import it at global scope and initialise inside a request.
export * from "./api-edge.js";
export { init as default } from "./api-edge.js";
