// Runs Workers in real workerd (miniflare), bundled the way wrangler bundles them (esbuild,
// conditions workerd/worker/browser, each .wasm kept as a CompiledWasm module).
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";

import * as esbuild from "esbuild";

import { consumerDir } from "./consumer.mjs";

// Must not be newer than the workerd binary miniflare ships (workerd --version).
export const compatibilityDate = "2026-04-01";

/** Bundles `entry` as wrangler would, into .scratch/consumer/<name>/; returns miniflare's script options. */
export async function bundleWorker(entry, name = "worker-out") {
  const outDir = join(consumerDir, name);
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

