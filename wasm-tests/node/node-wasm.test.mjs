// A bundler (Next.js) rewrites a Node entry's `new URL("./x.wasm", import.meta.url)` into a public
// path that is no file: the entry then reads the package's own export `drf-gate/x.wasm`, found
// from the working directory (pkg/src/entries/node-wasm.js). A monorepo's root may hold another
// drf-gate there, whose .wasm does not match this glue: that must be refused with a code, never
// loaded. Vite's server build of a Svelte app bundles the entry without its .wasm (the URL then
// names a file next to the bundle that does not exist): the export is resolved from the bundle's
// folder.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";

import { installedDir } from "./consumer.mjs";

const scratch = mkdtempSync(join(tmpdir(), "drf-gate-node-wasm-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const manifest = JSON.parse(readFileSync(join(installedDir, "package.json"), "utf8"));
const name = "drf_gate_runtime_bg.wasm";

// A project folder whose node_modules/drf-gate is the installed package with `version`.
function project(version) {
  const dir = mkdtempSync(join(scratch, "app-"));
  const pkg = join(dir, "node_modules", "drf-gate");
  mkdirSync(join(pkg, "dist"), { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ ...manifest, version }));
  copyFileSync(join(installedDir, "dist", name), join(pkg, "dist", name));
  return dir;
}

// readWasm with the URL a bundler left, run from `cwd` in a fresh process.
function readMoved(cwd) {
  const script = `
    import { readWasm } from ${JSON.stringify(pathToFileURL(join(installedDir, "dist", "node-wasm.js")).href)};
    try {
      const bytes = readWasm(new URL("http://localhost/_next/static/media/x.0123.wasm"), ${JSON.stringify(name)});
      console.log(JSON.stringify({ length: bytes.length }));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message }));
    }`;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" }));
}

test("a moved .wasm is read from the drf-gate of the same version", { skip: typeof process.getBuiltinModule !== "function" }, () => {
  const out = readMoved(project(manifest.version));
  assert.equal(out.length, readFileSync(join(installedDir, "dist", name)).length, JSON.stringify(out));
});

test("another version's .wasm is refused with a code", { skip: typeof process.getBuiltinModule !== "function" }, () => {
  const out = readMoved(project("0.0.0-other"));
  assert.equal(out.code, "wasm_version_mismatch", JSON.stringify(out));
  assert.match(out.message, /0\.0\.0-other/);
  assert.match(out.message, new RegExp(manifest.version.replace(/\./g, "\\.")));
});

// node-wasm.js copied into `<project>/build/server/` as a bundler leaves it (its .wasm not copied),
// run from `cwd` in a fresh process.
function readBundled(dir, cwd) {
  const bundle = join(dir, "build", "server");
  mkdirSync(bundle, { recursive: true });
  copyFileSync(join(installedDir, "dist", "node-wasm.js"), join(bundle, "chunk.js"));
  writeFileSync(join(dir, "build", "package.json"), JSON.stringify({ type: "module" }));
  const script = `
    import { readWasm } from ${JSON.stringify(pathToFileURL(join(bundle, "chunk.js")).href)};
    try {
      const bytes = readWasm(new URL(${JSON.stringify(name)}, ${JSON.stringify(pathToFileURL(join(bundle, "chunk.js")).href)}), ${JSON.stringify(name)});
      console.log(JSON.stringify({ length: bytes.length }));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message }));
    }`;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" }));
}

test("a module bundled without its .wasm reads the drf-gate installed above the bundle", { skip: typeof process.getBuiltinModule !== "function" }, () => {
  const out = readBundled(project(manifest.version), scratch);
  assert.equal(out.length, readFileSync(join(installedDir, "dist", name)).length, JSON.stringify(out));
});

test("a module bundled without its .wasm and no drf-gate installed fails with a code", { skip: typeof process.getBuiltinModule !== "function" }, () => {
  const dir = mkdtempSync(join(scratch, "bare-"));
  const out = readBundled(dir, dir);
  assert.equal(out.code, "wasm_not_found", JSON.stringify(out));
  assert.match(out.message, /dependencies/);
});

test("a module bundled without its .wasm refuses another version's", { skip: typeof process.getBuiltinModule !== "function" }, () => {
  const out = readBundled(project("0.0.0-other"), scratch);
  assert.equal(out.code, "wasm_version_mismatch", JSON.stringify(out));
});

// A deployment's copy of drf-gate's dist/ .wasm files without its package.json (Next's
// `output: "standalone"` with only `dist/*.wasm` traced) is read (the build's own files), found
// above the working directory.
test("a traced copy of the package (dist/ only, no package.json) is read", { skip: typeof process.getBuiltinModule !== "function" }, () => {
  const dir = mkdtempSync(join(scratch, "traced-"));
  mkdirSync(join(dir, "node_modules", "drf-gate", "dist"), { recursive: true });
  copyFileSync(join(installedDir, "dist", name), join(dir, "node_modules", "drf-gate", "dist", name));
  const app = join(dir, "apps", "web");
  mkdirSync(app, { recursive: true });
  const out = readMoved(app);
  assert.equal(out.length, readFileSync(join(installedDir, "dist", name)).length, JSON.stringify(out));
});
