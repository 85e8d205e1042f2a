#!/usr/bin/env bash
# Builds the npm package into pkg/dist/: cargo (wasm32) -> wasm-bindgen -> wasm-opt -Oz (npm
# binaryen) -> entry points. Idempotent; no wasm-pack. Five wasm files from one crate:
#   - runtime (`--no-default-features`, std rebuilt for size: `-Z build-std`, target/runtime):
#     no policy compiler, no JSON reader; loads compiled
#     policies (`npx drf-gate compile`); the browser runtime (`drf-gate/runtime`,
#     drf_gate_runtime.js + drf_gate_runtime_bg.wasm, web glue);
#   - can (the runtime with `--cfg drf_gate_can_only`): the UI-gating build, every runtime binding
#     but `check` (`drf-gate/can`, drf_gate_can.js + drf_gate_can_bg.wasm, web glue);
#   - core (`--no-default-features`): policies, decisions, UI gating; what browsers load
#     (drf_gate_core.js + drf_gate_core_bg.wasm, web glue);
#   - edge (default features): everything, raw-request authentication and JWT crypto included;
#     what Node, workerd and `drf-gate/web-edge` load (drf_gate.js / drf_gate.cjs, one shared
#     drf_gate_bg.wasm);
#   - worker (`--no-default-features --features edge`, the edge profile, `wasm-opt -O3`): the
#     edge build without the policy compiler and without RSA/ECDSA (HS* JWTs only; a policy with
#     an RS/ES key is refused at load), for Workers that load a compiled policy (`drf-gate/worker`,
#     drf_gate_worker.js + drf_gate_worker_bg.wasm, web glue): a smaller module for workerd to
#     validate and compile on every cold isolate, as fast per request as the edge build.
#
#   bash scripts/build.sh                  # release build
#   bash scripts/build.sh --runtime-size   # the browser runtime .wasm only, for size work
#
# `--runtime-size` prints the runtime's `wasm size:` line and leaves pkg/dist alone: the .wasm as
# shipped in target/runtime/drf_gate_runtime_bg.wasm, and the same steps with the name section
# kept in drf_gate_runtime_bg.names.wasm (`python3 scripts/wasm-sizes.py` reads it; binaryen
# chooses slightly differently with names, so compare names files with names files).
#
# Prints `wasm size: N bytes raw, N bytes gzip` for the browser runtime .wasm, then
# `wasm size (can): ...` (the UI-gating build), `wasm size (core): ...` (JSON policies in the browser) and `wasm size (edge): ...`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dist="$root/pkg/dist"
target=wasm32-unknown-unknown

log() { printf '[build] %s\n' "$*" >&2; }
runtime_only=false
if [[ "${1:-}" == --runtime-size ]]; then
  runtime_only=true
