// drf-gate/guard in Node: certainty (unknown -> forward, authoritative not-found -> DRF's
// answer), failing and slow stores, bodies read only when a check needs them and judged as Django
// judges them (vectors recorded from real Django: tests/authentication_vectors/bodies.json),
// DRF's request.user for loadObject, and forwardTo as a reverse proxy (hop-by-hop headers,
// X-Forwarded-*, 502/504 without internals, safe retries).
//
//   node --test wasm-tests/workerd/guard.test.mjs      (after bash scripts/build.sh and bash scripts/npm-install.sh)
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { test } from "node:test";

import { Gate } from "drf-gate";
import { createGuard, forwardTo, NOT_FOUND, UNKNOWN, withGuard } from "drf-gate/guard";

import { here } from "./drf.mjs";

// JSON Lines: one top-level key per line; `cases[]` lines are the cases, in order.
const vectors = { cases: [] };
for (const line of readFileSync(join(here, "..", "..", "tests", "authentication_vectors", "bodies.jsonl"), "utf8").split("\n")) {
  if (!line.trim()) continue;
  for (const [key, value] of Object.entries(JSON.parse(line))) {
    if (key === "cases[]") vectors.cases.push(value);
    else vectors[key] = value;
  }
}
const SIGNING_KEY = "edge-test-key";
const policy = {
  authentication: ["session", "token"],
  permissions: ["IsAuthenticated"],
  classes: {
    IsOwner: { hasObjectPermission: "obj.owner == request.user" },
    // simplejwt's TokenUser equals only another TokenUser: compare its id.
    IsOwnerById: { hasObjectPermission: "obj.owner == request.user.id" },
  },
  settings: { jwt: { signingKey: SIGNING_KEY } },
  views: {
    posts: {},
    notes: { authentication: ["jwtStateless"], permissions: ["IsAuthenticated", "IsOwnerById"] },
    uploads: { authentication: ["session"] },
  },
  routes: [
    { pattern: "/api/posts/", view: "posts" },
    { pattern: "/api/posts/{pk}/", view: "posts", detail: true },
    { pattern: "/api/notes/{pk}/", view: "notes", detail: true },
    { pattern: "/api/uploads/", view: "uploads" },
  ],
};
const alice = { id: 1, username: "alice" };

const b64url = (data) => Buffer.from(data).toString("base64url");
function jwt(claims) {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify({ token_type: "access", exp: 4102444800, iat: 1700000000, jti: "j", ...claims }));
  return `${head}.${body}.${createHmac("sha256", SIGNING_KEY).update(`${head}.${body}`).digest("base64url")}`;
}

const quiet = () => {};
const get = (path, headers = {}) => new Request(`https://api.example.com${path}`, { headers });

test("a lookup the store does not know is forwarded, never denied", async () => {
  for (const answer of [undefined, null, UNKNOWN, NOT_FOUND]) {
    const guard = createGuard({ policy, log: quiet, resolvers: { token: async () => answer } });
    const result = await guard(get("/api/posts/", { Authorization: "Token new" }));
    assert.equal(result.action, "forward", String(answer));
    assert.equal(result.reason, "unknown-lookup");
  }
});

test("an authoritative store's NOT_FOUND is DRF's answer", async () => {
  const guard = createGuard({ policy, authoritative: true, resolvers: { token: async () => NOT_FOUND } });
  const result = await guard(get("/api/posts/", { Authorization: "Token gone" }));
  assert.equal(result.action, "respond");
  // SessionAuthentication is first: no WWW-Authenticate, so DRF answers 403.
  assert.equal(result.response.status, 403);
  assert.equal(await result.response.text(), '{"detail":"Invalid token."}');
  // Authoritative for some kinds only.
  const partial = createGuard({ policy, authoritative: ["session"], log: quiet, resolvers: { token: async () => NOT_FOUND } });
  assert.equal((await partial(get("/api/posts/", { Authorization: "Token gone" }))).reason, "unknown-lookup");
});

test("a failing or slow store forwards within the time bound", async () => {
  const logged = [];
  const failing = createGuard({ policy, log: (reason) => logged.push(reason), resolvers: { token: async () => { throw new Error("KV down"); } } });
  const result = await failing(get("/api/posts/", { Authorization: "Token t" }));
  assert.deepEqual([result.action, result.reason], ["forward", "lookup-error"]);
  assert.deepEqual(logged, ["lookup-error"]);

  const slow = createGuard({
    policy, log: quiet, lookupTimeout: 50,
    resolvers: { token: () => new Promise((resolve) => setTimeout(() => resolve(alice), 2000).unref()) },
  });
  const started = performance.now();
  const late = await slow(get("/api/posts/", { Authorization: "Token t" }));
  assert.deepEqual([late.action, late.reason], ["forward", "lookup-timeout"]);
  assert.ok(performance.now() - started < 1000, "forwarded at the time bound");
});

