// pkg/README.md "Limits": one rule per limit on every path. The same user, object or context is
// decided, or refused with the same ContextError (name, code, path, message), by the JSON builds
// (edge, core; JSON and compiled policies), the browser runtime, `drf-gate/can` and
// `drf-gate/worker`, whether it crosses as JSON or encoded: 1 MiB of JSON as JSON.stringify writes
// it (escapes and UTF-16 units counted), and serde_json's nesting limit named at the innermost
// path. A raw request asking more lookups than the edge makes throws a typed ContextError.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { installedDir, loadEsm } from "./consumer.mjs";

const edge = await loadEsm();
const dist = (file) => import(pathToFileURL(join(installedDir, "dist", file)).href);
const core = await dist("web.js");
core.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_core_bg.wasm")) });
const runtime = await dist("runtime-node.mjs");
const worker = await dist("worker-node.mjs");
const can = await dist("can-node.mjs");

const LIMIT = 1024 * 1024;
const policy = {
  authentication: ["token"],
  permissions: ["IsAuthenticated"],
  classes: {
    Team: { hasPermission: "request.user.team == 'core'" },
    Own: { hasObjectPermission: "obj.body != '' and obj.owner == request.user" },
  },
  views: { posts: { permissions: ["IsAuthenticated", "Own"] }, teams: { permissions: ["Team"] } },
};
const compiled = new edge.Gate(policy).toCompiled();
const gates = {
  edge: new edge.Gate(policy),
  "edge (compiled)": new edge.Gate(compiled),
  core: new core.Gate(policy),
  runtime: new runtime.Gate(compiled),
  worker: new worker.Gate(compiled),
  can: new can.Gate(compiled),
};
const withCheck = Object.entries(gates).filter(([name]) => name !== "can");

// An answer, or the error as [name, code, path, message].
const outcome = (call) => {
  try {
    return JSON.stringify(call());
  } catch (error) {
    return [error.name, error.code, error.path, error.message];
  }
};
// The same outcome on every gate, returned.
function sameEverywhere(entries, call) {
  const outcomes = entries.map(([name, gate]) => [name, outcome(() => call(gate))]);
  for (const [name, got] of outcomes) assert.deepEqual(got, outcomes[0][1], `${name} against ${outcomes[0][0]}`);
  return outcomes[0][1];
}

// Text whose JSON needs every escape the length counts: control characters, quotes, two-byte,
// three-byte and four-byte (two UTF-16 units) characters.
const MIXED = "\u0001\n\"\\é€𝄞x";
// A user of exactly `length` characters of JSON (its attributes mixed text and numbers).
function userOf(length, extra = {}) {
  const user = { id: 3, ...extra, attributes: { team: "core", n: [-7, 1.5e-7, 18446744073709551615, 1e21, {}, []], s: "" } };
  const base = JSON.stringify(user, (_, v) => (typeof v === "bigint" ? Number(v) : v)).length;
  const unit = JSON.stringify(MIXED).length - 2;
  const times = Math.floor((length - base) / unit);
  user.attributes.s = MIXED.repeat(times) + "x".repeat(length - base - times * unit);
  return user;
}
const jsonLength = (value) => JSON.stringify(value).length;

describe("size: 1 MiB of JSON on every path", () => {
  test("a user of exactly 1 MiB of JSON is decided everywhere; one character more is refused alike", () => {
    const fits = userOf(LIMIT);
    assert.equal(jsonLength(fits), LIMIT);
    assert.equal(sameEverywhere(Object.entries(gates), (gate) => gate.can(fits, "teams", "list")), "true");
    const over = userOf(LIMIT + 1);
    assert.deepEqual(sameEverywhere(Object.entries(gates), (gate) => gate.can(over, "teams", "list")), [
      "ContextError", "invalid_context", "$.user", `${LIMIT + 1} characters long, more than the ${LIMIT} that may be checked`,
    ]);
    for (const call of [(gate) => gate.subject(over), (gate) => gate.permissionsFor(over, "teams")]) {
      assert.equal(sameEverywhere(Object.entries(gates), call)[2], "$.user");
    }
  });

  test("a user that crosses encoded in the JSON builds too (a BigInt id) is measured alike", () => {
    // 2^60 as a BigInt: its exact digits, as the JSON path writes it (as many as the Number's).
    const over = userOf(LIMIT + 1, { id: 2n ** 60n });
    assert.equal(sameEverywhere(Object.entries(gates), (gate) => gate.can(over, "teams", "list"))[3],
      `${LIMIT + 1} characters long, more than the ${LIMIT} that may be checked`);
  });

  test("an object of 2 MB in can: the same answer everywhere", () => {
    const object = { owner: 3, body: "x".repeat(2_000_000) };
    sameEverywhere(Object.entries(gates), (gate) => gate.can({ id: 3 }, "posts", "retrieve", object));
    sameEverywhere(Object.entries(gates), (gate) => gate.permissionsFor({ id: 3 }, "posts", object));
  });

  test("a check context is measured whole, as the JSON path measures it", () => {
    const context = (user) => ({ view: "teams", action: "list", user, authentication: { succeeded: "TokenAuthentication" } });
    const probe = context({ id: 3 });
    // The context's own members around the user.
    const around = jsonLength(probe) - jsonLength({ id: 3 });
    const fits = context(userOf(LIMIT - around));
    assert.equal(jsonLength(fits), LIMIT);
    assert.equal(JSON.parse(sameEverywhere(withCheck, (gate) => gate.check(fits))).status, 200);
    const over = context(userOf(LIMIT - around + 1));
    assert.deepEqual(sameEverywhere(withCheck, (gate) => gate.check(over)), [
      "ContextError", "invalid_context", "$", `the context is ${LIMIT + 1} characters long as JSON, more than the ${LIMIT} that may be checked`,
    ]);
    // 2 MB of object: under 4 MiB encoded, which the typed paths took before.
    const big = { ...context({ id: 3 }), view: "posts", action: "retrieve", object: { owner: 3, body: "x".repeat(2_000_000) } };
    assert.equal(sameEverywhere(withCheck, (gate) => gate.check(big))[2], "$");
  });
});

