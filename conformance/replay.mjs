// Replays the cases real DRF answered through the built npm package (wasm), as a Node consumer
// imports it, and reports every disagreement. Same rules and output as conformance/replay.rs:
// resolved cases go through `gate.check(context)`, raw cases through
// `await gate.checkRequest(request, { view, action, detail, object, lookupError, now, resolvers })`
// with resolvers answering from `raw.identities` as the oracle's database did.
//
// Policies reach `new Gate()` as their original JSON text (sliced out of cases.json), so the
// package's string path is exercised and numbers such as `-0.0` survive (JSON.parse loses them).
//
// Each case is replayed along every path a user can reach through the package, one summary line
// per path: the JSON policy (Node build), the same policy compiled (`gate.toCompiled()`) and
// loaded again, the browser runtime (`drf-gate/runtime`: compiled policy, no compiler, values in
// the binary encoding), and the UI hot path (`gate.can`, twice per case so cached targets and
// subjects are replayed too) in the runtime against the Node build's `can`.
//
//   node conformance/replay.mjs conformance/out/cases.json [path/to/pkg/dist/node.mjs]
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { dirname, join, resolve } from "node:path";

const [casesPath, modulePath] = process.argv.slice(2);
if (!casesPath) {
  console.error("usage: node conformance/replay.mjs cases.json [pkg/dist/node.mjs]");
  process.exit(1);
}
const entry = modulePath
  ? pathToFileURL(resolve(modulePath)).href
  : new URL("../pkg/dist/node.mjs", import.meta.url).href;
const { Gate } = await import(entry);
const hasCheckRequest = typeof Gate.prototype.checkRequest === "function";
const hasCompiled = typeof Gate.prototype.toCompiled === "function";
// The browser runtime, instantiated from its .wasm next to the Node entry.
const dist = modulePath ? dirname(resolve(modulePath)) : new URL("../pkg/dist/", import.meta.url).pathname;
let Runtime = null;
if (existsSync(join(dist, "api-runtime.js")) && existsSync(join(dist, "drf_gate_runtime_bg.wasm"))) {
  const api = await import(pathToFileURL(join(dist, "api-runtime.js")).href);
  api.initSync({ module: readFileSync(join(dist, "drf_gate_runtime_bg.wasm")) });
  Runtime = api.Gate;
}

let text, document, policyTexts;
try {
  text = readFileSync(casesPath, "utf8");
  document = JSON.parse(text);
  policyTexts = casePolicyTexts(text);
} catch (err) {
  console.error(`conformance (wasm): cannot read ${casesPath}: ${err.message}; run conformance/run.sh`);
  process.exit(1);
}
const cases = document.cases ?? [];
if (policyTexts.length !== cases.length) {
  console.error(`conformance (wasm): found ${policyTexts.length} policy texts for ${cases.length} cases`);
  process.exit(1);
}
let agree = 0, disagree = 0, pending = 0;

// --- the raw JSON text of each case's policy -------------------------------------------------
function skipWs(s, i) {
  while (i < s.length && (s[i] === " " || s[i] === "\n" || s[i] === "\r" || s[i] === "\t")) i++;
  return i;
}
function skipString(s, i) {
  for (i++; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c === 34) return i + 1;
    i += c === 92 ? 2 : 1;
  }
  throw new Error("unterminated string");
}
function skipValue(s, i) {
  i = skipWs(s, i);
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    while (i < s.length) {
      const ch = s[i];
      if (ch === '"') {
        i = skipString(s, i);
        continue;
      }
      if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new Error("unterminated value");
  }
  while (i < s.length && !",}] \n\r\t".includes(s[i])) i++;
  return i;
}
// Calls visit(key, start, end) for each member of the object starting at s[i]; returns its end.
function members(s, i, visit) {
  i = skipWs(s, i);
  if (s[i] !== "{") throw new Error(`expected an object at ${i}`);
  i = skipWs(s, i + 1);
  if (s[i] === "}") return i + 1;
  for (;;) {
    const keyEnd = skipString(s, i);
    const key = JSON.parse(s.slice(i, keyEnd));
    i = skipWs(s, keyEnd);
    if (s[i] !== ":") throw new Error(`expected ':' at ${i}`);
    const start = skipWs(s, i + 1);
    const end = skipValue(s, start);
    visit(key, start, end);
    i = skipWs(s, end);
    if (s[i] === "}") return i + 1;
    if (s[i] !== ",") throw new Error(`expected ',' at ${i}`);
    i = skipWs(s, i + 1);
  }
}
function casePolicyTexts(s) {
  const out = [];
  members(s, 0, (key, start) => {
    if (key !== "cases") return;
    let i = skipWs(s, start + 1);
    while (s[i] !== "]") {
      let policy = null;
      i = members(s, i, (k, a, b) => {
        if (k === "policy") policy = s.slice(a, b);
      });
      out.push(policy);
      i = skipWs(s, i);
      if (s[i] === ",") i = skipWs(s, i + 1);
    }
  });
  return out;
}

