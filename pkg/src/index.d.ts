/// <reference lib="esnext.disposable" />
// drf-gate's public types (hand-written; the build copies this file to dist/index.d.ts and makes
// the CommonJS twin dist/index.d.cts). The wasm-bindgen exports behind `Gate` are internal and
// have no declarations.

export { PolicyError, ContextError, NotInitializedError, type PolicyErrorCode, type ContextErrorCode } from "./errors.js";

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };
/**
 * JSON whose integers may also be `bigint`s, written as their exact digits: an id beyond
 * `Number.MAX_SAFE_INTEGER` (a Number would round `9007199254740993` to `9007199254740992`,
 * another row). Exact within the 64-bit range, as the core reads JSON integers.
 */
export type ExactJsonValue =
  | string | number | bigint | boolean | null | readonly ExactJsonValue[] | { readonly [key: string]: ExactJsonValue };

/**
 * A DRF project's configuration, compiled once by `new Gate(policy)` (docs/policy.md §1).
 * Keys are camelCase; unknown keys are rejected with a `PolicyError`.
 */
export interface Policy {
  /** A JSON-schema reference, ignored (lets editors validate the file). */
  $schema?: string;
  /** DEFAULT_AUTHENTICATION_CLASSES; default `["session", "basic"]`. */
  authentication?: readonly string[];
  /** DEFAULT_PERMISSION_CLASSES; default `["AllowAny"]`. Entries are expressions (`"A | ~B"`). */
  permissions?: readonly string[];
  /** DEFAULT_RENDERER_CLASSES; default `["JSONRenderer", "BrowsableAPIRenderer"]` (content negotiation, `Vary: Accept`). */
  renderers?: readonly string[];
  /** The project's own authentication classes, by name. */
  authenticationClasses?: { readonly [name: string]: AuthenticationClassDeclaration };
  /** The project's own permission classes, by name. */
  classes?: { readonly [name: string]: PermissionClassDeclaration };
  /** Options of the authentication classes (edge authentication; docs/policy.md §5). */
  settings?: AuthenticationSettings;
  /** Views and viewsets, by name. */
  views?: { readonly [name: string]: ViewDeclaration };
  /** URL routes to views, as DRF's routers map them (docs/policy.md §1.6). */
  routes?: readonly RouteDeclaration[];
  /** Views an exporter left to the origin server (informational). */
  leftToOrigin?: readonly JsonValue[];
}

/** A custom authentication class: its `authenticate_header`, or a built-in base with options. */
export interface AuthenticationClassDeclaration {
  base?: string;
  /** What `authenticate_header` returns; `null`: none (failures are 403). */
  wwwAuthenticate?: string | null;
  /** `TokenAuthentication.keyword`. */
  keyword?: string;
  /** `www_authenticate_realm`. */
  realm?: string;
}

/** A custom permission class (docs/policy.md §1.3), or a composition (`expression`). */
export interface PermissionClassDeclaration {
  base?: string;
  hasPermission?: string;
  hasObjectPermission?: string;
  /** A string, or a JSON object/array that becomes the whole body. */
  message?: string | JsonObject | readonly JsonValue[];
  code?: string;
  permsMap?: { readonly [method: string]: readonly string[] };
  authenticatedUsersOnly?: boolean;
  /** Instead of the keys above: `"IsOwner | IsAdminUser"`. */
  expression?: string;
}

/** A DRF view or viewset. */
export interface ViewDeclaration {
  /** `queryset.model` as `app_label.ObjectName`. */
  model?: string;
  authentication?: readonly string[];
  permissions?: readonly string[];
  /** `renderer_classes`. */
  renderers?: readonly string[];
  /** Default: the six ModelViewSet actions. */
  actions?: readonly string[] | { readonly [action: string]: ActionDeclaration };
  ignoreModelPermissions?: boolean;
  /** `throttle_classes` set: its 405s, lookup 404s and object-stage answers are left to the origin (which may answer 429). */
  throttled?: boolean;
  /** `get_queryset()`'s filter, a condition over `obj` and `request`: outside it, `get_object()` is a 404. */
  queryset?: string;
  /** The query parameters `filter_backends` read, by prefix: a raw request carrying one leaves the lookup and object stages to the origin. */
  filterParams?: readonly string[];
  /** `http_method_names`, in order: orders `Allow`, limits which methods reach a handler. */
  httpMethodNames?: readonly string[];
}

