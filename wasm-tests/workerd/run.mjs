// The blog Worker in real workerd (Miniflare) against the real DRF server.
//
// 1. The same request set goes straight to DRF and through four Workers: the example Worker with
//    the object stage at the edge (OBJECTS bound), the example Worker without it, a Hono app
//    (drf-gate/hono) and withGuard(null). What a Worker answers itself must equal DRF's
//    response byte for byte: status, body, and every header but Date and Server (the origin's
//    middleware included: security headers, Vary, CORS, Content-Length); what it
//    forwards must be what DRF lets through, or what the guard says the origin decides.
// 2. Random requests for a bounded time: workerd never traps. (PARTS=difffuzz: random requests
//    to DRF and through the Worker, judged as in 1; opt-in, DIFF_FUZZ_SECONDS.)
// 3. Start-up cost: wasm instantiation + policy compile inside workerd (reported).
//
// Prints `workerd: N requests, N identical, N forwarded, N mismatched`; exit 1 on a mismatch or
// a trap. Run through run.sh. FUZZ_SECONDS (default 20), FUZZ_SEED.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import * as esbuild from "esbuild";
import { Log, LogLevel, Miniflare } from "miniflare";
import { Agent, fetch } from "undici";
import { Gate, mintCsrfToken } from "drf-gate";

import { bundle, fillKv, workerOptions, wranglerConfig } from "../../examples/blog/worker/miniflare.mjs";
import { freePort, here, startDrf } from "./drf.mjs";
import { randomRequest, rng } from "./fuzz.mjs";
import { credentials, requestSet } from "./requests.mjs";

const scratch = join(here, ".scratch");
const nodePaths = [join(here, "..", "..", "node_modules")]; // the root npm workspace
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
// Every response header is compared except these: the date, the server software, and the
// Worker's own explanation (X-DRF-Gate, EXPLAIN = "true").
// Hop-by-hop headers (RFC 9110 §7.6.1: connection framing, which every proxy replaces) are
// not part of the response either.
const NOT_COMPARED = new Set(["date", "server", "x-drf-gate", "connection", "keep-alive", "transfer-encoding"]);
const log = (...args) => console.error("[workerd]", ...args);
const drfAgent = new Agent({ pipelining: 0 });

async function startWorker(name, { entry, worker, objects = true, origin, signingKey, kv, outboundService, recordsCurrent = true }) {
  // The KV namespaces are filled from the database before any request, and every request is
  // rolled back: the store holds exactly the database's rows (authoritative), and they are
  // current (nothing changes them). `recordsCurrent: false` runs the sample's deployed setting
  // (wrangler.toml): answers resting on a record go to the origin.
  const options = await workerOptions({
    esbuild, outDir: join(scratch, name), origin, signingKey, objects, explain: true, nodePaths, entry, worker, authoritative: true,
    recordsCurrent,
  });
  // The Worker build's bundle holds its own .wasm and no other (the guard's `drf-gate` included).
  const wasmFiles = options.modules.filter((m) => m.type === "CompiledWasm").map((m) => m.path.split("/").pop());
  if (worker && wasmFiles.join() !== "drf_gate_worker_bg.wasm") throw new Error(`${name}: the Worker build's bundle holds ${wasmFiles.join(", ")}`);
  const mf = new Miniflare({
    ...options, cf: false, host: "127.0.0.1", port: await freePort(), log: new Log(LogLevel.NONE),
    ...(outboundService ? { outboundService } : {}),
  });
  // Requests go over real HTTP (dispatchFetch re-encodes responses: gzip, chunked).
  mf.httpUrl = (await mf.ready).href.replace(/\/$/, "");
  await fillKv(mf, kv, options.kvNamespaces);
  return mf;
}

async function snapshot(response) {
  const headers = {};
  // Names case-insensitive (Headers lower-cases them), values exact.
  response.headers.forEach((value, name) => {
    if (!NOT_COMPARED.has(name)) headers[name] = value;
  });
  return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()), gate: response.headers.get("x-drf-gate") };
}

