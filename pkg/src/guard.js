// drf-gate/guard: a DRF API guarded at the edge (Cloudflare Workers, Node 18+, any Fetch runtime).
//
// `createGuard(options)` returns `guard(request, env, ctx)`, which decides a Fetch `Request` as
// the DRF server would (authentication -> permission classes -> object permissions) and either
// builds DRF's exact denial as a `Response` or says why the request should go on to the origin.
// `withGuard(handler, options)` wraps a plain `fetch` handler with it; `forwardTo` sends a request
// on to the origin as a reverse proxy does.
//
// The guard answers only when it is certain the origin would send the same response. A lookup it
// cannot answer for sure (a store miss that is not authoritative, a store that fails or is slow),
// an answer resting on a record the store may hold stale (`recordsCurrent`), a body it did not
// read, an exception of its own: the request is forwarded, never denied.

// The package itself, by name: each runtime gets its own build (workerd, Node, browser) through
// the package's `exports` conditions, exactly as the application's own `import "drf-gate"` does.
import { Gate } from "drf-gate";
import { readBody, toRawRequest } from "./raw-request.js";
import { plainRecord } from "./user.js";

/** Returned by `loadObject` when the URL's lookup value does not fit the field (a bare 404). */
export const LOOKUP_ERROR = Symbol.for("drf-gate.lookupError");
/**
 * Returned by a resolver: "no such row", for certain. Honoured only when the guard is told the
 * store is authoritative (`authoritative`); otherwise it counts as `UNKNOWN`.
 */
export const NOT_FOUND = Symbol.for("drf-gate.notFound");
/** Returned by a resolver: "not known here" (as `undefined` and `null` are): the origin decides. */
export const UNKNOWN = Symbol.for("drf-gate.unknown");

// The lookup kinds of the core's step protocol (`LookupKey.kind`), with their arguments.
const LOOKUP_KINDS = [
  "token", "basic", "session", "sessionCsrfSecret", "userById", "remoteUser", "knoxToken", "apiKey", "custom",
];
const DEFAULT_LOOKUP_TIMEOUT_MS = 1000;
const TIMED_OUT = Symbol("timed out");

function call(value, ...args) {
  return typeof value === "function" ? value(...args) : value;
}

function lookupArgs(key) {
  switch (key.kind) {
    case "token":
      return [key.key];
    case "basic":
      return [key.username, key.password];
    case "session":
    case "sessionCsrfSecret":
      return [key.sessionKey];
    case "userById":
      return [key.field, lookupId(key.id)];
    case "remoteUser":
      return [key.name];
    case "knoxToken":
      return [key.digest, key.tokenKey];
    case "apiKey":
      return [key.model, key.prefix];
    case "custom":
      return [key.className];
    default:
      return null;
  }
}

// The claim as the resolver gets it (gate.js does the same): an integer beyond 2^53 is a BigInt,
// exact, where JSON.parse would round it to another user's pk.
function lookupId(text) {
  const value = JSON.parse(text);
  return typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(text) ? BigInt(text) : value;
}

// One key per lookup; a BigInt argument (JSON.stringify refuses it) keeps its own shape.
const cacheKey = (kind, args) =>
  JSON.stringify([kind, ...args.map((a) => (typeof a === "bigint" ? { bigint: String(a) } : [a]))]);

// `authoritative` (misses) and `recordsCurrent` (records) alike: `true`, a list of kinds, or
// `{ kind: true }`.
function authoritativeFor(setting, kind) {
  if (setting === true) return true;
  if (Array.isArray(setting)) return setting.includes(kind);
  if (setting && typeof setting === "object") return setting[kind] === true;
  return false;
}

