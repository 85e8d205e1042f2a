// The hot paths through the package: `can` memoised per subject on the object fields the policy
// reads, and `check` status first (a packed decision, texts fetched once). Both builds (the JSON
// core and the browser runtime) against an oracle that takes none of these paths: `check` with
// `trace: true` is rendered whole by the core (the JSON path), and `can` is compared with it.
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
  authentication: ["token", "session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: {
    IsOwner: { hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user", message: "Not yours." },
    InTeam: { hasObjectPermission: "obj.team.id == 5 or request.user.has_perm('blog.change_post', obj)" },
    Level: { hasPermission: "request.user.level >= 2" },
  },
  views: {
    posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"] },
    teams: { model: "blog.Post", permissions: ["InTeam"] },
    tags: { permissions: ["IsAdminUser"], actions: ["list"] },
    levels: { permissions: ["Level"], actions: ["list"] },
  },
};
const json = new Gate(policy);
const makers = { "JSON core": () => new Gate(policy), "browser runtime": () => new runtimeApi.Gate(json.toCompiled()) };
const builds = Object.entries(makers).map(([name, make]) => [name, make()]);

const users = [null, { id: 3, username: "ann" }, { id: 4, isStaff: true }, { id: 9, objectPermissions: { 7: ["blog.change_post"] } }, { id: 10, objectPermissions: ["blog.change_post"] }];
const owners = [3, "3", 3.0, 3.5, null, true, undefined, [3], { id: 3 }, NaN, Infinity, -0, 0, 4];
const objects = [];
for (const owner of owners) {
  objects.push({ id: 7, owner }, { id: 8, owner, title: `t${String(owner)}` }, { pk: 7, owner, team: { id: 5 } });
  objects.push({ id: 7, owner, team: { id: owner } }, { id: 7, owner, team: owner }, { id: 7, owner, team: { id: 5, name: owner } });
}
objects.push(Object.assign(Object.create({ owner: 3 }), { id: 7 })); // inherited: JSON does not see it
objects.push({ id: 7, get owner() { return 3; } });
objects.push({ id: 7, owner: 3, toJSON: () => ({ id: 7, owner: 4 }) });
objects.push(Object.assign(Object.create(null), { id: 7, owner: 3 }));
objects.push({ id: 7, owner: new Number(3) }, { id: 7, owner: new String("3") });
objects.push(undefined);

// The oracle: `check` rendered whole (trace) as the JSON path renders it.
function oracle(gate, user, view, action, object) {
  const context = { view, action, user, trace: true };
  if (object !== undefined) context.object = object;
  try {
    return gate.check(context).allowed;
  } catch (error) {
    return `${error.name} ${error.code}`;
  }
}
function ask(gate, who, view, action, object) {
  try {
    return gate.can(who, view, action, object);
  } catch (error) {
    return `${error.name} ${error.code}`;
  }
}

