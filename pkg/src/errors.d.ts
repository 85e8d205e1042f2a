/** Codes of {@link PolicyError}: stable, switch on them. */
export type PolicyErrorCode =
  | "invalid_json"
  | "invalid_policy"
  | "invalid_settings"
  | "unknown_class"
  | "unknown_authentication_class"
  | "cycle"
  | "syntax_error"
  | "type_error"
  | "unknown_name"
  | "invalid_perms_map"
  | "missing_model"
  | "unknown_view"
  | "unknown_action"
  | "incompatible_compiled_policy"
  | "corrupt_compiled_policy";

/** Codes of {@link ContextError}: stable, switch on them. */
export type ContextErrorCode =
  | "invalid_context"
  | "unknown_view"
  | "unknown_action"
  | "method_mismatch"
  | "unknown_authentication_class"
  | "invalid_settings"
  | "invalid_request";

/**
 * Thrown by `new Gate(policy)` when the policy cannot be compiled.
 *
 * ```ts
 * try { new Gate(policy) } catch (e) { if (e instanceof PolicyError) console.log(e.code, e.path, e.line) }
 * ```
 */
export declare class PolicyError extends Error {
  protected constructor();
  readonly name: "PolicyError";
  readonly code: PolicyErrorCode;
  /** JSON path into the policy, e.g. `$.views.posts.permissions[1]`. */
  readonly path: string;
  /** 1-based line in JSON text or inside an expression, when known. */
  readonly line?: number;
  /** 1-based column in JSON text or inside an expression, when known. */
  readonly column?: number;
}

/**
 * Thrown by `check`, `can`, `permissionsFor` and `subject` when the context or an argument is
 * malformed or names an unknown view or action.
 */
export declare class ContextError extends Error {
  protected constructor();
  readonly name: "ContextError";
  readonly code: ContextErrorCode;
  /** JSON path into the context, e.g. `$.user.isStaff`. */
  readonly path: string;
}

/**
 * Thrown by a call that came before the WebAssembly module was ready (only `drf-gate/web-edge`
 * needs `await init()`; every other entry point is ready when its import resolves). `cause`
 * holds why loading failed, when it did.
 */
export declare class NotInitializedError extends Error {
  protected constructor();
  readonly name: "NotInitializedError";
  readonly code: "not_initialized";
}
