// `drf-gate/worker`: the edge build without the policy compiler. It loads compiled policies and
// answers everything the edge build answers on them (raw requests, the origin's middleware, CSRF
// minting, check, can) byte for byte; a JSON policy, `toCompiled()`, another format version and
// an RS/ES JWT key (it verifies HS* only) are refused with a PolicyError. Its .wasm is the smaller one (what workerd validates per isolate).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

import { consumerDir, countStartRequest, installedDir, loadEsm } from "./consumer.mjs";
import { ann, policy } from "./fixtures.mjs";

const edge = await loadEsm();
const worker = await import(new URL("node_modules/drf-gate/dist/worker-node.mjs", `file://${consumerDir}/`).href);

// A policy with the origin's middleware and a JWT key: what a Worker on policy.gate must render.
const withMiddleware = {
  authentication: ["jwt", "token", "session"],
  permissions: ["IsAuthenticated"],
  settings: { jwt: { signingKey: "k3y", leeway: 5 } },
  views: { posts: {} },
  routes: [{ pattern: "/api/posts/", view: "posts" }],
  middleware: {
    classes: ["django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware",
      "corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware",
      "django.middleware.csrf.CsrfViewMiddleware", "django.middleware.clickjacking.XFrameOptionsMiddleware"],
    allowedHosts: ["api.example.com"],
    security: { hstsSeconds: 60, proxySslHeader: ["HTTP_X_FORWARDED_PROTO", "https"] },
    cors: { allowedOrigins: ["https://app.example.com"], allowCredentials: true, urlsRegex: "^/api/.*$" },
  },
};

const requests = [
  { method: "POST", path: "/api/posts/", headers: { Host: "api.example.com" } },
  { method: "GET", path: "/api/posts/", headers: { Host: "api.example.com", Authorization: "Token abc", Origin: "https://app.example.com" } },
  { method: "GET", path: "/api/posts/", headers: { Host: "api.example.com", Authorization: "Bearer not.a.jwt", "X-Forwarded-Proto": "https" } },
  { method: "OPTIONS", path: "/api/posts/", headers: { Host: "api.example.com", Origin: "https://app.example.com", "Access-Control-Request-Method": "POST" } },
  { method: "GET", path: "/api/posts/", headers: { Host: "api.example.com", Accept: "application/json; indent*=utf-8''%34", Authorization: "Token abc" } },
  { method: "DELETE", path: "/api/posts/", headers: { Host: "evil.example" } },
];
const resolvers = { token: (key) => (key === "abc" ? ann : null), session: () => null };

// Each context's decision as JSON text, or its error as [name, code, path].
const checkAll = (gate, contexts) =>
  contexts.map((context) => {
    try {
      return JSON.stringify(gate.check(context));
    } catch (e) {
      return [e.name, e.code, e.path];
    }
  });

