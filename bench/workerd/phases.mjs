// What each phase of a cold workerd isolate costs with drf-gate, and how builds compare: closer
// than start.mjs's phase rows, because it runs `workerd test` (no sockets, no Miniflare, no
// loopback services) and takes the process's CPU time as the shell's `times` reports it.
//
//   node bench/workerd/phases.mjs [--build worker,edge,runtime | worker=/other/pkg/dist,...]
//       [--phase empty,js,module,init,gate,first] [--isolates 16] [--reps 9] [--flags --v8-flag,...]
//
// Per build and phase, one config of `isolates` Workers (each its own isolate and its own copy of
// the `.wasm`, a distinct custom section, so V8's process-wide module cache never serves one
// isolate from another's compile), each run as `workerd test`, `reps` times, builds and phases
// interleaved (alternating order). Each phase adds one step to the one before:
//   empty  a Worker that imports nothing (workerd's own cost per isolate);
//   js     the package's API and glue, bundled as wrangler bundles them (nothing instantiated);
//   module + the `.wasm` imported as a compiled module (workerd validates and compiles it);
//   init   + instantiated (`initSync`, what importing `drf-gate/worker` does);
//   gate   + `new Gate(policy.gate)` at the top level;
//   first  + the test handler's first decision (`gate.can`, bench/workload.mjs's first question).
// And two ways to ship the same `first`: `bytes` (the `.wasm` as a Data module, compiled by the
// top level with `new WebAssembly.Module`: workerd allows that only at startup) and `atfirst`
// (compiled by workerd, but instantiated and the Gate made by the first request).
// Prints the median CPU per isolate; differences between phases price a step. `--flags` passes
// V8 flags through the config (`v8Flags`), to see what workerd's V8 does (e.g.
// `--wasm-lazy-validation`, `--no-wasm-lazy-compilation`): a deployed Worker cannot set them.
// `build=dir` takes another package's dist (e.g. before/after a change).
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "node", "package.json"));
const esbuild = require("esbuild");
const { compatibilityDate } = require("workerd");
const workerdBin = require.resolve("workerd/bin/workerd");
const dist = resolve(process.env.DRF_GATE_PKG || join(here, "..", "..", "pkg"), "dist");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const isolates = Number(option("isolates", 16));
const reps = Number(option("reps", 9));
const flags = option("flags", "").split(",").filter(Boolean);
const phases = option("phase", "empty,js,module,init,gate,first").split(",");
const builds = option("build", "worker").split(",");
const PHASES = ["empty", "js", "module", "init", "gate", "first", "bytes", "atfirst"];
const BUILDS = {
  worker: { api: "api-worker.js", wasm: "drf_gate_worker_bg.wasm" },
  edge: { api: "api-edge.js", wasm: "drf_gate_bg.wasm" },
  runtime: { api: "api-runtime.js", wasm: "drf_gate_runtime_bg.wasm" },
};

const { POLICY, makeWorkload, handWritten } = await import(new URL("../node/workload.mjs", import.meta.url));
const request = makeWorkload().requests.find((r) => r.kind === "other" && r.action === "update");
const expected = handWritten(request.user, request.action, request.post);
const scratch = mkdtempSync(join(tmpdir(), "drf-gate-workerd-phases-"));
writeFileSync(join(scratch, "policy.json"), JSON.stringify(POLICY));
execFileSync(process.execPath, [join(dist, "cli.mjs"), "compile", join(scratch, "policy.json"), "-o", join(scratch, "policy.gate")], { stdio: "pipe" });

function entry(spec, phase) {
  const [name, from = dist] = spec.split("=");
  const build = BUILDS[name];
  if (!build) throw new Error(`unknown build ${name}`);
  const rank = PHASES.indexOf(phase);
  if (rank < 0) throw new Error(`unknown phase ${phase}`);
  const question = `gate.can(${JSON.stringify(request.user)}, "posts", ${JSON.stringify(request.action)}, ${JSON.stringify(request.post)})`;
  const check = `if (${question} !== ${expected}) throw new Error("wrong answer");`;
  if (phase === "bytes" || phase === "atfirst") {
    const load = phase === "bytes" ? "new WebAssembly.Module(wasm)" : "wasm";
    const make = `initSync({ module: ${load} }); gate = new Gate(policy);`;
    return [`import { Gate, initSync } from ${JSON.stringify(join(from, build.api))};`,
      `import wasm from ${JSON.stringify(join(from, build.wasm))};`, 'import policy from "./policy.gate";',
      `let gate;`, phase === "bytes" ? make : "",
      `export default { async test() { ${phase === "atfirst" ? make : ""} ${check} } };`].join("\n");
  }
  const lines = [];
  if (rank >= 1) lines.push(`import { Gate, initSync } from ${JSON.stringify(join(from, build.api))};`, "globalThis.Gate = Gate;");
  if (rank >= 2) lines.push(`import wasmModule from ${JSON.stringify(join(from, build.wasm))};`, "globalThis.wasmModule = wasmModule;");
  if (rank >= 3) lines.push("initSync({ module: wasmModule });");
  if (rank >= 4) lines.push('import policy from "./policy.gate";', "const gate = new Gate(policy);");
  lines.push(`export default { async test() { ${rank >= 5 ? check : ""} } };`);
  return lines.join("\n");
}