test("a guard that cannot decide forwards (no 500)", async () => {
  const guard = createGuard({ policy: () => { throw new Error("bad policy"); }, log: quiet });
  const result = await guard(get("/api/posts/"));
  assert.deepEqual([result.action, result.reason], ["forward", "guard-error"]);
});

// A request body that counts how often it is read.
function countingRequest(path, { method = "POST", headers = {}, body }) {
  const counter = { pulls: 0 };
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  // highWaterMark 0: nothing is pulled until someone reads.
  const stream = new ReadableStream({
    pull(controller) {
      counter.pulls++;
      controller.enqueue(bytes);
      controller.close();
    },
  }, { highWaterMark: 0 });
  // Plain HTTP: a secure request would need a Referer for the CSRF check.
  const request = new Request(`http://api.example.com${path}`, { method, headers, body: stream, duplex: "half" });
  return { request, counter };
}

const sessions = { session: async (key) => (key === "s1" ? alice : NOT_FOUND), sessionCsrfSecret: async () => NOT_FOUND };
const csrfCookie = `csrftoken=${vectors.secret}; sessionid=s1`;

test("the body is read only when a check needs it", async () => {
  const guard = createGuard({
    policy, authoritative: true, log: quiet,
    resolvers: { ...sessions, token: async (key) => (key === "good" ? alice : NOT_FOUND) },
  });
  const form = { "Content-Type": "application/x-www-form-urlencoded" };
  // Django's CSRF check reads request.POST on every POST (the header is only its fallback), so a
  // session POST has its body read even with X-CSRFToken; a PATCH never does.
  const cases = [
    ["token auth", "POST", { ...form, Authorization: "Token good" }, false],
    ["session PATCH + CSRF header", "PATCH", { ...form, Cookie: csrfCookie, "X-CSRFToken": vectors.token }, false],
    ["no session", "POST", { ...form }, false],
    ["session POST + CSRF header", "POST", { ...form, Cookie: csrfCookie, "X-CSRFToken": vectors.token }, true],
    ["session POST, token in the form", "POST", { ...form, Cookie: csrfCookie }, true],
  ];
  for (const [label, method, headers, read] of cases) {
    const path = method === "PATCH" ? "/api/posts/1/" : "/api/posts/";
    const { request, counter } = countingRequest(path, { method, headers, body: `csrfmiddlewaretoken=${vectors.token}` });
    const result = await guard(request);
    if (label === "no session") assert.equal(result.action, "respond", label);
    else assert.equal(result.reason, method === "PATCH" ? "object-pending" : "allowed", `${label}: ${result.action} ${result.reason}`);
    assert.equal(counter.pulls > 0, read, label);
    if (!read) assert.equal(request.bodyUsed, false, label);
  }
  // Unrouted paths and safe methods: never.
  const { request, counter } = countingRequest("/about/", { headers: { ...form, Cookie: csrfCookie }, body: "x=1" });
  assert.equal((await guard(request)).reason, "no-route");
  assert.equal(counter.pulls, 0);
});

// A request as workerd hands it to a Worker (a stand-in: Node's Headers trim values): workerd
// keeps a value's trailing spaces and tabs (wasm-tests/workerd/probe-headers.mjs), which
// Django's servers strip.
function asWorkerdSees(method, url, lines) {
  const headers = {
    forEach: (fn) => lines.forEach(([name, value]) => fn(value, name)),
    get: (name) => lines.find(([n]) => n === name.toLowerCase())?.[1] ?? null,
  };
  return { method, url, headers, body: null };
}

test("in workerd, spaces and tabs around a header value are stripped, as Django's servers strip them", async () => {
  const guard = createGuard({ policy, authoritative: true, recordsCurrent: true, log: quiet, resolvers: sessions, headersDecodedAsUtf8: true });
  const lines = (token) => [
    ["accept", "application/json"], ["cookie", `theme=dark; ${csrfCookie}`], ["origin", "http://api.example.com"], ["x-csrftoken", token],
  ];
  // A good token: past the CSRF check (the object stage next), with or without the padding.
  // Leading ones: an obs-fold line after an empty `X-CSRFToken:` reaches the Worker as `   t`.
  for (const token of [vectors.token, `${vectors.token} `, `${vectors.token} \t `, `   ${vectors.token}`, `\t${vectors.token}`]) {
    const result = await guard(asWorkerdSees("PATCH", "http://api.example.com/api/posts/1/", lines(token)));
    assert.equal(result.reason, "object-pending", JSON.stringify(token));
  }
  // Padding inside the value is the value's: DRF's "has incorrect length".
  const inner = await guard(asWorkerdSees("PATCH", "http://api.example.com/api/posts/1/", lines(`${vectors.token} x`)));
  assert.equal(inner.action, "respond");
  assert.match(await inner.response.text(), /has incorrect length/);
});

