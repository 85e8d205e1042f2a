// Interleaved A/B of the start-up rows (start.mjs) over builds of the package: each round runs
// every build once, in a random order, in fresh processes, so that the machine's load falls on
// all of them alike; medians per phase of wall, process CPU and main-thread CPU time.
//
//   node start-ab.mjs [--rounds 31] [--row drfGateRuntime] NAME=PKG_DIR NAME=PKG_DIR ...
//
// PKG_DIR is a package directory (package.json and dist/), as DRF_GATE_PKG takes it; e.g. a copy
// of pkg/ made before a change. Prints a Markdown table (bench/notes.md's before/after tables).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const rounds = Number(option("rounds", "31"));
const row = option("row", "drfGateRuntime");
const arms = args.map((arm) => {
  const at = arm.indexOf("=");
  if (at <= 0) throw new Error(`start-ab: expected NAME=PKG_DIR, got ${arm}`);
  return [arm.slice(0, at), resolve(arm.slice(at + 1))];
});
if (arms.length === 0) throw new Error("start-ab: name at least one build: NAME=PKG_DIR");

const start = fileURLToPath(new URL("./start.mjs", import.meta.url));
const policyDir = mkdtempSync(join(tmpdir(), "drf-gate-start-ab-"));
process.on("exit", () => rmSync(policyDir, { recursive: true, force: true }));
// One policy for every arm, compiled by the first arm's CLI.
execFileSync(process.execPath, [start, "--prepare", policyDir], { env: { ...process.env, DRF_GATE_PKG: arms[0][1] }, stdio: "ignore" });

const runs = Object.fromEntries(arms.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) {
  const order = arms.map((arm) => [Math.random(), arm]).sort((a, b) => a[0] - b[0]).map(([, arm]) => arm);
  for (const [name, dir] of order) {
    const out = execFileSync(process.execPath, [start, row, "--policy-dir", policyDir, "--main-thread"], {
      env: { ...process.env, DRF_GATE_PKG: dir },
      encoding: "utf8",
    });
    runs[name].push(JSON.parse(out));
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const phases = ["import", "compile", "firstDecision", "total"];
const wall = { import: "importMs", compile: "compileMs", firstDecision: "firstDecisionMs", total: "totalMs" };
const f = (x) => x.toFixed(2);
const load = loadavg()[0].toFixed(2);
console.log(`\`${row}\`, ${rounds} interleaved rounds, medians in ms, load average ${load} at the end.`);
console.log("");
console.log("| build | measure | import | load | first | **total** |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [name] of arms) {
  const rs = runs[name];
  const cells = (pick) => phases.map((p) => f(median(rs.map((x) => pick(x, p)))));
  const line = (measure, pick) => {
    const [a, b, c, total] = cells(pick);
    console.log(`| ${name} | ${measure} | ${a} | ${b} | ${c} | **${total}** |`);
  };
  line("wall", (x, p) => x[wall[p]]);
  line("CPU (process)", (x, p) => x.cpuMs[p]);
  if (rs.every((x) => x.mainThreadCpuMs !== null)) line("CPU (main thread)", (x, p) => x.mainThreadCpuMs[p]);
}

// Paired: each build against the first, round by round (both ran in the same minutes): the
// median of the differences of the totals, with a bootstrap 95 % interval (1,000 resamples).
if (arms.length > 1) {
  const measures = [
    ["wall", (x) => x.totalMs],
    ["CPU (process)", (x) => x.cpuMs.total],
    ["CPU (main thread)", (x) => x.mainThreadCpuMs?.total ?? NaN],
  ];
  const [first] = arms[0];
  console.log("");
  console.log(`Paired differences of the totals against \`${first}\` (median, bootstrap 95 % interval), ms:`);
  console.log("");
  console.log("| build | wall | CPU (process) | CPU (main thread) |");
  console.log("| --- | --- | --- | --- |");
  for (const [name] of arms.slice(1)) {
    const cells = measures.map(([, pick]) => {
      const diffs = runs[name].map((x, i) => pick(x) - pick(runs[first][i]));
      if (!diffs.every(Number.isFinite)) return "–";
      const boot = [];
      for (let b = 0; b < 1000; b++) boot.push(median(diffs.map(() => diffs[Math.floor(Math.random() * diffs.length)])));
      boot.sort((a, b) => a - b);
      return `${f(median(diffs))} (${f(boot[25])}..${f(boot[974])})`;
    });
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
}
