// The React UI-gating app: drf-gate/can/react on the app's `drf-gate/can` Gate class (the bundle
// must hold the can .wasm only). The anonymous section's provider loads the compiled policy with
// `Gate`; the staff's and the owner's share one Gate. StrictMode: effects run twice, and the
// provider's Gate and Subjects must survive it (the switch, a task later, asks them again).
import { StrictMode, createElement as h } from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import { Can, GateProvider, useCan } from "drf-gate/can/react";
import { COMPILED } from "./compiled.js";
import { BUTTONS, POST, USERS, counted } from "./ui.js";

function Buttons() {
  // One through the hook, the others through <Can>.
  const update = useCan("posts", "update", POST);
  return BUTTONS.map((b) => {
    const button = h("button", { key: b.name, "data-action": b.name }, b.name);
    if (b.name === "update") return update ? button : null;
    return h(Can, { key: b.name, view: b.view, action: b.action, object: b.object }, button);
  });
}

/** Renders each section for `users` (`{ anonymous, staff, owner }`); returns the re-render and the Subject count. */
export function mountReact(Gate, element, users) {
  const gate = new Gate(COMPILED);
  const subjects = counted(gate);
  const root = createRoot(element);
  const render = (current) => {
    const sections = Object.keys(USERS).map((name) => {
      const user = current[name];
      const props = name === "anonymous" ? { policy: COMPILED, Gate, user } : { gate, user };
      return h("section", { key: name, "data-user": name }, h(GateProvider, props, h(Buttons)));
    });
    flushSync(() => root.render(h(StrictMode, null, sections)));
  };
  render(users);
  return { switchUsers: render, subjects };
}