test("in workerd, a line workerd drops is absent at the origin too: the edge decides the request without it", async () => {
  // workerd drops an empty header line (`Origin:`, `Accept:`, `Cookie:` before the real one)
  // before the Worker runs, and the origin behind the Worker gets the request as the Worker
  // forwards it, without that line (raw-lines.sh): the origin's answer is DRF's answer to the
  // request the Worker sees, which is what a runtime that keeps every line (Node) decides.
  let asked = 0;
  const counted = { ...sessions, session: async (key) => { asked++; return sessions.session(key); } };
  const options = { policy, authoritative: true, recordsCurrent: true, log: quiet };
  const edge = createGuard({ ...options, resolvers: counted, headersDecodedAsUtf8: true });
  const node = createGuard({ ...options, resolvers: sessions });
  const outcome = async (result) => [result.action, result.reason ?? result.response.status, result.action === "respond" ? await result.response.text() : null];
  const decide = async (label, method, path, lines) => {
    asked = 0;
    const url = `http://api.example.com${path}`;
    const got = await outcome(await edge(asWorkerdSees(method, url, lines)));
    assert.deepEqual(got, await outcome(await node(new Request(url, { method, headers: lines }))), `${label}: as in Node`);
    return got;
  };
  const wrong = "A".repeat(64);
  const accept = ["accept", "application/json"];
  // alice's session POST without Origin (plain http: no Referer check): DRF's 403 for a wrong
  // token at the edge, DRF's allow for a good one.
  const denied = await decide("no Origin, wrong token", "POST", "/api/posts/", [accept, ["cookie", `theme=dark; ${csrfCookie}`], ["x-csrftoken", wrong]]);
  assert.deepEqual(denied.slice(0, 2), ["respond", 403]);
  assert.match(denied[2], /^\{"detail":"CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect\."\}$/);
  assert.deepEqual(await decide("no Origin, good token", "POST", "/api/posts/", [accept, ["cookie", `theme=dark; ${csrfCookie}`], ["x-csrftoken", vectors.token]]),
    ["forward", "allowed", null]);
  // Decisions on the Cookie header's first pair (`Cookie:` + `Cookie: sessionid=s1` reaches the
  // Worker and the origin as `sessionid=s1`): alice's session, an unknown one, the CSRF cookie.
  assert.deepEqual(await decide("session alone", "GET", "/api/posts/", [accept, ["cookie", "sessionid=s1"]]), ["forward", "allowed", null]);
  assert.equal(asked, 1, "session alone: the store is asked");
  const unknown = await decide("unknown session alone", "GET", "/api/posts/", [accept, ["cookie", "sessionid=zz"]]);
  assert.deepEqual(unknown.slice(0, 2), ["respond", 403]);
  const csrf = [["origin", "http://api.example.com"], ["x-csrftoken", vectors.token]];
  for (const cookie of [`sessionid=s1; csrftoken=${vectors.secret}`, `csrftoken=${vectors.secret}; sessionid=s1`]) {
    assert.deepEqual(await decide(`DELETE, ${cookie}`, "DELETE", "/api/posts/1/", [accept, ["cookie", cookie], ...csrf]), ["forward", "object-pending", null]);
    const bad = await decide(`DELETE, ${cookie}, wrong token`, "DELETE", "/api/posts/1/", [accept, ["cookie", cookie], csrf[0], ["x-csrftoken", wrong]]);
    assert.deepEqual(bad.slice(0, 2), ["respond", 403]);
  }
  // A body whose `Content-Type:` line was empty (dropped), or never sent: Django's CONTENT_TYPE
  // is the server's choice (runserver: `text/plain`, seen as DRF's 415 behind workerd; gunicorn
  // and uvicorn: `""`): the origin's.
  const typeless = { ...asWorkerdSees("POST", "http://api.example.com/api/posts/", [accept, ["cookie", `theme=dark; ${csrfCookie}`], ["x-csrftoken", vectors.token]]), body: "{}" };
  assert.deepEqual(await outcome(await edge(typeless)), ["forward", "origin-renders", null]);
  // No Accept line (an empty one is dropped): DRF's answer to a request without one.
  assert.deepEqual((await decide("no Accept", "GET", "/api/posts/", [["cookie", "sessionid=zz"]])).slice(0, 2), ["respond", 403]);
});

