// Raw HTTP/1.1 header lines at the real edge, against real Django: each case is sent as bytes on
// a socket (empty lines, repeated lines, obs-fold, whitespace, `_` in names, latin-1 bytes, lines
// near the servers' limits) to
//   1. the sample DRF server directly (what Django makes of the client's bytes),
//   2. a Worker that forwards every request as the blog Worker forwards (workers/forward-all.js:
//      forwardTo with the blog's options): the origin's answer to the request *as the Worker
//      forwards it* (the edge's reference), and the header lines workerd gave the Worker,
//   3. the blog Worker (examples/blog/worker: the guard, KV filled from the database, objects).
// The server logs the WSGI environ's HTTP_* keys of every request it gets (drf/rawlines.py), so
// each case records what reached Django directly and on forward.
//
// Judging: where the blog Worker answers itself (X-DRF-Gate: respond), its answer must be the
// origin's answer to the forwarded request (status, body, every header but Date, Server and
// hop-by-hop ones); where it forwards, the origin answered. Anything else is a mismatch.
//
// Prints one line per case (`RAWLINE {json}`, with RAWLINES_VERBOSE=1) and
// `raw lines: N cases, N answered (identical), N forwarded, N refused by workerd, N mismatched`;
// exit 1 on a mismatch. Needs the built package (bash scripts/build.sh).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";

import * as esbuild from "esbuild";
import { Log, LogLevel, Miniflare } from "miniflare";
import { mintCsrfToken } from "drf-gate";

import { fillKv, workerOptions } from "../../examples/blog/worker/miniflare.mjs";
import { freePort, here, startDrf } from "./drf.mjs";

const scratch = join(here, ".scratch", "raw-lines");
const nodePaths = [join(here, "..", "..", "node_modules")];
const log = (...args) => console.error("[raw-lines]", ...args);
const VERBOSE = process.env.RAWLINES_VERBOSE === "1";
const NOT_COMPARED = new Set(["date", "server", "x-drf-gate", "x-raw-seen", "connection", "keep-alive", "transfer-encoding"]);

// ---- raw HTTP/1.1 -------------------------------------------------------------------------------

function dechunk(buffer) {
  const parts = [];
  let at = 0;
  for (;;) {
    const end = buffer.indexOf("\r\n", at);
    if (end < 0) break;
    const size = parseInt(buffer.subarray(at, end).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(buffer.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The answer in `raw` once it is complete (by Content-Length, the last chunk, or the close). */
function parseAnswer(raw, closed) {
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0) return closed ? { status: 0, headers: {}, body: raw } : null;
  const head = raw.subarray(0, split).toString("latin1").split("\r\n");
  let payload = raw.subarray(split + 4);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "")?.[1] ?? 0);
  const headers = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    if (!closed && payload.indexOf("\r\n0\r\n\r\n") < 0 && !payload.subarray(0, 5).equals(Buffer.from("0\r\n\r\n"))) return null;
    payload = dechunk(payload);
  } else if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    if (!closed && payload.length < length) return null;
    payload = payload.subarray(0, length);
  } else if (!closed && !(status === 204 || status === 304)) {
    return null;
  }
  return { status, headers, body: payload };
}

/** Sends the request line, `lines` (latin-1) and `body`; resolves to the parsed answer. */
function sendRaw(port, { method, path, lines, body }) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let raw = Buffer.alloc(0);
    let done = false;
    const finish = (closed) => {
      if (done) return;
      const answer = parseAnswer(raw, closed);
      if (answer === null) return;
      done = true;
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(30_000, () => socket.destroy(new Error("timed out")));
    socket.on("data", (c) => {
      raw = Buffer.concat([raw, c]);
      finish(false);
    });
    socket.on("error", (error) => (raw.length ? finish(true) : reject(error)));
    socket.on("close", () => finish(true));
    const bodyBytes = body === undefined ? null : Buffer.from(body, "latin1");
    const framing = bodyBytes ? [`Content-Length: ${bodyBytes.length}`] : [];
    const head = [`${method} ${path} HTTP/1.1`, ...lines, ...framing, "Connection: close", "", ""].join("\r\n");
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), bodyBytes ?? Buffer.alloc(0)]));
  });
}

// ---- what reached Django ------------------------------------------------------------------------

