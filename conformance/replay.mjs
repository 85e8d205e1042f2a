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
// the binary encoding), the Worker build (`drf-gate/worker`: compiled policy, the edge build
// without the compiler, raw requests included), and the UI hot path (`gate.can`, memoised per subject: see replayCan) in
// the Node build and in the runtime, against `gate.check` of the same question.
//
//   node conformance/replay.mjs conformance/out/cases.json [path/to/pkg/dist/node.mjs]
//
// Given oracle/conditions.py's or oracle/negotiation.py's output instead (run.sh does both), it
// replays those cases through the package's paths (see replayConditions, replayNegotiation).
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
const hasCheckRequestSync = typeof Gate.prototype.checkRequestSync === "function";
// A request object that is not a plain record: check-request.js sends it across as JSON.
class ViaJson {}
const hasCompiled = typeof Gate.prototype.toCompiled === "function";
// drf-gate/guard next to the Node entry (it imports the package by name: the workspace link).
let createGuard = null, GUARD = null;
if (existsSync(join(modulePath ? dirname(resolve(modulePath)) : new URL("../pkg/dist/", import.meta.url).pathname, "guard.js"))) {
  GUARD = await import(pathToFileURL(join(modulePath ? dirname(resolve(modulePath)) : new URL("../pkg/dist/", import.meta.url).pathname, "guard.js")).href);
  createGuard = GUARD.createGuard;
}
// The browser runtime, instantiated from its .wasm next to the Node entry.
const dist = modulePath ? dirname(resolve(modulePath)) : new URL("../pkg/dist/", import.meta.url).pathname;
let Runtime = null;
if (existsSync(join(dist, "api-runtime.js")) && existsSync(join(dist, "drf_gate_runtime_bg.wasm"))) {
  const api = await import(pathToFileURL(join(dist, "api-runtime.js")).href);
  api.initSync({ module: readFileSync(join(dist, "drf_gate_runtime_bg.wasm")) });
  Runtime = api.Gate;
}
// The UI-gating build (`drf-gate/can`: the browser runtime without `check`), likewise: its `can`
// is replayed ("UI-gating build, can hot path") against the JSON policy's `check`.
let CanGate = null;
if (existsSync(join(dist, "api-can.js")) && existsSync(join(dist, "drf_gate_can_bg.wasm"))) {
  const api = await import(pathToFileURL(join(dist, "api-can.js")).href);
  api.initSync({ module: readFileSync(join(dist, "drf_gate_can_bg.wasm")) });
  CanGate = api.Gate;
}
// The core build (`drf-gate/web`: JSON policies in the browser, no raw requests), likewise.
let CoreGate = null;
if (existsSync(join(dist, "api-core.js")) && existsSync(join(dist, "drf_gate_core_bg.wasm"))) {
  const api = await import(pathToFileURL(join(dist, "api-core.js")).href);
  api.initSync({ module: readFileSync(join(dist, "drf_gate_core_bg.wasm")) });
  CoreGate = api.Gate;
}
// The Worker build (`drf-gate/worker`: the edge build without the policy compiler), likewise.
let WorkerGate = null;
if (existsSync(join(dist, "api-worker.js")) && existsSync(join(dist, "drf_gate_worker_bg.wasm"))) {
  const api = await import(pathToFileURL(join(dist, "api-worker.js")).href);
  api.initSync({ module: readFileSync(join(dist, "drf_gate_worker_bg.wasm")) });
  WorkerGate = api.Gate;
}

let text, document, policyTexts, identityTexts;
try {
  text = readFileSync(casesPath, "utf8");
  document = JSON.parse(text);
  [policyTexts, identityTexts] = casePolicyTexts(text);
} catch (err) {
  console.error(`conformance (wasm): cannot read ${casesPath}: ${err.message}; run conformance/run.sh`);
  process.exit(1);
}
const cases = document.cases ?? [];
if (cases[0]?.condition === undefined && cases[0]?.renderers === undefined && policyTexts.length !== cases.length) {
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
// Each case's policy text, and its raw request's identities text (read with exact integers).
function casePolicyTexts(s) {
  const out = [];
  const identities = [];
  members(s, 0, (key, start) => {
    if (key !== "cases") return;
    let i = skipWs(s, start + 1);
    while (s[i] !== "]") {
      let policy = null;
      let raw = null;
      i = members(s, i, (k, a, b) => {
        if (k === "policy") policy = s.slice(a, b);
        if (k === "raw" && s[a] === "{") {
          members(s, a, (rk, ra, rb) => {
            if (rk === "identities") raw = s.slice(ra, rb);
          });
        }
      });
      out.push(policy);
      identities.push(raw);
      i = skipWs(s, i);
      if (s[i] === ",") i = skipWs(s, i + 1);
    }
  });
  return [out, identities];
}

// JSON text with each integer beyond Number.MAX_SAFE_INTEGER as a BigInt (the database's pks,
// exactly; JSON.parse would round 2^53 + 1 to 2^53). For the oracle's own JSON (json.dumps), whose
// strings never hold a lone surrogate, the marker below.
function parseExact(text) {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (m) =>
    m[0] === '"' || !/^-?\d+$/.test(m) || Number.isSafeInteger(Number(m)) ? m : `"\\ud800${m}"`);
  return JSON.parse(marked, (_, v) =>
    typeof v === "string" && v[0] === "\ud800" && /^-?\d+$/.test(v.slice(1)) ? BigInt(v.slice(1)) : v);
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

// The middleware family (oracle/middleware.py): drf-gate left the response to the origin
// (`respond: false` where the origin's middleware changes it); counted apart, never agree.
const LEFT = Symbol("left to the server");
const middlewareFamily = document.family === "middleware";

// Every header of the origin's response (`expected.responseHeaders`, in Django's order): names
// case-insensitively, values exactly, in the same order. null when they agree.
function everyHeaderDiffers(want, headers) {
  const got = Object.entries(headers ?? {});
  const same = got.length === want.length &&
    got.every(([name, value], i) => name.toLowerCase() === want[i][0].toLowerCase() && value === want[i][1]);
  return same ? null : `headers ${JSON.stringify(got)} (expected ${JSON.stringify(want)})`;
}

function compare(c, decision) {
  const www = decision.headers?.["WWW-Authenticate"] ?? null;
  const body = decision.body ?? ""; // an allowed decision may carry no body at all
  const e = c.expected;
  if (e.responseHeaders) {
    // A preflight (200, never routed) or a denial. Forwarded: right for a preflight and where
    // drf-gate leaves the answer to the server (its 500); else DRF's own decision must agree.
    if (decision.respond === false) {
      const same = decision.status === e.status && body === e.body;
      if (e.status === 200 || (!decision.allowed && (same || decision.status === 500))) return LEFT;
      return `(forwarded) ${outcome(decision.status, body, www)}`;
    }
    if (decision.status !== e.status || body !== e.body || www !== e.wwwAuthenticate) return outcome(decision.status, body, www);
    const differs = everyHeaderDiffers(e.responseHeaders, decision.headers);
    return differs && `${outcome(decision.status, body, www)} ${differs}`;
  }
  // DRF's Content-Type, Allow and Vary on a denial the oracle recorded (none when allowed).
  const names = ["Content-Type", "Allow", "Vary"];
  const headersAgree = !e.headers || decision.allowed === true ||
    (names.every((name) => (decision.headers?.[name] ?? null) === (e.headers[name] ?? null)) &&
      headerOrderAgrees(e.headerOrder, decision.headers));
  if (decision.status === e.status && body === e.body && www === e.wwwAuthenticate && headersAgree) return null;
  if (!headersAgree) {
    const shown = (h) => names.map((name) => `${name}=${JSON.stringify(h?.[name] ?? null)}`).join(" ");
    return `${outcome(decision.status, body, www)} ${shown(decision.headers)} (expected ${shown(e.headers)})`;
  }
  return outcome(decision.status, body, www);
}

// DRF's headers in the order it sends them (`expected.headerOrder`, when the oracle recorded it).
function headerOrderAgrees(want, headers) {
  if (!want) return true;
  const named = ["Content-Type", "WWW-Authenticate", "Vary", "Allow"];
  const got = Object.keys(headers ?? {}).filter((name) => named.includes(name));
  return got.length === want.length && got.every((name, i) => name === want[i]);
}

// --- resolvers: the oracle's database, as Django's backends answer -------------------------------
// The first code point (digit zero) of each run of ten decimal digits in the oracle's Python
// 3.11 (Unicode 14): int() reads every one of them (see replay.rs).
const DECIMAL_ZEROS = [0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0];
const decimalValue = (ch) => {
  const cp = ch.codePointAt(0);
  const zero = DECIMAL_ZEROS.find((z) => cp >= z && cp < z + 10);
  return zero === undefined ? null : cp - zero;
};
// Python's str.isspace() (Unicode White_Space and \x1c-\x1f; not JS's \ufeff).
const PY_SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_INT = new RegExp(`^${PY_SPACE}*([+-]?)(\\p{Nd}+(?:_\\p{Nd}+)*)${PY_SPACE}*$`, "u");

// Python's int() for a claim or pk value, as a BigInt (exact beyond 2^53); null where Python
// raises (or for None).
function pythonInt(value) {
  if (typeof value === "bigint") return value;
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "number") return Number.isFinite(value) ? BigInt(Math.trunc(value)) : null;
  if (typeof value === "string") {
    const m = PY_INT.exec(value);
    if (!m) return null;
    const digits = [...m[2].replaceAll("_", "")].map(decimalValue);
    if (digits.includes(null)) return null;
    const n = BigInt(digits.join(""));
    return m[1] === "-" ? -n : n;
  }
  return null;
}