test("the guard decides on the request as forwardTo sends it (the origin's view), else forwards", async () => {
  // Real workerd in front of runserver (raw-lines.mjs): each of these was answered at the edge
  // otherwise than the origin answers the request the Worker forwards.
  const tokens = { token: (key) => (key === "good" ? alice : NOT_FOUND) };
  const guard = createGuard({ policy, authoritative: true, recordsCurrent: true, log: quiet, resolvers: tokens, headersDecodedAsUtf8: true });
  const base = [["accept", "*/*"], ["host", "localhost"]];
  const decide = (lines, url = "http://localhost/api/posts/") => guard(asWorkerdSees("GET", url, [...base.filter(([n]) => !lines.some(([m]) => m === n)), ...lines]));
  const outcome = (result) => [result.action, result.reason ?? result.response.status];
  // The request as sent: answered (403: SessionAuthentication is the first class) or let through.
  assert.deepEqual(outcome(await decide([["authorization", "Token nope"]])), ["respond", 403]);
  assert.deepEqual(outcome(await decide([["authorization", "Token good"]])), ["forward", "allowed"]);
  // A header Connection names is dropped on forward: the origin never sees the bad token.
  assert.deepEqual(outcome(await decide([["connection", "authorization"], ["authorization", "Token nope"]])), ["forward", "changed-on-forward"]);
  // forwardTo sets X-Forwarded-Proto from the URL: a client's `https` over http is not what the
  // origin reads (DRF's answer would carry Strict-Transport-Security; the origin's does not).
  assert.deepEqual(outcome(await decide([["x-forwarded-proto", "https"], ["authorization", "Token nope"]])), ["forward", "changed-on-forward"]);
  assert.deepEqual(outcome(await decide([["x-forwarded-proto", "http"], ["authorization", "Token nope"]])), ["respond", 403]);
  // X-Forwarded-Host is the URL's host, normalised: `LOCALHOST:80` reaches the origin as
  // `localhost`. An answer that does not turn on the host stands; one that does (CSRF's Origin
  // check: `http://localhost` is not `http://LOCALHOST:80`, but is the origin's host) is the origin's.
  assert.deepEqual(outcome(await decide([["host", "LOCALHOST:80"], ["authorization", "Token nope"]])), ["respond", 403]);
  const sessionGuard = createGuard({ policy, authoritative: true, recordsCurrent: true, log: quiet, resolvers: sessions, headersDecodedAsUtf8: true });
  const csrfLines = (host) => [["accept", "*/*"], ["host", host], ["cookie", `theme=dark; ${csrfCookie}`], ["origin", "http://localhost"], ["x-csrftoken", vectors.token]];
  const patch = (host) => sessionGuard(asWorkerdSees("PATCH", "http://localhost/api/posts/1/", csrfLines(host)));
  assert.deepEqual(outcome(await patch("localhost")), ["forward", "object-pending"]);
  assert.deepEqual(outcome(await patch("LOCALHOST:80")), ["forward", "changed-on-forward"]);
  // The lines forwardTo adds count toward the servers' 100 fields: 97 seen + X-Forwarded-Host,
  // -Proto and -For are 100 + ... past runserver's limit, its 431 (not DRF's 403).
  const many = (n) => Array.from({ length: n }, (_, i) => [`x-p${i}`, "1"]);
  const crowded = [["cf-connecting-ip", "192.0.2.1"], ["authorization", "Token nope"], ...many(95)];
  assert.deepEqual(outcome(await decide(crowded)), ["forward", "headers-beyond-server-limits"]);
  assert.deepEqual(outcome(await decide([["authorization", "Token nope"], ...many(80)])), ["respond", 403]);
  // Whitespace only some of Django's servers strip (runserver strips \x1c, workerd keeps it).
  assert.deepEqual(outcome(await decide([["authorization", "\x1cToken good"]])), ["forward", "origin-renders"]);
  assert.deepEqual(outcome(await decide([["authorization", "Token nope\x0c"]])), ["forward", "origin-renders"]);
  // A Worker that forwards without X-Forwarded-* (forwardedHeaders: false) passes the client's on.
  const plain = createGuard({ policy, authoritative: true, log: quiet, resolvers: tokens, headersDecodedAsUtf8: true, forward: { forwardedHeaders: false } });
  const passed = await plain(asWorkerdSees("GET", "http://localhost/api/posts/", [...base, ["x-forwarded-proto", "http"], ["authorization", "Token nope"]]));
  assert.deepEqual(outcome(passed), ["respond", 403]);
  // ... but still drops the headers Connection names.
  const named = await plain(asWorkerdSees("GET", "http://localhost/api/posts/", [...base, ["connection", "authorization"], ["authorization", "Token nope"]]));
  assert.deepEqual(outcome(named), ["forward", "changed-on-forward"]);
});

function segmentBytes(segments) {
  const parts = segments.map((s) => (typeof s === "string" ? Buffer.from(s, "latin1") : Buffer.alloc(s.times, s.byte)));
  return Buffer.concat(parts);
}

