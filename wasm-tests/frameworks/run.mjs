// drf-gate/react, drf-gate/vue and drf-gate/svelte in real apps: each app is built by Vite (client + SSR bundle),
// rendered to HTML in Node (renderToString), served, and hydrated in Chromium. Every control is
// compared with the package's own decision for the same user, policy and object (computed in
// Node), before hydration (JavaScript off), after it, after user and policy switches; hydration
// must report no mismatch (for the anonymous user, a staff user and the owner INITIAL names), the
// Subjects the providers make must be freed, and a re-render with an equal user in a new object
// must compile none.
// Prints `frameworks: N checks, N passed`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { installPacked } from "../install-packed.mjs";
import { chromium } from "playwright-core";
import { build } from "vite";
import { checker, compareControls as compareWith, readControls } from "./shared/controls.mjs";
import { INITIAL, POLICIES, POSTS, USERS } from "./shared/fixtures.js";

const here = fileURLToPath(new URL(".", import.meta.url));
// drf-gate as a user's app gets it: the packed tarball unpacked into ./node_modules/drf-gate
// (not the workspace's link to pkg/; see ../install-packed.mjs).
installPacked(here);
{
  // The apps load the policies compiled (the default browser entry, the runtime, loads nothing
  // else); the expected controls come from the JSON policies in Node (shared/expected.mjs).
  const { Gate } = await import("drf-gate");
  const lines = Object.entries(POLICIES).map(([name, policy]) => {
    const gate = new Gate(policy);
    const base64 = Buffer.from(gate.toCompiled()).toString("base64");
    gate.free();
    return `  ${JSON.stringify(name)}: Uint8Array.from(atob("${base64}"), (c) => c.charCodeAt(0)),`;
  });
  writeFileSync(join(here, "shared/compiled.js"), `// Written by run.mjs: fixtures.js's POLICIES compiled (gate.toCompiled()).\nexport const COMPILED = {\n${lines.join("\n")}\n};\n`);
}
const { expectedControls } = await import("./shared/expected.mjs");
const { check, finish } = checker();

// 0. The bindings' types: `tsc --strict` accepts an app's usage, and each `@ts-expect-error` line
//    (misuse) is an error (otherwise tsc reports the directive as unused).
try {
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", join(here, "types/tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
  check("types: tsc --strict on types/*usage.ts* (React, Vue, Svelte and the can entries; misuse rejected)", true);
} catch (error) {
  check("types: tsc --strict on types/*usage.ts* (React, Vue, Svelte and the can entries; misuse rejected)", false, `${error.stdout}${error.stderr}`);
}

// 1. Build both apps once: the browser bundle and the server bundle.
const APPS = {
  react: { server: "src/entry-server.jsx" },
  vue: { server: "src/entry-server.js" },
  svelte: { server: "src/entry-server.js" },
};
for (const [name, app] of Object.entries(APPS)) {
  const root = join(here, name);
  // Each app is served under /<name>/.
  await build({ root, base: `/${name}/`, configFile: join(root, "vite.config.js"), build: { outDir: "dist/client", emptyOutDir: true } });
  await build({
    root,
    configFile: join(root, "vite.config.js"),
    build: { ssr: app.server, outDir: "dist/server", emptyOutDir: true },
  });
  // The server bundle leaves drf-gate to Node: its `node` entry, which reads the .wasm from dist/.
  const serverBundle = readFileSync(join(root, "dist/server/entry-server.js"), "utf8");
  check(`${name}: the server bundle imports drf-gate/${name} (Node's entry), bundles no .wasm`, serverBundle.includes(`from "drf-gate/${name}"`) && !/_bg\.wasm|WebAssembly/.test(serverBundle));
  app.render = (await import(pathToFileURL(join(root, "dist/server/entry-server.js")).href)).render;
  app.template = readFileSync(join(root, "dist/client/index.html"), "utf8");
  app.dir = join(root, "dist/client");
}

