// The public JS API (pkg/src/gate.js) as a consumer meets it: subjects that cannot be forged,
// names that must exist, calls before the module is ready, finalizers that never throw.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

import { consumerDir, installedDir, loadCjs, loadEsm } from "./consumer.mjs";
import { ann, policy } from "./fixtures.mjs";

const esm = await loadEsm();
const cjs = loadCjs();
const staff = { id: 1, isStaff: true };
// Only staff may destroy: a forged subject that got the staff subject's answers would say true.
const staffOnly = { views: { posts: { permissions: ["IsAdminUser"] } } };

/** Runs an ES module in a fresh Node process from the consumer project; returns its stdout. */
function runModule(source, args = []) {
  return execFileSync(process.execPath, [...args, "--input-type=module", "-e", source], { cwd: consumerDir, encoding: "utf8" });
}

describe("the public surface", () => {
  for (const [name, api] of [["import", esm], ["require", cjs]]) {
    test(`${name}: exports the API and nothing of the binding`, () => {
      const keys = Object.keys(api).filter((key) => key !== "default").sort();
      assert.deepEqual(keys, ["ContextError", "Gate", "NotInitializedError", "PolicyError", "Subject", "init", "initSync", "mintCsrfToken"]);
      const gate = new api.Gate(policy);
      const own = Object.getOwnPropertyNames(Object.getPrototypeOf(gate)).sort();
      assert.deepEqual(own, ["actions", "can", "check", "checkRequest", "checkRequestSync", "constructor", "free", "permissionsFor", "route", "subject", "toCompiled", "views"]);
      assert.deepEqual(Object.keys(gate), [], "no enumerable state");
      gate.free();
    });
  }
});

describe("subjects cannot be forged", () => {
  for (const [name, api] of [["import", esm], ["require", cjs]]) {
    test(`${name}: only gate.subject() makes a Subject`, () => {
      const gate = new api.Gate(staffOnly);
      const boss = gate.subject(staff);
      assert.equal(gate.can(boss, "posts", "destroy"), true);
      assert.equal(gate.permissionsFor(boss, "posts").destroy, true);
      // Shapes that used to pose as the first subject, and their relatives.
      const forged = [
        JSON.parse('{"__drfGateSubject":1}'),
        JSON.parse('{"id":99,"__drfGateSubject":1}'),
        Object.create(api.Subject.prototype),
        Object.create(boss),
        Object.assign(Object.create(api.Subject.prototype), { ...boss }),
        new Proxy(boss, {}),
      ];
      for (const user of forged) {
        let answer;
        try {
          answer = gate.can(user, "posts", "destroy");
        } catch (error) {
          assert.equal(error.name, "ContextError", String(error));
          answer = error.code;
        }
        assert.notEqual(answer, true, `forged: ${JSON.stringify(user)}`);
      }
      assert.throws(() => new api.Subject(), TypeError);
      assert.throws(() => Reflect.construct(api.Subject, [Symbol("drf-gate subject"), {}]), TypeError);
      boss.free();
      gate.free();
    });

    test(`${name}: Object.prototype pollution makes no subject`, () => {
      const gate = new api.Gate(staffOnly);
      const boss = gate.subject(staff);
      Object.prototype.__drfGateSubject = 1;
      Object.prototype.__wbg_ptr = 8;
      try {
        // A plain user object stays a plain user: compiled from its own fields, not a handle.
        assert.equal(gate.can({ id: 99 }, "posts", "destroy"), false);
        assert.equal(gate.can(null, "posts", "destroy"), false);
        assert.equal(gate.permissionsFor({ id: 99 }, "posts").destroy, false);
      } finally {
        delete Object.prototype.__drfGateSubject;
        delete Object.prototype.__wbg_ptr;
      }
      assert.equal(gate.can(boss, "posts", "destroy"), true);
      gate.free();
    });
  }

  test("a Subject of another Gate, or a freed one, is a ContextError", () => {
    const gate = new esm.Gate(staffOnly);
    const other = new esm.Gate(staffOnly);
    const boss = gate.subject(staff);
    for (const call of [() => other.can(boss, "posts", "destroy"), () => other.permissionsFor(boss, "posts")]) {
      assert.throws(call, { name: "ContextError", code: "invalid_context", message: /another Gate/ });
    }
    boss.free();
    boss.free(); // twice is harmless
    for (const call of [() => gate.can(boss, "posts", "destroy"), () => gate.permissionsFor(boss, "posts")]) {
      assert.throws(call, { name: "ContextError", code: "invalid_context", message: /freed/ });
    }
    assert.throws(() => gate.subject(gate.subject(ann)), { name: "ContextError", code: "invalid_context" });
    gate.free();
    assert.throws(() => gate.can(null, "posts", "list"), { name: "ContextError", message: /freed/ });
    other.free();
  });
});

describe("names the policy does not have", () => {
  test("can() and permissionsFor() refuse unknown views and actions, as check() does", () => {
    const gate = new esm.Gate(policy);
    const me = gate.subject(ann);
    for (const user of [me, ann, null]) {
      assert.throws(() => gate.can(user, "posts", "destory"), { name: "ContextError", code: "unknown_action" });
      assert.throws(() => gate.can(user, "posts", "delete", { id: 1 }), { name: "ContextError", code: "unknown_action" });
      assert.throws(() => gate.can(user, "post", "list"), { name: "ContextError", code: "unknown_view" });
      assert.throws(() => gate.permissionsFor(user, "post"), { name: "ContextError", code: "unknown_view" });
    }
    assert.throws(() => gate.check({ view: "posts", action: "destory" }), { name: "ContextError", code: "unknown_action" });
    // HTTP methods (upper-case tokens) are answered; one no handler takes is DRF's 405: false.
    assert.equal(gate.can(me, "posts", "GET"), true);
    assert.equal(gate.can(me, "posts", "PURGE"), false);
    assert.equal(gate.can(me, "posts", "list"), true);
    gate.free();
  });

  test("many distinct names keep the gate's target table bounded and correct", () => {
    const gate = new esm.Gate(policy);
    for (let i = 0; i < 3000; i++) assert.equal(gate.can(ann, "posts", `X${i}`), false);
    assert.equal(gate.can(ann, "posts", "list"), true);
    assert.equal(gate.can(null, "posts", "list"), false);
    gate.free();
  });
});

