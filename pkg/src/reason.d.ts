import type { Decision } from "drf-gate";

/** A decision with the reason of a denial, for a tooltip. */
export interface Explained {
  /** DRF would run the action. */
  readonly allowed: boolean;
  /** The status DRF would answer (200 when allowed). */
  readonly status: number;
  /** Where it was decided: `negotiation`, `authentication`, `view`, `handler`, `lookup`, `object`. */
  readonly stage: Decision["stage"];
  /** The denial's code (`permission_denied`, `not_authenticated`, `not_found`, a class's `code`...). */
  readonly code: string | null;
  /** The deciding entry of `permission_classes` (`null` when no class decided, e.g. a 404). */
  readonly decidedBy: { readonly entry: number; readonly source: string } | null;
  /** DRF's `detail` message (or the whole body when it is not `{detail: "..."}`); `null` when allowed. */
  readonly message: string | null;
  /** One line for a tooltip: `403 IsOwner: You must be the owner of this post.`; `null` when allowed. */
  readonly reason: string | null;
  /** The decision itself. */
  readonly decision: Decision;
}

/**
 * The reason of a decision.
 *
 * ```ts
 * explain(gate.check({ view: "posts", action: "destroy", user, object: post })).reason
 * // "403 IsOwner: You must be the owner of this post."
 * ```
 */
export declare function explain(decision: Decision): Explained;
