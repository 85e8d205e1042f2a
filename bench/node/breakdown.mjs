// Where a drf-gate `can` or `check` spends its time across the JS/wasm boundary: the same check
// with and without each input, so the differences price the subject lookup, the object
// conversion, a plain user object's kept facts, and `check`'s paths (kept by step, memo, wasm).
//
//   node breakdown.mjs   -> one JSON line: { case: ns per call, ... } (median of 5 runs)
import { ENGINES } from "./engines.mjs";
import { POLICY } from "./workload.mjs";

const { Gate } = await ENGINES.drfGate.load();
const gate = new Gate(POLICY);
const user = { id: 3, username: "user3", isActive: true, isStaff: false, isSuperuser: false };
const subject = gate.subject(user);
const post = { id: 7, owner: 3, title: "Post 7" };
const permitted = { ...user, permissions: ["blog.change_post"] };
const distinct = Array.from({ length: 100_000 }, (_, i) => ({ id: 7, owner: 1000 + i, title: "Post 7" }));
let next = 0;
const cases = {
  "can(null, list)": () => gate.can(null, "posts", "list"),
  "can(subject, list)": () => gate.can(subject, "posts", "list"),
  "can(user object, list)": () => gate.can(user, "posts", "list"),
  "can(user object, update, post)": () => gate.can(user, "posts", "update", post),
  // A new copy of the same user each call (a UI that rebuilds its user object): a new snapshot,
  // its key found in the gate's users (the copy itself is part of the figure).
  "can({...user}, list)": () => gate.can({ ...user }, "posts", "list"),
  "can(null, retrieve, post)": () => gate.can(null, "posts", "retrieve", post),
  "can(subject, update, post)": () => gate.can(subject, "posts", "update", post),
  "check({view, action: list})": () => gate.check({ view: "posts", action: "list" }),
  "check({view, action: list, user})": () => gate.check({ view: "posts", action: "list", user }),
  "check({view, action: update, user, object})": () => gate.check({ view: "posts", action: "update", user, object: post }),
  // A new object each call: the memo would miss; the decision kept by step answers.
  "check({view, action: update, user, object}), a new owner each call": () =>
    gate.check({ view: "posts", action: "update", user, object: distinct[(next = (next + 1) % distinct.length)] }),
  // A user with `permissions` (keyed by check by steps; the memo does not key on it).
  "check({view, action: update, user with permissions, object})": () =>
    gate.check({ view: "posts", action: "update", user: permitted, object: post }),
  "JS: JSON.stringify(post)": () => JSON.stringify(post),
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = {};
for (const [name, f] of Object.entries(cases)) {
  for (let i = 0; i < 20_000; i++) f();
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const n = 50_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    runs.push(Number(process.hrtime.bigint() - start) / n);
  }
  out[name] = median(runs);
}
console.log(JSON.stringify(out));