test("bodies are judged as Django judges them (3 MiB multipart uploads included)", async () => {
  for (const vector of vectors.cases) {
    const upload = vector.upload ?? {};
    const guard = createGuard({
      policy: { ...policy, settings: { ...policy.settings, upload } }, authoritative: true, recordsCurrent: true, log: quiet, resolvers: sessions,
    });
    const body = segmentBytes(vector.body);
    const request = new Request("http://testserver/api/uploads/", {
      method: vector.method ?? "POST",
      headers: { "Content-Type": vector.contentType, "Content-Length": String(body.length), Cookie: csrfCookie, ...(vector.headers ?? {}) },
      body,
    });
    const result = await guard(request);
    const want = vector.expected;
    if (want.user) assert.deepEqual([result.action, result.reason], ["forward", "allowed"], vector.label);
    else if (want.badRequest) assert.deepEqual([result.action, result.reason], ["forward", "origin-renders"], vector.label);
    else {
      assert.equal(result.action, "respond", vector.label);
      assert.equal(result.response.status, want.failed.exception === "ParseError" ? 400 : 403, vector.label);
      assert.equal(await result.response.text(), JSON.stringify({ detail: want.failed.detail }), vector.label);
    }
  }
});

test("a JWT longer than 8 KiB is accepted, and loadObject sees DRF's request.user (TokenUser)", async () => {
  const seen = [];
  const guard = createGuard({
    policy, authoritative: true,
    loadObject: async ({ user, params }) => {
      seen.push(user);
      return { id: Number(params.pk), owner: 7 };
    },
  });
  // A valid JWT over 8 KiB is never denied (simplejwt accepts it): the core decodes any length;
  // a header beyond what servers accept goes to the origin (headers-beyond-server-limits).
  const long = jwt({ user_id: 7, pad: "p".repeat(12 * 1024) });
  assert.ok(long.length > 16 * 1024);
  const big = await guard(get("/api/notes/3/", { Authorization: `Bearer ${long}` }));
  assert.equal(big.action, "forward");
  seen.length = 0;
  const token = jwt({ user_id: 7, pad: "p".repeat(5 * 1024) });
  const result = await guard(get("/api/notes/3/", { Authorization: `Bearer ${token}` }));
  assert.deepEqual([result.action, result.reason], ["forward", "allowed"]);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].tokenUser, true);
  assert.equal(seen[0].id, 7);
});

test("custom resolvers run once per request", async () => {
  let calls = 0;
  const guard = createGuard({
    policy: {
      ...policy,
      authenticationClasses: { ApiKey: { wwwAuthenticate: null } },
      views: { posts: { authentication: ["ApiKey"], permissions: ["IsAuthenticated", "IsOwner"] } },
      routes: [{ pattern: "/api/posts/{pk}/", view: "posts", detail: true }],
    },
    resolvers: { custom: async () => { calls++; return alice; } },
    loadObject: async () => ({ owner: 1 }),
  });
  const result = await guard(get("/api/posts/1/", { "X-Api-Key": "k" }));
  assert.equal(result.action, "forward", JSON.stringify(result.decision));
  assert.equal(calls, 1);
});

test("the store is asked for an object only when the object stage can use it", async () => {
  // A view whose filter backends read `?search=` (docs/policy.md §1.8): with the parameter the
  // origin's get_object() decides, so neither prefetchObject nor loadObject may be asked.
  const filtered = {
    ...policy,
    views: { posts: { permissions: ["IsAuthenticated", "IsOwner"], filterParams: ["search"] } },
    routes: [
      { pattern: "/api/posts/", view: "posts" },
      { pattern: "/api/posts/{pk}/", view: "posts", detail: true },
    ],
  };
  const asked = { prefetch: 0, load: 0 };
  const guard = createGuard({
    policy: filtered, authoritative: true, recordsCurrent: true, log: quiet,
    resolvers: { token: async (key) => (key === "alice" ? alice : NOT_FOUND) },
    prefetchObject: async () => { asked.prefetch++; return { id: 1, owner: 2 }; },
    loadObject: async ({ prefetched }) => { asked.load++; return prefetched ?? { id: 1, owner: 2 }; },
  });
  const token = { Authorization: "Token alice" };
  const cases = [
    // [path, method, action, reason or status, prefetched, loaded]
    ["/api/posts/1/", "GET", "respond", 403, 1, 1],
    ["/api/posts/1/?search=x", "GET", "forward", "allowed", 0, 0],
    ["/api/posts/1/?se%61rch", "DELETE", "forward", "allowed", 0, 0],
    // Another parameter: the core decides first (no prefetch), then the object is read.
    ["/api/posts/1/?page=2", "GET", "respond", 403, 0, 1],
    // A list, or a method the detail route does not handle: no object stage.
    ["/api/posts/", "GET", "forward", "allowed", 0, 0],
    ["/api/posts/1/", "POST", "respond", 405, 0, 0],
  ];
  for (const [path, method, action, expected, prefetched, loaded] of cases) {
    asked.prefetch = 0;
    asked.load = 0;
    const result = await guard(new Request(`https://api.example.com${path}`, { method, headers: token }));
    const label = `${method} ${path}`;
    assert.equal(result.action, action, `${label}: ${result.reason}`);
    if (action === "respond") assert.equal(result.response.status, expected, label);
    else assert.equal(result.reason, expected, label);
    assert.deepEqual([asked.prefetch, asked.load], [prefetched, loaded], label);
  }
  // The core's word for it: the object is not used.
  const gate = new Gate(filtered);
  const step = await gate.checkRequest(get("/api/posts/1/?search=x", token), { resolvers: { token: () => alice } });
  assert.equal(step.decision.objectCheck, "filtered");
  const plain = await gate.checkRequest(get("/api/posts/1/", token), { resolvers: { token: () => alice } });
  assert.equal(plain.decision.objectCheck, "pending");
});

