// drf-gate's public JS API: `Gate`, `Subject`, `mintCsrfToken`, `init`/`initSync`.
//
// Plain JS over the wasm-bindgen exports of src/wasm.rs (`GateCore`, `SubjectCore`,
// `mintCsrfToken`), which are internal. Every call into wasm goes through a gate's `#core`
// (or a subject's `#handle`): one place to change how a check crosses the boundary.
//
// `defineApi(wasm, options)` binds the API to one build's glue (edge or core; ESM or CommonJS);
// each entry point (pkg/src/entries/) calls it once.

import { ContextError, NotInitializedError, PolicyError } from "./errors.js";
import { isFetchRequest, readBody, toRawRequest, withBody } from "./raw-request.js";
import { encodeValue } from "./value.js";

// The core replays earlier answers, so a request needs at most one lookup per class and step.
const MAX_LOOKUPS = 32;
// Resolved (view, action) ids kept per gate; past this the table starts again (bounded memory).
const MAX_TARGETS = 512;

/**
 * The error the core build (`drf-gate/web`, the browser default) throws for what only the edge
 * build has: an `Error` with `code` `"needs_edge_build"`.
 */
export function needsEdgeBuild(what) {
  const error = new Error(`${what} needs the edge build (raw-request authentication): import 'drf-gate/web-edge'`);
  error.code = "needs_edge_build";
  return error;
}

// A resolver's "not known here" (the request is forwarded) and "no such row" (drf-gate/guard).
const UNKNOWN = Symbol.for("drf-gate.unknown");
const NOT_FOUND = Symbol.for("drf-gate.notFound");

// The core keeps no body over 4 MiB (src/authentication/request.rs MAX_BODY_BYTES: a check
// that needs one forwards), and reads header fields only up to the servers' limit of 100
// (MAX_HEADER_COUNT: one more marks the request as beyond it, which the edge forwards). What it
// would not keep is not copied into wasm memory, which never shrinks.
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_COUNT = 100;

// UTF-8 length of a string, counted only as far as `limit`.
function utf8LengthOver(text, limit) {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) i++;
      bytes += next >= 0xdc00 && next < 0xe000 ? 4 : 3;
    } else bytes += 3;
  }
  return bytes > limit;
}