function headerOf(request, name) {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(request.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

// Two JSON values alike (a claim as cases.json has it, and as the package passes it: ints past
// 2^53 may arrive as BigInt).
function sameJson(a, b) {
  const text = (v) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x));
  return text(a) === text(b);
}

// With `policyText` (every other raw case), a user's attributes are left out of the record the
// resolver returns where the policy names none of them (it cannot read them: DRF's answer is the
// same), so that the record is a plain user (pkg/src/user.js plainUser) and crosses typed
// (answerUser / answerUserSync); the oracle's users all carry attributes, which cross as JSON.
function resolversFor(identities, policyText = null) {
  const plain = (user) => {
    if (policyText === null || user.attributes === null || typeof user.attributes !== "object") return user;
    if (Object.keys(user.attributes).some((name) => policyText.includes(name))) return user;
    const { attributes: _unread, ...rest } = user;
    return rest;
  };
  const users = (identities?.users ?? []).map((u) => ({ ...u, user: plain(u.user), pk: pythonInt(u.user.id) }));
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
      // The database's recorded answer for this claim, where the oracle recorded one.
      const row = (identities?.userIdLookups ?? []).find((r) => r.field === field && sameJson(r.id, id));
      if (row) return row.username === null ? null : find((u) => u.user.username === row.username);
      if (field === "id" || field === "pk") {
        const wanted = pythonInt(id);
        return wanted === null ? null : find((u) => u.pk === wanted);
      }
      if (field === "username") {
        if (typeof id !== "string" && typeof id !== "number" && typeof id !== "bigint") return null;
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
    // djangorestframework-api-key: `<model>.objects.get(prefix=...)` among the oracle's rows.
    apiKey: (model, prefix) => {
      const row = (identities?.apiKeys ?? []).find((k) => k.model === model && k.prefix === prefix);
      return row ? { hashedKey: row.hashedKey, revoked: row.revoked, expiry: row.expiry } : null;
    },
    // The harness's classes: `X-Test-User: <ClassName> <user id>`, else None.
    custom: (className, request) => {
      // `X_Test_User` is HTTP_X_TEST_USER under ASGI (and the test client), absent under WSGI:
      // a resolver reading META cannot know which, so it does not know (the package's UNKNOWN).
      if (Object.keys(request.headers ?? {}).some((k) => k.includes("_") && k.toLowerCase().replaceAll("_", "-") === "x-test-user")) return Symbol.for("drf-gate.unknown");
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
// path: "json" (the policy text), "compiled" (its compiled form, Node build), "runtime",
// "worker" (the compiled form in the Worker build: raw requests included).
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
    if (path === "json" || path === "check-memo" || path === "fetch") return { gate: new Gate(policyTexts[index]) };
    if (path === "core") return { gate: new CoreGate(policyTexts[index]) };
    const bytes = compiledPolicy(index);
    return { gate: path === "runtime" ? new Runtime(bytes) : path === "worker" ? new WorkerGate(bytes) : new Gate(bytes) };
  } catch (err) {
    return { error: `policy rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}` };
  }
}

// The case's policy without its `middleware` member (the rest as written), on this path's build.
function newBareGate(index) {
  const text = policyTexts[index];
  const kept = [];
  members(text, 0, (key, start, end) => {
    if (key !== "middleware") kept.push(`${JSON.stringify(key)}:${text.slice(start, end)}`);
  });
  const bare = `{${kept.join(",")}}`;
  try {
    if (path === "json" || path === "check-memo" || path === "fetch") return { gate: new Gate(bare) };
    const compiler = new Gate(bare);
    let bytes;
    try {
      bytes = compiler.toCompiled();
    } finally {
      compiler.free?.();
    }
    return { gate: path === "worker" ? new WorkerGate(bytes) : new Gate(bytes) };
  } catch (err) {
    return { error: `policy without its middleware rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}` };
  }
}

// `middleware-renders`: the core forwarded before authentication, the origin's middleware making
// every response to the request its own (src/middleware.rs). Where the origin answered itself
// (`expected.forward`) that is the one right answer, as any forward there. Otherwise there is
// no decision to compare: DRF's decision on the policy without its `middleware` section (a
// layer that never changes a status or a body) must have the origin's status, body and
// WWW-Authenticate, be DRF's 500, or the case be a preflight (never routed); then the request
// is left to the server, never agree. Anything else is a disagreement the forward would hide.
async function judgeMiddlewareForward(c, index) {
  const e = c.expected;
  if (e.forward) return null;
  if (e.responseHeaders && e.status === 200) return LEFT;
  const { gate, error } = newBareGate(index);
  if (error) return error;
  const ctx = c.context;
  const identities = identityTexts[index] ? parseExact(identityTexts[index]) : c.raw.identities;
  const options = { now: c.raw.now, resolvers: resolversFor(identities, index % 2 === 0 ? policyTexts[index] : null) };
  for (const key of ["view", "action", "detail", "lookupError"]) if (key in ctx) options[key] = ctx[key];
  if ("object" in ctx) options.object = ctx.object;
  let result;
  try {
    result = await gate.checkRequest(c.raw.request, options)
      .catch((err) => `request rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}`);
  } finally {
    gate.free?.();
  }
  const d = result?.decision;
  if (d) {
    const body = d.body ?? "";
    const www = d.headers?.["WWW-Authenticate"] ?? null;
    if ((d.status === e.status && body === e.body && www === e.wwwAuthenticate) || (!d.allowed && d.status === 500)) return LEFT;
    return `(forwarded: middleware-renders) DRF's decision without the middleware ${outcome(d.status, body, www)}`;
  }
  const verdict = judgeRaw(c, result);
  return verdict === null ? LEFT : verdict;
}

// The Worker build verifies HS* JWTs only: a policy with an RS*/ES* verifying key must be refused
// at load, with a settings error naming `drf-gate` (never loaded and misread). Returns null when
// the policy needs no other verifier, "refused" when the build refused it as it must, else what
// went wrong (a disagreement). The full edge paths replay those cases.
const needsFullEdge = new Map();
function workerRefusal(index) {
  let verdict = needsFullEdge.get(index);
  if (verdict !== undefined) return verdict;
  const jwt = parseExact(policyTexts[index])?.settings?.jwt;
  verdict = null;
  if (jwt && /^(RS|ES)/.test(String(jwt.algorithm ?? "")) && jwt.verifyingKey != null) {
    try {
      new WorkerGate(compiledPolicy(index)).free?.();
      verdict = `the worker build loaded a policy with a ${jwt.algorithm} key (it verifies HS* only: it must refuse it)`;
    } catch (err) {
      const clear = err.name === "PolicyError" && err.code === "invalid_settings" && err.path === "$.settings.jwt.algorithm" && /drf-gate\/worker/.test(err.message);
      verdict = clear ? "refused" : `the worker build refused a ${jwt.algorithm} key unclearly: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}`;
    }
  }
  needsFullEdge.set(index, verdict);
  return verdict;
}

// The UI hot path: `gate.can` (memoised per subject and target on the object fields the policy
// reads) in the build under test ("json": the Node build on the JSON policy; "runtime": the
// browser runtime on the compiled policy), against `gate.check` of the same question on the JSON
// policy (the whole object crosses, nothing is memoised) as the oracle. Per case one subject is
// asked, in rounds, the case's target and every action of its view, with the case's object and
// variants of it (each member changed in type or value, removed, an unread member added), so
// memo hits, misses and objects that differ only in a read or an unread field are all replayed.
const canOracleGates = new Map();
function oracleGate(index) {
  let gate = canOracleGates.get(index);
  if (gate === undefined) {
    for (const old of canOracleGates.values()) old.free?.();
    canOracleGates.clear();
    gate = new Gate(policyTexts[index]);
    canOracleGates.set(index, gate);
  }
  return gate;
}

function objectVariants(object) {
  if (object === undefined || object === null) return [undefined];
  const variants = [object, { ...object, unreadByThePolicy: 1 }];
  if (typeof object !== "object" || Array.isArray(object)) return variants;
  for (const [key, value] of Object.entries(object)) {
    const changed = [null, typeof value === "number" ? String(value) : 1, undefined, { id: value }];
    for (const next of changed) {
      const variant = { ...object };
      if (next === undefined) delete variant[key];
      else variant[key] = next;
      variants.push(variant);
    }
  }
  return variants;
}

// `can` answers by path (the target's program in JS, or wasm), and a program transform: the
// corruption check below changes one op of every program and must see the replay fail.
const DIAGNOSTICS = Symbol.for("drf-gate.canDiagnostics");
let canStats = { program: 0, wasm: 0 };
let canTransform = null;

// Changes the first op (in evaluation order; check's STEPS, 11, holds its steps in order) that
// has a twin of the same size: true/false,
// user ==/!=, a comparison's ==/!=, or a fact for its neighbour (authenticated/anonymous,
// active/staff, superuser/token user). Node layout: src/compiled/program.rs.
function corruptOne(code) {
  const out = Int32Array.from(code);
  const twins = { 0: 1, 1: 0, 9: 10, 10: 9 };
  const visit = (at) => {
    const op = out[at];
    if (op in twins) {
      out[at] = twins[op];
      return true;
    }
    if (op === 3 && out[at + 2] < 6) {
      out[at + 2] ^= 1;
      return true;
    }
    if (op === 8 && out[at + 2] <= 1) {
      out[at + 2] ^= 1;
      return true;
    }
    if (op === 4 || op === 5 || op === 11) {
      for (let i = at + 2; i < at + out[at + 1]; i += out[i + 1]) if (visit(i)) return true;
    }
    if (op === 6) return visit(at + 2);
    return false;
  };
  visit(0);
  return out;
}

// A copy of a case's user that can be changed in place (a plain JSON object), or `undefined`.
function mutableUser(user) {
  if (user === null || typeof user !== "object" || Array.isArray(user)) return undefined;
  return structuredClone(user);
}

// A custom attribute changed in place (the first one; one added when there is none).
function changeAttribute(u) {
  if (u.attributes === null || typeof u.attributes !== "object" || Array.isArray(u.attributes)) {
    u.attributes = { level: 1 };
    return;
  }
  const [name] = Object.keys(u.attributes);
  if (name === undefined) u.attributes.level = 1;
  else {
    const v = u.attributes[name];
    u.attributes[name] = typeof v === "number" ? v + 1 : typeof v === "boolean" ? !v : typeof v === "string" ? `${v}x` : 0;
  }
}

// Changes of a user in place, applied in order (each may change the answers): the snapshot kept
// per user object must see every one (pkg/src/gate.js sameUser).
const USER_CHANGES = [
  ["as is", () => {}],
  ["isStaff flipped", (u) => (u.isStaff = u.isStaff !== true)],
  ["isSuperuser flipped", (u) => (u.isSuperuser = u.isSuperuser !== true)],
  ["isStaff deleted", (u) => delete u.isStaff],
  ["isSuperuser deleted", (u) => delete u.isSuperuser],
  ["isActive flipped", (u) => (u.isActive = u.isActive === false)],
  ["id changed", (u) => (u.id = typeof u.id === "number" ? u.id + 1 : 1)],
  ["id as a string", (u) => (u.id = String(u.id))],
  ["permissions replaced", (u) => (u.permissions = Array.isArray(u.permissions) && u.permissions.length > 0 ? [] : ["blog.change_post", "blog.delete_post"])],
  ["a permission changed in place", (u) => Array.isArray(u.permissions) && u.permissions.length > 0 && (u.permissions[0] = "blog.add_post")],
  ["an attribute changed in place", changeAttribute],
  ["attributes deleted", (u) => delete u.attributes],
  ["isActive flipped back", (u) => (u.isActive = u.isActive === false)],
];

// A raw case authenticated by a stateless JWT as a resolved question: DRF's request.user is
// simplejwt's TokenUser (`tokenUser: true`, the step's user), which no resolved case has, so
// `can` meets it here (its programs: TokenUser's has_perm, __eq__, __ne__). null otherwise.
const tokenUserContexts = new Map();
function tokenUserContext(c, index) {
  if (tokenUserContexts.has(index)) return tokenUserContexts.get(index);
  let ctx = null;
  if (hasCheckRequestSync && c.raw?.request) {
    const gate = new Gate(policyTexts[index]);
    try {
      const options = { now: c.raw.now, resolvers: {} };
      for (const key of ["view", "action", "detail", "lookupError", "object"]) if (key in c.context) options[key] = c.context[key];
      const step = gate.checkRequestSync(c.raw.request, options);
      if (step?.user?.tokenUser === true) {
        ctx = { ...c.context, user: step.user };
        delete ctx.authentication;
      }
    } catch {
      ctx = null;
    } finally {
      gate.free?.();
    }
  }
  tokenUserContexts.set(index, ctx);
  return ctx;
}

function replayCan(c, index, build) {
  const ctx = c.raw == null ? c.context : tokenUserContext(c, index);
  if (ctx === null) return undefined;
  const target = ctx.action ?? ctx.method;
  if (typeof target !== "string" || ctx.authentication?.failed || ctx.lookupError) return undefined;
  // `can` takes actions and upper-case method names ("Post" is refused there as a typo,
  // docs/policy.md §4); a method as a client sent it (edge:method-case) is `check`'s to replay.
  if (ctx.action === undefined && /[a-z]/.test(target)) return undefined;
  const ask = (gate, user, name, object) => {
    try {
      return String(gate.can(user, ctx.view, name, object));
    } catch (err) {
      return `error ${err.code ?? err.name}`;
    }
  };
  const oracle = (name, object, who = ctx.user) => {
    // No authentication: a user is then authenticated by the view's first class, as `can` has it
    // (the case's own outcome may name a class other actions do not have).
    const question = { view: ctx.view, user: who ?? null };
    if (/^[A-Z]/.test(name) && !(oracleGate(index).actions(ctx.view) ?? []).includes(name)) question.method = name;
    else question.action = name;
    if (object !== undefined) question.object = object;
    try {
      return String(oracleGate(index).check(question).allowed);
    } catch (err) {
      return `error ${err.code ?? err.name}`;
    }
  };
  let gate;
  try {
    gate = build === "runtime" ? new Runtime(compiledPolicy(index)) : build === "can" ? new CanGate(compiledPolicy(index)) : new Gate(policyTexts[index]);
  } catch (err) {
    return `policy rejected: ${err.code ?? err.name}: ${err.message}`;
  }
  gate[DIAGNOSTICS]?.({ stats: canStats, transform: canTransform });
  try {
    let subject;
    try {
      subject = ctx.user == null ? null : gate.subject(ctx.user);
    } catch (err) {
      // A user the gate refuses: `can` with the plain user must refuse it alike.
      const got = ask(gate, ctx.user, target, ctx.object ?? undefined);
      const expected = oracle(target, ctx.object ?? undefined);
      return got.startsWith("error") === expected.startsWith("error") ? null : `can: expected ${expected}, got ${got}`;
    }
    // The case's target and up to three more actions of the view, on the same subject.
    const names = [target, ...(gate.actions(ctx.view) ?? []).filter((name) => name !== target).slice(0, 3)];
    const objects = objectVariants(ctx.object ?? undefined);
    const expected = new Map();
    for (const name of names) {
      for (const [i, object] of objects.entries()) expected.set(`${name} ${i}`, oracle(name, object));
    }
    // Two rounds on one subject (misses, then hits, in another order); the plain user in both
    // (its facts are kept per user key: the second round answers from them).
    for (let round = 0; round < 2; round++) {
      for (const name of round === 1 ? [...names].reverse() : names) {
        for (const [i, object] of objects.entries()) {
          const want = expected.get(`${name} ${i}`);
          const got = ask(gate, subject, name, object);
          if (got !== want) return `can(${name}, object variant ${i}, round ${round}): expected ${want}, got ${got}`;
          if (ctx.user != null) {
            const plain = ask(gate, ctx.user, name, object);
            if (plain !== want) return `can(plain user, ${name}, object variant ${i}, round ${round}): expected ${want}, got ${plain}`;
          }
        }
      }
    }
    // permissionsFor (usePermissions in drf-gate/react and /vue): every action of the view at
    // once, on the subject and the plain user, with the case's object and one variant.
    const every = gate.actions(ctx.view) ?? [];
    for (const [i, object] of objects.slice(0, 2).entries()) {
      const want = every.map((name) => expected.get(`${name} ${i}`) ?? oracle(name, object));
      for (const who of ctx.user == null ? [null] : [subject, ctx.user]) {
        let got;
        try {
          const map = gate.permissionsFor(who, ctx.view, object);
          const names = Object.keys(map);
          got = names.length === every.length && names.every((name, k) => name === every[k])
            ? every.map((name) => String(map[name]))
            : `the actions ${JSON.stringify(names)}`;
        } catch (err) {
          got = every.map(() => `error ${err.code ?? err.name}`);
        }
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          return `permissionsFor(${who === subject ? "subject" : "plain user"}, object variant ${i}): expected ${JSON.stringify(want)} for ${JSON.stringify(every)}, got ${JSON.stringify(got)}`;
        }
        canStats.permissionsFor = (canStats.permissionsFor ?? 0) + 1;
      }
    }
    // The plain user changed in place, member by member: every answer is the changed user's.
    const live = mutableUser(ctx.user);
    if (live !== undefined) {
      const object = objects[0];
      for (const [what, change] of USER_CHANGES) {
        change(live);
        const now = structuredClone(live);
        for (const name of names) {
          const want = oracle(name, object, now);
          // Twice: the second answer comes from what the first kept.
          for (let again = 0; again < 2; again++) {
            const got = ask(gate, live, name, object);
            if (got !== want) return `can(plain user changed in place: ${what}, ${name}): expected ${want}, got ${got}`;
          }
        }
      }
    }
    return null;
  } catch (err) {
    return `subject rejected: ${err.code ?? err.name}: ${err.message}`;
  } finally {
    gate.free?.();
  }
}

