// The one-pass raw-request protocol through the package (pkg/src/check-request.js `checkRequest*`): the
// wasm-side handle of each request is freed whatever happens (decided, a resolver that throws, a
// resolver that returns a Promise to checkRequestSync, too many lookups), so wasm memory stays
// flat; the body is read once, only when the CSRF check asks; sync and async agree.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { countStartRequest, loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
const exports = await esm.init();
const wasmBytes = () => exports.memory.buffer.byteLength;

const policy = {
  authentication: ["session", "token"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  renderers: ["JSONRenderer"],
  views: { posts: { model: "blog.Post" } },
};
// A long header: a leaked handle would keep ~7 KB of wasm memory per request.
const long = "p".repeat(7000);
const request = (i) => ({ method: "GET", path: "/api/posts/", headers: { Authorization: `Token key${i}`, "X-Padding": long } });

describe("the one-pass raw-request protocol", () => {
  test("each request's handle is freed, whatever its resolver does", async () => {
    const gate = new esm.Gate(policy);
    const throwing = { view: "posts", resolvers: { token: () => { throw new Error("store down"); } } };
    const promising = { view: "posts", resolvers: { token: async () => null } };
    const found = { view: "posts", resolvers: { token: () => ({ id: 1, username: "ann" }) } };
    const round = async (n) => {
      for (let i = 0; i < n; i++) {
        assert.throws(() => gate.checkRequestSync(request(i), throwing), /store down/);
        await assert.rejects(gate.checkRequest(request(i), throwing), /store down/);
        assert.throws(() => gate.checkRequestSync(request(i), promising), /returned a Promise/);
        assert.equal(gate.checkRequestSync(request(i), found).decision.status, 200);
      }
    };
    await round(200); // the allocator reaches its working size
    const before = wasmBytes();
    await round(1500); // leaked, they would keep over 10 MB
    assert.ok(wasmBytes() - before < 2 * 1048576, `wasm memory grew ${before} -> ${wasmBytes()}`);
    gate.free();
  });

  test("synchronous requests nest: a resolver may check another request, on any gate", () => {
    const gate = new esm.Gate(policy);
    const other = new esm.Gate(policy);
    const users = { key1: { id: 1, username: "ann" }, key2: { id: 2, username: "bob", isActive: false } };
    const plain = { view: "posts", resolvers: { token: (key) => users[key] ?? null } };
    const expected = (key) => JSON.stringify(gate.checkRequestSync({ method: "POST", path: "/api/posts/", headers: { Authorization: `Token ${key}` } }, plain));
    let inner = [];
    const nesting = (depth) => ({
      view: "posts",
      resolvers: {
        token: (key) => {
          // Before answering, check two other requests (one nesting again) on both gates.
          if (depth < 3) inner.push(JSON.stringify((depth % 2 ? other : gate).checkRequestSync({ method: "POST", path: "/api/posts/", headers: { Authorization: "Token key2" } }, nesting(depth + 1))));
          inner.push(JSON.stringify(other.checkRequestSync({ method: "POST", path: "/api/posts/", headers: { Authorization: "Token nobody" } }, plain)));
          return users[key] ?? null;
        },
      },
    });
    for (let round = 0; round < 50; round++) {
      inner = [];
      const outer = gate.checkRequestSync({ method: "POST", path: "/api/posts/", headers: { Authorization: "Token key1" } }, nesting(0));
      assert.equal(JSON.stringify(outer), expected("key1"));
      assert.equal(outer.decision.status, 200);
      assert.deepEqual(inner.filter((text) => text === expected("key2")).length, 3);
      assert.deepEqual(inner.filter((text) => text === expected("nobody")).length, 4);
    }
    gate.free();
    other.free();
  });

  test("the typed crossing and the JSON crossing decide alike", async () => {
    const gate = new esm.Gate({ ...policy, routes: [{ pattern: "/api/posts/", view: "posts" }] });
    const resolvers = { token: (key) => (key === "k1" ? { id: 1 } : key === "k2" ? { id: 2, isActive: false } : null) };
    // Not a plain record: check-request.js sends it as JSON (what the conformance replay also does).
    class ViaJson {}
    const viaJson = (request) => Object.assign(new ViaJson(), request);
    const requests = [];
    for (const method of ["GET", "post", "DELETE"]) {
      for (const where of [{ path: "/api/posts/" }, { url: "https://h.example/api/posts/?format=json" }, { path: "/api/posts/", url: "http://x/y" }, {}]) {
        for (const headers of [{}, { Authorization: "Token k1" }, { Authorization: "Token k2", Accept: "application/json; indent=2" }, { authorization: "Token   k3", "X-H": "caf\u00e9" }, { Authorization: "Token k\u0100" }, { Authorization: "Token \ud800" }, { Authorization: "a\uffffb" }, { Authorization: "a\u0000b" }, { "X-\u0000": "v" }, { Cookie: "sessionid=s", "X-Undefined": undefined },
          // A NUL or U+0001 inside a part (crossing again escaped), values past 8,190 characters
          // and more than 101 fields (cut as boundedHeaders cuts them).
          { "X-\u0001\u0000": "\u0000\u0001\u0001\u0002", Authorization: "Token k1" }, { Authorization: "Token k1", "X-Long": "v".repeat(9000) },
          { "X-Long": "v".repeat(8191), "X-Wide": "\u00e9".repeat(8000) + "\u0100" + "v".repeat(900) }, Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`X-${119 - i}`, `${i}`]))]) {
          for (const extra of [{}, { body: "a=1" }, { bodyPending: true }, { emptyHeadersDropped: true }, { body: "\ud800" }, { secure: true },
            // Members that cross typed (as null: absent), and others that take the JSON path.
            { secure: false, host: "h.example:8000", port: "8443", contentType: "application/json", cookies: { sessionid: "s", b: "2" }, meta: { REMOTE_USER: "ann" } },
            { secure: null, host: null, port: null, contentType: null, cookies: null, meta: {}, bodyTooLarge: true },
            { host: "h\u0100", meta: { X: "\u0100" }, cookies: {} }, { contentType: "a\u0100" }, { meta: null }, { cookies: { a: 1 } }, { cookies: [] }, { bodyTooLarge: 0 }, { bodyBase64: "YQ==" }, { cookies: { "a\u0000": "\u0001" }, meta: { "X\u0000": "" } }]) {
            requests.push({ method, ...where, headers, ...extra });
          }
        }
      }
    }
    const run = (f) => {
      try {
        return JSON.stringify(f());
      } catch (error) {
        return `${error.name} ${error.code} ${error.path}: ${error.message}`;
      }
    };
    for (const request of requests) {
      // `format`, `lookupError`, `trace` and `now: null` cross typed; other types take the JSON path.
      for (const target of [{ view: "posts" }, {}, { view: "posts", action: "list", detail: false }, { view: "nope" }, { view: "posts", now: Number.NaN }, { view: "posts", format: "api" }, { format: "", lookupError: true }, { view: "posts", trace: true, lookupError: false }, { view: "posts", now: null }, { view: "posts", format: null, trace: 1 }]) {
        const options = { ...target, now: "now" in target ? target.now : 1800000000, resolvers };
        const typed = run(() => gate.checkRequestSync(request, options));
        assert.equal(run(() => gate.checkRequestSync(viaJson(request), options)), typed, JSON.stringify(request));
        assert.equal(JSON.stringify(await gate.checkRequest(request, options).catch((e) => e)) , JSON.stringify(await gate.checkRequest(viaJson(request), options).catch((e) => e)));
      }
    }
    // A body past the core's 4 MiB: too large on both crossings, well-formed or not.
    for (const body of ["a".repeat(4 * 1024 * 1024 + 1), "\u00e9".repeat(2 * 1024 * 1024) + "\ud800", "\u00e9".repeat(1024 * 1024)]) {
      const request = { method: "POST", path: "/api/posts/", headers: { Cookie: "sessionid=s", "Content-Type": "application/x-www-form-urlencoded" }, body };
      const options = { view: "posts", now: 1800000000, resolvers: { session: () => ({ id: 1 }) } };
      assert.equal(run(() => gate.checkRequestSync(request, options)), run(() => gate.checkRequestSync(viaJson(request), options)));
    }
    gate.free();
  });

  test("a request refused for a member's value crosses typed, with the JSON path's error", async () => {
    // The glue's first step as JSON (`startRequest`), counted: the typed crossing must not call it.
    const started = await countStartRequest();
    const gate = new esm.Gate({ ...policy, routes: [{ pattern: "/api/posts/", view: "posts" }] });
    try {
      class ViaJson {}
      const viaJson = (request) => Object.assign(new ViaJson(), request);
      const run = (f) => {
        try {
          return JSON.stringify(f());
        } catch (error) {
          return `${error.name} ${error.code} ${error.path}: ${error.message}`;
        }
      };
      let deep = "v";
      for (let i = 0; i < 200; i++) deep = [deep];
      const base = { method: "GET", path: "/api/posts/" };
      // Each refused by the JSON path's reader: a member's type, a lone surrogate anywhere (the
      // text's syntax error comes first, wherever it is), nesting; in the members' order.
      const refused = [
        { meta: null }, { meta: { X: 1 } }, { cookies: { a: 1 } }, { cookies: [] }, { cookies: "a=1" }, { headers: { A: 1 } },
        { headers: { A: null } }, { headers: null }, { headers: [] }, { headers: { A: { b: "\ud800" } } }, { headers: { A: "Token \ud800" } },
        { headers: { "\ud800": "v" } }, { headers: { A: deep } }, { body: "\ud800" }, { body: "a\udc00b" }, { body: 1 }, { method: 5 },
        { method: "\ud800" }, { method: null }, { url: 1 }, { path: "/\ud800" }, { secure: "yes" }, { bodyPending: null },
        { bodyTooLarge: 0 }, { host: 5 }, { port: 443 }, { contentType: [] }, { bodyBase64: 1 }, { headersJoined: "1" },
        { emptyHeadersDropped: {} }, { meta: { "\ud800": "" } }, { cookies: { a: 9007199254740993n } },
        { method: 5, body: "\ud800" }, { headers: { A: 1 }, meta: null }, { meta: null, headers: { A: 1 } },
        { meta: null, extra: 1 }, { cookies: { a: "\ud800" }, meta: null }, { meta: null, cookies: { a: "\ud800" } },
      ].map((extra) => ({ ...base, ...extra }));
      // No method: the member's error comes first.
      refused.push({ path: "/api/posts/", meta: null }, { meta: null, path: "/api/posts/" });
      // Not refused by the member reader (the JSON path decides or names them itself).
      // Optional members as null: absent, typed as the JSON path reads them.
      const absent = [{ ...base, url: null, body: null, bodyBase64: null }, { method: "POST", path: null, url: "http://h/api/posts/", body: null, headers: { Cookie: "sessionid=s" } }];
      // Not refused by the member reader (the JSON path decides or names them itself).
      const others = [{ ...base, extra: 1, meta: null }, { path: "/api/posts/" }, { ...base, headers: new Map() }];
      const targets = [{ view: "posts" }, {}, { view: "posts", now: Number.NaN }, { view: "posts", now: Infinity, trace: true }];
      for (const target of targets) {
        const options = { ...target, now: "now" in target ? target.now : 1800000000, resolvers: { token: () => null } };
        for (const request of [...refused, ...absent, ...others]) {
          const label = `${run(() => request)} ${run(() => target)}`;
          const before = started.calls;
          const typed = run(() => gate.checkRequestSync(request, options));
          const typedAsync = await gate.checkRequest(request, options).then((step) => JSON.stringify(step), (e) => `${e.name} ${e.code} ${e.path}: ${e.message}`);
          const crossedTyped = started.calls === before;
          assert.equal(run(() => gate.checkRequestSync(viaJson(request), options)), typed, label);
          assert.equal(typedAsync, typed, label);
          if (refused.includes(request)) {
            assert.ok(crossedTyped, `took the JSON path: ${label}`);
            assert.match(typed, /^ContextError invalid_context \$\.(request|now)/, label);
          }
          if (absent.includes(request)) assert.ok(crossedTyped && !Number.isFinite(options.now) === typed.startsWith("ContextError"), label);
        }
        // A request that is otherwise well-formed, with `now` not finite: the core refuses `now`.
        if (Number.isFinite(options.now)) continue;
        const before = started.calls;
        assert.equal(run(() => gate.checkRequestSync(base, options)), run(() => gate.checkRequestSync(viaJson(base), options)));
        assert.equal(run(() => gate.checkRequestSync(base, options)), "ContextError invalid_context $.now: invalid type: null, expected f64");
        assert.equal(started.calls, before + 1); // the ViaJson twin only
      }
      // An object JSON.stringify leaves out (a function, a symbol): no object, typed.
      for (const object of [() => 1, Symbol("s")]) {
        const options = { view: "posts", detail: true, object, now: 1800000000 };
        const before = started.calls;
        const typed = run(() => gate.checkRequestSync({ ...base, method: "DELETE" }, options));
        assert.equal(started.calls, before);
        assert.equal(run(() => gate.checkRequestSync(viaJson({ ...base, method: "DELETE" }), options)), typed);
      }
    } finally {
      started.restore();
      gate.free();
    }
  });

  test("the target's object crosses typed as the JSON crossing reads it", async () => {
    const owned = {
      ...policy,
      permissions: ["IsAuthenticated"],
      classes: { IsOwner: { hasObjectPermission: "obj.owner == request.user.id" } },
      views: { posts: { model: "blog.Post", permissions: ["IsOwner"] } },
    };
    const gate = new esm.Gate(owned);
    const resolvers = { token: (key) => (key === "k1" ? { id: 1 } : null) };
    class ViaJson {}
    const viaJson = (request) => Object.assign(new ViaJson(), request);
    const circular = { owner: 1 };
    circular.self = circular;
    let deep = { owner: 1 };
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const many = { owner: 1, items: new Array(70000).fill(0) };
    const run = (f) => {
      try {
        return JSON.stringify(f(), (_, v) => (typeof v === "bigint" ? `${v}n` : v));
      } catch (error) {
        return `${error.name} ${error.code} ${error.path}: ${error.message}`;
      }
    };
    const objects = [
      { owner: 1 }, { owner: 2 }, { owner: 1, extra: [null, true, 1.5, -3, "x\u00e9\u{1F600}"], f: () => 1, u: undefined },
      null, undefined, { owner: 1n }, { owner: 9007199254740993n }, [1], "x", 5, Number.NaN, true, -0,
      { toJSON: () => ({ owner: 1 }) }, { owner: { toJSON: () => 1 } }, new Date(0), new Map([["owner", 1]]), Object(1),
      { owner: new Number(1) }, circular, { owner: 1, a: "\ud800" }, { "\udc00": 1 }, deep, () => 1, Symbol("s"), many,
    ];
    for (const object of objects) {
      for (const request of [
        { method: "GET", path: "/api/posts/", headers: { Authorization: "Token k1" } },
        { method: "DELETE", path: "/api/posts/", headers: { Authorization: "Token k1" } },
        { method: "GET", path: "/api/posts/", headers: { Authorization: "Token k\u0100" } },
      ]) {
        for (const extra of [{}, { lookupError: true }, { trace: true }]) {
          const options = { view: "posts", detail: true, object, ...extra, now: 1800000000, resolvers };
          const label = run(() => object);
          const typed = run(() => gate.checkRequestSync(request, options));
          assert.equal(run(() => gate.checkRequestSync(viaJson(request), options)), typed, label);
          assert.equal(run(() => gate.checkRequestSync(request, { ...options, resolvers: undefined })),
            run(() => gate.checkRequestSync(viaJson(request), { ...options, resolvers: undefined })), label);
          const [a, b] = [await gate.checkRequest(request, options).catch((e) => e), await gate.checkRequest(viaJson(request), options).catch((e) => e)];
          assert.equal(run(() => a), run(() => b), label);
          assert.equal(a instanceof Error ? `${a.name} ${a.code} ${a.path}: ${a.message}` : run(() => a), typed, label);
        }
      }
    }
    gate.free();
  });

  test("the body is read once, only when the CSRF check asks, and sync and async agree", async () => {
    const gate = new esm.Gate(policy);
    const raw = {
      method: "POST",
      path: "/api/posts/",
      headers: { Cookie: "sessionid=s1; csrftoken=AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb", "Content-Type": "application/x-www-form-urlencoded" },
      bodyPending: true,
    };
    const reads = [];
    const body = new TextEncoder().encode("csrfmiddlewaretoken=AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb");
    const options = {
      view: "posts",
      resolvers: { session: (key) => (key === "s1" ? { id: 1, username: "ann" } : null) },
      readBody: async (maxBytes) => {
        reads.push(maxBytes);
        return body;
      },
    };
    const first = await gate.checkRequest(raw, options);
    assert.equal(reads.length, 1);
    assert.ok(reads[0] > 0);
    // A body longer than the edge reads is given as such (the reader is asked once).
    await gate.checkRequest(raw, { ...options, readBody: async (maxBytes) => (reads.push(maxBytes), null) });
    assert.equal(reads.length, 2);
    // The same request with the body already given decides the same, in one call.
    const bodyBase64 = Buffer.from(body).toString("base64");
    const { bodyPending: _pending, ...given } = { ...raw, bodyBase64 };
    const sync = gate.checkRequestSync(given, options);
    assert.equal(JSON.stringify(sync), JSON.stringify(first));
    assert.equal(first.authentication.succeeded, "SessionAuthentication", JSON.stringify(first));
    assert.equal(first.decision.allowed, true, JSON.stringify(first));
    gate.free();
  });
});
