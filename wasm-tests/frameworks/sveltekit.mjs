// drf-gate in a SvelteKit app (adapter-node), built and served as users do: `vite build`, then
// `node build/index.js`. The page's load function (sveltekit/src/routes/+page.server.js) decides
// with the Node entry and hands the page the compiled policy; the page gates with
// drf-gate/can/svelte and the `drf-gate/can` Gate, rendered on the server (Node's entry of
// drf-gate/can) and hydrated in Chromium (its .wasm fetched by the import). Every control is
// compared with the package's own decision (shared/expected.mjs) in the server's HTML (JavaScript
// off) and after hydration, for the anonymous user, a staff user and an author; hydration must log
// nothing, and a page rendered for another user than the browser's must show the browser's own.
// Prints `sveltekit: N checks, N passed` and the build's wall time.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { installPacked } from "../install-packed.mjs";
import { checker, compareControls, readControls } from "./shared/controls.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const app = join(here, "sveltekit");
installPacked(here);
const { Gate } = await import("drf-gate");
const { POLICIES, userByKey } = await import("./shared/fixtures.js");
const { expectedControls } = await import("./shared/expected.mjs");
const viteBin = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin/vite.js");
const { check, finish } = checker();
// The page's controls for a user: the package's, without tooltips (decision() needs `check`,
// which drf-gate/can leaves out).
const wantFor = (userKey) => expectedControls(userKey, "blog").map((c) => (c.control === "publish" ? { ...c, title: "" } : c));
const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
const filesUnder = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

// A user's app has a package.json (adapter-node reads its `dependencies`: those it leaves to Node,
// the rest it bundles; vite-plugin-svelte crawls it). `npm install drf-gate` lists it in
// `dependencies`. Written here, not tracked: the repository's package.json files are its npm
// workspace's members (scripts/check-npm.mjs), and this app's tools are wasm-tests/frameworks'.
writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "drf-gate-sveltekit-app", private: true, type: "module", dependencies: { "drf-gate": "*" } }, null, 2)}\n`);
for (const dir of ["build", ".svelte-kit"]) rmSync(join(app, dir), { recursive: true, force: true });
const started = Date.now();
let built = false;
try {
  execFileSync(process.execPath, [viteBin, "build"], { cwd: app, encoding: "utf8", stdio: "pipe" });
  built = true;
} catch (error) {
  check("sveltekit: vite build", false, `${error.stdout}${error.stderr}`);
}
const timing = `${((Date.now() - started) / 1000).toFixed(1)} s`;
if (built) {
  check("sveltekit: vite build", true);
  const files = filesUnder(join(app, "build"));
  const server = files.filter((f) => f.includes("/build/server/") && f.endsWith(".js"));
  const client = files.filter((f) => f.includes("/build/client/"));
  check("sveltekit: the browser bundle holds the can .wasm, no other", client.filter((f) => f.endsWith(".wasm")).length === 1 && client.some((f) => /drf_gate_can_bg.*\.wasm$/.test(f)), client.filter((f) => f.endsWith(".wasm")).join(", "));
  // vite-plugin-svelte makes drf-gate `ssr.noExternal` (its svelte peer): the server output holds
  // its Node entries, which read the installed package's .wasm, none of their own.
  check("sveltekit: the server output holds no .wasm", !files.some((f) => f.includes("/build/server/") && f.endsWith(".wasm")), server.join(", "));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const gate = new Gate(JSON.stringify(POLICIES.blog));
try {
  if (built) {
    const port = await freePort();
    const server = spawn(process.execPath, ["build/index.js"], { cwd: app, env: { ...process.env, HOST: "127.0.0.1", PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    server.stdout.on("data", (chunk) => (log += chunk));
    server.stderr.on("data", (chunk) => (log += chunk));
    const base = `http://127.0.0.1:${port}`;
    try {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`node build/index.js: not listening in 60 s\n${log}`)), 60000);
        server.stdout.on("data", () => /Listening/.test(log) && (clearTimeout(timer), resolve()));
        server.on("exit", (code) => reject(new Error(`node build/index.js exited (${code})\n${log}`)));
      });
      for (const userKey of ["anonymous", "sam", "ann"]) {
        const label = `sveltekit (${userKey})`;
        const user = userByKey(userKey).user;
        const want = wantFor(userKey);
        const off = await browser.newContext({ javaScriptEnabled: false });
        const raw = await off.newPage();
        const response = await raw.goto(`${base}/?user=${userKey}`);
        check(`${label}: the server answers 200`, response.status() === 200, `${response.status()} ${log}`);
        const serverControls = await readControls(raw, "#controls");
        compareControls(check, `${label} server render`, serverControls, want);
        const decided = await raw.$eval("#server-decision", (el) => el.dataset.create).catch(() => null);
        check(`${label}: the load function's decision (Node entry) is the package's`, decided === String(gate.can(user, "posts", "create")), decided);
        await off.close();

        const context = await browser.newContext();
        const p = await context.newPage();
        const messages = [];
        p.on("console", (message) => ["error", "warning"].includes(message.type()) && messages.push(`${message.type()}: ${message.text()}`));
        p.on("pageerror", (error) => messages.push(`pageerror: ${error.message}`));
        await p.goto(`${base}/?user=${userKey}`);
        await p.waitForFunction(() => window.__hydrated === true, null, { timeout: 30000 }).catch(() => {});
        await p.waitForTimeout(100);
        check(`${label}: hydrated`, await p.evaluate(() => window.__hydrated === true), JSON.stringify(messages));
        const hydrated = await readControls(p, "#controls");
        check(`${label}: hydrated controls = server-rendered controls`, JSON.stringify(hydrated) === JSON.stringify(serverControls), JSON.stringify({ hydrated, serverControls }));
        compareControls(check, `${label} browser render`, await readControls(p, "#client-render"), want);
        check(`${label}: no console error or warning on hydration`, messages.length === 0, JSON.stringify(messages));
        await context.close();
      }
      // The detector: the browser renders for the anonymous user, the server for another.
      for (const userKey of ["sam", "ann"]) {
        const bad = await browser.newContext();
        const bp = await bad.newPage();
        await bp.goto(`${base}/?user=${userKey}&mismatch=1`);
        await bp.waitForFunction(() => window.__hydrated === true, null, { timeout: 30000 }).catch(() => {});
        await bp.waitForTimeout(200);
        const browserRender = await readControls(bp, "#client-render");
        check(`sveltekit: a server render for ${userKey} hydrated as anonymous: the browser's render is the anonymous one`, JSON.stringify(browserRender) === JSON.stringify(wantFor("anonymous")), JSON.stringify(browserRender));
        await bad.close();
      }
    } catch (error) {
      check("sveltekit: node build/index.js and the pages", false, String(error?.stack ?? error));
    } finally {
      server.kill();
    }
  }
} finally {
  gate.free();
  await browser.close();
}
finish("sveltekit", ` (vite build: ${timing})`);
