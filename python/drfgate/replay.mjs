// Replays drfgate_check's cases through the built drf-gate npm package.
//
//   node python/drfgate/replay.mjs CASES.json   ->  stdout: {"results": [{id, decision, routed} | {id, error}]}
//
// CASES.json is {"policy": {...}, "cases": [{"id", "context", ...}]} (python/drfgate/check.py).
// The package is pkg/ of this repository, or the directory (or package name) in $DRFGATE_PKG.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// A key the exporter adds for the Workers router; not part of the Gate's policy (docs/policy.md).
const ROUTING_KEYS = ["leftToOrigin"];

async function loadPackage() {
  const here = dirname(fileURLToPath(import.meta.url));
  const spec = process.env.DRFGATE_PKG || resolve(here, "..", "..", "pkg");
  if (!process.env.DRFGATE_PKG && !existsSync(join(spec, "package.json"))) {
    fail(`the drf-gate npm package is not at ${spec}: build pkg/ or set DRFGATE_PKG`);
  }
  if (!existsSync(spec)) {
    // A package name: resolve it from the working directory.
    const require = createRequire(join(process.cwd(), "noop.js"));
    return import(pathToFileURL(require.resolve(spec)).href);
  }
  const manifest = JSON.parse(readFileSync(join(spec, "package.json"), "utf8"));
  const entry = pickEntry(manifest.exports, manifest) ?? manifest.main ?? "index.js";
  if (!existsSync(join(spec, entry))) fail(`${join(spec, entry)} does not exist: build the package first`);
  return import(pathToFileURL(join(spec, entry)).href);
}

function fail(message) {
  process.stderr.write(`replay.mjs: ${message}\n`);
  process.exit(4);
}

function pickEntry(exports, manifest) {
  if (!exports) return manifest.module;
  if (typeof exports === "string") return exports;
  const root = exports["."] ?? exports;
  if (typeof root === "string") return root;
  for (const cond of ["node", "import", "default"]) {
    const target = root[cond];
    if (typeof target === "string") return target;
    if (target && typeof target === "object") {
      const nested = pickEntry({ ".": target }, manifest);
      if (nested) return nested;
    }
  }
  return undefined;
}

// serde-wasm-bindgen may hand back Maps; bodies may be bytes. Make plain JSON.
function plain(value) {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function errorJson(e) {
  return { name: e?.name, code: e?.code, message: e?.message ?? String(e), path: e?.path };
}

// JSON.parse, but an integer beyond Number.MAX_SAFE_INTEGER is a BigInt: a pk such as
// 9007199254740993 stays that user's (gate.check decides BigInt ids exactly), not 2^53's.
function parseExact(text) {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (m) =>
    m[0] === '"' || !/^-?\d+$/.test(m) || Number.isSafeInteger(Number(m)) ? m : `"\\ud800${m}"`);
  return JSON.parse(marked, (_, v) =>
    typeof v === "string" && v[0] === "\ud800" && /^-?\d+$/.test(v.slice(1)) ? BigInt(v.slice(1)) : v);
}

const file = process.argv[process.argv.length - 1];
const text = readFileSync(file, "utf8");
const { policy } = JSON.parse(text);
const { cases } = parseExact(text);
const mod = await loadPackage();
if (typeof mod.Gate !== "function" && typeof mod.default === "function") await mod.default();
const Gate = mod.Gate ?? mod.default?.Gate;
const gatePolicy = Object.fromEntries(Object.entries(policy).filter(([k]) => !ROUTING_KEYS.includes(k)));
let gate;
try {
  gate = new Gate(gatePolicy);
} catch (e) {
  process.stderr.write(`drf-gate rejected the policy: ${JSON.stringify(errorJson(e))}\n`);
  process.exit(3);
}
const results = cases.map(({ id, context, request }) => {
  try {
    // routed: whether the core's router matches the path (no route: the origin answers).
    return { id, decision: plain(gate.check(context)), routed: gate.route(request.path) !== null };
  } catch (e) {
    return { id, error: errorJson(e) };
  }
});
process.stdout.write(JSON.stringify({ results }));
