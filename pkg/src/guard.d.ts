import type { Decision, Gate, JsonValue, Policy, RawRequest, ResolvedUser, Resolvers } from "./index.js";

/** Returned by `loadObject` when the URL's lookup value does not fit the field (a bare 404). */
export declare const LOOKUP_ERROR: unique symbol;
/**
 * Returned by a resolver (or `loadObject`): no such row, for certain. Honoured only when the
 * guard's `authoritative` option covers that lookup; otherwise the request is forwarded.
 */
export declare const NOT_FOUND: unique symbol;
/** Returned by a resolver: not known here (as `undefined` and `null` are): the request is forwarded. */
export declare const UNKNOWN: unique symbol;

/** What a guard resolver answers: the record, `NOT_FOUND`, or "unknown" (`UNKNOWN`, `null`, `undefined`). */
export type Found<T> = T | typeof NOT_FOUND | typeof UNKNOWN | null | undefined;
type Answer<T> = Found<T> | Promise<Found<T>>;

/** The guard's user lookups (a throw or a timeout counts as unknown). */
export interface GuardResolvers {
  /** TokenAuthentication: the token's user. */
  token?(key: string): Answer<ResolvedUser>;
  /** BasicAuthentication: the user these credentials authenticate (Django's `authenticate()`). */
  basic?(username: string, password: string): Answer<ResolvedUser>;
  /** SessionAuthentication: the session's user. */
  session?(sessionKey: string): Answer<ResolvedUser>;
  /** CSRF_USE_SESSIONS: the CSRF secret stored in the session. */
  sessionCsrfSecret?(sessionKey: string): Answer<string>;
  /** JWTAuthentication: the user whose `field` equals the token's user id claim. */
  userById?(field: string, id: JsonValue | bigint): Answer<ResolvedUser>;
  /** RemoteUserAuthentication. */
  remoteUser?(name: string): Answer<ResolvedUser>;
  /** A custom class: a user, `NOT_FOUND` (`authenticate` returned None), or `{ failure }` (it raised). */
  custom?(className: string, request: RawRequest): Answer<ResolvedUser | { failure: { exception?: string; detail: JsonValue; code?: string | null } }>;
}

/**
 * The lookup kinds `authoritative` and `recordsCurrent` may name (`object`: `loadObject`'s
 * `NOT_FOUND`, or its row).
 */
export type LookupKind = keyof GuardResolvers | "object";

/** Why a request goes on to the origin. */
export type ForwardReason =
  /** DRF lets it through (every check drf-gate can make passed). */
  | "allowed"
  /** The view stage passed; the object stage (`get_object()`, `has_object_permission`) is the origin's. */
  | "object-pending"
  /** No route of the policy matches the URL. */
  | "no-route"
  /**
   * Only the Django server can answer: a 500 from a failing condition, a request whose header
   * bytes the runtime did not keep (not valid UTF-8, in workerd), or a value with whitespace at an
   * end that only some of Django's servers strip (VT, FF, \x1c-\x1f, NEL, NBSP).
   */
  | "origin-renders"
  /** A resolver did not know the token, session or user (not an authoritative "no such row"). */
  | "unknown-lookup"
  /**
   * DRF's answer rests on a record (a resolver's user or row, `loadObject`'s object) of a kind
   * `recordsCurrent` does not declare current: a stale one may make it another than the origin's.
   */
  | "record-may-be-stale"
  /** A resolver or `loadObject` threw. */
  | "lookup-error"
  /** The request's lookups took longer than `lookupTimeout`. */
  | "lookup-timeout"
  /** The CSRF check needs a body longer than the edge reads. */
  | "body-too-large"
  /** More headers, or longer ones, than the usual servers pass to Django (their own 400/431). */
  | "headers-beyond-server-limits"
  /** A header the decision reads was also sent spelt with `_` for `-` (`X_CSRFToken`): WSGI drops it, ASGI keeps it. */
  | "ambiguous-header-name"
  /** A header the decision reads holds ", ": Fetch joins repeated lines with ", ", Django's servers with ",". */
  | "joined-header"
  /**
   * A cookie the decision reads is the `Cookie` header's first pair of a raw request that says
   * `emptyHeadersDropped`: an empty `Cookie:` line before it (dropped before the caller saw it,
   * joined with "," by Django's servers) renames it for Django. Not given by the guard: workerd
   * drops the line before the Worker runs, and the origin behind it never sees it.
   */
  | "dropped-cookie-line"
  /** `HasAPIKey`: the key's row has an older hash (the package re-hashes and saves it on success). */
  | "api-key-legacy-hash"
  /** `HasAPIKey`: `API_KEY_CUSTOM_HEADER` names a `request.META` entry that is not a header. */
  | "api-key-not-visible"
  /** The query string has more fields than `DATA_UPLOAD_MAX_NUMBER_FIELDS` (Django's own 400). */
  | "query-beyond-field-limit"
  /** Django cannot build the request from its `Content-Type` (an RFC 2231 charset Python does not know: the server's 500). */
  | "content-type-unparsable"
  /**
   * The origin's middleware makes every response to the request its own, whoever the user is
   * (a host `ALLOWED_HOSTS` refuses, `SECURE_SSL_REDIRECT` over http, a malformed `csrftoken`
   * cookie): known from the request alone, so no resolver, `prefetchObject` or `loadObject` ran.
   */
  | "middleware-renders"
  /**
   * The request as `forwardTo` sends it differs from the client's in what the decision reads:
   * a header `Connection` names (dropped), a client's `X-Forwarded-Proto` other than the URL's
   * scheme (replaced), a `Host` other than the URL's host (sent as `X-Forwarded-Host`) where the
   * answer turns on it. The origin answers the former.
   */
  | "changed-on-forward"
  /** The guard itself failed (a policy that does not compile, ...): logged, forwarded. */
  | "guard-error";

