// What the blog's edge knows: the exported policy (plus the JWT signing key from a secret), the
// user lookups in Workers KV, and get_object() from the OBJECTS namespace. Shared by index.js and
// the tests' Hono and withGuard variants (wasm-tests/workerd).
import { LOOKUP_ERROR, NOT_FOUND } from "drf-gate/guard";

import { read, UNKNOWN } from "./store.js";

import exported from "../../policy.json";

// The committed policy has no secrets: the JWT signing key (simplejwt's SIGNING_KEY) comes from
// the Worker's secret JWT_SIGNING_KEY (`wrangler secret put JWT_SIGNING_KEY`, or .dev.vars).
export function policy(env) {
  if (!env.JWT_SIGNING_KEY) return exported;
  const jwt = { ...exported.settings.jwt, signingKey: env.JWT_SIGNING_KEY };
  return { ...exported, settings: { ...exported.settings, jwt } };
}

// Python's int() on a URL lookup value, as Django's IntegerField lookups apply it: surrounding
// whitespace, a sign, `_` between digits. Not an int: a lookup error (DRF's bare 404). Beyond
// BigAutoField's range: no row (Django 5 makes such a lookup match nothing).
const INT = /^[ \t\n\r\f\v]*([+-]?)(\d(?:_?\d)*)[ \t\n\r\f\v]*$/;
export function lookupInt(value) {
  const match = INT.exec(String(value));
  if (!match) return LOOKUP_ERROR;
  const n = BigInt(match[1] + match[2].replaceAll("_", ""));
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n.toString() : null;
}

// A key Workers KV accepts (1 to 512 bytes, not "." or ".."); any other is in no namespace, as
// no such token or session row exists in the database. A miss is NOT_FOUND: "no such row" when the
// guard is told the store is authoritative (options.js), "not known here" otherwise.
const encoder = new TextEncoder();
const storable = (key) => key !== "" && key !== "." && key !== ".." && encoder.encode(key).length <= 512;

// The user as the resolvers hand it to drf-gate (the session hash stays here).
function asUser(record) {
  const { sessionHash, ...user } = record;
  return user;
}

// Records kept in step by the origin (store.js): a record decides, a tombstone is "no such
// row", anything else (pending, missing) is UNKNOWN and the request goes to the origin.
export function resolvers(env) {
  const userRecord = async (id) => {
    const found = await read(env.USERS, String(id));
    if (found.state === "found") return found.value;
    return found.state === "deleted" ? null : UNKNOWN;
  };
  const user = async (id) => {
    const record = await userRecord(id);
    return record && record !== UNKNOWN ? asUser(record) : record;
  };
  return {
    token: async (key) => {
      if (!storable(key)) return null;
      const token = await read(env.TOKENS, key);
      if (token.state === "deleted") return null;
      if (token.state !== "found") return UNKNOWN;
      // A token whose user is gone is a state the database never has: not known here.
      const owner = await user(token.value.user);
      return owner === null ? UNKNOWN : owner;
    },
    // django.contrib.auth.get_user: the session's hash must be the user's current one (a
    // password change logs every session out), and the session must not have expired.
    session: async (sessionKey) => {
      if (!storable(sessionKey)) return UNKNOWN;
      const session = await read(env.SESSIONS, sessionKey);
      if (session.state !== "found" || !(Date.now() / 1000 < session.value.expires)) return UNKNOWN;
      const record = await userRecord(session.value.user);
      if (!record || record === UNKNOWN || record.sessionHash !== session.value.sessionHash) return UNKNOWN;
      return asUser(record);
    },
    // JWTAuthentication: User.objects.get(id=<user_id claim>).
    userById: async (field, id) => {
      if (field !== "id") return UNKNOWN;
      // Django applies int() to the claim: 2.0 -> 2, True -> 1, "2" -> 2; a dict raises (500).
      const value = typeof id === "number" && Number.isFinite(id) ? Math.trunc(id) : typeof id === "boolean" ? Number(id) : id;
      // A claim beyond 2^53 arrives as a BigInt (exact) and keys the row by its exact text. KV's
      // JSON reads that row's id rounded, so the package forwards such a user (the object
      // querysets below compare ids as numbers too).
      const pk = ["number", "string", "bigint"].includes(typeof value) ? lookupInt(value) : null;
      return typeof pk === "string" ? user(pk) : NOT_FOUND;
    },
  };
}

// get_object(): the view's queryset, filtered by the URL's pk. Posts hide drafts from everyone
// but their owner (PostViewSet.get_queryset); reports see every post.
const QUERYSETS = {
  posts: (post, user) => post.published || (user != null && user.id === post.owner),
  "post-reports": () => true,
  comments: () => true,
  tags: () => true,
};

// get_object()'s row, fetched while authentication runs (the guard's `prefetchObject`): the
// stored object, NOT_FOUND for a miss, LOOKUP_ERROR for a malformed pk, undefined when the edge
// does not hold this view's objects.
export async function fetchObject({ view, params, env }) {
  if (!env.OBJECTS || !(view in QUERYSETS) || params.pk === undefined) return undefined; // the origin decides
  const pk = lookupInt(params.pk);
  if (pk === LOOKUP_ERROR) return pk;
  if (pk === null) return NOT_FOUND;
  const model = view === "post-reports" ? "posts" : view;
  const found = await read(env.OBJECTS, `${model}:${pk}`);
  if (found.state === "deleted") return NOT_FOUND;
  if (found.state !== "found") return undefined; // not known here: the origin decides
  return found.value;
}

// The queryset's filter on that row, with DRF's request.user.
export async function loadObject(args) {
  const object = "prefetched" in args && args.prefetched !== undefined ? args.prefetched : await fetchObject(args);
  if (object === undefined || object === LOOKUP_ERROR || object === NOT_FOUND) return object;
  return QUERYSETS[args.view](object, args.user) ? object : null;
}