/** One action of a view (`@action(...)` or a standard one with overrides). */
export interface ActionDeclaration {
  methods?: readonly string[];
  detail?: boolean;
  /** Whether the handler calls `get_object()` (runs object permissions). */
  getObject?: boolean;
  permissions?: readonly string[];
  /** Custom actions: the classes for requests on the route that do not run this action (default: `permissions`). */
  routePermissions?: readonly string[];
  authentication?: readonly string[];
  /** Actions naming the same route share it (a plain APIView's handlers). */
  route?: string;
}

/** A URL route: `{ pattern: "/api/posts/{pk}/", view: "posts", detail: true }`. */
export interface RouteDeclaration {
  /** `{name}` matches a segment without `/` or `.`; `{name:int}`, `{name:str}`, `{name:slug}`, `{name:uuid}` match what Django's converters match (docs/policy.md). */
  pattern: string;
  view: string;
  detail?: boolean;
  action?: string | null;
  /** The router's method -> action map. */
  actions?: { readonly [method: string]: string | undefined };
  regex?: string | null;
}

/** What `gate.route(urlPath, method?)` found. */
export interface RouteMatch<View extends string = string> {
  view: View;
  action: string | null;
  detail: boolean;
  /** URL parameters (`pk`), percent-decoded. */
  params: { readonly [name: string]: string };
}

/** `request.user` as JSON (docs/policy.md §2). */
export interface User {
  id?: number | string | null;
  username?: string | null;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  /** Model permissions, `"app_label.codename"`. */
  permissions?: readonly string[];
  /** Object permissions: for the checked object, or by object pk. */
  objectPermissions?: readonly string[] | { readonly [pk: string]: readonly string[] } | null;
  /** simplejwt's `TokenUser`: `has_perm(s)` always False. */
  tokenUser?: boolean;
  /** Other fields, read by conditions as `request.user.<name>`. */
  attributes?: JsonObject;
}

/**
 * A user record as a resolver answers it: a `User` whose `id` may also be a `bigint`, the exact
 * pk beyond `Number.MAX_SAFE_INTEGER` (`userById` is given such an id as a `bigint`; a record read
 * with `JSON.parse` has lost it, and the edge then forwards rather than decide as another user).
 */
export type ResolvedUser = Omit<User, "id"> & { id?: number | string | bigint | null };

/** What authentication produced. */
export type AuthenticationOutcome =
  | { succeeded: string }
  | { none: boolean }
  | {
      failed: {
        exception?: "AuthenticationFailed" | "PermissionDenied" | "ParseError";
        detail: JsonValue;
        code?: string | null;
      };
    };

/**
 * One request as DRF sees it after authentication (docs/policy.md §2). `View` and `Action` are
 * the policy's names when the `Gate` knows its policy's type (see `Gate`).
 */
export interface Context<View extends string = string, Action extends string = string> {
  view: View;
  action?: Action | null;
  method?: string | null;
  detail?: boolean | null;
  /** `null` or absent: anonymous. Its `id` may be a `bigint` (exact beyond 2^53). */
  user?: ResolvedUser | null;
  authentication?: AuthenticationOutcome | null;
  /**
   * What `get_object()` returns; `null` is a lookup miss (404); absent: not decided here.
   * Integers may be `bigint`s (an owner's pk beyond 2^53, exact).
   */
  object?: ExactJsonValue;
  /** The URL's lookup value does not fit the field: a bare 404. */
  lookupError?: boolean;
  /** The `Accept` header: DRF negotiates before authentication (406, `indent`). */
  accept?: string | null;
  /** Include the evaluation trace. */
  trace?: boolean;
}

/** One evaluated check of the trace. */
export interface TraceStep {
  stage: Stage;
  entry: number;
  depth: number;
  /** A class name, or `&`, `|`, `~`. */
  label: string;
  check: "has_permission" | "has_object_permission";
  result: "true" | "false" | "raisedNotFound" | "raisedMethodNotAllowed" | "error";
}

/** Where in DRF's pipeline the decision was made. */
export type Stage = "negotiation" | "authentication" | "view" | "handler" | "lookup" | "object" | "middleware";

