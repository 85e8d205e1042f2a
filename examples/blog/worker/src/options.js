// The guard's options for the blog Worker, shared by index.js and the tests' Hono and withGuard
// variants (wasm-tests/workerd): what the edge knows (edge.js), when its store may say "no such
// row", how long lookups may take, and faults a test can inject through bindings.
//
// Bindings (wrangler.toml [vars], or Miniflare's `bindings`):
//   EDGE_STORE_AUTHORITATIVE  "true": the KV namespaces hold every row the database holds (kept
//                             in step by the origin, or filled from it while nothing changes), so
//                             a miss is "no such row" (DRF's `Invalid token.`). Otherwise a miss
//                             is "not known here" and the request goes to the origin.
//   EDGE_RECORDS_CURRENT      "true": the records this Worker reads are current (the origin's
//                             pushes reach its KV before a change is visible, and a change being
//                             committed reads as pending: store.js). That holds where the pushes
//                             and the reads meet in one place: one location (Miniflare, `node
//                             dev.mjs --records-current`, the field harness), or a store that is
//                             consistent everywhere (a Durable Object). Deployed on Workers KV it
//                             does not: KV is eventually consistent between locations (up to about
//                             60 s), so another location may still read the record from before a
//                             change, pending mark included. Otherwise ("false", wrangler.toml) an
//                             answer resting on a record (a token's or session's user, a post) goes
//                             to the origin (`record-may-be-stale`); answers that use no record
//                             (anonymous, malformed credentials, a JWT's signature or expiry) and
//                             tombstones under EDGE_STORE_AUTHORITATIVE stay the edge's.
//   LOOKUP_TIMEOUT_MS         the time bound on the lookups of one request (default 1000): past
//                             it, the request goes to the origin undecided.
//   ORIGIN_TIMEOUT_MS         how long the origin may take before the Worker answers 504.
//   FAULT_STORE               test faults: "fail" (every KV read throws) or "slow" (every KV read
//                             waits FAULT_STORE_MS, default 2000).
import { fetchObject, loadObject, policy, resolvers } from "./edge.js";

const KV_BINDINGS = ["USERS", "TOKENS", "SESSIONS", "OBJECTS"];

// The environment with its KV namespaces made to fail or stall as FAULT_STORE says.
export function withFaults(env) {
  const fault = env && env.FAULT_STORE;
  if (fault !== "fail" && fault !== "slow") return env;
  const delay = Number(env.FAULT_STORE_MS) || 2000;
  const faulty = { ...env };
  for (const name of KV_BINDINGS) {
    const namespace = env[name];
    if (!namespace) continue;
    faulty[name] = {
      async get(...args) {
        if (fault === "fail") throw new Error(`KV ${name} is unavailable (FAULT_STORE=fail)`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        return namespace.get(...args);
      },
    };
  }
  return faulty;
}

export const guardOptions = {
  policy,
  resolvers: (env) => resolvers(withFaults(env)),
  prefetchObject: (args) => fetchObject({ ...args, env: withFaults(args.env) }),
  loadObject: (args) => loadObject({ ...args, env: withFaults(args.env) }),
  authoritative: (env) => env.EDGE_STORE_AUTHORITATIVE === "true",
  recordsCurrent: (env) => env.EDGE_RECORDS_CURRENT === "true",
  lookupTimeout: (env) => (env.LOOKUP_TIMEOUT_MS === undefined ? 1000 : Number(env.LOOKUP_TIMEOUT_MS)),
};

/** `forwardTo`'s options for this environment. */
export function forwardOptions(env) {
  const timeout = Number(env.ORIGIN_TIMEOUT_MS);
  return Number.isFinite(timeout) && timeout > 0 ? { timeout } : {};
}
