// The reason of a decision, for a tooltip: shared by drf-gate/react, drf-gate/vue and
// drf-gate/svelte (and their drf-gate/can/* twins).

/** A decision and its reason, as the hooks and components hand it out. */
export function explain(decision) {
  let message = null;
  if (!decision.allowed && decision.body) {
    try {
      const body = JSON.parse(decision.body);
      message = body !== null && typeof body === "object" && !Array.isArray(body) && typeof body.detail === "string"
        ? body.detail
        : decision.body;
    } catch {
      message = decision.body;
    }
  }
  const decidedBy = decision.decidedBy ?? null;
  const reason = decision.allowed
    ? null
    : `${decision.status}${decidedBy ? ` ${decidedBy.source}` : ""}: ${message ?? decision.code ?? "denied"}`;
  return {
    allowed: decision.allowed,
    status: decision.status,
    stage: decision.stage,
    code: decision.code ?? null,
    decidedBy,
    message,
    reason,
    decision,
  };
}

/**
 * The helpers' decision for the current user: `gate.check` of the context they make (the object
 * only when given), explained.
 *
 * ```js
 * decide(gate, "posts", "destroy", { id: 3 }, post).reason; // "403 IsOwner: ..."
 * ```
 */
export function decide(gate, view, action, user, object) {
  const context = { view, action, user: user ?? null };
  if (object !== undefined) context.object = object;
  return explain(gate.check(context));
}
