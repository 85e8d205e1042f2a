// The UI-gating app (`drf-gate/can`): a page that shows a post's buttons only to a user who may
// press them, as a front end does with `can` (one Subject per user) and `permissionsFor`. Its
// answers are read back from the page (each button's `hidden`) and compared with the package's
// `can` in Node; `check` must be refused with `needs_check_build` (it is `drf-gate/runtime`'s).
import { CASES } from "./cases.js";
import { COMPILED } from "./compiled.js";

/** Every case's button (shown or hidden), then each distinct user's `permissionsFor("posts")`. */
export function gate(drf, document = null) {
  const gate = new drf.Gate(COMPILED);
  try {
    const buttons = CASES.map((context) => {
      const subject = gate.subject(context.user);
      try {
        const shown = gate.can(subject, context.view, context.action, context.object);
        if (document === null) return shown;
        const button = document.createElement("button");
        button.textContent = `${context.view} ${context.action}`;
        button.hidden = !shown;
        document.body.append(button);
        return !button.hidden;
      } finally {
        subject.free();
      }
    });
    const users = [...new Set(CASES.map((context) => JSON.stringify(context.user)))].map((user) => JSON.parse(user));
    const actions = users.map((user) => gate.permissionsFor(user, "posts"));
    return { buttons, actions };
  } finally {
    gate.free();
  }
}

/** What `check` does in this build: the typed error naming the build that has it. */
export function checkRefused(drf) {
  const gate = new drf.Gate(COMPILED);
  try {
    gate.check(CASES[0]);
    return "answered";
  } catch (error) {
    return `${error?.name}: ${error?.code}`;
  } finally {
    gate.free();
  }
}
