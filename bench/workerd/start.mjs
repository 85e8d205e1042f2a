// What drf-gate adds to a cold workerd isolate, up to its first decision.
//
//   DRF_GATE_PKG=... node bench/workerd/start.mjs [--rounds 5] [--isolates 16] [--only edgeCompiled,...] [--out file.json]
//
// workerd's clocks stand still while an isolate runs (Spectre mitigation), so the host times it
// from outside, against an empty Worker of the same shape:
//
//   cost = (ready(drf-gate) - ready(empty)) / isolates + (first - warm)(drf-gate) - (first - warm)(empty)
//
// - ready: `new Miniflare(...)` to `mf.ready` for one fresh workerd process holding `isolates`
//   Workers (each its own isolate). workerd loads every Worker before it listens: it compiles the
//   `.wasm` modules, parses the JS and evaluates the top level (drf-gate's entry instantiates the
//   `.wasm`, the Worker makes its Gate there). The difference with the empty Worker, per isolate,
//   is what drf-gate adds to loading one isolate; process launch, config and Miniflare's own
//   work cancel out. Each isolate gets its own copy of the `.wasm` with a distinct custom
//   section, so V8's process-wide cache of compiled modules never serves one isolate from
//   another's compile: every isolate is cold.
// - first - warm: per isolate, the first request (the first decision: lazily compiled wasm
//   functions, first JS runs) minus the median of the next requests, minus the same for the
//   empty Worker.
//
// The Worker is bundled as wrangler bundles it (esbuild; `.wasm` as a compiled module, the JSON
// policy inlined by the bundler, `policy.gate` as a Data module: the bytes shipped in the bundle).
// The empty Worker answers the same question with plain JS and ships the same files as unused
// Data modules, so both configs carry the same bytes. Variants: the edge build (what Workers get
// from `drf-gate`) with the JSON policy and with policy.gate, the Worker build (`drf-gate/worker`)
// with policy.gate, and the browser runtime with policy.gate. Medians over `rounds` fresh workerd processes per variant, interleaved.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "node", "package.json"));
const { Log, LogLevel, Miniflare } = require("miniflare");
const { compatibilityDate, version } = require("workerd");
const esbuild = require("esbuild");

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(option("rounds", 5));
const isolates = Number(option("isolates", 16));
const warmRequests = 5;
const out = option("out", null);
const only = option("only", null);
const pkg = resolve(process.env.DRF_GATE_PKG || join(here, "..", "..", "pkg"));
const dist = join(pkg, "dist");
if (!existsSync(join(dist, "workerd.js"))) throw new Error(`drf-gate package not built: ${dist}/workerd.js is missing`);
const { POLICY, makeWorkload, handWritten } = await import(new URL("../node/workload.mjs", import.meta.url));

// The first question, as in bench/node/start.mjs: an update of a post by a user who is not its owner.
const request = makeWorkload().requests.find((r) => r.kind === "other" && r.action === "update");
const expected = handWritten(request.user, request.action, request.post);

const scratch = mkdtempSync(join(tmpdir(), "drf-gate-workerd-start-"));
writeFileSync(join(scratch, "policy.json"), JSON.stringify(POLICY));
{
  // `npx drf-gate compile policy.json -o policy.gate`, as a build step would run it.
  const { execFileSync } = await import("node:child_process");
  execFileSync(process.execPath, [join(dist, "cli.mjs"), "compile", join(scratch, "policy.json"), "-o", join(scratch, "policy.gate")], { stdio: "pipe" });
}

// The Worker's entry per variant: make the Gate at global scope, answer at the first request.
const question = `(decide) => decide(${JSON.stringify(request.user)}, ${JSON.stringify(request.action)}, ${JSON.stringify(request.post)})`;
const handler = `
const ask = ${question};
export default {
  async fetch(request) {
    return new Response(ask(decide) ? "allowed" : "denied");
  },
};`;
// The same question in plain JS (bench/node/workload.mjs's rules): the empty Worker's answer, and
// the phase rows' (which load drf-gate but do not decide with it yet).
const plainDecide = `(user, action, post) =>
  new Set(["list", "retrieve"]).has(action) || (user !== null && (action === "create" || post.owner === user.id || user.isStaff))`;
