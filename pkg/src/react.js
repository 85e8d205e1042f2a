"use client";
// drf-gate/react: UI gating for React. The provider owns the Gate (when it is given a policy)
// and the user's compiled Subject: it creates them, frees them when the user or the policy
// changes and on unmount, and re-renders its tree with the new answers. Hooks and <Can> ask it.
//
//   <GateProvider policy={policy} user={me}>        // or gate={gate}
//     <Can view="posts" action="destroy" object={post} fallback={<i>read only</i>}>
//       <button>Delete</button>
//     </Can>
//   </GateProvider>
//
// "use client": in a React Server Component tree (Next.js app router) the provider and <Can> are
// client components; a Server Component may render them with serializable props (`policy` as
// compiled bytes, `user`, `object`), and a hook called there fails with React's own message.
//
// Server rendering: on the server no Subject is made (the user object is passed as is, which
// decides the same), so nothing is left to free; the hydrated page computes the same answers.
//
// `drf-gate/can/react` is this file with the `drf-gate` import below left out (scripts/build.sh):
// it bundles no build of its own, only the Gate the app gives it (`gate={gate}`, or
// `policy={bytes} Gate={Gate}` with the app's `drf-gate/can` Gate class). Both use one context
// (react-context.js): a provider of either serves the hooks of both.
import { createElement, useContext, useEffect, useMemo } from "react";
import { Gate } from "drf-gate";
import { userKey } from "./gate.js";
import { GateContext } from "./react-context.js";
import { decide, explain } from "./reason.js";

export { explain };

const onServer = typeof window === "undefined" || typeof document === "undefined";

/**
 * A value made in render and freed after the last commit that used it. React may mount, unmount
 * and remount the same value (StrictMode, Offscreen): freeing waits a microtask so a remount
 * keeps it. Values never committed (a discarded render) are left to the garbage collector.
 * Made on the holder's first read, not in the memo: StrictMode calls a memo's function twice and
 * keeps one result, which compiled every Subject (and Gate) twice.
 */
function useOwned(create, deps) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const holder = useMemo(() => ({ value: undefined, made: false, mounts: 0, freed: false }), deps);
  if (!holder.made) {
    holder.value = create();
    holder.made = true;
  }
  useEffect(() => {
    holder.mounts += 1;
    return () => {
      holder.mounts -= 1;
      queueMicrotask(() => {
        if (holder.mounts === 0 && !holder.freed) {
          holder.freed = true;
          holder.value?.free?.();
        }
      });
    };
  }, [holder]);
  return holder.value;
}

/**
 * Provides a Gate and the current user to its tree.
 *
 * Props: `gate` (a ready `Gate`; the provider never frees it) or `policy` (the provider loads it
 * with `Gate`, the package's Gate class unless given, and frees the Gate when the policy changes
 * or on unmount), `user` (`User` JSON, or `null` for the anonymous user).
 */
export function GateProvider({ gate, policy, Gate: GateClass = Gate, user = null, children }) {
  if (gate == null && policy == null) throw new TypeError("GateProvider needs a `gate` or a `policy`");
  if (gate == null && GateClass == null) {
    throw new TypeError("GateProvider: a `policy` needs `Gate` (the Gate class of the drf-gate entry the app imports)");
  }
  const owned = useOwned(() => (gate == null ? new GateClass(policy) : null), [gate, policy, GateClass]);
  const active = gate ?? owned;
  // The compiled user: made once per (gate, user's facts), freed when either changes. An equal
  // user in a new object (`user={{ id: 3 }}` written inline) keeps it; a user changed (in a new
  // object, or in place and rendered again) makes another. A user userKey does not cover: by identity.
  const facts = user == null ? null : (userKey(user) ?? user);
  const subject = useOwned(() => (onServer || user == null ? null : active.subject(user)), [active, facts]);
  const value = useMemo(() => ({ gate: active, user, who: subject ?? user }), [active, user, subject]);
  return createElement(GateContext.Provider, { value }, children);
}

/** `{ gate, user }` of the nearest `GateProvider` (of this entry or the other). */
export function useGate() {
  const context = useContext(GateContext);
  if (context === null) throw new Error("drf-gate/react: no <GateProvider> above this component");
  return context;
}

/** Whether the current user may run `action` of `view` (on `object`, when given). */
export function useCan(view, action, object) {
  const { gate, who } = useGate();
  return gate.can(who, view, action, object);
}

/** Every action of `view`: `{ list: true, destroy: false, ... }` (on `object`, when given). */
export function usePermissions(view, object) {
  const { gate, who } = useGate();
  return useMemo(() => gate.permissionsFor(who, view, object), [gate, who, view, object]);
}

/**
 * The whole decision for the current user, with the reason of a denial for a tooltip:
 * `{ allowed, status, stage, code, decidedBy, message, reason, decision }`. `message` is DRF's
 * `detail` (or the whole body when it is not `{detail: ...}`); `decidedBy` is the deciding
 * entry of `permission_classes` (`null` when no class decided, e.g. a 404 or 405).
 */
export function useDecision(view, action, object) {
  const { gate, user, who } = useGate();
  // `who`: a user changed in place (a new Subject) decides again.
  return useMemo(() => decide(gate, view, action, user, object), [gate, user, who, view, action, object]);
}

/**
 * Renders `children` when the current user may run `action` of `view` (on `object`), else
 * `fallback`. `children` may be a function of the decision (`useDecision`'s value), called
 * whatever the answer; `not` inverts the test.
 */
export function Can({ view, action, object, not = false, fallback = null, children }) {
  const { gate, user, who } = useGate();
  if (typeof children === "function") {
    return children(decide(gate, view, action, user, object)) ?? null;
  }
  return gate.can(who, view, action, object) !== not ? (children ?? null) : fallback;
}
