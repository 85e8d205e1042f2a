// drf-gate/svelte and drf-gate/can/svelte under `tsc --strict`: stores typed by the entry's Gate
// (the can entry's has no `check`), options as values or stores, a `policy` in the can entry only
// with the app's `Gate` class.
import { writable, type Readable } from "svelte/store";
import { createGate, type GateState, type SvelteGate } from "drf-gate/svelte";
import * as canSvelte from "drf-gate/can/svelte";
import { Gate as CanGate, type User } from "drf-gate/can";
import type { Gate } from "drf-gate";

declare const bytes: Uint8Array;
declare const full: Gate;
const user = writable<User | null>(null);

export function gates(): SvelteGate[] {
  const a = createGate({ policy: bytes, user: { id: 3 } });
  const b = createGate({ gate: writable(full), user: null });
  // @ts-expect-error: a user is JSON of a User (no `isStaff: "yes"`)
  createGate({ gate: full, user: { id: 3, isStaff: "yes" } });
  // @ts-expect-error: a gate or a policy, not both
  createGate({ gate: full, policy: bytes });
  canSvelte.createGate({ policy: bytes, Gate: CanGate, user });
  // @ts-expect-error: drf-gate/can/svelte loads a policy with the app's Gate class only
  canSvelte.createGate({ policy: bytes, user });
  return [a, b, createGate({ policy: writable(bytes), user })];
}

export function questions(gate: SvelteGate) {
  const edit: Readable<boolean> = gate.can("posts", "update", { id: 1, owner: 3 });
  const perms: Readable<Record<string, boolean>> = gate.permissions(writable("posts"));
  const publish = gate.decision("posts", "publish");
  let reason: string | null = null;
  publish.subscribe((value) => (reason = value.reason));
  gate.subscribe(({ gate: g }: GateState) => g.check({ view: "posts", action: "list", user: null }));
  // The can entry's state is the can Gate without a type argument, and no full Gate.
  const uiGate = canSvelte.createGate({ gate: new CanGate(bytes), user });
  uiGate.subscribe(({ gate: g }) => {
    const same: CanGate = g;
    // @ts-expect-error: not drf-gate's Gate (no check)
    const notFull: Gate = g;
    // @ts-expect-error: the can Gate has no check
    g.check({ view: "posts", action: "list", user: null });
    return [same, notFull];
  });
  gate.destroy();
  return { edit, perms, reason, uiGate };
}
