// The React and Vue UI-gating apps (drf-gate/can/react, drf-gate/can/vue on a `drf-gate/can`
// Gate): one section per user, each showing the post's buttons that user may press; then, a task
// later (after StrictMode's unmount and remount, whose frees wait a microtask), each section's
// user changes (SWITCHED). The page's buttons are read back both times and compared with the
// package's `can` in Node (`expected`).
import { POLICY } from "./cases.js";

export const POST = { id: 7, owner: 3, published: true };
export const USERS = {
  anonymous: null,
  staff: { id: 9, username: "sam", isStaff: true },
  owner: { id: 3, username: "ann" },
};
/** The sections' users after the switch: a Subject for a new user, none for the anonymous one. */
export const SWITCHED = { anonymous: USERS.owner, staff: USERS.anonymous, owner: USERS.staff };
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

/** What the buttons must be, first and after the switch: the package's `can` (drf-gate in Node, JSON policy). */
export function expected(Gate) {
  const gate = new Gate(POLICY);
  try {
    const may = (user) => BUTTONS.filter((b) => gate.can(user, b.view, b.action, b.object)).map((b) => b.name);
    const sections = (users) => Object.fromEntries(Object.entries(users).map(([name, user]) => [name, may(user)]));
    // Subjects compiled on the sections' shared Gate: the staff's and the owner's, then the
    // owner section's new user (the staff section's is anonymous now: none); once each.
    return { first: sections(USERS), switched: sections(SWITCHED), subjects: 3 };
  } finally {
    gate.free();
  }
}

/** A Gate whose `subject` calls are counted (`subjects.count`). */
export function counted(gate) {
  const subjects = { count: 0 };
  const subject = gate.subject.bind(gate);
  gate.subject = (user) => {
    subjects.count += 1;
    return subject(user);
  };
  return subjects;
}

/**
 * Runs an app (`mount(users)` returns `{ switchUsers, subjects }`; `switchUsers(users)` may return
 * a promise) and records what the page shows (or the error) for the test.
 */
export async function record(mount) {
  try {
    const { switchUsers, subjects } = mount(USERS);
    const first = shown(document);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await switchUsers(SWITCHED);
    window.__result = { first, switched: shown(document), subjects: subjects.count };
  } catch (error) {
    window.__error = String(error?.stack ?? error);
  }
}
