// A raw request through the JS API, including HS256 JWT verification: gate.checkRequestSync
// on `Authorization: Bearer <token>` (a fresh request object each time, a synchronous
// resolver). Prints one JSON line: {"ns": median ns per check, "rounds": [...]}.
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PKG } from "./engines.mjs";

const { Gate } = await import(pathToFileURL(join(PKG, "dist", "node.mjs")).href);

const key = "drf-gate-benchmark-signing-key-0123456789";
const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const unsigned = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ token_type: "access", exp: now + 3600, iat: now, jti: "b3c1", user_id: 1 })}`;
const token = `${unsigned}.${createHmac("sha256", key).update(unsigned).digest("base64url")}`;

const gate = new Gate({
  authentication: ["jwt"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  renderers: ["JSONRenderer"],
  settings: { jwt: { signingKey: key } },
  views: { posts: { model: "blog.Post" } },
});
const users = new Map([[1, { id: 1, username: "ann" }]]);
const options = { view: "posts", resolvers: { userById: (_field, id) => users.get(id) ?? null } };
const once = () => gate.checkRequestSync({ method: "POST", path: "/api/posts/", headers: { Authorization: `Bearer ${token}` } }, options);

const first = once();
if (!first.decision.allowed) throw new Error(`the benchmark request should be allowed: ${JSON.stringify(first.decision)}`);
const rounds = [];
for (let round = 0; round < 5; round++) {
  const n = 20000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) once();
  rounds.push(Number(process.hrtime.bigint() - started) / n);
}
rounds.sort((a, b) => a - b);
console.log(JSON.stringify({ ns: rounds[2], rounds }));
