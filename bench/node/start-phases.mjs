// Where the fast start goes (`drf-gate/runtime` + `policy.gate` in Node), phase by phase: the
// table of bench/notes.md ("Start-up, sixth pass"), regenerated from the built package.
//
//   node start-phases.mjs [--runs 15]     -> a Markdown table on stdout
//
// It copies the package (dist/ and package.json) to a temporary directory and marks the runtime's
// Node entry (dist/runtime-node.mjs, one bundle holding the glue) at its steps: module evaluation,
// reading the .wasm, `new WebAssembly.Module`, `new WebAssembly.Instance`, the start function.
// Each run is a fresh Node process; per phase it reports the median wall time, the process's CPU
// time (all threads: V8 validates wasm on helper threads) and, on Linux, the main thread's CPU
// time (/proc/thread-self/schedstat): what an idle machine waits for. One more process counts
// the wasm functions V8 compiles lazily in each phase (`--trace-wasm-compilation-times`).
// The marks cost a few µs each; a pattern the bundle no longer has stops the script. The child
// reads the policy and /proc before importing, so `readFileSync` is warm: the entry's first read
// in a real process costs ~0.5 ms more than the row shows.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PKG } from "./engines.mjs";
import { makeWorkload } from "./workload.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

const schedstat = "/proc/thread-self/schedstat";
const mainMs = existsSync(schedstat) ? () => Number(readFileSync(schedstat, "utf8").split(" ")[0]) / 1e6 : () => NaN;

if (args[0] === "--child") {
  // One fresh process: import the marked entry, load the policy, decide once.
  const [, dir, policyFile] = args;
  const request = makeWorkload().requests.find((r) => r.kind === "other" && r.action === "update");
  const policy = readFileSync(policyFile);
  const marks = [];
  const mark = (name) => marks.push([name, performance.now(), process.cpuUsage(), mainMs()]);
  globalThis.__drfGateMark = mark;
  const counting = args.includes("--count");
  const phase = (name) => {
    mark(name);
    if (counting) console.log(`@@ ${name}`);
  };
  mark("start");
  const api = await import(pathToFileURL(join(dir, "dist", "runtime-node.mjs")).href);
  phase("import resolved");
  const gate = new api.Gate(policy);
  phase("policy loaded");
  if (gate.can(request.user, "posts", request.action, request.post) !== false) throw new Error("wrong first answer");
  phase("first decision");
  const cpu = (u) => (u.user + u.system) / 1000;
  const phases = [];
  for (let i = 1; i < marks.length; i++) {
    const [name, t, c, m] = marks[i];
    const [, t0, c0, m0] = marks[i - 1];
    phases.push({ name, wall: t - t0, cpu: cpu(c) - cpu(c0), main: m - m0 });
  }
  if (!counting) console.log(JSON.stringify(phases));
  process.exit(0);
}

