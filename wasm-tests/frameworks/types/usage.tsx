// The bindings' types under `tsc --strict`: what an app writes compiles; misuse does not.
import { useState } from "react";
import { Can, GateProvider, explain, useCan, useDecision, useGate, usePermissions, type Explained } from "drf-gate/react";
import { createGate, provideGate, useCan as useCanVue, useDecision as useDecisionVue } from "drf-gate/vue";
import { Gate, type Policy, type User } from "drf-gate";
import { Gate as CanGate } from "drf-gate/can";
import { ref } from "vue";

const policy: Policy = { permissions: ["IsAuthenticated"], views: { posts: { model: "blog.Post" } } };
const me: User = { id: 3, username: "ann" };

export function Row({ post }: { post: { id: number; owner: number } }) {
  const can: boolean = useCan("posts", "destroy", post);
  const perms: Record<string, boolean> = usePermissions("posts", post);
  const decision: Explained = useDecision("posts", "publish", post);
  const reason: string | null = decision.reason;
  const { gate } = useGate();
  const again: Explained = explain(gate.check({ view: "posts", action: "list", user: me }));
  return (
    <Can view="posts" action="update" object={post} fallback={<span>read only</span>}>
      {(d) => <button disabled={!d.allowed || !can || !perms.update} title={reason ?? again.message ?? ""}>Edit</button>}
    </Can>
  );
}

export function App() {
  const [user] = useState<User | null>(me);
  const gate = new Gate(policy);
  return (
    <>
      <GateProvider policy={policy} user={user}><Row post={{ id: 1, owner: 3 }} /></GateProvider>
      <GateProvider gate={gate} user={null}><Row post={{ id: 1, owner: 3 }} /></GateProvider>
      {/* The UI-gating build's Gate (useDecision there throws needs_check_build). */}
      <GateProvider gate={new CanGate(gate.toCompiled())} user={me}><Row post={{ id: 1, owner: 3 }} /></GateProvider>
      {/* @ts-expect-error: a provider needs a gate or a policy */}
      <GateProvider user={me}><Row post={{ id: 1, owner: 3 }} /></GateProvider>
      {/* @ts-expect-error: Can needs an action */}
      <Can view="posts">x</Can>
    </>
  );
}

// @ts-expect-error: useCan needs an action
useCan("posts");

// Vue
const userRef = ref<User | null>(null);
export const plugin = createGate({ policy, user: userRef });
export function setup() {
  provideGate({ gate: new Gate(policy), user: () => userRef.value });
  provideGate({ gate: new CanGate(new Gate(policy).toCompiled()), user: () => userRef.value });
  const can = useCanVue("posts", "destroy", () => ({ id: 1, owner: 3 }));
  const flag: boolean = can.value;
  const decision = useDecisionVue("posts", "publish");
  const message: string | null = decision.value.message;
  return { flag, message };
}
// @ts-expect-error: the plugin needs a gate or a policy
createGate({ user: userRef });
