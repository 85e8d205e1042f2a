import type { Decision, Gate, JsonValue, Policy, RawRequest, Resolvers, User } from "./index.js";

/** Returned by `loadObject` when the URL's lookup value does not fit the field (a bare 404). */
export declare const LOOKUP_ERROR: unique symbol;

/** Why a request goes on to the origin. */
export type ForwardReason =
  /** DRF lets it through (every check drf-gate can make passed). */
  | "allowed"
  /** The view stage passed; the object stage (`get_object()`, `has_object_permission`) is the origin's. */
  | "object-pending"
  /** No route of the policy matches the URL. */
  | "no-route"
  /**
   * Only the Django server can answer: a 500 from a failing condition, or a request whose header
   * bytes the runtime did not keep (not valid UTF-8, in workerd).
   */
  | "origin-renders";

export type GuardResult =
  | { action: "respond"; response: Response; decision: Decision }
  | { action: "forward"; decision: Decision | null; reason: ForwardReason };

/** What `loadObject` is told about the request. */
export interface LoadObjectArgs<Env = any> {
  view: string;
  /** The action (`retrieve`, `destroy`, `publish`, ...). */
  action: string | null;
  /** The URL's parameters (`pk`), percent-decoded. */
  params: { [name: string]: string };
  request: Request;
  env: Env;
  /** `request.user` (what the resolver returned); `null` for an anonymous request. */
  user: User | null;
}

/**
 * The object `get_object()` would return (from KV, a cache, the origin's API): `null` for a
 * lookup miss (DRF's 404), `LOOKUP_ERROR` for a malformed lookup value (a bare 404), `undefined`
 * to leave the object stage to the origin.
 */
export type LoadObject<Env = any> = (
  args: LoadObjectArgs<Env>,
) => JsonValue | typeof LOOKUP_ERROR | undefined | Promise<JsonValue | typeof LOOKUP_ERROR | undefined>;

export interface GuardOptions<Env = any> {
  /** The policy, or a function of `env` (compiled once, on the first request). */
  policy?: Policy | string | ((env: Env) => Policy | string);
  /** A compiled `Gate` instead of `policy`. */
  gate?: Gate;
  /** The user lookups, or a function of `env`, `ctx` and the request that makes them. */
  resolvers?: Resolvers | ((env: Env, ctx: any, request: Request) => Resolvers);
  /** Loads the object for the object stage; without it the origin decides that stage. */
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

/** Sends `request` on to `origin` (a base URL), keeping method, path, query, headers and body. */
export declare function forwardTo(origin: string | URL, request: Request): Promise<Response>;

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