// The marked copy of the package.
const scratch = mkdtempSync(join(tmpdir(), "drf-gate-start-phases-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
cpSync(join(PKG, "dist"), join(scratch, "dist"), { recursive: true });
cpSync(join(PKG, "package.json"), join(scratch, "package.json"));
const entry = join(scratch, "dist", "runtime-node.mjs");
let source = readFileSync(entry, "utf8");
const mark = (name) => `globalThis.__drfGateMark(${JSON.stringify(name)});`;
const patch = (pattern, replace) => {
  if (!pattern.test(source)) throw new Error(`start-phases: runtime-node.mjs no longer has ${pattern}: update the marks`);
  source = source.replace(pattern, replace);
};
// Imports are hoisted: the first statement runs once the whole graph is loaded and linked.
source = `${mark("module graph loaded (resolve, read, parse, link)")}\n${source}`;
patch(/^(\w*[iI]nitSync\w*)\(\{ module: readFileSync\(/m, `${mark("entry evaluated (glue, gate.js: defineApi)")} $1({ module: readFileSync(`);
patch(/module = new WebAssembly\.Module\(module\);/, `${mark(".wasm read (readFileSync)")} $&; ${mark("new WebAssembly.Module")}`);
patch(/const instance = new WebAssembly\.Instance\(module, imports\);/, `$& ${mark("new WebAssembly.Instance")}`);
// The start function, when the build has one (the runtime build no longer does).
if (/wasm\.__wbindgen_start\(\);/.test(source)) patch(/wasm\.__wbindgen_start\(\);/, `$& ${mark("start function")}`);
if (/from "\.\/drf_gate_runtime\.js"/.test(source)) throw new Error("start-phases: runtime-node.mjs imports its glue: the marks expect one bundle");
writeFileSync(entry, source);

// The module graph the import loads (static relative imports, from the entry).
const graph = new Map();
const walk = (file) => {
  if (graph.has(file)) return;
  const text = readFileSync(file, "utf8");
  graph.set(file, text.length);
  for (const m of text.matchAll(/^import [^;]*? from "(\.[^"]+)";$/gm)) walk(fileURLToPath(new URL(m[1], pathToFileURL(file))));
};
walk(join(PKG, "dist", "runtime-node.mjs"));
const wasmFile = join(PKG, "dist", "drf_gate_runtime_bg.wasm");

const policyDir = join(scratch, "policy");
execFileSync(process.execPath, [join(here, "start.mjs"), "--prepare", policyDir], { stdio: "ignore" });
const policyFile = join(policyDir, "policy.gate");

const runs = Number(option("runs", "15"));
const all = [];
for (let i = 0; i < runs; i++) {
  all.push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", scratch, policyFile], { encoding: "utf8" })));
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
};

// Lazily compiled wasm functions per phase: V8 prints a line per function it compiles, the child
// prints each phase's end (stdout unbuffered, so the lines interleave as they happen).
const lazy = {};
{
  const trace = execFileSync("stdbuf", ["-o0", process.execPath, "--trace-wasm-compilation-times", fileURLToPath(import.meta.url), "--child", scratch, policyFile, "--count"], { encoding: "utf8" });
  // A trace line and a phase line may share a line of output: scan tokens, not lines.
  let count = 0;
  for (const m of trace.matchAll(/Compiled function \S+ using (\w+)|@@ (import resolved|policy loaded|first decision)/g)) {
    if (m[2] !== undefined) {
      lazy[m[2]] = count;
      count = 0;
    } else if (m[1] === "Liftoff") count++;
  }
}

const names = all[0].map((p) => p.name);
const row = (cells) => `| ${cells.join(" | ")} |`;
const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : "–");
console.log(`Node ${process.version} (V8 ${process.versions.v8}), ${runs} fresh processes, medians in ms; load average ${tmpLoad()}.`);
console.log(`Module graph of \`drf-gate/runtime\` in Node: ${graph.size} modules, ${[...graph.values()].reduce((a, b) => a + b, 0)} characters of JS (${[...graph].map(([file, size]) => `${file.slice(join(PKG, "dist").length + 1)} ${size}`).join(", ")}), plus node:fs; the .wasm ${readFileSync(wasmFile).length} B.`);
console.log("");
console.log(row(["phase", "wall", "CPU (process)", "CPU (main thread)", "wasm functions compiled (Liftoff)"]));
console.log(row(["---", "---", "---", "---", "---"]));
let sums = [0, 0, 0];
for (const name of names) {
  const w = median(all.map((r) => r.find((p) => p.name === name).wall));
  const c = median(all.map((r) => r.find((p) => p.name === name).cpu));
  const m = median(all.map((r) => r.find((p) => p.name === name).main));
  sums = [sums[0] + w, sums[1] + c, sums[2] + m];
  console.log(row([name, f(w), f(c), f(m), name in lazy ? String(lazy[name]) : ""]));
}
console.log(row(["**sum of medians**", `**${f(sums[0])}**`, `**${f(sums[1])}**`, `**${f(sums[2])}**`, ""]));

function tmpLoad() {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ")[0];
  } catch {
    return "?";
  }
}
