// Exports that return one value, for a faster start in Node (bench/notes.md, "single-result exports").
//
//   node scripts/single-result.mjs [--short-exports] BUILD.wasm GLUE.js [GLUE.cjs ...]
//
// `--short-exports` (the browser runtime): every export but `memory` gets a one- or two-letter
// name, in the .wasm and in the glue (`wasm.gatecore_checkPacked` -> `wasm.a`): the names are
// bytes of every download (-600 B raw, ~-270 B gzip). `memory` keeps its name (tests read it).
//
// wasm-bindgen returns `Result`s, strings and vectors as several values (rustc's wasm32 target
// lists `multivalue`). V8 11.3 (Node 20) has no generic JS-to-wasm wrapper for several results,
// so `new WebAssembly.Module` compiles a TurboFan wrapper per distinct multi-value export
// signature, for every export, on every start: ~7 ms of the runtime's ~12 ms compile. Here each
// such export becomes a small wasm function with the same parameters that returns the first
// result and stores the others (i32 only) in a scratch area it allocates once with
// `__wbindgen_malloc`; the glue reads them back (`__drfMultiN`), so its code above the call is
// unchanged. One wrapper per call either way (V8's multi-value wrappers return a JS array too).
// Rewrites the .wasm and the glue files in place; anything unexpected is an error, never a
// half-rewrite.
import { readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

const args = process.argv.slice(2);
const shortExports = args[0] === "--short-exports";
const [wasmFile, ...glueFiles] = shortExports ? args.slice(1) : args;
if (!wasmFile || glueFiles.length === 0) throw new Error("usage: single-result.mjs BUILD.wasm GLUE.js [GLUE.cjs ...]");
const fail = (message) => {
  throw new Error(`single-result.mjs: ${wasmFile}: ${message}`);
};

// The features rustc's wasm32 target emits (scripts/build.sh's wasm-opt flags), no newer encodings.
const { Features } = binaryen;
const features = Features.MutableGlobals | Features.NontrappingFPToInt | Features.BulkMemory | Features.BulkMemoryOpt | Features.SignExt | Features.ReferenceTypes | Features.Multivalue;
const module = binaryen.readBinary(readFileSync(wasmFile), features);
const exportsByName = new Map();
for (let i = 0; i < module.getNumExports(); i++) {
  const info = binaryen.getExportInfo(module.getExportByIndex(i));
  exportsByName.set(info.name, info);
}
const malloc = exportsByName.get("__wbindgen_malloc");
if (malloc === undefined || malloc.kind !== binaryen.ExternalFunction) fail("no __wbindgen_malloc export");

const SCRATCH = "__drf_gate_results";
const SLOTS = 8; // results beyond the first, 4 bytes each
module.addGlobal(SCRATCH, binaryen.i32, true, module.i32.const(0));
module.addGlobalExport(SCRATCH, SCRATCH);

const rewritten = new Map(); // export name -> number of results
for (const [name, info] of exportsByName) {
  if (info.kind !== binaryen.ExternalFunction) continue;
  const fn = binaryen.getFunctionInfo(module.getFunction(info.value));
  const results = binaryen.expandType(fn.results);
  if (results.length < 2) continue;
  if (results.length - 1 > SLOTS) fail(`${name} returns ${results.length} values`);
  if (results.some((type) => type !== binaryen.i32)) fail(`${name} returns a value that is not an i32`);
  const params = binaryen.expandType(fn.params);
  const tupleLocal = params.length;
  const scratch = () => module.global.get(SCRATCH, binaryen.i32);
  const body = [
    module.if(
      module.i32.eqz(scratch()),
      module.global.set(SCRATCH, module.call(malloc.value, [module.i32.const(4 * SLOTS), module.i32.const(4)], binaryen.i32)),
    ),
    module.local.set(tupleLocal, module.call(info.value, params.map((type, i) => module.local.get(i, type)), fn.results)),
  ];
  for (let i = 1; i < results.length; i++) {
    body.push(module.i32.store(4 * (i - 1), 4, scratch(), module.tuple.extract(module.local.get(tupleLocal, fn.results), i)));
  }
  body.push(module.tuple.extract(module.local.get(tupleLocal, fn.results), 0));
  const wrapper = `${name}$single`;
  module.addFunction(wrapper, fn.params, binaryen.i32, [fn.results], module.block(null, body, binaryen.i32));
  module.removeExport(name);
  module.addFunctionExport(wrapper, name);
  rewritten.set(name, results.length);
}
// Short export names: a, b, ..., Z, aa, ab, ... (never `memory`, which keeps its own).
const renamed = new Map(); // old name -> new name
if (shortExports) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const nameOf = (i) => (i < letters.length ? letters[i] : nameOf(Math.floor(i / letters.length) - 1) + letters[i % letters.length]);
  const all = [];
  for (let i = 0; i < module.getNumExports(); i++) all.push(binaryen.getExportInfo(module.getExportByIndex(i)));
  let next = 0;
  for (const info of all) {
    if (info.name === "memory") continue;
    const short = nameOf(next++);
    module.removeExport(info.name);
    if (info.kind === binaryen.ExternalFunction) module.addFunctionExport(info.value, short);
    else if (info.kind === binaryen.ExternalGlobal) module.addGlobalExport(info.value, short);
    else if (info.kind === binaryen.ExternalTable) module.addTableExport(info.value, short);
    else fail(`export ${info.name} of kind ${info.kind} cannot be renamed`);
    renamed.set(info.name, short);
  }
}
if (!module.validate()) fail("the rewritten module does not validate");
// `scripts/build.sh --runtime-size` keeps the name section for scripts/wasm-sizes.py.
binaryen.setDebugInfo(process.env.SINGLE_RESULT_NAMES === "keep");
writeFileSync(wasmFile, module.emitBinary());
module.dispose();

