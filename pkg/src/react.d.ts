import type { ReactNode } from "react";
import type { Gate, Policy, User } from "drf-gate";
import type { Gate as CanGate } from "drf-gate/can";
import type { Explained } from "./reason.js";

export type { Explained } from "./reason.js";
export { explain } from "./reason.js";

/**
 * Props of {@link GateProvider}: a ready `gate`, or a `policy` the provider compiles (and frees).
 * A `drf-gate/can` Gate serves `useCan`, `usePermissions` and `<Can>` with element children;
 * `useDecision` and a function child need `check` (they throw `needs_check_build` there).
 */
export type GateProviderProps = {
  /** The signed-in user (`User` JSON), or `null` for the anonymous user. */
  user?: User | null;
  children?: ReactNode;
} & ({ gate: Gate | CanGate; policy?: undefined } | { policy: Policy | string; gate?: undefined });

/**
 * Owns the Gate (when given a policy) and the user's compiled Subject: frees them when the user
 * or the policy changes and on unmount; its tree re-renders with the new answers.
 *
 * ```tsx
 * <GateProvider policy={policy} user={me}><App /></GateProvider>
 * ```
 */
export declare function GateProvider(props: GateProviderProps): ReactNode;

/** `{ gate, user }` of the nearest provider (throws without one). */
export declare function useGate(): { readonly gate: Gate; readonly user: User | null };

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
