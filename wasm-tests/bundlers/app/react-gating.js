// The React UI-gating app: drf-gate/can/react on the app's `drf-gate/can` Gate class (the bundle
// must hold the can .wasm only). The anonymous section's provider loads the compiled policy with
// `Gate`; the staff's and the owner's share one Gate. StrictMode: effects run twice, and the
// provider's Gate and Subjects must survive it.
import { StrictMode, createElement as h } from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import { Can, GateProvider, useCan } from "drf-gate/can/react";
import { COMPILED } from "./compiled.js";
import { BUTTONS, POST, USERS } from "./ui.js";

function Buttons() {
  // One through the hook, the others through <Can>.
  const update = useCan("posts", "update", POST);
  return BUTTONS.map((b) => {
    const button = h("button", { key: b.name, "data-action": b.name }, b.name);
    if (b.name === "update") return update ? button : null;
    return h(Can, { key: b.name, view: b.view, action: b.action, object: b.object }, button);
  });
}

export function mountReact(Gate, element) {
  const gate = new Gate(COMPILED);
  const sections = Object.entries(USERS).map(([name, user]) => {
    const props = name === "anonymous" ? { policy: COMPILED, Gate, user } : { gate, user };
    return h("section", { key: name, "data-user": name }, h(GateProvider, props, h(Buttons)));
  });
  flushSync(() => createRoot(element).render(h(StrictMode, null, sections)));
}
