// The package in headless Chromium: the browser entry, `await init()` fetching the .wasm.
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { importMap, launch, serve } from "./browser.mjs";
import { consumerDir, loadEsm, testsDir } from "./consumer.mjs";
import { smoke } from "../smoke.js";

let browser;
let server;
before(async () => {
  cpSync(join(testsDir, "smoke.js"), join(consumerDir, "smoke.js"));
  server = await serve(consumerDir, {
    "/smoke.html": `<!doctype html>${importMap}
<script type="module">
  import init, * as api from "drf-gate";
  import { smoke } from "/smoke.js";
  try {
    await init();
    window.result = smoke(api);
  } catch (e) {
    window.result = { failed: String(e && e.stack || e) };
  }
</script>`,
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the smoke test gives the same results in Chromium as in Node", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${server.url}/smoke.html`);
  const result = await page.waitForFunction(() => window.result, null, { timeout: 20_000 }).then((h) => h.jsonValue());
  assert.deepEqual(errors, []);
  assert.deepEqual(result, smoke(await loadEsm()));
  await page.close();
});
