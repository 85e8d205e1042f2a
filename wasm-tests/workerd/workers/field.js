// The blog Worker (examples/blog/worker/src/index.js) for the field scenario, with its Workers KV
// reads behind a fault switch: `GET /__field/fault?mode=fail` makes every KV read throw,
// `mode=slow` delays each by 1.5 s, `mode=none` restores them; `GET /__field/reads` counts
// them. Test-only.
import worker from "../../../examples/blog/worker/src/index.js";

let fault = "none";
// KV reads the guard made (resolvers, prefetchObject, loadObject): `GET /__field/reads`.
let reads = 0;

function faulty(namespace) {
  return new Proxy(namespace, {
    get(target, property) {
      if (property === "get") {
        return async (...args) => {
          reads++;
          if (fault === "fail") throw new Error("KV unavailable (injected by the field scenario)");
          if (fault === "slow") await new Promise((resolve) => setTimeout(resolve, 1500));
          return target.get(...args);
        };
      }
      const value = target[property];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__field/fault") {
      fault = url.searchParams.get("mode") || "none";
      return new Response(fault);
    }
    if (url.pathname === "/__field/reads") return new Response(String(reads));
    if (url.pathname === "/__drfgate/sync") return worker.fetch(request, env, ctx);
    const wrapped = { ...env };
    for (const name of ["USERS", "TOKENS", "SESSIONS", "OBJECTS"]) if (env[name]) wrapped[name] = faulty(env[name]);
    return worker.fetch(request, wrapped, ctx);
  },
};
