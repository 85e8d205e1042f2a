// The packed package as a Node consumer uses it: import and require, errors, memory, disposal.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { consumerDir, installedDir, loadCjs, loadEsm, repoDir } from "./consumer.mjs";
import { ann, notAuthenticatedBody, policy } from "./fixtures.mjs";

const esm = await loadEsm();
const cjs = loadCjs();

describe("loading", () => {
  for (const [name, api] of [["import", esm], ["require", cjs]]) {
    test(`${name} gives a ready Gate, the error classes and init()`, async () => {
      for (const key of ["Gate", "Subject", "PolicyError", "ContextError", "init", "initSync"]) {
        assert.equal(typeof api[key], "function", key);
      }
      await api.init(); // a no-op under Node, kept for code shared with browsers
      const gate = new api.Gate(policy);
      assert.deepEqual(gate.views, ["posts", "comments"]);
      const decision = gate.check({ view: "posts", action: "list", user: null });
      assert.equal(decision.allowed, false);
      assert.equal(decision.status, 403);
      assert.equal(decision.body, notAuthenticatedBody);
      gate.free();
    });
  }

  test("the classes and functions keep their names in every Node entry (esbuild bundles included)", async () => {
    const entries = [["require", cjs]];
    for (const file of ["node.mjs", "runtime-node.mjs", "worker-node.mjs"]) {
      entries.push([file, await import(pathToFileURL(join(installedDir, "dist", file)).href)]);
    }
    for (const [name, api] of entries) {
      assert.deepEqual(
        [api.Gate.name, api.Subject.name, api.mintCsrfToken.name, api.init.name, api.initSync.name, api.PolicyError.name, api.ContextError.name, api.NotInitializedError.name],
        ["Gate", "Subject", "mintCsrfToken", "init", "initSync", "PolicyError", "ContextError", "NotInitializedError"],
        name,
      );
    }
  });

  test("one set of error classes per process whichever entry loads first; another key has its own", () => {
    // The fast start's bundle carries its own copy of the error classes (errors.js KEY): loaded
    // first, its classes are the ones the other entries (the snippet module, the CommonJS copy)
    // throw; a copy under another key (another version of errors.js) and one that finds
    // something else under its key keep classes of their own.
    const script = `
      import { createRequire } from "node:module";
      import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
      import { tmpdir } from "node:os";
      import { join } from "node:path";
      const require = createRequire(import.meta.url);
      const runtime = await import("drf-gate/runtime");
      const edge = await import("drf-gate");
      const cjs = require("drf-gate");
      const names = ["PolicyError", "ContextError", "NotInitializedError"];
      const same = names.every((n) => runtime[n] === edge[n] && edge[n] === cjs[n]);
      let thrown;
      try { new runtime.Gate({}); } catch (error) { thrown = error instanceof edge.PolicyError && error instanceof cjs.PolicyError; }
      const snippet = readFileSync(new URL("./errors.js", import.meta.resolve("drf-gate/web")), "utf8").match(/from "([^"]+)"/)[1];
      const text = readFileSync(new URL(snippet, import.meta.resolve("drf-gate/web")), "utf8");
      const key = text.match(/Symbol\\.for\\("(drf-gate\\.errors\\.[0-9a-f]{16})"\\)/)[1];
      const dir = mkdtempSync(join(tmpdir(), "drf-gate-errors-"));
      writeFileSync(join(dir, "same.mjs"), text);
      writeFileSync(join(dir, "other.mjs"), text.replace(key, "drf-gate.errors.0000000000000000"));
      const copy = await import(join(dir, "same.mjs"));
      const other = await import(join(dir, "other.mjs"));
      globalThis[Symbol.for("drf-gate.errors.1111111111111111")] = { PolicyError: Error };
      writeFileSync(join(dir, "taken.mjs"), text.replace(key, "drf-gate.errors.1111111111111111"));
      const taken = await import(join(dir, "taken.mjs"));
      console.log(JSON.stringify({
        same,
        thrown,
        copy: copy.PolicyError === edge.PolicyError,
        other: names.some((n) => other[n] === edge[n]),
        taken: taken.PolicyError === Error || taken.PolicyError === edge.PolicyError,
        named: names.every((n) => other[n].name === n && taken[n].name === n),
      }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: consumerDir, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), { same: true, thrown: true, copy: true, other: false, taken: false, named: true });
  });

  test("the exports map resolves each entry under Node's conditions", () => {
    const script = `
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url);
      const rel = (p) => p.slice(p.indexOf("node_modules/drf-gate/"));
      console.log(JSON.stringify({
        import: rel(import.meta.resolve("drf-gate")),
        require: rel(require.resolve("drf-gate")),
        web: rel(import.meta.resolve("drf-gate/web")),
        webEdge: rel(import.meta.resolve("drf-gate/web-edge")),
        workerd: rel(import.meta.resolve("drf-gate/workerd")),
        dom: rel(import.meta.resolve("drf-gate/dom")),
        wasm: rel(import.meta.resolve("drf-gate/drf_gate_bg.wasm")),
        coreWasm: rel(import.meta.resolve("drf-gate/drf_gate_core_bg.wasm")),
        manifest: require("drf-gate/package.json").name,
      }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: consumerDir, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), {
      import: "node_modules/drf-gate/dist/node.mjs",
      require: "node_modules/drf-gate/dist/node.cjs",
      web: "node_modules/drf-gate/dist/web.js",
      webEdge: "node_modules/drf-gate/dist/web-edge.js",
      workerd: "node_modules/drf-gate/dist/workerd.js",
      dom: "node_modules/drf-gate/dist/dom.js",
      wasm: "node_modules/drf-gate/dist/drf_gate_bg.wasm",
      coreWasm: "node_modules/drf-gate/dist/drf_gate_core_bg.wasm",
      manifest: "drf-gate",
    });
  });

  test("a policy as JSON text compiles too", () => {
    const gate = new esm.Gate(JSON.stringify(policy));
    assert.deepEqual(gate.views, ["posts", "comments"]);
  });
});