/** Options of the authentication classes: DRF's, simplejwt's `SIMPLE_JWT`, Django's CSRF. */
export interface AuthenticationSettings {
  token?: { keyword?: string };
  basic?: { realm?: string };
  session?: {
    cookieName?: string;
    cookieDomain?: string | null;
    /**
     * `SESSION_ENGINE` (default `"django.contrib.sessions.backends.db"`). Under an engine that keeps
     * no database rows (a signed cookie, the cache) the edge forwards a session its resolver misses.
     */
    engine?: string;
  };
  remoteUser?: {
    header?: string;
    /** `RemoteUserBackend.create_unknown_user` (default true, as Django's): DRF creates a user the resolver misses, so the edge forwards it. */
    createUnknownUser?: boolean;
  };
  jwt?: {
    /** One of these; any string type-checks, so an exported `policy.json` is a `Policy`. */
    algorithm?: "HS256" | "HS384" | "HS512" | "RS256" | "RS384" | "RS512" | "ES256" | "ES384" | (string & {});
    /** The HMAC secret (HS*); never ship it to browsers. */
    signingKey?: string | null;
    /** PEM public key or JWK (RS*, ES*). */
    verifyingKey?: string | JsonObject | null;
    audience?: string | readonly string[] | null;
    issuer?: string | readonly string[] | null;
    leeway?: number;
    authHeaderTypes?: string | readonly string[];
    authHeaderName?: string;
    userIdClaim?: string;
    userIdField?: string;
    /**
     * The kind of model field `userIdField` is (the exporter writes it): a claim the field cannot
     * take (`"12"` for a UUID pk, `"abc"` for an integer) is DRF's 500, so the edge forwards
     * instead of answering `userById`'s not-found as 401. Default: `"integer"` for `id`/`pk`,
     * `"text"` for any other field.
     */
    userIdKind?: "integer" | "uuid" | "text";
    tokenTypeClaim?: string | null;
    jtiClaim?: string | null;
    authTokenClasses?: readonly string[];
    checkUserIsActive?: boolean;
    realm?: string;
  };
  csrf?: {
    cookieName?: string;
    /** The META name, as Django's setting (`HTTP_X_CSRFTOKEN`). */
    headerName?: string;
    trustedOrigins?: readonly string[];
    cookieDomain?: string | null;
    useSessions?: boolean;
    /** ALLOWED_HOSTS; `null`: any well-formed host. */
    allowedHosts?: readonly string[] | null;
  };
}

/** A raw HTTP request as plain data (or pass a Fetch `Request` to `checkRequest`). */
export interface RawRequest {
  method: string;
  url?: string;
  path?: string;
  /** Header values carry ISO-8859-1 characters, as HTTP bytes. */
  headers?: { readonly [name: string]: string };
  cookies?: { readonly [name: string]: string };
  secure?: boolean;
  host?: string;
  /** `SERVER_PORT` (CSRF's Referer check with a cookie domain): the origin server's own port. Unstated, a check that turns on it is left to the origin (`respond: false`); the `Host` header's port is never taken for it. */
  port?: string;
  body?: string;
  bodyBase64?: string;
  contentType?: string;
  /** Extra WSGI environ entries (`REMOTE_USER`). */
  meta?: { readonly [name: string]: string };
  /**
   * Header lines with an empty value were dropped before you read the request, yet reached
   * Django (the client's own bytes go on to the origin): an absent header may have been sent
   * empty, so a decision it could change is left to the origin. Not for a Worker's requests:
   * workerd drops those lines before the Worker runs, and the origin behind it never sees them.
   *
   * ```js
   * await gate.checkRequest({ method: "POST", url, headers, emptyHeadersDropped: true }, { resolvers });
   * ```
   */
  emptyHeadersDropped?: boolean;
}

/** A django-rest-knox `AuthToken` row, as `Resolvers.knoxToken` returns it. */
export interface KnoxTokenRow {
  user: ResolvedUser;
  /** `expiry` in seconds since the epoch, a Date, or null (the token never expires). */
  expiry: number | Date | null;
}

/** A djangorestframework-api-key row, as `Resolvers.apiKey` returns it. */
export interface ApiKeyRow {
  /** `hashed_key` (`sha512$$<hex>`; any other hasher is checked by the origin: the request is forwarded). */
  hashedKey: string;
  /** `revoked` (a revoked key is not usable). */
  revoked?: boolean;
  /** `expiry_date` in seconds since the epoch, a Date, or null (the key never expires). */
  expiry?: number | Date | null;
}

