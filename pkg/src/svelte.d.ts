// `drf-gate/can/svelte`'s types are this file with `Gate` imported from `drf-gate/can` and the
// `Gate` class required with a `policy` (scripts/build.sh).
import type { Readable } from "svelte/store";
import type { Gate } from "drf-gate";
import type { Policy, User } from "drf-gate";
import type { Gate as CanGate } from "drf-gate/can";
import type { Explained } from "./reason.js";

export type { Explained } from "./reason.js";
export { explain } from "./reason.js";

/** A value, or a Svelte store of it. */
export type MaybeReadable<T> = T | Readable<T>;

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
 * Options of {@link createGate}: a ready `gate`, or a `policy` loaded (and freed) for you with
 * `Gate`. A `drf-gate/can` Gate serves `can` and `permissions`; `decision` needs `check` (its store
 * throws `needs_check_build` there).
 */
export type GateOptions = {
  /**
   * The signed-in user (`User` JSON, or a store of it), `null` for the anonymous user. An equal
   * user in a new object keeps its compiled Subject.
   */
  user?: MaybeReadable<User | null>;
} & (
  | { gate: MaybeReadable<Gate | CanGate>; policy?: undefined; Gate?: undefined }
  | { policy: MaybeReadable<Policy | string | Uint8Array | ArrayBuffer>; gate?: undefined; /** The class that loads `policy`. */ Gate?: GateClass }
);

/** What {@link createGate} returns: a store of the gate state, and a store per question. */
export interface SvelteGate<G extends Gate | CanGate = Gate> extends Readable<GateState<G>> {
  /**
   * A store: may the current user run `action` of `view` (on `object`)? Arguments may be stores.
   *
   * ```svelte
   * <script>const canEdit = gate.can("posts", "update", post);</script>
   * {#if $canEdit}<button>Edit</button>{/if}
   * ```
   */
  can(view: MaybeReadable<string>, action: MaybeReadable<string>, object?: MaybeReadable<unknown>): Readable<boolean>;
  /**
   * A store of every action of `view`: `{ list: true, destroy: false, ... }`.
   *
   * ```ts
   * const perms = gate.permissions("posts", post);
   * ```
   */
  permissions(view: MaybeReadable<string>, object?: MaybeReadable<unknown>): Readable<Record<string, boolean>>;
  /**
   * A store of the whole decision and the reason of a denial, for a tooltip.
   *
   * ```ts
   * const publish = gate.decision("posts", "publish", post);
   * // $publish.reason: "403 IsOwner: You must be the owner of this post."
   * ```
   */
  decision(view: MaybeReadable<string>, action: MaybeReadable<string>, object?: MaybeReadable<unknown>): Readable<Explained>;
  /**
   * Frees the Gate of a `policy` and the user's Subject (call it from `onDestroy`).
   *
   * ```ts
   * onDestroy(gate.destroy);
   * ```
   */
  destroy(): void;
}

/**
 * The gate of a Svelte app, or of a subtree (put it in a context: `setContext("gate", gate)`):
 * owns the Gate of a `policy` and the user's compiled Subject, made again when they change, freed
 * on `destroy()`. Typed by this entry's Gate (`drf-gate`'s; in `drf-gate/can/svelte`, the can Gate); `G`
 * for another (`createGate<CanGate>({ gate })` of `drf-gate/svelte` given a `drf-gate/can` Gate).
 *
 * ```ts
 * const user = writable<User | null>(null); // set on login
 * const gate = createGate({ policy, user });
 * onDestroy(gate.destroy);
 * ```
 */
export declare function createGate<G extends Gate | CanGate = Gate>(options: GateOptions): SvelteGate<G>;
