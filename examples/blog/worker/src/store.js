// The edge's identity data in Workers KV, kept in step by the DRF project itself
// (python/drfgate/sync.py): the origin pushes each change to this Worker's sync endpoint as it
// commits, and `manage.py drfgate_sync` pushes everything (a full re-sync).
//
// Each KV value is JSON: `{v, value}` (the record), `{v, deleted: true}` (a tombstone: no such
// row, authoritative) or `{v, pending: true}` (a change is committing: not known here). `v` is the
// origin's version (microseconds); a write older than the stored one is ignored, so a slow push
// never overwrites a newer record. A key that is not there at all is not known here either.
//
// What the resolvers make of it: a record decides; a tombstone is "no such row" (DRF's
// `Invalid token.`, a 404); pending or missing is UNKNOWN: the guard forwards the request to the
// origin instead of deciding on data it cannot be sure of.

/** A resolver's "not known here": the guard forwards the request (drf-gate/guard). */
export const UNKNOWN = Symbol.for("drf-gate.unknown");

/** The path of the sync endpoint (POST, `Authorization: Bearer <DRFGATE_SYNC_SECRET>`). */
export const SYNC_PATH = "/__drfgate/sync";

const NAMESPACES = new Set(["USERS", "TOKENS", "SESSIONS", "OBJECTS"]);

/** One record: `{ state: "found", value }`, `{ state: "deleted" }` or `{ state: "unknown" }`. */
export async function read(namespace, key) {
  if (!namespace) return { state: "unknown" };
  const stored = await namespace.get(key, "json");
  if (stored === null || typeof stored !== "object" || stored.pending) return { state: "unknown" };
  if (stored.deleted) return { state: "deleted" };
  return "value" in stored ? { state: "found", value: stored.value } : { state: "unknown" };
}

const encoder = new TextEncoder();

// Constant time in the length of the expected secret.
function sameSecret(given, expected) {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i];
  return diff === 0;
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * The sync endpoint: `null` when `request` is not for it (or sync is not configured), else the
 * response. Body: `{ writes: [{ ns, key, version, value | pending | deleted | remove }] }`.
 */
export async function handleSync(request, env) {
  const url = new URL(request.url);
  if (url.pathname !== SYNC_PATH || !env.DRFGATE_SYNC_SECRET) return null;
  if (request.method !== "POST") return json(405, { detail: "POST only" });
  const auth = request.headers.get("authorization") || "";
  if (!auth.startsWith("Bearer ") || !sameSecret(auth.slice(7), env.DRFGATE_SYNC_SECRET)) {
    return json(401, { detail: "bad sync credentials" });
  }
  let writes;
  try {
    ({ writes } = await request.json());
    if (!Array.isArray(writes)) throw new TypeError("writes");
  } catch {
    return json(400, { detail: "expected {writes: [...]}" });
  }
  let applied = 0;
  let stale = 0;
  for (const write of writes) {
    const namespace = NAMESPACES.has(write?.ns) ? env[write.ns] : undefined;
    if (!namespace || typeof write.key !== "string" || !Number.isSafeInteger(write.version)) continue;
    const current = await namespace.get(write.key, "json");
    if (current && typeof current.v === "number" && current.v > write.version) {
      stale++;
      continue;
    }
    const v = write.version;
    if (write.remove) {
      // A session that authenticates nobody: keep the version so an older push cannot revive it.
      await namespace.put(write.key, JSON.stringify({ v, pending: true }), { expirationTtl: 86400 });
    } else if (write.pending) await namespace.put(write.key, JSON.stringify({ v, pending: true }));
    else if (write.deleted) await namespace.put(write.key, JSON.stringify({ v, deleted: true }));
    else await namespace.put(write.key, JSON.stringify({ v, value: write.value }));
    applied++;
  }
  return json(200, { applied, stale });
}
