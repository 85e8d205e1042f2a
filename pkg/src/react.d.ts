// `drf-gate/can/react`'s types are this file with `Gate` imported from `drf-gate/can` and the
// `Gate` class required with a `policy` (scripts/build.sh).
import type { ReactNode } from "react";
import type { Gate } from "drf-gate";
import type { Policy, User } from "drf-gate";
import type { Gate as CanGate } from "drf-gate/can";
import type { Explained } from "./reason.js";

export type { Explained } from "./reason.js";
export { explain } from "./reason.js";

/**
 * A Gate class (`Gate` of `drf-gate`, `drf-gate/runtime`, `drf-gate/can`, ...), for a provider
 * that loads its `policy` with it.
 */
export type GateClass = new (policy: never) => Gate | CanGate;

/**
 * Props of {@link GateProvider}: a ready `gate`, or a `policy` the provider loads (and frees) with
 * `Gate`. A `drf-gate/can` Gate serves `useCan`, `usePermissions` and `<Can>` with element children;
 * `useDecision` and a function child need `check` (they throw `needs_check_build` there).
 */
export type GateProviderProps = {
  /** The signed-in user (`User` JSON), or `null` for the anonymous user. */
  user?: User | null;
  children?: ReactNode;
} & (
  | { gate: Gate | CanGate; policy?: undefined; Gate?: undefined }
  | { policy: Policy | string | Uint8Array | ArrayBuffer; gate?: undefined; /** The class that loads `policy`. */ Gate?: GateClass }
);

/**
 * Owns the Gate (when given a policy) and the user's compiled Subject: frees them when the user
 * or the policy changes and on unmount; its tree re-renders with the new answers. An equal user
 * in a new object (an inline `user={{ ... }}`) keeps the Subject. One context for
 * `drf-gate/react` and `drf-gate/can/react`: a provider of either serves the hooks of both.
 *
 * ```tsx
 * <GateProvider policy={policy} user={me}><App /></GateProvider>
 * ```
 */
export declare function GateProvider(props: GateProviderProps): ReactNode;

/**
 * `{ gate, user }` of the nearest provider (throws without one). Typed by this entry's Gate
 * (`drf-gate`'s; in `drf-gate/can/react`, the can Gate: no type argument needed); `G` for another
 * (`useGate<CanGate>()` of `drf-gate/react` under a provider given a `drf-gate/can` Gate).
 *
 * ```tsx
 * const { gate, user } = useGate();
 * ```
 */
export declare function useGate<G extends Gate | CanGate = Gate>(): { readonly gate: G; readonly user: User | null };

/**
 * May the current user run `action` of `view` (on `object`, when given)?
 *
 * ```tsx
 * const canEdit = useCan("posts", "update", post);
 * ```
 */
export declare function useCan(view: string, action: string, object?: unknown): boolean;

/**
 * Every action of `view` for the current user: `{ list: true, destroy: false, ... }`.
 *
 * ```tsx
 * const { update, destroy } = usePermissions("posts", post);
 * ```
 */
export declare function usePermissions(view: string, object?: unknown): Record<string, boolean>;

/**
 * The whole decision and the reason of a denial, for a tooltip.
 *
 * ```tsx
 * const { allowed, reason } = useDecision("posts", "destroy", post);
 * <button disabled={!allowed} title={reason ?? undefined}>Delete</button>
 * ```
 */
export declare function useDecision(view: string, action: string, object?: unknown): Explained;

/** Props of {@link Can}. */
export interface CanProps {
  view: string;
  action: string;
  /** The object `get_object()` would return (object permissions run on it). */
  object?: unknown;
  /** Render the children when the user may NOT run the action. */
  not?: boolean;
  /** Rendered when the children are not. */
  fallback?: ReactNode;
  /** What to render when allowed, or a function of the decision called whatever the answer. */
  children?: ReactNode | ((decision: Explained) => ReactNode);
}

/**
 * Renders its children when the current user may run the action, else `fallback`.
 *
 * ```tsx
 * <Can view="posts" action="destroy" object={post} fallback={<span>read only</span>}>
 *   <button>Delete</button>
 * </Can>
 * ```
 */
export declare function Can(props: CanProps): ReactNode;
