// The field scenario: the sample DRF server and the blog Worker (real workerd, Miniflare's real
// KV storage) both running, while the data changes under them as an application changes it.
//
// - Data changes (tokens created and deleted, users deactivated and re-activated, passwords
//   changed, group and user permissions and object ownership/visibility granted and revoked,
//   sessions created and flushed, users created and deleted) are made by another Django process
//   (drf/field_changes.py); the drfgate app's model signals push each one to the Worker's sync
//   endpoint as it commits (python/drfgate/sync.py). Nothing is copied by hand.
// - After each change, requests go straight to DRF and through the Worker. The server rolls
//   every request back (drf/field_settings.py), so both meet the same database.
// - Also: CORS preflights and cross-origin requests, large multipart and JSON bodies, oversized
//   JWTs; and faults: the origin stopped and restarted, the origin slow, Workers KV failing and
//   slow.
//
// Judging: an answer the edge gives itself must equal DRF's (status, body, every header but
// Date and Server); a forwarded one must have DRF's status (and body, for 4xx); with the origin
// down, forwards must end in a reverse proxy's 502/504 with a small JSON body. Anything else,
// and any 5xx carrying internals, is wrong.
//
// Prints `field: N requests, N identical, N forwarded, N wrong`; exit 1 on any wrong.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

import * as esbuild from "esbuild";
import { Log, LogLevel, Miniflare } from "miniflare";
import { Agent, fetch } from "undici";

import { workerOptions } from "../../examples/blog/worker/miniflare.mjs";
import { freePort, here, serverDir } from "./drf.mjs";
import { ORIGINS } from "./requests.mjs";

const scratch = join(here, ".scratch", "field");
const log = (...args) => console.error("[field]", ...args);
const agent = new Agent({ pipelining: 0, headersTimeout: 30_000, bodyTimeout: 30_000 });
// Not compared: the date, the server software, the Worker's explanation, and hop-by-hop
// headers (RFC 9110 §7.6.1), which every proxy replaces.
const NOT_COMPARED = new Set(["date", "server", "x-drf-gate", "connection", "keep-alive", "transfer-encoding"]);

// ---- the two servers ---------------------------------------------------------------------------

