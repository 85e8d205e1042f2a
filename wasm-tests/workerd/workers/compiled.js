// The blog's edge on the Worker build: examples/blog/worker/src/index.js with the policy given
// compiled (bytes made by run.mjs, the JWT signing key compiled in) and `drf-gate` bundled as
// `drf-gate/worker` (the edge build without the policy compiler). Everything else is the
// example's: KV resolvers, the object stage, forwarding.
import { createGuard, forwardTo } from "drf-gate/guard";

import { forwardOptions, guardOptions } from "../../../examples/blog/worker/src/options.js";
import { handleSync } from "../../../examples/blog/worker/src/store.js";
import policy from "../.scratch/compiled-entry/policy.js";

const guard = createGuard({ ...guardOptions, policy });

function explained(response, text, env) {
  if (env.EXPLAIN !== "true") return response;
  const copy = new Response(response.body, response);
  copy.headers.set("X-DRF-Gate", text);
  return copy;
}

export default {
  async fetch(request, env, ctx) {
    const synced = await handleSync(request, env);
    if (synced) return synced;
    const result = await guard(request, env, ctx);
    if (result.action === "respond") return explained(result.response, "respond", env);
    const response = await forwardTo(env.ORIGIN, request, forwardOptions(env));
    return explained(response, `forward; reason=${result.reason}`, env);
  },
};
