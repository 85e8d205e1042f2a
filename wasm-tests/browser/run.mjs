// The demo and the playground (www/) in real headless Chromium. Every expected outcome comes from
// the same package's decisions, computed here in Node (pkg/dist/node.mjs): no hand-written lists.
//
//   node wasm-tests/browser/run.mjs      (or wasm-tests/browser/run.sh; the package must be built)
//
// Prints one summary line `browser: N checks, N passed`; exits non-zero on any failure.
// Screenshots go to wasm-tests/artifacts/.
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
mkdirSync(artifacts, { recursive: true });

const { Gate } = await import(`${repo}pkg/dist/node.mjs`);
const { createStaticServer } = await import(`${repo}www/serve.mjs`);
const { USERS, POSTS, postObjects } = await import(`${repo}www/data.js`);
const { PRESETS, presetPolicyText, presetContextText } = await import(`${repo}www/presets.js`);

const VERBOSE = process.env.VERBOSE === "1";
const axePath = `${repo}node_modules/axe-core/axe.min.js`; // the root npm workspace
let total = 0;
let passed = 0;
const failures = [];
function check(name, ok, detail = "") {
  total++;
  if (ok) passed++;
  else failures.push(`${name}${detail ? `: ${detail}` : ""}`);
  if (VERBOSE || !ok) console.error(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? ` — ${detail}` : ""}`);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The matrix's object choices (inputs, as the page's select describes them).
const MATRIX_OBJECTS = {
  ann: () => ({ id: 1, owner: 1 }),
  own: (user) => ({ id: 100, owner: user?.id ?? null }),
  none: () => undefined,
  missing: () => null,
};

const blogText = readFileSync(`${repo}examples/blog/policy.json`, "utf8");
const blog = new Gate(blogText);
const objects = postObjects();

// The package's decision for one control (view.action [+ object]), as the page must show it.
function expectedControl(user, gateAttr, objectId) {
  const dot = gateAttr.lastIndexOf(".");
  const view = gateAttr.slice(0, dot);
  const action = gateAttr.slice(dot + 1);
  const hasObject = objectId !== null;
  const object = hasObject ? objects[objectId] ?? null : undefined;
  const allowed = hasObject ? blog.can(user, view, action, object) : blog.can(user, view, action);
  const context = { view, action, user, trace: true };
  if (hasObject) context.object = object;
  return { allowed, decision: allowed ? null : blog.check(context) };
}

const server = createStaticServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

const consoleErrors = [];
const badRequests = [];
let exitCode = 1;
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") consoleErrors.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on("requestfailed", (request) => badRequests.push(`${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) badRequests.push(`${response.url()} HTTP ${response.status()}`);
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(base) && !request.url().startsWith("data:")) badRequests.push(`off-site request: ${request.url()}`);
  });

  // axe-core (WCAG 2.x A/AA rules) on the visible part of the page.
  async function axeCheck(name, selector) {
    if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: axePath });
    const result = await page.evaluate(
      (sel) => window.axe.run(sel, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
      selector,
    );
    const bad = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    check(`a11y (axe): ${name}`, bad.length === 0, bad.join(" | "));
  }

  // ---- Loading: the package as a browser app loads it (ES module + async init of the .wasm).
  await page.goto(`${base}/www/`);
  await page.waitForSelector("html[data-ready=true]", { timeout: 20000 });
  const wasmResponse = await page.request.get(`${base}/pkg/dist/drf_gate_core_bg.wasm`);
  check("served .wasm has Content-Type application/wasm", wasmResponse.headers()["content-type"] === "application/wasm", wasmResponse.headers()["content-type"]);
  check("page loaded the engine and the blog policy", /ready/.test(await page.textContent("#load-status")));

  // ---- Demo: each user's controls are exactly what the package decides.
  async function readControls() {
    return page.$$eval("#demo [data-gate]", (els) =>
      els.map((el) => {
        const describedBy = (el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
        return {
          where: el.closest("#post-page") ? "page" : el.closest("#post-list") ? "list" : "header",
          gate: el.getAttribute("data-gate"),
          object: el.getAttribute("data-gate-object"),
          mode: el.getAttribute("data-gate-mode") ?? "disable",
          hidden: el.hidden,
          visible: el.offsetParent !== null,
          ariaDisabled: el.getAttribute("aria-disabled"),
          reason: el.getAttribute("data-gate-reason"),
          described: describedBy.map((id) => document.getElementById(id)?.textContent ?? "").join(" "),
        };
      }),
    );
  }
  const keyOf = (c) => `${c.where}:${c.gate}:${c.object ?? ""}`;

  let previous = null;
  let previousUser = null;
  for (const entry of USERS) {
    await page.check(`#user-options input[value="${entry.key}"]`);
    await page.waitForFunction((key) => document.getElementById("demo").dataset.user === key, entry.key);
    const controls = await readControls();
    check(`demo[${entry.key}]: controls found`, controls.length === 3 + POSTS.length * 3 + 3, `found ${controls.length}`);
    for (const c of controls) {
      const want = expectedControl(entry.user, c.gate, c.object);
      const name = `demo[${entry.key}] ${keyOf(c)}`;
      if (want.allowed) {
        check(`${name} shown and enabled`, !c.hidden && c.visible && c.ariaDisabled === null, JSON.stringify(c));
      } else if (c.mode === "hide") {
        check(`${name} hidden`, c.hidden && !c.visible, JSON.stringify(c));
      } else {
        const d = want.decision;
        check(
          `${name} disabled with the deciding class, stage and status as reason`,
          !c.hidden && c.ariaDisabled === "true" && c.reason?.includes(String(d.status)) &&
            c.reason.includes(d.decidedBy?.source ?? d.code) && c.reason.includes(d.stage) && c.described === c.reason,
          `${JSON.stringify(c)} vs ${d.status} ${d.decidedBy?.source} ${d.stage}`,
        );
      }
    }
    if (previous) {
      // Switching users changes exactly the controls whose decision changed.
      const stateOf = (c) => (c.hidden ? "hidden" : c.ariaDisabled === "true" ? "disabled" : "enabled");
      const changed = controls.filter((c, i) => stateOf(c) !== stateOf(previous[i])).map(keyOf).sort();
      const shouldChange = controls
        .filter((c) => expectedControl(entry.user, c.gate, c.object).allowed !== expectedControl(previousUser, c.gate, c.object).allowed)
        .map(keyOf)
        .sort();
      check(`demo: switching to ${entry.key} changes exactly the controls the policy says`, same(changed, shouldChange), `${changed} vs ${shouldChange}`);
    }
    // The summary table is gate.permissionsFor per post.
    const table = await page.$$eval("#summary tbody tr", (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.classList.contains("yes"))));
    const header = await page.$$eval("#summary thead th", (ths) => ths.slice(1).map((th) => th.textContent));
    const want = POSTS.map((post) => {
      const perms = blog.permissionsFor(entry.user, "posts", post);
      return header.map((h) => perms[h]);
    });
    check(`demo[${entry.key}]: summary table = permissionsFor`, same(table, want) && same(header, Object.keys(blog.permissionsFor(entry.user, "posts", POSTS[0]))), JSON.stringify({ table, want }));
    // A draft is outside PostViewSet.get_queryset for everyone but its owner: DRF answers 404,
    // so the table must not offer `retrieve` on it.
    for (const [row, post] of POSTS.entries()) {
      if (post.published) continue;
      const owner = entry.user?.id === post.owner;
      const status = blog.check({ view: "posts", action: "retrieve", user: entry.user, object: post }).status;
      const cell = table[row]?.[header.indexOf("retrieve")];
      check(`demo[${entry.key}]: draft #${post.id} retrieve ${owner ? "✓ (owner)" : "✗ (404, outside get_queryset)"}`, owner ? cell === true && status === 200 : cell === false && status === 404, `${cell} ${status}`);
    }
    previous = controls;
    previousUser = entry.user;
  }

  // Keyboard: arrow keys move through the user switcher (a radio group) and re-gate the page.
  await page.check('#user-options input[value="anonymous"]');
  await page.focus('#user-options input[value="anonymous"]');
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.getElementById("demo").dataset.user !== "anonymous").catch(() => {});
  {
    const key = await page.evaluate(() => document.getElementById("demo").dataset.user);
    const newPost = await page.getAttribute("#new-post", "aria-disabled");
    const ann = USERS.find((u) => u.key === "ann").user;
    check("keyboard: ArrowRight in the user switcher signs in the next user", key === USERS[1].key && (newPost === null) === blog.can(ann, "posts", "create"), `${key} ${newPost}`);
  }

  // Another post on the post page: its controls follow that post's owner.
  await page.check('#user-options input[value="bob"]');
  await page.click('#post-list li[data-post="2"] button.link');
  await page.waitForSelector('#post-page[data-post="2"]');
  {
    const bob = USERS.find((u) => u.key === "bob").user;
    const controls = (await readControls()).filter((c) => c.where === "page");
    check("demo: post page shows post 2's controls", controls.length === 3 && controls.every((c) => c.object === "2"));
    for (const c of controls) {
      const want = expectedControl(bob, c.gate, c.object);
      check(`demo[bob] post page ${c.gate} on post 2`, want.allowed ? c.ariaDisabled === null && !c.hidden : c.mode === "hide" ? c.hidden : c.ariaDisabled === "true");
    }
  }

  // Keyboard: Tab from the user switcher reaches a disabled control, whose reason shows on focus.
  await page.check('#user-options input[value="bob"]');
  await page.click('#post-list li[data-post="1"] button.link');
  await page.focus('#user-options input[value="bob"]');
  let focused = null;
  for (let n = 0; n < 25; n++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el?.getAttribute("aria-disabled") === "true" ? { gate: el.getAttribute("data-gate"), object: el.getAttribute("data-gate-object"), reason: el.getAttribute("data-gate-reason") } : null;
    });
    if (focused) break;
  }
  check("keyboard: Tab reaches a disabled control", focused !== null);
  if (focused) {
    const tip = await page.$eval(".drf-gate-tooltip", (t) => ({ shown: !t.hidden && t.offsetParent !== null, text: t.textContent })).catch(() => null);
    check("keyboard: focusing a disabled control shows its reason", tip?.shown && tip.text === focused.reason, JSON.stringify(tip));
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle + " " + getComputedStyle(document.activeElement).outlineWidth);
    check("keyboard: the focused control has a visible focus outline", /^solid [1-9]/.test(outline), outline);
    const logBefore = await page.textContent("#demo-log");
    await page.keyboard.press("Enter");
    await page.keyboard.press(" ");
    check("keyboard: Enter/Space on a disabled control does nothing", (await page.textContent("#demo-log")) === logBefore);
  }
  // Hover shows the reason; a click on a disabled control is blocked, on an allowed one goes on.
  {
    const bob = USERS.find((u) => u.key === "bob").user;
    // Post 3 is published and Ann's: Bob finds it, and IsOwnerOrReadOnly denies him (403).
    const target = '#post-list li[data-post="3"] [data-gate="posts.update"]';
    await page.evaluate(() => document.activeElement?.blur());
    await page.hover(target);
    const want = expectedControl(bob, "posts.update", "3").decision;
    const tip = await page.$eval(".drf-gate-tooltip", (t) => ({ shown: !t.hidden, text: t.textContent }));
    check("hover: the tooltip names the deciding class and stage", tip.shown && tip.text.includes(want.decidedBy.source) && tip.text.includes(want.stage), tip.text);
    await page.screenshot({ path: `${artifacts}demo.png`, fullPage: true });
    const logBefore = await page.textContent("#demo-log");
    await page.click(target, { force: true });
    check("click on a disabled control is blocked", (await page.textContent("#demo-log")) === logBefore);
    await page.click('#post-list li[data-post="2"] [data-gate="posts.update"]');
    const allowedStatus = blog.check({ view: "posts", action: "update", user: bob, object: objects["2"] }).status;
    check("click on an allowed control goes on", (await page.textContent("#demo-log")).includes(`→ ${allowedStatus}`));
  }
  await axeCheck("demo, Bob, tooltip shown", "body");
  await page.check('#user-options input[value="anonymous"]');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${artifacts}demo-anonymous.png`, fullPage: true });
  await axeCheck("demo, anonymous", "body");

  // ---- The DOM helper's API on its own: a Subject, HTTP method names, unknown actions (fail
  // closed), title instead of tooltip, native disabled, update() and disconnect().
  {
    const ann = USERS.find((u) => u.key === "ann").user;
    const bob = USERS.find((u) => u.key === "bob").user;
    const html =
      '<button data-gate="posts.DELETE" data-gate-object="1" title="Delete it">Del</button>' +
      '<a href="#x" data-gate="posts.create" aria-describedby="own-help">New</a>' +
      '<input aria-label="Title" data-gate="posts.update" data-gate-object="3">' +
      '<button data-gate="posts.nope">Unknown action</button>' +
      '<button data-gate="nodot">Malformed</button>' +
      '<button data-gate="posts.destroy" data-gate-object="999">Missing object</button>';
    const result = await page.evaluate(
      async ({ html, policy, objects, ann, bob }) => {
        const { Gate } = await import("/pkg/dist/web.js");
        const { gateDom } = await import("/pkg/dist/dom.js");
        const gate = new Gate(policy);
        const box = document.createElement("div");
        box.innerHTML = html;
        document.body.append(box);
        const snap = () =>
          [...box.querySelectorAll("[data-gate]")].map((el) => ({
            hidden: el.hidden,
            disabled: el.hasAttribute("disabled"),
            ariaDisabled: el.getAttribute("aria-disabled"),
            title: el.getAttribute("title"),
            describedby: el.getAttribute("aria-describedby"),
          }));
        const before = snap();
        const subject = gate.subject(ann);
        const ui = gateDom(box, gate, subject, { objects, tooltip: false, nativeDisabled: true, user: ann });
        const asAnn = snap();
        const allowedAnn = ui.controls.map((c) => c.allowed);
        ui.update(bob);
        const asBob = snap();
        const allowedBob = ui.controls.map((c) => c.allowed);
        ui.disconnect();
        const after = snap();
        const leftovers = box.querySelectorAll(".drf-gate-reason").length;
        box.remove();
        subject.free();
        gate.free();
        return { before, asAnn, asBob, after, allowedAnn, allowedBob, leftovers };
      },
      { html, policy: blogText, objects, ann, bob },
    );
    const expect = (user) => [
      blog.can(user, "posts", "DELETE", objects["1"]),
      blog.can(user, "posts", "create"),
      blog.can(user, "posts", "update", objects["3"]),
      false,
      false,
      blog.can(user, "posts", "destroy", null),
    ];
    check("gateDom: a Subject's decisions = can()", same(result.allowedAnn, expect(ann)), JSON.stringify(result.allowedAnn));
    check("gateDom: update(user) re-decides", same(result.allowedBob, expect(bob)), JSON.stringify(result.allowedBob));
    const denied = (snap, allowed) =>
      snap.every((s, i) => (allowed[i] ? s.ariaDisabled === null : s.ariaDisabled === "true" && typeof s.title === "string" && s.title.length > 0));
    check("gateDom: denied controls get aria-disabled and a title reason (tooltip: false)", denied(result.asAnn, result.allowedAnn) && denied(result.asBob, result.allowedBob), JSON.stringify(result.asBob));
    check("gateDom: nativeDisabled sets disabled on denied form controls only", result.asBob.every((s, i) => s.disabled === (!result.allowedBob[i] && i !== 1)), JSON.stringify(result.asBob));
    check("gateDom: an existing aria-describedby is kept", result.asBob[1].describedby?.startsWith("own-help"));
    check("gateDom: disconnect() restores every attribute", same(result.after, result.before) && result.leftovers === 0, JSON.stringify(result.after));
  }

  // ---- Playground (tabs by keyboard: ArrowRight moves to it).
  await page.focus("#tab-demo");
  await page.keyboard.press("ArrowRight");
  check("tabs: ArrowRight selects the playground", await page.isVisible("#playground") && !(await page.isVisible("#demo")) && (await page.evaluate(() => document.activeElement?.id)) === "tab-playground");

  async function decisionShown() {
    await page.waitForFunction(() => document.getElementById("decision").dataset.status);
    return page.evaluate(() => ({
      status: Number(document.getElementById("decision-status")?.textContent),
      headers: Object.fromEntries([...document.querySelectorAll("#decision-headers tr")].map((tr) => [tr.querySelector("th").textContent, tr.querySelector("td").textContent])),
      body: document.querySelector("pre#decision-body")?.textContent ?? "",
      decidedBy: document.getElementById("decided-by")?.textContent,
      trace: [...document.querySelectorAll("#trace li.step")].map((li) => ({
        depth: Number(li.dataset.depth),
        label: li.querySelector(".step-label").textContent,
        result: li.querySelector(".step-result").textContent.replace("→ ", ""),
        decisive: li.classList.contains("decisive"),
      })),
      error: !document.getElementById("error").hidden,
    }));
  }
  // Wait for this preset's own texts (a file-based policy arrives by fetch): the previous preset's
  // decision may carry the same status.
  async function selectPreset(key) {
    const preset = PRESETS.find((p) => p.key === key);
    const texts = [await presetPolicyText(preset, async (url) => readFileSync(new URL(url, new URL("../../www/", import.meta.url)), "utf8")), presetContextText(preset)];
    await page.selectOption("#preset", key);
    await page.waitForFunction(
      ([k, policy, context]) =>
        document.getElementById("preset").value === k &&
        document.getElementById("policy-text").value === policy &&
        document.getElementById("context-text").value === context &&
        document.getElementById("decision").dataset.status,
      [key, ...texts],
    );
  }

  for (const preset of PRESETS) {
    await selectPreset(preset.key);
    const gate = preset.policyUrl ? blog : new Gate(preset.policy);
    const want = gate.check(preset.context);
    const shown = await decisionShown();
    check(`playground[${preset.key}]: status = package's`, shown.status === want.status, `${shown.status} vs ${want.status}`);
    check(`playground[${preset.key}]: headers = package's`, same(shown.headers, want.headers ?? {}), `${JSON.stringify(shown.headers)} vs ${JSON.stringify(want.headers)}`);
    check(`playground[${preset.key}]: body bytes = package's`, shown.body === (want.body ?? ""), `${shown.body} vs ${want.body}`);
    const wantTrace = (want.trace ?? []).map((s) => ({ depth: s.depth, label: s.label, result: String(s.result) }));
    check(`playground[${preset.key}]: trace tree = package's trace`, same(shown.trace.map(({ depth, label, result }) => ({ depth, label, result })), wantTrace), JSON.stringify(shown.trace));
    if (want.decidedBy) check(`playground[${preset.key}]: the deciding entry is marked`, shown.trace.some((s) => s.decisive && s.depth === 0));
    // The matrix for the preset's view: every cell is the package's status, for each object choice.
    for (const [objectChoice, objectFor] of Object.entries(MATRIX_OBJECTS)) {
      await page.selectOption("#matrix-object", objectChoice);
      for (const columns of ["actions", "methods"]) {
        await page.selectOption("#matrix-columns", columns);
        const cells = await page.$$eval("#matrix-table tbody tr", (rows) => rows.map((r) => [r.dataset.user, [...r.querySelectorAll("td")].map((td) => Number(td.dataset.status))]));
        const heads = await page.$$eval("#matrix-table thead th", (ths) => ths.slice(1).map((th) => th.textContent));
        const view = await page.$eval("#matrix-table", (t) => t.dataset.view);
        const wantCells = USERS.map((entry) => [
          entry.key,
          heads.map((h) => {
            const ctx = { view, user: entry.user };
            const object = objectFor(entry.user);
            if (object !== undefined) ctx.object = object;
            if (columns === "actions") ctx.action = h;
            else [ctx.detail, ctx.method] = [h.startsWith("detail"), h.split(" ")[1]];
            return gate.check(ctx).status;
          }),
        ]);
        check(`playground[${preset.key}]: matrix (${columns}, object ${objectChoice}) of ${view} = package's statuses`, view === preset.context.view && same(cells, wantCells), JSON.stringify({ cells, wantCells }));
      }
    }
    await page.selectOption("#matrix-object", "ann");
    await page.selectOption("#matrix-columns", "actions");
    if (preset.key === "token-first") {
      check("token-first preset: 401 with WWW-Authenticate: Token", shown.status === 401 && shown.headers["WWW-Authenticate"] === "Token");
      await page.screenshot({ path: `${artifacts}playground.png`, fullPage: true });
      await axeCheck("playground, token-first", "body");
    }
    if (preset.key === "session-first") check("session-first preset: 403 without WWW-Authenticate", shown.status === 403 && !("WWW-Authenticate" in shown.headers));
    if (preset.key === "blog") {
      await page.screenshot({ path: `${artifacts}playground-blog.png`, fullPage: true });
      await page.selectOption("#matrix-columns", "methods");
      await page.selectOption("#matrix-object", "own");
      await (await page.$("#matrix-table")).screenshot({ path: `${artifacts}playground-matrix.png` });
      await page.selectOption("#matrix-columns", "actions");
      await page.selectOption("#matrix-object", "ann");
    }
  }

  // The matrix's other object choices: a lookup miss is 404 on detail actions.
  await selectPreset("blog");
  await page.selectOption("#matrix-object", "missing");
  {
    const cells = await page.$$eval('#matrix-table tbody tr[data-user="ann"] td', (tds) => tds.map((td) => Number(td.dataset.status)));
    const heads = await page.$$eval("#matrix-table thead th", (ths) => ths.slice(1).map((th) => th.textContent));
    const ann = USERS.find((u) => u.key === "ann").user;
    const want = heads.map((action) => blog.check({ view: "posts", action, user: ann, object: null }).status);
    check("matrix: lookup miss gives the package's 404s", same(cells, want) && cells.includes(404), JSON.stringify({ cells, want }));
  }
  await page.selectOption("#matrix-object", "ann");

  // A syntax error inside an expression: reported at its line/column, the text line highlighted.
  {
    const policy = [
      "{",
      '  "classes": {',
      '    "IsEditor": {',
      '      "hasPermission": "request.user.is_authenticated and\\n  request.user.is_staff ==== True"',
      "    }",
      "  },",
      '  "views": { "posts": { "model": "blog.Post", "permissions": ["IsEditor"] } }',
      "}",
    ].join("\n");
    let want = null;
    try {
      new Gate(policy);
    } catch (error) {
      want = error;
    }
    check("syntax error: the package rejects the policy", want?.code === "syntax_error" && want.line === 2, `${want?.code} ${want?.line}:${want?.column}`);
    await page.fill("#policy-text", policy);
    await page.waitForSelector("#error:not([hidden])");
    const shown = await page.$eval("#error", (e) => ({ ...e.dataset, text: e.textContent }));
    check("syntax error: code, path, line and column shown", shown.code === want.code && Number(shown.line) === want.line && Number(shown.column) === want.column && shown.text.includes(want.path), JSON.stringify(shown));
    // The expression's line 2 is on text line 4; its column maps through the JSON escape.
    const wantColumn = policy.split("\n")[3].indexOf("==== True") + 2 + 1;
    check("syntax error: the text line is highlighted in the editor", Number(shown.textLine) === 4 && (await page.$eval(".editor-gutter .error", (e) => e.textContent).catch(() => null)) === "4");
    check("syntax error: the policy editor is aria-invalid", (await page.getAttribute("#policy-text", "aria-invalid")) === "true");
    check("syntax error: the message gives the text column", shown.text.includes(`line 4, column ${wantColumn}`), shown.text);
    await page.click("#error button");
    const caret = await page.$eval("#policy-text", (t) => t.selectionStart);
    const wantOffset = policy.split("\n").slice(0, 3).join("\n").length + 1 + wantColumn - 1;
    check("syntax error: 'Go to line' puts the caret on the error", caret === wantOffset, `${caret} vs ${wantOffset}`);
    await page.$eval(".toolbar", (e) => e.scrollIntoView());
    await page.screenshot({ path: `${artifacts}playground-error.png`, fullPage: false });
    await axeCheck("playground, policy error", "body");
  }
  // Invalid JSON in the policy, and an unknown view in the context.
  {
    const policy = '{\n  "views": {\n    "posts": { "model": "blog.Post", }\n  }\n}';
    let want = null;
    try {
      new Gate(policy);
    } catch (error) {
      want = error;
    }
    await page.fill("#policy-text", policy);
    await page.waitForFunction(() => document.getElementById("error").dataset.code === "invalid_json");
    const shown = await page.$eval("#error", (e) => ({ ...e.dataset }));
    check("invalid JSON: the package's line is highlighted", want?.code === "invalid_json" && Number(shown.textLine) === want.line, JSON.stringify({ shown, line: want?.line }));
    await selectPreset("token-first");
    await page.fill("#context-text", '{\n  "view": "articles",\n  "action": "list"\n}');
    await page.waitForFunction(() => document.getElementById("error").dataset.code === "unknown_view");
    const ctxErr = await page.$eval("#error", (e) => ({ ...e.dataset }));
    check("context error: unknown_view at $.view, line 2 of the context", ctxErr.kind === "context" && Number(ctxErr.textLine) === 2, JSON.stringify(ctxErr));
    await selectPreset("token-first");
    check("a preset clears the error", await page.isHidden("#error"));
  }

  // Accessibility basics: every control has a name; no positive tabindex.
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll("button, input, select, textarea, a[href]")]
      .filter((el) => {
        const name = (el.getAttribute("aria-label") ?? "") || (el.labels?.[0]?.textContent ?? "") || (el.closest("label")?.textContent ?? "") || el.textContent;
        return !name.trim();
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  check("a11y: every control has an accessible name", unnamed.length === 0, unnamed.join(" | "));
  check("a11y: no positive tabindex", (await page.$$("[tabindex]:not([tabindex='-1']):not([tabindex='0'])")).length === 0);

  check("no console errors or warnings", consoleErrors.length === 0, consoleErrors.join(" | "));
  check("no failed or off-site requests", badRequests.length === 0, badRequests.join(" | "));
  exitCode = failures.length === 0 ? 0 : 1;
} catch (error) {
  failures.push(`crashed: ${error.stack ?? error}`);
  console.error(error);
  total++;
} finally {
  await browser.close();
  server.close();
}
console.log(`browser: ${total} checks, ${passed} passed`);
process.exit(failures.length === 0 ? exitCode : 1);