const VARIANTS = {
  edgeJson: {
    label: "edge build (`drf-gate` in workerd) + JSON policy",
    entry: `import { Gate } from ${JSON.stringify(join(dist, "workerd.js"))};
import policy from ${JSON.stringify(join(scratch, "policy.json"))};
const gate = new Gate(policy);
const decide = (user, action, post) => gate.can(user, "posts", action, post);
${handler}`,
  },
  edgeCompiled: {
    label: "edge build (`drf-gate` in workerd) + policy.gate",
    entry: `import { Gate } from ${JSON.stringify(join(dist, "workerd.js"))};
import policy from "./policy.gate";
const gate = new Gate(policy);
const decide = (user, action, post) => gate.can(user, "posts", action, post);
${handler}`,
  },
  workerCompiled: {
    label: "worker build (`drf-gate/worker`: edge without the compiler) + policy.gate",
    entry: `import { Gate } from ${JSON.stringify(join(dist, "worker.js"))};
import policy from "./policy.gate";
const gate = new Gate(policy);
const decide = (user, action, post) => gate.can(user, "posts", action, post);
${handler}`,
  },
  // What a Worker on `drf-gate/worker` pays, phase by phase (each row adds one step to the one
  // before; differences between rows price a step): the JS alone (the package's API and glue,
  // bundled, nothing instantiated), + the `.wasm` imported (workerd compiles it: validation of
  // every function, lazy compilation of none), + instantiated (`initSync`, what importing
  // `drf-gate/worker` does), then `workerCompiled` above (+ `new Gate(policy.gate)`, the first
  // decision). `workerBytes`: the same Worker with the `.wasm` shipped as bytes (a Data module)
  // and compiled by the top level (`new WebAssembly.Module`), instead of a CompiledWasm module.
  // Run only when named by --only (see `chosen`).
  workerJs: {
    label: "phases of the worker build: its JS alone (API and glue, no `.wasm`)",
    phase: true,
    entry: `import { Gate } from ${JSON.stringify(join(dist, "api-worker.js"))};
const decide = (user, action, post) => typeof Gate === "function" && (${plainDecide})(user, action, post);
${handler}`,
  },
  workerModule: {
    label: "phases of the worker build: + its `.wasm` imported (compiled by workerd, not instantiated)",
    phase: true,
    entry: `import wasmModule from ${JSON.stringify(join(dist, "drf_gate_worker_bg.wasm"))};
import { Gate } from ${JSON.stringify(join(dist, "api-worker.js"))};
const ready = wasmModule instanceof WebAssembly.Module;
const decide = (user, action, post) => ready && typeof Gate === "function" && (${plainDecide})(user, action, post);
${handler}`,
  },
  workerInstance: {
    label: "phases of the worker build: + instantiated (`import \"drf-gate/worker\"`, no Gate)",
    phase: true,
    entry: `import { Gate } from ${JSON.stringify(join(dist, "worker.js"))};
const decide = (user, action, post) => typeof Gate === "function" && (${plainDecide})(user, action, post);
${handler}`,
  },
  workerBytes: {
    label: "worker build + policy.gate, its `.wasm` shipped as bytes (a Data module) and compiled by the top level",
    phase: true,
    bytes: true,
    entry: `import wasmBytes from ${JSON.stringify(join(dist, "drf_gate_worker_bg.wasm"))};
import { Gate, initSync } from ${JSON.stringify(join(dist, "api-worker.js"))};
import policy from "./policy.gate";
initSync({ module: new WebAssembly.Module(wasmBytes) });
const gate = new Gate(policy);
const decide = (user, action, post) => gate.can(user, "posts", action, post);
${handler}`,
  },
  runtimeCompiled: {
    label: "browser runtime (`drf-gate/runtime` glue, its `.wasm` as a module) + policy.gate",
    entry: `import wasmModule from ${JSON.stringify(join(dist, "drf_gate_runtime_bg.wasm"))};
import { Gate, initSync } from ${JSON.stringify(join(dist, "api-runtime.js"))};
import policy from "./policy.gate";
initSync({ module: wasmModule });
const gate = new Gate(policy);
const decide = (user, action, post) => gate.can(user, "posts", action, post);
${handler}`,
  },
};
// The empty Worker: the same question answered by plain JS (bench/node/workload.mjs's rules).
const emptyEntry = `
const decide = ${plainDecide};
${handler}`;