// DRF's @api_view lists its methods from a Python set, so its Allow order follows the server's
// hash seed (PYTHONHASHSEED): for those routes the order is not DRF's to promise.
const API_VIEW_ROUTES = new Set(["/api/health/"]);
const methodSet = (allow) => (allow ?? "").split(", ").sort().join(", ");
let allowOrderOnly = 0;

function differences(want, got, path) {
  if (API_VIEW_ROUTES.has(path.split("?")[0]) && want.headers.allow !== got.headers.allow && methodSet(want.headers.allow) === methodSet(got.headers.allow)) {
    allowOrderOnly++;
    got = { ...got, headers: { ...got.headers, allow: want.headers.allow } };
  }
  const found = [];
  if (want.status !== got.status) found.push(`status ${want.status} != ${got.status}`);
  if (!want.body.equals(got.body)) found.push(`body ${JSON.stringify(want.body.toString())} != ${JSON.stringify(got.body.toString())}`);
  for (const name of new Set([...Object.keys(want.headers), ...Object.keys(got.headers)])) {
    if (want.headers[name] !== got.headers[name]) found.push(`${name} ${want.headers[name]} != ${got.headers[name]}`);
  }
  return found;
}

const cookieless = (headers) => ({
  ...headers,
  ...(headers["set-cookie"] ? { "set-cookie": headers["set-cookie"].replace(/csrftoken=\w+/g, "csrftoken=<random>").replace(/expires=[^;]+/gi, "expires=<date>") } : {}),
});

// What DRF let through: a success, or the handler's own answer after the checks (400:
// validation or a parse error, 415: request.data with a media type no parser takes).
const drfAllowed = (status) => status < 400 || status === 400 || status === 415;

/** Checks one Worker's answer against DRF's; returns "identical" | "forwarded" | a mismatch text. */
function judge(direct, viaWorker, path) {
  const gate = viaWorker.gate ?? "";
  if (gate === "respond") {
    const diff = differences(direct, viaWorker, path);
    return diff.length ? `answered at the edge, differs from DRF: ${diff.join("; ")}` : "identical";
  }
  const reason = /reason=([\w-]+)/.exec(gate)?.[1];
  if (!reason || reason === "error") return `the guard failed: ${gate}`;
  if (direct.status !== viaWorker.status) return `forwarded (${reason}), but the origin answered ${viaWorker.status}, DRF ${direct.status}`;
  // Forwarded: the origin's own response, passed through; its headers must survive the trip
  // (a fresh csrftoken is random, and cookie expiry dates move with the clock).
  // Its body is not compared (a proxied request can differ in bytes the runtime re-encoded), so
  // neither is the length of that body; workerd also drops `Content-Length: 0` from a 204, as
  // RFC 9110 asks of a 204.
  const lengthless = (headers) => {
    const { "content-length": _length, ...rest } = headers;
    return rest;
  };
  const headerDiff = differences(
    { ...direct, body: viaWorker.body, headers: lengthless(cookieless(direct.headers)) },
    { ...viaWorker, headers: lengthless(cookieless(viaWorker.headers)) },
    path,
  );
  if (headerDiff.length) return `forwarded (${reason}), headers differ: ${headerDiff.join("; ")}`;
  if (reason === "allowed" && !drfAllowed(direct.status)) {
    return `forwarded as allowed, but DRF denies: ${direct.status} ${direct.body.toString()}`;
  }
  return "forwarded";
}

// Methods workerd's HTTP server accepts; it answers 501 to others before any Worker code runs.
const WORKERD_METHODS = new Set(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]);

// Compression is the HTTP server's business, not DRF's: workerd's server gzips a Worker's
// response for a client that accepts it, runserver never does. The comparison asks both sides
// for the identity encoding (unless a request names its own), so Content-Encoding and
// Content-Length are compared as the application sent them.
function identityEncoding(headers) {
  const own = headers && Object.keys(headers).some((name) => name.toLowerCase() === "accept-encoding");
  return own ? headers : { ...(headers || {}), "accept-encoding": "identity" };
}

// A request with a header sent empty: workerd drops such lines (of the headers it knows) before
// a Worker sees them, so the origin behind a Worker never sees them either.
const hasEmptyLine = (request) => Object.values(request.headers ?? {}).some((value) => value === "");

