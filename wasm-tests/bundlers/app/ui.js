// The React and Vue UI-gating apps (drf-gate/can/react, drf-gate/can/vue on a `drf-gate/can`
// Gate): one section per user, each showing the post's buttons that user may press. The page's
// buttons are read back and compared with the package's `can` in Node (`expected`).
import { POLICY } from "./cases.js";

export const POST = { id: 7, owner: 3, published: true };
export const USERS = {
  anonymous: null,
  staff: { id: 9, username: "sam", isStaff: true },
  owner: { id: 3, username: "ann" },
};
export const BUTTONS = [
  { name: "list", view: "posts", action: "list" },
  { name: "create", view: "posts", action: "create" },
  { name: "update", view: "posts", action: "update", object: POST },
  { name: "destroy", view: "posts", action: "destroy", object: POST },
  { name: "reports", view: "reports", action: "list" },
];

/** The buttons each user's section shows: `{ anonymous: ["list"], ... }`. */
export function shown(document) {
  const buttons = (user) => [...document.querySelectorAll(`section[data-user="${user}"] button`)].map((button) => button.dataset.action);
  return Object.fromEntries(Object.keys(USERS).map((user) => [user, buttons(user)]));
}

/** What the buttons must be: the package's `can` (drf-gate in Node, JSON policy). */
export function expected(Gate) {
  const gate = new Gate(POLICY);
  try {
    const may = (user) => BUTTONS.filter((b) => gate.can(user, b.view, b.action, b.object)).map((b) => b.name);
    return Object.fromEntries(Object.entries(USERS).map(([name, user]) => [name, may(user)]));
  } finally {
    gate.free();
  }
}

/** Runs an app's mount and records what the page shows (or the error) for the test. */
export function record(mount) {
  try {
    mount();
    window.__result = shown(document);
  } catch (error) {
    window.__error = String(error?.stack ?? error);
  }
}