// Bundles an entry as wrangler would (esbuild; .wasm and .gate left as modules of their own).
async function bundle(entry, outDir, bytes = false) {
  mkdirSync(outDir, { recursive: true });
  const entryFile = join(outDir, "entry.mjs");
  writeFileSync(entryFile, entry);
  const files = new Map();
  await esbuild.build({
    entryPoints: [entryFile],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    outfile: join(outDir, "worker.js"),
    logLevel: "silent",
    plugins: [{
      name: "modules",
      setup(build) {
        build.onResolve({ filter: /\.(wasm|gate)$/ }, (a) => {
          const path = a.path.startsWith("/") ? a.path : a.path === "./policy.gate" ? join(scratch, "policy.gate") : join(a.resolveDir, a.path);
          files.set(basename(path), { path, type: path.endsWith(".wasm") && !bytes ? "CompiledWasm" : "Data" });
          return { path: `./${basename(path)}`, external: true };
        });
      },
    }],
  });
  return { script: readFileSync(join(outDir, "worker.js"), "utf8"), files };
}

// A .wasm with a custom section of its own: the same code, bytes no other isolate has.
function distinct(bytes) {
  const name = Buffer.from("drf-gate-bench-nonce");
  const payload = Buffer.concat([Buffer.from([name.length]), name, randomBytes(16)]);
  return Buffer.concat([bytes, Buffer.from([0, payload.length]), payload]);
}

// Miniflare options for `isolates` Workers of one variant (or its empty twin).
function workers(bundled, empty) {
  return Array.from({ length: isolates }, (_, i) => {
    const modules = [{ type: "ESModule", path: "worker.js", contents: empty ? emptyBundle.script : bundled.script }];
    for (const [name, file] of bundled.files) {
      const raw = readFileSync(file.path);
      const contents = file.path.endsWith(".wasm") ? distinct(raw) : raw;
      // The empty twin ships the same bytes, as Data nothing imports.
      modules.push({ type: empty ? "Data" : file.type, path: empty ? `unused-${name}` : name, contents });
    }
    if (empty) modules.push({ type: "Data", path: "unused-worker.js", contents: Buffer.from(bundled.script) });
    return { name: `w${i}`, modules, compatibilityDate };
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

// CPU time of a process, all its threads, in ms (Linux: /proc/PID/task/*/schedstat, in ns).
function cpuMs(pid) {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return ns / 1e6;
}
// This process's children (Miniflare spawns workerd directly): /proc/PID/stat's parent field.
const children = () => {
  const found = new Set();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid) found.add(Number(entry));
    } catch {
      // A process that ended meanwhile.
    }
  }
  return found;
};