// Resolvers for one request: each lookup runs once (the object stage asks the core again, which
// replays), within the request's time bound; what they return becomes the core's answer.
// `records` collects the kinds whose record (a user, a knox or API-key row, a custom class's
// outcome, a session's CSRF secret) the core was given: the core asks a lookup only when the
// decision needs it, so every record given is one the decision rests on.
function requestResolvers(resolvers, { authoritative, deadline, log }) {
  const records = new Set();
  const settled = new Map(); // cache key -> { value, trouble }
  const pending = new Map(); // cache key -> Promise
  const wrapped = {};
  for (const kind of LOOKUP_KINDS) {
    const fn = resolvers && resolvers[kind];
    if (typeof fn !== "function") continue;
    wrapped[kind] = (...args) => {
      // custom(className, rawRequest): one request, so the class name is the key.
      const keyArgs = kind === "custom" ? args.slice(0, 1) : args;
      const key = cacheKey(kind, keyArgs);
      if (pending.has(key)) return pending.get(key);
      const remaining = deadline - Date.now();
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, remaining));
      });
      const run = (async () => {
        try {
          const value = await Promise.race([Promise.resolve().then(() => fn.apply(resolvers, args)), timeout]);
          if (value === TIMED_OUT) {
            log("lookup-timeout", `${kind} lookup took longer than the guard's time bound`);
            settled.set(key, { value: UNKNOWN, trouble: "lookup-timeout" });
            return UNKNOWN;
          }
          settled.set(key, { value });
          const answer = answerValue(kind, value, authoritativeFor(authoritative, kind));
          if (answer !== UNKNOWN && answer !== null) records.add(kind);
          return answer;
        } catch (error) {
          log("lookup-error", `${kind} lookup failed: ${error && error.name}: ${error && error.message}`);
          settled.set(key, { value: UNKNOWN, trouble: "lookup-error" });
          return UNKNOWN;
        } finally {
          clearTimeout(timer);
        }
      })();
      pending.set(key, run);
      return run;
    };
  }
  const original = (lookup) => {
    const args = lookup && lookupArgs(lookup);
    return args && settled.get(cacheKey(lookup.kind, args));
  };
  return { resolvers: wrapped, original, records };
}

// A resolver's value as the core's answer: a record, `null` (authoritative: no such row), or
// UNKNOWN. `custom` resolvers return `{ failure }` for a raised exception and NOT_FOUND for
// `authenticate` returning None. checkRequest itself takes no row that is another object than a
// plain record (user.js) or a list (check-request.js `asAnswer`); a list, which the core refuses
// (a row of values from D1's `raw()`), is not known at the edge either.
function answerValue(kind, value, authoritative) {
  if (value === NOT_FOUND) return authoritative ? null : UNKNOWN;
  if (value === undefined || value === null || value === UNKNOWN) return UNKNOWN;
  if (kind === "sessionCsrfSecret") return typeof value === "string" ? value : UNKNOWN;
  if (!plainRecord(value)) return UNKNOWN;
  if (kind === "knoxToken" && !plainRecord(value.user)) return UNKNOWN;
  return value;
}

function methodOf(request) {
  return String(request.method || "GET").toUpperCase();
}

/** DRF's response for a decision it sends: status, exact body bytes, headers; no body for HEAD. */
export function toResponse(decision, request) {
  const headers = new Headers(decision.headers);
  // Django strips the body of a HEAD response (the headers stay).
  const body = request && methodOf(request) === "HEAD" ? null : decision.body;
  return new Response(body, { status: decision.status, headers });
}

function defaultLog(reason, message) {
  console.warn(`drf-gate guard: forwarding (${reason}): ${message}`);
}

/**
 * Builds a guard for one policy.
 *
 * ```js
 * const guard = createGuard({ policy, resolvers: (env) => ({ token: (key) => env.TOKENS.get(key, "json") }) });
 * const result = await guard(request, env, ctx);
 * if (result.action === "respond") return result.response;
 * ```
 */
