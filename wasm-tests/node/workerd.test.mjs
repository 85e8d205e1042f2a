// The package inside real workerd (miniflare), bundled as wrangler bundles a Worker.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { Miniflare } from "miniflare";

import { loadEsm, testsDir } from "./consumer.mjs";
import { bundleWorker, compatibilityDate } from "./worker.mjs";
import { edgeSmoke, smoke } from "../smoke.js";

let mf;
before(async () => {
  const script = await bundleWorker(join(testsDir, "worker", "smoke-worker.js"));
  mf = new Miniflare({ ...script, compatibilityDate });
  await mf.ready;
});
after(async () => {
  await mf?.dispose();
});

test("the smoke test gives the same results in workerd as in Node", async () => {
  const response = await mf.dispatchFetch("http://localhost/smoke");
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual(await response.json(), smoke(await loadEsm()));
});

test("a Worker gets the edge build: raw requests and CSRF minting as in Node", async () => {
  const response = await mf.dispatchFetch("http://localhost/edge-smoke");
  assert.equal(response.status, 200, await response.clone().text());
  const result = await response.json();
  assert.equal(result.sync.decision.allowed, true);
  assert.deepEqual(result, await edgeSmoke(await loadEsm()));
});

test("a Worker answers with DRF's exact status, body and headers", async () => {
  const denied = await mf.dispatchFetch("http://localhost/posts/");
  assert.equal(denied.status, 403);
  assert.equal(await denied.text(), '{"detail":"Authentication credentials were not provided."}');
  const error = await mf.dispatchFetch("http://localhost/nope/");
  assert.equal(error.status, 500);
  assert.deepEqual(await error.json(), { name: "ContextError", code: "unknown_view" });
});
