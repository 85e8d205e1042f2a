// A raw request through the package, including HS256 JWT verification, on the case bench/native
// times (bench/native/raw-case.json: the same policy, request, token, `now` and user record).
// `gate.checkRequestSync` (a synchronous resolver; the figure of the must-show line) and
// `gate.checkRequest` (an async resolver) in the one-pass protocol: the request parsed once,
// authentication resumed after the user lookup.
//
// Agreement first: each case's status must be the expected one, both modes must give the same
// answer, and with `--native results/native-jwt.json` each answer must be byte-identical to the
// native core's; any difference exits 1 before anything is timed.
// Prints one JSON line: {"ns": median ns of the first case through checkRequestSync, "cases": ...}.
//
// `--build worker`: the same cases through `drf-gate/worker` (the Worker build: compiled policies
// only, the policy compiled by the Node build's `toCompiled()`, untimed); its answers must be the
// Node build's, byte for byte (and the native core's with `--native`).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PKG } from "./engines.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { Gate } = await import(pathToFileURL(join(PKG, "dist", "node.mjs")).href);
const spec = JSON.parse(readFileSync(join(here, "..", "native", "raw-case.json"), "utf8"));
const args = process.argv.slice(2);
const nativeFile = args.includes("--native") ? args[args.indexOf("--native") + 1] : null;
const build = args.includes("--build") ? args[args.indexOf("--build") + 1] : "node";
if (build !== "node" && build !== "worker") throw new Error(`bench/node/raw.mjs: --build node|worker, not ${build}`);
const iterations = Number(process.env.RAW_ITERATIONS || 20000);

const nodeGate = new Gate(spec.policy);
const gate = build === "worker"
  ? new (await import(pathToFileURL(join(PKG, "dist", "worker-node.mjs")).href)).Gate(nodeGate.toCompiled())
  : nodeGate;
const users = new Map(Object.entries(spec.users).map(([id, user]) => [Number(id), user]));
const sync = { view: "posts", now: spec.now, resolvers: { userById: (_field, id) => users.get(id) ?? null } };
const async_ = { view: "posts", now: spec.now, resolvers: { userById: async (_field, id) => users.get(id) ?? null } };
// A fresh request object each time, as a Worker builds one per request.
const fresh = (request) => ({ ...request, headers: { ...request.headers } });

const fail = (why) => {
  console.error(`bench/node/raw.mjs: ${why}`);
  process.exit(1);
};
const native = nativeFile ? JSON.parse(readFileSync(nativeFile, "utf8")).answers : null;
const answers = {};
// Not a plain record: gate.js sends it as JSON instead of typed parts; both must answer alike.
class ViaJson {}
const viaJson = (request) => Object.assign(new ViaJson(), fresh(request));
for (const c of spec.cases) {
  const one = gate.checkRequestSync(fresh(c.request), sync);
  const two = await gate.checkRequest(fresh(c.request), async_);
  const text = JSON.stringify(one);
  if (JSON.stringify(gate.checkRequestSync(viaJson(c.request), sync)) !== text) fail(`${c.name}: the typed and the JSON crossings differ`);
  if (one?.decision?.status !== c.status) fail(`${c.name}: expected status ${c.status}, got ${text}`);
  if (JSON.stringify(two) !== text) fail(`${c.name}: checkRequest and checkRequestSync differ:\n${JSON.stringify(two)}\n${text}`);
  if (native && native[c.name] !== text) fail(`${c.name}: the package and the native core differ:\n${text}\n${native[c.name]}`);
  if (gate !== nodeGate && JSON.stringify(nodeGate.checkRequestSync(fresh(c.request), sync)) !== text) fail(`${c.name}: the Worker build and the Node build differ`);
  answers[c.name] = text;
}

// Median of 5 rounds, wall-clock ns per call (`ns`, the figure) and this process's CPU ns per
// call (`cpuNs`: user + system time, less inflated than wall time on a shared machine).
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};
const median = (values) => [...values].sort((a, b) => a - b)[2];
function time(fn) {
  const rounds = [];
  const cpu = [];
  for (let round = 0; round < 5; round++) {
    const cpuStarted = cpuNow();
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    rounds.push(Number(process.hrtime.bigint() - started) / iterations);
    cpu.push((cpuNow() - cpuStarted) / iterations);
  }
  return { ns: median(rounds), cpuNs: median(cpu), rounds };
}
async function timeAsync(fn) {
  const rounds = [];
  const cpu = [];
  for (let round = 0; round < 5; round++) {
    const cpuStarted = cpuNow();
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    rounds.push(Number(process.hrtime.bigint() - started) / iterations);
    cpu.push((cpuNow() - cpuStarted) / iterations);
  }
  return { ns: median(rounds), cpuNs: median(cpu), rounds };
}

const cases = {};
for (const c of spec.cases) {
  cases[c.name] = {
    checkRequestSync: time(() => gate.checkRequestSync(fresh(c.request), sync)),
    checkRequest: await timeAsync(() => gate.checkRequest(fresh(c.request), async_)),
  };
}
const headline = spec.cases.find((c) => c.jwt);
console.log(JSON.stringify({ ns: cases[headline.name].checkRequestSync.ns, build, case: headline.name, cases, answers }));