/** Looks users up for the authentication classes; each may return a Promise in `checkRequest`. */
export interface Resolvers {
  /** TokenAuthentication: the token's user, or null. */
  token?(key: string): ResolvedUser | null | undefined | Promise<ResolvedUser | null | undefined>;
  /** BasicAuthentication: the user these credentials authenticate (Django's `authenticate()`), or null. */
  basic?(username: string, password: string): ResolvedUser | null | undefined | Promise<ResolvedUser | null | undefined>;
  /** SessionAuthentication: the session's user, or null. */
  session?(sessionKey: string): ResolvedUser | null | undefined | Promise<ResolvedUser | null | undefined>;
  /** CSRF_USE_SESSIONS: the CSRF secret stored in the session. */
  sessionCsrfSecret?(sessionKey: string): string | null | undefined | Promise<string | null | undefined>;
  /** JWTAuthentication: the user whose `field` equals the token's user id claim. */
  userById?(field: string, id: JsonValue | bigint): ResolvedUser | null | undefined | Promise<ResolvedUser | null | undefined>;
  /** RemoteUserAuthentication. */
  remoteUser?(name: string): ResolvedUser | null | undefined | Promise<ResolvedUser | null | undefined>;
  /**
   * django-rest-knox's TokenAuthentication: the `AuthToken` row with this `digest` (its primary
   * key) and `token_key`: its user and `expiry` (seconds since the epoch, a Date, or null), or null.
   */
  knoxToken?(digest: string, tokenKey: string): KnoxTokenRow | null | undefined | Promise<KnoxTokenRow | null | undefined>;
  /**
   * djangorestframework-api-key's `HasAPIKey` (asked at the permission stage, only when DRF runs
   * the class): the row of `model` (`app_label.ModelName`) whose `prefix` is this one, revoked or
   * not, or null. drf-gate verifies the key and the expiry itself.
   */
  apiKey?(model: string, prefix: string): ApiKeyRow | null | undefined | Promise<ApiKeyRow | null | undefined>;
  /** A custom class: a user, null (`authenticate` returned None), or `{ failure }` (it raised). */
  custom?(className: string, request: RawRequest): ResolvedUser | { failure: { exception?: string; detail: JsonValue; code?: string | null } } | null | undefined | Promise<ResolvedUser | { failure: { exception?: string; detail: JsonValue; code?: string | null } } | null | undefined>;
}

/** Options of `checkRequest`: where the request goes, what is known of its object, and who resolves users. */
export interface CheckRequestOptions<View extends string = string, Action extends string = string> {
  /** The view; default: found from the URL by the policy's `routes`. */
  view?: View;
  action?: Action;
  detail?: boolean;
  /** The object (`null`: lookup miss); absent: the object stage is left to the server. */
  object?: JsonValue;
  lookupError?: boolean;
  trace?: boolean;
  /** `?format=`; default: read from the request URL. */
  format?: string;
  /** Seconds since the epoch (JWT expiry); default now. */
  now?: number;
  resolvers?: Resolvers;
}

/** What `checkRequest` decided, and what authentication produced. */
export interface RequestDecision {
  decision: Decision;
  authentication: AuthenticationOutcome | null;
}

/** A masked CSRF token (what Django puts in forms) and its secret (the `csrftoken` cookie). */
export interface MintedCsrfToken {
  /** 64 characters: send it as `X-CSRFToken` or `csrfmiddlewaretoken`. */
  token: string;
  /** 32 characters: the cookie value. */
  secret: string;
  /** Whether `secret` was newly made (no secret was given). */
  newSecret: boolean;
}

/** What DRF would answer (docs/policy.md §3). */
export interface Decision {
  allowed: boolean;
  /** Whether to send this response (a DRF JSON denial); false: let the request go on to the server. */
  respond: boolean;
  /** 200 when allowed; otherwise DRF's status. */
  status: number;
  /** The exact response body DRF sends; `""` when allowed. */
  body: string;
  /** The response headers (`Content-Type`, `WWW-Authenticate`, `Allow`); none when allowed. */
  headers: { [name: string]: string };
  /** The exception's code (not in the body, as with DRF's default handler). */
  code: string | null;
  stage: Stage;
  /** The permission-list entry that denied, if one did. */
  decidedBy: { entry: number; source: string } | null;
  /** `filtered`: the request carries a filter parameter (`filterParams`): the origin's lookup decides, an object is not used. */
  objectCheck: "notRequired" | "pending" | "passed" | "failed" | "notReached" | "filtered";
  /** The evaluation trace, when the context asked for it. */
  trace: TraceStep[] | null;
  /** Why a check failed to evaluate (status 500), for the developer. */
  error: string | null;
}