export function createGuard(options = {}) {
  const {
    policy, gate: givenGate, resolvers, loadObject, prefetchObject, now, headersDecodedAsUtf8,
    authoritative = false, recordsCurrent = false, lookupTimeout = DEFAULT_LOOKUP_TIMEOUT_MS, log = defaultLog,
    forward: forwardOptions = {},
  } = options;
  if (!givenGate && policy === undefined) throw new TypeError("createGuard: give `policy` or `gate`");
  for (const [name, value] of [["loadObject", loadObject], ["prefetchObject", prefetchObject]]) {
    if (value !== undefined && typeof value !== "function") throw new TypeError(`createGuard: \`${name}\` must be a function`);
  }
  let gate = givenGate ?? null;
  // A policy that needs the environment (a signing key from a secret) is compiled on first use.
  const gateFor = (env) => {
    if (gate === null) gate = new Gate(call(policy, env));
    return gate;
  };
  const forward = (reason, decision = null, extra = {}) => ({ action: "forward", decision, reason, ...extra });

  async function decide(request, env, ctx) {
    const compiled = gateFor(env);
    const bound = Number(call(lookupTimeout, env));
    const deadline = Date.now() + (Number.isFinite(bound) && bound >= 0 ? bound : DEFAULT_LOOKUP_TIMEOUT_MS);
    const isAuthoritative = await call(authoritative, env, ctx, request);
    const currentKinds = await call(recordsCurrent, env, ctx, request);
    const { resolvers: perRequest, original, records } = requestResolvers(call(resolvers, env, ctx, request), {
      authoritative: isAuthoritative, deadline, log,
    });
    const at = call(now);
    // The body, read once and only if the core asks for it (the CSRF check of a session POST).
    let body;
    const base = {
      resolvers: perRequest,
      readBody: (maxBytes) => (body ??= readBody(request, maxBytes)),
      ...(at === undefined ? {} : { now: at }),
    };

    const raw = await toRawRequest(request, { headersDecodedAsUtf8 });
    if (raw === null) return forward("origin-renders");
    const url = new URL(request.url);
    const forwarding = call(forwardOptions, env) || {};
    const changed = asForwarded(raw, request, url, forwarding);
    if (changed) return forward(changed);
    // DRF's response, unless it rests on a record of a kind the store does not keep current: a
    // stale record (an owner changed, a permission granted, a user re-activated, a knox expiry
    // refreshed, not yet in the store) may make the edge's answer another than the origin's,
    // on either side of a check (a stale staff flag turns the origin's 403 into the edge's 405).
    // Then the answer must stand for the request as `forwardTo` sends it (`answerStands`).
    const respond = async (step, stepOptions) => {
      const { decision } = step;
      const stale = [...records].filter((kind) => !authoritativeFor(currentKinds, kind));
      if (stale.length > 0) return forward("record-may-be-stale", decision, { records: stale });
      if (!(await answerStands(compiled, raw, url, step, stepOptions, forwarding))) {
        return forward("changed-on-forward", decision);
      }
      return { action: "respond", response: toResponse(decision, request), decision };
    };
    // The object (get_object()'s row) is fetched while authentication's lookups run: independent
    // reads. Only where the object stage can use it: a detail route's handled method, and no
    // query string (a filter parameter, `filterParams`, leaves the lookup to the origin: the core
    // says so, `objectCheck: "filtered"`, and then no object is read at all); and only once the
    // core asks its first lookup, so a request the core forwards before authentication (the
    // origin's middleware decides it: `middleware-renders`) reads nothing. Without a lookup the
    // first step is synchronous work, and `loadObject` alone reads the object if it is needed.
    const route = loadObject ? compiled.route(url.pathname, methodOf(request)) : null;
    let prefetched;
    const mayPrefetch = route && prefetchObject && route.detail && route.action !== null && url.search === "";
    const prefetch = () => {
      if (!mayPrefetch || prefetched !== undefined) return;
      prefetched = Promise.resolve()
        .then(() => prefetchObject({ view: route.view, action: route.action, params: route.params, request, env }))
        .then((value) => ({ value }), (error) => ({ error }));
    };
    const prefetching = {};
    for (const [kind, fn] of Object.entries(perRequest)) {
      prefetching[kind] = (...args) => {
        prefetch();
        return fn(...args);
      };
    }
    const first = await compiled.checkRequest(raw, mayPrefetch ? { ...base, resolvers: prefetching } : base);
    if (first === null) return forward("no-route");
    const undecided = undecidedReason(first, original);
    if (undecided) return forward(undecided.reason, null, undecided.lookup ? { lookup: undecided.lookup } : {});
    let { decision } = first;
    if (decision.respond) return respond(first, base);
    if (!decision.allowed) return forward("origin-renders", decision);
    // "filtered": the object is not used (the origin's filter backends decide the lookup).
    if (decision.objectCheck !== "pending") return forward("allowed", decision);
    if (!loadObject || route === null) return forward("object-pending", decision);

    // The object stage: get_object() as the view would run it, then has_object_permission, with
    // DRF's request.user: the record the resolver returned, or simplejwt's TokenUser.
    const user = requestUser(first, original);
    // simplejwt's TokenUser comes back JSON-parsed: a pk beyond 2^53 is rounded there, and a
    // loader scoping its queryset by it could miss the row. The origin decides.
    if (user && Number.isInteger(user.id) && !Number.isSafeInteger(user.id)) return forward("object-pending", decision);
    let loaded;
    let timer;
    try {
      const load = (async () => {
        let fetched;
        if (prefetched !== undefined) {
          const { value, error } = await prefetched;
          if (error !== undefined) throw error;
          fetched = value;
        }
        return loadObject({ view: route.view, action: route.action, params: route.params, request, env, user, prefetched: fetched });
      })();
      const bound = new Promise((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
      });
      loaded = await Promise.race([load, bound]);
    } catch (error) {
      log("lookup-error", `loadObject failed: ${error && error.name}: ${error && error.message}`);
      return forward("lookup-error", decision);
    } finally {
      clearTimeout(timer);
    }
    if (loaded === TIMED_OUT) {
      log("lookup-timeout", "loadObject took longer than the guard's time bound");
      return forward("lookup-timeout", decision);
    }
    // undefined: this loader does not know; the origin decides the object stage. NOT_FOUND is
    // DRF's 404 only from an authoritative store.
    if (loaded === NOT_FOUND && authoritativeFor(isAuthoritative, "object")) loaded = null;
    if (loaded === undefined || loaded === UNKNOWN || loaded === NOT_FOUND) return forward("object-pending", decision);
    // An integer beyond 2^53 as a JS number (an owner's pk read with JSON.parse) may be rounded:
    // comparing it with the user could deny where DRF allows. The origin decides.
    if (loaded !== LOOKUP_ERROR && hasRoundedInteger(loaded)) return forward("object-pending", decision);
    const objectOptions = loaded === LOOKUP_ERROR ? { lookupError: true } : { object: loaded };
    // A row (not a miss, not a malformed lookup value): the object stage rests on it.
    if (loaded !== LOOKUP_ERROR && loaded !== null) records.add("object");
    const second = await compiled.checkRequest(raw, { ...base, ...objectOptions });
    if (second === null) return forward("object-pending", decision);
    const again = undecidedReason(second, original);
    if (again) return forward(again.reason, decision);
    decision = second.decision;
    if (decision.respond) return respond(second, { ...base, ...objectOptions });
    return forward(decision.allowed ? "allowed" : "origin-renders", decision);
  }

  return async function guard(request, env, ctx) {
    try {
      return await decide(request, env, ctx);
    } catch (error) {
      // The guard could not decide (a policy that does not compile, a bug): the origin can.
      log("guard-error", `${error && error.name}: ${error && error.message}`);
      return forward("guard-error", null, { error });
    }
  };
}

