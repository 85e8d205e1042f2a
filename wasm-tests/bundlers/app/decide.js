// The tiny app: import drf-gate the way its README says, decide every case from the compiled
// policy (what the default browser entry, the runtime, loads; run.mjs writes compiled.js).
import * as drf from "drf-gate";
import { CASES, POLICY } from "./cases.js";
import { COMPILED } from "./compiled.js";

export async function decide() {
  // Entries that still have an init step export it; entries ready on import may not.
  if (typeof drf.init === "function") await drf.init();
  const gate = new drf.Gate(COMPILED);
  const out = CASES.map((context) => {
    const decision = gate.check(context);
    return [decision.status, decision.body, gate.can(context.user, context.view, context.action, context.object)];
  });
  gate.free();
  return out;
}

/** What the entry does with a JSON policy: the browser runtime refuses it, naming the JSON entry. */
export function jsonPolicy() {
  try {
    new drf.Gate(POLICY).free();
    return "accepted";
  } catch (error) {
    return `${error?.name}: ${error?.message}`;
  }
}
