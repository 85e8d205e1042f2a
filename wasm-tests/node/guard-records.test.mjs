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

import { installedDir, loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
await esm.init();
const { createGuard, NOT_FOUND } = await import(pathToFileURL(join(installedDir, "dist", "guard.js")).href);
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_runtime_bg.wasm")) });

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
  const guard = createGuard({ policy: policy(kind), resolvers, authoritative: true, log: () => {} });
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