/**
 * Whether an answer stands at the origin's host: the core reads the `Host` header, the origin
 * (`USE_X_FORWARDED_HOST`) reads `X-Forwarded-Host`, which `forwardTo` sets to the URL's host. They
 * differ for a `Host` the URL normalises (`LOCALHOST:80` is `localhost`) and under Miniflare's
 * `dispatchFetch` (the URL given, `Host` the loopback's): then the answer stands only if the
 * request at the URL's host gets the same one (the lookups are answered from the first check).
 */
async function answerStands(current, raw, url, step, options, forwardOptions) {
  const host = raw.headers.host;
  if (host === undefined || host === url.host || forwardOptions.forwardedHeaders === false) return true;
  const other = await current.checkRequest({ ...raw, host: url.host }, options);
  const a = step.decision;
  const b = other && !other.forward && !other.body ? other.decision : null;
  return b !== null && a.status === b.status && a.body === b.body && a.respond === b.respond
    && JSON.stringify(a.headers) === JSON.stringify(b.headers);
}

// Whether a loaded object holds an integer JavaScript cannot hold exactly (beyond 2^53, as a
// number); bounded by the object's size (each value once, cycles skipped).
function hasRoundedInteger(root) {
  const seen = new Set();
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "number") {
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) return true;
    } else if (value !== null && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      for (const item of Array.isArray(value) ? value : Object.values(value)) stack.push(item);
    }
  }
  return false;
}

// The core's forward step, named after what caused it (a timeout, a failing store, a miss).
function undecidedReason(step, original) {
  if (step.forward) {
    const { reason, lookup } = step.forward;
    if (reason === "unknown-lookup") {
      const seen = original(lookup);
      return { reason: seen && seen.trouble ? seen.trouble : "unknown-lookup", lookup };
    }
    return lookup ? { reason, lookup } : { reason };
  }
  if (step.body) return { reason: "body-unread" };
  return null;
}

