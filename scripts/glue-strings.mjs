// Strings into wasm memory by `TextEncoder.encodeInto` when long (bench/notes.md, "jwt").
//
//   node scripts/glue-strings.mjs GLUE.js [GLUE.cjs ...]
//
// wasm-bindgen's `passStringToWasm0` copies a string one character at a time while it is ASCII
// (a JS loop of `charCodeAt` and typed-array stores), then hands the rest to `encodeInto`. For
// the ~270-character request text of `checkRequestSync` that loop was ~1 µs; `encodeInto` writes
// an ASCII string in one native call. Here a string longer than 64 characters is first written
// by `encodeInto` into the bytes the glue already allocated (one per character): when it read
// every character, each was one byte (ASCII) and the copy is done; otherwise the glue's own code
// runs from the start as before (same bytes, same allocations). Only where `encodeInto` is
// native: the glue's fallback for engines without it writes past a short view.
// Rewrites the glue files in place; a glue whose function differs is an error.
import { readFileSync, writeFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) throw new Error("usage: glue-strings.mjs GLUE.js [GLUE.cjs ...]");
const loop = `    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {`;
const fast = `    const mem = getUint8ArrayMemory0();

    let offset = 0;
    // drf-gate (scripts/glue-strings.mjs): an ASCII string in one native call.
    if (len > 64 && NATIVE_ENCODE_INTO && cachedTextEncoder.encodeInto(arg, mem.subarray(ptr, ptr + len)).read === len) {
        offset = len;
    }

    for (; offset < len; offset++) {`;
const declaration = "function passStringToWasm0(arg, malloc, realloc) {";
const flag = `const NATIVE_ENCODE_INTO = typeof TextEncoder === "function" && typeof TextEncoder.prototype.encodeInto === "function";\n\n`;
for (const file of files) {
  const glue = readFileSync(file, "utf8");
  if (glue.split(loop).length !== 2 || glue.split(declaration).length !== 2) {
    throw new Error(`glue-strings.mjs: ${file}: passStringToWasm0 is not the one this script rewrites`);
  }
  writeFileSync(file, glue.replace(loop, fast).replace(declaration, flag + declaration));
}