function python() {
  return execFileSync("bash", [join(serverDir, "setup.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

async function waitFor(url, child, stderr) {
  for (let i = 0; ; i++) {
    if (child && child.exitCode !== null) throw new Error(`exited:\n${stderr()}`);
    try {
      const response = await fetch(url, { dispatcher: agent });
      await response.arrayBuffer();
      return;
    } catch {
      if (i > 400) throw new Error(`${url} did not come up:\n${stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function startOrigin({ py, env, port }) {
  const child = spawn(py, ["manage.py", "runserver", `127.0.0.1:${port}`, "--noreload", "--nothreading"], {
    cwd: serverDir,
    env: { ...env, DJANGO_SETTINGS_MODULE: "field_settings", PYTHONPATH: join(here, "drf") },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    ready: () => waitFor(`${url}/api/health/`, child, () => stderr),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", resolve);
      child.kill("SIGTERM");
    }),
  };
}

/** drf/field_changes.py: one JSON command per line, committed in its own process. */
function startChanger({ py, env }) {
  const child = spawn(py, [join(here, "drf", "field_changes.py")], {
    cwd: serverDir,
    env: { ...env, DJANGO_SETTINGS_MODULE: "blogsite.settings", PYTHONPATH: serverDir },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (line) => waiting.shift()?.(JSON.parse(line)));
  return {
    async run(command) {
      const answer = await new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(JSON.stringify(command) + "\n");
      });
      if (!answer.ok) throw new Error(`change ${JSON.stringify(command)} failed: ${answer.error}\n${stderr}`);
      return answer.result;
    },
    stop: () => child.kill("SIGTERM"),
  };
}

// ---- requests and judging -----------------------------------------------------------------------

async function snapshot(response) {
  const headers = {};
  response.headers.forEach((value, name) => {
    if (!NOT_COMPARED.has(name)) headers[name] = value;
  });
  return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()), gate: response.headers.get("x-drf-gate") };
}

// Compression is the HTTP server's business, not DRF's: workerd's server gzips a Worker's
// response for a client that accepts it, runserver never does. The comparison asks both sides
// for the identity encoding (unless a request names its own), so Content-Encoding and
// Content-Length are compared as the application sent them.
function identityEncoding(headers) {
  const own = headers && Object.keys(headers).some((name) => name.toLowerCase() === "accept-encoding");
  return own ? headers : { ...(headers || {}), "accept-encoding": "identity" };
}

async function send(base, request) {
  const response = await fetch(base + request.path, {
    method: request.method, headers: identityEncoding(request.headers), body: request.body, redirect: "manual", dispatcher: agent,
  });
  return snapshot(response);
}

// DRF's @api_view orders Allow by the server's hash seed (see run.mjs).
const methodSet = (allow) => (allow ?? "").split(", ").sort().join(", ");

function differences(want, got, path) {
  const found = [];
  if (want.status !== got.status) found.push(`status ${want.status} != ${got.status}`);
  if (!want.body.equals(got.body)) found.push(`body ${JSON.stringify(want.body.toString().slice(0, 200))} != ${JSON.stringify(got.body.toString().slice(0, 200))}`);
  for (const name of new Set([...Object.keys(want.headers), ...Object.keys(got.headers)])) {
    if (want.headers[name] === got.headers[name]) continue;
    if (name === "allow" && path.startsWith("/api/health/") && methodSet(want.headers[name]) === methodSet(got.headers[name])) continue;
    found.push(`${name}: ${want.headers[name]} != ${got.headers[name]}`);
  }
  return found;
}

const INTERNALS = /Traceback|File "|at .*\.js:\d+|node_modules|\/work\/|Error:/;

/** "identical" | "forwarded" | a text saying what is wrong. */
function judge(direct, via, { originDown = false, path = "" } = {}) {
  const gate = via.gate ?? "";
  const text = via.body.toString();
  if (via.status >= 500 && INTERNALS.test(text)) return `a ${via.status} carrying internals: ${text.slice(0, 200)}`;
  if (gate === "respond") {
    const diff = differences(direct, via, path);
    return diff.length ? `answered at the edge, differs from the origin: ${diff.join("; ")}` : "identical";
  }
  if (!gate.startsWith("forward")) return `no X-DRF-Gate (workerd answered ${via.status}: ${text.slice(0, 120)})`;
  if (originDown) {
    if ((via.status === 502 || via.status === 504) && text.length < 200) return "forwarded";
    return `origin down: the Worker answered ${via.status} ${text.slice(0, 120)}`;
  }
  if (direct.status !== via.status) return `forwarded (${gate}), the origin answered ${via.status} through the Worker, ${direct.status} directly`;
  // DRF's own answers (JSON) must come through unchanged. Django's HTML error pages (DEBUG's
  // 400/404 pages) echo the request as the origin saw it, and a proxied request legitimately
  // arrives with X-Forwarded-* and the Worker's host: those bodies are not compared.
  const json = String(direct.headers["content-type"] ?? "").startsWith("application/json");
  if (direct.status >= 400 && direct.status < 500 && json && !direct.body.equals(via.body)) {
    return `forwarded (${gate}), bodies differ: ${direct.body.toString().slice(0, 120)} != ${text.slice(0, 120)}`;
  }
  return "forwarded";
}

// ---- the scenario ---------------------------------------------------------------------------

const USERS = ["admin", "alice", "bob", "carol", "dave", "ghost"];

function requestsFor(state, { routes, who = USERS, methods = ["GET", "POST", "PATCH", "DELETE"] } = {}) {
  const list = [];
  const credentials = [["anonymous", {}]];
  for (const user of who) {
    const c = state.credentials[user];
    if (!c) continue;
    if (c.token) credentials.push([`${user} Token`, { authorization: `Token ${c.token}` }]);
    if (c.jwt) credentials.push([`${user} JWT`, { authorization: `Bearer ${c.jwt}` }]);
    if (c.session) credentials.push([`${user} session`, { cookie: `sessionid=${c.session}` }]);
  }
  for (const old of state.revoked) credentials.push([`revoked ${old.label}`, old.headers]);
  for (const [label, headers] of credentials) {
    for (const path of routes) {
      for (const method of methods) {
        const withBody = method === "POST" || method === "PATCH";
        list.push({
          label: `${label}: ${method} ${path}`, method, path,
          headers: withBody ? { ...headers, "content-type": "application/json" } : headers,
          body: withBody ? JSON.stringify({ title: "field", body: "x", name: "field", post: 1 }) : undefined,
        });
      }
    }
  }
  return list;
}

async function main() {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const py = python();
  const db = join(scratch, "blog.sqlite3");
  const slowFile = join(scratch, "slow");
  const secret = randomBytes(24).toString("hex");
  const baseEnv = { ...process.env, BLOG_DB_PATH: db, PYTHONDONTWRITEBYTECODE: "1", FIELD_SLOW_FILE: slowFile, FIELD_SLOW_SECONDS: "0.6" };
  const manage = (...args) => execFileSync(py, ["manage.py", ...args], { cwd: serverDir, env: baseEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  log("fresh database: migrate, seed_blog");
  manage("migrate", "--verbosity", "0");
  manage("seed_blog");
  manage("drfgate_export", "--include-secrets", "--output", join(scratch, "policy-secrets.json"));
  const secrets = JSON.parse(readFileSync(join(scratch, "policy-secrets.json"), "utf8"));
  const signingKey = secrets.settings.jwt.signingKey;

  // The Worker first (the origin's pushes need its URL), then the origin it forwards to.
  const originPort = await freePort();
  const originUrl = `http://127.0.0.1:${originPort}`;
  // One location, kept in step by the origin's pushes (pending marks while a change commits):
  // the records are current here, and this run holds the edge to that (EDGE_RECORDS_CURRENT).
  // Misses stay "not known here" (the sample's EDGE_STORE_AUTHORITATIVE default).
  // FIELD_RECORDS_CURRENT=false runs wrangler.toml's deployed setting instead.
  const options = await workerOptions({
    esbuild, outDir: join(scratch, "worker"), origin: originUrl, signingKey, objects: true, explain: true,
    nodePaths: [join(here, "..", "..", "node_modules")], entry: join(here, "workers", "field.js"),
    recordsCurrent: process.env.FIELD_RECORDS_CURRENT !== "false",
  });
  options.bindings.DRFGATE_SYNC_SECRET = secret;
  const mf = new Miniflare({ ...options, cf: false, host: "127.0.0.1", port: await freePort(), log: new Log(LogLevel.NONE) });
  const workerUrl = (await mf.ready).href.replace(/\/$/, "");
  const syncEnv = { ...baseEnv, DRFGATE_SYNC_URL: `${workerUrl}/__drfgate/sync`, DRFGATE_SYNC_SECRET: secret };

  // The full re-sync fills the Worker's store; from here on, signals keep it in step.
  log(`Worker at ${workerUrl}; drfgate_sync (full re-sync)`);
  execFileSync(py, ["manage.py", "drfgate_sync"], { cwd: serverDir, env: syncEnv, stdio: ["ignore", "ignore", "inherit"] });
  let origin = startOrigin({ py, env: baseEnv, port: originPort });
  await origin.ready();
  const changer = startChanger({ py, env: syncEnv });

  const counts = { requests: 0, identical: 0, forwarded: 0, wrong: 0 };
  const wrongs = [];
  const perPhase = {};
  const reasons = {};
  let changes = 0;

  async function compare(phase, requests, { originDown = false, directAnswers = null } = {}) {
    const c = (perPhase[phase] ??= { requests: 0, identical: 0, forwarded: 0, wrong: 0 });
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < requests.length) {
        const i = next++;
        const request = requests[i];
        const direct = directAnswers ? directAnswers[i] : await send(originUrl, request);
        let via;
        try {
          via = await send(workerUrl, request);
        } catch (error) {
          via = { status: 0, headers: {}, body: Buffer.from(String(error)), gate: null };
        }
        const verdict = judge(direct, via, { originDown, path: request.path });
        const reason = /reason=([a-z-]+)/.exec(via.gate ?? "")?.[1] ?? (via.gate ? "respond" : "none");
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        counts.requests++;
        c.requests++;
        if (verdict === "identical" || verdict === "forwarded") {
          counts[verdict]++;
          c[verdict]++;
        } else {
          counts.wrong++;
          c.wrong++;
          wrongs.push(`${phase}: ${request.label}: ${verdict}`);
          if (c.wrong <= 3) log(`  WRONG ${phase}: ${request.label}: ${verdict.slice(0, 300)}`);
        }
      }
    }));
    log(`${phase}: ${c.requests} requests, ${c.identical} identical, ${c.forwarded} forwarded, ${c.wrong} wrong`);
  }

  const state = { credentials: await changer.run({ op: "credentials" }), revoked: [] };
  for (const user of USERS) state.credentials[user].session = await changer.run({ op: "login", user });
  changes += USERS.length;
  const change = async (label, command) => {
    const result = await changer.run(command);
    changes++;
    log(`change ${changes}: ${label}`);
    return result;
  };
  const ROUTES = ["/api/posts/", "/api/posts/1/", "/api/posts/2/", "/api/posts/3/", "/api/posts/3/publish/", "/api/comments/1/", "/api/me/", "/api/reports/posts/"];
  // After a change: the routes its data decides, read and written.
  const CHANGED = ["/api/posts/", "/api/posts/2/", "/api/posts/3/", "/api/posts/3/publish/", "/api/me/"];
  const after = (phase, options) => compare(phase, requestsFor(state, { routes: CHANGED, methods: ["GET", "POST", "DELETE"], ...options }));

  let kvReads = null;
  try {
    await compare("start", requestsFor(state, { routes: ROUTES }));

    // Tokens.
    await change("user erin created", { op: "user_create", user: "erin" });
    state.credentials.erin = { token: null, jwt: await changer.run({ op: "jwt", user: "erin" }) };
    state.credentials.erin.token = await change("token created for erin", { op: "token_create", user: "erin" });
    await after("token created", { who: ["erin", "bob"] });
    state.revoked.push({ label: "bob Token", headers: { authorization: `Token ${state.credentials.bob.token}` } });
    await change("bob's token deleted", { op: "token_delete", user: "bob" });
    state.credentials.bob.token = null;
    await after("token deleted", { who: ["bob"] });
    state.credentials.bob.token = await change("bob's token re-created", { op: "token_create", user: "bob" });
    await after("token re-created", { who: ["bob"] });

    // Deactivation.
    await change("alice deactivated", { op: "set", user: "alice", field: "is_active", value: false });
    await after("alice inactive", { who: ["alice"] });
    await change("alice re-activated", { op: "set", user: "alice", field: "is_active", value: true });
    await after("alice active again", { who: ["alice"] });

    // Password change: the session hash changes, every session of dave's is logged out.
    state.revoked.push({ label: "dave session", headers: { cookie: `sessionid=${state.credentials.dave.session}` } });
    await change("dave's password changed", { op: "set_password", user: "dave", password: "another-password" });
    state.credentials.dave.session = null;
    await after("password changed", { who: ["dave"] });
    state.credentials.dave.session = await change("dave logs in again", { op: "login", user: "dave" });
    await after("dave logged in", { who: ["dave"] });

    // Groups and model permissions.
    await change("dave joins moderators", { op: "group", user: "dave", group: "moderators", grant: true });
    await after("group granted", { who: ["dave"], routes: ["/api/comments/", "/api/comments/1/", "/api/reports/posts/", "/api/reports/posts/1/"] });
    await change("dave leaves moderators", { op: "group", user: "dave", group: "moderators", grant: false });
    await after("group revoked", { who: ["dave"], routes: ["/api/comments/", "/api/comments/1/", "/api/reports/posts/"] });
    await change("moderators may no longer add comments", { op: "group_perm", group: "moderators", perm: "blog.add_comment", grant: false });
    await after("group permission revoked", { who: ["carol"], routes: ["/api/comments/", "/api/comments/1/"] });
    await change("moderators may add comments again", { op: "group_perm", group: "moderators", perm: "blog.add_comment", grant: true });
    await after("group permission granted", { who: ["carol"], routes: ["/api/comments/", "/api/comments/1/"] });
    await change("bob may view posts (reports)", { op: "user_perm", user: "bob", perm: "blog.view_post", grant: true });
    await after("user permission granted", { who: ["bob"], routes: ["/api/reports/posts/", "/api/reports/posts/2/"] });
    await change("bob may no longer view posts", { op: "user_perm", user: "bob", perm: "blog.view_post", grant: false });
    await after("user permission revoked", { who: ["bob"], routes: ["/api/reports/posts/", "/api/reports/posts/2/"] });

    // Objects: visibility (get_queryset) and ownership (has_object_permission).
    await change("alice publishes her draft", { op: "post", pk: 2, fields: { published: true } });
    await after("draft published", { who: ["bob", "alice"] });
    await change("alice unpublishes it", { op: "post", pk: 2, fields: { published: false } });
    await after("draft unpublished", { who: ["bob", "alice"] });
    await change("post 3 given to alice", { op: "post", pk: 3, fields: { owner: "alice" } });
    await after("owner changed", { who: ["bob", "alice"] });
    await change("post 3 back to bob", { op: "post", pk: 3, fields: { owner: "bob" } });
    await after("owner restored", { who: ["bob", "alice"] });
    const created = await change("bob writes post", { op: "post_create", owner: "bob" });
    await compare("post created", requestsFor(state, { who: ["bob", "alice"], routes: [`/api/posts/${created}/`] }));
    await change("the new post deleted", { op: "post_delete", pk: created });
    await compare("post deleted", requestsFor(state, { who: ["bob", "alice"], routes: [`/api/posts/${created}/`] }));

    // Attributes permissions read (IsVerifiedUser: email_verified).
    await change("dave verifies his e-mail", { op: "set", user: "dave", field: "email_verified", value: true });
    await after("dave verified", { who: ["dave"], routes: ["/api/posts/", "/api/posts/1/publish/"] });
    await change("dave unverified", { op: "set", user: "dave", field: "email_verified", value: false });
    await after("dave unverified", { who: ["dave"], routes: ["/api/posts/", "/api/posts/1/publish/"] });
    await change("bob made staff", { op: "set", user: "bob", field: "is_staff", value: true });
    await after("bob staff", { who: ["bob"], routes: ["/api/posts/1/publish/", "/api/tags/", "/api/tags/1/", "/api/reports/posts/"] });
    await change("bob no longer staff", { op: "set", user: "bob", field: "is_staff", value: false });
    await after("bob not staff", { who: ["bob"], routes: ["/api/posts/1/publish/", "/api/tags/", "/api/tags/1/"] });

    // Sessions: flushed (logout) and the user deleted.
    state.revoked.push({ label: "carol session", headers: { cookie: `sessionid=${state.credentials.carol.session}` } });
    await change("carol logs out (session flushed)", { op: "flush", session: state.credentials.carol.session });
    state.credentials.carol.session = null;
    await after("session flushed", { who: ["carol"] });
    state.revoked.push({ label: "erin Token", headers: { authorization: `Token ${state.credentials.erin.token}` } });
    state.revoked.push({ label: "erin JWT", headers: { authorization: `Bearer ${state.credentials.erin.jwt}` } });
    await change("erin deleted", { op: "user_delete", user: "erin" });
    delete state.credentials.erin;
    await after("user deleted", { who: [] });

    // CORS: preflights and cross-origin requests from allowed and refused origins.
    const cors = [];
    for (const origin of ORIGINS) {
      for (const path of ["/api/posts/", "/api/posts/1/", "/api/me/", "/api/nope/", "/static/x.css"]) {
        cors.push({ label: `preflight from ${origin}: ${path}`, method: "OPTIONS", path, headers: { origin, "access-control-request-method": "PATCH" } });
        cors.push({ label: `cross-origin GET from ${origin}: ${path}`, method: "GET", path, headers: { origin } });
        cors.push({ label: `cross-origin POST from ${origin}: ${path}`, method: "POST", path, headers: { origin, authorization: `Token ${state.credentials.dave.token}`, "content-type": "application/json" }, body: "{}" });
      }
    }
    await compare("cors", cors);

    // Bodies: large multipart (with csrfmiddlewaretoken) and JSON, by session and by token.
    const boundary = "----field" + randomBytes(8).toString("hex");
    const big = "x".repeat(3 * 1024 * 1024);
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\nnotatoken\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${big}\r\n--${boundary}--\r\n`;
    const bodies = [];
    for (const [who, headers] of [["alice session", { cookie: `sessionid=${state.credentials.alice.session}` }], ["alice Token", { authorization: `Token ${state.credentials.alice.token}` }], ["anonymous", {}]]) {
      for (const path of ["/api/posts/", "/api/posts/1/", "/api/me/"]) {
        bodies.push({ label: `${who}: 3 MiB multipart POST ${path}`, method: "POST", path, headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}` }, body: multipart });
        bodies.push({ label: `${who}: 3 MiB JSON PATCH ${path}`, method: "PATCH", path, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ title: big }) });
      }
    }
    await compare("bodies", bodies);

    // Oversized JWTs (simplejwt accepts any size).
    const jwts = [];
    for (const pad of [9000, 20000]) {
      for (const user of ["alice", "dave", "ghost"]) {
        const token = await changer.run({ op: "jwt", user, pad });
        for (const [method, path] of [["GET", "/api/me/"], ["POST", "/api/posts/"], ["DELETE", "/api/posts/1/"], ["GET", "/api/posts/2/"]]) {
          jwts.push({ label: `${user} JWT of ${pad} bytes: ${method} ${path}`, method, path, headers: { authorization: `Bearer ${token}` } });
        }
      }
    }
    await compare("oversized JWTs", jwts);

    // Faults. The store failing, then slow: the Worker must still agree with the origin.
    const faultSet = requestsFor(state, { routes: ["/api/posts/", "/api/posts/1/", "/api/me/"], methods: ["GET", "DELETE"] });
    await fetch(`${workerUrl}/__field/fault?mode=fail`, { dispatcher: agent }).then((r) => r.text());
    await compare("store failing", faultSet);
    await fetch(`${workerUrl}/__field/fault?mode=slow`, { dispatcher: agent }).then((r) => r.text());
    await compare("store slow", faultSet.slice(0, 24));
    await fetch(`${workerUrl}/__field/fault?mode=none`, { dispatcher: agent }).then((r) => r.text());

    // The origin slow.
    writeFileSync(slowFile, "");
    await compare("origin slow", faultSet.slice(0, 12));
    rmSync(slowFile, { force: true });

    // The origin stopped: edge answers stay the origin's (asked just before it stopped);
    // forwards end in a proxy's 502/504.
    const downSet = requestsFor(state, { routes: ["/api/posts/", "/api/posts/1/", "/api/me/"], methods: ["GET", "POST", "DELETE"] });
    const before = [];
    for (const request of downSet) before.push(await send(originUrl, request));
    await origin.stop();
    await compare("origin stopped", downSet, { originDown: true, directAnswers: before });
    origin = startOrigin({ py, env: baseEnv, port: originPort });
    await origin.ready();
    await compare("origin restarted", downSet);
    kvReads = await fetch(`${workerUrl}/__field/reads`, { dispatcher: agent }).then((r) => r.text());
  } finally {
    changer.stop();
    await origin.stop();
    await mf.dispose();
  }

  writeFileSync(join(scratch, "wrong.txt"), wrongs.join("\n") + "\n");
  for (const line of wrongs.slice(0, 30)) console.log(`WRONG ${line}`);
  if (wrongs.length > 30) console.log(`... ${wrongs.length - 30} more in .scratch/field/wrong.txt`);
  console.log(`field data changes: ${changes} (pushed by the origin's model signals)`);
  console.log(`field: the Worker's answers: ${Object.entries(reasons).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ")}; KV reads ${kvReads}`);
  console.log(`field: ${counts.requests} requests, ${counts.identical} identical, ${counts.forwarded} forwarded, ${counts.wrong} wrong`);
  const enough = counts.requests >= 500 && changes >= 20;
  if (!enough) console.log(`field: too small a scenario (${counts.requests} requests, ${changes} changes)`);
  process.exitCode = counts.wrong === 0 && enough ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
