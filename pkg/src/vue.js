// drf-gate/vue: UI gating for Vue 3. `provideGate` (in a component's setup) or the plugin
// `createGate` (app-wide) owns the Gate (when given a policy) and the user's compiled Subject:
// it makes them, frees them when the user or the policy changes and when its scope ends, and
// every composable and <Can> re-computes.
//
//   const user = ref(me);
//   app.use(createGate({ policy, user }));          // or { gate, user }
//   const canDelete = useCan("posts", "destroy", () => post);
//   <Can view="posts" action="destroy" :object="post"><button>Delete</button>
//     <template #fallback><i>read only</i></template></Can>
//
// Server rendering: on the server no Subject is made (the user object is passed as is, which
// decides the same), so nothing is left to free; the hydrated page computes the same answers.
//
// `drf-gate/can/vue` is this file with the `drf-gate` import below left out (scripts/build.sh):
// it bundles no build of its own, only the Gate the app gives it (`{ gate }`, or
// `{ policy, Gate }` with the app's `drf-gate/can` Gate class). Both use one injection key
// (vue-key.js): a provider of either serves the composables of both.
import {
  computed,
  defineComponent,
  effectScope,
  inject,
  onScopeDispose,
  provide,
  shallowRef,
  toRaw,
  toValue,
  watch,
} from "vue";
import { Gate } from "drf-gate";
import { gateHolder } from "./gate-holder.js";
import { GATE_KEY } from "./vue-key.js";
import { decide, explain } from "./reason.js";

export { explain, GATE_KEY };

/**
 * The reactive gate state: `{ gate, user, who }` in a shallow ref, rebuilt when `gate`, `policy`
 * or `user` (values, refs or getters) change. Call inside an effect scope (a component's setup,
 * or the plugin's scope); what it made is freed when the scope ends.
 */
function gateState({ gate, policy, Gate: GateClass = Gate, user = null }) {
  if (gate == null && policy == null) throw new TypeError("drf-gate/vue needs a `gate` or a `policy`");
  if (gate == null && GateClass == null) {
    throw new TypeError("drf-gate/vue: a `policy` needs `Gate` (the Gate class of the drf-gate entry the app imports)");
  }
  const state = shallowRef(null);
  const holder = gateHolder(GateClass);
  const rebuild = ([givenGate, givenPolicy, givenUser]) => {
    state.value = holder.update(givenGate, givenPolicy, givenUser == null ? null : toRaw(givenUser));
  };
  watch(
    () => [toValue(gate), toValue(policy), toValue(user)],
    rebuild,
    { immediate: true, deep: true, flush: "sync" },
  );
  onScopeDispose(() => holder.dispose());
  return state;
}

/** In a component's setup: provide a gate and a user to its descendants. Returns the state. */
export function provideGate(options) {
  const state = gateState(options);
  provide(GATE_KEY, state);
  return state;
}

/** The plugin: `app.use(createGate({ policy | gate, user }))`. Freed on `app.unmount()`. */
export function createGate(options) {
  return {
    install(app) {
      const scope = effectScope(true);
      const state = scope.run(() => gateState(options));
      app.provide(GATE_KEY, state);
      if (typeof app.onUnmount === "function") app.onUnmount(() => scope.stop());
    },
  };
}

/** The nearest gate state (`{ gate, user }` in a shallow ref). */
export function useGate() {
  const state = inject(GATE_KEY, null);
  if (state === null) throw new Error("drf-gate/vue: no provideGate() or createGate() plugin above this component");
  return state;
}

/** A computed boolean: may the current user run `action` of `view` (on `object`)? Arguments may be refs or getters. */
export function useCan(view, action, object) {
  const state = useGate();
  return computed(() => {
    const { gate, who } = state.value;
    return gate.can(who, toValue(view), toValue(action), plain(toValue(object)));
  });
}

/** A computed map of every action of `view`: `{ list: true, destroy: false, ... }`. */
export function usePermissions(view, object) {
  const state = useGate();
  return computed(() => {
    const { gate, who } = state.value;
    return gate.permissionsFor(who, toValue(view), plain(toValue(object)));
  });
}

/** A computed decision with the reason of a denial (see `explain`). */
export function useDecision(view, action, object) {
  const state = useGate();
  return computed(() => {
    const { gate, user } = state.value;
    return decide(gate, toValue(view), toValue(action), user, plain(toValue(object)));
  });
}

/**
 * `<Can view action :object :not>`: the default slot when allowed, else the `fallback` slot; both
 * receive `{ allowed, decision }`. `decision` is made (by `check`) only when a slot reads it, so
 * a `drf-gate/can` Gate serves every `<Can>` whose slots do not.
 */
export const Can = defineComponent({
  name: "Can",
  props: {
    view: { type: String, required: true },
    action: { type: String, required: true },
    object: { type: null, default: undefined },
    not: { type: Boolean, default: false },
  },
  setup(props, { slots }) {
    const state = useGate();
    const decision = computed(() => {
      const { gate, user } = state.value;
      return decide(gate, props.view, props.action, user, plain(props.object));
    });
    const allowed = computed(() => {
      const { gate, who } = state.value;
      return gate.can(who, props.view, props.action, plain(props.object));
    });
    return () => {
      const show = allowed.value !== props.not;
      const slot = show ? slots.default : slots.fallback;
      return slot ? slot({ get decision() { return decision.value; }, allowed: allowed.value }) : null;
    };
  },
});

function plain(object) {
  return object == null || typeof object !== "object" ? object : toRaw(object);
}
