// What a provider of drf-gate/vue and drf-gate/svelte holds (React's hooks hold the same with
// useOwned): the Gate it made from a policy, freed when the policy changes or at the end, and the
// user's compiled Subject, kept while the user's facts are the same (userKey: an equal user in a
// new object) and made anew when they change. The frameworks' reactivity calls `update`.
import { userKey } from "./gate.js";

const onServer = typeof window === "undefined" || typeof document === "undefined";

function release(value) {
  try {
    value?.free?.();
  } catch {
    // already freed
  }
}

/**
 * A holder loading policies with `GateClass`. `update(gate, policy, user)` (plain values: a given
 * Gate or a policy, the user or `null`) returns the state `{ gate, user, who }` the helpers read
 * (`who`: the Subject, or the user itself on the server, where none is made: nothing to free per
 * request); what it replaced is freed a microtask later, after the readers still holding the old
 * state have re-run. `dispose()` frees what it holds now.
 *
 * ```js
 * const holder = gateHolder(Gate);
 * const { gate, who } = holder.update(null, policyBytes, { id: 3 });
 * holder.dispose();
 * ```
 */
export function gateHolder(GateClass) {
  let ownedGate = null; // made here from a policy: freed here
  let ownedPolicy;
  let active = null;
  let subject = null;
  let subjectKey; // userKey of the user `subject` was made for
  return {
    update(givenGate, givenPolicy, user) {
      let gate = givenGate;
      if (gate == null) {
        if (ownedGate === null || givenPolicy !== ownedPolicy) {
          const previous = ownedGate;
          ownedGate = new GateClass(givenPolicy);
          ownedPolicy = givenPolicy;
          queueMicrotask(() => release(previous));
        }
        gate = ownedGate;
      } else if (ownedGate !== null) {
        const previous = ownedGate;
        ownedGate = null;
        queueMicrotask(() => release(previous));
      }
      // A user userKey does not cover is made anew (the framework saw it change).
      const key = user == null ? undefined : userKey(user);
      if (key === undefined || key !== subjectKey || subject === null || gate !== active) {
        const previousSubject = subject;
        subject = onServer || user == null ? null : gate.subject(user);
        subjectKey = key;
        queueMicrotask(() => release(previousSubject));
      }
      active = gate;
      return { gate, user, who: subject ?? user };
    },
    dispose() {
      const [s, g] = [subject, ownedGate];
      subject = ownedGate = active = null;
      release(s);
      release(g);
    },
  };
}
