// The adversarial set through the package's JS API in Node. Usage:
//   node --expose-gc node.mjs [path/to/pkg/dist/node.mjs] [--json out.json]
// Prints one line per case that is not handled, then
// `adversarial (node): N inputs, N handled, N traps, N forged` and the memory before and after.
// The combined must-show line is printed by run.mjs.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { writeFileSync } from "node:fs";

import { buildCases, POLICY, runCase, warmUp } from "./cases.mjs";

const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const jsonOut = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : null;
const entry = resolve(args[0] ?? new URL("../../pkg/dist/node.mjs", import.meta.url).pathname);
const pkg = await import(pathToFileURL(entry).href);
const exports = await pkg.init?.();
const wasmBytes = () => exports?.memory?.buffer?.byteLength ?? 0;

const gc = () => {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
};
const api = { Gate: pkg.Gate, PolicyError: pkg.PolicyError, ContextError: pkg.ContextError, gate: new pkg.Gate(POLICY) };

// Before: the instance after normal use at the documented limits (a body at the 2.5 MiB cap,
// headers at the servers' limits), the most a legitimate client makes it hold.
await warmUp(api);
gc();
const memory = () => {
  const { rss, heapTotal, external } = process.memoryUsage();
  return { rss, heap: heapTotal, external, wasm: wasmBytes() };
};
const before = memory();

const cases = buildCases();
const total = cases.length;
const counts = { handled: 0, trap: 0, forged: 0, failed: 0 };
const results = [];
for (let i = 0; i < total; i++) {
  // Each case is dropped once run: what the set leaves in memory is then the package's, not
  // the inputs the runner still holds (some are built eagerly, up to 5 MB each).
  const testCase = cases[i];
  cases[i] = null;
  const result = await runCase(testCase, api);
  counts[result.outcome]++;
  results.push({ name: testCase.name, edge: Boolean(testCase.edge), ...result });
  if (result.outcome !== "handled") {
    console.log(`adversarial (node): ${result.outcome.toUpperCase()} ${testCase.name}: ${result.note}${testCase.edge ? " [needs the lazy body reading of helper edge]" : ""}`);
  } else if (process.env.VERBOSE) {
    console.log(`  ok ${testCase.name} (${result.ms.toFixed(0)} ms): ${result.note}`);
  }
}
gc();
await new Promise((r) => setTimeout(r, 50));
gc();
const after = memory();
const mib = (n) => (n / 1048576).toFixed(1);
// Asserted: wasm linear memory (it never shrinks: what an input makes the instance allocate is
// held for good). Printed: the process's RSS, with the JS heap and external memory (which holds
// the wasm memory) it contains; see SECURITY.md ("Memory").
const memoryOk = after.wasm <= 2 * before.wasm;
const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 3).map((r) => `${r.name} ${r.ms.toFixed(0)} ms`);
console.log(
  `adversarial (node): memory rss ${mib(before.rss)} -> ${mib(after.rss)} MiB (JS heap ${mib(before.heap)} -> ${mib(after.heap)}, ` +
    `external ${mib(before.external)} -> ${mib(after.external)}; not asserted), wasm ${mib(before.wasm)} -> ${mib(after.wasm)} MiB` +
    `${memoryOk ? "" : " (MORE THAN 2x)"}`,
);
console.log(`adversarial (node): slowest: ${slowest.join("; ")}`);
console.log(`adversarial (node): ${total} inputs, ${counts.handled} handled, ${counts.trap} traps, ${counts.forged} forged`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ counts, total, memoryOk, before, after, results }));
process.exitCode = counts.handled === total && memoryOk ? 0 : 1;
