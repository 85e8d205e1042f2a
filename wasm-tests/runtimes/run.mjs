// The package loads and decides in Node (import and require), workerd, Chromium, Deno, Bun and
// Vercel's edge runtime, each resolving "drf-gate" through the exports conditions it reads:
// Node `node`/`import`/`require`; Deno `deno`; Bun `bun`; workerd `workerd` (as wrangler
// bundles); edge-runtime `edge-light` (as Vercel bundles); Chromium `browser` (an import map to
// what that condition names). Each decides the bundlers' cases and is compared with Node's
// answers. Prints `runtimes: N of N load and decide`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { installPacked } from "../install-packed.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
// drf-gate as a user's app gets it: the packed tarball unpacked into ./node_modules/drf-gate
// (not the workspace's link to pkg/; see ../install-packed.mjs).
installPacked(here);
const drf = await import("drf-gate");
{
  // The policy every runtime loads, compiled by the package in Node (decide.js imports it).
  const { POLICY } = await import("../bundlers/app/cases.js");
  const gate = new drf.Gate(POLICY);
  const base64 = Buffer.from(gate.toCompiled()).toString("base64");
  gate.free();
  writeFileSync(
    join(here, "compiled.js"),
    `// Written by run.mjs: the bundlers' POLICY compiled (gate.toCompiled()).\nexport const COMPILED = Uint8Array.from(atob("${base64}"), (c) => c.charCodeAt(0));\n`,
  );
}
const { decide } = await import("./decide.js");
const out = join(here, "out");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
/** A tool's executable: this workspace's node_modules/.bin, else the root workspace's. */
const bin = (name) => [join(here, "node_modules/.bin", name), join(here, "../../node_modules/.bin", name)].find((p) => existsSync(p)) ?? name;
const expected = JSON.stringify(await decide(drf));
const pkgDir = join(createRequire(import.meta.url).resolve("drf-gate/package.json"), "..");
const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

const results = [];
function report(name, got, detail = "") {
  const ok = got === expected;
  results.push({ name, ok });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : `: ${String(detail || got).slice(0, 2000)}`}`);
}
const run = (file, args, env = {}) =>
  execFileSync(file, args, { cwd: here, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60000, env: { ...process.env, ...env } }).trim();
async function attempt(name, fn) {
  try {
    report(name, await fn());
  } catch (error) {
    report(name, null, error?.stderr || error?.stack || String(error));
  }
}

/** What `exports["."]` names for a list of conditions (the resolution algorithm, in order). */
function resolveExport(conditions, target = manifest.exports["."]) {
  if (typeof target === "string") return target;
  for (const [key, value] of Object.entries(target)) {
    if (key === "types") continue;
    if (key === "default" || conditions.includes(key)) {
      const found = resolveExport(conditions, value);
      if (found) return found;
    }
  }
  return null;
}

async function bundle(entry, outfile, conditions, format, plugins = []) {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [join(here, entry)], bundle: true, outfile, format, conditions, platform: "neutral",
    ...(format === "iife" ? { globalName: "__app" } : {}),
    mainFields: ["module", "main"], loader: { ".wasm": "copy" }, logLevel: "error", plugins,
  });
}

// Node: ESM and CommonJS.
await attempt("node (import)", () => run(process.execPath, ["probe.mjs"]));
await attempt("node (require)", () => run(process.execPath, ["probe.cjs"]));
// Deno and Bun: their own resolution of node_modules and `exports`.
await attempt("deno", () =>
  run(bin("deno"), ["run", "--quiet", "--no-prompt", "--allow-read", "--allow-env", "--node-modules-dir=manual", "probe.mjs"], {
    DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(out, "deno-dir"),
  }),
);
await attempt("bun", () => run(bin("bun"), ["probe.mjs"], { BUN_INSTALL_CACHE_DIR: join(out, "bun-cache"), DO_NOT_TRACK: "1" }));

// workerd: bundled as wrangler does (conditions workerd, worker, browser), the .wasm a module.
await attempt("workerd", async () => {
  const dir = join(out, "workerd");
  await bundle("edge.js", join(dir, "worker.js"), ["workerd", "worker", "browser"], "esm");
  const { Log, LogLevel, Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true, scriptPath: join(dir, "worker.js"), modulesRoot: dir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01", cf: false, log: new Log(LogLevel.NONE),
  });
  try {
    const response = await mf.dispatchFetch("http://worker/");
    return await response.text();
  } finally {
    await mf.dispose();
  }
});

// Vercel's edge runtime: bundled as Vercel does (conditions edge-light, worker, browser; a
// `.wasm?module` import becomes a compiled WebAssembly.Module bound into the runtime), and run
// with no WebAssembly compiled from bytes at run time, as Vercel's production runtime has it.
await attempt("edge-runtime", async () => {
  const dir = join(out, "edge-runtime");
  const wasmFiles = {};
  const wasmModules = {
    name: "wasm-module",
    setup(build) {
      build.onResolve({ filter: /\.wasm\?module$/ }, (args) => ({
        path: join(args.resolveDir, args.path.replace(/\?module$/, "")),
        namespace: "wasm-module",
      }));
      build.onLoad({ filter: /.*/, namespace: "wasm-module" }, (args) => {
        const name = `wasm_${Object.keys(wasmFiles).length}`;
        wasmFiles[name] = args.path;
        return { contents: `export default globalThis.${name};`, loader: "js" };
      });
    },
  };
  await bundle("edge.js", join(dir, "edge.js"), ["edge-light", "worker", "browser"], "iife", [wasmModules]);
  const { EdgeRuntime } = await import("edge-runtime");
  const { runInContext } = await import("node:vm");
  const runtime = new EdgeRuntime({
    extend: (context) => {
      // The runtime's own WebAssembly compiles the bound modules (as the platform does at deploy
      // time); then the app may compile nothing from bytes.
      const wasm = runInContext("WebAssembly", context);
      for (const [name, path] of Object.entries(wasmFiles)) context[name] = new wasm.Module(readFileSync(path));
      const refuse = () => {
        throw new wasm.CompileError("Wasm code generation from bytes is disallowed in the edge runtime");
      };
      const Module = function Module() { refuse(); };
      Module.prototype = wasm.Module.prototype;
      Object.setPrototypeOf(Module, wasm.Module);
      const instantiate = wasm.instantiate;
      runInContext("WebAssembly", context).Module = Module;
      wasm.compile = async () => refuse();
      wasm.instantiate = (source, imports) => (source instanceof wasm.Module ? instantiate(source, imports) : refuse());
      return context;
    },
  });
  runtime.evaluate(readFileSync(join(dir, "edge.js"), "utf8"));
  const worker = runtime.evaluate("__app.default");
  const response = await worker.fetch(new runtime.context.Request("http://edge/"));
  return await response.text();
});

// Chromium: an import map to what the `browser` condition names.
await attempt("chromium", async () => {
  const entry = resolveExport(["browser", "import"]);
  const files = { "/": null };
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/favicon.ico") return res.writeHead(204).end();
    if (url.pathname === "/") {
      const page = `<!doctype html><meta charset="utf-8">
