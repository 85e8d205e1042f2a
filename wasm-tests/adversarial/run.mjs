// The adversarial set (issue 14) through the JS API in Node and through a Worker in workerd.
// Usage: node run.mjs  (from run.sh, which builds nothing: the package must be built).
// Prints `adversarial: N inputs, N handled, N traps, N forged` (Node, the browser runtime in Node
// (runtime.mjs), and workerd together) and
// exits non-zero unless every input is handled, nothing traps or is forged, there are at least
// 100 inputs, and wasm memory after the set is within 2x of memory before it in both runtimes.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";
import { Log, LogLevel, Miniflare } from "miniflare";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const scratch = join(root, "wasm-tests", ".scratch", "adversarial");
const log = (...args) => console.log("adversarial:", ...args);

// 1. Node, in its own process (clean memory figures, --expose-gc).
const nodeJson = join(scratch, "node.json");
mkdirSync(scratch, { recursive: true });
const node = spawnSync(process.execPath, ["--expose-gc", join(here, "node.mjs"), join(root, "pkg", "dist", "node.mjs"), "--json", nodeJson], { stdio: ["ignore", "inherit", "inherit"] });
let nodeResult = { counts: { handled: 0, trap: 0, forged: 0, failed: 0 }, total: 0, memoryOk: false };
try {
  nodeResult = JSON.parse(readFileSync(nodeJson, "utf8"));
} catch {
  log(`the Node run produced no result (exit ${node.status}, signal ${node.signal})`);
}

// 1b. The browser runtime (drf-gate/runtime: compiled policies, drf-gate-alloc) in Node: its own
//     hostile inputs (runtime.mjs), in its own process.
const runtimeJson = join(scratch, "runtime.json");
const runtimeRun = spawnSync(process.execPath, ["--expose-gc", join(here, "runtime.mjs"), join(root, "pkg", "dist"), "--json", runtimeJson], { stdio: ["ignore", "inherit", "inherit"] });
let runtimeResult = { counts: { handled: 0, trap: 0, forged: 0, failed: 0 }, total: 0, memoryOk: false };
try {
  runtimeResult = JSON.parse(readFileSync(runtimeJson, "utf8"));
} catch {
  log(`the runtime run produced no result (exit ${runtimeRun.status}, signal ${runtimeRun.signal})`);
}

// 1c. The UI-gating build (drf-gate/can: the runtime without `check`): the same set, each `check`
//     case asked as `can` (runtime.mjs --build can prints its own lines; not in the totals).
const canRun = spawnSync(process.execPath, ["--expose-gc", join(here, "runtime.mjs"), join(root, "pkg", "dist"), "--build", "can"], { stdio: ["ignore", "inherit", "inherit"] });