describe("errors", () => {
  for (const [name, api] of [["import", esm], ["require", cjs]]) {
    test(`${name}: PolicyError is an Error with name, code, path, line and column`, () => {
      let error;
      try {
        new api.Gate('{\n  "views": {,}\n}');
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof Error);
      assert.ok(error instanceof api.PolicyError);
      assert.equal(error.name, "PolicyError");
      assert.equal(error.code, "invalid_json");
      assert.match(error.path, /^\$/);
      assert.equal(error.line, 2);
      assert.equal(typeof error.column, "number");
      assert.match(String(error.stack), /PolicyError/);
    });

    test(`${name}: ContextError names the path, and the gate keeps working`, () => {
      const gate = new api.Gate(policy);
      assert.throws(() => gate.check({ view: "posts", action: "list", user: { isStaff: "yes" } }), (e) => {
        assert.ok(e instanceof api.ContextError);
        assert.equal(e.name, "ContextError");
        assert.equal(e.code, "invalid_context");
        assert.equal(e.path, "$.user.isStaff");
        return true;
      });
      assert.throws(() => gate.check({ view: "nope", action: "list" }), { name: "ContextError", code: "unknown_view" });
      assert.throws(() => gate.can(ann, "nope", "list"), { name: "ContextError", code: "unknown_view" });
      assert.equal(gate.check({ view: "posts", action: "list", user: ann }).allowed, true);
    });
  }

  test("malformed input of every kind throws, never traps", () => {
    const gate = new esm.Gate(policy);
    const junk = [undefined, null, 0, -1, 1.5, NaN, "", "x", true, [], [1, 2], {}, { view: 1 }, () => 1, Symbol("s"), 10n,
      { view: "posts", user: [] }, { view: "posts", action: "list", extra: 1 }, { view: "posts", object: 5 }];
    for (const value of junk) {
      for (const call of [
        () => new esm.Gate(value),
        () => gate.check(value),
        () => gate.can(value, "posts", "list"),
        () => gate.can(ann, value, value),
        () => gate.can(ann, "posts", "retrieve", value),
        () => gate.permissionsFor(value, "posts"),
        () => gate.subject(value),
      ]) {
        try {
          call();
        } catch (e) {
          assert.ok(e instanceof Error, `${String(e)} is an Error`);
          assert.ok(!(e instanceof WebAssembly.RuntimeError), `no trap: ${e.stack}`);
        }
      }
    }
    // The instance still answers.
    assert.equal(gate.check({ view: "posts", action: "list", user: ann }).allowed, true);
  });
});

