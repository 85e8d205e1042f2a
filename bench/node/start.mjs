// Start-to-first-decision in this (fresh) process: import the engine (for wasm engines: read,
// compile and instantiate the module), compile the policy, answer one request.
//
//   node start.mjs drfGate|hand|casl|casbin|cedar     -> one JSON line on stdout
//
// `sinceProcessStartMs` adds Node's own start-up (the same for every engine).
import { performance } from "node:perf_hooks";
import { ENGINES } from "./engines.mjs";
import { makeWorkload, handWritten } from "./workload.mjs";

const key = process.argv[2];
const adapter = ENGINES[key];
if (!adapter) throw new Error(`unknown engine ${key}; one of ${Object.keys(ENGINES).join(", ")}`);
// An update of a post by a user who is not its owner: the object stage runs.
const request = makeWorkload().requests.find((r) => r.kind === "other" && r.action === "update");

// The first decision, through each engine's plain per-request API (no per-user cache yet).
const first = {
  drfGate: (gate, r) => gate.can(r.user, "posts", r.action, r.post),
  hand: (_, r) => handWritten(r.user, r.action, r.post),
  casl: (mod, r) => ENGINES.casl.modes.check.one(mod, ENGINES.casl.modes.check.prepare(mod, { posts: [r.post], requests: [r] })[0]),
  casbin: (enforcer, r) => ENGINES.casbin.modes.can.one(enforcer, ENGINES.casbin.modes.can.prepare(enforcer, { users: [r.user], requests: [r] })[0]),
  cedar: (mod, r) => ENGINES.cedar.modes.can.one(mod, ENGINES.cedar.modes.can.prepare(mod, { requests: [r] })[0]),
}[key];

const t0 = performance.now();
const mod = await adapter.load();
const t1 = performance.now();
const engine = await adapter.compile(mod);
const t2 = performance.now();
const answer = first(engine, request);
const t3 = performance.now();
if (answer !== handWritten(request.user, request.action, request.post)) throw new Error(`${key}: wrong first answer ${answer}`);
console.log(JSON.stringify({
  engine: key, importMs: t1 - t0, compileMs: t2 - t1, firstDecisionMs: t3 - t2, totalMs: t3 - t0, sinceProcessStartMs: t3,
}));
