// Scaling probe: for each input dimension of each entry point, the time of one call at sizes
// n, 2n, 4n, 8n (the largest within the documented limits, SECURITY.md), and the growth per
// doubling at the top. Linear cost doubles; a quadratic path quadruples. A dimension whose time
// grows more than 3x from 4n to 8n is flagged. Ratios, not absolute times: calls that take
// microseconds are repeated in batches (the same batch size at every size of a dimension), and
// the sizes are measured interleaved (n, 2n, 4n, 8n, n, ...) so that load on the machine hits
// them alike. The median of the repetitions is reported.
//
//   node wasm-tests/adversarial/scaling.mjs [--only SUBSTRING] [--reps N] [--json out.json]
//
// Exits 1 when a dimension is flagged (twice in a row: a flagged one is measured again).
// Needs the built package (bash scripts/build.sh).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "..", "pkg", "dist");
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const only = opt("--only", "");
const REPS = Number(opt("--reps", 5));
const jsonOut = opt("--json", null);
const TARGET_MS = 25; // one sample at the largest size (a batch of calls when one is faster)
const FLAG = 3;
// A full collection before each sample: garbage the previous size left is not charged to the next.
v8.setFlagsFromString("--expose-gc");
const gc = globalThis.gc ?? vm.runInNewContext("gc");