describe("routes", () => {
  test("route(path, method) names the action that method runs (DRF's router map)", () => {
    const gate = new esm.Gate({
      views: { posts: { actions: { list: {}, create: {}, retrieve: {}, destroy: {}, publish: { detail: true, methods: ["POST"] } } } },
      routes: [
        { pattern: "/posts/", view: "posts" },
        { pattern: "/posts/{pk}/", view: "posts", detail: true },
        { pattern: "/posts/{pk}/publish/", view: "posts", action: "publish" },
      ],
    });
    const action = (path, method) => gate.route(path, method)?.action;
    assert.equal(action("/posts/", "GET"), "list");
    assert.equal(action("/posts/", "HEAD"), "list");
    assert.equal(action("/posts/", "post"), "create");
    assert.equal(action("/posts/7/", "GET"), "retrieve");
    assert.equal(action("/posts/7/", "DELETE"), "destroy");
    assert.equal(action("/posts/7/", "PUT"), null); // no update action in this view
    assert.equal(action("/posts/7/publish/", "POST"), "publish");
    assert.equal(action("/posts/7/publish/", "GET"), null);
    assert.deepEqual(gate.route("/posts/7/"), { view: "posts", action: null, detail: true, params: { pk: "7" } });
    assert.equal(gate.route("/nope/", "GET"), null);
    gate.free();
  });
});

describe("no init step to forget", () => {
  test("drf-gate/web (the browser default) is ready when its import resolves, or names why not", () => {
    // In Node the fetch of the .wasm file URL fails: the import still resolves, calls say why,
    // and initSync() makes it ready (a page serving the .wasm from elsewhere does the same).
    const out = runModule(`
      import { readFileSync } from "node:fs";
      const api = await import("drf-gate/web");
      const seen = [];
      try { new api.Gate({ views: { posts: {} } }); seen.push("no error"); } catch (e) {
        seen.push(e instanceof api.NotInitializedError, e.name, e.code, e.cause !== undefined);
      }
      api.initSync({ module: readFileSync(new URL(import.meta.resolve("drf-gate/drf_gate_core_bg.wasm"))) });
      seen.push(new api.Gate({ views: { posts: {} } }).check({ view: "posts", action: "list" }).status);
      console.log(JSON.stringify(seen));`);
    assert.deepEqual(JSON.parse(out), [true, "NotInitializedError", "not_initialized", true, 200]);
  });

  test("drf-gate/web-edge before init(): NotInitializedError, never a TypeError from the glue", () => {
    const out = runModule(`
      import { readFileSync } from "node:fs";
      const api = await import("drf-gate/web-edge");
      const seen = [];
      for (const call of [() => new api.Gate({ views: {} }), () => api.mintCsrfToken()]) {
        try { call(); seen.push("no error"); } catch (e) { seen.push([e.name, e.code, /init\\(\\)/.test(e.message)]); }
      }
      await api.init({ module_or_path: readFileSync(new URL(import.meta.resolve("drf-gate/drf_gate_bg.wasm"))) });
      seen.push(api.mintCsrfToken().token.length);
      console.log(JSON.stringify(seen));`);
    assert.deepEqual(JSON.parse(out), [["NotInitializedError", "not_initialized", true], ["NotInitializedError", "not_initialized", true], 64]);
  });
});

describe("finalizers", () => {
  test("every FinalizationRegistry callback of the glue is guarded", () => {
    for (const file of ["drf_gate.js", "drf_gate_core.js", "drf_gate.cjs"]) {
      const glue = readFileSync(join(installedDir, "dist", file), "utf8");
      const registries = glue.match(/new FinalizationRegistry\([^\n]*/g) || [];
      assert.ok(registries.length >= 2, `${file}: GateCore and SubjectCore registries`);
      for (const line of registries) assert.match(line, /try \{ wasm\.__wbg_\w+_free\(.*\} catch/, `${file}: ${line}`);
    }
  });

  test("a finalizer whose free() traps does not crash the process", () => {
    // A handle whose pointer is garbage, as after a trap poisoned the instance: its free() traps
    // inside the FinalizationRegistry callback, which must swallow it.
    const out = runModule(`
      const glue = await import(${JSON.stringify(join(installedDir, "dist", "drf_gate.js"))});
      const api = await import("drf-gate");
      await api.init();
      let traps = 0;
      for (let i = 0; i < 64; i++) {
        try { glue.SubjectCore.__wrap(0xfffffff0 - i * 16).free(); } catch (e) { traps += e instanceof WebAssembly.RuntimeError; }
      }
      (() => { for (let i = 0; i < 64; i++) glue.SubjectCore.__wrap(0xfffff000 - i * 16); })();
      for (let i = 0; i < 20; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(JSON.stringify({ traps, alive: true }));`, ["--expose-gc"]);
    const result = JSON.parse(out);
    assert.ok(result.traps > 0, "a garbage pointer makes free() trap (the test can fail)");
    assert.equal(result.alive, true);
  });
});
