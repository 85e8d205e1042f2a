// Compiled policies through the package: `gate.toCompiled()` and `npx drf-gate compile` make the
// bytes, `new Gate(bytes)` loads them in the Node build, and the browser runtime
// (`drf-gate/runtime`: no compiler, no JSON reader) decides exactly as the JSON policy does.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { installedDir, loadEsm } from "./consumer.mjs";

const { Gate, PolicyError } = await loadEsm();
// `drf-gate/runtime` as Node resolves it: one bundle holding the runtime build's glue (the fast
// start), its own instance beside api-runtime.js's below.
const nodeRuntimeApi = await import(pathToFileURL(join(installedDir, "dist", "runtime-node.mjs")).href);
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_runtime_bg.wasm")) });
const Runtime = runtimeApi.Gate;

const policy = {
  authentication: ["token", "session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: {
    IsOwner: { hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user", message: "Not yours." },
    // `obj.owner.id` of an int owner: DRF's 500, the decision carries its error text.
    OwnerId: { hasObjectPermission: "obj.owner.id == 3" },
  },
  views: {
    posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"] },
    tags: { permissions: ["IsAdminUser"], actions: ["list"] },
    notes: { permissions: ["IsAuthenticated", "OwnerId"] },
  },
  routes: [{ pattern: "/api/posts/{pk}/", view: "posts", detail: true }],
};

const users = [null, { id: 3 }, { id: 4, isStaff: true }, { id: "3", tokenUser: true }, { id: 5, isActive: false }];
const objects = [undefined, null, { id: 7, owner: 3 }, { id: 8, owner: { id: 3 } }, { id: 9, owner: 4.0, tags: [1, "a", null] }];

function contexts() {
  const out = [];
  for (const view of ["posts", "tags", "notes"]) {
    for (const action of ["list", "create", "retrieve", "destroy", "GET", "PATCH", "OPTIONS"]) {
      for (const user of users) {
        for (const object of objects) {
          const context = { view, user };
          context[/^[A-Z]+$/.test(action) ? "method" : "action"] = action;
          if (object !== undefined) context.object = object;
          out.push(context);
          out.push({ ...context, accept: "application/json; indent=4", trace: true });
          out.push({ ...context, authentication: { failed: { detail: "Invalid token.", code: "authentication_failed" } } });
          // Details of every shape (force_str'd leaves, a float as Python's repr), other exceptions.
          out.push({ ...context, trace: true, authentication: { failed: { detail: { why: [1, 2.5, 1e-7, null, true, "é\u2028"] }, code: null } } });
          out.push({ ...context, authentication: { failed: { detail: ["no", 1e16], exception: "PermissionDenied", code: "nope" } } });
          out.push({ ...context, authentication: { failed: { detail: "bad", exception: "ServerError" } } });
        }
      }
    }
  }
  return out;
}

const settle = (f) => {
  try {
    return { ok: f() };
  } catch (error) {
    return { error: error.name, code: error.code, path: error.path };
  }
};

describe("compiled policies", () => {
  const json = new Gate(policy);
  const bytes = json.toCompiled();

  test("toCompiled makes the format's bytes; the Node build loads them", () => {
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 7)), "DRFGATE");
    const loaded = new Gate(bytes);
    assert.deepEqual(loaded.views, ["posts", "tags", "notes"]);
    assert.deepEqual(loaded.toCompiled(), bytes);
  });

  test("the browser runtime and the compiled policy decide every context as the JSON policy", () => {
    const compiled = new Gate(bytes);
    const runtime = new Runtime(bytes);
    const nodeRuntime = new nodeRuntimeApi.Gate(bytes);
    let compared = 0;
    for (const context of contexts()) {
      const expected = settle(() => json.check(context));
      assert.deepEqual(settle(() => compiled.check(context)), expected, JSON.stringify(context));
      assert.deepEqual(settle(() => runtime.check(context)), expected, JSON.stringify(context));
      assert.deepEqual(settle(() => nodeRuntime.check(context)), expected, JSON.stringify(context));
      const target = context.action ?? context.method;
      const can = settle(() => json.can(context.user, context.view, target, context.object));
      for (let i = 0; i < 2; i++) {
        for (const gate of [runtime, nodeRuntime]) {
          assert.deepEqual(settle(() => gate.can(context.user, context.view, target, context.object)), can);
          const subject = gate.subject(context.user);
          assert.deepEqual(settle(() => gate.can(subject, context.view, target, context.object)), can);
        }
      }
      compared++;
    }
    assert.ok(compared > 500);
    assert.deepEqual(runtime.permissionsFor({ id: 3 }, "posts"), json.permissionsFor({ id: 3 }, "posts"));
    assert.deepEqual(runtime.route("/api/posts/7/", "DELETE"), json.route("/api/posts/7/", "DELETE"));
    assert.equal(runtime.route("/nowhere/"), null);
  });

  test("a route parameter named __proto__ is an own member of params in every build, as in Django's kwargs", () => {
    const shaped = { ...policy, routes: [{ pattern: "/api/posts/{__proto__}/", view: "posts", detail: true }] };
    const jsonGate = new Gate(shaped);
    const bytes = jsonGate.toCompiled();
    for (const [build, gate] of [["edge", jsonGate], ["edge, compiled", new Gate(bytes)], ["runtime", new Runtime(bytes)],
      ["runtime, Node bundle", new nodeRuntimeApi.Gate(bytes)]]) {
      const { params } = gate.route("/api/posts/7/", "GET");
      assert.deepEqual(Object.keys(params), ["__proto__"], build);
      assert.equal(Object.getOwnPropertyDescriptor(params, "__proto__")?.value, "7", build);
      assert.equal(Object.getPrototypeOf(params), Object.prototype, build);
    }
  });

  test("users and objects that are not JSON-shaped are refused as the JSON path refuses them", () => {
    const runtime = new Runtime(bytes);
    // A user holding itself: a ContextError in both (the runtime threw the encoder's TypeError).
    const cyclic = { id: 3, attributes: { team: {} } };
    cyclic.attributes.team.self = cyclic.attributes.team;
    for (const user of [{ isStaff: "yes" }, { nope: 1 }, 3, [1], cyclic]) {
      const expected = settle(() => json.can(user, "posts", "list"));
      const got = settle(() => runtime.can(user, "posts", "list"));
      const label = user === cyclic ? "a cyclic user" : JSON.stringify(user);
      assert.equal(got.error, expected.error, label);
      assert.equal(got.code, expected.code, label);
      assert.equal(got.path, expected.path, label);
    }
    assert.equal(settle(() => runtime.check({ view: "posts", action: "list", user: cyclic })).code, "invalid_context");
    const dated = { id: 7, owner: 3, at: new Date(0), skip: undefined, f: () => 1 };
    assert.equal(runtime.can({ id: 3 }, "posts", "destroy", dated), json.can({ id: 3 }, "posts", "destroy", dated));
  });

  test("a JSON policy, another version or a damaged file is refused by the runtime", () => {
    assert.throws(() => new Runtime(policy), { name: "PolicyError", code: "invalid_policy" });
    // The Node entry throws the one PolicyError class every entry of every build shares.
    assert.throws(() => new nodeRuntimeApi.Gate(policy), (e) => e instanceof PolicyError && e instanceof nodeRuntimeApi.PolicyError && e.code === "invalid_policy");
    const other = bytes.slice();
    other[8] ^= 0xff;
    assert.throws(() => new Runtime(other), { name: "PolicyError", code: "incompatible_compiled_policy" });
    assert.throws(() => new Gate(other), { name: "PolicyError", code: "incompatible_compiled_policy" });
    for (const cut of [0, 10, bytes.length - 1]) {
      assert.throws(() => new Runtime(bytes.subarray(0, cut)), { name: "PolicyError", code: "corrupt_compiled_policy" });
    }
    const flipped = bytes.slice();
    flipped[bytes.length - 3] ^= 1;
    assert.throws(() => new Runtime(flipped), { name: "PolicyError", code: "corrupt_compiled_policy" });
    assert.throws(() => new Runtime(bytes).toCompiled(), { name: "PolicyError" });
  });

  test("npx drf-gate compile writes the same bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "drf-gate-cli-"));
    writeFileSync(join(dir, "policy.json"), JSON.stringify(policy));
    const cli = join(installedDir, "dist", "cli.mjs");
    execFileSync(process.execPath, [cli, "compile", join(dir, "policy.json"), "-o", join(dir, "policy.gate")], { stdio: "pipe" });
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, "policy.gate"))), bytes);
    writeFileSync(join(dir, "bad.json"), '{"views": {"posts": {"permissions": ["IsNothing"]}}}');
    assert.throws(
      () => execFileSync(process.execPath, [cli, "compile", join(dir, "bad.json"), "-o", join(dir, "bad.gate")], { stdio: "pipe" }),
      (error) => error.status === 1 && /unknown_class/.test(String(error.stderr)),
    );
  });
});

test("a lone surrogate is a ContextError at the same path in the runtime as in the JSON policy", () => {
  const json = new Gate(policy);
  const runtime = new Runtime(json.toCompiled());
  const settle = (gate, context) => {
    try {
      gate.check(context);
      return "no error";
    } catch (error) {
      return { name: error.name, code: error.code, path: error.path };
    }
  };
  const cases = [
    { view: "posts", action: "list", user: { id: 3, username: "a\ud800" } },
    { view: "posts", action: "update", user: { id: 3 }, object: { id: 7, owner: 3, tags: ["x", "\udc00y"] } },
    { view: "posts", action: "update", user: { id: 3 }, object: { id: 7, owner: { id: 3, name: "\ud800" } } },
    // A key that cannot be read is named `?`.
    { view: "posts", action: "list", user: { id: 3, attributes: { "a\ud800b": 1 } } },
    { view: "posts", action: "update", user: { id: 3 }, object: { id: 7, "\udc00": 3 } },
  ];
  for (const context of cases) {
    const expected = settle(json, context);
    assert.equal(expected.name, "ContextError");
    assert.deepEqual(settle(runtime, context), expected, JSON.stringify(expected));
  }
  runtime.free();
  json.free();
});
