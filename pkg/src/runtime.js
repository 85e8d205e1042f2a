// The browser runtime's public API: a Gate over a compiled policy (`npx drf-gate compile
// policy.json -o policy.gate`, or `gate.toCompiled()` in Node/Workers), with no policy compiler
// and no JSON reader in its .wasm. Users, objects and outcomes cross as the binary encoding of
// value.js; names as strings, resolved once and cached.
import { RuntimeGate } from "./drf_gate_runtime.js";
import { PolicyError, ContextError } from "./errors.js";
import { encodeValue } from "./value.js";

const CONTEXT_KEYS = new Set(["view", "action", "method", "detail", "user", "authentication", "object", "accept", "lookupError", "trace"]);

function bytesOf(policy) {
  if (policy instanceof Uint8Array) return policy;
  if (policy instanceof ArrayBuffer) return new Uint8Array(policy);
  if (ArrayBuffer.isView(policy)) return new Uint8Array(policy.buffer, policy.byteOffset, policy.byteLength);
  throw new PolicyError(
    "the browser runtime loads compiled policies (a Uint8Array from `npx drf-gate compile` or gate.toCompiled()); " +
      "for JSON policies import drf-gate/web-full",
    "corrupt_compiled_policy",
    "@0",
    null,
    null,
  );
}

const released = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry(({ inner, handle }) => inner.__release(handle))
  : null;

/** A user compiled once for many checks (see `Gate.subject`). */
export class Subject {
  #gate;
  #handle;
  constructor(gate, handle, inner) {
    this.#gate = gate;
    this.#handle = handle;
    if (handle !== 0 && released) released.register(this, { inner, handle }, this);
  }
  /** @internal */
  static handleFor(subject, gate) {
    if (subject.#gate !== gate) throw new ContextError("this Subject was made by another Gate", "invalid_context", "$.user");
    return subject.#handle;
  }
}

export class Gate {
  #inner;
  #targets = new Map();
  #anonymous;
  #users = new WeakMap();

  /** Loads a compiled policy; throws PolicyError (`incompatible_compiled_policy`, `corrupt_compiled_policy`). */
  constructor(compiled) {
    this.#inner = RuntimeGate.fromCompiled(bytesOf(compiled));
    this.#anonymous = new Subject(this, 0, this.#inner);
  }

  /** The views, in policy order. */
  get views() {
    return this.#inner.views();
  }

  /** The actions of a view, or `undefined`. */
  actions(view) {
    return this.#inner.actions(String(view));
  }

  /** Compiles a user once for many checks; `null`/`undefined` is the anonymous user. */
  subject(user) {
    if (user === null || user === undefined) return this.#anonymous;
    if (user instanceof Subject) {
      Subject.handleFor(user, this);
      return user;
    }
    return new Subject(this, this.#inner.__subject(encodeValue(user)), this.#inner);
  }

  #handle(user) {
    if (user === null || user === undefined) return 0;
    if (user instanceof Subject) return Subject.handleFor(user, this);
    if (typeof user === "object") {
      // A plain user object: compiled once while it lives (it must not change meanwhile).
      let subject = this.#users.get(user);
      if (!subject) {
        subject = this.subject(user);
        this.#users.set(user, subject);
      }
      return Subject.handleFor(subject, this);
    }
    return Subject.handleFor(this.subject(user), this);
  }

  #target(view, actionOrMethod, withObject) {
    if (typeof view !== "string") throw new ContextError("expected a string", "invalid_context", "view");
    if (typeof actionOrMethod !== "string") throw new ContextError("expected a string", "invalid_context", "actionOrMethod");
    const key = `${withObject ? 1 : 0}${view}\u0000${actionOrMethod}`;
    let id = this.#targets.get(key);
    if (id === undefined) {
      id = this.#inner.__target(view, actionOrMethod, withObject);
      this.#targets.set(key, id);
    }
    return id;
  }

  /** UI gating: may `user` perform `actionOrMethod` on `view` (and `object`, if given)? */
  can(user, view, actionOrMethod, object) {
    const withObject = object !== undefined && object !== null;
    const handle = this.#handle(user);
    const target = this.#target(view, actionOrMethod, withObject);
    return this.#inner.__can(handle, target, withObject ? encodeValue(object) : undefined);
  }

  /** Every action of `view` mapped to whether `user` may perform it. */
  permissionsFor(user, view, object) {
    const actions = this.actions(view);
    if (!actions) throw new ContextError(`unknown view \`${view}\``, "unknown_view", "view");
    const out = {};
    for (const action of actions) out[action] = this.can(user, view, action, object);
    return out;
  }

  /** What DRF would answer to one request context (docs/policy.md §2). */
  check(context) {
    if (context === null || typeof context !== "object") throw new ContextError("expected a context object", "invalid_context", "$");
    for (const key of Object.keys(context)) {
      if (!CONTEXT_KEYS.has(key) && context[key] !== undefined) {
        throw new ContextError(`unknown field \`${key}\``, "invalid_context", `$.${key}`);
      }
    }
    const string = (key) => {
      const value = context[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== "string") throw new ContextError("expected a string", "invalid_context", `$.${key}`);
      return value;
    };
    const flag = (key) => {
      const value = context[key];
      if (value === undefined) return false;
      if (typeof value !== "boolean") throw new ContextError("expected a boolean", "invalid_context", `$.${key}`);
      return value;
    };
    if (typeof context.view !== "string") throw new ContextError("missing field `view`", "invalid_context", "$.view");
    const detail = context.detail === undefined || context.detail === null ? undefined : context.detail;
    if (detail !== undefined && typeof detail !== "boolean") throw new ContextError("expected a boolean", "invalid_context", "$.detail");
    const hasObject = "object" in context && context.object !== undefined;
    const text = this.#inner.__check(
      context.view,
      string("action"),
      string("method"),
      detail,
      context.user === undefined || context.user === null ? undefined : encodeValue(context.user),
      context.authentication === undefined || context.authentication === null ? undefined : encodeValue(context.authentication),
      hasObject ? (context.object === null ? 1 : 2) : 0,
      hasObject && context.object !== null ? encodeValue(context.object) : undefined,
      string("accept"),
      flag("lookupError"),
      flag("trace"),
    );
    return JSON.parse(text);
  }
}
