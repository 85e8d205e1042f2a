// The package in headless Chromium: the browser entry (core build) and `drf-gate/web-edge`, each
// with `await init()` fetching its .wasm.
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { importMap, importMapEdge, launch, serve } from "./browser.mjs";
import { consumerDir, loadEsm, testsDir } from "./consumer.mjs";
import { edgeSmoke, smoke } from "../smoke.js";

let browser;
let server;
const page = (map) => `<!doctype html>${map}
<script type="module">
  import init, * as api from "drf-gate";
  import { edgeSmoke, smoke } from "/smoke.js";
  try {
    await init();
    window.result = { smoke: smoke(api), edge: await edgeSmoke(api) };
  } catch (e) {
    window.result = { failed: String(e && e.stack || e) };
  }
</script>`;
before(async () => {
  cpSync(join(testsDir, "smoke.js"), join(consumerDir, "smoke.js"));
  server = await serve(consumerDir, {
    "/smoke.html": page(importMap),
    "/smoke-edge.html": page(importMapEdge),
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function run(path) {
  const page = await browser.newPage();
  const errors = [];
  const wasm = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (request) => request.url().endsWith(".wasm") && wasm.push(new URL(request.url()).pathname));
  await page.goto(`${server.url}${path}`);
  const result = await page.waitForFunction(() => window.result, null, { timeout: 20_000 }).then((h) => h.jsonValue());
  assert.deepEqual(errors, []);
  await page.close();
  return { result, wasm };
}

test("the browser default is the core build: the same results as Node, and raw requests name the edge build", async () => {
  const { result, wasm } = await run("/smoke.html");
  assert.deepEqual(result.smoke, smoke(await loadEsm()));
  const needsEdge = { error: true, code: "needs_edge_build", edge: true };
  assert.deepEqual(result.edge, { sync: needsEdge, async: needsEdge, fetch: needsEdge, mint: needsEdge });
  assert.deepEqual(wasm, ["/node_modules/drf-gate/dist/drf_gate_core_bg.wasm"]);
});

test("drf-gate/web-edge runs raw requests in Chromium as in Node", async () => {
  const { result, wasm } = await run("/smoke-edge.html");
  const esm = await loadEsm();
  assert.deepEqual(result.smoke, smoke(esm));
  assert.equal(result.edge.sync.decision.allowed, true);
  assert.deepEqual(result.edge, await edgeSmoke(esm));
  assert.deepEqual(wasm, ["/node_modules/drf-gate/dist/drf_gate_bg.wasm"]);
});