// DRF's request.user after authentication: the resolver's own record for the lookup that
// authenticated, simplejwt's TokenUser (built by the core from the claims), or null (anonymous).
function requestUser(step, original) {
  if (!step.authentication || !("succeeded" in step.authentication)) return null;
  const seen = step.userLookup ? original(step.userLookup) : null;
  if (seen && seen.value && typeof seen.value === "object") return seen.value;
  return step.user ?? null;
}

// Hop-by-hop headers (RFC 9110 7.6.1) and what a proxy must not pass on.
const HOP_BY_HOP = new Set([
  "connection", "keep-alive", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "expect",
  "proxy-connection", "proxy-authenticate", "proxy-authorization", "host", "content-length",
]);
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
// Errors that mean no byte of the request reached the origin (safe to retry any method once).
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);
const DEFAULT_FORWARD_TIMEOUT_MS = 30_000;
// Bodies up to this size are read before sending, so a failed attempt can be retried.
const DEFAULT_BUFFER_BYTES = 1024 * 1024;

function proxyError(status, detail) {
  return new Response(JSON.stringify({ detail }), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function errorCode(error) {
  for (let e = error, depth = 0; e && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === "string") return e.code;
  }
  return null;
}

/** The client's address as the runtime knows it: Cloudflare's `CF-Connecting-IP`. */
function defaultClientIp(request) {
  return request.headers.get("cf-connecting-ip");
}

/** The names a request's `Connection` header lists (RFC 9110 7.6.1: dropped on forward). */
function connectionNames(request) {
  return new Set((request.headers.get("connection") || "").split(",").map((name) => name.trim().toLowerCase()).filter(Boolean));
}

/**
 * The headers `forwardTo` sends the origin (one rule for both `forwardTo` and the guard, which
 * decides on the request as the origin will see it): the request's, less hop-by-hop ones and
 * those `Connection` names; `X-Forwarded-For` appended, `-Proto` and `-Host` set from the URL.
 */
function forwardHeaders(request, url, options = {}) {
  const headers = new Headers();
  const named = connectionNames(request);
  request.headers.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || name.startsWith("proxy-") || named.has(name)) return;
    headers.append(name, value);
  });
  const added = forwardedValues(request, url, options);
  if (added) {
    for (const [name, value] of Object.entries(added)) if (value !== null) headers.set(name, value);
  }
  return headers;
}

/** The X-Forwarded-* values `forwardTo` sets (`null`: not set), or `null` when it sets none. */
function forwardedValues(request, url, { forwardedHeaders = true, clientIp = defaultClientIp } = {}) {
  if (!forwardedHeaders) return null;
  const ip = call(clientIp, request);
  const prior = request.headers.get("x-forwarded-for");
  return {
    "x-forwarded-for": ip ? (prior ? `${prior}, ${ip}` : ip) : null,
    "x-forwarded-proto": url.protocol.replace(/:$/, ""),
    "x-forwarded-host": url.host,
  };
}

/**
 * Behind a Worker the origin answers the request as `forwardTo` sends it, so that request is the
 * edge's reference. Where it differs from the client's in what the core reads, the guard
 * forwards (`"changed-on-forward"`): a header `Connection` names (dropped), a client's
 * `X-Forwarded-Proto` other than the URL's scheme (replaced). Otherwise the lines `forwardTo`
 * adds are added to `raw` (they count toward the servers' header limits). The host: see
 * `answerStands`.
 */
function asForwarded(raw, request, url, options) {
  for (const name of connectionNames(request)) {
    if (!HOP_BY_HOP.has(name) && request.headers.get(name) !== null) return "changed-on-forward";
  }
  if (options.forwardedHeaders === false) return null;
  const proto = request.headers.get("x-forwarded-proto");
  const scheme = url.protocol.replace(/:$/, "");
  if (proto !== null && proto !== scheme) return "changed-on-forward";
  const added = forwardedValues(request, url, options);
  raw.headers["x-forwarded-host"] = added["x-forwarded-host"];
  if (added["x-forwarded-for"] !== null) raw.headers["x-forwarded-for"] = added["x-forwarded-for"];
  // An absent X-Forwarded-Proto reaches the origin as the URL's scheme; over http that reads as
  // its absence does (not secure), over https it is left out here: the core's rule for a
  // dropped empty line (`secure_may_differ_behind`) stays as it is.
  if (proto === null && scheme === "http") raw.headers["x-forwarded-proto"] = scheme;
  return null;
}

