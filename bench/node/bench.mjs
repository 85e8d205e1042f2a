// Warm ns per check on the same 10,000 requests, after asserting that every engine loaded gives
// the same allow/deny on every one of them (exit 1 and no timing if not).
//
//   node bench.mjs [--only drfGate,casl] [--rounds 5] [--min-ms 250] [--agree-only]
//                  [--skip-agreement] [--out results.json]
//
// Within one process, rounds are interleaved (round 1 of every mode, then round 2, ...); each
// figure is the median of its rounds. run-node.mjs runs each engine in its own process.
import { writeFileSync } from "node:fs";
import { ENGINES, PKG } from "./engines.mjs";
import { makeWorkload, handWritten, REQUESTS } from "./workload.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(option("rounds", 5));
const minMs = Number(option("min-ms", 250));
const out = option("out", null);
const only = option("only", null);
const agreeOnly = args.includes("--agree-only");
const skipAgreement = args.includes("--skip-agreement");

const workload = makeWorkload();
const expected = workload.requests.map((r) => handWritten(r.user, r.action, r.post));
const expectedAllowed = expected.filter(Boolean).length;

const modes = [];
for (const [key, adapter] of Object.entries(ENGINES)) {
  if (only && !only.split(",").includes(key)) continue;
  const mod = await adapter.load();
  const engine = await adapter.compile(mod);
  for (const [modeKey, mode] of Object.entries(adapter.modes)) {
    const calls = mode.prepare(engine, workload);
    modes.push({ id: `${key}.${modeKey}`, engine: adapter.name, label: mode.label, mode, target: engine, calls, samples: [] });
  }
}

// 1. Agreement: every engine, every mode, every request, against the hand-written rules.
let disagreements = 0;
for (const m of skipAgreement ? [] : modes) {
  const wrong = [];
  for (let i = 0; i < REQUESTS; i++) {
    let got;
    try {
      got = m.mode.one(m.target, m.calls[i]);
    } catch (error) {
      got = `threw ${error?.name}: ${error?.message}`;
    }
    if (got !== expected[i]) wrong.push(i);
  }
  if (wrong.length > 0) {
    disagreements += wrong.length;
    console.error(`DISAGREEMENT: ${m.id} (${m.engine}, ${m.label}) differs on ${wrong.length} of ${REQUESTS} requests; first ones:`);
    for (const i of wrong.slice(0, 5)) {
      const r = workload.requests[i];
      let got;
      try { got = m.mode.one(m.target, m.calls[i]); } catch (error) { got = `threw ${error?.name}: ${error?.message}`; }
      console.error(`  #${i} ${r.kind} user=${r.user?.id ?? "anonymous"} ${r.action} post=${JSON.stringify(r.post)}: expected ${expected[i]}, got ${got}`);
    }
  }
}
if (disagreements > 0) {
  console.error(`FAILED: the engines disagree on ${disagreements} answers; no timing is reported.`);
  process.exit(1);
}
if (!skipAgreement) {
  console.error(`agreement: ${modes.length} engine modes give the same answer on all ${REQUESTS} requests (${expectedAllowed} allowed): ${modes.map((m) => m.id).join(", ")}`);
}
if (agreeOnly) process.exit(0);

// 2. Timing.
function measure(m) {
  let passes = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const budget = BigInt(Math.round(minMs * 1e6));
  do {
    sink += m.mode.run(m.target, m.calls);
    passes++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  if (sink !== passes * expectedAllowed) throw new Error(`${m.id}: allowed count changed while timing`);
  return Number(elapsed) / (passes * REQUESTS);
}

for (const m of modes) {
  // Warm-up: JIT, inline caches, wasm tier-up. A second pass unless one pass already took 1 s.
  const start = process.hrtime.bigint();
  m.mode.run(m.target, m.calls);
  if (process.hrtime.bigint() - start < 1_000_000_000n) m.mode.run(m.target, m.calls);
}
for (let round = 0; round < rounds; round++) {
  for (const m of modes) m.samples.push(measure(m));
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const results = modes.map((m) => ({
  id: m.id, engine: m.engine, label: m.label, nsPerCheck: median(m.samples), samples: m.samples,
}));
for (const r of results) {
  console.log(`${r.id.padEnd(20)} ${r.engine.padEnd(16)} ${r.label.padEnd(44)} ${r.nsPerCheck.toFixed(1).padStart(10)} ns/check`);
}
if (out) {
  writeFileSync(out, JSON.stringify({ requests: REQUESTS, allowed: expectedAllowed, rounds, minMs, pkg: PKG, results }, null, 2));
}
