// What every runtime must decide exactly as the Node package: the bundlers' tiny app's cases.
import { CASES, POLICY } from "../bundlers/app/cases.js";

export async function decide(drf) {
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