/**
 * The request, sent on to `origin` (a base URL) as a reverse proxy sends it: same method, path,
 * query and body; hop-by-hop headers dropped; `X-Forwarded-For` (appended), `-Proto` and
 * `-Host` (set) for the origin's `SECURE_PROXY_SSL_HEADER` / `USE_X_FORWARDED_HOST`. Never
 * throws: an origin that cannot be reached answers `502`, one that does not answer within
 * `timeout` ms answers `504` (a small JSON body, no internals). Retries once what is safe to
 * retry: idempotent methods, and any request that never reached the origin.
 *
 * ```js
 * return forwardTo(env.ORIGIN, request, { timeout: 10_000 });
 * ```
 */
export async function forwardTo(origin, request, options = {}) {
  const {
    forwardedHeaders = true, clientIp = defaultClientIp, timeout = DEFAULT_FORWARD_TIMEOUT_MS, retries = 1,
    bufferBytes = DEFAULT_BUFFER_BYTES, fetch: fetchImpl = globalThis.fetch, log = defaultLog,
  } = options;
  const url = new URL(request.url);
  let target;
  try {
    target = new URL(origin);
  } catch {
    log("forward-error", "the origin URL is not valid");
    return proxyError(502, "Bad gateway.");
  }
  // Set, not resolved: a path such as `//x/` must stay a path.
  target.pathname = url.pathname;
  target.search = url.search;
  const method = methodOf(request);

  const headers = forwardHeaders(request, url, { forwardedHeaders, clientIp });

  // The body with its length: WSGI servers (runserver, gunicorn's sync workers) read no chunked
  // request body. A large body of known length is streamed with its Content-Length; a small one
  // (up to `bufferBytes`) or one of unknown length (chunked) is read first, so that it carries a
  // length and can be sent again. GET and HEAD carry none.
  let body = null;
  let replayable = true;
  const hasBody = request.body !== null && method !== "GET" && method !== "HEAD";
  const declared = (request.headers.get("content-length") || "").trim();
  if (hasBody) {
    if (/^\d+$/.test(declared) && Number(declared) > bufferBytes) {
      body = request.body;
      headers.set("content-length", declared);
      replayable = false;
    } else {
      body = await request.arrayBuffer();
    }
  }

  for (let attempt = 0; ; attempt++) {
    const signal = AbortSignal.timeout(timeout);
    try {
      const init = { method: request.method, headers, body, redirect: "manual", signal };
      if (body instanceof ReadableStream) init.duplex = "half";
      return await fetchImpl(target, init);
    } catch (error) {
      const code = errorCode(error);
      const timedOut = signal.aborted || (error && (error.name === "TimeoutError" || error.name === "AbortError"));
      if (timedOut) {
        log("forward-timeout", `the origin did not answer ${method} ${url.pathname} within ${timeout} ms`);
        return proxyError(504, "Gateway timeout.");
      }
      const safe = replayable && (IDEMPOTENT.has(method) || NOT_SENT.has(code));
      if (attempt < retries && safe) continue;
      log("forward-error", `${method} ${url.pathname}: ${(error && error.name) || "Error"}${code ? ` (${code})` : ""}`);
      return proxyError(502, "Bad gateway.");
    }
  }
}

/**
 * Wraps a `fetch` handler: DRF's denials are answered here, everything else goes to `handler`
 * (or, without one, to `env.ORIGIN` through `forwardTo`).
 *
 * ```js
 * export default { fetch: withGuard(null, { policy, resolvers }) };
 * ```
 */
export function withGuard(handler, options = {}) {
  const guard = typeof options === "function" ? options : createGuard(options);
  const forwardOptions = typeof options === "function" ? {} : options.forward || {};
  return async function fetchWithGuard(request, env, ctx) {
    const result = await guard(request, env, ctx);
    if (result.action === "respond") return result.response;
    if (typeof handler === "function") return handler(request, env, ctx, result);
    if (handler && typeof handler.fetch === "function") return handler.fetch(request, env, ctx, result);
    const origin = env && env.ORIGIN;
    if (!origin) return proxyError(502, "Bad gateway.");
    return forwardTo(origin, request, call(forwardOptions, env) || {});
  };
}