const node = await import(pathToFileURL(join(dist, "node.mjs")).href);
await node.init?.();
const runtimeApi = await import(pathToFileURL(join(dist, "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(dist, "drf_gate_runtime_bg.wasm")) });
const canApi = await import(pathToFileURL(join(dist, "api-can.js")).href);
canApi.initSync({ module: readFileSync(join(dist, "drf_gate_can_bg.wasm")) });
const guardApi = await import(pathToFileURL(join(dist, "guard.js")).href);

const HOST = "api.example.com";
const BASE = `https://${HOST}`;
const CSRF = "A".repeat(16) + "b".repeat(16);
const POLICY = {
  authentication: ["session", "token", "basic", "jwt"],
  permissions: ["IsAuthenticated"],
  settings: { jwt: { signingKey: "scaling-signing-key" }, csrf: { allowedHosts: [HOST] } },
  classes: {
    IsOwner: { hasObjectPermission: "obj.owner == request.user.id" },
    InItems: { hasObjectPermission: "request.user.id in obj.items" },
    Named: { hasObjectPermission: "obj.name == request.user.username" },
  },
  views: {
    posts: { model: "blog.post", permissions: ["IsAuthenticated"] },
    models: { model: "blog.post", permissions: ["DjangoModelPermissions"] },
    objects: { model: "blog.post", permissions: ["DjangoObjectPermissions"] },
    admin: { permissions: ["IsAdminUser"] },
    owned: { permissions: ["IsAuthenticated & IsOwner"] },
    items: { permissions: ["IsAuthenticated & InItems"] },
    named: { permissions: ["IsAuthenticated & Named"] },
    open: { permissions: ["AllowAny"] },
  },
  routes: [
    { pattern: "/api/posts/", view: "posts" },
    { pattern: "/api/posts/{pk}/", view: "posts", detail: true },
    { pattern: "/api/admin/", view: "admin" },
    { pattern: "/open/", view: "open" },
  ],
};
const PLAIN = { id: 2, username: "ann" };
const resolvers = {
  token: () => ({ id: 1, isStaff: true }),
  session: (key) => (key === "s1" ? { id: 2 } : null),
  basic: () => null,
  userById: () => null,
};

const gate = new node.Gate(POLICY);
const COMPILED = gate.toCompiled();
const runtimeGate = new runtimeApi.Gate(COMPILED);
const canGate = new canApi.Gate(COMPILED);
const guard = guardApi.createGuard({ gate, resolvers: { ...resolvers }, authoritative: true, recordsCurrent: true });

const manyKeys = (n, prefix = "k", value = 1) => {
  const out = {};
  for (let i = 0; i < n; i++) out[prefix + i] = value;
  return out;
};
const raw = (method, path, headers = {}, extra = {}) => ({ method, url: BASE + path, headers: { host: HOST, ...headers }, ...extra });
const sessionPost = (body, contentType = "application/json", more = {}) =>
  raw("POST", "/api/posts/", { origin: BASE, cookie: `sessionid=s1; csrftoken=${CSRF}`, "content-type": contentType, ...more }, { body });
// The same POST with the token in the body (form / multipart): the body is parsed for it.
const formPost = (body, contentType) => raw("POST", "/api/posts/", { origin: BASE, cookie: `sessionid=s1; csrftoken=${CSRF}`, "content-type": contentType }, { body });
const b64url = (s) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const jwtLike = (payload) => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(payload)}.c2lnbmF0dXJl`;
const sync = (request) => gate.checkRequestSync(request, { resolvers });
const fetchRequest = (method, path, headers, body) => new Request(BASE + path, { method, headers: { host: HOST, ...headers }, body });
const policyWith = (extra) => ({ ...POLICY, ...extra });
const withGate = (Gate, policy) => {
  const g = new Gate(policy);
  g.free?.();
};
const multipart = (n, valueSize = 1) => {
  let text = `--b\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n${CSRF}\r\n`;
  const part = `--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n${"v".repeat(valueSize)}\r\n`;
  text += part.repeat(n);
  return text + "--b--\r\n";
};
const form = (n, valueSize = 1) => "a=" + "v".repeat(valueSize) + "&" + "a=1&".repeat(n) + `csrfmiddlewaretoken=${CSRF}`;

// Each dimension: [entry, name, sizes (n, 2n, 4n, 8n), build(size) -> input, run(input)].
// Every size is within the documented limits: the request or policy is decided, not refused
// at the door (a refusal costs nothing and proves nothing).
const dims = [];
const dim = (entry, name, n, build, run) => dims.push({ entry, name, sizes: Array.isArray(n) ? n : [n, 2 * n, 4 * n, 8 * n], build, run });

// ---- drf-gate (JSON policy): check / can / subject
dim("check", "object fields", 4000, (n) => ({ view: "owned", method: "GET", detail: true, user: PLAIN, object: { owner: 2, ...manyKeys(n) } }), (c) => gate.check(c));
dim("check", "object string length", 100_000, (n) => ({ view: "named", method: "GET", detail: true, user: PLAIN, object: { name: "x".repeat(n) } }), (c) => gate.check(c));
dim("check", "object list (`in`)", 4000, (n) => ({ view: "items", method: "GET", detail: true, user: PLAIN, object: { items: Array.from({ length: n }, (_, i) => i + 10) } }), (c) => gate.check(c));
dim("check", "user attributes", 4000, (n) => ({ view: "admin", method: "GET", user: { id: 3, attributes: manyKeys(n) } }), (c) => gate.check(c));
dim("check", "user permissions", 4000, (n) => ({ view: "models", method: "POST", user: { id: 3, permissions: Array.from({ length: n }, (_, i) => `a.p${i}`) } }), (c) => gate.check(c));
dim("check", "user permissions (object perms)", 4000, (n) => ({ view: "objects", method: "PUT", detail: true, user: { id: 3, permissions: Array.from({ length: n }, (_, i) => `a.p${i}`) }, object: { id: 1 } }), (c) => gate.check(c));
dim("check", "user objectPermissions", 4000, (n) => ({ view: "objects", method: "PUT", detail: true, object: { id: 1 }, user: { id: 3, objectPermissions: Array.from({ length: n }, (_, i) => `g${i}`) } }), (c) => gate.check(c));
dim("check", "context text keys", 4000, (n) => JSON.stringify({ view: "admin", method: "GET", user: { id: 3, attributes: manyKeys(n) } }), (c) => gate.check(c));
dim("check", "context text duplicate keys", 4000, (n) => `{"view":"admin","method":"GET","user":{"id":3,"attributes":{${Array.from({ length: n }, (_, i) => `"k${i % 3}":${i}`).join(",")}}}}`, (c) => gate.check(c));
dim("check", "accept media ranges", 8, (n) => ({ view: "posts", method: "GET", accept: Array.from({ length: n * 8 }, (_, i) => `a/b${i}`).join(", ") }), (c) => gate.check(c));
dim("check", "accept parameters", 4, (n) => ({ view: "posts", method: "GET", accept: "application/json" + ";x=y".repeat(n * 7) }), (c) => gate.check(c));
dim("can", "object fields", 4000, (n) => ({ owner: 2, ...manyKeys(n) }), (o) => gate.can(PLAIN, "owned", "retrieve", o));
dim("can", "user permissions", 4000, (n) => ({ id: 3, permissions: Array.from({ length: n }, (_, i) => `a.p${i}`) }), (u) => gate.can(u, "models", "create"));
dim("subject", "user permissions", 4000, (n) => ({ id: 3, permissions: Array.from({ length: n }, (_, i) => `a.p${i}`) }), (u) => gate.subject(u).free());
dim("subject+can", "permissions, subject held", 4000, (n) => gate.subject({ id: 3, permissions: Array.from({ length: n }, (_, i) => `a.p${i}`) }), (s) => gate.can(s, "models", "create"));
dim("permissionsFor", "object fields", 4000, (n) => ({ owner: 2, ...manyKeys(n) }), (o) => gate.permissionsFor(PLAIN, "owned", o));

// JavaScript's own cost of walking the same object (a reference: V8 keeps an object of many
// keys as a hash table, whose enumeration grows faster than its size).
dim("reference (JS for-in)", "object fields", 4000, (n) => ({ owner: 2, ...manyKeys(n) }), (o) => {
  let count = 0;
  for (const key in o) if (o[key] !== undefined) count++;
  return count;
});
dim("reference (JSON.stringify)", "object fields", 4000, (n) => ({ owner: 2, ...manyKeys(n) }), (o) => JSON.stringify(o));
// One call against a larger policy (the per-call cost should not grow with the policy).
const bigGate = (n) => new node.Gate({ ...POLICY, views: { ...POLICY.views, ...manyKeys(n, "v", { permissions: ["IsAuthenticated"] }) } });
dim("can", "views in the policy (per call)", 500, (n) => bigGate(n), (g) => g.can(PLAIN, "v0", "list"));
dim("check", "views in the policy (per call)", 500, (n) => bigGate(n), (g) => g.check({ view: "v0", action: "list", user: PLAIN }));
dim("runtime can", "views in the policy (per call)", 500, (n) => new runtimeApi.Gate(bigGate(n).toCompiled()), (g) => g.can(PLAIN, "v0", "list"));

// ---- drf-gate/runtime and drf-gate/can (compiled policy)
dim("runtime check", "object fields", 4000, (n) => ({ view: "owned", method: "GET", detail: true, user: PLAIN, object: { owner: 2, ...manyKeys(n) } }), (c) => runtimeGate.check(c));
dim("runtime check", "user permissions", 4000, (n) => ({ view: "models", method: "POST", user: { id: 3, permissions: Array.from({ length: n }, (_, i) => `a.p${i}`) } }), (c) => runtimeGate.check(c));
dim("runtime can", "object list (`in`)", 4000, (n) => ({ items: Array.from({ length: n }, (_, i) => i + 10) }), (o) => runtimeGate.can(PLAIN, "items", "retrieve", o));
dim("can build", "object fields", 4000, (n) => ({ owner: 2, ...manyKeys(n) }), (o) => canGate.can(PLAIN, "owned", "retrieve", o));
dim("can build", "user permissions", 4000, (n) => ({ id: 3, permissions: Array.from({ length: n }, (_, i) => `a.p${i}`) }), (u) => canGate.can(u, "models", "create"));
const compiledWith = (policy) => {
  const g = new node.Gate(policy);
  try {
    return g.toCompiled();
  } finally {
    g.free();
  }
};
dim("runtime load (.gate)", "views", 512, (n) => compiledWith({ views: manyKeys(n, "v", { permissions: ["IsAuthenticated"] }) }), (bytes) => withGate(runtimeApi.Gate, bytes));
dim("runtime load (.gate)", "routes", 1000, (n) => compiledWith({ views: { v: {} }, routes: Array.from({ length: n }, (_, i) => ({ pattern: `/r${i}/{pk}/`, view: "v", detail: true })) }), (bytes) => withGate(runtimeApi.Gate, bytes));
dim("runtime load (.gate)", "classes", 500, (n) => compiledWith({ classes: manyKeys(n, "C", { hasPermission: "request.user.id == 3" }), views: manyKeys(n, "v", { permissions: ["IsAuthenticated"] }) }), (bytes) => withGate(runtimeApi.Gate, bytes));
dim("can build load (.gate)", "views", 512, (n) => compiledWith({ views: manyKeys(n, "v", { permissions: ["IsAuthenticated"] }) }), (bytes) => withGate(canApi.Gate, bytes));

// ---- policy compile (new Gate(policy)) and toCompiled
const conditionPolicy = (source) => ({ classes: { C: source.includes("obj") ? { hasObjectPermission: source } : { hasPermission: source, hasObjectPermission: source } }, views: { v: { permissions: ["C"] } } });
dim("compile", "views", 512, (n) => ({ views: manyKeys(n, "v", { permissions: ["IsAuthenticated"] }) }), (p) => withGate(node.Gate, p));
dim("compile", "views, policy text", 512, (n) => JSON.stringify({ views: manyKeys(n, "v", { permissions: ["IsAuthenticated"] }) }), (p) => withGate(node.Gate, p));
dim("compile", "routes", 1000, (n) => ({ views: { v: {} }, routes: Array.from({ length: n }, (_, i) => ({ pattern: `/r${i}/{pk}/`, view: "v", detail: true })) }), (p) => withGate(node.Gate, p));
dim("compile", "classes (each used)", 500, (n) => ({ classes: manyKeys(n, "C", { hasPermission: "True" }), views: Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, { permissions: [`C${i}`] }])) }), (p) => withGate(node.Gate, p));
dim("compile", "classes (bases chain 64 / fan)", 500, (n) => ({ classes: { B: { hasPermission: "True" }, ...manyKeys(n, "C", { base: "B" }) }, views: { v: { permissions: ["C0"] } } }), (p) => withGate(node.Gate, p));
dim("compile", "actions per view", 500, (n) => ({ views: { v: { actions: manyKeys(n, "a", { methods: ["GET"], detail: false }) } } }), (p) => withGate(node.Gate, p));
dim("compile", "permissions per view (list)", 500, (n) => ({ classes: { A: { hasPermission: "True" } }, views: { v: { permissions: Array(n).fill("A") } } }), (p) => withGate(node.Gate, p));
dim("compile", "permsMap entries", 2000, (n) => ({ classes: { M: { base: "DjangoModelPermissions", permsMap: manyKeys(n, "M", ["%(app_label)s.x_%(model_name)s"]) } }, views: { v: { model: "a.b", permissions: ["M"] } } }), (p) => withGate(node.Gate, p));
dim("compile", "condition and-chain", 20, (n) => conditionPolicy(Array(n).fill("request.user.id == 1").join(" and ")), (p) => withGate(node.Gate, p));
dim("compile", "condition or-chain of `in` lists", 10, (n) => conditionPolicy(Array(n).fill('request.user.username in ["a", "b", "c"]').join(" or ")), (p) => withGate(node.Gate, p));
dim("compile", "condition string literal", 500, (n) => conditionPolicy(`obj.name == "${"x".repeat(n - 1)}\\n"`), (p) => withGate(node.Gate, p));
dim("compile", "condition list literal", 120, (n) => conditionPolicy(`request.user.id in [${Array.from({ length: n }, (_, i) => i).join(",")}]`), (p) => withGate(node.Gate, p));
dim("compile", "condition nesting (not)", 8, (n) => conditionPolicy("not ".repeat(n) + "True"), (p) => withGate(node.Gate, p));
dim("compile", "permission expression A|B|... ", 8, (n) => ({ classes: { A: {}, B: {} }, views: { v: { permissions: [Array.from({ length: n }, (_, i) => (i % 2 ? "A" : "B")).join(" | ")] } } }), (p) => withGate(node.Gate, p));
dim("compile", "csrf trustedOrigins", 500, (n) => policyWith({ settings: { csrf: { allowedHosts: [HOST], trustedOrigins: Array.from({ length: n }, (_, i) => `https://h${i}.example.com`) } } }), (p) => withGate(node.Gate, p));
dim("compile", "policy whitespace", 500_000, (n) => " ".repeat(n) + JSON.stringify(POLICY), (p) => withGate(node.Gate, p));
dim("toCompiled", "views", 512, (n) => new node.Gate({ views: manyKeys(n, "v", { permissions: ["IsAuthenticated"] }) }), (g) => g.toCompiled());

// ---- checkRequestSync (raw request): headers
dim("checkRequestSync", "header count", 12, (n) => raw("GET", "/api/admin/", { ...manyKeys(n - 2, "x-h", "v"), authorization: "Token k" }), sync);
dim("checkRequestSync", "header value length", 1000, (n) => raw("GET", "/api/admin/", { "x-big": "a".repeat(n), authorization: "Token k" }), sync);
dim("checkRequestSync", "cookie pairs", 120, (n) => raw("GET", "/api/posts/", { cookie: Array.from({ length: n }, (_, i) => `c${i}=1`).join(";") }), sync);
dim("checkRequestSync", "cookie pairs, same name", 120, (n) => raw("GET", "/api/posts/", { cookie: "c=1;".repeat(n) + "sessionid=s1" }), sync);
dim("checkRequestSync", "cookie quoted escapes", 200, (n) => raw("GET", "/api/posts/", { cookie: `sessionid="${"\\101".repeat(n)}"` }), sync);
dim("checkRequestSync", "cookie ; with quotes", 240, (n) => raw("GET", "/api/posts/", { cookie: `a="${'x";'.repeat(n)}"` }), sync);
dim("checkRequestSync", "Accept media ranges", 120, (n) => raw("GET", "/api/posts/", { accept: Array.from({ length: n }, (_, i) => `t/s${i}`).join(","), authorization: "Token k" }), sync);
dim("checkRequestSync", "Accept commas only", 1000, (n) => raw("GET", "/api/posts/", { accept: ",".repeat(n) + "application/json", authorization: "Token k" }), sync);
dim("checkRequestSync", "Accept ; in quotes (256 max)", 30, (n) => raw("GET", "/api/posts/", { accept: `application/json;a="${";".repeat(n)}`, authorization: "Token k" }), sync);
dim("checkRequestSync", "Content-Type parameters", 120, (n) => sessionPost("{}", "application/json" + Array.from({ length: n }, (_, i) => `; p${i}=1`).join("")), sync);
dim("checkRequestSync", "Content-Type same parameter", 120, (n) => sessionPost("{}", "application/json" + "; p=1".repeat(n)), sync);
dim("checkRequestSync", "Content-Type ; in open quote", 1000, (n) => sessionPost("{}", 'application/json; a="' + ";".repeat(n)), sync);
dim("checkRequestSync", "Content-Type RFC 2231 sections", 100, (n) => sessionPost("{}", "application/json" + Array.from({ length: n }, (_, i) => `; x*${n - i}=a`).join("")), sync);
dim("checkRequestSync", "Content-Type RFC 2231 names", 100, (n) => sessionPost("{}", "application/json" + Array.from({ length: n }, (_, i) => `; x${i}*=a`).join("")), sync);
dim("checkRequestSync", "Content-Type escaped quotes", 500, (n) => sessionPost("{}", 'application/json; a="' + '\\"'.repeat(n) + '"'), sync);
dim("checkRequestSync", "Token length", 500, (n) => raw("GET", "/api/posts/", { authorization: "Token " + "a".repeat(n) }), sync);
dim("checkRequestSync", "Basic length", 500, (n) => raw("GET", "/api/posts/", { authorization: "Basic " + btoa("u:" + "p".repeat(n)) }), sync);
dim("checkRequestSync", "JWT claims", 50, (n) => raw("GET", "/api/posts/", { authorization: "Bearer " + jwtLike(JSON.stringify({ token_type: "access", exp: 4e9, user_id: 1, ...manyKeys(n, "c") })) }), sync);
dim("checkRequestSync", "JWT duplicate claims", 60, (n) => raw("GET", "/api/posts/", { authorization: "Bearer " + jwtLike(`{${'"a":1,'.repeat(n)}"user_id":1}`) }), sync);
dim("checkRequestSync", "JWT nesting", 100, (n) => raw("GET", "/api/posts/", { authorization: "Bearer " + jwtLike(`{"a":${"[".repeat(n)}${"]".repeat(n)},"user_id":1}`) }), sync);
dim("checkRequestSync", "JWT string escapes", 100, (n) => raw("GET", "/api/posts/", { authorization: "Bearer " + jwtLike(`{"a":"${"\\u00e9".repeat(n)}","user_id":1}`) }), sync);
dim("checkRequestSync", "JWT header claims", 50, (n) => raw("GET", "/api/posts/", { authorization: `Bearer ${b64url(JSON.stringify({ alg: "HS256", ...manyKeys(n, "h") }))}.${b64url("{}")}.c2ln` }), sync);
dim("checkRequestSync", "Host length", 500, (n) => raw("GET", "/api/posts/", { host: "a".repeat(n) + ".example.com" }), sync);
dim("checkRequestSync", "Origin length (session POST)", 500, (n) => sessionPost("{}", "application/json", { origin: "https://" + "a".repeat(n) + ".example.com" }), sync);
dim("checkRequestSync", "Referer length (session POST)", 500, (n) => sessionPost("{}", "application/json", { origin: undefined, referer: "https://" + HOST + "/" + "a/".repeat(n / 2) }), sync);
dim("checkRequestSync", "X-CSRFToken length", 500, (n) => sessionPost("{}", "application/json", { "x-csrftoken": "a".repeat(n) }), sync);
dim("checkRequestSync", "path length", 20_000, (n) => raw("GET", "/api/posts/" + "a".repeat(n) + "/"), sync);
dim("checkRequestSync", "path segments", 5000, (n) => raw("GET", "/api/" + "a/".repeat(n)), sync);
dim("checkRequestSync", "path escapes", 5000, (n) => raw("GET", "/api/posts/" + "%41".repeat(n) + "/"), sync);
dim("checkRequestSync", "query fields", 125, (n) => raw("GET", "/api/posts/?" + "a=1&".repeat(n) + "format=json"), sync);
dim("checkRequestSync", "query format values", 125, (n) => raw("GET", "/api/posts/?" + "format=json&".repeat(n)), sync);
dim("checkRequestSync", "query length", 20_000, (n) => raw("GET", "/api/posts/?q=" + "%41".repeat(n / 3)), sync);
// bodies (a session POST without the header token: the body is read for it)
const tokenJsonPost = (body) => raw("POST", "/api/posts/", { origin: BASE, cookie: `sessionid=s1; csrftoken=${CSRF}`, "content-type": "application/json" }, { body });
dim("checkRequestSync", "JSON body keys", 10_000, (n) => sessionPost(`{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")}}`), sync);
dim("checkRequestSync", "JSON body duplicate keys", 10_000, (n) => sessionPost(`{${Array.from({ length: n }, (_, i) => `"k${i % 7}":${i}`).join(",")}}`), sync);
dim("checkRequestSync", "JSON body nesting (900 max)", 100, (n) => sessionPost("[".repeat(n) + "]".repeat(n)), sync);
dim("checkRequestSync", "JSON body string escapes", 25_000, (n) => sessionPost(`"${"\\u00e9".repeat(n)}"`), sync);
dim("checkRequestSync", "JSON body surrogate escapes", 12_000, (n) => sessionPost(`"${"\\ud83d\\ude00".repeat(n)}"`), sync);
dim("checkRequestSync", "JSON body big int", 500, (n) => sessionPost(`[${"9".repeat(n)}]`), sync);
dim("checkRequestSync", "JSON body floats", 5000, (n) => sessionPost(`[${Array(n).fill("1.5e3").join(",")}]`), sync);
dim("checkRequestSync", "JSON body utf-16", 100_000, (n) => sessionPost(`"${"x".repeat(n)}"`, "application/json; charset=utf-16-le"), sync);
dim("checkRequestSync", "JSON body latin-1 non-ascii", 100_000, (n) => sessionPost(`"${"\u00e9".repeat(n)}"`, "application/json; charset=latin-1"), sync);
void tokenJsonPost;
dim("checkRequestSync", "form fields (1000 max)", 120, (n) => formPost(form(n), "application/x-www-form-urlencoded"), sync);
dim("checkRequestSync", "form value length", 160_000, (n) => formPost(form(1, n), "application/x-www-form-urlencoded"), sync);
dim("checkRequestSync", "form % escapes", 100_000, (n) => formPost("a=" + "%41".repeat(n / 3) + `&csrfmiddlewaretoken=${CSRF}`, "application/x-www-form-urlencoded"), sync);
dim("checkRequestSync", "form + and bad %", 100_000, (n) => formPost("a=" + "+%".repeat(n / 2) + `&csrfmiddlewaretoken=${CSRF}`, "application/x-www-form-urlencoded"), sync);
dim("checkRequestSync", "form charset latin-1", 100_000, (n) => formPost("a=" + "\u00e9".repeat(n) + `&csrfmiddlewaretoken=${CSRF}`, "application/x-www-form-urlencoded; charset=latin-1"), sync);
dim("checkRequestSync", "multipart parts (1000 max)", 120, (n) => formPost(multipart(n), "multipart/form-data; boundary=b"), sync);
dim("checkRequestSync", "multipart part size", 160_000, (n) => formPost(multipart(1, n), "multipart/form-data; boundary=b"), sync);
dim("checkRequestSync", "multipart near-boundaries", 100_000, (n) => formPost(multipart(0) .replace("--b--", "\r\n--".repeat(n / 4) + "--b--"), "multipart/form-data; boundary=b"), sync);
dim("checkRequestSync", "multipart file size", 160_000, (n) => formPost(multipart(0).replace("--b--", `--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n${"x".repeat(n)}\r\n--b--`), "multipart/form-data; boundary=b"), sync);
dim("checkRequestSync", "multipart long boundary", 8, (n) => { const b = "b".repeat(n * 8); return formPost(multipart(50).replaceAll("--b", "--" + b), `multipart/form-data; boundary=${b}`); }, sync);
// A plain-object body over MAX_BODY_BYTES / 3 UTF-16 units crosses as JSON text, not as
// bytes (pkg/src/check-request.js: wasm memory stays bounded by the body): a step in cost at
// 1.4 MB, linear on either side. Sizes x1.41 (the growth is given per doubling).
const OVER_THIRD = [1_450_000, 2_050_000, 2_900_000, 4_100_000];
dim("checkRequestSync", "form value length (JSON path)", OVER_THIRD, (n) => formPost(form(1, n - 100), "application/x-www-form-urlencoded"), sync);
dim("checkRequestSync", "JSON body keys (JSON path)", OVER_THIRD, (n) => sessionPost(`{${Array.from({ length: Math.floor(n / 14) }, (_, i) => `"k${i}":${i % 100}`).join(",")}}`), sync);
dim("checkRequestSync", "multipart file size (JSON path)", OVER_THIRD, (n) => formPost(multipart(0).replace("--b--", `--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n${"x".repeat(n - 300)}\r\n--b--`), "multipart/form-data; boundary=b"), sync);
dim("checkRequestSync", "bodyBase64 length", 200_000, (n) => ({ ...formPost(undefined, "application/x-www-form-urlencoded"), bodyBase64: btoa("a=" + "v".repeat(n) + `&csrfmiddlewaretoken=${CSRF}`) }), sync);

// ---- checkRequest (async) and the guard (Fetch Requests)
dim("checkRequest (Fetch)", "header count", 12, (n) => ({ ...manyKeys(n - 2, "x-h", "v"), authorization: "Token k" }), (h) => gate.checkRequest(fetchRequest("GET", "/api/admin/", h), { resolvers }));
dim("checkRequest (Fetch)", "form fields", 120, (n) => form(n), (body) => gate.checkRequest(fetchRequest("POST", "/api/posts/", { origin: BASE, cookie: `sessionid=s1; csrftoken=${CSRF}`, "content-type": "application/x-www-form-urlencoded" }, body), { resolvers }));
dim("guard", "header count", 12, (n) => ({ ...manyKeys(n - 2, "x-h", "v"), authorization: "Token k" }), (h) => guard(fetchRequest("GET", "/api/admin/", h)));
dim("guard", "cookie pairs", 120, (n) => Array.from({ length: n }, (_, i) => `c${i}=1`).join(";"), (cookie) => guard(fetchRequest("GET", "/api/posts/", { cookie })));
dim("guard", "JSON body keys", 15_000, (n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")}}`, (body) => guard(fetchRequest("POST", "/api/posts/", { origin: BASE, cookie: `sessionid=s1; csrftoken=${CSRF}`, "x-csrftoken": CSRF, "content-type": "application/json" }, body)));
dim("guard", "multipart parts", 120, (n) => multipart(n), (body) => guard(fetchRequest("POST", "/api/posts/", { origin: BASE, cookie: `sessionid=s1; csrftoken=${CSRF}`, "content-type": "multipart/form-data; boundary=b" }, body)));
dim("guard", "path length", 20_000, (n) => "/api/posts/" + "a".repeat(n) + "/", (path) => guard(fetchRequest("GET", path, { authorization: "Token k" })));

// ------------------------------------------------------------------ measuring
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const isAsync = (value) => value && typeof value.then === "function";
async function once(d, input) {
  try {
    const r = d.run(input);
    if (isAsync(r)) await r;
  } catch (error) {
    if (d.refused === undefined) d.refused = `${error?.name}: ${String(error?.message).slice(0, 80)}`;
  }
}
async function sample(d, input, batch) {
  gc();
  const started = performance.now();
  for (let i = 0; i < batch; i++) await once(d, input);
  return performance.now() - started;
}
async function measure(d) {
  const inputs = d.sizes.map((n) => d.build(n));
  // Each input must be answered, not refused: a throw at any size is reported.
  for (const input of inputs) await once(d, input);
  const note = d.refused ?? "";
  const top = inputs.at(-1);
  await sample(d, top, 1); // warm
  const one = await sample(d, top, 1);
  const batch = Math.max(1, Math.min(10_000, Math.ceil(TARGET_MS / Math.max(one, 0.001))));
  const times = d.sizes.map(() => []);
  for (let r = 0; r < REPS; r++) {
    for (let i = 0; i < inputs.length; i++) times[i].push((await sample(d, inputs[i], batch)) / batch);
  }
  const ms = times.map(median);
  // Per doubling of the size (the sizes of a dimension need not double).
  const growth = ms.slice(1).map((t, i) => (t / ms[i]) ** (1 / Math.log2(d.sizes[i + 1] / d.sizes[i])));
  return { ms, growth, batch, note };
}

const results = [];
const fmt = (ms) => (ms >= 10 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms >= 0.01 ? ms.toFixed(3) : ms.toExponential(1));
console.log("entry | dimension | sizes | ms per call | growth per doubling | verdict");
let flagged = 0;
for (const d of dims) {
  if (only && !`${d.entry} ${d.name}`.includes(only)) continue;
  let m = await measure(d);
  if (m.growth.at(-1) > FLAG) m = await measure(d); // measured again before it is flagged
  const top = m.growth.at(-1);
  const verdict = top > FLAG ? "SUPERLINEAR" : top > 2.5 ? "watch" : "linear";
  if (verdict === "SUPERLINEAR") flagged++;
  const row = { entry: d.entry, dimension: d.name, sizes: d.sizes, ms: m.ms, growth: m.growth, batch: m.batch, verdict, note: m.note };
  results.push(row);
  console.log(`${d.entry} | ${d.name} | ${d.sizes.join(", ")} | ${m.ms.map(fmt).join(", ")} | ${m.growth.map((g) => g.toFixed(2)).join(", ")} | ${verdict}${m.batch > 1 ? ` (x${m.batch})` : ""}${m.note ? ` [${m.note}]` : ""}`);
}
console.log(`scaling: ${results.length} dimensions, ${flagged} superlinear`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));
process.exitCode = flagged ? 1 : 0;
