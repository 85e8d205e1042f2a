// drf-gate in a Next.js app (app router), built as users build it: `next build` with Turbopack
// (Next 16's default) and with webpack (`--webpack`), each served by `next start`, and with
// `output: "standalone"` (Turbopack), served by the traced copy's own `server.js` (Next's static
// files copied next to it, as Next's documentation says; no node_modules but the traced ones). The Server
// Component (next/app/page.jsx) decides with the Node entry, compiles the policy and renders
// drf-gate/react's provider and <Can>; the Client Component (next/app/controls.jsx) gates with
// drf-gate/can/react and the `drf-gate/can` Gate. Every control is compared with the package's own
// decision (computed here) in the server's HTML (JavaScript off) and after hydration in Chromium,
// for the anonymous user, a staff user and an author; hydration must log nothing, and a page
// rendered for another user than the browser's must be reported.
// Prints `next: N checks, N passed` and each build's wall time.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { installPacked } from "../install-packed.mjs";
import { checker, compareControls, readControls } from "./shared/controls.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const app = join(here, "next");
installPacked(here);
const { Gate } = await import("drf-gate");
const { POLICIES, userByKey } = await import("./shared/fixtures.js");
const { expectedControls } = await import("./shared/expected.mjs");
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const { check, finish } = checker();
// The Client Component's controls for a user: the package's, without tooltips (useDecision needs
// `check`, which drf-gate/can leaves out).
const wantFor = (userKey) => expectedControls(userKey, "blog").map((c) => (c.control === "publish" ? { ...c, title: "" } : c));
const env = (distDir, standalone = false) => ({ ...process.env, NEXT_TELEMETRY_DISABLED: "1", DIST_DIR: distDir, ...(standalone ? { STANDALONE: "1" } : {}) });
const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const BUILDS = [
  { name: "turbopack", distDir: ".next-turbo", args: ["build"] },
  { name: "webpack", distDir: ".next-webpack", args: ["build", "--webpack"] },
  { name: "standalone", distDir: ".next-standalone", args: ["build"], standalone: true },
];
// The standalone output deployed: `<distDir>/standalone` copied out of the repository (so that
// nothing resolves from its node_modules), `<distDir>/static` beside its server.js (at
// `<the app's path under the traced root, the repository's>/server.js`). Returns that server.js.
function deployStandalone(distDir) {
  const out = join(app, distDir, "standalone");
  const server = readdirSync(out, { recursive: true }).find((file) => file.endsWith("server.js") && !file.includes("node_modules") && !file.includes(`${distDir}/`));
  if (!server) throw new Error(`no server.js under ${out}`);
  const deployed = mkdtempSync(join(tmpdir(), "drf-gate-next-standalone-"));
  cleanup.push(deployed);
  cpSync(out, deployed, { recursive: true, verbatimSymlinks: true });
  cpSync(join(app, distDir, "static"), join(deployed, dirname(server), distDir, "static"), { recursive: true });
  return join(deployed, server);
}
const cleanup = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const gate = new Gate(JSON.stringify(POLICIES.blog));
const timings = [];
try {
  for (const build of BUILDS) {
    // A fresh build each run (Next keeps a cache in its dist directory), as CI's clone makes it.
    rmSync(join(app, build.distDir), { recursive: true, force: true });
    const started = Date.now();
    try {
      execFileSync(process.execPath, [nextBin, ...build.args], { cwd: app, env: env(build.distDir, build.standalone), encoding: "utf8", stdio: "pipe" });
      check(`${build.name}: next build`, true);
    } catch (error) {
      check(`${build.name}: next build`, false, `${error.stdout}${error.stderr}`);
      continue;
    }
    timings.push(`${build.name} ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const port = await freePort();
    let server;
    if (build.standalone) {
      // Its own cwd (server.js changes to its folder); nothing of the repository's node_modules.
      const entry = deployStandalone(build.distDir);
      server = spawn(process.execPath, [entry], { cwd: dirname(entry), env: { PATH: process.env.PATH, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), HOSTNAME: "127.0.0.1" }, stdio: ["ignore", "pipe", "pipe"] });
    } else {
      server = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: app, env: env(build.distDir), stdio: ["ignore", "pipe", "pipe"] });
    }
    let log = "";
    server.stdout.on("data", (chunk) => (log += chunk));
    server.stderr.on("data", (chunk) => (log += chunk));
    const base = `http://127.0.0.1:${port}`;
    try {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`next start: not ready in 60 s\n${log}`)), 60000);
        server.stdout.on("data", () => /Ready/.test(log) && (clearTimeout(timer), resolve()));
        server.on("exit", (code) => reject(new Error(`next start exited (${code})\n${log}`)));
      });
      for (const userKey of ["anonymous", "sam", "ann"]) {
        const label = `${build.name} (${userKey})`;
        const user = userByKey(userKey).user;
        const want = wantFor(userKey);
        const off = await browser.newContext({ javaScriptEnabled: false });
        const raw = await off.newPage();
        const response = await raw.goto(`${base}/?user=${userKey}`);
        check(`${label}: next start answers 200`, response.status() === 200, `${response.status()} ${log}`);
        const serverControls = await readControls(raw, "#controls");
        compareControls(check, `${label} server render`, serverControls, want);
        const decided = await raw.$eval("#server-decision", (el) => el.dataset.create).catch(() => null);
        check(`${label}: the Server Component's decision (Node entry) is the package's`, decided === String(gate.can(user, "posts", "create")), decided);
        const serverCan = await raw.$eval("#server-can", (el) => el.dataset.state).catch(() => null);
        check(`${label}: drf-gate/react's <Can> rendered from a Server Component`, serverCan === (gate.can(user, "posts", "create") ? "shown" : "fallback"), serverCan);
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
      // The detectors: the browser renders for the anonymous user, the server for another. For
      // sam only attributes differ (React leaves them as the server wrote them, silently): the
      // browser's own render shows it; for ann (an owner) elements differ: React reports it.
      for (const userKey of ["sam", "ann"]) {
        const bad = await browser.newContext();
        const bp = await bad.newPage();
        const badMessages = [];
        bp.on("console", (message) => badMessages.push(message.text()));
        bp.on("pageerror", (error) => badMessages.push(error.message));
        await bp.goto(`${base}/?user=${userKey}&mismatch=1`);
        await bp.waitForFunction(() => window.__hydrated === true, null, { timeout: 30000 }).catch(() => {});
        await bp.waitForTimeout(200);
        const browserRender = await readControls(bp, "#client-render");
        check(`${build.name}: a server render for ${userKey} hydrated as anonymous: the browser's render is the anonymous one`, JSON.stringify(browserRender) === JSON.stringify(wantFor("anonymous")), JSON.stringify(browserRender));
        if (userKey === "ann") check(`${build.name}: a server render for ann hydrated as anonymous is reported as a mismatch`, badMessages.some((m) => /hydrat|#418/i.test(m)), JSON.stringify(badMessages));
        await bad.close();
      }
      // A hook in a Server Component: React's message names it.
      const hook = await fetch(`${base}/hook-in-server`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      check(`${build.name}: a hook called in a Server Component fails naming it`, hook.status === 500 && /useCan\(\) from the server/.test(log), `${hook.status} ${log}`);
    } catch (error) {
      check(`${build.name}: next start and the pages`, false, String(error?.stack ?? error));
    } finally {
      server.kill();
    }
  }
} finally {
  gate.free();
  await browser.close();
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
}
finish("next", ` (next build: ${timings.join(", ")})`);