describe("drf-gate/worker", () => {
  test("resolves to the Worker build under Node and workerd's conditions", () => {
    const script = `const rel = (p) => p.slice(p.indexOf("node_modules/drf-gate/"));
      console.log(JSON.stringify([rel(import.meta.resolve("drf-gate/worker")), rel(import.meta.resolve("drf-gate/drf_gate_worker_bg.wasm"))]));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: consumerDir, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), ["node_modules/drf-gate/dist/worker-node.mjs", "node_modules/drf-gate/dist/drf_gate_worker_bg.wasm"]);
    const manifest = JSON.parse(execFileSync(process.execPath, ["-p", "JSON.stringify(require('drf-gate/package.json').exports['./worker'])"], { cwd: consumerDir, encoding: "utf8" }));
    assert.equal(manifest.default, "./dist/worker.js");
  });

  test("its .wasm is smaller than the edge build's", () => {
    const size = (name) => statSync(join(installedDir, "dist", name)).size;
    assert.ok(size("drf_gate_worker_bg.wasm") < size("drf_gate_bg.wasm") * 0.75, `${size("drf_gate_worker_bg.wasm")} vs ${size("drf_gate_bg.wasm")}`);
  });

  test("a JSON policy and toCompiled() need the compiler; another format version is refused", () => {
    for (const json of [policy, JSON.stringify(policy)]) {
      assert.throws(() => new worker.Gate(json), (e) => e instanceof worker.PolicyError && e.code === "invalid_policy" && /'drf-gate'/.test(e.message));
    }
    const bytes = new edge.Gate(policy).toCompiled();
    const gate = new worker.Gate(bytes);
    assert.throws(() => gate.toCompiled(), { name: "PolicyError", code: "invalid_policy" });
    const old = new Uint8Array(bytes);
    old[8] = 3; // format version 3 carried no middleware
    assert.throws(() => new worker.Gate(old), { name: "PolicyError", code: "incompatible_compiled_policy" });
  });

  test("answers raw requests, middleware headers included, as the edge build does", async () => {
    const bytes = new edge.Gate(withMiddleware).toCompiled();
    const gates = { json: new edge.Gate(withMiddleware), edge: new edge.Gate(bytes), worker: new worker.Gate(bytes) };
    let headers = 0;
    for (const request of requests) {
      const options = { now: 1.7e9, resolvers };
      const got = {};
      for (const [name, gate] of Object.entries(gates)) {
        got[name] = JSON.stringify([gate.checkRequestSync(request, options), await gate.checkRequest(request, options)]);
      }
      assert.equal(got.edge, got.json, JSON.stringify(request));
      assert.equal(got.worker, got.json, JSON.stringify(request));
      if (/X-Frame-Options|access-control-allow-origin/.test(got.worker)) headers++;
    }
    assert.ok(headers >= 2, "the middleware rendered headers");
  });

  test("raw requests without a JSON path: what does not cross typed is read, decided and refused as the edge build's JSON path", async () => {
    // The edge build takes each of these through its JSON path (`startRequest`, counted); the
    // Worker build has none: the core checks the same JSON text for the JSON path's error
    // (`requestInputError`) and the text parsed again crosses typed.
    const started = await countStartRequest();
    const owned = { ...policy, classes: { IsOwner: { hasObjectPermission: "obj.owner == request.user.id" } },
      views: { posts: { model: "blog.Post", permissions: ["IsAuthenticated", "IsOwner"] } }, routes: [{ pattern: "/api/posts/", view: "posts" }] };
    const bytes = new edge.Gate(owned).toCompiled();
    const gates = { edge: new edge.Gate(bytes), worker: new worker.Gate(bytes) };
    class ViaJson {}
    const viaJson = (fields) => Object.assign(new ViaJson(), fields);
    const get = { method: "GET", path: "/api/posts/", headers: { Authorization: "Token abc" } };
    const post = (body) => ({ method: "POST", path: "/api/posts/", headers: { Cookie: "sessionid=s", "Content-Type": "text/plain" }, body });
    const resolvers = { token: (key) => (key === "abc" ? ann : null), session: () => ann };
    const deep = (n) => (n === 0 ? 1 : { a: deep(n - 1) });
    const cycle = { id: 1 };
    cycle.self = cycle;
    const cases = [
      // Read, decided.
      [viaJson(get), {}],
      [viaJson({ ...get, headers: viaJson(get.headers) }), { view: "posts" }],
      [get, { view: null, action: null, detail: null, format: null }],
      [get, { object: { toJSON: () => ({ id: 7, owner: 3 }) } }],
      [get, { object: { id: 7, owner: 4, at: new Date(0) } }],
      [get, { object: { id: 7, owner: 3, n: 9007199254740993n } }],
      [get, { object: { id: 7, owner: 3, long: "o".repeat(300000) } }],
      [viaJson(get), { object: null }],
      [{ ...get, cookies: { a: "v".repeat(1100000) } }, {}],
      [{ ...get, cookies: { a: "v\0".repeat(600000) } }, {}],
      [post("x".repeat(2000000)), {}],
      [post("é".repeat(1500000)), {}],
      [post("é".repeat(2300000)), {}],
      [viaJson(post("x".repeat(2000000))), {}],
      // Refused: the JSON path's errors.
      [get, { view: 5 }],
      [get, { view: "posts", extra: 1 }],
      [get, { lookupError: null }],
      [get, { trace: 1, view: 5, now: "x" }],
      [get, { view: 5, now: "x" }],
      [get, { now: Number.NaN, view: 5 }],
      [viaJson({ ...get, now: 1 }), {}],
      [viaJson({ path: "/api/posts/" }), {}],
      [{ path: "/api/posts/", extra: 1 }, { view: 5 }],
      [viaJson({ ...get, meta: null }), {}],
      [viaJson({ ...get, headers: { a: 1 } }), {}],
      [viaJson({ ...get, url: "\ud800" }), {}],
      [null, {}],
      ["GET", {}],
      [[], {}],
      [get, { object: { title: "\ud800" } }],
      [get, { object: deep(200) }],
      [get, { object: cycle }],
      [viaJson({ ...get, self: cycle }), {}],
      [viaJson({ ...get, headers: { Host: "h\u0100" } }), {}],
      [viaJson({ ...get, url: "nope://" }), { view: "posts" }],
    ];
    const run = async (gate, request, options) => {
      const one = async (f) => {
        try {
          return JSON.stringify(await f());
        } catch (e) {
          return [e.name, e.code, e.path, e.message];
        }
      };
      const all = { now: 1.7e9, resolvers, ...options };
      return [await one(() => gate.checkRequestSync(request, all)), await one(() => gate.checkRequest(request, all))];
    };
    let decided = 0;
    let refused = 0;
    // The cases the edge build did not take through its JSON path.
    const typedOnEdge = [];
    try {
      for (const [index, [request, options]] of cases.entries()) {
        const before = started.calls;
        const want = await run(gates.edge, request, options);
        const viaJsonPath = started.calls > before;
        const got = await run(gates.worker, request, options);
        const label = `case ${index}`;
        assert.deepEqual(got, want, label);
        if (Array.isArray(want[0])) refused++;
        else decided++;
        if (!viaJsonPath) typedOnEdge.push(label);
      }
    } finally {
      started.restore();
    }
    assert.ok(decided >= 13 && refused >= 18, `${decided} decided, ${refused} refused`);
    // Typed on the edge build too: null target members, objects value.js encodes (a nested Date,
    // a BigInt), a body past 4 MiB (too large); JS refuses a cycle before either crossing.
    assert.deepEqual(typedOnEdge, ["case 2", "case 4", "case 5", "case 12", "case 31", "case 32"]);
    // `answers` given in advance: only the JSON path reads them; the Worker build refuses them.
    const answers = [{ key: { kind: "token", key: "abc" }, answer: { notFound: true } }];
    assert.throws(() => gates.worker.checkRequestSync(get, { answers }), { name: "ContextError", code: "invalid_context", path: "$.answers" });
    const notFound = gates.edge.checkRequestSync(get, { now: 1.7e9, resolvers: { token: () => null } });
    assert.deepEqual(gates.edge.checkRequestSync(get, { now: 1.7e9, answers }), notFound);
  });

  test("check, can, permissionsFor, errors and mintCsrfToken as the edge build", () => {
    const bytes = new edge.Gate(policy).toCompiled();
    const ask = (gate) => {
      const error = (f) => {
        try {
          return f();
        } catch (e) {
          return [e.name, e.code, e.path, e.message];
        }
      };
      return JSON.stringify([
        gate.check({ view: "posts", action: "list", user: null }),
        gate.check({ view: "posts", action: "destroy", user: ann, object: { id: 7, owner: 3 } }),
        gate.check(JSON.stringify({ view: "comments", action: "create", user: ann })),
        error(() => gate.check({ view: "posts", action: "list", user: { isStaff: "yes" } })),
        error(() => gate.can(ann, "nope", "list")),
        gate.can(ann, "posts", "destroy", { id: 7, owner: 4 }),
        gate.can(null, "comments", "list"),
        gate.permissionsFor(ann, "posts"),
      ]);
    };
    assert.equal(ask(new worker.Gate(bytes)), ask(new edge.Gate(bytes)));
    const minted = worker.mintCsrfToken();
    assert.deepEqual([minted.token.length, minted.secret.length], [64, 32]);
  });

  test("check without a JSON path: JSON text, toJSON, classes, nested toJSON and malformed contexts as the edge build", () => {
    // The Worker build's `check` crosses typed only; what JSON.stringify or the JSON text would
    // make of a context is made in JS first (check-resolved.js `jsonData`).
    const bytes = new edge.Gate(policy).toCompiled();
    class Context {
      constructor(fields) {
        Object.assign(this, fields);
      }
    }
    const when = new Date(0);
    const cases = [
      '{"view":"posts","action":"destroy","user":{"id":9007199254740993},"object":{"id":7,"owner":9007199254740993}}',
      '{"view":"posts","action":"destroy","user":{"id":9007199254740993},"object":{"id":7,"owner":9007199254740992}}',
      { toJSON: () => ({ view: "posts", action: "destroy", user: ann, object: { id: 7, owner: 3 } }) },
      new Context({ view: "posts", action: "destroy", user: ann, object: { id: 7, owner: 4 } }),
      { view: "posts", action: "destroy", user: ann, object: { id: 7, owner: 3, created: when } },
      { view: "posts", action: "destroy", user: { ...ann, toJSON: () => ({ id: 4 }) }, object: { id: 7, owner: 4 } },
      { view: "posts", action: "list", user: 9007199254740993n },
      "null",
    ];
    const ask = (gate) => checkAll(gate, cases);
    assert.deepEqual(ask(new worker.Gate(bytes)), ask(new edge.Gate(bytes)));
    // Refused alike, paths aside: serde reads a struct from an array by position (`$[0]`).
    for (const text of ["{bad", "[1]"]) {
      assert.throws(() => new worker.Gate(bytes).check(text), (e) => e instanceof worker.ContextError && e.code === "invalid_context" && e.path === "$");
    }
  });

  test("check with apiKeys (HasAPIKey's stated outcome) answers and refuses as the edge build", () => {
    // The Worker build's typed `check` carries `apiKeys` (the edge build reads it on its JSON
    // path): the same decisions, and the same refusals with the same codes and paths.
    const model = "rest_framework_api_key.APIKey";
    const bytes = new edge.Gate({
      authentication: ["token"],
      permissions: ["IsAuthenticated | HasAPIKey"],
      views: { widgets: { model: "shop.Widget" }, keyed: { permissions: ["HasAPIKey & IsAdminUser"] } },
    }).toCompiled();
    const list = { view: "widgets", action: "list" };
    const cases = [
      { ...list, apiKeys: { [model]: true } },
      { ...list, apiKeys: { [model]: false } },
      { ...list, apiKeys: { "other.Key": true } },
      { ...list, apiKeys: { HasAPIKey: true, [model]: false } },
      { ...list, apiKeys: {} },
      { ...list, apiKeys: null },
      { ...list, apiKeys: { [model]: true }, user: ann },
      { view: "keyed", action: "list", apiKeys: { [model]: true }, user: { ...ann, isStaff: true } },
      { view: "keyed", action: "list", apiKeys: { [model]: true }, user: ann, trace: true },
      JSON.stringify({ ...list, apiKeys: { [model]: true } }),
      `{"view":"widgets","action":"list","apiKeys":{"${model}":false,"${model}":true}}`,
      { ...list, apiKeys: { [model]: 1 } },
      { ...list, apiKeys: { [model]: true, "a.B": "yes" } },
      { ...list, apiKeys: [true] },
      { ...list, apiKeys: "yes" },
      { ...list, apiKeys: { [model]: new Date(0) } },
      { ...list, apiKeys: { toJSON: () => ({ [model]: true }) } },
      { ...list, apiKeys: { [model]: undefined } },
      { ...list, apiKeys: { ["\ud800"]: true } },
      { ...list, apiKeys: { [model]: true }, user: { ...ann, attributes: { "a\ud800b": 1 } } },
    ];
    const ask = (gate) => checkAll(gate, cases);
    const got = ask(new worker.Gate(bytes));
    assert.deepEqual(got, ask(new edge.Gate(bytes)));
    assert.equal(JSON.parse(got[0]).status, 200);
    assert.equal(JSON.parse(got[1]).status, 401);
    assert.deepEqual(got[11], ["ContextError", "invalid_context", `$.apiKeys.${model}`]);
  });

  test("verifies HS* only: a policy with an RS or ES key is refused at load, clearly, never misread", () => {
    const pem = (type, options) => generateKeyPairSync(type, options).publicKey.export({ type: "spki", format: "pem" });
    const keys = {
      RS256: pem("rsa", { modulusLength: 2048 }),
      ES256: pem("ec", { namedCurve: "P-256" }),
      ES384: pem("ec", { namedCurve: "P-384" }),
    };
    keys.RS384 = keys.RS256;
    keys.RS512 = keys.RS256;
    const jwtPolicy = (jwt) => ({ ...withMiddleware, settings: { jwt: { leeway: 5, ...jwt } } });
    for (const [algorithm, verifyingKey] of Object.entries(keys)) {
      const bytes = new edge.Gate(jwtPolicy({ algorithm, verifyingKey })).toCompiled();
      assert.ok(new edge.Gate(bytes), `the edge build loads ${algorithm}`);
      assert.throws(() => new worker.Gate(bytes), (e) => e instanceof worker.PolicyError && e.code === "invalid_settings" &&
        e.path === "$.settings.jwt.algorithm" && /`drf-gate`, not `drf-gate\/worker`/.test(e.message) && e.message.startsWith(algorithm.slice(0, 2)), algorithm);
      // Without a key no build verifies a token: both load it and answer (or refuse) alike.
      const keyless = new edge.Gate(jwtPolicy({ algorithm })).toCompiled();
      const request = { method: "GET", path: "/api/posts/", headers: { Host: "api.example.com", Authorization: "Bearer a.b.c" } };
      const outcome = (gate) => {
        try {
          return JSON.stringify(gate.checkRequestSync(request, { now: 1.7e9, resolvers }));
        } catch (e) {
          return JSON.stringify([e.name, e.code, e.path, e.message]);
        }
      };
      assert.equal(outcome(new worker.Gate(keyless)), outcome(new edge.Gate(keyless)), algorithm);
    }
    for (const algorithm of ["HS256", "HS384", "HS512"]) {
      assert.ok(new worker.Gate(new edge.Gate(jwtPolicy({ algorithm, signingKey: "k3y" })).toCompiled()), algorithm);
    }
  });
});
