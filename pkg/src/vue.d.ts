// `drf-gate/can/vue`'s types are this file with `Gate` imported from `drf-gate/can` and the
// `Gate` class required with a `policy` (scripts/build.sh).
import type { ComputedRef, DefineComponent, InjectionKey, MaybeRefOrGetter, Plugin, ShallowRef, SlotsType } from "vue";
import type { Gate } from "drf-gate";
import type { Policy, User } from "drf-gate";
import type { Gate as CanGate } from "drf-gate/can";
import type { Explained } from "./reason.js";

export type { Explained } from "./reason.js";
export { explain } from "./reason.js";

/** What the gate state holds (`G`: the Gate it was given, when it is not this entry's). */
export interface GateState<G extends Gate | CanGate = Gate> {
  readonly gate: G;
  readonly user: User | null;
}

/**
 * A Gate class (`Gate` of `drf-gate`, `drf-gate/runtime`, `drf-gate/can`, ...), for options
 * whose `policy` is loaded with it.
 */
export type GateClass = new (policy: never) => Gate | CanGate;

/**
 * Options of {@link createGate} and {@link provideGate}: a ready `gate`, or a `policy` loaded (and
 * freed) for you with `Gate`. A `drf-gate/can` Gate serves `useCan`, `usePermissions` and `<Can>`
 * (unless a slot reads `decision`); `useDecision` needs `check` (it throws `needs_check_build` there).
 */
export type GateOptions = {
  /**
   * The signed-in user (`User` JSON, a ref or a getter), `null` for the anonymous user. An equal
   * user in a new object (`:user="{ ... }"` inline) keeps its compiled Subject.
   */
  user?: MaybeRefOrGetter<User | null>;
} & (
  | { gate: MaybeRefOrGetter<Gate | CanGate>; policy?: undefined; Gate?: undefined }
  | { policy: MaybeRefOrGetter<Policy | string | Uint8Array | ArrayBuffer>; gate?: undefined; /** The class that loads `policy`. */ Gate?: GateClass }
);

/**
 * The injection key of the gate state: one for `drf-gate/vue` and `drf-gate/can/vue` (a provider
 * of either serves the composables of both).
 *
 * ```ts
 * const state = inject(GATE_KEY);
 * ```
 */
export declare const GATE_KEY: InjectionKey<ShallowRef<GateState>>;

/**
 * The app-wide plugin; what it made is freed on `app.unmount()`.
 *
 * ```ts
 * const user = ref<User | null>(null);
 * createApp(App).use(createGate({ policy, user })).mount("#app");
 * ```
 */
export declare function createGate(options: GateOptions): Plugin;

/**
 * In a component's setup: provide a gate and a user to its descendants; freed with the component.
 *
 * ```ts
 * provideGate({ gate, user: () => props.user });
 * ```
 */
export declare function provideGate(options: GateOptions): ShallowRef<GateState>;

/**
 * The nearest gate state (throws without one). Typed by this entry's Gate (`drf-gate`'s; in
 * `drf-gate/can/vue`, the can Gate: no type argument needed); `G` for another (`useGate<CanGate>()`
 * of `drf-gate/vue` under a provider given a `drf-gate/can` Gate).
 *
 * ```ts
 * const state = useGate();
 * ```
 */
export declare function useGate<G extends Gate | CanGate = Gate>(): ShallowRef<GateState<G>>;

/**
 * May the current user run `action` of `view` (on `object`)? Arguments may be refs or getters.
 *
 * ```ts
 * const canEdit = useCan("posts", "update", () => props.post);
 * ```
 */
export declare function useCan(
  view: MaybeRefOrGetter<string>,
  action: MaybeRefOrGetter<string>,
  object?: MaybeRefOrGetter<unknown>,
): ComputedRef<boolean>;

/**
 * Every action of `view`: `{ list: true, destroy: false, ... }`.
 *
 * ```ts
 * const perms = usePermissions("posts", () => props.post);
 * ```
 */
export declare function usePermissions(
  view: MaybeRefOrGetter<string>,
  object?: MaybeRefOrGetter<unknown>,
): ComputedRef<Record<string, boolean>>;

/**
 * The whole decision and the reason of a denial, for a tooltip.
 *
 * ```ts
 * const decision = useDecision("posts", "destroy", () => props.post);
 * // decision.value.reason: "403 IsOwner: You must be the owner of this post."
 * ```
 */
export declare function useDecision(
  view: MaybeRefOrGetter<string>,
  action: MaybeRefOrGetter<string>,
  object?: MaybeRefOrGetter<unknown>,
): ComputedRef<Explained>;

/**
 * `<Can view="posts" action="destroy" :object="post">`: the default slot when allowed, else the
 * `fallback` slot; both receive `{ decision, allowed }` (`decision` is made by `check` when a slot
 * reads it: a `drf-gate/can` Gate throws `needs_check_build` then).
 */
export declare const Can: DefineComponent<
  { view: string; action: string; object?: unknown; not?: boolean },
  {},
  {},
  {},
  {},
  {},
  {},
  {},
  string,
  {},
  {},
  {},
  SlotsType<{
    default?: (scope: { decision: Explained; allowed: boolean }) => unknown;
    fallback?: (scope: { decision: Explained; allowed: boolean }) => unknown;
  }>
>;
