// The drf-gate benchmark inside workerd. workerd freezes its clocks while a request runs, so the
// host (run.mjs) times each request from outside; this worker only does the work:
//   GET /agree              -> every mode's answers against the hand-written rules
//   GET /run?mode=can&passes=N -> N passes over the 10,000 requests, returns the allowed count
import { Gate } from "./dist/workerd.js";
import { POLICY, makeWorkload, handWritten } from "./workload.mjs";

const gate = new Gate(POLICY);
const { users, requests } = makeWorkload();
const subjects = new Map(users.map((u) => [u.id, gate.subject(u)]));
const calls = requests.map((r) => ({
  user: r.user, subject: r.user === null ? null : subjects.get(r.user.id), action: r.action, object: r.post,
}));
const expected = requests.map((r) => handWritten(r.user, r.action, r.post));

const modes = {
  can: (c) => gate.can(c.subject, "posts", c.action, c.object ?? undefined),
  canUser: (c) => gate.can(c.user, "posts", c.action, c.object ?? undefined),
  check: (c) => gate.check(c.object === null
    ? { view: "posts", action: c.action, user: c.user }
    : { view: "posts", action: c.action, user: c.user, object: c.object }).allowed,
};

function run(one, passes) {
  let allowed = 0;
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < calls.length; i++) if (one(calls[i])) allowed++;
  }
  return allowed;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    // One decision: the host times the first request of a fresh workerd (start-up).
    if (url.pathname === "/first") return Response.json({ allowed: modes[Object.keys(modes)[0]](calls[0]) });
    if (url.pathname === "/agree") {
      const wrong = {};
      for (const [name, one] of Object.entries(modes)) {
        const bad = calls.flatMap((c, i) => (one(c) === expected[i] ? [] : [i]));
        if (bad.length) wrong[name] = bad.slice(0, 10);
      }
      return Response.json({ requests: calls.length, allowed: expected.filter(Boolean).length, wrong });
    }
    const one = modes[url.searchParams.get("mode")];
    if (!one) return new Response("unknown mode", { status: 400 });
    const passes = Number(url.searchParams.get("passes") ?? 1);
    return Response.json({ allowed: run(one, passes), checks: passes * calls.length });
  },
};