// The glue: `const ret = wasm.NAME(...);` -> `const ret = __drfMultiN(wasm.NAME(...));`.
const helpers = (counts) => `
// Exports that return several values return the first; the rest are in wasm memory
// (scripts/single-result.mjs).
let drfResults = null;
let drfResultsAt = 0;
function drfResultsView() {
    if (drfResults === null || drfResults.byteLength === 0) {
        if (drfResultsAt === 0) drfResultsAt = wasm.${SCRATCH}.value;
        drfResults = new Int32Array(wasm.memory.buffer, drfResultsAt, ${SLOTS});
    }
    return drfResults;
}
${[...counts].sort((a, b) => a - b).map((n) => `function __drfMulti${n}(first) {
    const rest = drfResultsView();
    return [first, ${Array.from({ length: n - 1 }, (_, i) => `rest[${i}]`).join(", ")}];
}`).join("\n")}
`;
for (const file of glueFiles) {
  let glue = readFileSync(file, "utf8");
  for (const [name, count] of rewritten) {
    const calls = glue.split(`wasm.${name}(`).length - 1;
    let done = 0;
    glue = glue.replace(new RegExp(`^(\\s*)const ret = wasm\\.${name}\\((.*)\\);$`, "gm"), (_, indent, args) => {
      done++;
      return `${indent}const ret = __drfMulti${count}(wasm.${name}(${args}));`;
    });
    if (calls === 0 || done !== calls) fail(`${file}: rewrote ${done} of ${calls} calls of ${name}`);
  }
  const anchor = glue.indexOf("\nfunction getDataViewMemory0() {");
  if (anchor < 0) fail(`${file}: no getDataViewMemory0 to place the helpers by`);
  glue = glue.slice(0, anchor) + helpers(new Set(rewritten.values())) + glue.slice(anchor);
  if (shortExports) {
    glue = glue.replace(/\bwasm\.(\w+)/g, (whole, name) => {
      if (name === "memory") return whole;
      const short = renamed.get(name);
      if (short === undefined) fail(`${file}: the glue reads an export the .wasm does not have: ${name}`);
      return `wasm.${short}`;
    });
  }
  writeFileSync(file, glue);
}
console.log(`single-result: ${wasmFile.split("/").pop()}: ${rewritten.size} exports return one value`);
