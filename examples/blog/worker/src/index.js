// The blog API's edge: a Cloudflare Worker in front of the sample DRF server (../server).
//
// Every request to a DRF route is decided here as DRF would decide it (policy.json, exported by
// `manage.py drfgate_export`): authentication (JWT verified in the Worker, Token and session
// looked up in Workers KV), permission classes, and, when the OBJECTS namespace is bound, the
// object stage (get_queryset + has_object_permission). DRF's denials are answered at the edge with
// DRF's exact response; everything else is forwarded to the origin (env.ORIGIN).
import { createGuard, forwardTo } from "drf-gate/guard";

import { loadObject, policy, resolvers } from "./edge.js";
import { handleSync } from "./store.js";

const guard = createGuard({ policy, resolvers, loadObject });

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
    let result;
    try {
      result = await guard(request, env, ctx);
    } catch (error) {
      // The edge could not decide (a KV failure, a malformed request the core refuses): the
      // origin is the authority, so it decides.
      console.error("drf-gate:", error);
      return explained(await forwardTo(env.ORIGIN, request), `forward; reason=error; ${error.name}`, env);
    }
    if (result.action === "respond") return explained(result.response, "respond", env);
    return explained(await forwardTo(env.ORIGIN, request), `forward; reason=${result.reason}`, env);
  },
};
