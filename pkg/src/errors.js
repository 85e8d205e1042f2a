// The errors drf-gate throws. wasm-bindgen copies this file next to its glue code and the entry
// points re-export its classes; the Node runtime bundle (`drf-gate/runtime`, the fast start)
// carries a copy of its own: one module fewer to load (bench/notes.md, "Start-up, ninth pass").
// So that `instanceof` holds across entry points all the same, the first copy evaluated in a
// realm registers its classes under a key made from this file's text (scripts/build.sh writes
// its hash in place of DRF_GATE_ERRORS_HASH), and every later copy of the same text exports
// those: one set of classes per realm for every copy of one version, none shared with another.
const KEY = Symbol.for("drf-gate.errors.DRF_GATE_ERRORS_HASH");

// Class expressions named by their keys: a bundler renames a declaration that meets a name of
// the same bundle (`PolicyError.name` would read "PolicyError2"), never a key.
function define() {
  return Object.freeze({
    /** A policy that cannot be compiled. `path` points into the policy (`$.views.posts`). */
    PolicyError: class extends Error {
      constructor(message, code, path, line, column) {
        super(message);
        this.name = "PolicyError";
        this.code = code;
        this.path = path;
        if (line !== undefined) this.line = line;
        if (column !== undefined) this.column = column;
      }
    },

    /** A context (request) that cannot be decided. `path` points into the context (`$.view`). */
    ContextError: class extends Error {
      constructor(message, code, path) {
        super(message);
        this.name = "ContextError";
        this.code = code;
        this.path = path;
      }
    },

    /**
     * A call that came before the WebAssembly module was ready: `await init()` first (only
     * `drf-gate/web-edge` needs it; every other entry point is ready when its import resolves).
     */
    NotInitializedError: class extends Error {
      constructor(message, cause) {
        super(message, cause === undefined ? undefined : { cause });
        this.name = "NotInitializedError";
        this.code = "not_initialized";
      }
    },
  });
}

// The registered classes (fixed once set: neither writable nor configurable); anything else
// found under the key is not taken (this copy then uses its own).
function shared() {
  const found = globalThis[KEY];
  if (found === undefined) {
    const classes = define();
    try {
      Object.defineProperty(globalThis, KEY, { value: classes });
    } catch {
      // A frozen global object (SES lockdown): this copy keeps its own classes.
    }
    return classes;
  }
  const ok =
    Object.isFrozen(found) &&
    ["PolicyError", "ContextError", "NotInitializedError"].every((name) => typeof found[name] === "function" && found[name].name === name);
  return ok ? found : define();
}

export const { PolicyError, ContextError, NotInitializedError } = shared();