// `check` by steps (pkg/src/check-resolved.js `checkSteps`): `{view, action, user, object}` on one gate per
// policy (kept across its cases, so users' kept decisions meet other cases' objects), the case's
// action and up to three more of its view, each with the case's object and its variants, in two
// rounds; the oracle is the same question through the JSON path (a context that is not a plain
// object crosses as JSON text: no fast path, no memo) on its own gate of the JSON policy.
let stepsGate = null;
function replayCheckSteps(c, index) {
  let ctx = c.context;
  if (c.raw != null) {
    // A raw case's target asked for DRF's TokenUser where a stateless JWT authenticated it
    // (tokenUserContext), else for one of its identities' users (by case index), as if the
    // view's first class had authenticated them: the third-party set's contexts are all
    // anonymous, and a corrupted step shows only where a user's objects decide differently.
    const users = c.raw.identities?.users ?? [];
    const token = tokenUserContext(c, index);
    if (token !== null) ctx = token;
    else if (users.length === 0 || ctx.lookupError) return undefined;
    else ctx = { ...ctx, user: users[index % users.length].user, authentication: undefined };
  }
  // As replayCan: no authentication outcome (a given user is authenticated by the view's first
  // class), the case's action (if any) and others of its view.
  if (ctx.authentication?.failed || ctx.lookupError) return undefined;
  if (stepsGate?.text !== policyTexts[index]) {
    stepsGate?.gate?.free?.();
    try {
      stepsGate = { text: policyTexts[index], gate: new Gate(policyTexts[index]) };
    } catch (err) {
      stepsGate = null;
      return `policy rejected: ${err.code ?? err.name}: ${err.message}`;
    }
    stepsGate.gate[DIAGNOSTICS]?.({ stats: canStats, transform: canTransform });
  }
  const gate = stepsGate.gate;
  const question = (name, object) => {
    const q = { view: ctx.view, action: name };
    if (ctx.user !== undefined) q.user = ctx.user;
    if (object !== undefined) q.object = object;
    return q;
  };
  const answer = (g, q) => {
    try {
      return JSON.stringify(g.check(q));
    } catch (err) {
      return `error ${err.code ?? err.name}`;
    }
  };
  let actions;
  try {
    actions = gate.actions(ctx.view) ?? [];
  } catch {
    actions = [];
  }
  const first = typeof ctx.action === "string" ? [ctx.action] : [];
  // A raw case's identity adds one more action, not three (CI time).
  const names = [...first, ...actions.filter((name) => name !== ctx.action).slice(0, c.raw != null ? 1 : 3)];
  if (names.length === 0) return undefined;
  const objects = objectVariants(ctx.object ?? undefined);
  if (ctx.object === null) objects.push(null);
  const expected = new Map();
  for (const name of names) {
    for (const [i, object] of objects.entries()) {
      expected.set(`${name} ${i}`, answer(oracleGate(index), Object.assign(new ViaJson(), question(name, object))));
    }
  }
  for (let round = 0; round < 2; round++) {
    for (const name of round === 1 ? [...names].reverse() : names) {
      for (const [i, object] of objects.entries()) {
        const want = expected.get(`${name} ${i}`);
        const got = answer(gate, question(name, object));
        if (got !== want) return `check(${name}, object variant ${i}, round ${round}): expected ${want}, got ${got}`;
      }
    }
  }
  // The user changed in place, member by member (see USER_CHANGES).
  const live = mutableUser(ctx.user);
  if (live !== undefined) {
    const object = objects[0];
    for (const [what, change] of USER_CHANGES) {
      change(live);
      const now = structuredClone(live);
      for (const name of names) {
        const q = question(name, object);
        const want = answer(oracleGate(index), Object.assign(new ViaJson(), { ...q, user: now }));
        for (let again = 0; again < 2; again++) {
          const got = answer(gate, { ...q, user: live });
          if (got !== want) return `check(user changed in place: ${what}, ${name}): expected ${want}, got ${got}`;
        }
      }
    }
  }
  return null;
}

