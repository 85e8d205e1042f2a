// The adversarial set inside workerd: one case per request (`/case?i=N`), judged by the same
// code as in Node. Time is measured by the caller (workerd's clock stands still while a request
// computes), memory as the wasm instance's linear memory.
import * as pkg from "drf-gate-under-test";
import { buildCases, POLICY, runCase, warmUp } from "./cases.mjs";

let state = null;
async function setup() {
  if (state === null) {
    const exports = await pkg.init?.();
    const api = { Gate: pkg.Gate, PolicyError: pkg.PolicyError, ContextError: pkg.ContextError, gate: new pkg.Gate(POLICY) };
    await warmUp(api);
    const wasmBytes = () => exports?.memory?.buffer?.byteLength ?? 0;
    state = { api, cases: buildCases(), wasmBytes, before: wasmBytes() };
  }
  return state;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const { api, cases, wasmBytes, before } = await setup();
    if (url.pathname === "/count") return Response.json({ count: cases.length, before, wasm: wasmBytes() });
    if (url.pathname === "/case") {
      const testCase = cases[Number(url.searchParams.get("i"))];
      if (!testCase) return new Response("no such case", { status: 404 });
      const result = await runCase({ ...testCase, limitMs: Infinity }, api);
      return Response.json({ name: testCase.name, edge: Boolean(testCase.edge), limitMs: testCase.limitMs, ...result, wasm: wasmBytes() });
    }
    return new Response("not found", { status: 404 });
  },
};
