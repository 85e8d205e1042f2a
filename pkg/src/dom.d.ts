// Types of the drf-gate DOM helper (`drf-gate/dom`).
import type { Gate, Subject, User, Decision, JsonObject } from "./index.js";

/** How a denied control is shown. */
export type GateMode = "disable" | "hide";

/** Where `data-gate-object="<id>"` finds its object. */
export type GateObjects =
  | { [id: string]: JsonObject | null }
  | Map<string | number, JsonObject | null>
  | ((id: string) => JsonObject | null | undefined);

export interface GateDomOptions {
  /** The objects `data-gate-object` refers to; a missing id is a lookup miss (denied, 404). */
  objects?: GateObjects;
  /** What a denial does when the element has no `data-gate-mode`; default `"disable"`. */
  mode?: GateMode;
  /** Show the reason in a tooltip on hover and focus (default); `false` sets `title` instead. */
  tooltip?: boolean;
  /** Also set the `disabled` attribute on form controls (then they are not focusable). */
  nativeDisabled?: boolean;
  /** Compute the reason of each denial with `gate.check({..., trace: true})`; default `true`. */
  explain?: boolean;
  /** The user object, for reasons, when `user` is a Subject. */
  user?: User | null;
}

/** One `[data-gate]` element and what the policy said about it. */
export interface GateControl {
  element: Element;
  view: string | undefined;
  action: string | undefined;
  objectId: string | null;
  mode: GateMode;
  allowed: boolean;
  /** Why it is denied (empty when allowed). */
  reason: string;
}

export interface GateDomController {
  /** The controls found by the last update. */
  controls: GateControl[];
  /** Re-applies for another user (a login), and/or new options (new objects). */
  update(user?: User | Subject | null, options?: GateDomOptions): GateDomController;
  /** Re-applies for the same user, e.g. after the app rendered new controls. */
  refresh(): GateDomController;
  /** Restores every attribute the helper set and removes its listeners. */
  disconnect(): void;
}

/**
 * Applies the `data-gate="view.action"` (+ `data-gate-object`, `data-gate-mode`) attributes under
 * `root`: allowed controls are left as they are; denied ones are hidden, or marked
 * `aria-disabled` with their reason (`aria-describedby` and a tooltip).
 *
 * ```js
 * const ui = gateDom(document.body, gate, { id: 3 }, { objects: { 7: { id: 7, owner: 3 } } });
 * ui.update(null); // anonymous
 * ```
 */
export function gateDom(
  root: ParentNode & Node,
  gate: Gate,
  user: User | Subject | null,
  options?: GateDomOptions,
): GateDomController;

export default gateDom;

/** Parses `"view.action"` (the view may contain dots); `null` when malformed. */
export function parseGateAttribute(value: string | null | undefined): { view: string; action: string } | null;

/** One line saying why a decision denies: status, class, stage and DRF's message. */
export function describeDecision(decision: Decision | null | undefined): string;
