// Memory after N checks (default 1,000,000): RSS, V8 heap, and the engine's wasm linear memory.
//
//   node --expose-gc memory.mjs drfGate.can [checks]     -> one JSON line on stdout
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
const adapter = ENGINES[key];
const mode = adapter?.modes[modeKey];
if (!mode) throw new Error(`unknown engine mode ${id}`);
const checks = Number(checksArg ?? 1_000_000);
const passes = Math.max(1, Math.round(checks / REQUESTS));

const snapshot = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const wasm = instances.reduce((sum, i) => sum + (i.exports.memory?.buffer.byteLength ?? 0), 0);
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, wasm };
};
const engine = await adapter.compile(await adapter.load());
const calls = mode.prepare(engine, makeWorkload());
const before = snapshot();
let allowed = 0;
for (let p = 0; p < passes; p++) allowed += mode.run(engine, calls);
const after = snapshot();
console.log(JSON.stringify({ id, checks: passes * REQUESTS, allowed, before, after }));
