// `can` programs (src/compiled/program.rs lowers, pkg/src/program.js evaluates): they answer the
// hot path for subjects in both builds, answer as `check` does, ask wasm for what they do not
// cover, keep `can`'s documented errors, are CSP-safe, and a corrupted program is caught by the
// same comparison the conformance replay makes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { installedDir, loadEsm } from "./consumer.mjs";

const { Gate } = await loadEsm();
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_runtime_bg.wasm")) });

const DIAGNOSTICS = Symbol.for("drf-gate.canDiagnostics");

const policy = {
  authentication: ["session"],
  permissions: ["IsAuthenticatedOrReadOnly", "IsOwnerOrReadOnly | IsAdminUser"],
  classes: {
    IsOwnerOrReadOnly: { hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user" },
    Team: { hasObjectPermission: "request.user.team == obj.team" },
    Draft: { hasObjectPermission: "obj.status in ('draft', 'review') and obj.words < 1000" },
  },
  views: {
    posts: { model: "blog.Post", actions: ["list", "create", "retrieve", "update", "destroy"] },
    teams: { model: "blog.Post", permissions: ["Team"], actions: ["list", "retrieve", "destroy"] },
    drafts: { model: "blog.Post", permissions: ["Draft"], actions: ["list", "retrieve", "destroy"] },
  },
};
const json = new Gate(policy);
const makers = { "JSON core": () => new Gate(policy), "browser runtime": () => new runtimeApi.Gate(json.toCompiled()) };

const users = [null, { id: 3 }, { id: 4, isStaff: true }, { id: "3" }, { id: 3, tokenUser: true }, { id: 3, isActive: false },
  { id: 3, attributes: { team: "red" } }];
const objects = [undefined, { owner: 3 }, { owner: "3" }, { owner: 4 }, { owner: true }, { owner: null }, {}, { owner: { id: 3 } },
  { owner: 3.0 }, { owner: 1e300 }, { team: "red", status: "draft", words: 10 },
  { status: "review", words: 1000 }, { status: "draft", words: "10" }, { status: "live" }];

function oracle(user, view, action, object) {
  const context = { view, action, user, trace: true };
  if (object !== undefined) context.object = object;
  try {
    return json.check(context).allowed;
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

// Every (subject, view, action, object) through `can`, compared with `check`; the counts.
function sweep(gate) {
  const stats = { program: 0, wasm: 0 };
  gate[DIAGNOSTICS]({ stats });
  let wrong = 0;
  for (const user of users) {
    const subject = user === null ? null : gate.subject(user);
    for (const view of ["posts", "teams", "drafts"]) {
      for (const action of gate.actions(view)) {
        for (const object of objects) {
          const got = ask(gate, subject, view, action, object);
          const want = oracle(user, view, action, object);
          if (got !== want && wrong++ < 5) {
            console.log(`can(${JSON.stringify(user)}, ${view}, ${action}, ${String(JSON.stringify(object))}): ${got}, check: ${want}`);
          }
        }
      }
    }
  }
  gate[DIAGNOSTICS]({});
  return { wrong, ...stats };
}

describe("can programs", () => {
  for (const [name, make] of Object.entries(makers)) {
    test(`${name}: programs answer as check does, and ask wasm for the rest`, () => {
      const { wrong, program, wasm } = sweep(make());
      assert.equal(wrong, 0);
      assert.ok(program > 400, `programs answered ${program}`);
      // A custom user attribute, nested objects, lone surrogates, ints beyond 2^53: wasm answers.
      assert.ok(wasm > 20 && wasm < program, `wasm answered ${wasm}`);
    });

    test(`${name}: one corrupted op is caught by the comparison`, () => {
      const gate = make();
      // `obj.owner == request.user` made `!=` (src/compiled/program.rs: USER_EQ 9, USER_NE 10).
      gate[DIAGNOSTICS]({ transform: (code) => code.map((op) => (op === 9 ? 10 : op)) });
      const subject = gate.subject({ id: 3 });
      assert.equal(gate.can(subject, "posts", "destroy", { owner: 3 }), false);
      assert.equal(oracle({ id: 3 }, "posts", "destroy", { owner: 3 }), true);
    });

    test(`${name}: a read string with a lone surrogate is refused, as before`, () => {
      const gate = make();
      const subject = gate.subject({ id: 3 });
      for (const [view, action, object] of [["posts", "destroy", { owner: "\ud800" }], ["drafts", "retrieve", { status: "\ud800", words: 1 }]]) {
        // An error, as before programs (the runtime's encoder throws its own TypeError).
        assert.equal(typeof ask(gate, subject, view, action, object), "string");
        assert.equal(oracle({ id: 3 }, view, action, object), "ContextError invalid_context");
      }
    });

    test(`${name}: the object-independent answers never read the object`, () => {
      const gate = make();
      const subject = gate.subject({ id: 3 });
      const object = {
        get owner() {
          throw new Error("read");
        },
      };
      assert.equal(gate.can(subject, "posts", "list", object), true);
      assert.equal(gate.can(subject, "posts", "create", object), true);
      assert.equal(gate.can(null, "posts", "create", object), false);
    });

    test(`${name}: can's errors are kept`, () => {
      const gate = make();
      const subject = gate.subject({ id: 3 });
      assert.throws(() => gate.can(subject, "nope", "list"), { name: "ContextError", code: "unknown_view" });
      assert.throws(() => gate.can(subject, "posts", "destory"), { name: "ContextError", code: "unknown_action" });
      assert.throws(() => gate.can(subject, "posts", 3), { name: "ContextError" });
      assert.equal(gate.can(null, "posts", "list"), true);
      assert.equal(gate.can(undefined, "posts", "update", { owner: 3 }), false);
      assert.equal(gate.can({ id: 3 }, "posts", "update", { owner: 3 }), true);
      const other = make();
      assert.throws(() => other.can(subject, "posts", "list"), { name: "ContextError" });
      subject.free();
      assert.throws(() => gate.can(subject, "posts", "list"), { name: "ContextError" });
      gate.free();
      assert.throws(() => gate.can(null, "posts", "list"), { name: "ContextError" });
      other.free();
    });
  }

  test("CSP-safe: the interpreter and the API compile no code at run time", () => {
    for (const file of ["program.js", "gate.js", "check-resolved.js", "check-request.js", "user.js"]) {
      // The code, without its comments (which say what it does not do).
      const source = readFileSync(join(installedDir, "dist", file), "utf8").replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, "");
      assert.doesNotMatch(source, /\beval\s*\(|new\s+Function\b|\bFunction\s*\(/, file);
    }
  });
});

describe("userFacts", () => {
  // `can` and `check` by steps take a plain user's facts from `core.userFacts(encoded user)` (one
  // crossing, the binary decoder in the edge and core builds); they must be the facts of that
  // user's Subject (`subjectFacts(subject(user))`, serde in the JSON builds), refusals included.
  // The browser runtime has no `userFacts` (size): its gate.js takes that Subject's facts itself.
  test("the facts of an encoded user are its Subject's, in the edge and core builds (the runtime has no userFacts)", async () => {
    const { encodeValue } = await import(pathToFileURL(join(installedDir, "dist", "value.js")).href);
    const edge = await import(pathToFileURL(join(installedDir, "dist", "drf_gate.js")).href);
    const core = await import(pathToFileURL(join(installedDir, "dist", "drf_gate_core.js")).href);
    core.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_core_bg.wasm")) });
    const runtime = await import(pathToFileURL(join(installedDir, "dist", "drf_gate_runtime.js")).href);
    const users = [
      null, {}, { id: 3 }, { id: "3" }, { id: 3.5 }, { id: -0 }, { id: 2 ** 53 + 2 }, { id: 3, username: "ann" },
      { id: 3, isStaff: true, isSuperuser: true }, { id: 3, isActive: false }, { id: 3, tokenUser: true },
      { id: 3, permissions: ["blog.change_post", "blog.delete_post", "blog.change_post"] },
      { id: 3, permissions: [] }, { id: 3, attributes: { team: "red", n: 1 } }, { id: null }, { id: true },
      { id: 3, isStaff: "yes" }, { id: 3, permissions: "blog.change_post" }, { id: 3, permissions: [1] }, { id: 3, unknown: 1 },
      { username: "nobody" }, { id: "\u00e9\u{1f600}", username: "\u{1f600}" },
    ];
    // The facts name the permissions the policy asks for: one view asks for model permissions.
    const withPerms = { ...policy, views: { ...policy.views, models: { model: "blog.Post", permissions: ["DjangoModelPermissions"], actions: ["list", "create", "update"] } } };
    const cores = {
      edge: new edge.GateCore(withPerms),
      core: new core.GateCore(withPerms),
      runtime: new runtime.GateCore(new Gate(withPerms).toCompiled()),
    };
    const answer = (run) => {
      try {
        return { facts: run() };
      } catch (error) {
        return { error: [error.name, error.code, error.path, error.message] };
      }
    };
    let refused = 0;
    assert.equal(cores.runtime.userFacts, undefined, "the runtime's gate.js makes a Subject for a new user's facts");
    for (const [build, gateCore] of Object.entries(cores)) {
      if (build === "runtime") continue;
      for (const user of users) {
        const viaSubject = answer(() => {
          const handle = gateCore.subject(user);
          try {
            return gateCore.subjectFacts(handle);
          } finally {
            handle.free();
          }
        });
        const viaBytes = answer(() => gateCore.userFacts(encodeValue(user)));
        if (viaSubject.error) refused++;
        assert.deepEqual(viaBytes, viaSubject, `${build}: ${JSON.stringify(user)}`);
      }
    }
    assert.ok(refused > 0, "some users are refused (the comparison covers errors)");
  });

  // A first `can` of a plain user of the common shape makes its facts in JS (program.js
  // `plainUserFacts`, no wasm decoder compiled); they must be the core's `userFacts` of that user
  // in every build, and any other user must be left to the core.
  test("plainUserFacts and anonymousFacts make the core's facts, or none, in the edge, core and runtime builds", async () => {
    const { encodeValue } = await import(pathToFileURL(join(installedDir, "dist", "value.js")).href);
    const { anonymousFacts, makeFacts, plainUserFacts } = await import(pathToFileURL(join(installedDir, "dist", "program.js")).href);
    const edge = await import(pathToFileURL(join(installedDir, "dist", "drf_gate.js")).href);
    const core = await import(pathToFileURL(join(installedDir, "dist", "drf_gate_core.js")).href);
    core.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_core_bg.wasm")) });
    const runtime = await import(pathToFileURL(join(installedDir, "dist", "drf_gate_runtime.js")).href);
    const ids = [undefined, null, 0, -0, 3, -7, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 3.5, "3", "", "\u00e9\u{1f600}", "\ud800", true];
    const names = [undefined, null, "", "ann", "\u{1f600}", "\udc00", 1];
    const flags = [undefined, true, false, "yes", null];
    const users = [];
    for (const id of ids) for (const username of names) users.push({ id, username });
    for (const isActive of flags) for (const isStaff of flags) for (const isSuperuser of flags) users.push({ id: 3, isActive, isStaff, isSuperuser });
    for (const tokenUser of flags) for (const isSuperuser of flags) users.push({ id: "7", tokenUser, isSuperuser });
    users.push({ id: 3, permissions: [] }, { id: 3, permissions: ["blog.change_post"] }, { id: 3, permissions: ["a\0b"] },
      { id: 3, attributes: {} }, { id: 3, attributes: { team: "red" } }, { id: 3, objectPermissions: null },
      { id: 3, objectPermissions: [] }, { id: 3, unknown: 1 }, { id: "x".repeat(70000) }, Object.assign(Object.create(null), { id: 5 }),
      new (class User { constructor() { this.id = 3; } })(), { id: 3, toJSON: () => ({ id: 4 }) });
    const withPerms = { ...policy, views: { ...policy.views, models: { model: "blog.Post", permissions: ["DjangoModelPermissions"], actions: ["list", "create", "update"] } } };
    // The core's facts: `userFacts`, or in the runtime (no such binding) its Subject's, as gate.js
    // takes them.
    const coreFacts = (gateCore, encoded) => {
      if (gateCore.userFacts !== undefined) return makeFacts(gateCore.userFacts(encoded));
      const subject = gateCore.subject(encoded);
      try {
        return makeFacts(gateCore.subjectFacts(subject));
      } finally {
        subject.free();
      }
    };
    let made = 0;
    let left = 0;
    for (const shape of [policy, withPerms]) {
      const cores = {
        edge: new edge.GateCore(shape),
        core: new core.GateCore(shape),
        runtime: new runtime.GateCore(new Gate(shape).toCompiled()),
      };
      for (const [build, gateCore] of Object.entries(cores)) {
        const count = gateCore.permissionCount();
        assert.equal(count > 0, shape === withPerms, `${build}: permissionCount ${count}`);
        assert.deepEqual(anonymousFacts(count), coreFacts(gateCore, encodeValue(null)), `${build}: the anonymous user`);
        for (const user of users) {
          const facts = plainUserFacts(user, count);
          if (facts === undefined) {
            left++;
            continue;
          }
          made++;
          const label = `${build}: ${JSON.stringify(user)}`;
          let expected;
          assert.doesNotThrow(() => (expected = coreFacts(gateCore, encodeValue(user))), label);
          assert.deepEqual(facts, expected, label);
        }
      }
    }
    assert.ok(made > 100 && left > 100, `made ${made}, left ${left}: both kinds are covered`);
  });
});
