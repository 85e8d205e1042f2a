// The browser runtime's allocator (alloc/, power-of-two size classes, no coalescing) under large
// and varied values: the runtime decides as the Node build does on the JSON policy (users,
// objects and outcome details up to 400,000 characters, traces), and its wasm memory stays flat
// once every size has been seen (a freed block is reused by its class).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";

import { installedDir, loadEsm } from "./consumer.mjs";

const { Gate } = await loadEsm();
const instances = [];
const Instance = WebAssembly.Instance;
WebAssembly.Instance = new Proxy(Instance, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    instances.push(instance);
    return instance;
  },
});
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_runtime_bg.wasm")) });
WebAssembly.Instance = Instance;
const memory = () => instances.reduce((sum, instance) => sum + (instance.exports.memory?.buffer.byteLength ?? 0), 0);

const policy = {
  authentication: ["token", "session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: {
    IsOwner: {
      hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user or 'x' in obj.tags",
      message: "Not yours.",
    },
  },
  views: { posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"] } },
};

test("the runtime decides as the JSON policy on large values, and its wasm memory stays flat", () => {
  const json = new Gate(JSON.stringify(policy));
  const runtime = new runtimeApi.Gate(json.toCompiled());
  let seed = 1;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const text = (n) => Array.from("ab\n\"é😀\u0001".repeat(Math.ceil(n / 7))).slice(0, n).join("");
  const settle = (f) => {
    try {
      return { ok: f() };
    } catch (error) {
      return { error: error.name, code: error.code, message: error.message };
    }
  };
  const sizes = [];
  for (let round = 0; round < 4; round++) {
    // The same sequence of sizes each round.
    seed = 1;
    for (let i = 0; i < 150; i++) {
      const big = [1, 10, 100, 5000, 70000, 200000, 400000][random(7)];
      const where = random(4);
      const size = (k) => (k === where ? big : random(50));
      const user =
        random(3) === 0
          ? null
          : { id: random(5), username: text(size(0)), permissions: Array.from({ length: random(50) }, (_, k) => `blog.p${k}`), attributes: { a: text(size(1)) } };
      const tags = Array.from({ length: where === 2 ? Math.floor(big / 200) : random(20) }, (_, k) => (k % 3 ? k : text(k % 40)));
      const object = { id: 7, owner: random(5), tags, body: text(size(3)) };
      const action = ["list", "create", "retrieve", "destroy", "update"][random(5)];
      const context = { view: "posts", action, user, object, trace: random(2) === 0 };
      if (random(4) === 0) context.authentication = { failed: { detail: { a: text(random(100)), z: [text(3)] }, code: "authentication_failed" } };
      assert.deepEqual(settle(() => runtime.check(context)), settle(() => json.check(context)), `round ${round}, case ${i}`);
    }
    sizes.push(memory());
  }
  assert.ok(sizes[0] > 0, "the runtime's memory was read");
  assert.deepEqual(sizes.slice(1), [sizes[0], sizes[0], sizes[0]], `wasm memory per round: ${sizes.join(", ")}`);
  runtime.free();
  json.free();
});
