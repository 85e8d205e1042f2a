// A tiny app importing drf-gate (app/), bundled by esbuild, webpack 5, Rollup, Vite and wrangler
// with no configuration for drf-gate: each bundle runs (Chromium for the browser bundles, workerd
// for the Worker) and must decide every case exactly as the package does in Node. The browser
// bundlers also bundle the UI-gating app (app/can.js, `drf-gate/can`; esbuild and Rollup
// app/can-inline.js, `drf-gate/can/inline`, as the README says): its buttons must be the
// package's `can` in Node, its `check` refused with `needs_check_build`, its bundle smaller than
// the same bundler's runtime bundle. And a React app and a Vue app on drf-gate/can/react and
// drf-gate/can/vue (app/react-gating.js, app/vue-gating.js) through the four: each user's buttons
// must be Node's `can`, and the bundle must hold the can .wasm and nothing of the runtime.
// Prints `bundlers: N of N load and decide`.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { installPacked } from "../install-packed.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
// drf-gate as a user's app gets it: the packed tarball unpacked into ./node_modules/drf-gate
// (not the workspace's link to pkg/; see ../install-packed.mjs).
installPacked(here);
const app = join(here, "app");
const out = join(here, "out");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// The compiled policy the app loads (the default browser entry is the runtime: compiled policies
// only), made by the package in Node.
{
  const { Gate } = await import("drf-gate");
  const { POLICY } = await import("./app/cases.js");
  const gate = new Gate(POLICY);
  const base64 = Buffer.from(gate.toCompiled()).toString("base64");
  gate.free();
  writeFileSync(
    join(here, "app/compiled.js"),
    `// Written by run.mjs: cases.js's POLICY compiled (gate.toCompiled()).\nexport const COMPILED = Uint8Array.from(atob("${base64}"), (c) => c.charCodeAt(0));\n`,
  );
}

// The expected answers: the package in Node.
const { decide } = await import("./app/decide.js");
const expected = JSON.stringify(await decide());
const expectedCan = JSON.stringify((await import("./app/gating.js")).gate(await import("drf-gate")));
// The React and Vue apps' buttons per section, before and after the users' switch: the package's
// `can` in Node. The users must be told apart, and each section's buttons must change with the
// switch (a page that ignored the user, or never re-rendered, would pass otherwise).
const expectedUi = (await import("./app/ui.js")).expected((await import("drf-gate")).Gate);
{
  const { first, switched } = expectedUi;
  const distinct = new Set(Object.values(first).map((buttons) => buttons.join())).size === Object.keys(first).length;
  if (!distinct || Object.keys(first).some((name) => first[name].join() === switched[name].join())) {
    throw new Error(`bundlers: the UI apps' users must see different buttons: ${JSON.stringify(expectedUi)}`);
  }
}

