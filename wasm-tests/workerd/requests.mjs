// The request set sent both straight to DRF and through the Worker: users × credentials ×
// methods × routes, valid and broken credentials of every kind the sample project accepts.
import { createHmac, randomBytes } from "node:crypto";

export const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "FOO"];
export const USERS = ["admin", "alice", "bob", "carol", "dave", "ghost"]; // ghost: the inactive user

// Every route of the blog API, with objects that exist, are hidden (post 2 is alice's draft), are
// missing, or cannot be looked up.
export const ALL_ROUTES = [
  "/api/posts/", "/api/posts/1/", "/api/posts/2/", "/api/posts/3/", "/api/posts/999/", "/api/posts/abc/",
  "/api/posts/1/publish/", "/api/posts/2/publish/", "/api/posts/3/publish/",
  "/api/comments/", "/api/comments/1/", "/api/tags/", "/api/tags/1/", "/api/tags/x/",
  "/api/me/", "/api/reports/posts/", "/api/reports/posts/2/", "/api/health/", "/api/", "/api/nope/",
];
// For the many broken credentials: list, detail, publish, comments, tags, me.
export const SOME_ROUTES = ["/api/posts/", "/api/posts/1/", "/api/posts/2/publish/", "/api/comments/1/", "/api/tags/", "/api/me/"];

const b64url = (data) => Buffer.from(data).toString("base64url");

/**
 * A JWT as simplejwt makes them (HS*, `user_id` as a string), with any claim overridden. Valid
 * for a day (not the sample's 15 minutes): it must not expire during a slow run.
 */
export function mintJwt(key, claims, { alg = "HS256", sign = true } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg, typ: "JWT" }));
  const payload = b64url(JSON.stringify({
    token_type: "access", exp: now + 86400, iat: now, jti: randomBytes(16).toString("hex"),
    iss: "https://blog.example.com", ...claims,
  }));
  const input = `${header}.${payload}`;
  if (!sign) return `${input}.`;
  const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[alg];
  return `${input}.${createHmac(hash, key).update(input).digest("base64url")}`;
}

/** Every credential as request headers: `[label, headers]`. */
export function credentials({ kv, signingKey, mintCsrfToken }) {
  const c = kv.credentials;
  const { token: csrf, secret } = mintCsrfToken();
  const list = [["anonymous", {}]];
  for (const user of USERS) {
    list.push([`${user} Token`, { authorization: `Token ${c[user].token}` }]);
    list.push([`${user} JWT`, { authorization: `Bearer ${c[user].jwt}` }]);
    list.push([`${user} session+CSRF`, { cookie: `sessionid=${c[user].session}; csrftoken=${secret}`, "x-csrftoken": csrf }]);
    list.push([`${user} session, no CSRF`, { cookie: `sessionid=${c[user].session}` }]);
  }
  const alice = String(c.alice.id);
  const now = Math.floor(Date.now() / 1000);
  list.push(
    ["invalid Token", { authorization: "Token 0000000000000000000000000000000000000000" }],
    ["Token without key", { authorization: "Token" }],
    ["Token with spaces", { authorization: "Token a b" }],
    ["lowercase token keyword", { authorization: `token ${c.alice.token}` }],
    ["expired JWT", { authorization: `Bearer ${mintJwt(signingKey, { user_id: alice, exp: now - 3600, iat: now - 4500 })}` }],
    ["garbage JWT", { authorization: "Bearer not-a-jwt" }],
    ["wrong-alg JWT (HS512)", { authorization: `Bearer ${mintJwt(signingKey, { user_id: alice }, { alg: "HS512" })}` }],
    ["alg none JWT", { authorization: `Bearer ${mintJwt(signingKey, { user_id: alice }, { alg: "none", sign: false })}` }],
    ["JWT, other key", { authorization: `Bearer ${mintJwt("another-key", { user_id: alice })}` }],
    ["JWT, unknown user", { authorization: `Bearer ${mintJwt(signingKey, { user_id: "999" })}` }],
    ["JWT, no user claim", { authorization: `Bearer ${mintJwt(signingKey, { user_id: undefined })}` }],
    ["refresh JWT", { authorization: `Bearer ${mintJwt(signingKey, { user_id: alice, token_type: "refresh" })}` }],
    ["JWT, wrong issuer", { authorization: `Bearer ${mintJwt(signingKey, { user_id: alice, iss: "https://evil.example" })}` }],
    ["Bearer without token", { authorization: "Bearer" }],
    // Header bytes beyond ASCII (the Fetch API sends each character as one byte): valid UTF-8
    // (workerd decodes it; the guard re-encodes it), and a byte that is not (workerd loses it).
    ["Token, UTF-8 bytes", { authorization: "Token \u00c3\u00a9t\u00c3\u00a9" }],
    ["Token, Latin-1 byte", { authorization: "Token \u00e9t\u00e9" }],
    ["JWT, UTF-8 bytes", { authorization: "Bearer \u00c3\u00a9.\u00c3\u00a9.\u00c3\u00a9" }],
    ["Basic (not configured)", { authorization: `Basic ${Buffer.from("alice:password").toString("base64")}` }],
    ["unknown session", { cookie: `sessionid=nosuchsession0000000000000000000; csrftoken=${secret}`, "x-csrftoken": csrf }],
    ["session, wrong CSRF token", { cookie: `sessionid=${c.alice.session}; csrftoken=${secret}`, "x-csrftoken": "x".repeat(32) }],
    ["session, malformed CSRF token", { cookie: `sessionid=${c.alice.session}; csrftoken=${secret}`, "x-csrftoken": "!" }],
    // The origin's middleware answers these with a Set-Cookie: the edge must forward them.
    ["short session key", { cookie: "sessionid=abc" }],
    ["malformed csrftoken cookie", { cookie: "csrftoken=bad" }],
    ["Token + malformed csrftoken cookie", { authorization: `Token ${c.bob.token}`, cookie: "csrftoken=bad" }],
    ["Token + unknown session", { authorization: `Token ${c.bob.token}`, cookie: "sessionid=nosuchsession0000000000000000000" }],

  );
  return list;
}

