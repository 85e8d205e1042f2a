// The browser builds' functions, smallest body first (bench/notes.md, "Browser runtime size,
// thirteenth pass").
//
//   node scripts/order-functions.mjs IN.wasm OUT.wasm
//
// rustc and binaryen leave a module's functions in the order LLVM emitted them. Sorted by the
// size of their bodies (ties in the old order), the small helpers most calls go to take the
// indices below 128 (one LEB byte per `call`), and bodies of a kind (drop glue, small adapters,
// the large decoders) sit next to each other, where gzip finds their repeats: the runtime
// `.wasm` -428 B gzip (-288 B raw) with build.sh's `wasm-opt -Oz` after it. Only the order of
// the definitions changes (binaryen rewrites every index: calls, the table, exports); the code
// is the same, so nothing a function does changes. Names are kept when the input has them
// (OPT_NAMES=keep, the names build). Anything unexpected is an error, never a half-rewrite.
import { readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

const [input, output, ...rest] = process.argv.slice(2);
if (!input || !output || rest.length > 0) throw new Error("usage: order-functions.mjs IN.wasm OUT.wasm");
const fail = (message) => {
  throw new Error(`order-functions.mjs: ${input}: ${message}`);
};
const bytes = readFileSync(input);

// The body size of each defined function, and how many functions are imported (they come first
// in the index space and stay where they are): read from the binary's import and code sections.
let pos = 8;
const leb = () => {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    if (pos >= bytes.length) fail("truncated");
    byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return value;
};
const skip = () => {
  const length = leb();
  pos += length;
};
const limits = () => {
  const flags = leb();
  leb();
  if (flags & 1) leb();
};
if (bytes.readUInt32LE(0) !== 0x6d736100 || bytes.readUInt32LE(4) !== 1) fail("not a wasm module");
let imported = 0;
const sizes = [];
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const end = pos + size;
  if (id === 2) {
    for (let count = leb(); count > 0; count--) {
      skip();
      skip();
      const kind = bytes[pos++];
      if (kind === 0) {
        leb();
        imported++;
      } else if (kind === 1) {
        pos++;
        limits();
      } else if (kind === 2) {
        limits();
      } else if (kind === 3) {
        pos += 2;
      } else {
        fail(`import kind ${kind}`);
      }
    }
  } else if (id === 10) {
    for (let count = leb(); count > 0; count--) {
      const length = leb();
      sizes.push(length);
      pos += length;
    }
  }
  if (pos > end) fail(`section ${id} read past its end`);
  pos = end;
}

// The features rustc's wasm32 target emits (scripts/build.sh's wasm-opt flags).
const { Features } = binaryen;
const features = Features.MutableGlobals | Features.NontrappingFPToInt | Features.BulkMemory | Features.BulkMemoryOpt | Features.SignExt | Features.ReferenceTypes | Features.Multivalue;
const module = binaryen.readBinary(bytes, features);
if (module.getNumFunctions() !== imported + sizes.length) fail("the function count differs from the code section's");
const functions = sizes.map((size, index) => {
  const info = binaryen.getFunctionInfo(module.getFunctionByIndex(imported + index));
  if (info.module !== "") fail(`function ${imported + index} is an import`);
  return { size, index, info };
});
const order = functions.slice().sort((a, b) => a.size - b.size || a.index - b.index);
// A removed function's body stays in the module's arena: re-added in the new order.
for (const { info } of order) module.removeFunction(info.name);
for (const { info } of order) module.addFunction(info.name, info.params, info.results, info.vars, info.body);
if (module.getNumFunctions() !== imported + sizes.length) fail("functions lost");
if (!module.validate()) fail("the reordered module does not validate");
binaryen.setDebugInfo(process.env.OPT_NAMES === "keep");
writeFileSync(output, module.emitBinary());
