import type { Guard, GuardOptions } from "./guard.js";

/** The part of Hono's `Context` the middleware uses (no dependency on hono). */
export interface HonoLikeContext<Env = any> {
  req: { raw: Request };
  env: Env;
  readonly executionCtx?: any;
  set?(key: "drfGate", value: import("./guard.js").GuardResult): void;
}

/**
 * Hono middleware: answers DRF's denials with DRF's exact response, lets everything else through;
 * the guard's result is `c.get("drfGate")`.
 *
 * ```js
 * app.use("/api/*", drfGate({ policy, resolvers: (env) => ({ token: (key) => env.TOKENS.get(key, "json") }) }));
 * ```
 */
export declare function drfGate<Env = any>(
  options: GuardOptions<Env> | Guard<Env>,
): (c: HonoLikeContext<Env>, next: () => Promise<void>) => Promise<Response | void>;