async function send(target, request) {
  const init = { method: request.method, headers: identityEncoding(request.headers), body: request.body, redirect: "manual" };
  // One connection per request to DRF: runserver's keep-alive handling is not what is tested.
  if (typeof target === "string") return fetch(target + request.path, { ...init, dispatcher: drfAgent });
  if (typeof target === "function") return target(new Request(request.url + request.path, init));
  if (target.httpUrl) return fetch(target.httpUrl + request.path, { ...init, dispatcher: drfAgent });
  return target.dispatchFetch(request.url + request.path, init);
}

// The example's edge.js (policy, KV resolvers, loadObject) under Node, for the methods workerd
// refuses: the same guard, with Workers KV as in-memory maps.
async function nodeEdge(drf) {
  const outfile = join(scratch, "node", "edge.mjs");
  await esbuild.build({
    entryPoints: [join(here, "..", "..", "examples", "blog", "worker", "src", "options.js")],
    bundle: true, format: "esm", platform: "node", outfile, logLevel: "silent", external: ["drf-gate", "drf-gate/*"],
  });
  const edge = await import(pathToFileURL(outfile).href);
  const { createGuard, forwardTo } = await import("drf-gate/guard");
  const env = { ORIGIN: drf.url, JWT_SIGNING_KEY: drf.signingKey, EDGE_STORE_AUTHORITATIVE: "true", EDGE_RECORDS_CURRENT: "true" };
  for (const [name, entries] of Object.entries(drf.kv.kv)) {
    const map = new Map(Object.entries(entries));
    env[name] = { get: async (key, type) => (map.has(key) ? (type === "json" ? JSON.parse(map.get(key)) : map.get(key)) : null) };
  }
  const guard = createGuard(edge.guardOptions);
  return async (request) => {
    const result = await guard(request, env);
    const response = result.action === "respond" ? result.response : await forwardTo(env.ORIGIN, request, edge.forwardOptions(env));
    const copy = new Response(response.body, response);
    copy.headers.set("X-DRF-Gate", result.action === "respond" ? "respond" : `forward; reason=${result.reason}`);
    return copy;
  };
}

// The blog Worker's entry on a compiled policy (`npx drf-gate compile` at deploy time, the JWT
// signing key compiled in): workers/compiled.js with the bytes in a module next to it.
function compiledEntry(drf) {
  const policy = JSON.parse(readFileSync(join(here, "..", "..", "examples", "blog", "policy.json"), "utf8"));
  policy.settings.jwt = { ...policy.settings.jwt, signingKey: drf.signingKey };
  const bytes = new Gate(policy).toCompiled();
  const dir = join(scratch, "compiled-entry");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "policy.js"), `export default Uint8Array.from(atob(${JSON.stringify(Buffer.from(bytes).toString("base64"))}), (c) => c.charCodeAt(0));\n`);
  return join(here, "workers", "compiled.js");
}

async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