export type GuardResult =
  | { action: "respond"; response: Response; decision: Decision }
  | {
      action: "forward";
      decision: Decision | null;
      reason: ForwardReason;
      lookup?: { kind: string; [key: string]: unknown };
      /** `record-may-be-stale`: the kinds whose records the answer rested on, not declared current. */
      records?: LookupKind[];
      error?: unknown;
    };

/** What `loadObject` is told about the request. */
export interface LoadObjectArgs<Env = any> {
  view: string;
  /** The action (`retrieve`, `destroy`, `publish`, ...). */
  action: string | null;
  /** The URL's parameters (`pk`), percent-decoded. */
  params: { [name: string]: string };
  request: Request;
  env: Env;
  /**
   * DRF's `request.user`: the record the authenticating resolver returned, simplejwt's
   * `TokenUser` (`tokenUser: true`, claims in `attributes`), or `null` for an anonymous request.
   */
  user: ResolvedUser | null;
  /** What `prefetchObject` returned, when it is given. */
  prefetched?: unknown;
}

/**
 * The object `get_object()` would return (from KV, a cache, the origin's API): `null` for a
 * lookup miss (DRF's 404), `LOOKUP_ERROR` for a malformed lookup value (a bare 404), `undefined`
 * to leave the object stage to the origin.
 */
export type LoadObject<Env = any> = (
  args: LoadObjectArgs<Env>,
) => JsonValue | typeof LOOKUP_ERROR | typeof NOT_FOUND | undefined | Promise<JsonValue | typeof LOOKUP_ERROR | typeof NOT_FOUND | undefined>;

