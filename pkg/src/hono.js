// drf-gate/hono: the guard as Hono middleware. Hono is not a dependency: this takes Hono's
// context `c` (`c.req.raw`, `c.env`, `c.executionCtx`) and its `next`.
import { createGuard } from "./guard.js";

/**
 * Answers DRF's denials with DRF's exact response and lets everything else through to the next
 * handler; the guard's result is available as `c.get("drfGate")`.
 *
 * ```js
 * app.use("/api/*", drfGate({ policy, resolvers: (env) => ({ token: (key) => env.TOKENS.get(key, "json") }) }));
 * ```
 */
export function drfGate(options = {}) {
  const guard = typeof options === "function" ? options : createGuard(options);
  return async function drfGateMiddleware(c, next) {
    let ctx;
    try {
      ctx = c.executionCtx; // Hono's getter throws outside Workers
    } catch {
      ctx = undefined;
    }
    const result = await guard(c.req.raw, c.env, ctx);
    if (typeof c.set === "function") c.set("drfGate", result);
    if (result.action === "respond") return result.response;
    await next();
  };
}