// One fresh workerd process: ready time (wall, and workerd's CPU time when /proc has it), then
// per isolate the first request minus the median of the next ones (wall and workerd CPU).
async function sample(bundled, empty) {
  const options = { workers: workers(bundled, empty), log: new Log(LogLevel.NONE) };
  const before = children();
  const started = now();
  const mf = new Miniflare(options);
  try {
    await mf.ready;
    const readyMs = now() - started;
    const workerd = [...children()].filter((pid) => !before.has(pid) && /workerd/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8")));
    const pid = workerd.length === 1 ? workerd[0] : null;
    const cpu = () => (pid === null ? NaN : cpuMs(pid));
    const readyCpuMs = cpu();
    const fetchers = await Promise.all(Array.from({ length: isolates }, (_, i) => mf.getWorker(`w${i}`)));
    const ask = async (fetcher) => {
      const c = cpu();
      const t = now();
      const text = await (await fetcher.fetch("http://bench/first")).text();
      const ms = now() - t;
      if (text !== (expected ? "allowed" : "denied")) throw new Error(`wrong first answer: ${text}`);
      return { ms, cpu: cpu() - c };
    };
    const firstMinusWarm = [];
    const firstMinusWarmCpu = [];
    for (const fetcher of fetchers) {
      const first = await ask(fetcher);
      const warm = [];
      for (let i = 0; i < warmRequests; i++) warm.push(await ask(fetcher));
      firstMinusWarm.push(first.ms - median(warm.map((w) => w.ms)));
      firstMinusWarmCpu.push(first.cpu - median(warm.map((w) => w.cpu)));
    }
    return { readyMs, readyCpuMs, firstMinusWarmMs: median(firstMinusWarm), firstMinusWarmCpuMs: median(firstMinusWarmCpu) };
  } finally {
    await mf.dispose();
  }
}

const emptyBundle = await bundle(emptyEntry, join(scratch, "empty"));
// The phase rows only with --only: each differs from the next by a few ms per isolate, less than
// whole processes' ready times vary under load (bench/workerd/phases.mjs times phases closer).
const chosen = Object.entries(VARIANTS).filter(([id, v]) => (only === null ? !v.phase : only.split(",").includes(id)));
const bundles = new Map();
for (const [id, variant] of chosen) bundles.set(id, await bundle(variant.entry, join(scratch, id), variant.bytes));

const samples = Object.fromEntries(chosen.map(([id]) => [id, { drfGate: [], empty: [] }]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const [id] of chosen) {
      // Alternate which goes first, so a drift in machine load affects both alike.
      const order = round % 2 ? [true, false] : [false, true];
      for (const empty of order) {
        const s = await sample(bundles.get(id), empty);
        samples[id][empty ? "empty" : "drfGate"].push(s);
        console.error(`[workerd start] round ${round + 1}/${rounds} ${id}${empty ? " (empty twin)" : ""}: ready ${s.readyMs.toFixed(1)} ms (workerd CPU ${s.readyCpuMs.toFixed(1)}), first - warm ${s.firstMinusWarmMs.toFixed(2)} ms (CPU ${s.firstMinusWarmCpuMs.toFixed(2)})`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// Per variant: the wall-clock cost (the figure), and the same from workerd's CPU time (less
// disturbed by other work on the machine; V8's helper threads included).
const results = chosen.map(([id, variant]) => {
  const { drfGate, empty } = samples[id];
  const diff = (key) => median(drfGate.map((s) => s[key])) - median(empty.map((s) => s[key]));
  const loadMs = diff("readyMs") / isolates;
  const firstDecisionMs = diff("firstMinusWarmMs");
  const cpuLoadMs = diff("readyCpuMs") / isolates;
  const cpuFirstDecisionMs = diff("firstMinusWarmCpuMs");
  // The empty Worker's own figure in the same processes (not drf-gate's; what every Worker pays):
  // its process's CPU to ready spread over its isolates (workerd's own start included), plus its
  // first request over its warm ones.
  const emptyMedian = (key) => median(empty.map((s) => s[key]));
  return {
    id, label: variant.label,
    startMs: loadMs + firstDecisionMs, loadMs, firstDecisionMs,
    cpu: { startMs: cpuLoadMs + cpuFirstDecisionMs, loadMs: cpuLoadMs, firstDecisionMs: cpuFirstDecisionMs },
    emptyCpu: { perIsolateMs: emptyMedian("readyCpuMs") / isolates, firstMinusWarmMs: emptyMedian("firstMinusWarmCpuMs") },
    samples: samples[id],
  };
});
for (const r of results) {
  console.log(`workerd start, ${r.label}: ${r.startMs.toFixed(1)} ms per cold isolate (load ${r.loadMs.toFixed(1)} + first decision ${r.firstDecisionMs.toFixed(1)}); workerd CPU ${r.cpu.startMs.toFixed(1)} ms (${r.cpu.loadMs.toFixed(1)} + ${r.cpu.firstDecisionMs.toFixed(1)}) above the empty Worker's ${r.emptyCpu.perIsolateMs.toFixed(1)} ms per isolate; medians of ${rounds} processes x ${isolates} isolates`);
}
if (out) writeFileSync(out, JSON.stringify({ workerd: version, compatibilityDate, rounds, isolates, warmRequests, results }, null, 2));