// UTF-8 byte order (the core's BTreeMap order) is code point order.
function byCodePoint(a, b) {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(j);
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// The core reads header fields in name order and stops at the first past a server limit (at
// the latest the 101st), and a field line over 8190 bytes is past one whatever follows: only
// what it reads crosses, and of a longer value only enough to stay over the limit. Left whole
// when a value is not a string (the core names the culprit).
const MAX_HEADER_BYTES = 8190;
function boundedHeaders(headers) {
  if (!headers || typeof headers !== "object" || Array.isArray(headers)) return headers;
  const names = Object.keys(headers);
  let long = false;
  for (const name of names) {
    const value = headers[name];
    if (typeof value !== "string") return headers;
    if (value.length > MAX_HEADER_BYTES) long = true;
  }
  if (names.length <= MAX_HEADER_COUNT + 1 && !long) return headers;
  if (names.length > MAX_HEADER_COUNT + 1) {
    names.sort(names.some((name) => /[\ud800-\udfff]/.test(name)) ? byCodePoint : undefined);
    names.length = MAX_HEADER_COUNT + 1;
  }
  const kept = Object.create(null); // `__proto__` is a header name like any other
  for (const name of names) {
    const value = headers[name];
    if (value.length <= MAX_HEADER_BYTES) {
      kept[name] = value;
    } else {
      // A character above U+00FF is refused wherever it is: it alone gives the same error.
      const wide = /[^\x00-\xff]/u.exec(value);
      kept[name] = wide ? wide[0] : value.slice(0, MAX_HEADER_BYTES + 1);
    }
  }
  return kept;
}

function boundedBody(request) {
  if (!request || typeof request !== "object") return request;
  const { bodyBase64, body, headers } = request;
  const over =
    (typeof bodyBase64 === "string" && Math.floor(bodyBase64.length / 4) * 3 - 2 > MAX_BODY_BYTES) ||
    (typeof body === "string" && utf8LengthOver(body, MAX_BODY_BYTES));
  const kept = boundedHeaders(headers);
  if (!over && kept === headers) return request;
  const bounded = kept === headers ? { ...request } : { ...request, headers: kept };
  if (over) {
    delete bounded.bodyBase64;
    delete bounded.body;
    bounded.bodyTooLarge = true;
  }
  return bounded;
}

// What a resolver returned, as the core's answer to a lookup.
function asAnswer(kind, value) {
  if (value && typeof value.then === "function") {
    throw new TypeError(`the ${kind} resolver returned a Promise: use checkRequest(), not checkRequestSync()`);
  }
  if (value === UNKNOWN) return { unknown: true };
  if (value === NOT_FOUND) return kind === "custom" ? { none: true } : { notFound: true };
  if (kind === "custom") {
    if (value == null) return { none: true };
    if (value.failure) return { failure: value.failure };
    return { user: value };
  }
  if (kind === "sessionCsrfSecret") return value == null ? { notFound: true } : { secret: String(value) };
  if (kind === "knoxToken") {
    if (value == null) return { notFound: true };
    // { user, expiry }: expiry in seconds since the epoch, a Date, or null (never expires).
    const expiry = value.expiry instanceof Date ? value.expiry.getTime() / 1000 : (value.expiry ?? null);
    return { knoxToken: { user: value.user, expiry } };
  }
  return value == null ? { notFound: true } : { user: value };
}

function callResolver(resolvers, key, rawRequest) {
  const fn = resolvers && resolvers[key.kind];
  if (typeof fn !== "function") return undefined;
  switch (key.kind) {
    case "token":
      return fn(key.key);
    case "basic":
      return fn(key.username, key.password);
    case "session":
    case "sessionCsrfSecret":
      return fn(key.sessionKey);
    case "userById":
      return fn(key.field, JSON.parse(key.id));
    case "remoteUser":
      return fn(key.name);
    case "knoxToken":
      return fn(key.digest, key.tokenKey);
    case "custom":
      return fn(key.className, rawRequest);
    default:
      return undefined;
  }
}

function tooManyLookups() {
  return new Error("drf-gate: too many user lookups for one request");
}

/**
 * The public API over one build's wasm-bindgen glue.
 *
 * `edge`: the glue has raw-request checking and CSRF minting. `ready`: the glue instantiated
 * its module on load (Node's CommonJS glue); otherwise calls wait for `init()`/`initSync()`.
 */
// A compiled policy as bytes, or `undefined` for a JSON policy (an object or JSON text).
function compiledBytes(policy) {
  if (policy instanceof Uint8Array) return policy;
  if (policy instanceof ArrayBuffer) return new Uint8Array(policy);
  if (ArrayBuffer.isView(policy)) return new Uint8Array(policy.buffer, policy.byteOffset, policy.byteLength);
  return undefined;
}

// What the browser runtime cannot do: compile a JSON policy.
function needsCompiler() {
  return new PolicyError(
    "this entry (drf-gate in browsers, drf-gate/runtime) is the browser runtime: it loads compiled policies " +
      "(a Uint8Array from `npx drf-gate compile policy.json -o policy.gate` or gate.toCompiled()); import " +
      "'drf-gate/inline' or 'drf-gate/web' (the JSON core) to compile JSON policies in the browser",
    "invalid_policy",
    "$",
  );
}

const CONTEXT_KEYS = new Set([
  "view", "action", "method", "detail", "user", "authentication", "object", "accept", "lookupError", "trace",
]);

// The runtime's `check`: the context's fields typed, users/objects/outcomes in the binary value
// encoding (src/compiled/value.rs reads them with the JSON path's codes and paths).
function checkTyped(core, context) {
  if (context === null || typeof context !== "object" || Array.isArray(context)) {
    throw new ContextError("invalid type: expected struct Context", "invalid_context", "$");
  }
  for (const key of Object.keys(context)) {
    if (!CONTEXT_KEYS.has(key) && context[key] !== undefined) {
      throw new ContextError(`unknown field \`${key}\``, "invalid_context", `$.${key}`);
    }
  }
  const string = (key) => {
    const value = context[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw new ContextError("invalid type: expected a string", "invalid_context", `$.${key}`);
    return value;
  };
  const flag = (key) => {
    const value = context[key];
    if (value === undefined) return false;
    if (typeof value !== "boolean") throw new ContextError("invalid type: expected a boolean", "invalid_context", `$.${key}`);
    return value;
  };
  if (typeof context.view !== "string") throw new ContextError("missing field `view`", "invalid_context", "$.view");
  const detail = context.detail ?? undefined;
  if (detail !== undefined && typeof detail !== "boolean") {
    throw new ContextError("invalid type: expected a boolean", "invalid_context", "$.detail");
  }
  const encoded = (key) => (context[key] === undefined || context[key] === null ? undefined : encodeValue(context[key]));
  const objectState = context.object === undefined ? 0 : context.object === null ? 1 : 2;
  return core.checkTyped(
    context.view,
    string("action"),
    string("method"),
    detail,
    encoded("user"),
    encoded("authentication"),
    objectState,
    encoded("object"),
    string("accept"),
    flag("lookupError"),
    flag("trace"),
  );
}

export function defineApi(wasm, { edge = false, ready = false, runtime = false } = {}) {
  // The browser runtime (no compiler): values cross encoded, not as JS objects.
  const user = runtime ? (value) => encodeValue(value ?? null) : (value) => value;
  const object = runtime ? (value) => (value === undefined || value === null ? undefined : encodeValue(value)) : (value) => value;
  let initialised = ready;
  let initFailure;

  function ensureReady(what) {
    if (initialised) return;
    const why = initFailure === undefined ? "" : ` (loading it failed: ${initFailure && initFailure.message})`;
    throw new NotInitializedError(
      `drf-gate: ${what} was called before the WebAssembly module was ready${why}; call \`await init()\` first`,
      initFailure,
    );
  }

  /** Loads the .wasm (fetched next to the glue by default); resolves to its exports. */
  async function init(input) {
    if (typeof wasm.default !== "function") return wasm.__wasm;
    try {
      const exports = await wasm.default(input);
      initialised = true;
      return exports;
    } catch (error) {
      initFailure = error;
      throw error;
    }
  }

  /** Instantiates the .wasm synchronously from its bytes or a compiled `WebAssembly.Module`. */
  function initSync(input) {
    if (typeof wasm.initSync !== "function") return wasm.__wasm;
    const exports = wasm.initSync(input);
    initialised = true;
    return exports;
  }

  const MAKE = Symbol("drf-gate subject");
  let handleOf;

  /** A user compiled against one `Gate` (`gate.subject(user)`): pass it wherever a user goes. */
  class Subject {
    #handle;

    constructor(token, handle) {
      if (token !== MAKE) throw new TypeError("drf-gate: make a Subject with gate.subject(user)");
      this.#handle = handle;
    }

    /** Frees the compiled user now (the garbage collector frees it otherwise). */
    free() {
      const handle = this.#handle;
      this.#handle = null;
      if (handle) handle.free();
    }

    static {
      // Only a Subject this module made has the private field: nothing a caller writes,
      // inherits or parses from JSON can pose as one.
      handleOf = (value) => {
        if (value === null || typeof value !== "object" || !(#handle in value)) return undefined;
        if (value.#handle === null) throw new ContextError("this Subject was freed", "invalid_context", "$.user");
        return value.#handle;
      };
    }
  }

  /** A compiled, immutable DRF policy; every question about it is a method of the gate. */
  class Gate {
    #core;
    #targets = new Map();

    constructor(policy) {
      ensureReady("new Gate()");
      const bytes = compiledBytes(policy);
      if (runtime) {
        if (bytes === undefined) throw needsCompiler();
        this.#core = new wasm.GateCore(bytes);
      } else {
        this.#core = bytes === undefined ? new wasm.GateCore(policy) : wasm.GateCore.fromCompiled(bytes);
      }
    }

    // The one way into wasm: the compiled policy, or a ContextError once freed.
    #live() {
      if (!this.#core) throw new ContextError("this Gate was freed", "invalid_context", "$");
      return this.#core;
    }

    /** What DRF would answer to one request context (a `Decision`). */
    check(context) {
      const core = this.#live();
      return JSON.parse(runtime ? checkTyped(core, context) : core.check(context));
    }

    /** Whether `user` (a user object, a `Subject` or `null`) may run an action or method on a view. */
    can(who, view, actionOrMethod, objectValue) {
      const core = this.#live();
      const withObject = objectValue !== undefined && objectValue !== null;
      const target = this.#target(core, view, actionOrMethod, withObject);
      const handle = handleOf(who);
      const arg = withObject ? object(objectValue) : undefined;
      return handle === undefined ? core.canUser(user(who), target, arg) : core.canSubject(handle, target, arg);
    }

    // A (view, action) resolved once: repeated checks cross into wasm with an integer.
    #target(core, view, actionOrMethod, withObject) {
      if (typeof view !== "string" || typeof actionOrMethod !== "string") {
        return core.target(view, actionOrMethod, withObject); // throws the ContextError
      }
      const key = `${withObject ? "o" : "-"}${view.length}:${view}${actionOrMethod}`;
      let id = this.#targets.get(key);
      if (id === undefined) {
        if (this.#targets.size >= MAX_TARGETS) {
          core.clearTargets();
          this.#targets.clear();
        }
        id = core.target(view, actionOrMethod, withObject);
        this.#targets.set(key, id);
      }
      return id;
    }

    /** Every action of `view` mapped to whether `user` may run it. */
    permissionsFor(who, view, objectValue) {
      const core = this.#live();
      const handle = handleOf(who);
      const answer =
        handle === undefined
          ? core.permissionsForUser(user(who), view, object(objectValue))
          : core.permissionsForSubject(handle, view, object(objectValue));
      return runtime ? JSON.parse(answer) : answer;
    }

    /** Compiles a user once against this gate, for many checks. */
    subject(who) {
      const core = this.#live();
      if (handleOf(who) !== undefined) {
        throw new ContextError("expected a user object, not a Subject", "invalid_context", "$.user");
      }
      return new Subject(MAKE, core.subject(user(who)));
    }

    /** The view names, in policy order. */
    get views() {
      return this.#live().views();
    }

    /** The actions of a view, in policy order; `undefined` for an unknown view. */
    actions(view) {
      return this.#live().actions(view);
    }

    /** The route a URL path reaches (`null`: none); with `method`, the action it runs there. */
    route(urlPath, method) {
      const core = this.#live();
      return runtime ? JSON.parse(core.route(urlPath, method ?? undefined)) : core.route(urlPath, method);
    }

    /** The compiled form of this policy (a `Uint8Array`) for the browser runtime (`drf-gate/runtime`). */
    toCompiled() {
      const core = this.#live();
      if (runtime) throw needsCompiler();
      return core.toCompiled();
    }

    // One step of the raw-request protocol: a decision, a user lookup, or no route.
    #step(what, request, options, answers) {
      if (!edge) throw needsEdgeBuild(what);
      const { resolvers, now, ...target } = options || {};
      const input = { ...target, request: boundedBody(request), now: now ?? Date.now() / 1000, answers };
      return this.#live().checkRequestStep(input);
    }

    /**
     * Decides a raw request (a Fetch `Request` or plain data) as the DRF server would, awaiting
     * the resolvers' user lookups. `null`: not DRF's to answer here (no route matches, or the
     * runtime lost header bytes DRF would read).
     */
    async checkRequest(request, options = {}) {
      if (!edge) throw needsEdgeBuild("gate.checkRequest()");
      let raw = isFetchRequest(request) ? await toRawRequest(request) : request;
      if (raw === null) return null;
      const { readBody: read, ...stepOptions } = options;
      const answers = [];
      for (let i = 0; i <= MAX_LOOKUPS; i++) {
        const step = this.#step("gate.checkRequest()", raw, stepOptions, answers);
        // The CSRF check reads the body: read it now (at most maxBytes), and ask again.
        if (step.body && raw.bodyPending) {
          const reader = read ?? (isFetchRequest(request) ? (maxBytes) => readBody(request, maxBytes) : null);
          raw = withBody(raw, reader ? await reader(step.body.maxBytes) : null);
          continue;
        }
        if (!step.lookup) return step.noRoute ? null : step;
        const value = await callResolver(options.resolvers, step.lookup, raw);
        answers.push({ key: step.lookup, answer: asAnswer(step.lookup.kind, value) });
      }
      throw tooManyLookups();
    }

    /** `checkRequest` for plain request data and synchronous resolvers. */
    checkRequestSync(request, options = {}) {
      if (!edge) throw needsEdgeBuild("gate.checkRequestSync()");
      if (isFetchRequest(request)) {
        throw new TypeError("checkRequestSync() takes a plain request object; use checkRequest() for a Fetch Request");
      }
      const { readBody: _read, ...stepOptions } = options;
      const answers = [];
      for (let i = 0; i <= MAX_LOOKUPS; i++) {
        const step = this.#step("gate.checkRequestSync()", request, stepOptions, answers);
        if (!step.lookup) return step.noRoute ? null : step;
        const value = callResolver(options.resolvers, step.lookup, request);
        answers.push({ key: step.lookup, answer: asAnswer(step.lookup.kind, value) });
      }
      throw tooManyLookups();
    }

    /** Frees the compiled policy now (the garbage collector frees it otherwise). */
    free() {
      const core = this.#core;
      this.#core = null;
      this.#targets.clear();
      if (core) core.free();
    }
  }

  if (typeof Symbol.dispose === "symbol") {
    Gate.prototype[Symbol.dispose] = Gate.prototype.free;
    Subject.prototype[Symbol.dispose] = Subject.prototype.free;
  }

  /** A masked CSRF token as Django makes them (edge build only). */
  function mintCsrfToken(secret) {
    if (!edge) throw needsEdgeBuild("mintCsrfToken()");
    ensureReady("mintCsrfToken()");
    return wasm.mintCsrfToken(secret);
  }

  return { Gate, Subject, mintCsrfToken, init, initSync };
}
