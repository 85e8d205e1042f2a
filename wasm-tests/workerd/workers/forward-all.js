// The reference for the raw-lines harness (raw-lines.mjs): every request forwarded exactly as
// the blog Worker forwards what it does not answer (forwardTo with the same options), so the
// origin's answer to the request *as the Worker forwards it* is known for every request. It
// also reports the header lines it saw (`X-Raw-Seen`, JSON, URI-encoded), for the probe table.
import { forwardTo } from "drf-gate/guard";

import { forwardOptions } from "../../../examples/blog/worker/src/options.js";

export default {
  async fetch(request, env) {
    const seen = [];
    request.headers.forEach((value, name) => seen.push([name, value]));
    const response = await forwardTo(env.ORIGIN, request, forwardOptions(env));
    const copy = new Response(response.body, response);
    copy.headers.set("X-Raw-Seen", encodeURIComponent(JSON.stringify({ url: request.url, headers: seen })));
    return copy;
  },
};