test("where the origin's middleware decides from the request alone, no store is asked and no body read", async () => {
  // CommonMiddleware refuses a host ALLOWED_HOSTS does not list (Django's 400), CsrfViewMiddleware
  // replaces a malformed csrftoken cookie (Set-Cookie), SessionMiddleware deletes a session cookie
  // Django does not take: every response is the origin's, whoever the user is.
  const guarded = {
    ...policy,
    views: { posts: { permissions: ["IsAuthenticated", "IsOwner"] } },
    routes: [{ pattern: "/api/posts/{pk}/", view: "posts", detail: true }],
    middleware: {
      classes: ["django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"],
      allowedHosts: ["api.example.com"],
    },
  };
  const asked = { lookups: 0, prefetch: 0, load: 0 };
  const user = async (key) => { asked.lookups++; return key === "alice" || key === "alicesession" ? alice : NOT_FOUND; };
  const guard = createGuard({
    policy: guarded, authoritative: true, recordsCurrent: true, log: quiet,
    resolvers: { token: user, session: user },
    prefetchObject: async () => { asked.prefetch++; return { id: 1, owner: 2 }; },
    loadObject: async ({ prefetched }) => { asked.load++; return prefetched ?? { id: 1, owner: 2 }; },
  });
  const cases = [
    // [label, host, method, headers, action, reason or status, [lookups, prefetched, loaded]]
    ["a listed host", "api.example.com", "GET", { Authorization: "Token alice" }, "respond", 403, [1, 1, 1]],
    ["a host ALLOWED_HOSTS refuses", "evil.example", "GET", { Authorization: "Token alice" }, "forward", "middleware-renders", [0, 0, 0]],
    ["a malformed csrftoken cookie", "api.example.com", "GET", { Authorization: "Token alice", Cookie: "csrftoken=bad" }, "forward", "middleware-renders", [0, 0, 0]],
    ["a session key Django does not take", "api.example.com", "DELETE", { Authorization: "Token alice", Cookie: "sessionid=short" }, "forward", "middleware-renders", [0, 0, 0]],
    // A session POST would have its body read for the CSRF check.
    ["a session POST with a malformed csrftoken", "api.example.com", "POST", { Cookie: "csrftoken=bad; sessionid=alicesession", "Content-Type": "application/x-www-form-urlencoded" }, "forward", "middleware-renders", [0, 0, 0]],
    // Anonymous: denied before the object stage, no lookup asked, so no object read either.
    ["anonymous", "api.example.com", "GET", {}, "respond", 403, [0, 0, 0]],
  ];
  for (const [label, host, method, headers, action, expected, counts] of cases) {
    asked.lookups = 0;
    asked.prefetch = 0;
    asked.load = 0;
    const body = method === "POST" ? "csrfmiddlewaretoken=x" : undefined;
    const request = new Request(`https://${host}/api/posts/1/`, { method, headers, body });
    const result = await guard(request);
    assert.equal(result.action, action, `${label}: ${result.reason}`);
    if (action === "respond") assert.equal(result.response.status, expected, label);
    else assert.equal(result.reason, expected, label);
    assert.deepEqual([asked.lookups, asked.prefetch, asked.load], counts, label);
    assert.equal(request.bodyUsed, false, label);
  }
});

