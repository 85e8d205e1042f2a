// Replays the cases real DRF answered through the built npm package (wasm), as a Node consumer
// imports it, and reports every disagreement. Same rules and output as conformance/replay.rs.
//
//   node conformance/replay.mjs conformance/out/cases.json [path/to/pkg/dist/node.mjs]
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [casesPath, modulePath] = process.argv.slice(2);
if (!casesPath) {
  console.error("usage: node conformance/replay.mjs cases.json [pkg/dist/node.mjs]");
  process.exit(1);
}
const entry = modulePath
  ? pathToFileURL(resolve(modulePath)).href
  : new URL("../pkg/dist/node.mjs", import.meta.url).href;
const { Gate } = await import(entry);

let document;
try {
  document = JSON.parse(readFileSync(casesPath, "utf8"));
} catch (err) {
  console.error(`conformance (wasm): cannot read ${casesPath}: ${err.message}; run conformance/run.sh`);
  process.exit(1);
}
const cases = document.cases ?? [];
let agree = 0, disagree = 0, pending = 0;

const compact = (v) => (typeof v === "string" ? v : JSON.stringify(v));
const outcome = (status, body, www) => `${status} ${body} www=${www == null ? "-" : JSON.stringify(www)}`;

function contextSummary(ctx) {
  const parts = [`view=${compact(ctx.view)}`];
  for (const key of ["action", "method", "detail"]) if (key in ctx) parts.push(`${key}=${compact(ctx[key])}`);
  parts.push(ctx.user == null ? "user=anonymous" : `user=${compact(ctx.user)}`);
  if ("authentication" in ctx) parts.push(`auth=${compact(ctx.authentication)}`);
  if ("object" in ctx) parts.push(ctx.object === null ? "object=miss" : `object=${compact(ctx.object)}`);
  return parts.join(" ");
}

function replay(c) {
  let gate;
  try {
    gate = new Gate(c.policy);
  } catch (err) {
    return `policy rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}`;
  }
  let decision;
  try {
    decision = gate.check(c.context);
  } catch (err) {
    return `context rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}`;
  } finally {
    gate.free?.();
  }
  const www = decision.headers?.["WWW-Authenticate"] ?? null;
  const body = decision.body ?? ""; // an allowed decision may carry no body at all
  const e = c.expected;
  if (decision.status === e.status && body === e.body && www === e.wwwAuthenticate) return null;
  return outcome(decision.status, body, www);
}

for (const c of cases) {
  if (c.raw != null) {
    pending += 1;
    continue;
  }
  const got = replay(c);
  if (got === null) {
    agree += 1;
  } else {
    disagree += 1;
    let policy = JSON.stringify(c.policy);
    if (policy.length > 600) policy = policy.slice(0, 600) + "…";
    const e = c.expected;
    console.log(`DISAGREE ${c.id} [${c.source}] ${contextSummary(c.context)} | policy ${policy} | ` +
      `expected ${outcome(e.status, e.body, e.wwwAuthenticate)} | got ${got}`);
  }
}
console.log(`conformance (wasm): ${cases.length} cases, ${agree} agree, ${disagree} disagree, ${pending} pending ` +
  `(seed ${document.seed})`);
process.exit(disagree > 0 || cases.length === 0 ? 1 : 0);
