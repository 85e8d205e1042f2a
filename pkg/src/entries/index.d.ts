export * from "./drf_gate.js";
export { default, default as init } from "./drf_gate.js";
export { PolicyError, ContextError, type PolicyErrorCode, type ContextErrorCode } from "./errors.js";
