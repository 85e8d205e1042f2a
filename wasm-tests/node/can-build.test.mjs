// `drf-gate/can`, the UI-gating build (the browser runtime without `check`): `can`,
// `permissionsFor`, `subject`, `actions`, `route` answer exactly as `drf-gate/runtime` does on the
// same compiled policy and inputs (errors included: name, code, path); `check` and what the
// runtime lacks throw errors with a stable `code`; the exports map resolves it in Node.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { consumerDir, installedDir, loadEsm } from "./consumer.mjs";

const { Gate, PolicyError, ContextError } = await loadEsm();
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "runtime-node.mjs")).href);
// `drf-gate/can` as Node resolves it (the .wasm read and instantiated on import), and the browser
// entry's API with the .wasm handed to initSync, as a bundler's page would.
const canNode = await import(pathToFileURL(join(installedDir, "dist", "can-node.mjs")).href);
const canApi = await import(pathToFileURL(join(installedDir, "dist", "api-can.js")).href);
canApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_can_bg.wasm")) });
// `drf-gate/can/inline`: the .wasm inside, instantiated by its top-level await.
const canInline = await import(pathToFileURL(join(installedDir, "dist", "inline-can.js")).href);

const policy = {
  authentication: ["token", "session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: {
    IsOwner: { hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user", message: "Not yours." },
    Team: { hasPermission: "request.user.attributes.team == 'core'" },
  },
  views: {
    posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"] },
    tags: { permissions: ["IsAdminUser"], actions: ["list"] },
    teams: { permissions: ["Team", "DjangoModelPermissions"], model: "blog.Team" },
  },
  routes: [{ pattern: "/api/posts/{pk}/", view: "posts", detail: true }, { pattern: "/api/posts/", view: "posts" }],
};

const users = [null, undefined, { id: 3 }, { id: 4, isStaff: true }, { id: "3", tokenUser: true }, { id: 5, isActive: false },
  { id: 6, permissions: ["blog.change_team"], attributes: { team: "core" } }, { id: 2n ** 60n }, { isStaff: "yes" }, 3, [1]];
const objects = [undefined, null, { id: 7, owner: 3 }, { id: 8, owner: { id: 3 } }, { id: 9, owner: 4.0, tags: [1, "a", null] }, 5];
const targets = [["posts", "list"], ["posts", "destroy"], ["posts", "DELETE"], ["posts", "GET"], ["tags", "list"], ["tags", "create"],
  ["teams", "update"], ["nowhere", "list"], ["posts", "Post"], ["posts", 3], [null, "list"]];

const settle = (f) => {
  try {
    return { ok: f() };
  } catch (error) {
    return { error: error.name, code: error.code, path: error.path, message: error.message };
  }
};

describe("drf-gate/can (the UI-gating build)", () => {
  const bytes = new Gate(policy).toCompiled();

  for (const [name, api] of [["browser entry's API", canApi], ["Node entry", canNode], ["inline entry", canInline]]) {
    test(`${name}: every answer and error equals the browser runtime's`, () => {
      const runtime = new runtimeApi.Gate(bytes);
      const can = new api.Gate(bytes);
      let compared = 0;
      for (let round = 0; round < 2; round++) {
        for (const user of users) {
          const subjects = [settle(() => runtime.subject(user)), settle(() => can.subject(user))];
          assert.deepEqual(subjects[1].error, subjects[0].error, `subject ${String(user)}`);
          for (const [view, action] of targets) {
            for (const object of objects) {
              const want = settle(() => runtime.can(user, view, action, object));
              assert.deepEqual(settle(() => can.can(user, view, action, object)), want, `${view} ${action}`);
              if (subjects[0].ok) {
                const wantSubject = settle(() => runtime.can(subjects[0].ok, view, action, object));
                assert.deepEqual(settle(() => can.can(subjects[1].ok, view, action, object)), wantSubject);
              }
              compared++;
            }
            assert.deepEqual(settle(() => can.permissionsFor(user, view)), settle(() => runtime.permissionsFor(user, view)));
          }
        }
      }
      assert.ok(compared > 1000);
      assert.deepEqual(can.views, runtime.views);
      for (const view of ["posts", "tags", "nowhere", 7]) assert.deepEqual(settle(() => can.actions(view)), settle(() => runtime.actions(view)));
      for (const [path, method] of [["/api/posts/7/", "DELETE"], ["/api/posts/", undefined], ["/api/posts/", "POST"], ["/nowhere/", "GET"], [7, undefined]]) {
        assert.deepEqual(settle(() => can.route(path, method)), settle(() => runtime.route(path, method)));
      }
      // A Subject of another gate (of the same build) is refused alike.
      const foreign = settle(() => new api.Gate(bytes).can(new api.Gate(bytes).subject({ id: 3 }), "posts", "list"));
      assert.equal(foreign.code, "invalid_context");
      assert.deepEqual(foreign, settle(() => runtime.can(new runtimeApi.Gate(bytes).subject({ id: 3 }), "posts", "list")));
      can.free();
      assert.deepEqual(settle(() => can.can(null, "posts", "list")), { error: "ContextError", code: "invalid_context", path: "$", message: "this Gate was freed" });
      runtime.free();
    });
  }

  test("check, toCompiled, raw requests and JSON policies throw errors with a stable code", async () => {
    const can = new canNode.Gate(bytes);
    const check = settle(() => can.check({ view: "posts", action: "list" }));
    assert.equal(check.error, "Error");
    assert.equal(check.code, "needs_check_build");
    assert.match(check.message, /drf-gate\/runtime/);
    assert.deepEqual(
      [settle(() => can.toCompiled()).code, settle(() => new canNode.Gate(policy)).code, settle(() => canNode.mintCsrfToken()).code],
      ["invalid_policy", "invalid_policy", "needs_edge_build"],
    );
    assert.match(settle(() => new canNode.Gate(policy)).message, /drf-gate\/can/);
    await assert.rejects(can.checkRequest(new Request("https://x.test/api/posts/")), { code: "needs_edge_build" });
    assert.throws(() => new canNode.Gate(bytes.subarray(0, 10)), (e) => e instanceof PolicyError && e.code === "corrupt_compiled_policy");
    assert.throws(() => can.can(null, "nowhere", "list"), (e) => e instanceof ContextError && e.code === "unknown_view");
    can.free();
  });

  test("the build has no check binding, and the exports map resolves the entry", () => {
    const exportsOf = (file) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(installedDir, "dist", file)))).length;
    const [can, runtime] = [exportsOf("drf_gate_can_bg.wasm"), exportsOf("drf_gate_runtime_bg.wasm")];
    assert.ok(can > 10 && can < runtime, `${can} exports, the runtime ${runtime}`);
    const glue = readFileSync(join(installedDir, "dist", "drf_gate_can.js"), "utf8");
    assert.match(readFileSync(join(installedDir, "dist", "drf_gate_runtime.js"), "utf8"), /checkPacked/);
    assert.doesNotMatch(glue, /checkPacked|unpacked/);
    assert.match(glue, /canSubject/);
    const script = `console.log(JSON.stringify(["drf-gate/can", "drf-gate/can/inline", "drf-gate/drf_gate_can_bg.wasm"].map((s) => import.meta.resolve(s)).map((p) => p.slice(p.indexOf("node_modules/drf-gate/")))));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: consumerDir, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), ["node_modules/drf-gate/dist/can-node.mjs", "node_modules/drf-gate/dist/inline-can.js", "node_modules/drf-gate/dist/drf_gate_can_bg.wasm"]);
  });
});
