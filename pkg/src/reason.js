// The reason of a decision, for a tooltip: shared by drf-gate/react and drf-gate/vue.

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
