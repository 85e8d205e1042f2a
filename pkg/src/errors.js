// The errors drf-gate throws. wasm-bindgen copies this file next to its glue code; every entry
// point re-exports these classes from that copy, so `instanceof` holds across entry points of
// one build.

/** A policy that cannot be compiled. `path` points into the policy (`$.views.posts`). */
export class PolicyError extends Error {
  constructor(message, code, path, line, column) {
    super(message);
    this.name = "PolicyError";
    this.code = code;
    this.path = path;
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }
}

/** A context (request) that cannot be decided. `path` points into the context (`$.view`). */
export class ContextError extends Error {
  constructor(message, code, path) {
    super(message);
    this.name = "ContextError";
    this.code = code;
    this.path = path;
  }
}

/**
 * A call that came before the WebAssembly module was ready: `await init()` first (only
 * `drf-gate/web-edge` needs it; every other entry point is ready when its import resolves).
 */
export class NotInitializedError extends Error {
  constructor(message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "NotInitializedError";
    this.code = "not_initialized";
  }
}