<script type="importmap">${JSON.stringify({ imports: { "drf-gate": `/pkg/${entry.replace(/^\.\//, "")}` } })}</script>
<script type="module">
  import * as drf from "drf-gate";
  import { decide } from "/runtimes/decide.js";
  decide(drf).then((r) => { window.__result = JSON.stringify(r); }, (e) => { window.__error = String(e?.stack ?? e); });
</script>`;
      return res.writeHead(200, { "content-type": "text/html" }).end(page);
    }
    const roots = { "/pkg/": pkgDir, "/runtimes/": here, "/bundlers/": join(here, "../bundlers") };
    const prefix = Object.keys(roots).find((p) => url.pathname.startsWith(p));
    if (!prefix) return res.writeHead(404).end();
    const path = normalize(join(roots[prefix], url.pathname.slice(prefix.length)));
    if (!existsSync(path)) return res.writeHead(404).end();
    const type = { ".js": "text/javascript", ".wasm": "application/wasm" }[extname(path)] ?? "application/octet-stream";
    res.writeHead(200, { "content-type": type }).end(readFileSync(path));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    page.on("response", (response) => response.status() >= 400 && problems.push(`${response.url()} ${response.status()}`));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    try {
      await page.waitForFunction(() => window.__result || window.__error, null, { timeout: 20000 });
    } catch (error) {
      throw new Error(`${error.message} ${problems.join("; ")}`);
    }
    const { result, error } = await page.evaluate(() => ({ result: window.__result, error: window.__error }));
    if (error || problems.length > 0) throw new Error(`${error ?? ""} ${problems.join("; ")}`);
    return result;
  } finally {
    await browser.close();
    server.close();
  }
});

const runtimes = ["node", "workerd", "chromium", "deno", "bun", "edge-runtime"];
const passed = runtimes.filter((name) => {
  const mine = results.filter((r) => r.name === name || r.name.startsWith(`${name} (`));
  return mine.length > 0 && mine.every((r) => r.ok);
}).length;
console.log(`runtimes: ${passed} of ${runtimes.length} load and decide`);
process.exit(passed === runtimes.length ? 0 : 1);