// 2. One static server: `/<app>/` is the server render of INITIAL; `/<app>/mismatch` is a server
//    render for another user than the one the client hydrates with (the detector must fire).
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".html": "text/html" };
async function page(app, initial, renderedFor = initial) {
  const html = await app.render(renderedFor);
  return app.template.replace("<!--app-->", html).replace("<!--initial-->", JSON.stringify(initial));
}
const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://x");
    const [, name, ...rest] = url.pathname.split("/");
    const app = APPS[name];
    if (!app) return res.writeHead(404).end();
    const file = rest.join("/");
    if (file === "" || file === "mismatch") {
      // `?user=KEY`: the first render's user (INITIAL's by default).
      const initial = { ...INITIAL, user: url.searchParams.get("user") ?? INITIAL.user };
      // `?inplace`: the React app's in-place section only.
      if (url.searchParams.has("inplace")) initial.inPlace = true;
      const body = await page(app, initial, file === "mismatch" ? { ...initial, user: "bob" } : initial);
      return res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
    }
    const path = normalize(join(app.dir, file));
    if (!path.startsWith(app.dir) || !existsSync(path)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  } catch (error) {
    res.writeHead(500).end(String(error?.stack ?? error));
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;


const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

const read = readControls;
const compareControls = (label, shown, want) => compareWith(check, label, shown, want);

try {
  for (const name of Object.keys(APPS)) {
    // The server's HTML alone (JavaScript off) must show the package's controls for `userKey`;
    // then the page hydrates: the client's first render equals it, no mismatch is reported, no
    // console error or warning. Returns the hydrated page (and its console messages) in its context.
    async function hydrate(userKey) {
      const label = userKey === INITIAL.user ? name : `${name} (${userKey})`;
      const off = await browser.newContext({ javaScriptEnabled: false });
      const raw = await off.newPage();
      await raw.goto(`${base}/${name}/?user=${userKey}`);
      const serverControls = await read(raw);
      compareControls(`${name} server render (${userKey}, ${INITIAL.policy})`, serverControls, expectedControls(userKey, INITIAL.policy));
      await off.close();
      const context = await browser.newContext();
      const p = await context.newPage();
      const messages = [];
      p.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") messages.push(`${message.type()}: ${message.text()}`);
      });
      p.on("pageerror", (error) => messages.push(`pageerror: ${error.message}`));
      await p.goto(`${base}/${name}/?user=${userKey}`);
      await p.waitForFunction(() => window.__hydrated === true, null, { timeout: 30000 });
      await p.waitForTimeout(50);
      const hydrated = await read(p);
      check(`${label}: hydrated controls = server-rendered controls`, JSON.stringify(hydrated) === JSON.stringify(serverControls), JSON.stringify({ hydrated, serverControls }));
      const hydrationErrors = await p.evaluate(() => window.__hydrationErrors);
      check(`${label}: no hydration mismatch reported`, hydrationErrors.length === 0, JSON.stringify(hydrationErrors));
      check(`${label}: no console error or warning on hydration`, messages.length === 0, JSON.stringify(messages));
      return { context, p, messages };
    }
    // The anonymous user and a staff user: rendered, hydrated, closed.
    for (const userKey of ["anonymous", "sam"]) await (await hydrate(userKey)).context.close();
    // INITIAL's user: the page then switches users and policies.
    const { context, p, messages } = await hydrate(INITIAL.user);

    // Re-renders with an equal user in a new object (the apps pass `{ ...user }` inline): the
    // provider keeps its Subject (none compiled), and the controls stay the package's.
    async function rerender(userKey, policyName) {
      await p.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
      const before = await p.evaluate(() => window.__gateStats.created);
      for (let i = 1; i <= 3; i++) {
        const renders = Number(await p.getAttribute("#rerender", "data-renders"));
        await p.click("#rerender");
        await p.waitForFunction((n) => document.getElementById("rerender").dataset.renders === String(n), renders + 1);
      }
      await p.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
      const after = await p.evaluate(() => window.__gateStats.created);
      check(`${name} (${userKey}): 3 re-renders with an equal user in a new object compile no Subject`, after === before, `${before} -> ${after}`);
      compareControls(`${name} after 3 re-renders (${userKey}, ${policyName})`, await read(p), expectedControls(userKey, policyName));
    }
    await rerender(INITIAL.user, INITIAL.policy);

    async function switchTo(id, userKey, policyName) {
      await p.click(`#${id}`);
      await p.waitForFunction(([u, pol]) => {
        const state = document.getElementById("state");
        return state?.dataset.user === u && state?.dataset.policy === pol;
      }, [userKey, policyName]);
      await p.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
      compareControls(`${name} after ${id} (${userKey}, ${policyName})`, await read(p), expectedControls(userKey, policyName));
    }
    // User switches under the blog policy: every user of the demo.
    for (const entry of USERS.filter((u) => u.key !== INITIAL.user)) await switchTo(`user-${entry.key}`, entry.key, "blog");
    // The draft post (get_queryset hides it): anonymous users see no link to it.
    await switchTo("user-anonymous", "anonymous", "blog");
    const draft = POSTS.find((post) => !post.published);
    const draftRetrieve = (await read(p)).find((c) => c.post === String(draft.id) && c.control === "retrieve");
    check(`${name}: anonymous sees no link to draft post ${draft.id} (DRF answers 404)`, draftRetrieve?.state === "fallback", JSON.stringify(draftRetrieve));
    // Policy switch, then users under it, then back.
    await switchTo("policy-staff", "anonymous", "staff");
    for (const key of ["sam", "ann"]) await switchTo(`user-${key}`, key, "staff");
    await switchTo("policy-blog", "ann", "blog");
    await switchTo("user-sam", "sam", "blog");
    await rerender("sam", "blog");
    // Denial reason: a tooltip names the deciding class and DRF's message.
    await switchTo("user-bob", "bob", "blog");
    const reason = (await read(p)).find((c) => c.post === "3" && c.control === "publish");
    check(`${name}: denial reason names the class and message`, /^403 \S.*: \S/.test(reason?.title ?? ""), JSON.stringify(reason));

    // Lifetime: one live Subject per provider; all freed on unmount; replaced Gates freed.
    await p.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    const before = await p.evaluate(() => ({ ...window.__gateStats }));
    check(`${name}: replaced Subjects are freed (one live)`, before.created - before.freed === 1, JSON.stringify(before));
    check(`${name}: the Gate of a replaced policy is freed`, before.gatesFreed >= 2, JSON.stringify(before));
    await p.click("#unmount");
    await p.waitForSelector("#unmounted");
    await p.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    const after = await p.evaluate(() => ({ ...window.__gateStats }));
    check(`${name}: unmount frees the Subject and the Gate`, after.created === after.freed && after.gatesFreed === before.gatesFreed + 1, JSON.stringify(after));
    check(`${name}: no console error or warning while switching`, messages.length === 0, JSON.stringify(messages));
    await context.close();

    // React: a user changed in place (the same object) and rendered again gets a new Subject, and
    // useCan, useDecision and usePermissions answer for the changed user (Vue watches the user
    // deeply; the Vue and Svelte holder is tested in wasm-tests/node/can-helpers.test.mjs).
    if (name === "react") {
      const inPlace = await browser.newContext();
      const ip = await inPlace.newPage();
      await ip.goto(`${base}/react/?inplace=1`);
      await ip.waitForFunction(() => window.__hydrated === true, null, { timeout: 30000 });
      const { Gate } = await import("drf-gate");
      const staffGate = new Gate(JSON.stringify(POLICIES.staff));
      for (const flips of [0, 1, 2]) {
        if (flips > 0) {
          await ip.click("#flip-staff");
          await ip.waitForFunction((n) => document.getElementById("flip-staff").dataset.flips === String(n), flips);
        }
        const user = { id: 9, username: "ivy", ...(flips > 0 ? { isStaff: flips % 2 === 1 } : {}) };
        const want = {
          can: String(staffGate.can(user, "posts", "create")),
          decision: String(staffGate.check({ view: "posts", action: "create", user }).allowed),
          update: String(staffGate.permissionsFor(user, "posts", POSTS[0]).update),
        };
        const got = await ip.$eval("#in-place-answer", (el) => ({ ...el.dataset }));
        check(`react: user changed in place ${flips} time(s): the hooks answer for it`, JSON.stringify(got) === JSON.stringify(want), JSON.stringify({ got, want }));
        const stats = await ip.evaluate(() => ({ ...window.__gateStats }));
        check(`react: user changed in place ${flips} time(s): ${flips + 1} Subject(s) compiled`, stats.created === flips + 1, JSON.stringify(stats));
      }
      staffGate.free();
      await inPlace.close();
    }

    // The mismatch detector itself: a server render for another user must be reported.
    const bad = await browser.newContext();
    const bp = await bad.newPage();
    const badMessages = [];
    bp.on("console", (message) => badMessages.push(message.text()));
    await bp.goto(`${base}/${name}/mismatch`);
    await bp.waitForFunction(() => window.__hydrated === true, null, { timeout: 30000 });
    await bp.waitForTimeout(100);
    const reported = await bp.evaluate(() => window.__hydrationErrors.length);
    check(`${name}: a server render for another user is reported as a mismatch`, reported > 0 || badMessages.some((m) => /hydrat/i.test(m)), JSON.stringify(badMessages));
    await bad.close();
  }
} finally {
  await browser.close();
  server.close();
}

finish("frameworks");
