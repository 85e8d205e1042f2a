// drf-gate/svelte: UI gating for Svelte 5: stores, one per question. `createGate` owns the Gate
// (when given a policy) and the user's compiled Subject: it makes them, frees them when the user
// or the policy changes and on `destroy()`; every store it made re-computes.
//
//   <script>                                        // the root component (or any above the gated ones)
//     const gate = createGate({ policy, user });     // or { gate, user }; values or stores
//     setContext("gate", gate);
//     onDestroy(gate.destroy);
//   </script>
//
//   <script>                                        // any component below it
//     const canDelete = getContext("gate").can("posts", "destroy", post);
//   </script>
//   {#if $canDelete}<button>Delete</button>{/if}
//
// Only `svelte/store` is imported, no Svelte runtime (context, lifecycle): a server bundle leaves
// drf-gate to Node (its entry reads the .wasm next to it) and bundles Svelte, so a module of
// drf-gate importing `svelte` would meet a second copy of it, without the component being rendered.
// Stores are plain objects with `subscribe`: any copy's serve any other's.
//
// Server rendering: on the server no Subject is made (the user object is passed as is, which
// decides the same), so nothing is left to free; the hydrated page computes the same answers.
//
// `drf-gate/can/svelte` is this file with the `drf-gate` import below left out (scripts/build.sh):
// it bundles no build of its own, only the Gate the app gives it (`{ gate }`, or
// `{ policy, Gate }` with the app's `drf-gate/can` Gate class).
import { derived, readable } from "svelte/store";
import { Gate } from "drf-gate";
import { gateHolder } from "./gate-holder.js";
import { decide, explain } from "./reason.js";

export { explain };

// A store as it is; any other value as a store of it.
const storeOf = (value) => (value != null && typeof value.subscribe === "function" ? value : readable(value));

/**
 * The gate of a Svelte app (or of a subtree: put it in a context): a store of `{ gate, user }`
 * whose `can`, `permissions` and `decision` make a store per question. `gate`, `policy` and
 * `user` may be values or stores; `destroy()` frees what it made (call it from `onDestroy`).
 *
 * ```js
 * const gate = createGate({ policy, user }); // user: writable(null), set on login
 * const canDelete = gate.can("posts", "destroy", post); // {#if $canDelete}
 * ```
 */
export function createGate({ gate, policy, Gate: GateClass = Gate, user = null }) {
  if (gate == null && policy == null) throw new TypeError("drf-gate/svelte needs a `gate` or a `policy`");
  if (gate == null && GateClass == null) {
    throw new TypeError("drf-gate/svelte: a `policy` needs `Gate` (the Gate class of the drf-gate entry the app imports)");
  }
  const holder = gateHolder(GateClass);
  const state = derived([storeOf(gate), storeOf(policy), storeOf(user)], ([g, p, u]) => holder.update(g, p, u));
  return {
    subscribe: state.subscribe,
    can: (view, action, object) =>
      derived([state, storeOf(view), storeOf(action), storeOf(object)], ([{ gate: g, who }, v, a, o]) => g.can(who, v, a, o)),
    permissions: (view, object) =>
      derived([state, storeOf(view), storeOf(object)], ([{ gate: g, who }, v, o]) => g.permissionsFor(who, v, o)),
    decision: (view, action, object) =>
      derived([state, storeOf(view), storeOf(action), storeOf(object)], ([{ gate: g, user: u }, v, a, o]) => decide(g, v, a, u, o)),
    destroy: () => holder.dispose(),
  };
}