elif [[ $# -gt 0 ]]; then
  echo "usage: bash scripts/build.sh [--runtime-size]" >&2
  exit 2
fi

# 1. Toolchain: the wasm32 target, and wasm-bindgen-cli at exactly the crate's version.
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  log "adding rust target $target"
  rustup target add "$target"
fi
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [[ -z "$want" ]]; then
  echo "build.sh: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [[ "$have" != "$want" ]]; then
  log "installing wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want"
fi

# 2. wasm-opt from the npm package binaryen, in the root npm workspace (package-lock.json).
bash "$root/scripts/npm-install.sh"
wasm_opt="$root/node_modules/.bin/wasm-opt"

# The runtime's glue and wasm-opt steps (also `--runtime-size`'s). wasm-opt: the features are the
# ones rustc's default wasm32 target emits; OPT_NAMES=keep keeps the name section.
bindgen_runtime() {
  wasm-bindgen --target web --no-typescript --out-dir "$tmp/runtime" --out-name drf_gate_runtime "$tmp/runtime.wasm"
}
optimize() {
  local in="$1" out="$2" level="$3" strip=--strip-debug
  shift 3
  [[ "${OPT_NAMES:-}" == keep ]] && strip=--debuginfo
  "$wasm_opt" "$level" "$strip" --strip-producers \
    --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-multivalue "$@" \
    "$in" -o "$out"
}
# The runtime also drops its target_features section (only wasm-bindgen reads it, before): 148 B.
# `--low-memory-unused` folds added constants into load/store offsets (-385 B gzip): it only
# changes an access whose address wraps around 2^32 into the low 1K, which safe Rust never
# computes (it traps instead). Then functions that differ only in constants are merged (-71 B),
# the control flow is flattened and rebuilt by binaryen's relooper, and -Oz runs until the module
# stops shrinking (`--converge`: -135 B against a third -Oz, ~4 s CPU more; bench/notes.md,
# seventh pass). Then the functions are put in order, smallest body first
# (scripts/order-functions.mjs: -428 B gzip; thirteenth pass), and -Oz runs once more (binaryen's
# writer optimises the stack form only after an optimisation pass: without it, +165 B raw).
optimize_runtime() {
  local stage="$tmp/optimize-runtime.wasm"
  optimize "$1" "$stage" --strip-target-features --low-memory-unused --merge-similar-functions \
    --flatten --rereloop -Oz -Oz --converge
  node "$root/scripts/order-functions.mjs" "$stage" "$stage"
  optimize "$stage" "$2" -Oz
  rm -f "$stage"
}
size() {
  local raw gz
  raw="$(wc -c < "$1" | tr -d ' ')"
  gz="$(gzip -9 -c "$1" | wc -c | tr -d ' ')"
  echo "$raw bytes raw, $gz bytes gzip"
}

# 3. Compile, once per build. Not stripped here: wasm-bindgen reads the target_features section,
#    and wasm-opt strips afterwards.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
wasm="$root/target/$target/release/drf_gate.wasm"
# The browser runtime rebuilds std itself (`-Z build-std`, hence rust-src and RUSTC_BOOTSTRAP on
# stable): panic=immediate-abort (a panic is the same trap as before, without std's panic and
# `core::fmt` machinery), std's `optimize_for_size` algorithms, no panic locations: -5.2 KB gzip
# (bench/notes.md). MIR inlining, which rustc leaves off at opt-level z: -1,006 B gzip (small
# functions inlined before LLVM; bench/notes.md, seventh pass), at half rustc's default
# thresholds (50/100): -387 B more (eighth pass: 20/40, 35/70 and 25/100 were worse). Its own
# target dir: other RUSTFLAGS would make cargo rebuild the core and edge builds' dependencies each
# time. The config's wasm32 rustflags are repeated (RUSTFLAGS replaces them).
if ! rustup component list --installed 2>/dev/null | grep -qx 'rust-src'; then
  log "adding rust component rust-src (the runtime build rebuilds std)"
  rustup component add rust-src
fi
runtime_rustflags='--cfg getrandom_backend="wasm_js" -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zinline-mir=yes -Zinline-mir-threshold=25 -Zinline-mir-hint-threshold=50'
# build_runtime TARGET_DIR [RUSTFLAGS...]: the runtime's cargo build (the UI-gating build adds a cfg).
build_runtime() {
  local dir="$1"
  shift
  RUSTC_BOOTSTRAP=1 CARGO_PROFILE_RELEASE_STRIP=false RUSTFLAGS="$runtime_rustflags${*:+ $*}" \
    cargo build --release --target "$target" --lib --no-default-features \
    -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size --target-dir "$root/target/$dir"
}
log "cargo build --release --target $target --no-default-features -Z build-std (runtime)"
build_runtime runtime
cp "$root/target/runtime/$target/release/drf_gate.wasm" "$tmp/runtime.wasm"
if $runtime_only; then
  bindgen_runtime
  cp "$tmp/runtime/drf_gate_runtime_bg.wasm" "$tmp/named.wasm"
  cp "$tmp/runtime/drf_gate_runtime.js" "$tmp/named.js"
  node "$root/scripts/single-result.mjs" --short-exports "$tmp/runtime/drf_gate_runtime_bg.wasm" "$tmp/runtime/drf_gate_runtime.js"
  out="$root/target/runtime"
  optimize_runtime "$tmp/runtime/drf_gate_runtime_bg.wasm" "$out/drf_gate_runtime_bg.wasm"
  # The same steps with the name section kept (binaryen then chooses slightly differently).
  SINGLE_RESULT_NAMES=keep node "$root/scripts/single-result.mjs" --short-exports "$tmp/named.wasm" "$tmp/named.js"
  OPT_NAMES=keep optimize_runtime "$tmp/named.wasm" "$out/drf_gate_runtime_bg.names.wasm"
  echo "wasm size: $(size "$out/drf_gate_runtime_bg.wasm") (target/runtime/drf_gate_runtime_bg.wasm)"
  exit 0
fi
# The UI-gating build (`drf-gate/can`): the runtime built with `--cfg drf_gate_can_only`, every
# binding but `check` (no `checkPacked`: no rendering, no content negotiation), the same steps.
# Its own target dir, as the runtime's (bench/notes.md, "tenth pass").
log "cargo build --release --target $target --no-default-features -Z build-std --cfg drf_gate_can_only (can)"
build_runtime can --cfg drf_gate_can_only
cp "$root/target/can/$target/release/drf_gate.wasm" "$tmp/can.wasm"
log "cargo build --release --target $target --no-default-features --features compiler (core)"
CARGO_PROFILE_RELEASE_STRIP=false cargo build --release --target "$target" --lib --no-default-features --features compiler
cp "$wasm" "$tmp/core.wasm"
# The edge build has its own cargo profile (Cargo.toml `[profile.edge]`: speed first, chosen by
# measurement; bench/notes.md) and its own wasm-opt level below.
log "cargo build --profile edge --target $target (edge)"
CARGO_PROFILE_EDGE_STRIP=false cargo build --profile edge --target "$target" --lib
cp "$root/target/$target/edge/drf_gate.wasm" "$tmp/edge.wasm"
# The Worker build: the edge profile (opt-level 3) like the edge build, whose dependencies it
# shares (sha2 and hmac build once more: other features); its drf-gate artifact is cached apart,
# so neither rebuilds the other. At opt-level z a raw JWT request took 1.8x the edge build's
# time, for 190 KB less (bench/notes.md, "Start-up, seventh pass"). HMAC only: RSA, P-256 and
# P-384 were a quarter of its bytes, which workerd validates on every cold isolate ("sixth pass").
log "cargo build --profile edge --target $target --no-default-features --features edge (worker)"
CARGO_PROFILE_EDGE_STRIP=false cargo build --profile edge --target "$target" --lib --no-default-features --features edge
cp "$root/target/$target/edge/drf_gate.wasm" "$tmp/worker.wasm"

# 4. Glue. The edge targets (web, nodejs) emit the same .wasm; dist/ keeps one copy both load.
#    The core has web glue only (Node and workerd load the edge build).
#    No TypeScript from wasm-bindgen: its exports are internal (pkg/src/gate.js is the API, and
#    pkg/src/index.d.ts its types).
bindgen_runtime
wasm-bindgen --target web --no-typescript --out-dir "$tmp/can" --out-name drf_gate_can "$tmp/can.wasm"
wasm-bindgen --target web --no-typescript --out-dir "$tmp/core" --out-name drf_gate_core "$tmp/core.wasm"
wasm-bindgen --target web --no-typescript --out-dir "$tmp/web" --out-name drf_gate "$tmp/edge.wasm"
wasm-bindgen --target web --no-typescript --out-dir "$tmp/worker" --out-name drf_gate_worker "$tmp/worker.wasm"
wasm-bindgen --target nodejs --no-typescript --out-dir "$tmp/node" --out-name drf_gate "$tmp/edge.wasm"
if ! cmp -s "$tmp/web/drf_gate_bg.wasm" "$tmp/node/drf_gate_bg.wasm"; then
  echo "build.sh: the web and nodejs targets produced different .wasm files" >&2
  exit 1
fi
if ! diff -r -q "$tmp/web/snippets" "$tmp/core/snippets" >/dev/null || ! diff -r -q "$tmp/web/snippets" "$tmp/runtime/snippets" >/dev/null \
  || ! diff -r -q "$tmp/web/snippets" "$tmp/worker/snippets" >/dev/null || ! diff -r -q "$tmp/web/snippets" "$tmp/can/snippets" >/dev/null; then
  echo "build.sh: the runtime, can, core, edge and worker glue import different snippets" >&2
  exit 1
fi

rm -rf "$dist"
mkdir -p "$dist"
# The licences ship in the package (`files`); the root files are their one copy.
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$root/pkg/"
cp -r "$tmp/web/snippets" "$dist/snippets"
cp "$tmp/web/drf_gate.js" "$tmp/core/drf_gate_core.js" "$tmp/runtime/drf_gate_runtime.js" "$tmp/can/drf_gate_can.js" "$tmp/worker/drf_gate_worker.js" "$dist/"

# The nodejs glue is CommonJS and requires the error classes' snippet: point it at a CommonJS
# copy made from the same source (pkg/src/errors.js).
snippet="$(cd "$tmp/web" && find snippets -name errors.js | head -n 1)"
if [[ -z "$snippet" ]]; then
  echo "build.sh: wasm-bindgen emitted no errors.js snippet" >&2
  exit 1
fi
#    The error classes' key (pkg/src/errors.js, KEY): the hash of its source, written into the
#    snippet (every ESM glue's and entry's copy, the Node runtime bundle's included) and the
#    CommonJS copy, so that copies of one text share their classes and no other text's.
node - "$tmp/node/drf_gate.js" "$dist/drf_gate.cjs" "$snippet" "$root/pkg/src/errors.js" "$dist/errors.cjs" "$dist/$snippet" <<'EOF'
const fs = require("node:fs");
const { createHash } = require("node:crypto");
const [glueIn, glueOut, snippet, errorsIn, errorsOut, snippetOut] = process.argv.slice(2);
let glue = fs.readFileSync(glueIn, "utf8");
const from = "require(String.raw`./" + snippet + "`)";
if (glue.split(from).length !== 2) throw new Error("build.sh: the nodejs glue's snippet require changed: " + from);
glue = glue.replace(from, 'require("./errors.cjs")');
fs.writeFileSync(glueOut, glue);
const source = fs.readFileSync(errorsIn, "utf8");
const key = 'Symbol.for("drf-gate.errors.DRF_GATE_ERRORS_HASH")';
if (source.split(key).length !== 2) throw new Error("build.sh: pkg/src/errors.js must make its KEY as " + key);
const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
const keyed = source.replace(key, `Symbol.for("drf-gate.errors.${hash}")`);
fs.writeFileSync(snippetOut, keyed);
const line = /^export const \{ ([\w, ]+) \} = shared\(\);$/m;
const names = line.exec(keyed);
if (names === null || (keyed.match(/^export /gm) || []).length !== 1) {
  throw new Error("build.sh: pkg/src/errors.js must export its classes in one line: export const { A, B } = shared();");
}
fs.writeFileSync(errorsOut, '"use strict";\n' + keyed.replace(line, "const { $1 } = shared();\nmodule.exports = { $1 };"));
EOF
# A finalizer must never throw (an uncaught error in a FinalizationRegistry callback crashes
# Node): after a trap the instance may fail every call, its `__wbg_*_free` included.
node - "$dist/drf_gate.js" "$dist/drf_gate_core.js" "$dist/drf_gate_runtime.js" "$dist/drf_gate_can.js" "$dist/drf_gate_worker.js" "$dist/drf_gate.cjs" <<'EOF'
const fs = require("node:fs");
const pattern = /new FinalizationRegistry\((\w+) => (wasm\.__wbg_\w+_free\(\1(?: >>> 0)?, 1\))\)/g;
for (const file of process.argv.slice(2)) {
  const glue = fs.readFileSync(file, "utf8");
  const count = (glue.match(/new FinalizationRegistry\(/g) || []).length;
  const guarded = glue.replace(pattern, "new FinalizationRegistry($1 => { try { $2; } catch (_) { /* a trapped instance: leak, never throw */ } })");
  const done = (guarded.match(/catch \(_\) \{ \/\* a trapped instance/g) || []).length;
  if (count === 0 || done !== count) throw new Error(`build.sh: ${file}: guarded ${done} of ${count} FinalizationRegistry callbacks`);
  fs.writeFileSync(file, guarded);
}
EOF
# Long strings into wasm memory by `encodeInto` instead of a character loop (scripts/glue-strings.mjs):
# the request text of `checkRequest*` in the edge and Worker builds.
node "$root/scripts/glue-strings.mjs" "$dist/drf_gate.js" "$dist/drf_gate.cjs" "$dist/drf_gate_worker.js"
# Exports that return one value (scripts/single-result.mjs): Node 20's V8 compiles a JS-to-wasm
# wrapper per multi-value export signature on every start (~7 of the runtime's ~12 ms compile).
# Before wasm-opt, so it optimises the wrappers with the rest.
node "$root/scripts/single-result.mjs" --short-exports "$tmp/runtime/drf_gate_runtime_bg.wasm" "$dist/drf_gate_runtime.js"
node "$root/scripts/single-result.mjs" --short-exports "$tmp/can/drf_gate_can_bg.wasm" "$dist/drf_gate_can.js"
node "$root/scripts/single-result.mjs" "$tmp/core/drf_gate_core_bg.wasm" "$dist/drf_gate_core.js"
node "$root/scripts/single-result.mjs" "$tmp/web/drf_gate_bg.wasm" "$dist/drf_gate.js" "$dist/drf_gate.cjs"
node "$root/scripts/single-result.mjs" "$tmp/worker/drf_gate_worker_bg.wasm" "$dist/drf_gate_worker.js"
# The ESM glue's snippet, under a stable name for the entry points. Named re-exports (not
# `export *`), so that esbuild's Node bundles below import the snippet itself: one module fewer
# for Node to load at every start, the same class instances.
node - "$root/pkg/src/errors.js" "$snippet" "$dist/errors.js" <<'EOF'
const fs = require("node:fs");
const [source, snippet, out] = process.argv.slice(2);
const text = fs.readFileSync(source, "utf8");
const names = /^export const \{ ([\w, ]+) \} = shared\(\);$/m.exec(text);
if (names === null) throw new Error("build.sh: pkg/src/errors.js must export its classes in one line: export const { A, B } = shared();");
fs.writeFileSync(out, `export { ${names[1]} } from "./${snippet}";\n`);
EOF

# 5. wasm-opt: -Oz (size) for the browser builds, EDGE_WASM_OPT (default -O3, speed) for the
#    edge build; the features are the ones rustc's default wasm32 target emits.
log "wasm-opt -Oz (runtime, can, core), -O3 (worker), ${EDGE_WASM_OPT:--O3} (edge)"
optimize_runtime "$tmp/runtime/drf_gate_runtime_bg.wasm" "$dist/drf_gate_runtime_bg.wasm"
optimize_runtime "$tmp/can/drf_gate_can_bg.wasm" "$dist/drf_gate_can_bg.wasm"
# The core build's functions in the same order as the runtime's (scripts/order-functions.mjs):
# -4.2 KB gzip there (thirteenth pass). Not the Worker and edge builds (-O3 code: +0.8 KB gzip).
optimize "$tmp/core/drf_gate_core_bg.wasm" "$tmp/core/optimized.wasm" -Oz
node "$root/scripts/order-functions.mjs" "$tmp/core/optimized.wasm" "$tmp/core/optimized.wasm"
optimize "$tmp/core/optimized.wasm" "$dist/drf_gate_core_bg.wasm" -Oz
# The Worker build through -O3 with the edge build's one-caller limit (below), as the edge build
# (-Os or -Oz on its opt-level-3 code: under 1 % smaller; bench/notes.md, "seventh pass").
optimize "$tmp/worker/drf_gate_worker_bg.wasm" "$dist/drf_gate_worker_bg.wasm" -O3 \
  --one-caller-inline-max-function-size "${EDGE_ONE_CALLER_INLINE:-500}"
# The edge build keeps one-caller functions over EDGE_ONE_CALLER_INLINE (binaryen's size units)
# out of line: binaryen inlines every function with one caller by default, which made
# `gatecore_fromCompiled` one 26 KB function that V8's Liftoff compiles lazily, superlinearly
# (2-15 ms, at `new Gate(policy.gate)` in Node and workerd); split, the same load compiles
# functions of at most ~8 KB (bench/notes.md, "Start-up, fourth pass").
optimize "$tmp/web/drf_gate_bg.wasm" "$dist/drf_gate_bg.wasm" "${EDGE_WASM_OPT:--O3}" \
  --one-caller-inline-max-function-size "${EDGE_ONE_CALLER_INLINE:-500}"

# 6. The public API (pkg/src/gate.js over the glue, one toRawRequest), the entry points, the
#    hand-written types, the DOM helper, the edge guard and its Hono middleware; CommonJS twins
#    of the modules node.cjs requires, and .d.cts twins of the types for CommonJS consumers.
cp "$root"/pkg/src/entries/* "$dist/"
#    node-wasm.js checks that a .wasm it finds by the package's name is this version's.
node -e '
const fs = require("node:fs");
const [file, manifest] = process.argv.slice(1);
const source = fs.readFileSync(file, "utf8");
if (source.split("\"DRF_GATE_PACKAGE_VERSION\"").length !== 2) throw new Error("build.sh: node-wasm.js lost its VERSION placeholder");
fs.writeFileSync(file, source.replace("\"DRF_GATE_PACKAGE_VERSION\"", JSON.stringify(JSON.parse(fs.readFileSync(manifest, "utf8")).version)));
' "$dist/node-wasm.js" "$root/pkg/package.json"
cp "$root"/pkg/src/{gate,check-resolved,check-request,raw-request,user,value,program,dom,guard,hono}.js "$dist/"
# The command line (`npx drf-gate compile policy.json -o policy.gate`).
cp "$root/pkg/src/cli.mjs" "$dist/"
cp "$root"/pkg/src/{index,errors,dom,guard,hono,can}.d.ts "$dist/"
node - "$dist" gate check-resolved check-request raw-request user value program guard hono dom <<'EOF'
// ESM -> CommonJS for the few forms these modules use: `import { a, b } from "./x.js"` (or from
// "drf-gate", the package itself), `export function|class|const name`, `export default name`.
// Anything else is an error, not a silent half-conversion.
const fs = require("node:fs");
const [dist, ...names] = process.argv.slice(2);
for (const name of names) {
  let source = fs.readFileSync(`${dist}/${name}.js`, "utf8");
  const exported = [];
  source = source.replace(/^import \{([^}]*)\} from "(?:\.\/([\w-]+)\.js|(drf-gate))";$/gm, (_, list, from, self) =>
    `const {${list.replace(/ as /g, ": ")}} = require("${self ?? `./${from}.cjs`}");`);
  let fallback = null;
  source = source.replace(/^export default (\w+);$/gm, (_, id) => {
    fallback = id;
    return "";
  });
  source = source.replace(/^export (async function|function|class|const) (\w+)/gm, (_, kind, id) => {
    exported.push(id);
    return `${kind} ${id}`;
  });
  if (/^\s*(import|export)\b/m.test(source)) throw new Error(`build.sh: ${name}.js has an import/export the CommonJS conversion does not handle`);
  if (fallback !== null) exported.push(`default: ${fallback}`);
  fs.writeFileSync(`${dist}/${name}.cjs`, `"use strict";\n${source}\nmodule.exports = { ${exported.join(", ")} };\n`);
}
EOF
for types in index errors guard hono dom; do
  sed -E -e 's#(from |import\()"\./([a-z-]+)\.js"#\1"./\2.cjs"#g' "$dist/$types.d.ts" > "$dist/$types.d.cts"
done

# 7. Front ends (helper front): drf-gate/react and drf-gate/vue, and entries with the .wasm inside
#    for the tools that leave `new URL("x.wasm", import.meta.url)` alone (esbuild, Rollup) and the
#    runtimes that cannot fetch a file next to the module (Deno without --allow-read, Vercel's
#    edge runtime through `?module`): inline-runtime.js (the browser runtime, the default browser
#    entry, instantiated by a top-level await), inline-can.js (the UI-gating build, likewise), inline.js (core build, likewise),
#    inline-edge.js (edge build, instantiated synchronously on import).
cp "$root"/pkg/src/{react,vue,svelte,reason}.{js,d.ts} "$dist/"
#    The one React context and the one Vue injection key both entries of each share, and the holder
#    of a Vue or Svelte provider's Gate and Subject.
cp "$root"/pkg/src/{react-context,vue-key,gate-holder}.js "$dist/"
#    drf-gate/can/react, drf-gate/can/vue and drf-gate/can/svelte: the same helpers importing no build (a UI-gating app
#    bundles only the Gate it gives them: `drf-gate/can` or `drf-gate/can/inline`, whichever its
#    bundler takes), typed by the can Gate; a `policy` comes with the app's `Gate` class.
node - "$dist" <<'EOF'
const fs = require("node:fs");
const dist = process.argv[2];
const swap = (file, pairs) => {
  let text = fs.readFileSync(`${dist}/${file}`, "utf8");
  for (const [from, to] of pairs) {
    if (text.split(from).length !== 2) throw new Error(`build.sh: ${file} must hold \`${from}\` once (for drf-gate/can/*)`);
    text = text.replace(from, to);
  }
  return text;
};
for (const helper of ["react", "vue", "svelte"]) {
  fs.writeFileSync(`${dist}/can-${helper}.js`, swap(`${helper}.js`, [
    ['import { Gate } from "drf-gate";', `// drf-gate/can/${helper}: no build imported (the app gives its Gate, or its Gate class with a policy).\nconst Gate = undefined;`],
  ]));
  fs.writeFileSync(`${dist}/can-${helper}.d.ts`, swap(`${helper}.d.ts`, [
    ['import type { Gate } from "drf-gate";', 'import type { Gate } from "drf-gate/can";'],
    ["Gate?: GateClass }", "Gate: GateClass }"],
  ]));
}
EOF
node - "$dist" <<'EOF'
const fs = require("node:fs");
const dist = process.argv[2];
const decode = `function decode(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}`;
const inline = (wasmFile, api, comment, load) => {
  const base64 = fs.readFileSync(`${dist}/${wasmFile}`).toString("base64");
  return `${comment}
import { init, initSync } from "./${api}";

export * from "./${api}";
export { init as default } from "./${api}";

${decode}

// The .wasm (${wasmFile}), base64.
const WASM = "${base64}";

${load}
`;
};
fs.writeFileSync(`${dist}/inline.js`, inline("drf_gate_core_bg.wasm", "api-core.js",
  "// Browsers through any bundler (esbuild, Rollup, ...): the core build with its .wasm inside, ready\n// when the import resolves (a top-level await instantiates it; no fetch, no asset to copy).",
  "await init({ module_or_path: decode(WASM) });"));
fs.writeFileSync(`${dist}/inline-runtime.js`, inline("drf_gate_runtime_bg.wasm", "api-runtime.js",
  "// Browsers through any bundler (the default browser entry of `drf-gate`): the browser runtime\n// (compiled policies only) with its .wasm inside, ready when the import resolves (a top-level\n// await instantiates it; no fetch, no asset to copy).",
  "await init({ module_or_path: decode(WASM) });"));
fs.writeFileSync(`${dist}/inline-can.js`, inline("drf_gate_can_bg.wasm", "api-can.js",
  "// Browsers through any bundler: the UI-gating build (`drf-gate/can`: the browser runtime\n// without `check`) with its .wasm inside, ready when the import resolves (a top-level await\n// instantiates it; no fetch, no asset to copy).",
  "await init({ module_or_path: decode(WASM) });"));
fs.writeFileSync(`${dist}/inline-edge.js`, inline("drf_gate_bg.wasm", "api-edge.js",
  "// Deno and other runtimes without a bundler's .wasm handling: the edge build with its .wasm\n// inside, instantiated synchronously on import (no file access, no fetch).",
  "initSync({ module: decode(WASM) });"));
EOF

# 8. Node's ESM entries as one module each (esbuild, from the root npm workspace): Node loads and
#    links every module of an import graph on its own (resolve, read, parse, evaluate); one file
#    instead of six saves several milliseconds of every start. The wasm-bindgen glue and the
#    error classes' snippet stay modules of their own (dist/errors.js is folded in: the bundles
#    import the snippet it names): every entry in a process shares one instance of a build
#    (`drf-gate` and `drf-gate/web-edge` alike) and throws the same PolicyError and
#    ContextError classes.
for entry in node.mjs worker-node.mjs; do
  "$root/node_modules/.bin/esbuild" "$dist/$entry" --bundle --format=esm --platform=node \
    --external:'./snippets/*' --external:./drf_gate.js --external:./drf_gate_runtime.js --external:./drf_gate_worker.js \
    --log-level=warning --outfile="$tmp/$entry"
  mv "$tmp/$entry" "$dist/$entry"
done
#    The fast start (`drf-gate/runtime` in Node) folds its glue and the error classes' snippet in
#    too: one module instead of three: each module Node loads costs its resolve, read, parse and
#    link (bench/notes.md, "Start-up, sixth pass" and "ninth pass"). Its copy of the error classes
#    takes the ones a copy of the same errors.js registered first in the process (errors.js: KEY),
#    so that they are still the classes every other entry throws.
#    `drf-gate/runtime/inline`, the one other entry of this build, already had a Gate class of
#    its own; imported in the same process it now also has its own instance.
"$root/node_modules/.bin/esbuild" "$dist/runtime-node.mjs" --bundle --format=esm --platform=node \
  --log-level=warning --outfile="$tmp/runtime-node.mjs"
mv "$tmp/runtime-node.mjs" "$dist/runtime-node.mjs"
if grep -q 'from "\./drf_gate_runtime\.js"\|from "\./snippets/' "$dist/runtime-node.mjs"; then
  echo "build.sh: runtime-node.mjs still imports its glue or the error classes' snippet" >&2
  exit 1
fi

echo "wasm size: $(size "$dist/drf_gate_runtime_bg.wasm")"
echo "wasm size (can): $(size "$dist/drf_gate_can_bg.wasm")"
echo "wasm size (core): $(size "$dist/drf_gate_core_bg.wasm")"
echo "wasm size (edge): $(size "$dist/drf_gate_bg.wasm")"
echo "wasm size (worker): $(size "$dist/drf_gate_worker_bg.wasm")"
echo "inline size (runtime, the default browser entry): $(size "$dist/inline-runtime.js")"
echo "inline size (can): $(size "$dist/inline-can.js")"