describe("can: memoised per subject on the fields the policy reads", () => {
  for (const [name, gate] of builds) {
    test(`${name}: every subject, target and object variant, three rounds, as check decides`, () => {
      let compared = 0;
      for (const user of users) {
        const subject = user === null ? null : gate.subject(user);
        for (let round = 0; round < 3; round++) {
          for (const view of ["posts", "teams"]) {
            for (const action of ["list", "retrieve", "update", "destroy", "DELETE"]) {
              for (const object of round === 1 ? [...objects].reverse() : objects) {
                if (/^[A-Z]/.test(action)) continue;
                const want = oracle(json, user, view, action, object);
                assert.equal(ask(gate, subject, view, action, object), want, `${view}.${action} ${JSON.stringify(user)} ${String(JSON.stringify(object))}`);
                if (round === 0) assert.equal(ask(gate, user, view, action, object), want);
                compared++;
              }
            }
          }
        }
      }
      assert.ok(compared > 1000);
    });

    test(`${name}: a mutated object is read again (nothing is cached per object)`, () => {
      const subject = gate.subject({ id: 3 });
      const post = { id: 7, owner: 3 };
      assert.equal(gate.can(subject, "posts", "destroy", post), true);
      post.owner = 4;
      assert.equal(gate.can(subject, "posts", "destroy", post), false);
      post.owner = "3";
      assert.equal(gate.can(subject, "posts", "destroy", post), false);
      delete post.owner;
      assert.equal(gate.can(subject, "posts", "destroy", post), false);
      post.owner = 3;
      assert.equal(gate.can(subject, "posts", "destroy", post), true);
    });

    test(`${name}: fields the policy does not read are not read; many distinct objects stay answered`, () => {
      const subject = gate.subject({ id: 3 });
      assert.equal(gate.can(subject, "posts", "destroy", { id: 7, owner: 3, big: 10n }), true);
      for (let i = 0; i < 5000; i++) {
        assert.equal(gate.can(subject, "posts", "destroy", { id: i, owner: i % 7 === 0 ? 3 : 1000 + i }), i % 7 === 0);
      }
    });

    // can(plain user object): facts kept per user key, the snapshot compared on every call.
    test(`${name}: a plain user object changed in place is read again (no stale answer)`, () => {
      const fresh = makers[name]();
      const stats = { program: 0, wasm: 0, check: 0 };
      fresh[Symbol.for("drf-gate.canDiagnostics")]({ stats });
      const live = { id: 3, username: "ann" };
      const own = { id: 7, owner: 3 };
      const team = { id: 7, owner: 1, team: { id: 4 } };
      const steps = [
        () => {},
        () => (live.id = 4),
        () => (live.isStaff = true),
        () => delete live.isStaff,
        () => (live.id = 3),
        () => (live.isActive = false),
        () => (live.isActive = true),
        () => (live.id = "3"),
        () => (live.id = 3),
        () => (live.permissions = ["blog.change_post"]),
        () => live.permissions.pop(),
        () => live.permissions.push("blog.change_post"),
        () => (live.permissions[0] = "blog.view_post"),
        () => (live.isSuperuser = true),
        () => (live.isSuperuser = undefined),
        () => (live.tokenUser = true),
        () => delete live.tokenUser,
        () => (live.name = "x"), // a member the core refuses: the error, as before
        () => delete live.name,
        () => Object.defineProperty(live, "isStaff", { value: true, enumerable: false, configurable: true }),
        () => delete live.isStaff,
        () => (live.attributes = { level: 1, team: "a" }),
        () => (live.attributes.level = 2),
        () => (live.attributes.team = "a\ud800"), // the core refuses it: the error, as before
        () => (live.attributes.team = "a"),
        () => (live.attributes.level = "2"),
        () => (live.attributes.extra = { nested: 1 }), // not keyed: the wasm path
        () => delete live.attributes.extra,
        () => (live.attributes.level = -0),
        () => delete live.attributes,
      ];
      for (const step of steps) {
        step();
        const copy = JSON.parse(JSON.stringify(live));
        for (let again = 0; again < 2; again++) {
          for (const [view, action, object] of [["posts", "destroy", own], ["posts", "create"], ["teams", "update", team], ["tags", "list"], ["levels", "list"]]) {
            const want = oracle(json, copy, view, action, object);
            assert.equal(ask(fresh, live, view, action, object), want, `${view}.${action} ${JSON.stringify(live)}`);
          }
        }
      }
      // Most answers came from programs on the kept facts, not from wasm.
      assert.ok(stats.program > stats.wasm, `programs ${stats.program}, wasm ${stats.wasm}`);
      // Many users, each a new object each time: still exact (the path may rest).
      for (let i = 0; i < 20_000; i++) {
        const who = { id: i % 50 === 0 ? i : 3, isStaff: i % 3 === 0 };
        const got = fresh.can(who, "posts", "destroy", own);
        if (i % 101 === 0) assert.equal(got, oracle(json, who, "posts", "destroy", own));
        else assert.equal(got, who.id === 3 || who.isStaff);
      }
      fresh.free();
    });

    test(`${name}: a freed subject and a subject of another gate are refused even when memoised`, () => {
      const subject = gate.subject({ id: 3 });
      assert.equal(gate.can(subject, "posts", "list"), true);
      const other = makers[name]();
      assert.throws(() => other.can(subject, "posts", "list"), { name: "ContextError" });
      subject.free();
      assert.throws(() => gate.can(subject, "posts", "list"), { name: "ContextError" });
      other.free();
    });
  }
});

describe("check: status first, the same decision as the whole rendering", () => {
  const contexts = [];
  for (const user of users) {
    for (const action of ["list", "create", "retrieve", "update", "destroy"]) {
      for (const object of [undefined, null, { id: 7, owner: 3 }, { id: 7, owner: 4 }]) {
        for (const accept of [undefined, "application/json", "text/html", "application/xml"]) {
          const context = { view: "posts", action, user };
          if (object !== undefined) context.object = object;
          if (accept !== undefined) context.accept = accept;
          contexts.push(context);
        }
      }
    }
    contexts.push({ view: "posts", method: "PURGE", user }, { view: "tags", action: "list", user });
    contexts.push({ view: "posts", action: "create", authentication: { failed: { detail: "Invalid token.", code: "authentication_failed" } } });
    contexts.push({ view: "posts", action: "create", user, authentication: user === null ? { none: true } : { succeeded: "session" } });
  }
  for (const [name, gate] of builds) {
    test(`${name}: every field, every key order, JSON.stringify included`, () => {
      for (const context of contexts) {
        let fast, whole;
        try {
          fast = gate.check(context);
        } catch (error) {
          fast = `${error.name} ${error.code} ${error.path}`;
        }
        try {
          whole = { ...json.check({ ...context, trace: true }), trace: null };
        } catch (error) {
          whole = `${error.name} ${error.code} ${error.path}`;
        }
        assert.deepStrictEqual(fast, whole, JSON.stringify(context));
        assert.equal(JSON.stringify(fast), JSON.stringify(whole));
      }
    });
  }
});