// `gate.check` twice on one gate: the second answer may come from check's memo (pkg/src/check-resolved.js
// memoKey), and must be the same. The "check-memo" path keeps one gate per policy across its
// cases, so a context also meets the memo entries of the cases before it (other users, objects).
let sharedGate = null;
function replay(c, index) {
  let gate, error;
  if (path === "check-memo") {
    if (sharedGate?.text !== policyTexts[index]) {
      sharedGate?.gate?.free?.();
      sharedGate = { text: policyTexts[index], ...newGate(index) };
    }
    ({ gate, error } = sharedGate);
  } else {
    ({ gate, error } = newGate(index));
  }
  if (error) return error;
  const decisions = [];
  try {
    for (let round = 0; round < 2; round++) decisions.push(gate.check(c.context));
  } catch (err) {
    return `context rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}`;
  } finally {
    if (path !== "check-memo") gate.free?.();
  }
  if (JSON.stringify(decisions[0]) !== JSON.stringify(decisions[1])) {
    return `asked again, a different decision: ${JSON.stringify(decisions[0])} then ${JSON.stringify(decisions[1])}`;
  }
  return compare(c, decisions[0]);
}

// A case whose Accept header has an RFC 2231 parameter (`name*=`, `name*0=`), where the browser
// runtime (every such parameter) and the core build (a charset it does not know) answer the
// server's 500 (src/negotiation.rs): that answer, and only that, is pending.
function leftToServerByBuild(c, index, name) {
  const accept = c.context?.accept;
  if (typeof accept !== "string" || !/;[^,]*\*\s*(?:[0-9]+\*?)?\s*=/.test(accept)) return false;
  let decision;
  try {
    const gate = name === "core" ? new CoreGate(policyTexts[index]) : new Runtime(compiledPolicy(index));
    try {
      decision = gate.check(c.context);
    } finally {
      gate.free?.();
    }
  } catch {
    return false;
  }
  return decision.status === 500 && decision.code === "server_error" && decision.respond === false;
}

// Whether the request's Authorization JWT carries a claim without an exact JSON form (an int
// outside the i64/u64 range, inf or nan): a scan of the payload's JSON text (strings skipped),
// the ints compared as BigInt.
function bearerClaimsBeyondJson(request) {
  const token = String(request?.headers?.Authorization ?? "").split(/\s+/)[1] ?? "";
  const text = Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8");
  // A lone surrogate (an escape, or bytes Python's surrogatepass reads): drf-gate keeps U+FFFD.
  if (text.includes("\ufffd") || /\\u([dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[dD])/.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      continue;
    }
    // NaN and ±Infinity (Python's json reads them), and numbers beyond the float range (1e400).
    if (/^-?(NaN|Infinity)/.test(text.slice(i, i + 9))) return true;
    const number = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 5000));
    if (!number) continue;
    if (!Number.isFinite(Number(number[0]))) return true;
    if (number[1] === undefined && number[2] === undefined) {
      const value = BigInt(number[0]);
      if (value < -(2n ** 63n) || value >= 2n ** 64n) return true;
    }
    i += number[0].length - 1;
  }
  return false;
}