test("data changes: a miss denies only from an authoritative store", async () => {
  // Post 1 was just given to alice (id 1) on the origin; the edge's store may not know yet.
  const owned = {
    ...policy,
    views: { posts: { permissions: ["IsAuthenticated", "IsOwner"] } },
    routes: [{ pattern: "/api/posts/{pk}/", view: "posts", detail: true }],
  };
  const decide = async (loaded, authoritative) => {
    const guard = createGuard({
      policy: owned, authoritative, recordsCurrent: true, log: quiet,
      resolvers: { token: async () => alice }, loadObject: async () => loaded,
    });
    return guard(get("/api/posts/1/", { Authorization: "Token alice", Accept: "application/json" }));
  };
  // Not known, or a miss from a store that is not authoritative for objects: the origin decides.
  for (const loaded of [undefined, UNKNOWN, NOT_FOUND]) {
    for (const authoritative of [false, ["token"], true]) {
      const result = await decide(loaded, authoritative);
      if (loaded === NOT_FOUND && authoritative === true) {
        assert.deepEqual([result.action, result.response.status], ["respond", 404]);
      } else {
        assert.deepEqual([result.action, result.reason], ["forward", "object-pending"], `${String(loaded)} ${authoritative}`);
      }
    }
  }
  assert.equal((await decide(NOT_FOUND, ["object"])).response.status, 404);
  // The current record: alice owns it, the origin decides (allowed).
  assert.equal((await decide({ id: 1, owner: 1 }, false)).reason, "allowed");
});

test("data changes: an answer resting on a record is the edge's only where `recordsCurrent` says the store keeps that kind current", async () => {
  // The store lags behind the origin's fresh data (Workers KV between locations, a cache): each
  // record below is stale, and on fresh data the origin lets the request through.
  const json = { Accept: "application/json" };
  const token = { ...json, Authorization: "Token alice" };
  const guardFor = (views, records, extra = {}) => createGuard({
    policy: {
      ...policy,
      authentication: ["token"],
      views,
      routes: [{ pattern: "/api/posts/", view: "posts" }, { pattern: "/api/posts/{pk}/", view: "posts", detail: true }],
    },
    authoritative: true, log: quiet, ...records, ...extra,
  });
  const stale = [
    // [label, views, token's user, loadObject's row, request, DRF's answer on the stale data, kinds it rests on]
    ["an owner changed (the store still says bob's)", { posts: { permissions: ["IsAuthenticated", "IsOwner"] } }, alice,
      { id: 1, owner: 2 }, ["DELETE", "/api/posts/1/"], 403, ["token", "object"]],
    ["a permission granted (the store's user lacks blog.delete_post)",
      { posts: { model: "blog.Post", permissions: ["DjangoModelPermissions"] } },
      { ...alice, permissions: [] }, undefined, ["DELETE", "/api/posts/1/"], 403, ["token"]],
    ["a user re-activated (the store's is inactive)", { posts: { permissions: ["IsAuthenticated"] } },
      { ...alice, isActive: false }, undefined, ["GET", "/api/posts/"], 401, ["token"]],
    // Not a denial of the permission check, yet resting on it: a staff flag the origin has just
    // taken away is its 403 where the stale record passes IsAdminUser and DRF's 405 follows.
    ["a staff flag taken away (the store's user is staff)", { posts: { permissions: ["IsAdminUser"] } },
      { ...alice, isStaff: true }, undefined, ["POST", "/api/posts/1/"], 405, ["token"]],
  ];
  for (const [label, views, user, row, [method, path], status, kinds] of stale) {
    const options = { resolvers: { token: async () => user }, loadObject: async () => row };
    const request = () => new Request(`https://api.example.com${path}`, { method, headers: token });
    // Declared current for every kind it rests on: the documented contract, DRF's answer here.
    for (const recordsCurrent of [true, kinds, () => kinds, async (env) => env.current === "yes" && kinds]) {
      const answered = await guardFor(views, { recordsCurrent }, options)(request(), { current: "yes" });
      assert.deepEqual([answered.action, answered.response?.status], ["respond", status], `${label}: ${answered.reason}`);
    }
    // The default, `false`, and kinds that leave one out: the origin decides, on fresh data.
    const settings = [{}, { recordsCurrent: false }, { recordsCurrent: ["session"] }, { recordsCurrent: kinds.slice(1) }];
    if (kinds.length > 1) settings.push({ recordsCurrent: kinds.slice(0, 1) });
    for (const records of settings) {
      const result = await guardFor(views, records, options)(request(), { current: "no" });
      const missing = kinds.filter((kind) => !(records.recordsCurrent || []).includes(kind));
      assert.deepEqual([result.action, result.reason, result.records], ["forward", "record-may-be-stale", missing], `${label}: ${JSON.stringify(records)}`);
      // The decision it did not send, for the Worker's logs.
      assert.equal(result.decision.status, status, label);
    }
  }
  // Answers that used no record stay the edge's under the default: anonymous, malformed
  // credentials, an authoritative miss, a 405 where no lookup ran, a 404 from `loadObject`'s miss,
  // a JWT verified in the module (simplejwt's TokenUser is the token's claims, no row).
  let lookups = 0;
  const resolvers = { token: async (key) => { lookups++; return key === "alice" ? alice : NOT_FOUND; } };
  const open = guardFor({ posts: { permissions: ["AllowAny"] } }, {}, { resolvers, loadObject: async () => null });
  const closed = guardFor({ posts: { permissions: ["IsAuthenticated"] } }, {}, { resolvers });
  const stateless = guardFor({ posts: { authentication: ["jwtStateless"], permissions: ["IsAdminUser"] } }, {}, {});
  for (const [label, guard, method, path, headers, status] of [
    ["anonymous", closed, "GET", "/api/posts/", json, 401],
    ["a malformed token header", closed, "GET", "/api/posts/", { ...json, Authorization: "Token a b" }, 401],
    ["an authoritative miss", closed, "GET", "/api/posts/", { ...json, Authorization: "Token nope" }, 401],
    ["a 405 without a lookup", open, "POST", "/api/posts/1/", json, 405],
    ["loadObject's miss", open, "GET", "/api/posts/9/", json, 404],
    ["a stateless JWT", stateless, "GET", "/api/posts/", { ...json, Authorization: `Bearer ${jwt({ user_id: 1 })}` }, 403],
  ]) {
    const result = await guard(new Request(`https://api.example.com${path}`, { method, headers }));
    assert.deepEqual([result.action, result.response?.status], ["respond", status], `${label}: ${result.reason}`);
  }
  assert.equal(lookups, 1);
});

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

