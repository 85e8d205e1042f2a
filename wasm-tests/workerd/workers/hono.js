// The blog's edge as a Hono app: drfGate() middleware, then a handler that forwards to the origin.
import { Hono } from "hono";
import { forwardTo } from "drf-gate/guard";
import { drfGate } from "drf-gate/hono";

import { forwardOptions, guardOptions } from "../../../examples/blog/worker/src/options.js";

const app = new Hono();
// Marks the answers the guard gave itself (the test tells them from forwarded ones).
app.use("*", async (c, next) => {
  await next();
  if (c.get("drfGate")?.action === "respond") c.res.headers.set("X-DRF-Gate", "respond");
});
app.use("/api/*", drfGate(guardOptions));
app.all("*", async (c) => {
  const result = c.get("drfGate");
  const response = await forwardTo(c.env.ORIGIN, c.req.raw, forwardOptions(c.env));
  const copy = new Response(response.body, response);
  copy.headers.set("X-DRF-Gate", `forward; reason=${result ? result.reason : "not-guarded"}`);
  return copy;
});
app.onError((error) => new Response(String(error), { status: 599, headers: { "X-DRF-Gate": `forward; reason=error; ${error.name}` } }));

export default app;