// 2. workerd: the Worker bundled as wrangler bundles one (esbuild, workerd conditions, the .wasm
//    kept as a CompiledWasm module).
const outDir = join(scratch, "worker");
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const wasmFiles = new Set();
await esbuild.build({
  entryPoints: [join(here, "worker.js")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["browser", "module", "main"],
  alias: { "drf-gate-under-test": join(root, "pkg", "dist", "workerd.js") },
  outfile: join(outDir, "worker.js"),
  logLevel: "silent",
  plugins: [{
    name: "wasm-module",
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, (args) => {
        const path = join(args.resolveDir, args.path);
        wasmFiles.add(path);
        return { path: `./${path.split("/").pop()}`, external: true };
      });
    },
  }],
});
const { copyFileSync } = await import("node:fs");
for (const path of wasmFiles) copyFileSync(path, join(outDir, path.split("/").pop()));
const mf = new Miniflare({
  modules: [
    { type: "ESModule", path: join(outDir, "worker.js") },
    ...[...wasmFiles].map((path) => ({ type: "CompiledWasm", path: join(outDir, path.split("/").pop()) })),
  ],
  modulesRoot: outDir,
  compatibilityDate: "2026-04-01",
  compatibilityFlags: ["nodejs_compat"],
  log: new Log(LogLevel.NONE),
});
const workerd = { handled: 0, trap: 0, forged: 0, failed: 0 };
// The resident memory of the workerd processes this run started (Linux /proc), in bytes; 0 when
// they cannot be found.
function workerdRss() {
  let total = 0;
  try {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        if (!/^Name:\s*workerd\b/m.test(status)) continue;
        if (Number(/^PPid:\s*(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
        total += Number(/^VmRSS:\s*(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        // the process ended
      }
    }
  } catch {
    // no /proc
  }
  return total;
}
let workerTotal = 0;
let workerMemory = { before: 0, after: 0, ok: false };
try {
  await mf.ready;
  const info = await (await mf.dispatchFetch("http://localhost/count")).json();
  workerTotal = info.count;
  const rssBefore = workerdRss();
  for (let i = 0; i < info.count; i++) {
    const started = performance.now();
    let result;
    try {
      const response = await mf.dispatchFetch(`http://localhost/case?i=${i}`);
      result = response.ok ? await response.json() : { name: `case ${i}`, outcome: "trap", note: `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}` };
    } catch (error) {
      result = { name: `case ${i}`, outcome: "trap", note: `the Worker failed: ${error.message}` };
    }
    const ms = performance.now() - started;
    if (result.outcome === "handled" && ms > result.limitMs) {
      result.outcome = "failed";
      result.note = `took ${ms.toFixed(0)} ms, limit ${result.limitMs} ms`;
    }
    workerd[result.outcome]++;
    if (result.outcome !== "handled") {
      console.log(`adversarial (workerd): ${result.outcome.toUpperCase()} ${result.name}: ${result.note}${result.edge ? " [needs the lazy body reading of helper edge]" : ""}`);
    }
  }
  const end = await (await mf.dispatchFetch("http://localhost/count")).json();
  workerMemory = { before: end.before, after: end.wasm, ok: end.wasm <= 2 * end.before };
  const mib = (n) => (n / 1048576).toFixed(1);
  const rssAfter = workerdRss();
  const rss = rssBefore && rssAfter ? `rss ${mib(rssBefore)} -> ${mib(rssAfter)} MiB (not asserted), ` : "";
  console.log(`adversarial (workerd): memory ${rss}wasm ${mib(end.before)} -> ${mib(end.wasm)} MiB${workerMemory.ok ? "" : " (MORE THAN 2x)"}`);
  console.log(`adversarial (workerd): ${workerTotal} inputs, ${workerd.handled} handled, ${workerd.trap} traps, ${workerd.forged} forged`);
} catch (error) {
  log(`workerd run failed: ${error.stack ?? error}`);
} finally {
  await mf.dispose();
}

const total = nodeResult.total + runtimeResult.total + workerTotal;
const handled = nodeResult.counts.handled + runtimeResult.counts.handled + workerd.handled;
const traps = nodeResult.counts.trap + runtimeResult.counts.trap + workerd.trap;
const forged = nodeResult.counts.forged + runtimeResult.counts.forged + workerd.forged;
console.log(`adversarial: ${total} inputs, ${handled} handled, ${traps} traps, ${forged} forged`);
// Memory: after the set, wasm linear memory (which never shrinks) must be within 2x of what the
// warm-up (normal use at the documented limits) left, in Node and in workerd. RSS is printed
// too (Node's process; workerd's when its process can be found) and asserted in Node only: see
// node.mjs.
const memoryGate = nodeResult.memoryOk && runtimeResult.memoryOk && workerMemory.ok;
const ok = total >= 100 && handled === total && traps === 0 && forged === 0 && memoryGate && workerTotal > 0 && nodeResult.total > 0 &&
  runtimeResult.total > 0 && canRun.status === 0;
process.exit(ok ? 0 : 1);
