// Start to first decision in this (fresh) process, in three phases:
//   import         the engine's module as a user's `import` resolves it (for drf-gate: the
//                  package's exports map, the entry, its glue, reading and compiling the .wasm);
//   policy load    reading the policy file and making the engine from it;
//   first decision one object-level request (an update of a post by a user who is not its owner).
//
//   node start.mjs --prepare DIR           -> DIR/policy.json and DIR/policy.gate (`drf-gate compile`)
//   node start.mjs ROW [--policy-dir DIR] [--main-thread]  -> one JSON line on stdout
//
// Rows (the same policy, the same first request):
//   drfGate          `import "drf-gate"` (Node: the edge build) + the JSON policy file
//   drfGateCompiled  `import "drf-gate"` (Node: the edge build) + policy.gate
//   drfGateRuntime   `import "drf-gate/runtime"` (the small runtime build) + policy.gate
//   hand, casl, casbin, cedar   the other engines (bench/node/engines.mjs), policies in memory
//   loader           `import` of an empty module (./empty.mjs): Node's own first-import set-up,
//                    which every other row's import includes (the hand-written rules answer)
//
// Times are wall clock (performance.now); `cpuMs` is the process's CPU time over the same span
// (all threads: V8 compiles and validates wasm on helper threads), which a loaded machine
// disturbs less; `mainThreadCpuMs` the main thread's alone (with --main-thread, on Linux; else null). `sinceProcessStartMs` adds Node's own start-up (the same for every row).
import { performance } from "node:perf_hooks";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ENGINES, PKG } from "./engines.mjs";
import { POLICY, makeWorkload, handWritten } from "./workload.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

// A subpath of the package resolved through its exports map, as Node resolves an ESM import
// (conditions "node", "import", "default", in the map's order).
export function resolveExport(subpath) {
  const manifest = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  const conditions = new Set(["node", "import", "default"]);
  const pick = (target) => {
    if (typeof target === "string") return target;
    if (target === null || typeof target !== "object") return undefined;
    for (const [key, value] of Object.entries(target)) {
      if (!conditions.has(key)) continue;
      const found = pick(value);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const target = pick(manifest.exports?.[subpath]);
  if (target === undefined) throw new Error(`drf-gate: no export ${subpath} for node/import`);
  const file = join(PKG, target);
  if (!existsSync(file)) throw new Error(`drf-gate package not built: ${file} is missing (build it, or set DRF_GATE_PKG)`);
  return pathToFileURL(file).href;
}

if (args[0] === "--prepare") {
  const dir = resolve(args[1] ?? ".");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "policy.json"), `${JSON.stringify(POLICY, null, 2)}\n`);
  // The documented build step: `npx drf-gate compile policy.json -o policy.gate`.
  execFileSync(process.execPath, [join(PKG, "dist", "cli.mjs"), "compile", join(dir, "policy.json"), "-o", join(dir, "policy.gate")], { stdio: "inherit" });
  process.exit(0);
}

const row = args[0];
const policyDir = resolve(option("policy-dir", "."));
const policyFile = (name) => {
  const file = join(policyDir, name);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`node start.mjs --prepare ${policyDir}\` first`);
  return file;
};

// How each row imports its engine, loads the policy, and asks the first question.
const drfGateFirst = (gate, r) => gate.can(r.user, "posts", r.action, r.post);
const ROWS = {
  drfGate: {
    load: () => import(resolveExport(".")),
    policy: (mod) => new mod.Gate(readFileSync(policyFile("policy.json"), "utf8")),
    first: drfGateFirst,
  },
  drfGateCompiled: {
    load: () => import(resolveExport(".")),
    policy: (mod) => new mod.Gate(readFileSync(policyFile("policy.gate"))),
    first: drfGateFirst,
  },
  drfGateRuntime: {
    load: () => import(resolveExport("./runtime")),
    policy: (mod) => new mod.Gate(readFileSync(policyFile("policy.gate"))),
    first: drfGateFirst,
  },
  loader: { load: () => import(new URL("./empty.mjs", import.meta.url).href), policy: () => null, first: (_, r) => handWritten(r.user, r.action, r.post) },
  hand: { load: ENGINES.hand.load, policy: ENGINES.hand.compile, first: (_, r) => handWritten(r.user, r.action, r.post) },
  casl: {
    load: ENGINES.casl.load,
    policy: ENGINES.casl.compile,
    first: (mod, r) => ENGINES.casl.modes.check.one(mod, ENGINES.casl.modes.check.prepare(mod, { posts: [r.post], requests: [r] })[0]),
  },
  casbin: {
    load: ENGINES.casbin.load,
    policy: ENGINES.casbin.compile,
    first: (enforcer, r) => ENGINES.casbin.modes.can.one(enforcer, ENGINES.casbin.modes.can.prepare(enforcer, { users: [r.user], requests: [r] })[0]),
  },
  cedar: {
    load: ENGINES.cedar.load,
    policy: ENGINES.cedar.compile,
    first: (mod, r) => ENGINES.cedar.modes.can.one(mod, ENGINES.cedar.modes.can.prepare(mod, { requests: [r] })[0]),
  },
};
const chosen = ROWS[row];
if (!chosen) throw new Error(`unknown row ${row}; one of ${Object.keys(ROWS).join(", ")}`);
// An update of a post by a user who is not its owner: the object stage runs.
const request = makeWorkload().requests.find((r) => r.kind === "other" && r.action === "update");

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
// With --main-thread, also the main thread's own CPU time (Linux): what an idle machine waits
// for, less disturbed by other processes than wall time and without V8's helper threads. Off by
// default: reading it calls readFileSync before the timed span, which takes the first read's
// one-time cost (~0.5 ms) out of every row's import.
const schedstat = "/proc/thread-self/schedstat";
const main = args.includes("--main-thread") && existsSync(schedstat) ? () => Number(readFileSync(schedstat, "utf8").split(" ")[0]) / 1e6 : () => NaN;
main();
const m0 = main();
const c0 = cpu();
const t0 = performance.now();
const mod = await chosen.load();
const t1 = performance.now();
const c1 = cpu();
const m1 = main();
const engine = await chosen.policy(mod);
const t2 = performance.now();
const c2 = cpu();
const m2 = main();
const answer = chosen.first(engine, request);
const t3 = performance.now();
const c3 = cpu();
const m3 = main();
if (answer !== handWritten(request.user, request.action, request.post)) throw new Error(`${row}: wrong first answer ${answer}`);
console.log(JSON.stringify({
  engine: row,
  importMs: t1 - t0,
  compileMs: t2 - t1,
  firstDecisionMs: t3 - t2,
  totalMs: t3 - t0,
  cpuMs: { import: c1 - c0, compile: c2 - c1, firstDecision: c3 - c2, total: c3 - c0 },
  mainThreadCpuMs: Number.isFinite(m0) ? { import: m1 - m0, compile: m2 - m1, firstDecision: m3 - m2, total: m3 - m0 } : null,
  sinceProcessStartMs: t3,
}));