async function conformance(drf) {
  const common = { origin: drf.url, signingKey: drf.signingKey, kv: drf.kv };
  const workers = [
    { name: "edge+objects", explained: true, mf: await startWorker("edge-objects", { ...common, objects: true }) },
    { name: "edge, view stage only", explained: true, mf: await startWorker("edge-view", { ...common, objects: false }) },
    // Hono with wrangler.toml's EDGE_RECORDS_CURRENT ("false", as deployed on Workers KV): what
    // it answers uses no record; the rest is forwarded (record-may-be-stale).
    { name: "hono", explained: true, mf: await startWorker("hono", { ...common, objects: true, entry: join(here, "workers", "hono.js"), recordsCurrent: false }) },
    { name: "withGuard", explained: false, sameAs: "edge, view stage only", mf: await startWorker("with-guard", { ...common, objects: false, entry: join(here, "workers", "with-guard.js") }) },
    // The Worker build (`drf-gate/worker`): the blog's policy compiled in Node with the signing
    // key, loaded by the edge build without the compiler; must answer where edge+objects does.
    { name: "worker build, policy.gate", explained: true, agreesWith: "edge+objects", mf: await startWorker("compiled", { ...common, objects: true, worker: true, entry: compiledEntry(drf) }) },
  ];
  // The edge's reference for a request with an empty line: the origin's answer to the request as
  // a Worker forwards it (workers/forward-all.js, as raw-lines.sh), not DRF's to the client's.
  const forwardAll = await startWorker("forward-all", { ...common, objects: false, entry: join(here, "workers", "forward-all.js") });
  // What workerd does with a method it does not know: its HTTP server answers, no Worker runs.
  const foo = await workers[0].mf.dispatchFetch(`${drf.url}/api/posts/`, { method: "FOO" });
  log(`FOO to workerd: ${foo.status} ${JSON.stringify(await foo.text())}`);
  workers.push({ name: "node", explained: true, node: true, mf: await nodeEdge(drf) });
  // SAMPLE_EVERY=n: every n-th request only (a quicker local check; CI sends them all).
  const every = Math.max(1, Number(process.env.SAMPLE_EVERY ?? 1));
  const set = requestSet({ kv: drf.kv, signingKey: drf.signingKey, mintCsrfToken })
    .filter((_, i) => i % every === 0)
    .map((r) => ({ ...r, url: drf.url }));
  const counts = Object.fromEntries(workers.map((w) => [w.name, { requests: 0, identical: 0, forwarded: 0, mismatched: 0, reasons: {} }]));
  const mismatches = [];
  let emptyLines = 0;
  const started = performance.now();
  try {
    await pool(set, 4, async (request) => {
      const direct = await snapshot(await send(drf.url, request));
      // A request with an empty header line: what a Worker in workerd answers or forwards is
      // judged by the origin's answer to the request as the Worker forwards it.
      let forwarded = null;
      if (hasEmptyLine(request) && WORKERD_METHODS.has(request.method)) {
        forwarded = await snapshot(await send(forwardAll, request));
        delete forwarded.headers["x-raw-seen"];
        emptyLines++;
      }
      const seen = {};
      for (const worker of workers) {
        // workerd takes the standard methods only; the Node leg takes the others.
        if (Boolean(worker.node) === WORKERD_METHODS.has(request.method)) continue;
        const via = await snapshot(await send(worker.mf, request));
        // withGuard(null) says nothing about its answers: it is configured as the view-stage
        // Worker, so it must answer (or forward) exactly where that one does.
        if (worker.sameAs) via.gate = seen[worker.sameAs];
        seen[worker.name] = via.gate;
        let verdict = judge(!worker.node && forwarded ? forwarded : direct, via, request.path);
        // The Worker build must answer (or forward, for the same reason) exactly where its twin does.
        if (worker.agreesWith && via.gate !== seen[worker.agreesWith]) {
          verdict = `${via.gate} where ${worker.agreesWith} says ${seen[worker.agreesWith]}`;
        }
        const c = counts[worker.name];
        c.requests++;
        if (verdict === "identical" || verdict === "forwarded") c[verdict]++;
        else {
          c.mismatched++;
          mismatches.push(`${worker.name}: ${request.label}: ${verdict}`);
        }
        const reason = via.gate ? (/reason=([\w-]+)/.exec(via.gate)?.[1] ?? via.gate) : null;
        if (reason) c.reasons[reason] = (c.reasons[reason] ?? 0) + 1;
      }
    });
  } finally {
    await Promise.all([...workers.filter((w) => !w.node).map((w) => w.mf.dispose()), forwardAll.dispose()]);
  }
  writeFileSync(join(scratch, "mismatches.txt"), mismatches.join("\n") + "\n");
  log(`${set.length} requests × ${workers.length} Workers in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
    `${emptyLines} with an empty line judged by the origin's answer through a forwarding Worker`);
  for (const [name, c] of Object.entries(counts)) {
    log(`  ${name}: ${c.requests} requests, ${c.identical} identical, ${c.forwarded} forwarded, ${c.mismatched} mismatched; ${JSON.stringify(c.reasons)}`);
  }
  return { set, counts, mismatches };
}

async function fuzz(drf) {
  // The origin is a stub here: the guard is what is fuzzed.
  const mf = await startWorker("fuzz", {
    origin: "http://origin.invalid", signingKey: drf.signingKey, kv: drf.kv, objects: true,
    outboundService: () => new Response("origin"),
  });
  const r = rng(FUZZ_SEED);
  const known = credentials({ kv: drf.kv, signingKey: drf.signingKey, mintCsrfToken }).map(([, headers]) => headers);
  const errors = {};
  let sent = 0;
  let refused = 0;
  let traps = 0;
  let unanswered = 0;
  const outcomes = {};
  const samples = [];
  const deadline = performance.now() + FUZZ_SECONDS * 1000;
  try {
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (performance.now() < deadline) {
        const request = randomRequest(r, known);
        let response;
        try {
          response = await mf.dispatchFetch(`http://127.0.0.1${request.path}`, { method: request.method, headers: request.headers, body: request.body });
        } catch {
          refused++; // not a valid HTTP request (the client refuses it): never reaches workerd
          continue;
        }
        sent++;
        const gate = response.headers.get("x-drf-gate") ?? "";
        const outcome = gate ? (gate === "respond" ? `answered ${response.status}` : gate.replace(/^forward; reason=/, "forwarded ")) : `workerd ${response.status}`;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        await response.arrayBuffer();
        const failed = /reason=error; (\w+)/.exec(gate);
        if (failed) {
          errors[failed[1]] = (errors[failed[1]] ?? 0) + 1;
          if (samples.length < 50) samples.push(request);
        }
        if (!gate && response.status !== 501) unanswered++;
        // A trap is a wasm RuntimeError (or an exception no code caught: a bare 500).
        if (failed?.[1] === "RuntimeError" || (response.status === 500 && !gate)) {
          traps++;
          if (samples.length < 50) samples.push({ trap: response.status, ...request });
        }
      }
    }));
    // Still sound afterwards: the same instance answers a known request exactly.
    const after = await mf.dispatchFetch("http://127.0.0.1/api/posts/", { method: "POST" });
    const body = await after.text();
    if (after.status !== 401 || body !== '{"detail":"Authentication credentials were not provided."}') traps++;
  } finally {
    await mf.dispose();
  }
  writeFileSync(join(scratch, "fuzz-errors.json"), JSON.stringify(samples, null, 1));
  return { sent, refused, traps, errors, unanswered, outcomes };
}

