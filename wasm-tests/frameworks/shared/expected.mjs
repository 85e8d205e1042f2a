// The controls each app must show for a user and a policy, from the package's own decisions in
// Node (never from the bindings under test).
import { Gate } from "drf-gate";
import { POLICIES, POSTS, userByKey } from "./fixtures.js";

const gates = new Map();
const gateFor = (name) => {
  if (!gates.has(name)) gates.set(name, new Gate(JSON.stringify(POLICIES[name])));
  return gates.get(name);
};

/** The page's controls, in document order, as the apps render them (see read() in run.mjs). */
export function expectedControls(userKey, policyName) {
  const gate = gateFor(policyName);
  const user = userByKey(userKey).user;
  const out = [{ post: null, control: "create", state: gate.can(user, "posts", "create") ? "enabled" : "disabled" }];
  for (const post of POSTS) {
    const id = String(post.id);
    out.push({ post: id, control: "retrieve", state: gate.can(user, "posts", "retrieve", post) ? "shown" : "fallback" });
    out.push({ post: id, control: "update", state: gate.can(user, "posts", "update", post) ? "shown" : "fallback" });
    out.push({ post: id, control: "destroy", state: gate.can(user, "posts", "destroy", post) ? "enabled" : "disabled" });
    const publish = gate.check({ view: "posts", action: "publish", user, object: post });
    out.push({ post: id, control: "publish", state: publish.allowed ? "enabled" : "disabled", title: tooltip(publish) });
    out.push({ post: id, control: "perms", state: JSON.stringify(gate.permissionsFor(user, "posts", post)) });
  }
  return out;
}

/** The tooltip a denied control must carry: status, deciding class, DRF's message. */
function tooltip(decision) {
  if (decision.allowed) return "";
  const detail = JSON.parse(decision.body).detail;
  return `${decision.status}${decision.decidedBy ? ` ${decision.decidedBy.source}` : ""}: ${detail}`;
}
