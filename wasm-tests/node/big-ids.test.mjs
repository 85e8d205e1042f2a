// User ids beyond 2^53 through the package: simplejwt's `User.objects.get(id=<user_id claim>)`
// must look up the exact pk (JSON.parse would round 9007199254740993 to 9007199254740992, another
// user), and a record must come back with the exact pk, or the edge forwards. Real DRF agrees in
// conformance (edge:big-ids); these tests pin the package's side: the resolver's argument, BigInt
// records on every answer path (typed sync, handle sync, async, the guard), and a rounded record.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import { installedDir, loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
await esm.init();
const { createGuard, NOT_FOUND } = await import(pathToFileURL(join(installedDir, "dist", "guard.js")).href);

const KEY = "drf-gate-big-ids-signing-key-0123456789";
const NOW = 1795315745;
const TWO_53 = 9007199254740992n;
const policy = {
  authentication: ["jwt"],
  permissions: ["IsAuthenticated", "IsBig"],
  classes: { IsBig: { hasPermission: "request.user.id == 9007199254740993" } },
  renderers: ["JSONRenderer"],
  settings: { jwt: { signingKey: KEY } },
  views: { posts: { model: "blog.Post" } },
  routes: [{ pattern: "/api/posts/", view: "posts" }],
};
const b64 = (s) => Buffer.from(s).toString("base64url");
// The payload as text: the claim's digits exactly as simplejwt writes them.
function token(userIdText) {
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(`{"token_type":"access","exp":${NOW + 3600},"iat":${NOW - 60},"jti":"0123456789abcdef0123456789abcdef","user_id":${userIdText}}`);
  const sig = createHmac("sha256", KEY).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}
const request = (userIdText, extra = {}) => ({
  method: "GET", path: "/api/posts/", headers: { Authorization: `Bearer ${token(userIdText)}`, ...extra },
});
// A store keyed by the exact pk's text, as a KV namespace is.
const rows = new Map([
  [String(TWO_53), { id: TWO_53, username: "two53", isActive: true }],
  [String(TWO_53 + 1n), { id: TWO_53 + 1n, username: "two53plus1", isActive: true }],
]);
const exact = (seen) => ({
  userById: (field, id) => {
    seen.push(id);
    return rows.get(String(id)) ?? null;
  },
});
// The same store read as a KV `"json"` value: JSON.parse rounds the pk.
const rounded = {
  userById: (field, id) => {
    const row = rows.get(String(id));
    return row ? JSON.parse(JSON.stringify({ ...row, id: Number(row.id) })) : null;
  },
};
const gate = new esm.Gate(policy);
const paths = {
  // typed synchronous path (requestSync + answerRequestSync)
  sync: (req, resolvers) => gate.checkRequestSync(req, { view: "posts", now: NOW, resolvers }),
  // the handle (startRequest + answer): a header the typed form does not take is not needed;
  // checkRequest always goes through it.
  async: (req, resolvers) => gate.checkRequest(req, { view: "posts", now: NOW, resolvers }),
};