test("the encoding's JSON length is JSON.stringify's (value.js jsonLength), on 20,000 random values", async () => {
  const { encodeValue, jsonLength } = await dist("value.js");
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (list) => list[Math.floor(random() * list.length)];
  const text = () => Array.from({ length: Math.floor(random() * 6) }, () => pick(["a", "\u0000", "\u001f", "\b", "\t", '"', "\\", "é", "€", "𝄞", "\u2028", "\u007f"])).join("");
  const value = (depth) => {
    const r = random();
    if (depth > 4 || r < 0.3) return pick([null, true, false, 0, -1, 1.5, -2.5e-300, 1e21, 123456789, -9007199254740993, NaN, 2n ** 63n, text()]);
    const n = Math.floor(random() * 4);
    if (r < 0.6) return Array.from({ length: n }, () => (random() < 0.1 ? undefined : value(depth + 1)));
    return Object.fromEntries(Array.from({ length: n }, () => [text(), random() < 0.1 ? undefined : value(depth + 1)]));
  };
  for (let i = 0; i < 20000; i++) {
    const v = value(0);
    const json = JSON.stringify(v, (_, x) => (typeof x === "bigint" ? Number(x) : x));
    // A BigInt within 64 bits is its exact digits, as many as the Number's here (2^63).
    assert.equal(jsonLength(encodeValue(v)), json.length, json);
  }
});

describe("nesting: serde_json's limit, named at the innermost path", () => {
  const nested = (levels, array) => {
    let value = 1;
    for (let i = 0; i < levels; i++) value = array ? [value] : { a: value };
    return value;
  };
  for (const array of [false, true]) {
    test(`${array ? "arrays" : "objects"} in a user and an object: can, subject, check`, () => {
      for (const levels of [124, 125, 126, 127, 140]) {
        const user = { id: 3, attributes: { team: "core", d: nested(levels, array) } };
        const object = { owner: 3, d: nested(levels, array) };
        const outcomes = [
          sameEverywhere(Object.entries(gates), (gate) => gate.can(user, "teams", "list")),
          sameEverywhere(Object.entries(gates), (gate) => gate.subject(user)),
          sameEverywhere(Object.entries(gates), (gate) => gate.can({ id: 3 }, "posts", "retrieve", { ...object, body: "b" })),
          sameEverywhere(withCheck, (gate) => gate.check({ view: "teams", action: "list", user, authentication: { succeeded: "TokenAuthentication" } })),
          sameEverywhere(withCheck, (gate) => gate.check({ view: "posts", action: "retrieve", user: { id: 3 }, object, authentication: { succeeded: "TokenAuthentication" } })),
        ];
        // `can` refuses from 126 levels under a user's attributes (the 128th counting the user
        // and its attributes), `check` from 125 (counting the context too); each names the
        // refused array or object.
        const [canned, , , checked] = outcomes;
        if (levels >= 126) {
          assert.deepEqual(canned.slice(0, 2), ["ContextError", "invalid_context"]);
          assert.equal(canned[3], "recursion limit exceeded");
          assert.match(canned[2], array ? /^\$\.user\.attributes\.d(\[0\]){125}$/ : /^\$\.user\.attributes\.d(\.a){125}$/);
        } else {
          assert.equal(canned, "true");
        }
        if (levels >= 125) {
          assert.deepEqual(checked.slice(0, 2), ["ContextError", "invalid_context"]);
          assert.match(checked[2], array ? /^\$\.user\.attributes\.d(\[0\]){124}$/ : /^\$\.user\.attributes\.d(\.a){124}$/);
        } else {
          assert.equal(JSON.parse(checked).status, 200);
        }
      }
    });
  }
});

describe("lookups", () => {
  test("a request asking more lookups than the edge makes throws a typed ContextError", async () => {
    const classes = {};
    for (let i = 0; i < 40; i++) classes[`C${i}`] = { wwwAuthenticate: null };
    const custom = { authenticationClasses: classes, authentication: Object.keys(classes), permissions: ["IsAuthenticated"], views: { posts: {} }, routes: [{ pattern: "/api/posts/", view: "posts" }] };
    const request = { method: "GET", path: "/api/posts/", headers: { Host: "localhost" } };
    for (const gate of [new edge.Gate(custom), new worker.Gate(new edge.Gate(custom).toCompiled())]) {
      const expected = (error) => error instanceof edge.ContextError && error.name === "ContextError" && error.code === "invalid_request" && error.path === "$";
      assert.throws(() => gate.checkRequestSync(request, { resolvers: { custom: () => null } }), expected);
      await assert.rejects(gate.checkRequest(request, { resolvers: { custom: async () => null } }), expected);
    }
  });
});