// The credentials that go to every route; the others go to SOME_ROUTES.
const EVERYWHERE = new Set(["anonymous", ...USERS.map((u) => `${u} Token`), "alice session+CSRF", "dave JWT", "carol session+CSRF"]);

// Origins a browser may send: allowed by the sample's CORS_ALLOWED_ORIGINS (also as
// urlsplit compares them: scheme lower-cased, netloc exact, path ignored), refused, and
// malformed (urlsplit raises: no CORS headers at all).
export const ORIGINS = [
  "http://localhost:5173", "https://app.blog.example.com", "HTTPS://app.blog.example.com", "http://localhost:5173/x",
  "https://APP.blog.example.com", "http://evil.example", "null", "http://[::1", "https://app.blog.example.com:443", "",
];
const CORS_ROUTES = ["/api/posts/", "/api/posts/1/", "/api/posts/2/publish/", "/api/me/", "/api/nope/", "/api/health/", "/static/x.css", "/api"];

/** CORS preflights (OPTIONS + Origin + Access-Control-Request-Method) and cross-origin requests. */
export function corsRequests(options) {
  const c = options.kv.credentials;
  const set = [];
  for (const origin of ORIGINS) {
    for (const path of CORS_ROUTES) {
      set.push({ label: `preflight from ${JSON.stringify(origin)}: ${path}`, method: "OPTIONS", path,
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
    }
    set.push({ label: `preflight, private network, from ${JSON.stringify(origin)}`, method: "OPTIONS", path: "/api/posts/",
      headers: { origin, "access-control-request-method": "DELETE", "access-control-request-private-network": "true" } });
    set.push({ label: `preflight with a token from ${JSON.stringify(origin)}`, method: "OPTIONS", path: "/api/posts/1/",
      headers: { origin, "access-control-request-method": "GET", authorization: `Token ${c.alice.token}` } });
    for (const [who, headers] of [["anonymous", {}], ["dave Token", { authorization: `Token ${c.dave.token}` }],
      ["bob JWT", { authorization: `Bearer ${c.bob.jwt}` }], ["alice session, no CSRF", { cookie: `sessionid=${c.alice.session}` }],
      ["invalid Token", { authorization: "Token 0000000000000000000000000000000000000000" }]]) {
      for (const [method, path] of [["GET", "/api/posts/2/"], ["POST", "/api/posts/"], ["DELETE", "/api/posts/1/"], ["POST", "/api/posts/1/publish/"],
        ["GET", "/api/me/"], ["OPTIONS", "/api/posts/"], ["FOO", "/api/posts/"]]) {
        const withBody = method === "POST";
        set.push({
          label: `cross-origin from ${JSON.stringify(origin)}, ${who}: ${method} ${path}`,
          method, path,
          headers: { ...headers, origin, ...(withBody ? { "content-type": "application/json" } : {}) },
          body: withBody ? JSON.stringify({ title: "x", body: "x" }) : undefined,
        });
      }
    }
  }
  return set;
}

/**
 * Header lines sent with an empty value: workerd drops those of the headers it knows before the
 * Worker sees them, where Django sees them (an empty `Accept:` is DRF's 406, an empty CSRF token
 * header "has incorrect length", an empty `Origin:` fails the Origin check). The Worker must
 * answer or forward as the origin does behind it: run.mjs judges every request with an empty
 * value by the origin's answer through a forwarding Worker (the request as workerd forwards it).
 */
export function emptyLineRequests(options) {
  const all = Object.fromEntries(credentials(options));
  const session = all["alice session+CSRF"];
  const set = [];
  const who = [["anonymous", {}], ["alice Token", all["alice Token"]], ["alice session+CSRF", session]];
  for (const name of ["accept", "authorization", "cookie", "user-agent", "referer", "origin", "x-csrftoken", "content-type"]) {
    for (const [label, headers] of who) {
      for (const [method, path] of [["GET", "/api/posts/"], ["POST", "/api/posts/"], ["DELETE", "/api/posts/1/"]]) {
        const withBody = method === "POST";
        set.push({
          label: `${label}, empty ${name}: ${method} ${path}`,
          method, path, emptyLine: true,
          headers: { ...(withBody ? { "content-type": "application/json" } : {}), ...headers, [name]: "" },
          body: withBody ? JSON.stringify({ title: "From the edge", body: "x" }) : undefined,
        });
      }
    }
  }
  return set;
}

/** The request set: `{ label, method, path, headers, body }`, in a fixed order. */
export function requestSet(options) {
  const set = [...corsRequests(options), ...emptyLineRequests(options)];
  for (const [who, headers] of credentials(options)) {
    const routes = EVERYWHERE.has(who) ? ALL_ROUTES : SOME_ROUTES;
    for (const path of routes) {
      for (const method of METHODS) {
        const withBody = ["POST", "PUT", "PATCH"].includes(method);
        set.push({
          label: `${who}: ${method} ${path}`,
          method,
          path,
          headers: withBody ? { ...headers, "content-type": "application/json" } : headers,
          body: withBody ? JSON.stringify({ title: "From the edge", body: "x", name: "edge", post: 1 }) : undefined,
        });
      }
    }
  }
  return set;
}
