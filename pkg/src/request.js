// Raw requests at the edge: `gate.checkRequest(request, options)`.
//
// The core runs DRF's authentication classes on the request. When it needs a user (a token's
// owner, a session, a JWT's user id), it answers with a lookup; this loop awaits the caller's
// resolver, hands the answer back, and asks again. The core replays earlier answers exactly, so
// async resolvers (Workers KV, a database) work without async Rust.

const MAX_LOOKUPS = 32;

function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}


// A Fetch `Request` as the core's raw request. The body is not read here: an unsafe method with
// a body is marked `bodyPending`, and the core asks for it (a `body` step) only when DRF reads it
// during authentication (the CSRF check of a session POST without the token header).
async function fromFetchRequest(request) {
  const headers = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const raw = { method: request.method, url: request.url, headers };
  const method = request.method.toUpperCase();
  if (!["GET", "HEAD", "OPTIONS", "TRACE"].includes(method) && request.body) raw.bodyPending = true;
  return raw;
}

// At most `maxBytes` of a request's body (from a clone), or `null` when it is longer.
async function readFetchBody(request, maxBytes) {
  const declared = Number(request.headers.get("content-length") || NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  const bytes = new Uint8Array(await request.clone().arrayBuffer());
  return bytes.length > maxBytes ? null : bytes;
}

// The raw request with the body the core asked for (`null`: longer than it may read).
function withBody(raw, bytes) {
  const { bodyPending, ...rest } = raw;
  return bytes === null ? { ...rest, bodyTooLarge: true } : { ...rest, bodyBase64: bytesToBase64(bytes) };
}

function isFetchRequest(value) {
  return typeof Request !== "undefined" && value instanceof Request;
}

// A resolver's "not known here" (the request is forwarded) and "no such row" (drf-gate/guard).
const UNKNOWN = Symbol.for("drf-gate.unknown");
const NOT_FOUND = Symbol.for("drf-gate.notFound");

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
    case "custom":
      return fn(key.className, rawRequest);
    default:
      return undefined;
  }
}

function stepInput(rawRequest, options, answers) {
  const { resolvers, now, readBody, ...target } = options || {};
  return { ...target, request: rawRequest, now: now ?? Date.now() / 1000, answers };
}

function finish(step) {
  return step.noRoute ? null : step;
}

/**
 * The error the core build (`drf-gate/web`, the browser default) throws for what only the edge
 * build has: an `Error` with `code` `"needs_edge_build"`.
 */
export function needsEdgeBuild(what) {
  const error = new Error(`${what} needs the edge build (raw-request authentication): import 'drf-gate/web-edge'`);
  error.code = "needs_edge_build";
  return error;
}

const targetIds = new WeakMap();

export function install(Gate, Subject) {
  // UI checks: a compiled Subject and a view/action resolved once, so a repeated check crosses
  // into wasm with two integers (and the object's JSON, when there is one).
  const canAny = Gate.prototype.can;
  Gate.prototype.can = function can(user, view, actionOrMethod, object) {
    if (user instanceof Subject && typeof view === "string" && typeof actionOrMethod === "string") {
      const withObject = object !== undefined && object !== null;
      let objectJson;
      if (withObject) {
        try {
          objectJson = JSON.stringify(object);
        } catch {
          objectJson = undefined;
        }
      }
      if (!withObject || typeof objectJson === "string") {
        let ids = targetIds.get(this);
        if (ids === undefined) {
          ids = new Map();
          targetIds.set(this, ids);
        }
        const key = (withObject ? "o" : "-") + view + "\u0000" + actionOrMethod;
        let id = ids.get(key);
        if (id === undefined) {
          id = this.__target(view, actionOrMethod, withObject);
          ids.set(key, id);
        }
        try {
          return this.__canTarget(user, id, objectJson);
        } catch {
          // A freed Subject or one from another Gate: the general path says which, as a ContextError.
        }
      }
    }
    return canAny.call(this, user, view, actionOrMethod, object);
  };

  // Decisions cross as one JSON string: faster than building the object field by field.
  Gate.prototype.check = function check(context) {
    return JSON.parse(this.__checkJson(context));
  };

  if (typeof Gate.prototype.checkRequestStep !== "function") {
    // The core build: same API, with an error that names the entry point that has it.
    Gate.prototype.checkRequest = async function checkRequest() {
      throw needsEdgeBuild("gate.checkRequest()");
    };
    Gate.prototype.checkRequestSync = function checkRequestSync() {
      throw needsEdgeBuild("gate.checkRequestSync()");
    };
    return;
  }

  /**
   * Decides a raw request as the DRF server would, running the view's authentication classes.
   * Resolves to `{ decision, authentication }`, or `null` when no route of the policy matches.
   */
  Gate.prototype.checkRequest = async function checkRequest(request, options = {}) {
    let rawRequest = isFetchRequest(request) ? await fromFetchRequest(request) : request;
    const answers = [];
    for (let i = 0; i <= MAX_LOOKUPS; i++) {
      const step = this.checkRequestStep(stepInput(rawRequest, options, answers));
      // The CSRF check reads the body: read it now (at most maxBytes), and ask again.
      if (step.body && rawRequest.bodyPending) {
        const read = options.readBody ?? (isFetchRequest(request) ? (max) => readFetchBody(request, max) : null);
        rawRequest = withBody(rawRequest, read ? await read(step.body.maxBytes) : null);
        continue;
      }
      if (!step.lookup) return finish(step);
      const value = await callResolver(options.resolvers, step.lookup, rawRequest);
      answers.push({ key: step.lookup, answer: asAnswer(step.lookup.kind, value) });
    }
    throw new Error("drf-gate: too many user lookups for one request");
  };

  /** `checkRequest` for synchronous resolvers and a plain request object. */
  Gate.prototype.checkRequestSync = function checkRequestSync(request, options = {}) {
    if (isFetchRequest(request)) {
      throw new TypeError("checkRequestSync() takes a plain request object; use checkRequest() for a Fetch Request");
    }
    const answers = [];
    for (let i = 0; i <= MAX_LOOKUPS; i++) {
      const step = this.checkRequestStep(stepInput(request, options, answers));
      if (!step.lookup) return finish(step);
      const value = callResolver(options.resolvers, step.lookup, request);
      answers.push({ key: step.lookup, answer: asAnswer(step.lookup.kind, value) });
    }
    throw new Error("drf-gate: too many user lookups for one request");
  };
}