describe("user ids beyond 2^53", () => {
  for (const [name, check] of Object.entries(paths)) {
    test(`${name}: the resolver gets the exact id, and the exact record decides`, async () => {
      const seen = [];
      const plus1 = await check(request("9007199254740993"), exact(seen));
      assert.deepEqual(seen, [TWO_53 + 1n]);
      assert.equal(typeof seen[0], "bigint");
      assert.equal(plus1.decision.status, 200, JSON.stringify(plus1.decision));
      assert.equal(plus1.userLookup.id, "9007199254740993");
      const two53 = await check(request("9007199254740992"), exact([]));
      assert.equal(two53.decision.status, 403); // IsBig: request.user.id == 2^53 + 1 is False
      // Before the fix the resolver got 9007199254740992 and this decided as user 2^53.
      const missing = await check(request("9007199254740995"), exact([]));
      assert.equal(missing.decision.status, 401);
      assert.match(missing.decision.body, /user_not_found/);
      // A small id is still a number.
      const small = [];
      await check(request("7"), exact(small));
      assert.deepEqual(small, [7]);
      // A string claim stays a string.
      const text = [];
      await check(request('"9007199254740993"'), exact(text));
      assert.deepEqual(text, ["9007199254740993"]);
    });

    test(`${name}: a record whose pk was rounded is not decided on (forwarded)`, async () => {
      const step = await check(request("9007199254740993"), rounded);
      assert.equal(step.decision, undefined);
      assert.equal(step.forward.reason, "unknown-lookup");
      // Any pk beyond 2^53 as a number is ambiguous (2^53 + 1 reads as 2^53): forwarded too.
      assert.equal((await check(request("9007199254740992"), rounded)).forward.reason, "unknown-lookup");
      // Other lookups alike: a Token user whose pk lost its last digits is not decided on.
      const token = await new esm.Gate({ ...policy, authentication: ["token"] }).checkRequest(
        { method: "GET", path: "/api/posts/", headers: { Authorization: "Token abc" } },
        { view: "posts", now: NOW, resolvers: { token: () => ({ id: 9007199254740992, isActive: true }) } });
      assert.equal(token.forward.reason, "unknown-lookup");
    });

    test(`${name}: a BigInt elsewhere in a record crosses exactly; the marker is never guessed`, async () => {
      const resolvers = {
        userById: (field, id) => ({ id, username: "x", isActive: true, attributes: { big: 123456789012345678901234567890n } }),
      };
      assert.equal((await check(request("9007199254740993"), resolvers)).decision.status, 200);
      const marker = { userById: (field, id) => ({ id, username: "\ud800bigint:0", isActive: true }) };
      await assert.rejects(async () => check(request("9007199254740993"), marker), (error) => error.name === "ContextError");
    });
  }

  test("the guard: exact id to the resolver, exact records decide, rounded records forwarded", async () => {
    const seen = [];
    // The guard's "no such row" is NOT_FOUND (null is "not known here").
    const resolvers = { userById: (field, id) => exact(seen).userById(field, id) ?? NOT_FOUND };
    const guard = createGuard({ policy, resolvers, authoritative: true, recordsCurrent: true, now: NOW, log: () => {} });
    const call = (userIdText) =>
      guard(new Request("https://api.example.com/api/posts/", { headers: { Authorization: `Bearer ${token(userIdText)}` } }), {}, {});
    const plus1 = await call("9007199254740993");
    assert.equal(plus1.action, "forward");
    assert.equal(plus1.reason, "allowed");
    assert.deepEqual(seen, [TWO_53 + 1n]);
    const two53 = await call("9007199254740992");
    assert.equal(two53.action, "respond");
    assert.equal(two53.response.status, 403);
    const missing = await call("9007199254740995");
    assert.equal(missing.action, "respond");
    assert.equal(missing.response.status, 401);
    const lossy = createGuard({ policy, resolvers: rounded, authoritative: true, recordsCurrent: true, now: NOW, log: () => {} });
    const forwarded = await lossy(
      new Request("https://api.example.com/api/posts/", { headers: { Authorization: `Bearer ${token("9007199254740993")}` } }), {}, {});
    assert.equal(forwarded.action, "forward");
    assert.equal(forwarded.reason, "unknown-lookup");
    // The object stage: an owner pk beyond 2^53 read as a number may be rounded (owner 2^53 + 1
    // read as 2^53 would deny its owner): the origin decides.
    const owned = { ...policy, permissions: ["IsAuthenticated"], classes: { IsOwner: { hasObjectPermission: "obj.owner == request.user.id" } },
      views: { posts: { model: "blog.Post", permissions: ["IsOwner"] } }, routes: [{ pattern: "/api/posts/{pk}/", view: "posts", detail: true }] };
    const objects = (owner) => createGuard({ policy: owned, resolvers, authoritative: true, recordsCurrent: true, now: NOW, log: () => {}, loadObject: () => ({ id: 1, owner }) });
    const detail = (g) => g(new Request("https://api.example.com/api/posts/1/", { headers: { Authorization: `Bearer ${token("9007199254740993")}` } }), {}, {});
    assert.equal((await detail(objects(9007199254740992))).reason, "object-pending");
    assert.equal((await detail(objects(7))).response?.status, 403);
    // A TokenUser's pk beyond 2^53 comes back exact (a BigInt in the step), so loadObject's
    // object is decided on it (before, the rounded step forwarded the object stage unasked); an
    // owner read as an unsafe Number may be rounded: the origin decides.
    let asked = 0;
    const stateless = (owner) => createGuard({ policy: { ...owned, authentication: ["jwtStateless"] }, resolvers, recordsCurrent: ["object"], now: NOW, log: () => {},
      loadObject: (request) => { asked++; assert.equal(request.user.id, TWO_53 + 1n); return { id: 1, owner }; } });
    assert.equal((await detail(stateless(7))).response?.status, 403);
    assert.equal((await detail(stateless(9007199254740992))).reason, "object-pending");
    assert.equal(asked, 2);
  });
});
