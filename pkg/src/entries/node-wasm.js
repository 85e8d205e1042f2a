// The .wasm of a Node entry, as bytes. Each entry writes `new URL("./x.wasm", import.meta.url)`
// out, so that Node's file tracers and bundlers see the file. Bundling server code, Next.js
// (webpack and Turbopack) rewrites that URL into the public path of a copied asset
// (`/_next/static/media/x.<hash>.wasm`), which is no file: then the file is the package's own
// export `drf-gate/x.wasm`, resolved from the working directory (where `next start` runs). Vite's
// server build bundles the entry without its .wasm when a Svelte app lists drf-gate (its `svelte`
// peer makes vite-plugin-svelte put it in `ssr.noExternal`; Vite copies no asset for the server):
// then the URL is a file: next to the bundle that does not exist, and the export is resolved from
// the bundle's folder (the app's node_modules), else the working directory. A deployment's copy
// of the .wasm files without the package.json (Next's `output: "standalone"` with only
// `dist/*.wasm` in `outputFileTracingIncludes`) is found by its path (resolveFrom).
// `node:module` is taken only then (`process.getBuiltinModule`, Node >= 20.16): an import of it
// would cost every start.
import { existsSync, readFileSync } from "node:fs";

/**
 * Reads the .wasm at `url`, or the package's export `drf-gate/<name>` when a bundler made `url`
 * something else than a `file:` URL or copied this module without the file `url` names.
 *
 * ```js
 * initSync({ module: readWasm(new URL("./drf_gate_bg.wasm", import.meta.url), "drf_gate_bg.wasm") });
 * ```
 */
export function readWasm(url, name) {
  let from = [process.cwd()];
  if (String(url.protocol) === "file:") {
    try {
      return readFileSync(url);
    } catch (error) {
      if (error?.code !== "ENOENT") throw error;
      // Bundled without its .wasm: the installed package above the bundle, else the cwd's.
      if (typeof process.getBuiltinModule === "function") {
        const { fileURLToPath } = process.getBuiltinModule("node:url");
        from = [process.getBuiltinModule("node:path").dirname(fileURLToPath(url)), process.cwd()];
      }
    }
  }
  if (typeof process.getBuiltinModule !== "function") {
    throw new Error(`drf-gate: a bundler moved ${name} (${url}); Node >= 20.16 finds it in node_modules/drf-gate`);
  }
  const { createRequire } = process.getBuiltinModule("node:module");
  const { file, traced } = resolveFrom(createRequire, from, name, url);
  // Another drf-gate may be the one found there (a monorepo's root): its .wasm would not match
  // this glue, so its version must be this one's (scripts/build.sh writes VERSION in). A traced
  // copy is the build's own files.
  const found = traced ? VERSION : installedVersion(file);
  if (found !== VERSION) {
    const error = new Error(`drf-gate: a bundler moved ${name}; the drf-gate found (${file}) is ${found ?? "of no known version"}, this code is ${VERSION}: start the server where this version is installed`);
    error.code = "wasm_version_mismatch";
    throw error;
  }
  return readFileSync(file);
}

const VERSION = "DRF_GATE_PACKAGE_VERSION";

// `drf-gate/<name>` resolved from the first folder of `dirs` that has the package installed; else
// a traced copy's `node_modules/drf-gate/dist/<name>` above one of them (no package.json, which
// npm always installs: such a folder is a copy made at build time, by the build that bundled this).
function resolveFrom(createRequire, dirs, name, url) {
  for (const dir of dirs) {
    try {
      return { file: createRequire(`${dir}/[drf-gate]`).resolve(`drf-gate/${name}`), traced: false };
    } catch (_) {
      // not installed from here: the next folder
    }
  }
  const { dirname, join } = process.getBuiltinModule("node:path");
  for (const start of dirs) {
    for (let dir = start, up = ""; dir !== up; up = dir, dir = dirname(dir)) {
      const pkg = join(dir, "node_modules", "drf-gate");
      if (existsSync(join(pkg, "dist", name)) && !existsSync(join(pkg, "package.json"))) return { file: join(pkg, "dist", name), traced: true };
    }
  }
  const error = new Error(`drf-gate: a bundler moved ${name} (${url}) and no drf-gate is installed above ${dirs.join(" or ")}: install drf-gate where the server runs (list it in "dependencies")`);
  error.code = "wasm_not_found";
  throw error;
}

// The version in the package.json of the drf-gate holding `file`, or null.
function installedVersion(file) {
  const { dirname, join } = process.getBuiltinModule("node:path");
  for (let dir = dirname(file), up = ""; dir !== up; up = dir, dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      if (manifest.name === "drf-gate") return manifest.version ?? null;
    } catch (_) {
      // no package.json here (or not JSON): look further up
    }
  }
  return null;
}
