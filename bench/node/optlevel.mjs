// The edge build at one optimisation level, in Node: start (import + first Gate), a `check` of a
// fresh context, and a raw request with an HS256 JWT (`checkRequestSync`), each the median of 5
// rounds. Usage: node bench/node/optlevel.mjs <dist dir whose drf_gate_bg.wasm is under test>
// Prints one JSON line. bench/notes.md ("Optimisation level per build") records the results.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dist = resolve(process.argv[2] ?? "pkg/dist");
const wasm = readFileSync(join(dist, "drf_gate_bg.wasm"));
const t0 = process.hrtime.bigint();
const { Gate } = await import(pathToFileURL(join(dist, "node.mjs")).href);
const key = "drf-gate-benchmark-signing-key-0123456789";
const gate = new Gate({
  authentication: ["jwt", "session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: { IsOwner: { hasObjectPermission: "obj.owner == request.user" } },
  renderers: ["JSONRenderer"],
  settings: { jwt: { signingKey: key } },
  views: { posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner"] } },
});
const start = Number(process.hrtime.bigint() - t0) / 1e6;

const median = (once, n) => {
  const rounds = [];
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) once();
    rounds.push(Number(process.hrtime.bigint() - started) / n);
  }
  return rounds.sort((a, b) => a - b)[2];
};

const context = () => ({ view: "posts", action: "update", user: { id: 3, username: "ann" }, object: { id: 7, owner: 3 } });
if (gate.check(context()).status !== 200) throw new Error("the check should be allowed");
const check = median(() => gate.check(context()), 20000);

const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const unsigned = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ token_type: "access", exp: now + 3600, iat: now, jti: "b3c1", user_id: 1 })}`;
const token = `${unsigned}.${createHmac("sha256", key).update(unsigned).digest("base64url")}`;
const users = new Map([[1, { id: 1, username: "ann" }]]);
const options = { view: "posts", resolvers: { userById: (_field, id) => users.get(id) ?? null } };
const raw = () => gate.checkRequestSync({ method: "POST", path: "/api/posts/", headers: { Authorization: `Bearer ${token}` } }, options);
if (!raw().decision.allowed) throw new Error("the raw request should be allowed");
const jwt = median(raw, 20000);

console.log(JSON.stringify({ raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length, startMs: +start.toFixed(1), checkNs: Math.round(check), jwtNs: Math.round(jwt) }));
