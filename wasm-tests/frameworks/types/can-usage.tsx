// drf-gate/can/react and drf-gate/can/vue under `tsc --strict`: typed by the `drf-gate/can` Gate
// (no `check`), a `policy` only with the app's `Gate` class; drf-gate/react's `useGate<G>()` typed
// by the Gate its provider was given.
import { Can, GateProvider, useCan, useGate } from "drf-gate/can/react";
import { useGate as useFullGate } from "drf-gate/react";
import { Can as VueCan, createGate, provideGate, useGate as useGateVue } from "drf-gate/can/vue";
import { Gate, type User } from "drf-gate/can";
import type { Gate as FullGate } from "drf-gate";

declare const bytes: Uint8Array;
const me: User = { id: 3, username: "ann" };

export function Buttons({ post }: { post: { id: number; owner: number } }) {
  const edit: boolean = useCan("posts", "update", post);
  const { gate, user } = useGate();
  // The can entry's useGate() is the can Gate without a type argument, and no full Gate.
  const same: Gate = gate;
  // @ts-expect-error: not drf-gate's Gate (no check)
  const full: FullGate = gate;
  const list: boolean = gate.can(user, "posts", "list") && same === full;
  // @ts-expect-error: the can Gate has no check
  gate.check({ view: "posts", action: "list", user });
  const under = useFullGate<Gate>().gate;
  // @ts-expect-error: neither has a can Gate given to drf-gate/react's provider
  under.check({ view: "posts", action: "list", user });
  return (
    <Can view="posts" action="destroy" object={post}>
      <button disabled={!edit || !list}>Delete</button>
    </Can>
  );
}

export function App() {
  const gate = new Gate(bytes);
  return (
    <>
      <GateProvider gate={gate} user={me}><Buttons post={{ id: 1, owner: 3 }} /></GateProvider>
      <GateProvider policy={bytes} Gate={Gate} user={null}><Buttons post={{ id: 1, owner: 3 }} /></GateProvider>
      {/* @ts-expect-error: drf-gate/can/react loads a policy with the app's Gate class only */}
      <GateProvider policy={bytes} user={me}><Buttons post={{ id: 1, owner: 3 }} /></GateProvider>
    </>
  );
}

export const plugin = createGate({ policy: bytes, Gate, user: null });
// @ts-expect-error: drf-gate/can/vue loads a policy with the app's Gate class only
createGate({ policy: bytes, user: null });
export function setup() {
  provideGate({ gate: new Gate(bytes), user: () => me });
  const state = useGateVue();
  const same: Gate = state.value.gate;
  // @ts-expect-error: not drf-gate's Gate (no check)
  const full: FullGate = state.value.gate;
  const list: boolean = state.value.gate.can(null, "posts", "list") && same === full;
  // @ts-expect-error: the can Gate has no check
  state.value.gate.check({ view: "posts", action: "list", user: null });
  return { list, VueCan };
}
