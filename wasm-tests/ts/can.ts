// `drf-gate/can` (the UI-gating build): its Gate answers `can` and friends, and has no `check`,
// `toCompiled` or raw requests (tsc must reject them: the build throws `needs_check_build`).
import { ContextError, Gate, PolicyError, type Subject } from "drf-gate/can";

export function gateUi(bytes: Uint8Array, user: { id: number; isStaff: boolean }): boolean[] {
  const gate = new Gate(bytes);
  const subject: Subject = gate.subject(user);
  const perms: Record<string, boolean> = gate.permissionsFor(subject, "posts");
  const route = gate.route("/api/posts/1/", "DELETE");
  // @ts-expect-error: the UI-gating build has no check (drf-gate/runtime has)
  gate.check({ view: "posts", action: "list" });
  // @ts-expect-error: nor a compiler
  gate.toCompiled();
  // @ts-expect-error: and loads compiled policies only
  new Gate({ views: {} });
  const errors = [ContextError, PolicyError].map((E) => E.name);
  const answers = [gate.can(subject, "posts", "list"), perms.list === true, route === null, errors.length === 2, gate.views.length > 0];
  gate.free();
  return answers;
}
