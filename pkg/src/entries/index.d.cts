export * from "./drf_gate.cjs";
export { default, default as init } from "./drf_gate.cjs";
export { PolicyError, ContextError, type PolicyErrorCode, type ContextErrorCode } from "./errors.cjs";