/**
 * A user compiled against one `Gate` (see `gate.subject(user)`): pass it wherever a user goes.
 * Only `gate.subject()` makes one; free it with `subject.free()` or `using` when done (the
 * garbage collector frees it otherwise).
 *
 * ```js
 * using me = gate.subject({ id: 3 });
 * gate.can(me, "posts", "update", post);
 * ```
 */
export declare class Subject {
  private constructor();
  /** Frees the compiled user now; later checks with it throw `ContextError`. */
  free(): void;
  [Symbol.dispose](): void;
}

/** Who asks: a user object, a `Subject` from `gate.subject()`, or `null`/`undefined` (anonymous). */
export type UserArg = User | Subject | null | undefined;

/** The HTTP methods `can` takes besides action names (any upper-case token is accepted at run time). */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "TRACE";

/** The actions of a view without `actions`: ModelViewSet's six. */
export type StandardAction = "list" | "create" | "retrieve" | "update" | "partial_update" | "destroy";

/** DRF's permission classes that every policy knows by name. */
export type BuiltinPermissionClass =
  | "AllowAny"
  | "IsAuthenticated"
  | "IsAdminUser"
  | "IsAuthenticatedOrReadOnly"
  | "DjangoModelPermissions"
  | "DjangoModelPermissionsOrAnonReadOnly"
  | "DjangoObjectPermissions";

// P is only ever the checked side of a conditional (`P["views"] extends infer Vs`), never its
// `extends` side: that keeps `Gate<typeof literal>` assignable to `Gate`.
type ActionNames<A> = A extends readonly (infer N)[] ? N : A extends object ? keyof A : never;
type ActionsOf<D> = D extends { readonly actions?: infer A }
  ? undefined extends A
    ? StandardAction | Exclude<ActionNames<A>, undefined>
    : ActionNames<A>
  : StandardAction;

/** The view names of a policy type (`string` when the policy is not known at compile time). */
export type ViewName<P extends Policy = Policy> = P["views"] extends infer Vs
  ? string extends keyof NonNullable<Vs>
    ? string
    : Extract<keyof NonNullable<Vs>, string>
  : never;

/** The action names of one view of a policy type (`string` when not known at compile time). */
export type ActionName<P extends Policy = Policy, V extends string = ViewName<P>> = P["views"] extends infer Vs
  ? string extends keyof NonNullable<Vs>
    ? string
    : V extends keyof NonNullable<Vs>
      ? Extract<ActionsOf<NonNullable<Vs>[V]>, string>
      : never
  : never;

/** `can`'s view, action-or-method and object arguments: each view with its own actions. */
export type CanArguments<P extends Policy = Policy> = {
  [V in ViewName<P>]: [view: V, actionOrMethod: ActionName<P, V> | HttpMethod, object?: object | null];
}[ViewName<P>];

/** A `Context` naming one of the policy's views and one of that view's actions. */
export type ContextFor<P extends Policy = Policy> = { [V in ViewName<P>]: Context<V, ActionName<P, V>> }[ViewName<P>];

/** `CheckRequestOptions` naming one of the policy's views and one of that view's actions. */
export type CheckRequestOptionsFor<P extends Policy = Policy> = {
  [V in ViewName<P>]: CheckRequestOptions<V, ActionName<P, V>>;
}[ViewName<P>];

/** The permission class names of a policy type: DRF's built-in ones and the policy's `classes`. */
export type PermissionClassName<P extends Policy = Policy> = P["classes"] extends infer C
  ? string extends keyof NonNullable<C>
    ? string
    : BuiltinPermissionClass | Extract<keyof NonNullable<C>, string>
  : never;

/**
 * A compiled, immutable DRF policy: permission classes, authentication classes and views.
 * Build one per policy and reuse it; every decision is a cheap read of it.
 *
 * When the policy's type is known at compile time (an object literal, `as const`, or a typed
 * policy module), view and action names are literal types and a typo fails `tsc`:
 *
 * ```ts
 * const gate = new Gate({ views: { posts: { actions: ["list", "destroy"] } } });
 * gate.can(null, "posts", "destroy"); // ok
 * gate.can(null, "posts", "destory"); // error: not an action of "posts"
 * ```
 */
