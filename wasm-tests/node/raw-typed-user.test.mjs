// checkRequestSync's typed crossings (pkg/src/check-request.js `plainUser`, `syncStep`): a `userById`
// lookup comes as a number, a plain user record goes as typed parts (answerUserSync), and the
// step's user is rebuilt in JS when the core says it is that record unchanged. Every outcome
// (the step, or the error's name, code and message) must equal the JSON crossings': the handle
// path of checkRequestSync (a request that is not a plain record) and checkRequest.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";

import { loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
await esm.init();

const KEY = "drf-gate-typed-user-signing-key-0123456789";
const NOW = 1795315745;
const b64 = (s) => Buffer.from(s).toString("base64url");
function token(userIdText) {
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(`{"token_type":"access","exp":${NOW + 3600},"iat":${NOW - 60},"jti":"0123456789abcdef0123456789abcdef","user_id":${userIdText}}`);
  const sig = createHmac("sha256", KEY).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}
const policy = {
  authentication: ["jwt", "token"],
  permissions: ["IsAuthenticatedOrReadOnly", "DjangoModelPermissionsOrAnonReadOnly"],
  renderers: ["JSONRenderer"],
  settings: { jwt: { signingKey: KEY, checkUserIsActive: true } },
  views: { posts: { model: "blog.Post" } },
};
class NotPlain {}
const outcome = (fn) => {
  try {
    return JSON.stringify(fn());
  } catch (error) {
    return `${error.name} ${error.code} ${error.message}`;
  }
};
const outcomeAsync = async (fn) => {
  try {
    return JSON.stringify(await fn());
  } catch (error) {
    return `${error.name} ${error.code} ${error.message}`;
  }
};
const accessor = { username: "getter", isActive: true };
Object.defineProperty(accessor, "id", { enumerable: true, get: () => 1 });
const records = [
  { id: 1, username: "ann", isActive: true },
  { id: 1, username: "ann", isActive: false },
  { id: 1, username: "ann", isActive: true, isStaff: true, isSuperuser: true, tokenUser: true },
  { id: 1, permissions: ["blog.add_post", "", "é😀"], objectPermissions: null, attributes: {} },
  { id: 1, username: null, permissions: [] },
  { id: "1", username: "text pk" },
  { id: -0, username: "minus zero" },
  { id: 0 },
  { id: null },
  {},
  { username: "no id" },
  { id: 1.5 },
  { id: 2 ** 53 },
  { id: 1n },
  { id: 1, username: "lone \ud800" },
  { id: 1, permissions: ["a\uffffb"] },
  { id: 1, permissions: ["a\u0000b"] },
  { id: 1, username: "nul \u0000 inside", permissions: ["\u0000"] },
  { id: 1, permissions: ["a", 1] },
  { id: 1, permissions: "blog.add_post" },
  { id: 1, isActive: null },
  { id: 1, isActive: 1 },
  { id: 1, objectPermissions: ["change_post"] },
  { id: 1, objectPermissions: { 7: ["change_post"] } },
  { id: 1, attributes: { team: 3 } },
  { id: 1, email: "extra member" },
  { id: 1, username: "u", toJSON: () => ({ id: 2 }) },
  Object.assign(Object.create(null), { id: 1, username: "null prototype" }),
  Object.assign(new NotPlain(), { id: 1 }),
  accessor,
  { id: 1, username: "x".repeat(70 * 1024) },
  { id: 1, username: undefined, isStaff: undefined },
];
const claims = ["1", "0", "4294967295", "4294967296", "\"1\"", "1.0", "-1", "1e0", "9007199254740993"];

describe("checkRequestSync's typed crossings agree with the JSON crossings", () => {
  test("every claim and record, JWT and token, GET and POST", async () => {
    const gate = new esm.Gate(policy);
    let compared = 0;
    for (const record of records) {
      const resolvers = {
        userById: (_field, id) => (String(id) === "1" || String(id) === "0" || String(id) === "4294967295" ? record : null),
        token: () => record,
      };
      const asyncResolvers = { userById: async (...a) => resolvers.userById(...a), token: async () => record };
      for (const method of ["GET", "POST"]) {
        for (const authorization of [...claims.map((claim) => `Bearer ${token(claim)}`), "Token abc"]) {
          const request = () => ({ method, path: "/api/posts/", headers: { Authorization: authorization } });
          const options = { view: "posts", now: NOW, resolvers };
          const typed = outcome(() => gate.checkRequestSync(request(), options));
          const viaJson = outcome(() => gate.checkRequestSync(Object.assign(new NotPlain(), request()), options));
          const viaAsync = await outcomeAsync(() => gate.checkRequest(request(), { ...options, resolvers: asyncResolvers }));
          const what = `${JSON.stringify(record, (_, v) => (typeof v === "bigint" ? `${v}n` : v))?.slice(0, 80)} ${method} ${authorization.slice(0, 20)}`;
          assert.equal(typed, viaJson, what);
          assert.equal(typed, viaAsync, what);
          compared++;
        }
      }
    }
    assert.ok(compared > 500, `${compared}`);
  });

  test("the rebuilt user is the caller's own: a step's user is never shared", () => {
    const gate = new esm.Gate(policy);
    const record = { id: 1, username: "ann", permissions: ["blog.add_post"] };
    const options = { view: "posts", now: NOW, resolvers: { userById: () => record } };
    const request = { method: "POST", path: "/api/posts/", headers: { Authorization: `Bearer ${token("1")}` } };
    const one = gate.checkRequestSync(request, options);
    one.user.permissions.push("changed");
    one.user.attributes.changed = true;
    const two = gate.checkRequestSync(request, options);
    assert.deepEqual(two.user.permissions, ["blog.add_post"]);
    assert.deepEqual(two.user.attributes, {});
    assert.deepEqual(record.permissions, ["blog.add_post"]);
    assert.deepEqual(two.userLookup, { kind: "userById", field: "id", id: "1" });
  });
});
