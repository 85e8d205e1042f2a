// The blog API's edge: a Cloudflare Worker in front of the sample DRF server (../server).
//
// Every request to a DRF route is decided here as DRF would decide it (policy.json, exported by
// `manage.py drfgate_export`): authentication (JWT verified in the Worker, Token and session
// looked up in Workers KV), permission classes, and, when the OBJECTS namespace is bound, the
// object stage (get_queryset + has_object_permission). DRF's denials are answered at the edge with
// DRF's exact response, but only when the edge is certain: a lookup its store cannot answer for
// sure, a failing or slow store, anything unexpected, and everything DRF lets through goes to the
// origin (env.ORIGIN), as a reverse proxy sends it (forwardTo: X-Forwarded-*, 502/504 on failure).
import { createGuard, forwardTo } from "drf-gate/guard";

import { forwardOptions, guardOptions } from "./options.js";
import { handleSync } from "./store.js";

const guard = createGuard(guardOptions);

function explained(response, text, env) {
  if (env.EXPLAIN !== "true") return response;
  const copy = new Response(response.body, response);
  copy.headers.set("X-DRF-Gate", text);
  return copy;
}

export default {
  async fetch(request, env, ctx) {
    // The origin's pushes of identity data (python/drfgate/sync.py), when DRFGATE_SYNC_SECRET is set.
    const synced = await handleSync(request, env);
    if (synced) return synced;
    // The guard never throws: what it cannot decide it forwards, with the reason.
    const result = await guard(request, env, ctx);
    if (result.action === "respond") return explained(result.response, "respond", env);
    const response = await forwardTo(env.ORIGIN, request, forwardOptions(env));
    return explained(response, `forward; reason=${result.reason}`, env);
  },
};