async function bundle(source, dir, bytes = false) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "entry.mjs"), source);
  const files = new Map();
  await esbuild.build({
    entryPoints: [join(dir, "entry.mjs")], bundle: true, format: "esm", platform: "neutral",
    conditions: ["workerd", "worker", "browser"], outfile: join(dir, "worker.js"), logLevel: "silent",
    plugins: [{
      name: "modules",
      setup(build) {
        build.onResolve({ filter: /\.(wasm|gate)$/ }, (a) => {
          const path = a.path.startsWith("/") ? a.path : join(scratch, "policy.gate");
          files.set(basename(path), { path, data: bytes || !path.endsWith(".wasm") });
          return { path: `./${basename(path)}`, external: true };
        });
      },
    }],
  });
  return { script: readFileSync(join(dir, "worker.js")), files };
}

// A .wasm with a custom section of its own: the same code, bytes no other isolate has.
function distinct(bytes) {
  const name = Buffer.from("drf-gate-bench-nonce");
  const payload = Buffer.concat([Buffer.from([name.length]), name, randomBytes(16)]);
  return Buffer.concat([bytes, Buffer.from([0, payload.length]), payload]);
}

function config(bundled, dir) {
  const services = [];
  for (let i = 0; i < isolates; i++) {
    mkdirSync(join(dir, `w${i}`), { recursive: true });
    writeFileSync(join(dir, `w${i}`, "worker.js"), bundled.script);
    const modules = [`(name = "worker.js", esModule = embed "w${i}/worker.js")`];
    for (const [name, { path, data }] of bundled.files) {
      const wasm = name.endsWith(".wasm");
      writeFileSync(join(dir, `w${i}`, name), wasm ? distinct(readFileSync(path)) : readFileSync(path));
      modules.push(`(name = "${name}", ${data ? "data" : "wasm"} = embed "w${i}/${name}")`);
    }
    services.push(`(name = "w${i}", worker = (modules = [${modules.join(", ")}], compatibilityDate = "${compatibilityDate}"))`);
  }
  const file = join(dir, "config.capnp");
  writeFileSync(file, `using Workerd = import "/workerd/workerd.capnp";\nconst config :Workerd.Config = (services = [${services.join(", ")}], ` +
    `v8Flags = [${flags.map((f) => JSON.stringify(f)).join(", ")}]);\n`);
  return file;
}

// CPU ms of one `workerd test` process (user + system, all threads), from the shell's `times`.
function cpuMs(file) {
  const run = spawnSync("bash", ["-c", '"$0" test "$1" >/dev/null 2>"$1.log" || { cat "$1.log" >&2; exit 1; }; times', workerdBin, file], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`workerd test failed: ${run.stderr}`);
  const children = run.stdout.trim().split("\n").at(-1).match(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/);
  if (!children) throw new Error(`no times: ${run.stdout}`);
  return ((Number(children[1]) + Number(children[3])) * 60 + Number(children[2]) + Number(children[4])) * 1000;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
try {
  const configs = [];
  for (const [b, build] of builds.entries()) {
    for (const phase of phases) {
      const dir = join(scratch, `${b}-${phase}`);
      configs.push({ build, phase, file: config(await bundle(entry(build, phase), join(dir, "bundle"), phase === "bytes"), dir), cpu: [] });
    }
  }
  for (let rep = 0; rep < reps; rep++) {
    for (const c of rep % 2 ? [...configs].reverse() : configs) c.cpu.push(cpuMs(c.file));
  }
  for (const c of configs) {
    const each = median(c.cpu) / isolates;
    console.log(`workerd phases: ${c.build} ${c.phase}: ${each.toFixed(2)} ms CPU per isolate (median of ${reps} processes x ${isolates} isolates${flags.length ? `, V8 flags ${flags.join(" ")}` : ""})`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