// A raw case as a Fetch `Request` carrying the bytes Django saw (conformance/oracle/execute.py:
// Django's test client), or null where a Request cannot: META entries (REMOTE_USER ...), a header
// the Headers class trims or refuses, a path the URL parser normalises, a body on GET/HEAD, a
// method Fetch forbids, a cookie the test client would have quoted. The body is read through
// the Request (pkg/src/raw-request.js readBody), counted in fetchStats.
const fetchStats = { replayed: 0, bodyReads: 0 };
const COOKIE_TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~:]*$/;
function fetchRequestOf(r) {
  if (Object.keys(r.meta ?? {}).length > 0) return null;
  // SERVER_PORT other than the scheme's default: no Request carries it (the default is what a
  // Request's URL gives; the edge leaves a check that turns on it to the origin anyway).
  if (r.port != null && r.port !== (r.secure ? "443" : "80")) return null;
  const headers = new Headers();
  const seen = new Set();
  try {
    for (const [name, value] of Object.entries(r.headers ?? {})) {
      const lower = name.toLowerCase();
      if (seen.has(lower)) return null;
      seen.add(lower);
      headers.append(name, value);
      if (headers.get(name) !== value) return null;
    }
    // The test client's Cookie header: `name=value` sorted, joined with "; " (values it would
    // quote are left out: the case is not replayed here).
    const cookies = Object.entries(r.cookies ?? {});
    if (cookies.length > 0) {
      if (seen.has("cookie") || !cookies.every(([k, v]) => COOKIE_TOKEN.test(k) && COOKIE_TOKEN.test(v))) return null;
      headers.append("Cookie", cookies.map(([k, v]) => `${k}=${v}`).sort().join("; "));
    }
    if (r.body && r.contentType != null) {
      if (seen.has("content-type")) return null;
      headers.append("Content-Type", r.contentType);
      if (headers.get("Content-Type") !== r.contentType) return null;
    }
    const base = `${r.secure ? "https" : "http"}://testserver`;
    const url = new URL(r.path, base);
    if (url.origin !== base || `${url.pathname}${url.search}` !== r.path) return null;
    const method = String(r.method);
    if (r.body && /^(GET|HEAD)$/i.test(method)) return null;
    const request = new Request(url, { method, headers, body: r.body ? r.body : undefined });
    // A body read through the Request: counted (the CSRF check's body step).
    const clone = request.clone.bind(request);
    request.clone = () => {
      fetchStats.bodyReads += 1;
      return clone();
    };
    return request;
  } catch {
    return null;
  }
}

// drf-gate/guard (createGuard) on the case's Fetch Request: its resolvers are the oracle's
// database (a miss is NOT_FOUND from an authoritative store), its loadObject the case's object
// (a miss NOT_FOUND, a lookup error LOOKUP_ERROR). The gate it is given takes the case's target
// (view, action, detail) on each checkRequest and routes there: URL routing is checked apart
// (oracle/main.py --family routing). The guard's Response must be its decision (status, body,
// headers; no body for HEAD), and the decision DRF's; a forward must be one the raw replay
// accepts (judgeRaw). The database is the oracle's own, so its records are current: the Fetch
// Request path says so (`recordsCurrent: true`, every answer the edge's); the workerd path keeps
// the default (no kind current), where an answer resting on a record is forwarded
// (`record-may-be-stale`): left to the server, and the decision it held must still be DRF's.
let guardStats = { respond: 0, forward: 0, objectStage: 0, lookups: 0, reasons: {}, notComparable: 0 };

// The request as workerd hands it to a Worker: each header value's bytes decoded as UTF-8 (an
// invalid sequence becomes U+FFFD), lines with an empty value dropped. A stand-in for the Request
// (Node's Headers hold bytes only); the guard is told `headersDecodedAsUtf8`.
//
// The origin behind the Worker gets the request as the Worker forwards it, without the dropped
// lines (wasm-tests/workerd/raw-lines.sh): that is the guard's reference, and the guard decides
// on it. DRF answered the case *with* those lines, which is another request: where a case has
// a line workerd drops, its outcome is not the reference, so the case is not compared (left,
// counted apart as `not comparable`), whatever the guard did (a forward is never wrong there;
// an answer is checked against its own decision only). Every case without such a line is
// compared with DRF's answer as before.
const utf8Decoder = new TextDecoder();
const droppedByWorkerd = (request) => {
  let dropped = false;
  request.headers.forEach((value) => {
    if (value === "") dropped = true;
  });
  return dropped;
};
function asWorkerdSees(request) {
  // An empty `Host:` line is workerd's own 400: no Worker sees the request.
  if (request.headers.get("host") === "") return null;
  const seen = [];
  request.headers.forEach((value, name) => {
    if (value === "") return;
    seen.push([name, utf8Decoder.decode(Uint8Array.from(value, (ch) => ch.charCodeAt(0)))]);
  });
  const headers = {
    forEach: (fn) => seen.forEach(([name, value]) => fn(value, name)),
    get: (name) => seen.find(([n]) => n === name.toLowerCase())?.[1] ?? null,
  };
  return { method: request.method, url: request.url, headers, body: request.body, clone: () => request.clone() };
}

// Whitespace Python's str.strip() removes and HTTP's does not, at an end of a header value:
// runserver strips it, other servers keep it; the package leaves such a request to the origin
// (pkg/src/raw-request.js). Checked here on the case's own headers.
function pythonSpaceAtAnEnd(c) {
  const r = c.raw.request;
  const values = [...Object.values(r.headers ?? {}), ...(r.body && r.contentType != null ? [r.contentType] : [])];
  return values.some((v) => typeof v === "string" && /^[\x0b\x0c\x1c-\x1f\x85\xa0]|[\x0b\x0c\x1c-\x1f\x85\xa0]$/.test(v));
}

// The origin behind a Worker answers the request as forwardTo sends it (the edge's reference):
// the headers `Connection` names dropped, X-Forwarded-Proto and -Host set from the URL (the host
// the origin reads). Where that differs from the case's request (which DRF answered), the guard
// leaves the request to the origin (`changed-on-forward`); checked here from the request itself.
const HOP_BY_HOP_NAMES = new Set(["connection", "keep-alive", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "expect",
  "proxy-connection", "proxy-authenticate", "proxy-authorization", "host", "content-length"]);
function changedOnForward(request) {
  const url = new URL(request.url);
  const get = (name) => request.headers.get(name);
  const named = (get("connection") ?? "").split(",").map((n) => n.trim().toLowerCase()).filter(Boolean);
  if (named.some((n) => !HOP_BY_HOP_NAMES.has(n) && get(n) !== null)) return true;
  const differs = (value, want) => value !== null && value !== want;
  return differs(get("host"), url.host) || differs(get("x-forwarded-proto"), url.protocol.slice(0, -1));
}

