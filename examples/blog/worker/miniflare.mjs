// This Worker in Miniflare (real workerd), configured from wrangler.toml and bundled the way
// wrangler bundles it (esbuild, conditions workerd/worker/browser, .wasm as a compiled module).
// Used by dev.mjs (the demo) and by wasm-tests/workerd; each passes its own esbuild.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const here = dirname(fileURLToPath(import.meta.url));

/** The few keys of wrangler.toml that local runs need (no TOML dependency). */
export function wranglerConfig(path = join(here, "wrangler.toml")) {
  const text = readFileSync(path, "utf8");
  const config = { main: "src/index.js", compatibilityDate: undefined, vars: {}, kvNamespaces: [] };
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const header = line.match(/^\[\[?([\w.]+)\]\]?$/);
    if (header) {
      section = header[1];
      continue;
    }
    const pair = line.match(/^(\w+)\s*=\s*"([^"]*)"$/);
    if (!pair) continue;
    const [, key, value] = pair;
    if (section === "" && key === "main") config.main = value;
    if (section === "" && key === "compatibility_date") config.compatibilityDate = value;
    if (section === "vars") config.vars[key] = value;
    if (section === "kv_namespaces" && key === "binding") config.kvNamespaces.push(value);
  }
  return config;
}

/**
 * Bundles the Worker into `outDir`; returns Miniflare's `modules` options. `worker: true` bundles
 * the Worker build (`drf-gate/worker`, compiled policies only) wherever the code imports
 * `drf-gate` (the guard included), as wrangler's `alias` would.
 */
export async function bundle(esbuild, outDir, { entry, nodePaths = [], worker = false } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const wasmFiles = new Set();
  await esbuild.build({
    entryPoints: [entry ?? join(here, wranglerConfig().main)],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    nodePaths,
    outfile: join(outDir, "worker.js"),
    logLevel: "silent",
    plugins: [...(worker ? [{
      name: "drf-gate-worker",
      setup(build) {
        build.onResolve({ filter: /^drf-gate$/ }, (args) =>
          build.resolve("drf-gate/worker", { kind: args.kind, resolveDir: args.resolveDir }));
      },
    }] : []), {
      name: "wasm-module",
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, async (args) => {
          if (args.pluginData === "wasm-module") return undefined;
          let path = join(args.resolveDir, args.path);
          if (!args.path.startsWith(".") && !args.path.startsWith("/")) {
            // A package's .wasm ("drf-gate/drf_gate_bg.wasm"): esbuild finds the file.
            const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: "wasm-module" });
            if (found.errors.length) return { errors: found.errors };
            path = found.path;
          }
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

/**
 * Miniflare options for this Worker: wrangler.toml's vars and KV namespaces, plus `origin`
 * (ORIGIN) and the JWT signing key (the secret JWT_SIGNING_KEY). `objects: false` leaves out the
 * OBJECTS namespace (the origin then decides the object stage). `authoritative: true` tells the
 * guard a KV miss is "no such row" (EDGE_STORE_AUTHORITATIVE), `recordsCurrent: true` that its
 * records are current (EDGE_RECORDS_CURRENT: one location, kept in step by the origin's pushes);
 * `bindings` adds or overrides vars (LOOKUP_TIMEOUT_MS, ORIGIN_TIMEOUT_MS, FAULT_STORE, ...).
 */
export async function workerOptions({ esbuild, outDir, origin, signingKey, objects = true, explain, nodePaths, entry, worker, authoritative, recordsCurrent, bindings: extra = {} }) {
  const config = wranglerConfig();
  const bindings = { ...config.vars, ...extra };
  // "true" only when the KV namespaces hold every row of the database (see src/options.js).
  if (authoritative !== undefined) bindings.EDGE_STORE_AUTHORITATIVE = String(authoritative);
  // "true" only when the records are current (see src/options.js).
  if (recordsCurrent !== undefined) bindings.EDGE_RECORDS_CURRENT = String(recordsCurrent);
  if (origin) bindings.ORIGIN = origin;
  if (signingKey) bindings.JWT_SIGNING_KEY = signingKey;
  if (explain !== undefined) bindings.EXPLAIN = String(explain);
  return {
    ...(await bundle(esbuild, outDir, { entry, nodePaths, worker })),
    compatibilityDate: config.compatibilityDate,
    bindings,
    kvNamespaces: config.kvNamespaces.filter((name) => objects || name !== "OBJECTS"),
  };
}

/** Fills the KV namespaces from `manage.py worker_kv`'s dump (`{ kv: { USERS: {...}, ... } }`). */
export async function fillKv(mf, dump, namespaces) {
  let count = 0;
  for (const [name, entries] of Object.entries(dump.kv)) {
    if (!namespaces.includes(name)) continue;
    const kv = await mf.getKVNamespace(name);
    for (const [key, value] of Object.entries(entries)) {
      await kv.put(key, value);
      count++;
    }
  }
  return count;
}