// Random requests straight to DRF and through the Worker (real origin), judged as the request
// set is: the edge's answers must be DRF's.
async function differentialFuzz(drf, seconds) {
  const mf = await startWorker("diff-fuzz", { origin: drf.url, signingKey: drf.signingKey, kv: drf.kv, objects: true });
  const r = rng(FUZZ_SEED + 1);
  const known = credentials({ kv: drf.kv, signingKey: drf.signingKey, mintCsrfToken }).map(([, headers]) => headers);
  const counts = { requests: 0, identical: 0, forwarded: 0, mismatched: 0 };
  const mismatches = [];
  const deadline = performance.now() + seconds * 1000;
  try {
    while (performance.now() < deadline) {
      const request = { ...randomRequest(r, known), url: drf.url };
      if (!WORKERD_METHODS.has(request.method.toUpperCase())) continue;
      let direct;
      let via;
      try {
        direct = await snapshot(await send(drf.url, request));
        via = await snapshot(await send(mf, request));
      } catch {
        continue; // the client refuses the request
      }
      counts.requests++;
      const verdict = judge(direct, via, request.path);
      if (verdict === "identical" || verdict === "forwarded") counts[verdict]++;
      else {
        const again = await snapshot(await send(drf.url, request));
        counts.mismatched++;
        mismatches.push({ verdict, request, drfAgain: `${again.status} ${again.body.toString().slice(0, 200)}` });
      }
    }
  } finally {
    await mf.dispose();
  }
  writeFileSync(join(scratch, "diff-fuzz-mismatches.json"), JSON.stringify(mismatches, null, 1));
  return { counts, mismatches };
}