const results = [];
function report(name, ok, detail = "") {
  results.push({ name, ok });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : `: ${detail}`}`);
}
const quiet = (text) => String(text).slice(0, 2000);

// --- the bundles ------------------------------------------------------------------------------
// Each bundler with no configuration for drf-gate; Rollup as its users set it up for React
// (CommonJS packages, `process.env.NODE_ENV` replaced), the other three as they come.
async function esbuildApp(dir, entry) {
  const esbuild = await import("esbuild");
  await esbuild.build({ entryPoints: [join(app, entry)], bundle: true, format: "esm", outdir: dir, logLevel: "error" });
  return { script: entry, module: true };
}
// `minimize: false` for the React and Vue apps: terser on React DOM was 16 of the step's 70 s
// (load 14), and what they check (the buttons, which .wasm is in) does not depend on it.
async function webpackApp(dir, entry, { minimize = true } = {}) {
  const { default: webpack } = await import("webpack");
  const options = { mode: "production", entry: join(app, entry), output: { path: dir, filename: "main.js" }, optimization: { minimize } };
  const stats = await new Promise((resolve, reject) =>
    webpack(options, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
  if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
  return { script: "main.js", module: false };
}
async function rollupApp(dir, entry, { commonjs = false } = {}) {
  const { rollup } = await import("rollup");
  const { nodeResolve } = await import("@rollup/plugin-node-resolve");
  const plugins = [nodeResolve({ browser: true })];
  if (commonjs) {
    const { default: cjs } = await import("@rollup/plugin-commonjs");
    const nodeEnv = { name: "node-env", transform: (code) => (code.includes("process.env.NODE_ENV") ? code.replaceAll("process.env.NODE_ENV", '"production"') : null) };
    plugins.push(nodeEnv, cjs());
  }
  const bundle = await rollup({ input: join(app, entry), plugins, onwarn() {} });
  await bundle.write({ dir, format: "es" });
  await bundle.close();
  return { script: entry, module: true };
}
async function viteApp(dir, page) {
  const { build } = await import("vite");
  const input = page === "index.html" ? {} : { rollupOptions: { input: join(app, page) } };
  await build({ root: app, configFile: false, logLevel: "error", base: "./", build: { outDir: dir, emptyOutDir: true, target: "es2022", ...input } });
  return { page };
}
// `can`: the same bundler's runtime bundle (the UI-gating bundle must be smaller); `framework`:
// a React or Vue app on drf-gate/can/react or /vue (its buttons per user, the can .wasm only).
const BUNDLES = {
  esbuild: (dir) => esbuildApp(dir, "browser.js"),
  webpack: (dir) => webpackApp(dir, "browser.js"),
  rollup: (dir) => rollupApp(dir, "browser.js"),
  vite: (dir) => viteApp(dir, "index.html"),
  "esbuild-can": async (dir) => ({ ...(await esbuildApp(dir, "can-inline.js")), can: "esbuild" }),
  "webpack-can": async (dir) => ({ ...(await webpackApp(dir, "can.js")), can: "webpack" }),
  "rollup-can": async (dir) => ({ ...(await rollupApp(dir, "can-inline.js")), can: "rollup" }),
  "vite-can": async (dir) => ({ ...(await viteApp(dir, "can.html")), can: "vite" }),
  "esbuild-react-can": async (dir) => ({ ...(await esbuildApp(dir, "react-can-inline.js")), framework: "react" }),
  "webpack-react-can": async (dir) => ({ ...(await webpackApp(dir, "react-can.js", { minimize: false })), framework: "react" }),
  "rollup-react-can": async (dir) => ({ ...(await rollupApp(dir, "react-can-inline.js", { commonjs: true })), framework: "react" }),
  "vite-react-can": async (dir) => ({ ...(await viteApp(dir, "react-can.html")), framework: "react" }),
  "esbuild-vue-can": async (dir) => ({ ...(await esbuildApp(dir, "vue-can-inline.js")), framework: "vue" }),
  "webpack-vue-can": async (dir) => ({ ...(await webpackApp(dir, "vue-can.js", { minimize: false })), framework: "vue" }),
  "rollup-vue-can": async (dir) => ({ ...(await rollupApp(dir, "vue-can-inline.js", { commonjs: true })), framework: "vue" }),
  "vite-vue-can": async (dir) => ({ ...(await viteApp(dir, "vue-can.html")), framework: "vue" }),
  async wrangler(dir) {
    const bin = [join(here, "node_modules/.bin/wrangler"), join(here, "../../node_modules/.bin/wrangler")].find((p) => existsSync(p)) ?? "wrangler";
    execFileSync(bin, ["deploy", "--dry-run", "--outdir", dir, "--config", join(app, "wrangler.toml")], {
      cwd: app,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "error", NO_UPDATE_NOTIFIER: "1", CI: "1" },
    });
    return { worker: "worker.js" };
  },
};

const built = {};
for (const [name, make] of Object.entries(BUNDLES)) {
  const dir = join(out, name);
  try {
    built[name] = { dir, ...(await make(dir)) };
  } catch (error) {
    report(`${name}: bundle`, false, quiet(error?.stderr ?? error?.stack ?? error));
  }
}

// --- browser bundles in one Chromium ------------------------------------------------------------
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const [, name, ...rest] = url.pathname.split("/");
  const bundle = built[name];
  if (!bundle) return res.writeHead(404).end();
  const file = rest.join("/");
  if (file === "" && !bundle.page) {
    const tag = bundle.module ? `<script type="module" src="./${bundle.script}"></script>` : `<script src="./${bundle.script}"></script>`;
    return res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><meta charset="utf-8"><body>${tag}`);
  }
  const path = normalize(join(bundle.dir, file === "" ? bundle.page : file));
  if (!path.startsWith(bundle.dir) || !existsSync(path)) return res.writeHead(404).end();
  res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browserBundles = Object.keys(built).filter((name) => !built[name].worker);
