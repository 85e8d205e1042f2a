// `check`'s fast path (pkg/src/check-resolved.js `checkResolved`): `{view, action, user, object}` resolved
// once per gate, the user and object encoded in one buffer, and decisions memoised on the user
// and the object fields the policy reads. On one gate, asked in several orders, every answer
// (errors included: name, code, path, message) must be the one the whole way gives: a context
// with another prototype never takes the fast path (the JSON core renders it from JSON text; the
// browser runtime from its typed fields).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { installedDir, loadEsm } from "./consumer.mjs";

const { Gate } = await loadEsm();
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_runtime_bg.wasm")) });

const policy = {
  authentication: ["session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: {
    IsOwner: { hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user", message: "Not yours." },
    Named: { hasPermission: "request.user.username == 'ann' or request.method in SAFE_METHODS" },
    InTeam: { hasObjectPermission: "obj.team.id == 5 or request.user.has_perm('blog.change_post', obj)" },
  },
  views: {
    posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"] },
    named: { model: "blog.Post", permissions: ["Named"] },
    teams: { model: "blog.Post", permissions: ["InTeam"] },
  },
};

const users = [
  undefined, null, {}, { id: 3 }, { id: "3" }, { id: 3.5 }, { id: -3 }, { id: null }, { id: NaN },
  { id: 3, username: "ann" }, { id: 3, username: "bob" }, { id: 3, username: null }, { id: 4, username: "ann" },
  { id: 3, isStaff: true }, { id: 3, isStaff: false }, { id: 3, isActive: false }, { id: 3, isActive: undefined },
  { id: 3, isSuperuser: true }, { id: 3, tokenUser: true }, { id: 3, permissions: ["blog.change_post"] },
  { id: 3, isStaff: "yes" }, { id: 3, username: 3 }, { id: 3, name: "x" }, { id: { pk: 3 } }, { id: [3] },
  { id: 3, username: "ann\ud800" }, { id: 3n }, { username: "ann", id: 3, isStaff: true, isActive: true, isSuperuser: false },
  Object.defineProperty({ id: 3 }, "isStaff", { value: true, enumerable: false }),
];
const objects = [
  undefined, null, {}, { id: 7, owner: 3 }, { id: 7, owner: "3" }, { id: 7, owner: 4 }, { owner: 3, title: "x" },
  { owner: 3, title: "\ud800" }, { owner: 3, extra: 5n }, { owner: 3, nested: { a: 1 } }, { owner: 3, long: "x".repeat(300) },
  { owner: 3, f() {} }, { owner: NaN }, { owner: -0 }, { owner: 0 }, { owner: true }, { owner: 1 }, { owner: "1" },
  { owner: undefined }, { owner: null }, { owner: [3] }, { owner: { id: 3 } }, { pk: 7, owner: 3, team: { id: 5 } },
  { id: 7, owner: 3, team: 5 }, { id: 8, team: { id: 4 } }, { id: "8", team: { id: 5, name: "x" } },
  Object.defineProperty({ id: 7 }, "owner", { value: 3, enumerable: false }),
  Object.assign(Object.create({ owner: 3 }), { id: 7 }),
  JSON.parse('{"__proto__": 3, "owner": 3}'), JSON.parse('{"owner": 3, "__proto__": {"owner": 4}}'),
];
const targets = [
  ["posts", "list"], ["posts", "create"], ["posts", "retrieve"], ["posts", "update"], ["posts", "destroy"],
  ["named", "list"], ["named", "update"], ["teams", "update"], ["posts", "nope"], ["nope", "list"],
];

const contexts = [];
for (const [view, action] of targets) {
  for (const user of users) {
    for (const object of objects) {
      const context = { view, action };
      if (user !== undefined) context.user = user;
      if (object !== undefined) context.object = object;
      contexts.push(context);
    }
  }
}
contexts.push({ view: "posts", action: "update", user: { id: 3 }, object: { owner: 3 }, lookupError: false, trace: false });
contexts.push({ view: "posts", action: "update", user: { id: 3 }, object: { owner: 3 }, accept: undefined, method: undefined });

function answer(gate, context) {
  try {
    return gate.check(context);
  } catch (error) {
    return `${error.name} ${error.code} ${error.path} ${error.message}`;
  }
}

// The same context with another prototype: JSON.stringify writes it alike, the fast path never
// takes it.
function wholeWay(context) {
  return Object.assign(Object.create({ toString: () => "context" }), context);
}

const json = new Gate(policy);
const builds = {
  "JSON core": () => new Gate(policy),
  "browser runtime": () => new runtimeApi.Gate(json.toCompiled()),
};

describe("check's fast path and memo answer as the whole way", () => {
  for (const [name, make] of Object.entries(builds)) {
    test(`${name}: ${contexts.length} contexts, three orders, one gate`, () => {
      const oracle = make();
      const expected = contexts.map((context) => answer(oracle, wholeWay(context)));
      const gate = make();
      const orders = [contexts.keys(), [...contexts.keys()].reverse(), contexts.map((_, i) => (i * 7919) % contexts.length)];
      for (const order of orders) {
        for (const i of order) {
          // Twice: the second answer is a memo hit (so the memo never rests here).
          for (let again = 0; again < 2; again++) {
            const got = answer(gate, contexts[i]);
            assert.deepStrictEqual(got, expected[i], `${name}: ${i} ${JSON.stringify(contexts[i], (k, v) => (typeof v === "bigint" ? `${v}n` : v))}`);
            if (typeof got === "object") assert.equal(JSON.stringify(got), JSON.stringify(expected[i]));
          }
        }
      }
      // Ever new objects: the memo misses, rests, and comes back; answers stay the whole way's.
      for (let i = 0; i < 30_000; i++) {
        const context = { view: "posts", action: "update", user: { id: i % 3 === 0 ? i : 1 }, object: { id: 7, owner: i } };
        if (i % 97 === 0 || i > 29_990) assert.deepStrictEqual(answer(gate, context), answer(oracle, wholeWay(context)));
        else answer(gate, context);
      }
      // A getter answering differently on each read never leaves an answer under another
      // context's key.
      let flip = false;
      const fickle = { id: 3, get isStaff() { return (flip = !flip); } };
      const owner = { get owner() { return (flip = !flip) ? 3 : 4; }, id: 7 };
      for (let i = 0; i < 6; i++) {
        answer(gate, { view: "posts", action: "update", user: fickle, object: { owner: 4 } });
        answer(gate, { view: "posts", action: "update", user: { id: 3 }, object: owner });
        for (const plain of [{ id: 3, isStaff: true }, { id: 3, isStaff: false }, { id: 3 }]) {
          for (const object of [{ owner: 3 }, { owner: 4 }, { id: 7, owner: 3 }, { id: 7, owner: 4 }]) {
            const context = { view: "posts", action: "update", user: plain, object };
            assert.deepStrictEqual(answer(gate, context), answer(oracle, wholeWay(context)));
          }
        }
      }
      // Fresh decision objects: changing one changes no later answer.
      const context = { view: "posts", action: "update", user: { id: 3 }, object: { owner: 3 } };
      const first = gate.check(context);
      first.headers.X = "y";
      first.status = 0;
      assert.deepStrictEqual(gate.check({ ...context }), answer(oracle, wholeWay(context)));
    });
  }
});

// `check` by steps (pkg/src/check-resolved.js `checkSteps`): per exact user and target, decisions kept by
// the index of the step that decides (src/compiled/program.rs `check_program`), so an object
// never seen is answered in JS. Ever new objects and users with permissions, against the whole
// way; the answers must come from the kept decisions (the diagnostics count them).
describe("check by steps answers as the whole way", () => {
  const stepsPolicy = {
    authentication: ["session", "basic"],
    permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"],
    classes: {
      IsOwner: { hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user", message: "Not yours." },
      Level: { hasObjectPermission: "obj.level < 3 or request.user.has_perm('blog.change_post')" },
    },
    views: {
      posts: { model: "blog.Post" },
      levels: { model: "blog.Post", permissions: ["IsAuthenticated", "DjangoModelPermissions", "Level"] },
    },
  };
  test("new objects, users with permissions: kept by step, same answers", () => {
    const oracle = new Gate(stepsPolicy);
    const gate = new Gate(stepsPolicy);
    const stats = { program: 0, wasm: 0, check: 0 };
    gate[Symbol.for("drf-gate.canDiagnostics")]({ stats });
    const people = [
      undefined, { id: 3, username: "ann" }, { id: 4, isStaff: true }, { id: 5, permissions: ["blog.change_post"] },
      { id: 6, permissions: ["blog.change_post", "blog.add_post"], isActive: false }, { id: "7", tokenUser: true },
      { id: 8, isSuperuser: true, objectPermissions: ["blog.change_post"] },
    ];
    let asked = 0;
    for (let i = 0; i < 6000; i++) {
      const user = people[i % people.length];
      const view = i % 3 === 0 ? "levels" : "posts";
      const action = ["retrieve", "update", "destroy", "list", "create"][i % 5];
      const object = { id: i, owner: i % 11 === 0 ? 3 : 1000 + i, level: i % 5, title: `Post ${i}` };
      const context = { view, action, object };
      if (user !== undefined) context.user = user;
      const got = answer(gate, context);
      if (i % 7 === 0 || i < 300) {
        asked++;
        const want = answer(oracle, wholeWay(context));
        assert.deepStrictEqual(got, want, JSON.stringify(context));
        assert.equal(JSON.stringify(got), JSON.stringify(want));
      }
    }
    assert.ok(asked > 1000);
    // Nearly all from the kept decisions: few (user, target, step) triples exist.
    assert.ok(stats.check > 5000, `answered by steps ${stats.check} times`);
  });
});

// A user member that is an array JSON.stringify does not write as its items (a toJSON of its
// own, another prototype) is not kept by its items: `can` and `check` answer for the JSON the
// whole way reads, on every call (the kept facts were made from a plain copy of the items).
describe("a user's array with a toJSON is read as its JSON", () => {
  const permsPolicy = {
    authentication: ["session"],
    permissions: ["IsAuthenticated"],
    views: { models: { model: "blog.Post", permissions: ["DjangoModelPermissions"] } },
  };
  const builds = {
    "JSON core": () => new Gate(permsPolicy),
    "browser runtime": () => new runtimeApi.Gate(new Gate(permsPolicy).toCompiled()),
  };
  const hidden = Object.assign(["blog.add_post"], { toJSON: () => [] });
  const shown = Object.assign([], { toJSON: () => ["blog.add_post"] });
  const proto = Object.setPrototypeOf(["blog.add_post"], Object.assign(Object.create(Array.prototype), { toJSON: () => [] }));
  for (const [name, make] of Object.entries(builds)) {
    test(`${name}: can and check of users whose permissions have a toJSON`, () => {
      const gate = make();
      const oracle = make();
      for (const permissions of [hidden, shown, proto, ["blog.add_post"], []]) {
        const user = { id: 3, permissions };
        const want = answer(oracle, wholeWay({ view: "models", action: "create", user }));
        for (let again = 0; again < 3; again++) {
          const label = `${name}: ${JSON.stringify(user)} (${again})`;
          assert.equal(gate.can(user, "models", "create"), want.allowed, label);
          assert.deepStrictEqual(answer(gate, { view: "models", action: "create", user }), want, label);
        }
      }
      assert.equal(answer(oracle, wholeWay({ view: "models", action: "create", user: { id: 3, permissions: hidden } })).allowed, false);
      assert.equal(answer(oracle, wholeWay({ view: "models", action: "create", user: { id: 3, permissions: shown } })).allowed, true);
    });
  }
});