async function startup() {
  const samples = [];
  for (let i = 0; i < 5; i++) {
    const options = await bundle(esbuild, join(scratch, "startup"), { entry: join(here, "workers", "startup.js"), nodePaths });
    const mf = new Miniflare({ ...options, compatibilityDate: wranglerConfig().compatibilityDate, cf: false, log: new Log(LogLevel.NONE) });
    try {
      samples.push(await (await mf.dispatchFetch("http://127.0.0.1/")).json());
    } finally {
      await mf.dispose();
    }
  }
  const median = (key) => samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  return { samples: samples.length, coldInstantiate: median("coldInstantiate"), coldCompile: median("coldCompile"), instantiate: median("instantiate"), compile: median("compile") };
}

async function main() {
  mkdirSync(scratch, { recursive: true });
  log("starting the DRF server (fresh SQLite, migrate, seed_blog)");
  const drf = await startDrf({ scratch, log });
  log(`DRF at ${drf.url}`);
  const parts = new Set((process.env.PARTS ?? "conformance,fuzz,startup").split(","));
  let result = { set: [], counts: {}, mismatches: [] };
  let fuzzed = { sent: 0, refused: 0, traps: 0, errors: {}, unanswered: 0 };
  let cost = null;
  try {
    if (parts.has("conformance")) result = await conformance(drf);
    if (parts.has("difffuzz")) {
      const diff = await differentialFuzz(drf, Number(process.env.DIFF_FUZZ_SECONDS ?? 20));
      log(`differential fuzz: ${JSON.stringify(diff.counts)}`);
      for (const m of diff.mismatches.slice(0, 10)) log(`  ${m.verdict.slice(0, 250)} (DRF again: ${m.drfAgain.slice(0, 100)}) <- ${JSON.stringify(m.request).slice(0, 200)}`);
    }
    if (parts.has("fuzz")) {
      log(`fuzzing for ${FUZZ_SECONDS} s (seed ${FUZZ_SEED})`);
      fuzzed = await fuzz(drf);
    }
  } finally {
    await drf.stop();
  }
  if (parts.has("startup")) cost = await startup();

  for (const line of result.mismatches.slice(0, 30)) console.log(`MISMATCH ${line}`);
  if (result.mismatches.length > 30) console.log(`... ${result.mismatches.length - 30} more in .scratch/mismatches.txt`);
  const errors = Object.entries(fuzzed.errors).map(([name, n]) => `${name} ${n}`).join(", ") || "none";
  if (fuzzed.outcomes) log(`fuzz outcomes: ${Object.entries(fuzzed.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  console.log(`fuzz: ${fuzzed.sent} random requests in ${FUZZ_SECONDS} s (seed ${FUZZ_SEED}), ${fuzzed.traps} traps; guard errors (request forwarded): ${errors}`);
  if (cost) {
    console.log(`startup in workerd (median of ${cost.samples} isolates): first instantiation ${cost.coldInstantiate} ms + first blog policy compile ${cost.coldCompile} ms (1 ms steps); warm: instantiate ${cost.instantiate.toFixed(2)} ms, compile ${cost.compile.toFixed(2)} ms (averages of 200; goal < 5 ms)`);
  }
  const total = Object.entries(result.counts).filter(([name]) => name !== "node").map(([, c]) => c).reduce((t, c) => ({
    requests: t.requests + c.requests, identical: t.identical + c.identical, forwarded: t.forwarded + c.forwarded, mismatched: t.mismatched + c.mismatched,
  }), { requests: 0, identical: 0, forwarded: 0, mismatched: 0 });
  const node = result.counts.node;
  if (node) console.log(`node (FOO: workerd answers 501 before any Worker code): ${node.requests} requests through the same guard in Node, ${node.identical} identical, ${node.forwarded} forwarded, ${node.mismatched} mismatched`);
  if (allowOrderOnly) console.log(`note: ${allowOrderOnly} edge answers for @api_view routes match DRF's Allow as a set only (DRF orders it by the hash seed)`);
  console.log(`workerd: ${total.requests} requests, ${total.identical} identical, ${total.forwarded} forwarded, ${total.mismatched} mismatched`);
  process.exitCode = result.mismatches.length > 0 || fuzzed.traps > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