export interface GuardOptions<Env = any> {
  /** The policy, or a function of `env` (compiled once, on the first request). */
  policy?: Policy | string | ((env: Env) => Policy | string);
  /** A compiled `Gate` instead of `policy`. */
  gate?: Gate;
  /** The user lookups, or a function of `env`, `ctx` and the request that makes them. */
  resolvers?: GuardResolvers | Resolvers | ((env: Env, ctx: any, request: Request) => GuardResolvers | Resolvers);
  /**
   * Whether the resolvers' store is authoritative (holds every row the database holds), so their
   * `NOT_FOUND` is "no such row": `true`, the lookup kinds it holds for, or a function of `env`.
   * Default `false`: every miss is forwarded.
   */
  authoritative?: boolean | LookupKind[] | ((env: Env, ctx: any, request: Request) => boolean | LookupKind[] | Promise<boolean | LookupKind[]>);
  /**
   * For which kinds the store's *records* are current: every change is written to it before the
   * change is visible to clients, and a record being changed reads as unknown (a pending mark).
   * `true`, the lookup kinds it holds for, or a function of `env`. Default `false`: an answer
   * (a denial, a 405, a 404 from the object stage) that rests on any record the resolvers or
   * `loadObject` returned is forwarded (`record-may-be-stale`); answers that used no record
   * (anonymous, malformed or invalid credentials, authoritative misses) are still given.
   */
  recordsCurrent?: boolean | LookupKind[] | ((env: Env, ctx: any, request: Request) => boolean | LookupKind[] | Promise<boolean | LookupKind[]>);
  /** The time bound (ms) on one request's lookups, past which it is forwarded; default 1000. */
  lookupTimeout?: number | ((env: Env) => number);
  /**
   * Starts fetching the object while authentication's lookups run; its value reaches
   * `loadObject` as `prefetched`. Asked only for a detail route's handled method without a query
   * string (a query may carry a filter parameter, `filterParams`, which leaves the lookup to the
   * origin), and only once the core asks its first lookup (a request it forwards before
   * authentication reads nothing): otherwise `loadObject` alone is asked, once the core says the
   * object stage needs it.
   */
  prefetchObject?: (args: Omit<LoadObjectArgs<Env>, "user" | "prefetched">) => unknown;
  /** Where forward reasons are logged (default `console.warn`). */
  log?: (reason: string, message: string) => void;
  /**
   * `forwardTo`'s options (or a function of `env` making them), for `withGuard(null, ...)`; the
   * guard also decides on the request as `forwardTo` sends it with them (the origin's view).
   */
  forward?: ForwardOptions | ((env: Env) => ForwardOptions);
  /**
   * Loads the object for the object stage; without it the origin decides that stage. Asked only
   * when the core's decision waits for the object (`objectCheck: "pending"`): never for a
   * denial, a list, or a request carrying one of the view's `filterParams`.
   */
  loadObject?: LoadObject<Env>;
  /** Seconds since the epoch (JWT expiry), or a function returning them; default: now. */
  now?: number | (() => number);
  /**
   * Whether the runtime decoded header values as UTF-8 (workerd does; default: true in workerd).
   * The guard turns them back into the bytes Django reads, and leaves to the origin a request
   * whose header bytes were lost (not valid UTF-8).
   */
  headersDecodedAsUtf8?: boolean;
}

export type Guard<Env = any> = (request: Request, env?: Env, ctx?: any) => Promise<GuardResult>;

/**
 * Builds `guard(request, env, ctx)`: DRF's decision for a Fetch `Request`, as a `Response` to
 * send or a reason to forward.
 *
 * ```js
 * const guard = createGuard({ policy, resolvers: (env) => ({ token: (key) => env.TOKENS.get(key, "json") }) });
 * const result = await guard(request, env, ctx);
 * if (result.action === "respond") return result.response;
 * ```
 */
export declare function createGuard<Env = any>(options: GuardOptions<Env>): Guard<Env>;

/** DRF's response for a decision: status, exact body, headers; an empty body for HEAD. */
export declare function toResponse(decision: Decision, request?: Request | RawRequest): Response;

export interface ForwardOptions {
  /** Set `X-Forwarded-For` (appended), `-Proto` and `-Host` (default true). */
  forwardedHeaders?: boolean;
  /** The client's address for `X-Forwarded-For` (default: `CF-Connecting-IP`). */
  clientIp?: (request: Request) => string | null | undefined;
  /** Milliseconds before answering 504 (default 30000). */
  timeout?: number;
  /** Retries of what is safe to retry (default 1). */
  retries?: number;
  /** Bodies up to this many bytes are read first so they can be retried (default 1 MiB). */
  bufferBytes?: number;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Where failures are logged (default `console.warn`). */
  log?: (reason: string, message: string) => void;
}

/**
 * Sends `request` on to `origin` (a base URL) as a reverse proxy does: hop-by-hop headers dropped,
 * `X-Forwarded-*` set, the body with its length. Never throws: `502`/`504` with a small JSON body.
 */
export declare function forwardTo(origin: string | URL, request: Request, options?: ForwardOptions): Promise<Response>;

export type FetchHandler<Env = any> = (request: Request, env: Env, ctx: any, result: GuardResult) => Response | Promise<Response>;

/**
 * A `fetch` handler that answers DRF's denials and passes the rest to `handler`, or (when
 * `handler` is `null`) to `env.ORIGIN`.
 *
 * ```js
 * export default { fetch: withGuard(null, { policy, resolvers }) };
 * ```
 */
export declare function withGuard<Env = any>(
  handler: FetchHandler<Env> | { fetch: FetchHandler<Env> } | null | undefined,
  options: GuardOptions<Env> | Guard<Env>,
): (request: Request, env: Env, ctx?: any) => Promise<Response>;