let logFile;
let logOffset = 0;
/** The environ lines the server logged since the last call. */
function takeLogged() {
  if (!existsSync(logFile)) return [];
  const text = readFileSync(logFile, "utf8");
  const fresh = text.slice(logOffset);
  logOffset = text.length;
  return fresh.split("\n").filter(Boolean).map((line) => JSON.parse(line).environ);
}

// ---- the cases ----------------------------------------------------------------------------------

function cases(drf) {
  const c = drf.kv.credentials;
  const { token: csrf, secret } = mintCsrfToken();
  const host = "Host: localhost";
  // What clients send (an empty `Accept:` line workerd drops is absent at the origin too).
  const accept = "Accept: */*";
  const json = ["Content-Type: application/json"];
  const post = (label, lines, path = "/api/posts/") => ({ label, method: "POST", path, lines: [host, accept, ...lines], body: '{"title":"raw","body":"x"}' });
  const del = (label, lines, path = "/api/posts/1/") => ({ label, method: "DELETE", path, lines: [host, accept, ...lines] });
  const get = (label, lines, path = "/api/me/") => ({ label, method: "GET", path, lines: [host, accept, ...lines] });
  const bob = `Token ${c.bob.token}`;
  const alice = `Token ${c.alice.token}`;
  const aliceSession = `sessionid=${c.alice.session}`;
  const list = [
    // Authorization: empty lines before/after, repeated, whitespace, fold, bytes beyond ASCII.
    del("Authorization: empty line, then bob's token", ["Authorization:", `Authorization: ${bob}`]),
    del("Authorization: bob's token, then an empty line", [`Authorization: ${bob}`, "Authorization:"]),
    del("Authorization: two empty lines", ["Authorization:", "Authorization:"]),
    del("Authorization: twice (invalid, then bob's)", ["Authorization: Token nope", `Authorization: ${bob}`]),
    del("Authorization: bob's token padded with spaces and a tab", [`Authorization:   ${bob}  \t`]),
    del("Authorization: tab before bob's token", [`Authorization:\t${bob}`]),
    del("Authorization: bob's token and a form feed", [`Authorization: ${bob}\x0c`]),
    del("Authorization: bob's token and a vertical tab", [`Authorization: ${bob}\x0b`]),
    del("Authorization: bob's token and \\x1f", [`Authorization: ${bob}\x1f`]),
    del("Authorization: \\x1c before bob's token", [`Authorization: \x1c${bob}`]),
    del("Authorization: bob's token and NUL", [`Authorization: ${bob}\x00`]),
    del("Authorization: obs-fold (Token / key)", ["Authorization: Token", ` ${c.bob.token}`]),
    del("Authorization: obs-fold (empty, then the value)", ["Authorization:", ` ${bob}`]),
    del("Authorization: latin-1 byte", ["Authorization: Token caf\xe9"]),
    del("Authorization: UTF-8 bytes", ["Authorization: Token caf\xc3\xa9"]),
    del("Authorization: bob's token and a latin-1 NBSP", [`Authorization: ${bob}\xa0`]),
    del("Authorization: bob's token and a latin-1 NEL", [`Authorization: ${bob}\x85`]),
    del("Authorization: invalid token, empty line first", ["Authorization:", "Authorization: Token nope"]),
    del("Authorization_: name with _ (Authorization spelt with _? no: a different header)", [`X_Authorization: ${bob}`]),
    // Cookie.
    del("Cookie: empty line, then alice's session", ["Cookie:", `Cookie: ${aliceSession}`]),
    del("Cookie: alice's session, then an empty line", [`Cookie: ${aliceSession}`, "Cookie:"]),
    del("Cookie: theme first, then alice's session on a second line", ["Cookie: theme=dark", `Cookie: ${aliceSession}`]),
    del("Cookie: alice's session after another pair, padded", [`Cookie:  theme=dark; ${aliceSession}  `]),
    del("Cookie: obs-fold", ["Cookie: theme=dark;", ` ${aliceSession}`]),
    del("Cookie: latin-1 byte in another cookie", [`Cookie: theme=caf\xe9; ${aliceSession}`]),
    del("Cookie: alice's session and a form feed", [`Cookie: theme=dark; ${aliceSession}\x0c`]),
    // Session + CSRF: X-CSRFToken lines.
    post("X-CSRFToken: empty line, then the token", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, "X-CSRFToken:", `X-CSRFToken: ${csrf}`]),
    post("X-CSRFToken: the token, then an empty line", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`, "X-CSRFToken:"]),
    post("X-CSRFToken: spelt X_CSRFToken", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X_CSRFToken: ${csrf}`]),
    post("X-CSRFToken: padded with a tab", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken:\t${csrf}\t`]),
    post("X-CSRFToken: the token and a form feed", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}\x0c`]),
    post("X-CSRFToken: obs-fold after an empty line", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, "X-CSRFToken:", ` ${csrf}`]),
    post("X-CSRFToken: obs-fold, the token split", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf.slice(0, 10)}`, ` ${csrf.slice(10)}`]),
    post("X-CSRFToken: a wrong token, no Origin", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${"x".repeat(32)}`]),
    // Origin and Referer (CSRF's Origin check; CORS).
    post("Origin: empty line, then an allowed origin (session+CSRF)", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`, "Origin:", "Origin: http://localhost:5173"]),
    post("Origin: the request's own origin (session+CSRF)", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`, "Origin: http://localhost"]),
    post("Origin: an allowed origin, then an empty line", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`, "Origin: http://localhost:5173", "Origin:"]),
    get("Origin: empty line, then a CORS origin (cross-origin GET)", ["Origin:", "Origin: http://localhost:5173"], "/api/posts/"),
    get("Origin: CORS origin padded", ["Origin:  http://localhost:5173 \t"], "/api/posts/"),
    { label: "Origin: preflight, empty Origin line first", method: "OPTIONS", path: "/api/posts/", lines: [host, accept, "Origin:", "Origin: http://localhost:5173", "Access-Control-Request-Method: POST"] },
    { label: "Access-Control-Request-Method: empty line first", method: "OPTIONS", path: "/api/posts/", lines: [host, accept, "Origin: http://localhost:5173", "Access-Control-Request-Method:", "Access-Control-Request-Method: POST"] },
    post("Referer: empty line, then a referer (session+CSRF, X-Forwarded-Proto https)", [...json, "X-Forwarded-Proto: https", `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`, "Referer:", "Referer: https://localhost/x"]),
    // X-Forwarded-Proto / -Host: the Worker sets both on forward (forwardTo).
    post("X-Forwarded-Proto: https from the client (session+CSRF, no Referer)", [...json, "X-Forwarded-Proto: https", `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`]),
    del("X-Forwarded-Proto: https from the client (anonymous DELETE: HSTS?)", ["X-Forwarded-Proto: https"]),
    post("X-Forwarded-Host: another allowed host, Origin the Host's (session+CSRF)", [...json, "X-Forwarded-Host: 127.0.0.1", `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`, "Origin: http://localhost"]),
    post("X-Forwarded-Host: another allowed host, Origin that host (session+CSRF)", [...json, "X-Forwarded-Host: 127.0.0.1", `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`, "Origin: http://127.0.0.1"]),
    del("X-Forwarded-Host: a host ALLOWED_HOSTS refuses", ["X-Forwarded-Host: evil.example"]),
    // Content-Type.
    post("Content-Type: empty line, then JSON (Token)", [`Authorization: ${alice}`, "Content-Type:", "Content-Type: application/json"]),
    post("Content-Type: JSON, then an empty line (Token)", [`Authorization: ${alice}`, "Content-Type: application/json", "Content-Type:"]),
    post("Content-Type: twice (Token)", [`Authorization: ${alice}`, "Content-Type: text/plain", "Content-Type: application/json"]),
    post("Content-Type: padded (Token)", [`Authorization: ${alice}`, "Content-Type:  application/json \t"]),
    post("Content-Type: spelt Content_Type (Token)", [`Authorization: ${alice}`, "Content_Type: application/json"]),
    // Host.
    del("Host: empty line, then localhost", ["Host:", "Host: localhost"].slice(0), "/api/posts/1/"),
    del("Host: upper case with the default port", ["Host: LOCALHOST:80"]),
    post("Host: upper case with the default port, Origin as the browser sends it (session+CSRF)", [...json, `Cookie: theme=dark; ${aliceSession}; csrftoken=${secret}`, `X-CSRFToken: ${csrf}`, "Origin: http://localhost"].map((l) => l), "/api/posts/"),
    del("Host: with a trailing dot", ["Host: localhost."]),
    del("Host: twice", ["Host: localhost", "Host: 127.0.0.1"]),
    del("Host: a host ALLOWED_HOSTS refuses", ["Host: evil.example"]),
    // Connection: the headers it names are hop-by-hop, dropped on forward (forwardTo).
    del("Connection: names Authorization (an invalid token)", ["Connection: Authorization", "Authorization: Token nope"]),
    del("Connection: names Authorization (bob's token)", ["Connection: Authorization", `Authorization: ${bob}`]),
    // Names with `_`.
    del("X_Forwarded_Proto: https (a name with _)", ["X_Forwarded_Proto: https"]),
  ];
  // The Host cases above carry `Host: localhost` first; these replace it.
  for (const item of list) {
    if (item.label.startsWith("Host:")) item.lines = item.lines.filter((line, i) => i !== 0 || line !== host);
  }
  const hostCase = list.find((item) => item.label.startsWith("Host: upper case with the default port, Origin"));
  hostCase.lines = ["Host: LOCALHOST:80", ...hostCase.lines];
  // Lines near the limits the guard documents (src/authentication/request.rs): a field line of
  // 8190 bytes, a header block of 16 KiB, 100 fields; with bob's token last.
  const pad = (n) => "a".repeat(n);
  list.push(
    del("limits: an 8190-byte line (X-Pad), then bob's token", [`X-Pad: ${pad(8190 - 7)}`, `Authorization: ${bob}`]),
    del("limits: an 8191-byte line (X-Pad), then bob's token", [`X-Pad: ${pad(8191 - 7)}`, `Authorization: ${bob}`]),
  );
  for (const fields of [93, 94, 95, 96, 97, 98, 99, 100]) {
    // Host + Accept + Connection (added by sendRaw) + Authorization + the padding = `fields`.
    const padding = Array.from({ length: fields - 4 }, (_, i) => `X-P${i}: 1`);
    list.push(del(`limits: ${fields} fields (bob's token last)`, [...padding, `Authorization: ${bob}`]));
  }
  for (const total of [16 * 1024 - 200, 16 * 1024 - 20, 16 * 1024 + 20]) {
    const fixed = `${host}\r\n${accept}\r\nConnection: close\r\nAuthorization: ${bob}\r\n`.length;
    const lines = [];
    let left = total - fixed;
    for (let i = 0; left > 0; i++) {
      const name = `X-B${i}: `;
      const size = Math.min(4000, left - name.length - 2);
      if (size <= 0) break;
      lines.push(name + pad(size));
      left -= name.length + size + 2;
    }
    list.push(del(`limits: a header block of about ${total} bytes (bob's token last)`, [...lines, `Authorization: ${bob}`]));
  }
  return list;
}