export declare class Gate<const P extends Policy = Policy> {
  /**
   * Compiles a policy, given as an object or as JSON text. Throws `PolicyError` (`code`, `path`,
   * and `line`/`column` inside JSON text or an expression) when the policy is invalid.
   */
  constructor(policy: P | string | Uint8Array | ArrayBuffer);
  /**
   * The compiled form of this policy (`npx drf-gate compile` does the same): what the browser
   * runtime (`drf-gate/runtime`) loads, with no policy compiler in its .wasm. Pass it to
   * `new Gate(bytes)` anywhere. Throws in `drf-gate/runtime` itself (it has no compiler).
   */
  toCompiled(): Uint8Array;
  /**
   * What DRF would answer to one request: status, exact body, headers, and which check decided.
   * Throws `ContextError` when the context is malformed or names an unknown view or action.
   * Ids beyond 2^53 are exact as `bigint`s in the context, or in the context's JSON text (a
   * string: `drfgate_check`'s cases as Python wrote them; not in `drf-gate/runtime`, which
   * reads no JSON).
   */
  check(context: ContextFor<P> | string): Decision;
  /**
   * Whether `user` may run `actionOrMethod` (an action of the view such as `"destroy"`, or an
   * HTTP method such as `"DELETE"`: an upper-case token) on `view`, and on `object` when given
   * (object permissions). Throws `ContextError` (`unknown_view`, `unknown_action`) for names the
   * policy does not have.
   */
  can(user: UserArg, ...target: CanArguments<P>): boolean;
  /** Every action of `view` mapped to whether `user` may run it. */
  permissionsFor<V extends ViewName<P>>(user: UserArg, view: V, object?: object | null): Record<ActionName<P, V>, boolean>;
  /** Compiles a user once against this gate, for many checks (a page full of buttons). */
  subject(user: User | null | undefined): Subject;
  /** The view names of the policy, in policy order. */
  readonly views: ViewName<P>[];
  /** The actions of a view, in policy order; `undefined` for an unknown view. */
  actions<V extends ViewName<P>>(view: V): ActionName<P, V>[] | undefined;
  /**
   * The route a URL path reaches, from the policy's `routes`; `null` when no route matches. With
   * `method`, `action` is the action that method runs there (DRF's router map; `null`: none).
   */
  route(urlPath: string, method?: string): RouteMatch<ViewName<P>> | null;
  /**
   * Decides a raw request (a Fetch `Request` or plain data) as the DRF server would, running
   * the view's authentication classes. `null`: not DRF's to answer here (no route of the policy
   * matches the URL, or the runtime lost header bytes DRF reads). Edge build only (Node, workerd,
   * `drf-gate/web-edge`): the core build (`drf-gate/web`, the browser default) rejects with an
   * `Error` whose `code` is `"needs_edge_build"`.
   *
   * ```js
   * const result = await gate.checkRequest(request, { resolvers: { token: (key) => env.TOKENS.get(key, "json") } });
   * if (result?.decision.respond) return new Response(result.decision.body, result.decision);
   * ```
   */
  checkRequest(request: Request | RawRequest, options?: CheckRequestOptionsFor<P>): Promise<RequestDecision | null>;
  /** `checkRequest` for plain request data and synchronous resolvers. */
  checkRequestSync(request: RawRequest, options?: CheckRequestOptionsFor<P>): RequestDecision | null;
  /** Frees the compiled policy now; later calls throw `ContextError`. */
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * A masked CSRF token as Django makes them, accepted by Django's `CsrfViewMiddleware`. With
 * `secret` (the `csrftoken` cookie's value) the token masks that secret; without, a new secret
 * is made too. Edge build only: the core build (`drf-gate/web`) throws an `Error` with `code`
 * `"needs_edge_build"`.
 */
export declare function mintCsrfToken(secret?: string | null): MintedCsrfToken;

/** What `init` accepts: the .wasm's URL, its bytes, a `Response`, or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;
/** What `initSync` accepts: the .wasm's bytes or a compiled module. */
export type SyncInitInput = BufferSource | WebAssembly.Module;
/** The instantiated module's exports (its `memory`, for measurements). */
export interface InitOutput {
  readonly memory: WebAssembly.Memory;
}

/**
 * Loads the .wasm (by default fetched next to the glue). Only `drf-gate/web-edge` needs it:
 * every other entry point is ready when its import resolves, where `init()` is a no-op kept for
 * code written for earlier versions. A call made too early throws `NotInitializedError`.
 */
export declare function init(
  moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
/** `init`, synchronously, from the .wasm's bytes or a compiled module. */
export declare function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;
export default init;
