// Memory after N checks (default 1,000,000): RSS, V8 heap, and the engine's wasm linear memory.
//
//   node --expose-gc memory.mjs drfGate.can [checks]     -> one JSON line on stdout
//   node --expose-gc memory.mjs raw.checkRequestSync      -> raw requests with HS256 JWTs
//   node --expose-gc memory.mjs raw.checkRequest          -> the same, async (awaited resolvers)
//   node --expose-gc memory.mjs rawWorker.checkRequest    -> the same on drf-gate/worker
//   node --expose-gc memory.mjs drfGateWorker.can         -> drf-gate/worker (compiled policy)
//   node --expose-gc memory.mjs drfGateCore.check         -> drf-gate/web (the core build)
//
// Every path users reach has a row in bench/run.sh: can / check (plain, cached subject, 10^6
// distinct objects) on the Node build, the browser runtime, the core build and the Worker build,
// and raw requests (sync and async) on the Node and Worker builds.
//
// The wasm memory is read from the instances the engine creates (WebAssembly.Instance is wrapped
// before the engine loads); linear memory never shrinks, so it is the high-water mark.
import { ENGINES } from "./engines.mjs";
import { makeWorkload, REQUESTS } from "./workload.mjs";

const instances = [];
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    instances.push(instance);
    return instance;
  },
});
const origInstantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async (...args) => {
  const result = await origInstantiate(...args);
  instances.push(result.instance ?? result);
  return result;
};

const [id, checksArg] = process.argv.slice(2);
const [key, modeKey] = id.split(".");
const checks = Number(checksArg ?? 1_000_000);

const snapshot = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const wasm = instances.reduce((sum, i) => sum + (i.exports.memory?.buffer.byteLength ?? 0), 0);
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, wasm };
};

// `raw.checkRequestSync` (and `raw.checkRequest`, `rawWorker.*`: the async path, the Worker build
// on the compiled policy): raw requests through gate.checkRequestSync on bench/native/raw-case.json's
// policy: HS256 JWTs of 1,000 users (minted here with that key, each looked up by id), a bad
// signature and no credentials, a fresh request object each time.
if (key === "raw" || key === "rawWorker") {
  if (modeKey !== "checkRequestSync" && modeKey !== "checkRequest") throw new Error(`unknown raw mode ${id}`);
  const { createHmac } = await import("node:crypto");
  const { readFileSync } = await import("node:fs");
  const { drfGateEntry } = await import("./engines.mjs");
  const { Gate: NodeGate } = await import(drfGateEntry());
  const worker = key === "rawWorker" ? await import(new URL("worker-node.mjs", drfGateEntry()).href) : null;
  const spec = JSON.parse(readFileSync(new URL("../native/raw-case.json", import.meta.url), "utf8"));
  const key64 = (value) => Buffer.from(value).toString("base64url");
  const secret = spec.policy.settings.jwt.signingKey;
  const header = key64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const token = (userId) => {
    const claims = key64(JSON.stringify({ token_type: "access", exp: 4102444800, iat: 1700000000, jti: `jti${userId}`, user_id: userId }));
    const signature = createHmac("sha256", secret).update(`${header}.${claims}`).digest("base64url");
    return `${header}.${claims}.${signature}`;
  };
  const requests = [];
  for (let user = 1; user <= 1000; user++) {
    requests.push({ method: user % 2 ? "POST" : "GET", path: "/api/posts/", headers: { Authorization: `Bearer ${token(user)}` } });
  }
  for (const c of spec.cases.filter((c) => !c.jwt)) requests.push(c.request);
  let gate = new NodeGate(spec.policy);
  if (worker !== null) {
    const bytes = gate.toCompiled();
    gate.free();
    gate = new worker.Gate(bytes);
  }
  const options = {
    view: "posts",
    now: spec.now,
    resolvers: {
      userById: (_field, userId) => (Number(userId) % 7 === 0 ? null : { id: Number(userId), username: `user${userId}`, isActive: true }),
    },
  };
  const fresh = (request) => ({ ...request, headers: { ...request.headers } });
  const run = modeKey === "checkRequestSync"
    ? () => {
      let allowed = 0;
      for (const request of requests) if (gate.checkRequestSync(fresh(request), options).decision.allowed) allowed++;
      return allowed;
    }
    : async () => {
      let allowed = 0;
      for (const request of requests) if ((await gate.checkRequest(fresh(request), options)).decision.allowed) allowed++;
      return allowed;
    };
  await run();
  const before = snapshot();
  const passes = Math.max(1, Math.round(checks / requests.length));
  let allowed = 0;
  for (let p = 0; p < passes; p++) allowed += await run();
  const after = snapshot();
  const build = worker === null ? "" : "drf-gate/worker, compiled policy, ";
  const label = `raw request, HS256 JWT (${build}gate.${modeKey}, 1,000 users)`;
  console.log(JSON.stringify({ id, label, checks: passes * requests.length, allowed, before, after }));
  process.exit(0);
}

// The Worker build (drf-gate/worker: edge without the compiler, the policy compiled by the Node
// build) and the core build (drf-gate/web: JSON policies in browsers), with the Node build's modes.
const otherBuild = (name, load) => ({
  name,
  load,
  compile: (mod) => new mod.Gate(mod.policy),
  modes: ENGINES.drfGate.modes,
});
const BUILDS = {
  drfGateWorker: otherBuild("drf-gate/worker", async () => {
    const { drfGateEntry } = await import("./engines.mjs");
    const { POLICY } = await import("./workload.mjs");
    const node = await import(drfGateEntry());
    const api = await import(new URL("worker-node.mjs", drfGateEntry()).href);
    const gate = new node.Gate(POLICY);
    const policy = gate.toCompiled();
    gate.free();
    return { Gate: api.Gate, policy };
  }),
  drfGateCore: otherBuild("drf-gate/web (core build)", async () => {
    const { readFileSync } = await import("node:fs");
    const { drfGateEntry } = await import("./engines.mjs");
    const { POLICY } = await import("./workload.mjs");
    const api = await import(new URL("api-core.js", drfGateEntry()).href);
    api.initSync({ module: readFileSync(new URL("drf_gate_core_bg.wasm", drfGateEntry())) });
    return { Gate: api.Gate, policy: POLICY };
  }),
};

const adapter = ENGINES[key] ?? BUILDS[key];
const mode = adapter?.modes[modeKey];
if (!mode) throw new Error(`unknown engine mode ${id}`);
const passes = Math.max(1, Math.round(checks / REQUESTS));
const engine = await adapter.compile(await adapter.load());
const calls = mode.prepare(engine, makeWorkload());
const before = snapshot();
let allowed = 0;
for (let p = 0; p < passes; p++) allowed += mode.run(engine, calls);
const after = snapshot();
const label = BUILDS[key] || key === "drfGateRuntime" ? `${adapter.name}: ${mode.label}` : undefined;
console.log(JSON.stringify({ id, label, checks: passes * REQUESTS, allowed, before, after }));
