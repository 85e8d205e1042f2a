// Ids beyond 2^53 in contexts (a BigInt, or the context's JSON text): `check` decides them
// exactly on every path (the typed fast path, the JSON path, the browser runtime), and a
// stateless-JWT step's `user.id` comes back exact. Before, a BigInt was refused ("not
// representable as JSON") and JSON text was not a context, so 9007199254740993 could only cross
// as the Number 9007199254740992: another user.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import { installedDir, loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
await esm.init();
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_runtime_bg.wasm")) });

const KEY = "drf-gate-exact-ids-signing-key-0123456789";
const NOW = 1795315745;
const TWO_53 = 9007199254740992n;
const policy = {
  authentication: ["session", "jwtStateless"],
  permissions: ["IsAuthenticated"],
  classes: {
    IsTwo53Plus1: { hasPermission: "request.user.id == 9007199254740993" },
    IsOwner: { hasObjectPermission: "obj.owner == request.user.id" },
  },
  renderers: ["JSONRenderer"],
  settings: { jwt: { signingKey: KEY } },
  views: {
    big: { model: "blog.Post", permissions: ["IsTwo53Plus1"] },
    owned: { model: "blog.Post", permissions: ["IsOwner"] },
  },
  routes: [{ pattern: "/api/big/", view: "big" }],
};
const gate = new esm.Gate(policy);
const runtime = new runtimeApi.Gate(gate.toCompiled());

// [context, allowed]: the user id or the owner off by one from 2^53 + 1 is another user.
const cases = [
  [{ view: "big", action: "list", user: { id: TWO_53 + 1n } }, true],
  [{ view: "big", action: "list", user: { id: TWO_53 } }, false],
  [{ view: "big", action: "list", user: { id: TWO_53 + 2n } }, false],
  [{ view: "owned", action: "retrieve", user: { id: TWO_53 + 1n }, object: { owner: TWO_53 + 1n } }, true],
  [{ view: "owned", action: "retrieve", user: { id: TWO_53 + 1n }, object: { owner: TWO_53 } }, false],
  [{ view: "owned", action: "retrieve", user: { id: 2n ** 64n - 1n }, object: { owner: 18446744073709551615n } }, true],
  [{ view: "owned", action: "retrieve", user: { id: -(2n ** 63n) }, object: { owner: -(2n ** 63n) + 1n } }, false],
];
// The context's JSON text, ids as their digits.
const text = (context) => JSON.stringify(context, (_, v) => (typeof v === "bigint" ? `@${v}@` : v)).replace(/"@(-?\d+)@"/g, "$1");

describe("ids beyond 2^53 in contexts", () => {
  for (const [context, allowed] of cases) {
    const label = text(context);
    test(`check decides ${label} exactly on every path`, () => {
      // The typed fast path (a plain context), the JSON path (a trace is rendered whole), the
      // context's JSON text, and the browser runtime's encoded values.
      for (const [path, decide] of [
        ["typed", () => gate.check(context)],
        ["json", () => gate.check({ ...context, trace: true })],
        ["text", () => gate.check(text(context))],
        ["runtime", () => runtime.check(context)],
      ]) {
        const decision = decide();
        assert.equal(decision.allowed, allowed, `${path}: ${JSON.stringify(decision)}`);
      }
      // The same context with Numbers rounds the ids (the limitation BigInt lifts).
      const numbers = JSON.parse(text(context));
      if (Number.isSafeInteger(numbers.user.id)) assert.equal(gate.check(numbers).allowed, allowed);
    });
  }
  // `can` answers what `check` answers, in both builds: a plain user (each call), a Subject, and
  // objects the package extracts fields from or crosses whole (with `toJSON`, an array member).
  // Before, the Node build's `can` threw "not representable as JSON" on any BigInt.
  for (const [context, allowed] of cases) {
    test(`can answers ${text(context)} as check does, in both builds`, () => {
      const { view, action, user, object } = context;
      const objects = object === undefined ? [undefined] : [object, { toJSON: () => object }, { ...object, list: [object.owner] }];
      for (const [build, g] of [["node", gate], ["runtime", runtime]]) {
        const subject = g.subject(user);
        for (const value of objects) {
          assert.equal(g.check({ view, action, user, object: value }).allowed, allowed, `${build}: check`);
          for (let round = 0; round < 2; round++) {
            assert.equal(g.can(user, view, action, value), allowed, `${build}: can, plain user, round ${round}`);
            assert.equal(g.can(subject, view, action, value), allowed, `${build}: can, Subject, round ${round}`);
          }
        }
        assert.deepEqual(g.permissionsFor(user, view), g.permissionsFor(subject, view), `${build}: permissionsFor`);
        subject.free?.();
      }
    });
  }
  test("a user JSON cannot hold (a cycle) is refused by can as before", () => {
    const user = { id: TWO_53 + 1n };
    user.self = user;
    assert.throws(() => gate.can(user, "big", "list"), { name: "ContextError", code: "invalid_context" });
    assert.throws(() => gate.subject(user), { name: "ContextError", code: "invalid_context" });
  });
  test("a context text that is not a context is a ContextError", () => {
    assert.throws(() => gate.check("{"), { name: "ContextError", code: "invalid_context" });
    assert.throws(() => gate.check('"posts"'), { name: "ContextError", code: "invalid_context" });
  });
});

describe("a stateless-JWT step's user beyond 2^53", () => {
  const b64 = (s) => Buffer.from(s).toString("base64url");
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(`{"token_type":"access","exp":${NOW + 3600},"iat":${NOW - 60},"jti":"0123456789abcdef0123456789abcdef","user_id":9007199254740993}`);
  const sig = createHmac("sha256", KEY).update(`${head}.${body}`).digest("base64url");
  const request = { method: "GET", path: "/api/big/", headers: { Authorization: `Bearer ${head}.${body}.${sig}` } };
  test("checkRequestSync and checkRequest return the exact id, and decide on it", async () => {
    for (const step of [gate.checkRequestSync(request, { view: "big", now: NOW }), await gate.checkRequest(request, { view: "big", now: NOW })]) {
      assert.equal(step.decision.allowed, true, JSON.stringify(step.decision));
      assert.equal(step.user.id, TWO_53 + 1n);
    }
  });
});