// ---- judging ------------------------------------------------------------------------------------

function comparable(answer) {
  const headers = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (NOT_COMPARED.has(name)) continue;
    headers[name] = name === "set-cookie" ? value.replace(/csrftoken=\w+/g, "csrftoken=<random>").replace(/expires=[^;]+/gi, "expires=<date>") : value;
  }
  return headers;
}

function differences(want, got) {
  const found = [];
  if (want.status !== got.status) found.push(`status ${want.status} != ${got.status}`);
  if (!want.body.equals(got.body)) found.push(`body ${JSON.stringify(want.body.toString("latin1").slice(0, 160))} != ${JSON.stringify(got.body.toString("latin1").slice(0, 160))}`);
  const a = comparable(want);
  const b = comparable(got);
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[name] !== b[name]) found.push(`${name}: ${a[name]} != ${b[name]}`);
  }
  return found;
}

const brief = (answer) => `${answer.status} ${answer.body.toString("latin1").slice(0, 90)}`;
const headerLines = (environ) => (environ ? Object.fromEntries(Object.entries(environ).filter(([k]) => !/^HTTP_X_(B|P)\d+$|^HTTP_X_PAD$/.test(k))) : null);

async function main() {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  logFile = join(scratch, "environ.jsonl");
  log("starting the DRF server (fresh SQLite, migrate, seed_blog; environ logged)");
  const drf = await startDrf({ scratch, log, settings: "rawlines_settings", env: { RAWLINES_LOG: logFile } });
  const originPort = Number(new URL(drf.url).port);
  // One location, its KV filled from the origin while nothing changes: the records are current
  // (EDGE_RECORDS_CURRENT), so the edge answers what rests on them and the harness judges it.
  const common = { esbuild, origin: drf.url, signingKey: drf.signingKey, explain: true, nodePaths, authoritative: true, recordsCurrent: true };
  const edgeOptions = await workerOptions({ ...common, outDir: join(scratch, "edge"), objects: true });
  const passOptions = await workerOptions({ ...common, outDir: join(scratch, "pass"), objects: false, entry: join(here, "workers", "forward-all.js") });
  const start = async (options) => {
    const mf = new Miniflare({ ...options, cf: false, host: "127.0.0.1", port: await freePort(), log: new Log(LogLevel.NONE) });
    mf.port = Number((await mf.ready).port);
    return mf;
  };
  const edge = await start(edgeOptions);
  await fillKv(edge, drf.kv, edgeOptions.kvNamespaces);
  const pass = await start(passOptions);

  const counts = { cases: 0, identical: 0, forwarded: 0, refused: 0, mismatched: 0 };
  const records = [];
  const mismatches = [];
  try {
    for (const item of cases(drf)) {
      takeLogged();
      const direct = await sendRaw(originPort, item);
      const directEnviron = takeLogged()[0] ?? null;
      const reference = await sendRaw(pass.port, item);
      const forwardedEnviron = takeLogged()[0] ?? null;
      const viaEdge = await sendRaw(edge.port, item);
      const edgeForwarded = takeLogged()[0] ?? null;
      let seen = null;
      try {
        seen = reference.headers["x-raw-seen"] ? JSON.parse(decodeURIComponent(reference.headers["x-raw-seen"])) : null;
      } catch {
        seen = null;
      }
      const gate = viaEdge.headers["x-drf-gate"] ?? "";
      let verdict;
      if (!gate) {
        // workerd's own answer (a request it refuses): no Worker ran, the origin saw nothing.
        verdict = reference.headers["x-raw-seen"] === undefined && reference.status === viaEdge.status ? "refused by workerd" : `no X-DRF-Gate: ${brief(viaEdge)} (reference ${brief(reference)})`;
      } else if (gate === "respond") {
        const diff = differences(reference, viaEdge);
        verdict = diff.length ? `answered at the edge, differs from the origin's answer to the forwarded request: ${diff.join("; ")}` : "identical";
      } else if (viaEdge.status !== reference.status) {
        verdict = `forwarded (${gate}), the origin answered ${viaEdge.status} through the edge, ${reference.status} through the plain forward`;
      } else {
        verdict = "forwarded";
      }
      counts.cases++;
      if (verdict === "identical") counts.identical++;
      else if (verdict === "forwarded") counts.forwarded++;
      else if (verdict === "refused by workerd") counts.refused++;
      else {
        counts.mismatched++;
        mismatches.push(`${item.label}: ${verdict}`);
      }
      const record = {
        label: item.label, verdict, gate,
        sent: item.lines.filter((l) => !/^X-(B|P)\d+:|^X-Pad:/.test(l)).map((l) => (l.length > 120 ? `${l.slice(0, 40)}...(${l.length})` : l)),
        workerSaw: seen ? seen.headers.filter(([n]) => !/^x-(b|p)\d+$|^x-pad$/.test(n)) : null,
        djangoDirect: headerLines(directEnviron), djangoForwarded: headerLines(forwardedEnviron), edgeForwarded: Boolean(edgeForwarded),
        direct: brief(direct), reference: brief(reference), edge: brief(viaEdge),
        directAgrees: direct.status === reference.status && direct.body.equals(reference.body),
      };
      records.push(record);
      if (VERBOSE) console.log(`RAWLINE ${JSON.stringify(record)}`);
    }
  } finally {
    await edge.dispose();
    await pass.dispose();
    await drf.stop();
  }
  writeFileSync(join(scratch, "cases.json"), JSON.stringify(records, null, 1));
  const differ = records.filter((r) => !r.directAgrees && r.verdict !== "refused by workerd");
  log(`${differ.length} cases where Django answers the client's bytes otherwise than the forwarded request (see .scratch/raw-lines/cases.json)`);
  for (const line of mismatches) console.log(`MISMATCH ${line}`);
  console.log(`raw lines: ${counts.cases} cases, ${counts.identical} answered (identical), ${counts.forwarded} forwarded, ${counts.refused} refused by workerd, ${counts.mismatched} mismatched`);
  process.exitCode = counts.mismatched > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
