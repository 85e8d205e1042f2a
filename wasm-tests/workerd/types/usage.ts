// drf-gate/guard and drf-gate/hono as a TypeScript Worker uses them (checked by tsc, not run).
import { Hono } from "hono";
import {
  createGuard, forwardTo, LOOKUP_ERROR, NOT_FOUND, withGuard, type ForwardReason, type GuardResult, type LoadObject,
} from "drf-gate/guard";
import { drfGate } from "drf-gate/hono";
import type { Policy, User } from "drf-gate";

interface KV { get(key: string, type: "json"): Promise<unknown>; get(key: string): Promise<string | null> }
interface Env { ORIGIN: string; TOKENS: KV; USERS: KV; OBJECTS: KV; JWT_SIGNING_KEY: string }

const policy: Policy = { authentication: ["token", "jwt"], permissions: ["IsAuthenticated"], views: { posts: { model: "blog.Post" } } };

const loadObject: LoadObject<Env> = async ({ view, params, env, user }) => {
  if (view !== "posts") return undefined;
  if (!/^\d+$/.test(params.pk ?? "")) return LOOKUP_ERROR;
  const post = (await env.OBJECTS.get(`posts:${params.pk}`, "json")) as { owner: number; published: boolean } | null;
  return post && (post.published || post.owner === user?.id) ? post : null;
};

const guard = createGuard<Env>({
  policy: (env) => ({ ...policy, settings: { jwt: { signingKey: env.JWT_SIGNING_KEY } } }),
  resolvers: (env) => ({
    token: async (key) => {
      const id = await env.TOKENS.get(key);
      // A miss is NOT_FOUND: "no such row" only when the guard is told the store is authoritative.
      return id === null ? NOT_FOUND : ((await env.USERS.get(id, "json")) as User | null);
    },
  }),
  loadObject,
  authoritative: ["token"],
  // Records current for tokens and objects only where the store is one location (a binding).
  recordsCurrent: (env) => (env.ORIGIN.startsWith("http://127.0.0.1") ? ["token", "object"] : false),
  lookupTimeout: (env) => 500,
});

export const plain = {
  async fetch(request: Request, env: Env, ctx: unknown): Promise<Response> {
    const result: GuardResult = await guard(request, env, ctx);
    if (result.action === "respond") return result.response;
    const reason: ForwardReason = result.reason;
    if (reason === "record-may-be-stale") console.log(result.records?.join(", "), result.decision?.status);
    console.log(reason, result.decision?.objectCheck);
    return forwardTo(env.ORIGIN, request, { timeout: 10_000, clientIp: (r) => r.headers.get("cf-connecting-ip") });
  },
};

export const wrapped = { fetch: withGuard<Env>(null, { policy }) };
export const handled = { fetch: withGuard<Env>(async (request, env, _ctx, result) => new Response(`${result.action}`), guard) };

const app = new Hono<{ Bindings: Env; Variables: { drfGate: GuardResult } }>();
app.use("/api/*", drfGate<Env>({ policy, loadObject }));
app.get("/api/posts/", (c) => c.json({ reason: c.get("drfGate").action }));
export default app;
