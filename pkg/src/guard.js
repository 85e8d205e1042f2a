// drf-gate/guard: a DRF API guarded at the edge (Cloudflare Workers, Node 18+, any Fetch runtime).
//
// `createGuard(options)` returns `guard(request, env, ctx)`, which decides a Fetch `Request` as
// the DRF server would (authentication -> permission classes -> object permissions) and either
// builds DRF's exact denial as a `Response` or says why the request should go on to the origin.
// `withGuard(handler, options)` wraps a plain `fetch` handler with it.

// The package itself, by name: each runtime gets its own build (workerd, Node, browser) through
// the package's `exports` conditions, exactly as the application's own `import "drf-gate"` does.
import { Gate } from "drf-gate";
import { toRawRequest } from "./raw-request.js";

/** Returned by `loadObject` when the URL's lookup value does not fit the field (a bare 404). */
export const LOOKUP_ERROR = Symbol.for("drf-gate.lookupError");

const USER_KINDS = new Set(["token", "basic", "session", "userById", "remoteUser", "custom"]);

function call(value, ...args) {
  return typeof value === "function" ? value(...args) : value;
}

// Resolvers for one request: each lookup runs once (checkRequest may replay, and the object stage
// asks again), and the user that authenticated is remembered for `loadObject`.
function requestResolvers(resolvers) {
  const cache = new Map();
  const seen = { user: null };
  const wrapped = {};
  for (const kind of Object.keys(resolvers || {})) {
    const fn = resolvers[kind];
    if (typeof fn !== "function") continue;
    wrapped[kind] = (...args) => {
      const key = kind === "custom" ? null : JSON.stringify([kind, ...args]);
      if (key !== null && cache.has(key)) return cache.get(key);
      const pending = Promise.resolve(fn.apply(resolvers, args)).then((value) => {
        // Authentication stops at the first class that returns a user (or raises): when it
        // succeeded, the last user a resolver returned is `request.user`.
        if (USER_KINDS.has(kind) && value && typeof value === "object" && !value.failure) seen.user = value;
        return value;
      });
      if (key !== null) cache.set(key, pending);
      return pending;
    };
  }
  return { resolvers: wrapped, seen };
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
  const { policy, gate: givenGate, resolvers, loadObject, now, headersDecodedAsUtf8 } = options;
  if (!givenGate && policy === undefined) throw new TypeError("createGuard: give `policy` or `gate`");
  if (loadObject !== undefined && typeof loadObject !== "function") {
    throw new TypeError("createGuard: `loadObject` must be a function");
  }
  let gate = givenGate ?? null;
  // A policy that needs the environment (a signing key from a secret) is compiled on first use.
  const gateFor = (env) => {
    if (gate === null) gate = new Gate(call(policy, env));
    return gate;
  };

  return async function guard(request, env, ctx) {
    const current = gateFor(env);
    const { resolvers: perRequest, seen } = requestResolvers(call(resolvers, env, ctx, request));
    const at = call(now);
    const base = { resolvers: perRequest, ...(at === undefined ? {} : { now: at }) };

    const raw = await toRawRequest(request, { headersDecodedAsUtf8 });
    if (raw === null) return { action: "forward", decision: null, reason: "origin-renders" };
    const first = await current.checkRequest(raw, base);
    if (first === null) return { action: "forward", decision: null, reason: "no-route" };
    // The core cannot be certain (a lookup not known here, a body too large to read): the origin decides.
    if (first.forward) return { action: "forward", decision: null, reason: first.forward.reason };
    let { decision } = first;
    if (decision.respond) return { action: "respond", response: toResponse(decision, request), decision };
    if (!decision.allowed) return { action: "forward", decision, reason: "origin-renders" };
    if (decision.objectCheck !== "pending") return { action: "forward", decision, reason: "allowed" };
    if (!loadObject) return { action: "forward", decision, reason: "object-pending" };

    // The object stage: get_object() as the view would run it, then has_object_permission.
    const route = current.route(new URL(request.url).pathname, methodOf(request));
    if (route === null) return { action: "forward", decision, reason: "object-pending" };
    const loaded = await loadObject({
      view: route.view,
      action: route.action,
      params: route.params,
      request,
      env,
      user: first.authentication && "succeeded" in first.authentication ? seen.user : null,
    });
    // undefined: this loader does not know; the origin decides the object stage.
    if (loaded === undefined) return { action: "forward", decision, reason: "object-pending" };
    const objectOptions = loaded === LOOKUP_ERROR ? { lookupError: true } : { object: loaded };
    const second = await current.checkRequest(raw, { ...base, ...objectOptions });
    if (second === null || second.forward) return { action: "forward", decision, reason: "object-pending" };
    decision = second.decision;
    if (decision.respond) return { action: "respond", response: toResponse(decision, request), decision };
    return { action: "forward", decision, reason: decision.allowed ? "allowed" : "origin-renders" };
  };
}

/** The request, sent on to `origin` (a base URL): same method, path, query, headers and body. */
export async function forwardTo(origin, request) {
  const url = new URL(request.url);
  const target = new URL(origin);
  // Set, not resolved: a path such as `//x/` must stay a path.
  target.pathname = url.pathname;
  target.search = url.search;
  const method = methodOf(request);
  const hasBody = request.body !== null && method !== "GET" && method !== "HEAD";
  // The body is sent with its length: WSGI servers (Django's runserver, gunicorn's sync workers)
  // read no chunked request bodies. Redirects go back to the client as the origin sent them.
  const body = hasBody ? await request.arrayBuffer() : null;
  return fetch(target, { method: request.method, headers: request.headers, body, redirect: "manual" });
}

/**
 * Wraps a `fetch` handler: DRF's denials are answered here, everything else goes to `handler`
 * (or, without one, to `env.ORIGIN`).
 *
 * ```js
 * export default { fetch: withGuard(null, { policy, resolvers }) };
 * ```
 */
export function withGuard(handler, options = {}) {
  const guard = typeof options === "function" ? options : createGuard(options);
  return async function fetchWithGuard(request, env, ctx) {
    const result = await guard(request, env, ctx);
    if (result.action === "respond") return result.response;
    if (typeof handler === "function") return handler(request, env, ctx, result);
    if (handler && typeof handler.fetch === "function") return handler.fetch(request, env, ctx, result);
    const origin = env && env.ORIGIN;
    if (!origin) throw new Error("drf-gate withGuard: no handler and no env.ORIGIN to forward to");
    return forwardTo(origin, request);
  };
}
