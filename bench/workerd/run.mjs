// Runs worker.mjs in workerd (npm miniflare, from bench/node) and times it from outside: the
// time of a request doing N passes minus that of a request doing none, over N x 10,000 checks.
//
//   DRF_GATE_PKG=... node bench/workerd/run.mjs [--rounds 5] [--min-ms 250] [--out file.json]
import { cpSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "node", "package.json"));
const { Miniflare } = require("miniflare");
const { compatibilityDate, version } = require("workerd");

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(option("rounds", 5));
const minMs = Number(option("min-ms", 250));
const out = option("out", null);
const pkg = resolve(process.env.DRF_GATE_PKG || join(here, "..", "..", "pkg"));
if (!existsSync(join(pkg, "dist", "workerd.js"))) throw new Error(`drf-gate package not built: ${pkg}/dist/workerd.js is missing`);

// The worker's module tree: worker.mjs, the shared workload, and the package's dist/.
const root = mkdtempSync(join(tmpdir(), "drf-gate-workerd-"));
cpSync(join(pkg, "dist"), join(root, "dist"), { recursive: true });
cpSync(join(here, "worker.mjs"), join(root, "worker.mjs"));
cpSync(join(here, "..", "node", "workload.mjs"), join(root, "workload.mjs"));

const booted = process.hrtime.bigint();
const mf = new Miniflare({
  modules: true,
  scriptPath: join(root, "worker.mjs"),
  modulesRoot: root,
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate,
});
try {
  const get = async (path) => {
    const response = await mf.dispatchFetch(`http://bench${path}`);
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  // Start-up: a fresh workerd (process, isolate, module evaluation with the .wasm and the policy)
  // to its first decision, minus a warm request of the same kind: an upper bound of the cold
  // isolate + first policy compile, as the host cannot see inside workerd's clocks.
  await get("/first");
  const coldMs = Number(process.hrtime.bigint() - booted) / 1e6;
  const warmStarted = process.hrtime.bigint();
  await get("/first");
  const startMs = coldMs - Number(process.hrtime.bigint() - warmStarted) / 1e6;
  const agreement = await get("/agree");
  if (Object.keys(agreement.wrong).length > 0) {
    console.error(`DISAGREEMENT in workerd: ${JSON.stringify(agreement.wrong)}`);
    process.exit(1);
  }
  console.error(`workerd ${version} (compatibility date ${compatibilityDate}): all modes agree on ${agreement.requests} requests`);

  const timed = async (path) => {
    const start = process.hrtime.bigint();
    const body = await get(path);
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, body };
  };
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  };
  const modes = ["can", "canUser", "check"];
  const passes = {};
  for (const mode of modes) {
    await timed(`/run?mode=${mode}&passes=3`); // warm-up and tier-up
    const one = (await timed(`/run?mode=${mode}&passes=1`)).ms;
    passes[mode] = Math.max(1, Math.ceil(minMs / Math.max(one, 1e-3)));
  }
  const samples = Object.fromEntries(modes.map((m) => [m, []]));
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) {
      const empty = median(await Promise.all([0, 1, 2].map(async () => (await timed(`/run?mode=${mode}&passes=0`)).ms)));
      const { ms, body } = await timed(`/run?mode=${mode}&passes=${passes[mode]}`);
      if (body.allowed !== passes[mode] * agreement.allowed) throw new Error(`${mode}: wrong allowed count`);
      samples[mode].push(((ms - empty) * 1e6) / body.checks);
    }
  }
  const results = modes.map((mode) => ({ id: `workerd.${mode}`, nsPerCheck: median(samples[mode]), samples: samples[mode] }));
  for (const r of results) console.log(`${r.id.padEnd(16)} ${r.nsPerCheck.toFixed(1).padStart(10)} ns/check`);
  if (out) writeFileSync(out, JSON.stringify({ workerd: version, compatibilityDate, startMs, results }, null, 2));
} finally {
  await mf.dispose();
  rmSync(root, { recursive: true, force: true });
}