describe("subjects and disposal", () => {
  test("a subject is reusable, bound to its gate, and freed with free() or Symbol.dispose", () => {
    const gate = new esm.Gate(policy);
    const me = gate.subject(ann);
    assert.ok(me instanceof esm.Subject);
    assert.deepEqual(Object.keys(me).filter((k) => !k.startsWith("__wbg")), [], "no enumerable internals");
    assert.equal(gate.can(me, "posts", "list"), true);
    assert.equal(gate.permissionsFor(me, "posts").list, true);
    const other = new esm.Gate(policy);
    assert.throws(() => other.can(me, "posts", "list"), { name: "ContextError", code: "invalid_context" });
    assert.equal(typeof me[Symbol.dispose], "function");
    me[Symbol.dispose]();
    assert.throws(() => gate.can(me, "posts", "list"), { name: "ContextError", code: "invalid_context" });
    const again = gate.subject(ann);
    again.free();
    assert.equal(typeof gate[Symbol.dispose], "function");
    gate[Symbol.dispose]();
    assert.throws(() => gate.check({ view: "posts" }), /null pointer|moved|freed/i);
  });
});

describe("memory", () => {
  test("1,000,000 can() checks keep memory flat", async (t) => {
    const exports = await esm.init();
    const wasmBytes = () => exports.memory.buffer.byteLength;
    const gate = new esm.Gate(policy);
    const me = gate.subject(ann);
    const post = { id: 7, owner: 3 };
    const round = (n, user) => {
      let allowed = 0;
      for (let i = 0; i < n; i++) if (gate.can(user, "posts", i % 2 ? "list" : "retrieve", post)) allowed++;
      return allowed;
    };
    round(20_000, me); // warm up: the allocator reaches its working size
    round(20_000, ann);
    global.gc?.();
    const before = { wasm: wasmBytes(), rss: process.memoryUsage().rss };
    const started = performance.now();
    assert.equal(round(1_000_000, me), 1_000_000);
    const subjectMs = performance.now() - started;
    const afterSubject = { wasm: wasmBytes(), rss: process.memoryUsage().rss };
    const started2 = performance.now();
    assert.equal(round(1_000_000, ann), 1_000_000);
    const userMs = performance.now() - started2;
    global.gc?.();
    const after = { wasm: wasmBytes(), rss: process.memoryUsage().rss };
    const mb = (n) => (n / 1048576).toFixed(1);
    const report =
      `memory: wasm ${mb(before.wasm)} -> ${mb(afterSubject.wasm)} -> ${mb(after.wasm)} MiB; ` +
      `rss ${mb(before.rss)} -> ${mb(afterSubject.rss)} -> ${mb(after.rss)} MiB; ` +
      `1e6 can(): subject ${subjectMs.toFixed(0)} ms, user object ${userMs.toFixed(0)} ms`;
    t.diagnostic(report);
    console.log(report);
    assert.equal(after.wasm, before.wasm, "wasm linear memory did not grow");
    assert.ok(after.rss - before.rss < 64 * 1048576, "rss stayed within 64 MiB");
  });
});

test("the installed package carries the licences, the repository's own text", () => {
  for (const file of ["LICENSE-MIT", "LICENSE-APACHE"]) {
    assert.equal(readFileSync(join(installedDir, file), "utf8"), readFileSync(join(repoDir, file), "utf8"), file);
  }
});