const coreWasm = statSync(join(here, "../../pkg/dist/drf_gate_core_bg.wasm")).size;
function bundleBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(js|mjs|wasm)$/.test(entry.name)) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}
// Which of the package's .wasm files a bundle holds: as a file (any name: webpack renames it) or
// inline as base64 (a 256-character slice from the middle of each one's base64); and whether it
// holds the runtime glue's `check` ("check glue").
const WASMS = { can: "drf_gate_can_bg.wasm", runtime: "drf_gate_runtime_bg.wasm", core: "drf_gate_core_bg.wasm", edge: "drf_gate_bg.wasm", worker: "drf_gate_worker_bg.wasm" };
const wasmBytes = Object.fromEntries(Object.entries(WASMS).map(([build, file]) => [build, readFileSync(join(here, "node_modules/drf-gate/dist", file))]));
function wasmsIn(dir) {
  const found = new Set();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const bytes = readFileSync(join(entry.parentPath ?? entry.path, entry.name));
    if (entry.name.endsWith(".wasm")) {
      found.add(Object.keys(wasmBytes).find((build) => wasmBytes[build].equals(bytes)) ?? `unknown ${entry.name}`);
    } else if (/\.(js|mjs)$/.test(entry.name)) {
      const text = bytes.toString("latin1");
      for (const [build, wasm] of Object.entries(wasmBytes)) {
        const base64 = wasm.toString("base64");
        const at = Math.floor(base64.length / 8) * 4;
        if (text.includes(base64.slice(at, at + 256))) found.add(build);
      }
      // The runtime glue's `checkPacked` method (the shared API only calls it: `core.checkPacked(`).
      if (/(?<![.\w])checkPacked\s*\(/.test(text)) found.add("check glue");
    }
  }
  return [...found].sort();
}
async function runInChromium() {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    for (const name of browserBundles) {
      const runtime = built[name].can;
      const loads = runtime ? `${name}: loads in Chromium and gates the buttons as Node's can` : `${name}: loads in Chromium and decides as Node`;
      const page = await browser.newPage();
      const problems = [];
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("response", (response) => response.status() >= 400 && problems.push(`${response.url()} ${response.status()}`));
      try {
        await page.goto(`${base}/${name}/`);
        await page.waitForFunction(() => window.__result || window.__error, null, { timeout: 20000 });
        const { result, error, json, check, hidden } = await page.evaluate(() => ({
          result: window.__result,
          error: window.__error,
          json: window.__jsonPolicy,
          check: window.__check,
          hidden: [...document.querySelectorAll("button")].map((button) => button.hidden),
        }));
        const got = JSON.stringify(result);
        const bytes = bundleBytes(built[name].dir);
        if (built[name].framework) {
          // A React or Vue app on drf-gate/can: each user's buttons are Node's `can`; the bundle
          // holds the can .wasm and nothing of the runtime (no other .wasm, no `check` glue).
          const want = JSON.stringify(expectedUi);
          report(`${name}: loads in Chromium and renders each user's buttons as Node's can, then after a user switch, a Subject compiled once per user (${JSON.stringify(expectedUi.first)})`, !error && got === want && problems.length === 0, quiet(error ?? `${problems.join("; ")} ${got}`));
          const wasms = wasmsIn(built[name].dir);
          report(`${name}: holds the can .wasm only (${wasms.join(", ")}), bundle ${bytes} B`, JSON.stringify(wasms) === '["can"]', wasms.join(", "));
          continue;
        }
        if (!runtime) {
          report(loads, !error && got === expected && problems.length === 0, quiet(error ?? `${problems.join("; ")} ${got}`));
          // The default browser entry is the runtime: it refuses a JSON policy, naming the JSON
          // entry, and the bundle (JS + .wasm) is smaller than the JSON core's .wasm alone.
          const refused = /^PolicyError: .*drf-gate\/inline/.test(json ?? "");
          report(`${name}: the default browser entry is the runtime (JSON refused; bundle ${bytes} B < core .wasm ${coreWasm} B)`, refused && bytes < coreWasm, quiet(json));
          // What the React and Vue apps' check must not find is found here.
          const wasms = wasmsIn(built[name].dir);
          report(`${name}: holds the runtime .wasm and check glue (${wasms.join(", ")})`, wasms.includes("runtime") && wasms.includes("check glue"), wasms.join(", "));
          continue;
        }
        // The UI-gating app: the page's buttons are Node's `can`; `check` is the runtime's; the
        // bundle is smaller than the same bundler's runtime bundle (bundled before it).
        const shown = JSON.stringify(hidden.map((h) => !h)) === JSON.stringify(JSON.parse(expectedCan).buttons);
        report(loads, !error && got === expectedCan && shown && problems.length === 0, quiet(error ?? `${problems.join("; ")} ${got}`));
        const runtimeBytes = built[runtime] ? bundleBytes(built[runtime].dir) : 0;
        report(
          `${name}: check refused (${check}); bundle ${bytes} B < ${runtime}'s runtime bundle ${runtimeBytes} B`,
          check === "Error: needs_check_build" && bytes < runtimeBytes,
          quiet(check),
        );
      } catch (error) {
        report(loads, false, quiet(`${problems.join("; ")} ${error.message}`));
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
}
if (browserBundles.length > 0) {
  try {
    await runInChromium();
  } catch (error) {
    for (const name of browserBundles) report(`${name}: loads in Chromium and decides as Node`, false, quiet(error.message));
  }
}
server.close();

// --- the Worker bundle in workerd ----------------------------------------------------------------
if (built.wrangler) {
  const { Log, LogLevel, Miniflare } = await import("miniflare");
  const dir = built.wrangler.dir;
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, built.wrangler.worker),
    modulesRoot: dir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    cf: false,
    log: new Log(LogLevel.NONE),
  });
  try {
    const response = await mf.dispatchFetch("http://worker/");
    const got = await response.text();
    report("wrangler: loads in workerd and decides as Node", response.status === 200 && got === expected, quiet(got));
  } catch (error) {
    report("wrangler: loads in workerd and decides as Node", false, quiet(error?.stack ?? error));
  } finally {
    await mf.dispose();
  }
}

const names = Object.keys(BUNDLES);
const passed = names.filter((name) => {
  const mine = results.filter((r) => r.name.startsWith(`${name}: `));
  return mine.some((r) => r.name.startsWith(`${name}: loads`)) && mine.every((r) => r.ok);
}).length;
console.log(`bundlers: ${passed} of ${names.length} load and decide`);
process.exit(passed === names.length ? 0 : 1);
