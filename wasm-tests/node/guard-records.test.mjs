// drf-gate/guard with a store that returns what is no user record: it forwards, never denies.
// A list is the case that decided: the core reads a struct from a JSON list field by field in
// declaration order (serde's rule), so `[]` was an authenticated user with no flags (DRF's 403
// at the edge) and a row of values (`[1, "ann", true, false]`, D1's `raw()`) was read by position.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { runInNewContext } from "node:vm";

import { consumerDir, installedDir, loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
await esm.init();
const { createGuard, NOT_FOUND } = await import(pathToFileURL(join(installedDir, "dist", "guard.js")).href);
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_runtime_bg.wasm")) });
const worker = await import(new URL("node_modules/drf-gate/dist/worker-node.mjs", `file://${consumerDir}/`).href);

const KEY = "drf-gate-guard-records-signing-key-0123";
const NOW = Math.floor(Date.now() / 1000);
const policy = (kind) => ({
  authentication: [{ userById: "jwt", token: "token", session: "session", knoxToken: "knox" }[kind]],
  permissions: ["IsAuthenticated", "IsAdminUser"],
  renderers: ["JSONRenderer"],
  settings: { jwt: { signingKey: KEY } },
  views: { posts: { model: "blog.Post" } },
  routes: [{ pattern: "/api/posts/", view: "posts" }],
});
const b64 = (s) => Buffer.from(s).toString("base64url");
function jwt() {
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(JSON.stringify({ token_type: "access", exp: NOW + 86400, iat: NOW - 60, jti: "0123456789abcdef", user_id: 1 }));
  return `${head}.${body}.${createHmac("sha256", KEY).update(`${head}.${body}`).digest("base64url")}`;
}
const credentials = {
  userById: { authorization: `Bearer ${jwt()}` },
  token: { authorization: "Token 0123456789abcdef0123456789abcdef01234567" },
  session: { cookie: "sessionid=abc" },
  knoxToken: { authorization: `Token ${"a".repeat(64)}` },
};

async function decide(kind, value) {
  const resolvers = { [kind]: () => (kind === "knoxToken" ? { user: value, expiry: null } : value) };
  const guard = createGuard({ policy: policy(kind), resolvers, authoritative: true, recordsCurrent: true, log: () => {} });
  const request = new Request("https://api.test/api/posts/", { headers: credentials[kind] });
  const result = await guard(request, {}, {});
  return result.action === "respond" ? `respond ${result.response.status}` : `forward ${result.reason}`;
}

describe("the guard forwards a store's answer that is no user record", () => {
  for (const kind of Object.keys(credentials)) {
    test(`${kind}: lists forward; records decide`, async () => {
      // The records decide at the edge (so the lists below are answered only if misread).
      assert.equal(await decide(kind, { id: 1, username: "ann" }), "respond 403");
      assert.equal(await decide(kind, { id: 1, isActive: true, isStaff: true }), "forward allowed");
      // No such row: 401 (a session's: the anonymous user, 403).
      if (kind !== "knoxToken") assert.equal(await decide(kind, NOT_FOUND), kind === "session" ? "respond 403" : "respond 401");
      for (const list of [[], [1], [1, "ann", true, false], [1, null, true, true]]) {
        assert.equal(await decide(kind, list), "forward unknown-lookup", `${kind}: ${JSON.stringify(list)}`);
      }
    });
  }
});

// A store answering a Map, a Date, a class instance or a plain object with `toJSON`: the core
// reads its JSON (`{}` for a Map: before, an authenticated user with no id, DRF's 403 at the
// edge), so it is forwarded; a plain object of another realm or with no prototype decides.
class UserRow {
  constructor() {
    this.username = "ann";
  }
  get id() {
    return 1;
  }
  get isStaff() {
    return true;
  }
}
const notPlain = () => [
  ["Map", new Map([["id", 1], ["username", "ann"]])],
  ["Set", new Set([1])],
  ["Date", new Date(0)],
  ["class instance", new UserRow()],
  ["toJSON", { id: 1, toJSON: () => ({ id: 1, isStaff: true, isActive: true }) }],
];
describe("the guard forwards a store's answer it cannot read exactly", () => {
  for (const kind of Object.keys(credentials)) {
    test(`${kind}: non-plain objects forward; plain ones of any realm decide`, async () => {
      for (const [name, value] of notPlain()) {
        assert.equal(await decide(kind, value), "forward unknown-lookup", `${kind}: ${name}`);
      }
      assert.equal(await decide(kind, Object.assign(Object.create(null), { id: 1 })), "respond 403");
      assert.equal(await decide(kind, runInNewContext("({ id: 1, username: 'ann' })")), "respond 403");
    });
  }
  test("knoxToken: a row that is itself no plain object forwards", async () => {
    const resolvers = { knoxToken: () => new Map([["user", { id: 1 }], ["expiry", null]]) };
    const guard = createGuard({ policy: policy("knoxToken"), resolvers, authoritative: true, recordsCurrent: true, log: () => {} });
    const result = await guard(new Request("https://api.test/api/posts/", { headers: credentials.knoxToken }), {}, {});
    assert.equal(`${result.action} ${result.reason}`, "forward unknown-lookup");
  });
  test("apiKey: a row that is no plain object forwards", async () => {
    const apiPolicy = { ...policy("token"), authentication: ["token"], permissions: ["HasAPIKey"] };
    for (const [name, value] of notPlain()) {
      const guard = createGuard({ policy: apiPolicy, resolvers: { apiKey: () => value }, authoritative: true, recordsCurrent: true, log: () => {} });
      const request = new Request("https://api.test/api/posts/", { headers: { authorization: "Api-Key Ab12Cd34.s3cret" } });
      const result = await guard(request, {}, {});
      assert.equal(`${result.action} ${result.reason}`, "forward unknown-lookup", name);
    }
  });
});

// The same lists anywhere a user is read: refused in every build and on every path, with the JSON
// path's error (before, `[1, "ann", false, true]` was decided as staff user 1).
describe("a user given as a list is refused, never read by position", () => {
  const listPolicy = {
    authentication: ["token"],
    permissions: ["IsAdminUser"],
    renderers: ["JSONRenderer"],
    views: { posts: { model: "blog.Post" } },
    routes: [{ pattern: "/api/posts/", view: "posts" }],
  };
  const refused = (call) => {
    try {
      return `answered ${JSON.stringify(call())}`;
    } catch (error) {
      return `${error.name} ${error.code} ${error.path} ${error.message}`;
    }
  };
  const json = new esm.Gate(listPolicy);
  const gates = { edge: json, "edge, compiled": new esm.Gate(json.toCompiled()), runtime: new runtimeApi.Gate(json.toCompiled()) };
  for (const [name, gate] of Object.entries(gates)) {
    test(`${name}: check and can`, () => {
      for (const list of [[], [1, "ann", false, true]]) {
        const want = "ContextError invalid_context $.user invalid type: sequence, expected struct UserInput";
        assert.equal(refused(() => gate.check({ view: "posts", action: "list", user: list })), want, JSON.stringify(list));
        assert.equal(refused(() => gate.can(list, "posts", "list")), want, JSON.stringify(list));
        if (name !== "runtime") {
          const answered = refused(() =>
            gate.checkRequestSync({ method: "GET", path: "/api/posts/", headers: { Authorization: "Token abc" } }, { resolvers: { token: () => list } }));
          assert.match(answered, /^ContextError invalid_context \$\.answer\.user invalid type: sequence, expected struct UserInput$/, JSON.stringify(list));
        }
      }
    });
  }
});

// Every struct a caller sends is read from a JSON object only (src/json_object.rs): a context or
// a raw request given as a list was read field by field in declaration order (the JSON core
// answered `["posts", "list"]` with DRF's 401 where the browser runtime refused it).
describe("a context or a raw request given as a list is refused in every build", () => {
  const listPolicy = {
    authentication: ["token"],
    permissions: ["IsAuthenticated"],
    renderers: ["JSONRenderer"],
    views: { posts: { model: "blog.Post" } },
    routes: [{ pattern: "/api/posts/", view: "posts" }],
  };
  const refused = (call) => {
    try {
      return `answered ${JSON.stringify(call()).slice(0, 60)}`;
    } catch (error) {
      return `${error.name} ${error.code} ${error.path} ${error.message}`;
    }
  };
  const json = new esm.Gate(listPolicy);
  const bytes = json.toCompiled();
  const gates = {
    edge: json,
    "edge, compiled": new esm.Gate(bytes),
    runtime: new runtimeApi.Gate(bytes),
    worker: new worker.Gate(bytes),
  };
  for (const [name, gate] of Object.entries(gates)) {
    test(`${name}: check`, () => {
      for (const list of [["posts", "list"], []]) {
        assert.equal(refused(() => gate.check(list)), "ContextError invalid_context $ invalid type: sequence, expected struct Context");
      }
      assert.match(refused(() => gate.check({ view: "posts", action: "list" })), /^answered .*"status":401/);
    });
    if (name === "runtime") continue;
    test(`${name}: checkRequestSync`, () => {
      const list = ["GET", "https://api.test/api/posts/", { authorization: "Token abc" }];
      const got = refused(() => gate.checkRequestSync(list, { resolvers: { token: () => null } }));
      assert.equal(got, "ContextError invalid_context $.request invalid type: sequence, expected struct RawRequestInput");
      const answered = refused(() => gate.checkRequestSync({ method: "GET", url: list[1], headers: list[2] }, { resolvers: { token: () => null } }));
      assert.match(answered, /^answered .*"status":401/);
    });
  }
});

// A value that throws while it is read (a getter, a toJSON) is the caller's own exception on every
// path and in every build: the JSON core's JSON path (a trace, a context that is no plain object)
// made it a ContextError ("the context is not representable as JSON") where the others let it through.
describe("an exception the caller's value throws reaches the caller as it is", () => {
  const throwingPolicy = {
    authentication: ["token"],
    permissions: ["IsAuthenticated"],
    renderers: ["JSONRenderer"],
    views: { posts: { model: "blog.Post" } },
    routes: [{ pattern: "/api/posts/", view: "posts" }],
  };
  class Boom extends RangeError {}
  const user = () => ({ username: "ann", get id() { throw new Boom("boom"); } });
  const thrown = (call) => {
    try {
      return `answered ${JSON.stringify(call()).slice(0, 40)}`;
    } catch (error) {
      return error instanceof Boom ? "Boom" : `${error.name} ${error.code} ${error.message}`;
    }
  };
  const json = new esm.Gate(throwingPolicy);
  const bytes = json.toCompiled();
  const gates = { edge: json, "edge, compiled": new esm.Gate(bytes), runtime: new runtimeApi.Gate(bytes), worker: new worker.Gate(bytes) };
  for (const [name, gate] of Object.entries(gates)) {
    test(name, () => {
      assert.equal(thrown(() => gate.check({ view: "posts", action: "list", user: user() })), "Boom", "check");
      assert.equal(thrown(() => gate.check({ view: "posts", action: "list", user: user(), trace: true })), "Boom", "check with trace");
      const context = Object.assign(Object.create({ kind: "context" }), { view: "posts", action: "list", user: user() });
      assert.equal(thrown(() => gate.check(context)), "Boom", "a context that is no plain object");
      assert.equal(thrown(() => gate.can(user(), "posts", "list")), "Boom", "can");
      // What JSON cannot hold stays a ContextError.
      const cyclic = { view: "posts", action: "list", trace: true, user: { id: 1, attributes: {} } };
      cyclic.user.attributes.self = cyclic.user.attributes;
      assert.match(thrown(() => gate.check(cyclic)), /^ContextError invalid_context .*not representable as JSON$/, "a cycle");
    });
  }
});
