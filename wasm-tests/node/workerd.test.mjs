// The package inside real workerd (miniflare): bundled the way wrangler bundles a Worker
// (esbuild, conditions workerd/worker/browser, the .wasm kept as a CompiledWasm module).
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { after, before, test } from "node:test";

import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";

import { consumerDir, loadEsm, testsDir } from "./consumer.mjs";
import { smoke } from "../smoke.js";

// Must not be newer than the workerd binary miniflare ships (workerd --version).
const compatibilityDate = "2026-04-01";
const outDir = join(consumerDir, "worker-out");

/** Bundles `entry` (a file under wasm-tests/) as wrangler would, into worker-out/. */
export async function bundleWorker(entry) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const wasmFiles = new Set();
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    nodePaths: [join(consumerDir, "node_modules")],
    outfile: join(outDir, "worker.js"),
    logLevel: "silent",
    plugins: [{
      name: "wasm-module",
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, async (args) => {
          const path = join(args.resolveDir, args.path);
          wasmFiles.add(path);
          return { path: `./${basename(path)}`, external: true };
        });
      },
    }],
  });
  for (const path of wasmFiles) copyFileSync(path, join(outDir, basename(path)));
  return {
    modules: [
      { type: "ESModule", path: join(outDir, "worker.js") },
      ...[...wasmFiles].map((path) => ({ type: "CompiledWasm", path: join(outDir, basename(path)) })),
    ],
    modulesRoot: outDir,
  };
}

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

test("a Worker answers with DRF's exact status, body and headers", async () => {
  const denied = await mf.dispatchFetch("http://localhost/posts/");
  assert.equal(denied.status, 403);
  assert.equal(await denied.text(), '{"detail":"Authentication credentials were not provided."}');
  const error = await mf.dispatchFetch("http://localhost/nope/");
  assert.equal(error.status, 500);
  assert.deepEqual(await error.json(), { name: "ContextError", code: "unknown_view" });
});