// --- output ----------------------------------------------------------------------------------
const compact = (v) => (typeof v === "string" ? v : JSON.stringify(v));
const outcome = (status, body, www) => `${status} ${body} www=${www == null ? "-" : JSON.stringify(www)}`;

function contextSummary(ctx) {
  const parts = [`view=${compact(ctx.view)}`];
  for (const key of ["action", "method", "detail"]) if (key in ctx) parts.push(`${key}=${compact(ctx[key])}`);
  parts.push(ctx.user == null ? "user=anonymous" : `user=${compact(ctx.user)}`);
  if ("authentication" in ctx) parts.push(`auth=${compact(ctx.authentication)}`);
  if ("object" in ctx) parts.push(ctx.object === null ? "object=miss" : `object=${compact(ctx.object)}`);
  return parts.join(" ");
}

function requestSummary(c) {
  const r = c.raw?.request;
  if (!r) return "";
  const parts = [`${r.method} ${r.path}`];
  for (const key of ["headers", "cookies", "meta"]) {
    if (r[key] && Object.keys(r[key]).length) parts.push(`${key}=${JSON.stringify(r[key])}`);
  }
  if (r.secure) parts.push("secure");
  if (r.body) parts.push(`body(${r.contentType ?? ""})=${JSON.stringify(r.body)}`);
  return ` | request ${parts.join(" ")}`;
}

function compare(c, decision) {
  const www = decision.headers?.["WWW-Authenticate"] ?? null;
  const body = decision.body ?? ""; // an allowed decision may carry no body at all
  const e = c.expected;
  if (decision.status === e.status && body === e.body && www === e.wwwAuthenticate) return null;
  return outcome(decision.status, body, www);
}

// --- resolvers: the oracle's database, as Django's backends answer -------------------------------
// Python's int() for a claim or pk value; null where Python raises (or for None).
function pythonInt(value) {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value === "string") {
    const m = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(value);
    if (!m) return null;
    const n = Number(m[2].replaceAll("_", ""));
    return m[1] === "-" ? -n : n;
  }
  return null;
}

