// Code bytes per function of a .wasm, by the names in its name section (cargo's output before
// wasm-bindgen and wasm-opt keeps them: `CARGO_PROFILE_RELEASE_STRIP=false`, as build.sh builds).
// What a size cut starts from: which functions, and which crates, the bytes are.
//
//   node scripts/wasm-sizes.mjs FILE.wasm [--top 60] [--crates] [--grep TEXT] [--json]
//
// Prints the total code, data and function count, then the largest functions (bytes of their
// body, name), or with --crates the sum per crate (the first path segment of the name, `<T as
// crate::...>` counted under the trait's implementing type's crate when it names one).
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a));
const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
if (!file) {
  console.error("usage: node scripts/wasm-sizes.mjs FILE.wasm [--top N] [--crates] [--grep TEXT] [--json]");
  process.exit(2);
}
const bytes = readFileSync(file);

let at = 0;
const u32 = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return result;
  }
};
const name = () => {
  const length = u32();
  const text = bytes.subarray(at, at + length).toString("utf8");
  at += length;
  return text;
};

if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${file}: not a .wasm`);
at = 8;
let imported = 0;
const bodies = [];
const names = new Map();
let data = 0;
while (at < bytes.length) {
  const id = bytes[at++];
  const size = u32();
  const end = at + size;
  if (id === 2) {
    // Imports: functions among them take the first indices.
    for (let n = u32(); n > 0; n--) {
      name();
      name();
      const kind = bytes[at++];
      if (kind === 0) {
        u32();
        imported++;
      } else if (kind === 1) {
        at++;
        const flags = u32();
        u32();
        if (flags & 1) u32();
      } else if (kind === 2) {
        const flags = u32();
        u32();
        if (flags & 1) u32();
      } else if (kind === 3) {
        at += 2;
      } else {
        throw new Error(`import kind ${kind}`);
      }
    }
  } else if (id === 10) {
    for (let n = u32(); n > 0; n--) {
      const length = u32();
      bodies.push(length);
      at += length;
    }
  } else if (id === 11) {
    data = size;
  } else if (id === 0) {
    const section = name();
    if (section === "name") {
      while (at < end) {
        const sub = bytes[at++];
        const subSize = u32();
        const subEnd = at + subSize;
        if (sub === 1) {
          for (let n = u32(); n > 0; n--) {
            const index = u32();
            names.set(index, name());
          }
        }
        at = subEnd;
      }
    }
  }
  at = end;
}

// Rust's symbol manglings, enough to read and group: legacy (`_ZN` <len><ident>... `17h<hash>E`,
// `$LT$`-style escapes) and v0 (`_R`: the identifiers in order, crate first; generic arguments
// and impl paths are not spelled out).
const LEGACY = { SP: "@", BP: "*", RF: "&", LT: "<", GT: ">", LP: "(", RP: ")", C: "," };
function demangle(symbol) {
  const legacy = /^_ZN(.*)E$/.exec(symbol);
  if (legacy) {
    const parts = [];
    let rest = legacy[1];
    for (;;) {
      const m = /^(\d+)/.exec(rest);
      if (!m) break;
      const length = Number(m[1]);
      parts.push(rest.slice(m[1].length, m[1].length + length));
      rest = rest.slice(m[1].length + length);
    }
    if (parts.length && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
    return parts
      .map((p) => p.replace(/^_\$/, "$").replace(/\$([A-Z]+|u[0-9a-f]+)\$/g, (all, code) =>
        code.startsWith("u") ? String.fromCodePoint(parseInt(code.slice(1), 16)) : LEGACY[code] ?? all).replace(/\.\./g, "::"))
      .join("::");
  }
  if (symbol.startsWith("_R")) {
    const crateMatch = /C(?:s[0-9a-zA-Z]*_)?(\d+)/.exec(symbol);
    if (!crateMatch) return symbol;
    const start = crateMatch.index + crateMatch[0].length;
    const crate = symbol.slice(start, start + Number(crateMatch[1]));
    const idents = [];
    const re = /(\d+)_?([A-Za-z_])/g;
    re.lastIndex = start + crate.length;
    for (let m; (m = re.exec(symbol)); ) {
      const from = m.index + m[0].length - 1;
      const ident = symbol.slice(from, from + Number(m[1]));
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(ident) && ident.length === Number(m[1])) {
        idents.push(ident);
        re.lastIndex = from + ident.length;
      }
    }
    return [crate, ...idents].join("::");
  }
  return symbol;
}
const functions = bodies.map((size, i) => ({ size, name: names.has(i + imported) ? demangle(names.get(i + imported)) : `<function ${i + imported}>` }));
const total = functions.reduce((sum, f) => sum + f.size, 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
// The crate a function belongs to: `<a::B as c::D>::f` is a's (the implementing type's),
// `a::b::f` is a's; exports and compiler intrinsics without a path are "<no path>".
const crate = (text) => {
  const plain = text.replace(/^<(?:&(?:mut )?)?(?:\[)?/, "");
  const match = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(plain);
  return match ? match[1] : "<no path>";
};
const grep = option("grep", null);
const chosen = grep === null ? functions : functions.filter((f) => f.name.includes(grep));

if (args.includes("--json")) {
  console.log(JSON.stringify({ file, code: total, data, functions: functions.length, list: chosen }));
} else {
console.log(`${file}: ${bytes.length} bytes, code ${total} (${kb(total)}) in ${functions.length} functions, data ${data} (${kb(data)}), ${names.size ? "" : "no name section"}`);
if (args.includes("--crates")) {
  const sums = new Map();
  for (const f of chosen) {
    const c = crate(f.name);
    const entry = sums.get(c) ?? { size: 0, count: 0 };
    entry.size += f.size;
    entry.count++;
    sums.set(c, entry);
  }
  console.log("| crate | code | functions |\n|---|---|---|");
  for (const [c, s] of [...sums].sort((a, b) => b[1].size - a[1].size)) console.log(`| ${c} | ${s.size} | ${s.count} |`);
} else {
  const top = Number(option("top", 60));
  const sum = chosen.reduce((s, f) => s + f.size, 0);
  if (grep !== null) console.log(`matching "${grep}": ${chosen.length} functions, ${sum} bytes`);
  console.log("| bytes | function |\n|---|---|");
  for (const f of [...chosen].sort((a, b) => b.size - a.size).slice(0, top)) console.log(`| ${f.size} | \`${f.name.replace(/::h[0-9a-f]{16}$/, "")}\` |`);
}
}