async function replayGuard(c, index, request, workerd = false) {
  const notComparable = workerd && droppedByWorkerd(request);
  if (workerd) request = asWorkerdSees(request);
  if (request === null) return LEFT;
  const { gate, error } = newGate(index);
  if (error) return error;
  const ctx = c.context;
  const target = {};
  for (const key of ["view", "action", "detail"]) if (key in ctx) target[key] = ctx[key];
  const routed = {
    route: () => ({ view: ctx.view, action: ctx.action ?? null, params: {} }),
    checkRequest: (raw, options) => gate.checkRequest(raw, { ...options, ...target }),
  };
  const database = resolversFor(identityTexts[index] ? parseExact(identityTexts[index]) : c.raw.identities, index % 2 === 0 ? policyTexts[index] : null);
  const resolvers = {};
  for (const [kind, fn] of Object.entries(database)) {
    resolvers[kind] = (...args) => {
      guardStats.lookups += 1;
      const value = fn(...args);
      return value === null ? GUARD.NOT_FOUND : value;
    };
  }
  const logged = [];
  let result;
  try {
    const guard = createGuard({
      gate: routed, resolvers, now: c.raw.now, authoritative: true, log: (reason, message) => logged.push(`${reason}: ${message}`),
      headersDecodedAsUtf8: workerd, ...(workerd ? {} : { recordsCurrent: true }),
      loadObject: () => {
        guardStats.objectStage += 1;
        if (ctx.lookupError) return GUARD.LOOKUP_ERROR;
        if (!("object" in ctx)) return undefined;
        return ctx.object === null ? GUARD.NOT_FOUND : ctx.object;
      },
    });
    result = await guard(request, {}, {});
  } finally {
    gate.free?.();
  }
  if (result.reason === "guard-error") return `guard error: ${logged.join("; ")}`;
  if (result.action === "forward" && result.reason === "changed-on-forward") {
    return changedOnForward(request) ? LEFT : `forwarded (changed-on-forward) where forwardTo would send the case's headers`;
  }
  if (result.reason === "origin-renders" && result.decision === null && pythonSpaceAtAnEnd(c)) return LEFT;
  if (result.action === "respond") {
    guardStats.respond += 1;
    const d = result.decision;
    const { response } = result;
    const text = await response.text();
    const head = String(c.raw.request.method).toUpperCase() === "HEAD";
    if (response.status !== d.status || text !== (head ? "" : d.body)) {
      return `guard's Response ${response.status} ${JSON.stringify(text)} is not its decision ${d.status} ${JSON.stringify(d.body)}`;
    }
    const names = Object.keys(d.headers ?? {});
    const wrong = names.filter((name) => response.headers.get(name) !== d.headers[name]);
    if (wrong.length > 0 || [...response.headers.keys()].length !== names.length) {
      return `guard's Response headers ${JSON.stringify([...response.headers])} are not its decision's ${JSON.stringify(d.headers)}`;
    }
    if (notComparable) {
      guardStats.notComparable += 1;
      return LEFT;
    }
    return judgeRaw(c, { decision: d });
  }
  guardStats.forward += 1;
  guardStats.reasons[result.reason] = (guardStats.reasons[result.reason] ?? 0) + 1;
  if (notComparable) {
    guardStats.notComparable += 1;
    return LEFT;
  }
  if (result.reason === "middleware-renders") return judgeMiddlewareForward(c, index);
  if (workerd && result.reason === "record-may-be-stale") {
    if (!result.decision?.respond || !(result.records?.length > 0)) return `record-may-be-stale without the answer it held: ${JSON.stringify(result)}`;
    const verdict = judgeRaw(c, { decision: result.decision });
    return verdict === null ? LEFT : verdict;
  }
  if (result.reason === "origin-renders" && result.decision?.status === 500 && serverPortUnstated(c)) return LEFT;
  // workerd: header bytes lost (not UTF-8): the origin decides.
  if (workerd && result.reason === "origin-renders" && result.decision === null) return LEFT;
  if (result.reason === "joined-header" && Object.values(c.raw.request.headers ?? {}).some((v) => v.includes(", "))) return LEFT;
  // The object stage without an object in the case (DRF did not reach get_object()).
  if (result.reason === "object-pending" && !("object" in ctx) && !ctx.lookupError) return LEFT;
  if (result.decision && (result.reason === "allowed" || result.reason === "origin-renders")) return judgeRaw(c, { decision: result.decision });
  return judgeRaw(c, { forward: { reason: result.reason, lookup: result.lookup } });
}

async function replayRaw(c, index, fetchRequest = undefined) {
  const { gate, error } = newGate(index);
  if (error) return error;
  const ctx = c.context;
  const identities = identityTexts[index] ? parseExact(identityTexts[index]) : c.raw.identities;
  const options = { now: c.raw.now, resolvers: resolversFor(identities, index % 2 === 0 ? policyTexts[index] : null) };
  for (const key of ["view", "action", "detail", "lookupError"]) if (key in ctx) options[key] = ctx[key];
  if ("object" in ctx) options.object = ctx.object;
  // The target's `trace` and `format` (typed crossings of their own) on some cases: a trace
  // changes no outcome, and `format` given as the URL's one plain `?format=` value is DRF's.
  if (index % 2 === 1) options.trace = true;
  const where = c.raw.request.url ?? c.raw.request.path;
  const query = typeof where === "string" && !where.includes("#") ? where.split("?").slice(1).join("?") : "";
  const formats = query.split("&").filter((pair) => pair.startsWith("format="));
  if (index % 3 !== 0 && formats.length === 1 && /^format=[A-Za-z0-9._-]*$/.test(formats[0])) options.format = formats[0].slice(7);
  // Every crossing of a raw request: checkRequest with the request typed (a plain object) and
  // as JSON (check-request.js sends anything that is not a plain record as JSON), and checkRequestSync
  // (typed; its own stack of pending requests). All must answer alike.
  const rejected = (err) => `request rejected: ${err.code ?? err.name} ${err.path ?? ""}: ${err.message}`;
  const viaJson = (request) => (request && typeof request === "object" ? Object.assign(new ViaJson(), request) : request);
  let result, json, sync;
  // The "fetch" path: the same request as a Fetch `Request` (pkg/src/raw-request.js reads it; the
  // body only when the core asks), through checkRequest alone.
  if (fetchRequest !== undefined) {
    try {
      result = await gate.checkRequest(fetchRequest, options).catch(rejected);
    } finally {
      gate.free?.();
    }
    // Headers joins repeated lines with ", " as Django's servers join them with ",": a value the
    // decision reads that holds ", " may be two lines, so the origin decides (left, not agree).
    if (result?.forward?.reason === "joined-header" && Object.values(c.raw.request.headers ?? {}).some((v) => v.includes(", "))) return LEFT;
    if (result?.decision?.respond === false && result.decision.status === 500 && serverPortUnstated(c)) return LEFT;
    // Whitespace only some of Django's servers strip: checkRequest leaves the request (null).
    if (result === null && pythonSpaceAtAnEnd(c)) return LEFT;
    if (result?.forward?.reason === "middleware-renders") return judgeMiddlewareForward(c, index);
    return judgeRaw(c, result);
  }
  try {
    result = await gate.checkRequest(c.raw.request, options).catch(rejected);
    json = await gate.checkRequest(viaJson(c.raw.request), options).catch(rejected);
    if (hasCheckRequestSync) {
      try {
        sync = gate.checkRequestSync(c.raw.request, options);
      } catch (err) {
        sync = rejected(err);
      }
    }
  } finally {
    gate.free?.();
  }
  if (show(json) !== show(result)) return `typed and JSON crossings differ: ${show(result)} vs ${show(json)}`;
  // checkRequestSync returns a body step (it reads no body); anything else must be the same.
  if (hasCheckRequestSync && !sync?.body && show(sync) !== show(result)) {
    return `checkRequestSync and checkRequest differ: ${show(sync)} vs ${show(result)}`;
  }
  if (result?.forward?.reason === "middleware-renders") return judgeMiddlewareForward(c, index);
  return judgeRaw(c, result);
}

// A secure request under a CSRF cookie domain, replayed as a Fetch `Request`: it cannot state
// SERVER_PORT, so where the Referer check turns on it the edge leaves the request to the origin
// (its 500, `respond: false`; src/authentication/csrf.rs): left to the server, not agree.
function serverPortUnstated(c) {
  const settings = c.policy?.settings ?? {};
  const csrf = settings.csrf ?? {};
  const domain = csrf.useSessions ? settings.session?.cookieDomain : csrf.cookieDomain;
  return domain != null && c.raw?.request?.secure === true;
}

// Steps compared as JSON, a BigInt (a stateless user's id beyond 2^53) as its digits and `n`.
const show = (v) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x));

// A raw case's checkRequest result against what DRF answered: null when they agree.
function judgeRaw(c, result) {
  if (typeof result === "string") return result;
  if (result === null) return "no route (the target names the view)";
  // Django itself answered (its 400 page for a query string past DATA_UPLOAD_MAX_NUMBER_FIELDS):
  // only the origin can send that, so the edge must forward (see replay.rs).
  if (c.expected.forward) {
    if (result.forward || result.decision?.respond === false) return null;
    return `answered ${result.decision?.status} ${result.decision?.body} where the origin answers (${c.expected.forward}): must forward`;
  }
  // Headers past the servers' limits: forwarding is the one right answer (see replay.rs).
  if (result.forward?.reason === "headers-beyond-server-limits") return null;
  // An API key row with a legacy hash: the origin checks it and re-hashes the row (see replay.rs).
  if (result.forward?.reason === "api-key-legacy-hash") return null;
  // A header the decision reads, also spelt with '_' for '-': WSGI drops it, ASGI keeps it (see replay.rs).
  const underscored = Object.keys(c.raw.request.headers ?? {}).some((k) => k.includes("_"));
  if (underscored && (result.forward?.reason === "ambiguous-header-name" || (result.forward?.reason === "unknown-lookup" && result.forward.lookup?.kind === "custom"))) return null;
  // A JWT whose user id (or, stateless, any claim) is an int beyond i64/u64 (see replay.rs).
  if (result.forward?.reason === "unknown-lookup" && result.forward.lookup?.kind === "userById" && bearerClaimsBeyondJson(c.raw.request)) return null;
  if (!result.decision) return `forwarded (${show(result.forward)}) where DRF answered ${c.expected.status}`;
  return compare(c, result.decision);
}