test("forwardTo: hop-by-hop headers dropped, X-Forwarded-* set, body with its length", async () => {
  let seen;
  const { server, url } = await listen((req, res) => {
    let length = 0;
    req.on("data", (chunk) => (length += chunk.length));
    req.on("end", () => {
      seen = { headers: req.headers, length };
      res.end("ok");
    });
  });
  try {
    const request = new Request("https://shop.example.com:8443/api/posts/?a=1", {
      method: "PATCH",
      headers: {
        "Content-Type": "application/json", Connection: "keep-alive, x-private", "X-Private": "1", "Keep-Alive": "timeout=5",
        "Transfer-Encoding": "chunked", Expect: "100-continue", TE: "trailers", Upgrade: "h2c", "Proxy-Authorization": "Basic x",
        "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example", "CF-Connecting-IP": "198.51.100.7",
      },
      body: JSON.stringify({ title: "x".repeat(3000) }),
    });
    const response = await forwardTo(url, request);
    assert.equal(response.status, 200);
    for (const name of ["connection", "x-private", "keep-alive", "transfer-encoding", "expect", "te", "upgrade", "proxy-authorization"]) {
      assert.ok(!(name in seen.headers) || (name === "connection" && seen.headers.connection !== "keep-alive, x-private"), name);
    }
    assert.equal(seen.headers["x-forwarded-for"], "203.0.113.9, 198.51.100.7");
    assert.equal(seen.headers["x-forwarded-proto"], "https");
    assert.equal(seen.headers["x-forwarded-host"], "shop.example.com:8443");
    assert.equal(seen.headers["content-length"], String(seen.length));
    assert.equal(seen.length, JSON.stringify({ title: "x".repeat(3000) }).length);
  } finally {
    server.close();
  }
});

test("forwardTo: origin down -> 502, origin slow -> 504, small JSON, no internals", async () => {
  const { server, url } = await listen(() => {});
  server.close();
  await new Promise((resolve) => server.once("close", resolve));
  const down = await forwardTo(url, new Request("https://api.example.com/api/posts/", { method: "POST", body: "{}" }), { log: quiet });
  assert.equal(down.status, 502);
  assert.equal(down.headers.get("content-type"), "application/json");
  assert.equal(await down.text(), '{"detail":"Bad gateway."}');

  const slow = await listen((req, res) => setTimeout(() => res.end("late"), 1000).unref());
  try {
    const late = await forwardTo(slow.url, get("/api/posts/"), { timeout: 100, log: quiet });
    assert.equal(late.status, 504);
    assert.equal(await late.text(), '{"detail":"Gateway timeout."}');
  } finally {
    slow.server.closeAllConnections();
    slow.server.close();
  }
  // withGuard(null) with no reachable origin: 502 as well.
  const guarded = withGuard(null, { policy, log: quiet, forward: { log: quiet } });
  const response = await guarded(get("/api/posts/"), { ORIGIN: url });
  assert.ok([401, 403, 502].includes(response.status));
});

test("forwardTo retries only what is safe: an idempotent request on a dropped connection", async () => {
  let attempts = 0;
  const { server, url } = await listen((req, res) => {
    attempts++;
    if (attempts === 1) return req.socket.destroy();
    res.end("second");
  });
  try {
    const ok = await forwardTo(url, get("/api/posts/"), { log: quiet });
    assert.equal(await ok.text(), "second");
    assert.equal(attempts, 2);
    attempts = 0;
    const post = await forwardTo(url, new Request(`${url}/api/posts/`, { method: "POST", body: "{}" }), { log: quiet });
    assert.equal(post.status, 502, "a POST that may have reached the origin is not sent twice");
    assert.equal(attempts, 1);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
