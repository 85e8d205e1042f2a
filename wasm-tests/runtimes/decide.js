// What every runtime must decide exactly as the Node package: the bundlers' tiny app's cases,
// from its policy compiled (compiled.js, written by run.mjs) and, where the entry compiles JSON
// policies, from the JSON policy too (both must agree). The browser's default entry (the
// runtime) loads compiled policies only and refuses the JSON one, naming the JSON entry.
import { CASES, POLICY } from "../bundlers/app/cases.js";
import { COMPILED } from "./compiled.js";

function answers(gate) {
  const out = CASES.map((context) => {
    const decision = gate.check(context);
    return [decision.status, decision.body, gate.can(context.user, context.view, context.action, context.object)];
  });
  gate.free();
  return out;
}

export async function decide(drf) {
  // Entries that still have an init step export it; entries ready on import may not.
  if (typeof drf.init === "function") await drf.init();
  const compiled = answers(new drf.Gate(COMPILED));
  let gate;
  try {
    gate = new drf.Gate(POLICY);
  } catch (error) {
    if (error?.name === "PolicyError" && /drf-gate\/inline/.test(error.message)) return compiled;
    throw error;
  }
  const json = answers(gate);
  if (JSON.stringify(json) !== JSON.stringify(compiled)) {
    throw new Error(`the JSON and compiled policies disagree: ${JSON.stringify(json)} vs ${JSON.stringify(compiled)}`);
  }
  return compiled;
}