// --- conformance/oracle/conditions.py's cases through the package ------------------------------
// A `hasObjectPermission` condition over a JSON object against CPython's eval (see replay.rs
// `conditions`), along every package path: the context as JSON text (exact: -0.0 and ints
// beyond 2^64 as written) in the Node build on the JSON and the compiled policy; the context as
// JS values (JSON.parse with exact BigInts: what a JS caller holds) through the typed paths of
// the Node build and the browser runtime; and `can` (the JS programs, then wasm) in both. A JS
// value cannot tell an integral float from an int (`1.0`, `-0.0`): where Python answers the two
// differently (`jsOutcome`), the JS paths must leave the case to the server. Counted apart: left
// to the server (an `Undecidable here` error, or `can` on a case its path left), refused by the
// compiler (the policy; the exporter leaves such a class to the origin).
async function replayConditions() {
  const label = process.env.DRF_GATE_LABEL ?? "conformance";
  const conditionPaths = [["text", "conditions, wasm"], ["text-compiled", "conditions, wasm, compiled policy"],
    ["typed", "conditions, wasm, typed values"], ["can", "conditions, wasm, can hot path"]];
  if (CoreGate) conditionPaths.push(["core", "conditions, core build"]);
  if (hasCompiled && Runtime) conditionPaths.push(["runtime", "conditions, browser runtime"], ["can-runtime", "conditions, browser runtime, can hot path"]);
  if (hasCompiled && Runtime && CanGate) conditionPaths.push(["can-ui", "conditions, UI-gating build, can hot path"]);
  // A decision as the oracle's outcome; "left" where drf-gate leaves it to the server.
  const classify = (d) => {
    if (d.allowed) return "allow";
    if (d.status === 500 && /Undecidable here/.test(d.error ?? "")) return "left";
    if (d.status === 403) return "deny";
    if (d.status === 500) return "error";
    return `${d.status} ${d.body}`;
  };
  let failed = cases.length === 0;
  for (const [name, pathLabel] of conditionPaths) {
    let agree = 0, disagree = 0, left = 0, refused = 0;
    let bytesOf = null;
    for (const c of cases) {
      const js = name !== "text" && name !== "text-compiled";
      const want = js && c.jsOutcome !== undefined ? "left" : c.outcome;
      let gate, oracleGate, checkGate;
      try {
        gate = name === "core" ? new CoreGate(c.policy) : new Gate(c.policy);
      } catch (err) {
        refused += 1;
        continue;
      }
      let got;
      try {
        const context = parseExact(c.context);
        // The UI-gating build has no `check`: the browser runtime's on the same bytes stands in.
        if (name === "text-compiled" || name === "runtime" || name === "can-runtime" || name === "can-ui") {
          bytesOf = gate.toCompiled();
          oracleGate = gate;
          gate = name === "text-compiled" ? new Gate(bytesOf) : new Runtime(bytesOf);
          if (name === "can-ui") {
            checkGate = gate;
            gate = new CanGate(bytesOf);
          }
        }
        if (name === "text" || name === "text-compiled") got = classify(gate.check(c.context));
        else if (name === "typed" || name === "runtime" || name === "core") got = classify(gate.check(context));
        else {
          // `can` answers a boolean: what `check` of the same values on this build says, where
          // that is an answer (DRF's allow or deny); a case the build leaves is left.
          // A BigInt (an id beyond 2^53) included: the Node build's `can` crosses it encoded.
          const checked = classify((checkGate ?? gate).check(context));
          const answer = gate.can(context.user, context.view, context.action, context.object);
          if (checked === "left") got = answer === false ? "left" : `can ${answer} where check leaves it`;
          else got = answer === (checked === "allow") ? checked : `can ${answer}, check ${checked}`;
        }
      } catch (err) {
        got = `rejected: ${err.code ?? err.name}: ${err.message}`;
      } finally {
        gate.free?.();
        oracleGate?.free?.();
        checkGate?.free?.();
      }
      if (got === "left") left += 1;
      else if (got === want) agree += 1;
      else {
        disagree += 1;
        console.log(`DISAGREE [${pathLabel}] condition ${c.condition} | context ${c.context.slice(0, 400)} | ` +
          `Python ${c.outcome}${c.jsOutcome !== undefined ? ` (JS values: ${c.jsOutcome})` : ""}, drf-gate ${got}`);
      }
    }
    console.log(`${label} (${pathLabel}): ${cases.length} cases, ${agree} agree, ${disagree} disagree, ${left} left to the server, ` +
      `${refused} refused by the compiler (seed ${document.seed})`);
    failed ||= disagree > 0;
  }
  return failed;
}
if (cases[0]?.condition !== undefined) process.exit((await replayConditions()) ? 1 : 0);