function headerOf(request, name) {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(request.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function resolversFor(identities) {
  const users = (identities?.users ?? []).map((u) => ({ ...u, pk: pythonInt(u.user.id) }));
  const secrets = identities?.sessionCsrfSecrets ?? {};
  const find = (match) => users.find(match)?.user ?? null;
  return {
    token: (key) => find((u) => u.tokens.includes(key)),
    // django.contrib.auth.authenticate(): ModelBackend returns None for inactive users.
    basic: (username, password) =>
      find((u) => u.user.username === username && u.password === password && u.user.isActive !== false),
    session: (sessionKey) => find((u) => u.sessions.includes(sessionKey)),
    sessionCsrfSecret: (sessionKey) => secrets[sessionKey] ?? null,
    userById: (field, id) => {
      if (field === "id" || field === "pk") {
        const wanted = pythonInt(id);
        return wanted === null ? null : find((u) => u.pk === wanted);
      }
      if (field === "username") {
        if (typeof id !== "string" && typeof id !== "number") return null;
        return find((u) => u.user.username === String(id));
      }
      return null;
    },
    remoteUser: (name) => find((u) => u.user.username === name && u.user.isActive !== false),
    // django-rest-knox: the AuthToken row with this digest and token_key (conformance/oracle/thirdparty.py).
    knoxToken: (digest, tokenKey) => {
      for (const u of users) {
        const row = (u.knoxTokens ?? []).find((t) => t.digest === digest && t.tokenKey === tokenKey);
        if (row) return { user: u.user, expiry: row.expiry };
      }
      return null;
    },
    // The harness's classes: `X-Test-User: <ClassName> <user id>`, else None.
    custom: (className, request) => {
      const value = headerOf(request, "X-Test-User");
      if (!value) return null;
      const space = value.indexOf(" ");
      const [name, uid] = space < 0 ? [value, ""] : [value.slice(0, space), value.slice(space + 1)];
      if (name !== className) return null;
      const wanted = pythonInt(uid);
      return wanted === null ? null : find((u) => u.pk === wanted);
    },
  };
}

// --- replay ----------------------------------------------------------------------------------
// path: "json" (the policy text), "compiled" (its compiled form, Node build), "runtime".
let path = "json";
const compiledCache = new Map();
function compiledPolicy(index) {
  let bytes = compiledCache.get(index);
  if (bytes === undefined) {
    const gate = new Gate(policyTexts[index]);
    try {
      bytes = gate.toCompiled();
    } finally {
      gate.free?.();
    }
    compiledCache.clear(); // cases of one policy come together: keep one
    compiledCache.set(index, bytes);
  }
  return bytes;
}

function newGate(index) {
  try {
    if (path === "json") return { gate: new Gate(policyTexts[index]) };
    const bytes = compiledPolicy(index);
    return { gate: path === "runtime" ? new Runtime(bytes) : new Gate(bytes) };
  } catch (err) {
    return { error: `policy rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}` };
  }
}

// The UI hot path: `can` in the runtime (twice: the second call hits the cached target and the
// compiled subject) agrees with the Node build's `can` on the JSON policy.
function replayCan(c, index) {
  const ctx = c.context;
  const target = ctx.action ?? ctx.method;
  if (typeof target !== "string" || ctx.authentication?.failed || ctx.lookupError) return undefined;
  const object = ctx.object ?? undefined;
  const ask = (gate, user) => {
    try {
      return String(gate.can(user, ctx.view, target, object));
    } catch (err) {
      return `error ${err.code ?? err.name}`;
    }
  };
  const full = new Gate(policyTexts[index]);
  let rt;
  try {
    rt = new Runtime(compiledPolicy(index));
  } catch (err) {
    full.free?.();
    return `policy rejected: ${err.code ?? err.name}: ${err.message}`;
  }
  try {
    const expected = ask(full, ctx.user ?? null);
    const subject = ctx.user == null ? null : rt.subject(ctx.user);
    const got = [ask(rt, ctx.user ?? null), ask(rt, ctx.user ?? null), ask(rt, subject), ask(rt, subject)];
    return got.every((answer) => answer === expected) ? null : `can: expected ${expected}, got ${got.join(" ")}`;
  } catch (err) {
    return `subject rejected: ${err.code ?? err.name}: ${err.message}`;
  } finally {
    full.free?.();
    rt.free?.();
  }
}

function replay(c, index) {
  const { gate, error } = newGate(index);
  if (error) return error;
  let decision;
  try {
    decision = gate.check(c.context);
  } catch (err) {
    return `context rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}`;
  } finally {
    gate.free?.();
  }
  return compare(c, decision);
}

async function replayRaw(c, index) {
  const { gate, error } = newGate(index);
  if (error) return error;
  const ctx = c.context;
  const options = { now: c.raw.now, resolvers: resolversFor(c.raw.identities) };
  for (const key of ["view", "action", "detail", "lookupError"]) if (key in ctx) options[key] = ctx[key];
  if ("object" in ctx) options.object = ctx.object;
  let result;
  try {
    result = await gate.checkRequest(c.raw.request, options);
  } catch (err) {
    return `request rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}`;
  } finally {
    gate.free?.();
  }
  if (result === null) return "no route (the target names the view)";
  // Headers past the servers' limits: forwarding is the one right answer (see replay.rs).
  if (result.forward?.reason === "headers-beyond-server-limits") return null;
  return compare(c, result.decision);
}

const paths = [["json", "wasm"]];
if (hasCompiled) paths.push(["compiled", "wasm, compiled policy"]);
if (hasCompiled && Runtime) paths.push(["runtime", "browser runtime"], ["can", "browser runtime, can hot path"]);
let failed = cases.length === 0;
for (const [name, label] of paths) {
  path = name;
  agree = 0;
  disagree = 0;
  pending = 0;
  for (const [index, c] of cases.entries()) {
    let got;
    if (name === "can") {
      got = c.raw != null ? undefined : replayCan(c, index);
      if (got === undefined) {
        pending += 1;
        continue;
      }
    } else if (c.raw != null) {
      if (!hasCheckRequest || !c.raw.request || name === "runtime") {
        pending += 1;
        continue;
      }
      got = await replayRaw(c, index);
    } else {
      got = replay(c, index);
    }
    if (got === null) {
      agree += 1;
    } else {
      disagree += 1;
      let policy = policyTexts[index];
      if (policy.length > 600) policy = policy.slice(0, 600) + "…";
      const e = c.expected;
      console.log(`DISAGREE [${label}] ${c.id} [${c.source}] ${contextSummary(c.context)}${requestSummary(c)} | policy ${policy} | ` +
        `expected ${outcome(e.status, e.body, e.wwwAuthenticate)} | got ${got}`);
    }
  }
  console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): ${cases.length} cases, ${agree} agree, ${disagree} disagree, ${pending} pending ` +
    `(seed ${document.seed})`);
  failed ||= disagree > 0;
}
if (!hasCheckRequest) {
  console.log("conformance (wasm): this package has no gate.checkRequest; raw cases are pending");
}
if (!hasCompiled || !Runtime) {
  console.log("conformance (wasm): this package has no compiled policies or no browser runtime; those paths did not run");
}
process.exit(failed ? 1 : 0);
