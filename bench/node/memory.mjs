// Memory after N checks (default 1,000,000): RSS, V8 heap, and the engine's wasm linear memory.
//
//   node --expose-gc memory.mjs drfGate.can [checks]     -> one JSON line on stdout
//   node --expose-gc memory.mjs raw.checkRequestSync      -> raw requests with HS256 JWTs
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

// `raw.checkRequestSync`: raw requests through gate.checkRequestSync on bench/native/raw-case.json's
// policy: HS256 JWTs of 1,000 users (minted here with that key, each looked up by id), a bad
// signature and no credentials, a fresh request object each time.
if (key === "raw") {
  if (modeKey !== "checkRequestSync") throw new Error(`unknown raw mode ${id}`);
  const { createHmac } = await import("node:crypto");
  const { readFileSync } = await import("node:fs");
  const { drfGateEntry } = await import("./engines.mjs");
  const { Gate } = await import(drfGateEntry());
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
  const gate = new Gate(spec.policy);
  const options = {
    view: "posts",
    now: spec.now,
    resolvers: {
      userById: (_field, userId) => (Number(userId) % 7 === 0 ? null : { id: Number(userId), username: `user${userId}`, isActive: true }),
    },
  };
  const fresh = (request) => ({ ...request, headers: { ...request.headers } });
  const run = () => {
    let allowed = 0;
    for (const request of requests) if (gate.checkRequestSync(fresh(request), options).decision.allowed) allowed++;
    return allowed;
  };
  run();
  const before = snapshot();
  const passes = Math.max(1, Math.round(checks / requests.length));
  let allowed = 0;
  for (let p = 0; p < passes; p++) allowed += run();
  const after = snapshot();
  const label = "raw request, HS256 JWT (gate.checkRequestSync, 1,000 users)";
  console.log(JSON.stringify({ id, label, checks: passes * requests.length, allowed, before, after }));
  process.exit(0);
}

const adapter = ENGINES[key];
const mode = adapter?.modes[modeKey];
if (!mode) throw new Error(`unknown engine mode ${id}`);
const passes = Math.max(1, Math.round(checks / REQUESTS));
const engine = await adapter.compile(await adapter.load());
const calls = mode.prepare(engine, makeWorkload());
const before = snapshot();
let allowed = 0;
for (let p = 0; p < passes; p++) allowed += mode.run(engine, calls);
const after = snapshot();
console.log(JSON.stringify({ id, checks: passes * REQUESTS, allowed, before, after }));