// --- conformance/oracle/negotiation.py's cases through the package -----------------------------
// DRF's DefaultContentNegotiation on an Accept header (and `?format=`) against the package: a
// policy with the case's renderers and one view that denies an anonymous request (so the body
// shows the negotiated indent), asked through `check` with `accept` (the Node build, JSON text
// and typed; the browser runtime, typed) and, for every case, as a raw request through
// `checkRequestSync` (the Node build; `?format=` reaches only that path). Outcomes as
// oracle/negotiation.py names them; `500` where DRF raised or server processes disagree
// (`ambiguous`). A path's own 500 elsewhere is the server's to answer: left to the server, never
// agree (the browser runtime leaves RFC 2231 parameters, the core an unknown charset).
function replayNegotiation() {
  const label = process.env.DRF_GATE_LABEL ?? "conformance";
  const classify = (d) => {
    if (d === null) return "no route";
    if (d.status === 500) return "500";
    if (d.status === 406 || d.status === 404) return String(d.status);
    if (d.allowed) return `allowed ${d.status}`;
    if (d.respond === false) return "other";
    const indent = /^\{\n( *)"/.exec(d.body ?? "");
    return indent === null ? "json" : `json:${indent[1].length}`;
  };
  const negotiationPaths = [["text", "negotiation, wasm"], ["typed", "negotiation, wasm, typed"]];
  if (hasCheckRequestSync) negotiationPaths.push(["raw", "negotiation, wasm, raw request"]);
  if (CoreGate) negotiationPaths.push(["core", "negotiation, core build"]);
  if (hasCompiled && Runtime) negotiationPaths.push(["runtime", "negotiation, browser runtime"]);
  let failed = cases.length === 0;
  const gates = new Map();
  for (const [name, pathLabel] of negotiationPaths) {
    let agree = 0, disagree = 0, left = 0, pending = 0;
    for (const c of cases) {
      // `?format=` is not a context member: only the raw request carries it.
      if (name !== "raw" && c.format !== null) {
        pending += 1;
        continue;
      }
      const key = `${name} ${c.renderers.join(",")}`;
      let gate = gates.get(key);
      if (gate === undefined) {
        const policy = JSON.stringify({ authentication: [], permissions: ["IsAuthenticated"], renderers: c.renderers, views: { v: {} } });
        gate = name === "runtime" ? new Runtime(new Gate(policy).toCompiled()) : name === "core" ? new CoreGate(policy) : new Gate(policy);
        gates.set(key, gate);
      }
      const context = { view: "v", action: "list" };
      if (c.accept !== null) context.accept = c.accept;
      let got;
      try {
        if (name === "text") got = classify(gate.check(JSON.stringify(context)));
        else if (name === "typed" || name === "runtime" || name === "core") got = classify(gate.check(context));
        else {
          const request = { method: "GET", path: c.format === null ? "/v/" : `/v/?format=${encodeURIComponent(c.format)}`, headers: {} };
          if (c.accept !== null) request.headers.Accept = c.accept;
          const result = gate.checkRequestSync(request, { view: "v", action: "list", resolvers: {} });
          got = result?.forward ? `forward ${result.forward.reason}` : classify(result?.decision ?? null);
        }
      } catch (err) {
        got = `rejected: ${err.code ?? err.name}: ${err.message}`;
      }
      const want = c.outcome === "ambiguous" ? "500" : c.outcome;
      if (got === want) agree += 1;
      else if (got === "500" || got.startsWith("forward ")) left += 1;
      else {
        disagree += 1;
        console.log(`DISAGREE [${pathLabel}] renderers=${c.renderers.join(",")} accept=${JSON.stringify(c.accept)} ` +
          `format=${JSON.stringify(c.format)}: DRF ${c.outcome}, drf-gate ${got}`);
      }
    }
    console.log(`${label} (${pathLabel}): ${cases.length} cases, ${agree} agree, ${disagree} disagree, ${left} left to the server, ` +
      `${pending} pending (seed ${document.seed})`);
    failed ||= disagree > 0;
  }
  for (const gate of gates.values()) gate.free?.();
  return failed;
}
if (cases[0]?.renderers !== undefined) process.exit(replayNegotiation() ? 1 : 0);

const paths = [["json", "wasm"]];
// The middleware family's cases are all raw requests: only the raw-request paths meet them.
if (!middlewareFamily) paths.push(["check-memo", "wasm, check memo across cases"]);
if (hasCompiled) paths.push(["compiled", "wasm, compiled policy"]);
if (hasCompiled && WorkerGate) paths.push(["worker", "worker build, compiled policy"]);
// Raw requests as a Worker (or a Node server) hands them over: Fetch `Request`s, to checkRequest
// and to drf-gate/guard.
if (hasCheckRequest && typeof Request === "function") paths.push(["fetch", "wasm, Fetch Request"]);
if (hasCheckRequest && typeof Request === "function" && createGuard) {
  paths.push(["guard", "drf-gate/guard, Fetch Request"], ["guard-workerd", "drf-gate/guard, workerd's headers"]);
}
if (!middlewareFamily) {
  if (CoreGate) paths.push(["core", "core build"]);
  paths.push(["can-json", "wasm, can hot path"]);
  paths.push(["check-steps", "wasm, check by steps"]);
  if (hasCompiled && Runtime) paths.push(["runtime", "browser runtime"], ["can-runtime", "browser runtime, can hot path"]);
  if (hasCompiled && CanGate) paths.push(["can-ui", "UI-gating build (drf-gate/can), can hot path"]);
  // Last: the hot path with one op of every program corrupted must disagree (the replay can fail).
  paths.push(["can-corrupt", "wasm, can hot path, one program op corrupted"]);
  paths.push(["check-corrupt", "wasm, check by steps, one program op corrupted"]);
}
let failed = cases.length === 0;
let left = 0;
// DRF_GATE_PATHS=fetch,worker: only those paths (while working on one).
const onlyPaths = process.env.DRF_GATE_PATHS?.split(",");
for (const [name, label] of paths) {
  if (onlyPaths && !onlyPaths.includes(name)) continue;
  path = name;
  agree = 0;
  disagree = 0;
  pending = 0;
  left = 0;
  canStats = { program: 0, wasm: 0, check: 0 };
  guardStats = { respond: 0, forward: 0, objectStage: 0, lookups: 0, reasons: {}, notComparable: 0 };
  canTransform = name === "can-corrupt" || name === "check-corrupt" ? corruptOne : null;
  stepsGate?.gate?.free?.();
  stepsGate = null;
  if (name === "can-corrupt" || name === "check-corrupt") {
    let caught = -1;
    for (const [index, c] of cases.entries()) {
      const got = name === "check-corrupt" ? replayCheckSteps(c, index) : c.raw != null ? undefined : replayCan(c, index, "json");
      if (got !== undefined && got !== null) {
        caught = index;
        break;
      }
    }
    if (caught >= 0) {
      console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): caught at case ${caught + 1} of ${cases.length}, as it must be`);
    } else {
      console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): NOT caught: every case agreed with a corrupted program`);
      failed = true;
    }
    continue;
  }
  let refusedByBuild = 0;
  for (const [index, c] of cases.entries()) {
    let got;
    const refusal = name === "worker" ? workerRefusal(index) : null;
    if (refusal === "refused") {
      refusedByBuild += 1;
      continue;
    }
    if (refusal !== null) {
      got = refusal;
    } else if (name === "check-steps") {
      got = replayCheckSteps(c, index);
      if (got === undefined) {
        pending += 1;
        continue;
      }
    } else if (name.startsWith("can-")) {
      got = replayCan(c, index, name === "can-runtime" ? "runtime" : name === "can-ui" ? "can" : "json");
      if (got === undefined) {
        pending += 1;
        continue;
      }
    } else if (name === "fetch" || name === "guard" || name === "guard-workerd") {
      const request = c.raw?.request ? fetchRequestOf(c.raw.request) : null;
      if (request === null) {
        pending += 1;
        continue;
      }
      if (name === "fetch") fetchStats.replayed += 1;
      got = name === "fetch" ? await replayRaw(c, index, request) : await replayGuard(c, index, request, name === "guard-workerd");
    } else if (c.raw != null) {
      if (!hasCheckRequest || !c.raw.request || name === "runtime" || name === "check-memo" || name === "core") {
        pending += 1;
        continue;
      }
      got = await replayRaw(c, index);
    } else if (name === "runtime" && c.context?.apiKeys !== undefined) {
      // The browser runtime's typed check does not take `apiKeys` (docs/policy.md §1.3.1).
      pending += 1;
      continue;
    } else {
      got = replay(c, index);
      // The browser runtime leaves RFC 2231 Accept parameters (and charsets it does not know) to
      // the server: its 500 "the server decides" there is pending, not agree, and only there.
      if (got !== null && (name === "runtime" || name === "core") && leftToServerByBuild(c, index, name)) {
        pending += 1;
        continue;
      }
    }
    if (got === null) {
      agree += 1;
    } else if (got === LEFT) {
      left += 1;
    } else {
      disagree += 1;
      let policy = policyTexts[index];
      if (policy.length > 600) policy = policy.slice(0, 600) + "…";
      const e = c.expected;
      console.log(`DISAGREE [${label}] ${c.id} [${c.source}] ${contextSummary(c.context)}${requestSummary(c)} | policy ${policy} | ` +
        `expected ${outcome(e.status, e.body, e.wwwAuthenticate)} | got ${got}`);
    }
  }
  const refusedText = name === "worker" ? `, ${refusedByBuild} refused by the build (RS/ES keys: HS* only)` : "";
  const counted = middlewareFamily ? `${left} left to the server` : `${pending} pending`;
  console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): ${cases.length} cases, ${agree} agree, ${disagree} disagree, ${counted}${refusedText} ` +
    `(seed ${document.seed})`);
  if (middlewareFamily && pending > 0 && !["fetch", "guard", "guard-workerd"].includes(name)) {
    console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): ${pending} cases not replayed on this path`);
    failed = true;
  }
  if (name.startsWith("can-")) {
    console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): can answered ${canStats.program} times by programs, ${canStats.wasm} times by wasm; ` +
      `plain users' facts made ${canStats.jsFacts ?? 0} times in JS (plainUserFacts), ${canStats.coreFacts ?? 0} times by the core; ` +
      `permissionsFor asked ${canStats.permissionsFor ?? 0} times`);
  }
  if (name === "guard" || name === "guard-workerd") {
    console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): responded ${guardStats.respond}, forwarded ${guardStats.forward} ` +
      `(${Object.entries(guardStats.reasons).map(([k, v]) => `${k} ${v}`).join(", ")}); the object stage ran ${guardStats.objectStage} times, the resolvers ${guardStats.lookups} times; ${left} left to the server` +
      (name === "guard-workerd" ? ` (${guardStats.notComparable} not comparable: a line workerd drops, which DRF answered with)` : ""));
  }
  if (name === "fetch") {
    console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): ${fetchStats.replayed} raw requests crossed as a Fetch Request ` +
      `(pending: the resolved cases, and raw ones a Request cannot carry exactly: META, a header it trims or refuses, a path it normalises); ` +
      `the body read on request ${fetchStats.bodyReads} times; ${left} left to the server (a value holding ", ": maybe joined lines)`);
  }
  if (name === "check-steps") {
    console.log(`${process.env.DRF_GATE_LABEL ?? "conformance"} (${label}): check answered ${canStats.check} times from decisions kept by step`);
  }
  failed ||= disagree > 0;
}
if (!hasCheckRequest) {
  console.log("conformance (wasm): this package has no gate.checkRequest; raw cases are pending");
}
if (!hasCompiled || !Runtime) {
  console.log("conformance (wasm): this package has no compiled policies or no browser runtime; those paths did not run");
}
process.exit(failed ? 1 : 0);
