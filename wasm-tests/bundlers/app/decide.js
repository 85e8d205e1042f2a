// The tiny app: import drf-gate the way its README says, decide every case.
import * as drf from "drf-gate";
import { CASES, POLICY } from "./cases.js";

export async function decide() {
  // Entries that still have an init step export it; entries ready on import may not.
  if (typeof drf.init === "function") await drf.init();
  const gate = new drf.Gate(POLICY);
  const out = CASES.map((context) => {
    const decision = gate.check(context);
    return [decision.status, decision.body, gate.can(context.user, context.view, context.action, context.object)];
  });
  gate.free();
  return out;
}
