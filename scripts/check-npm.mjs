#!/usr/bin/env node
// One npm workspace: fails if
//   - a second lockfile is tracked (package-lock.json, npm-shrinkwrap.json, yarn, pnpm, bun,
//     deno), or a tracked package.json is not a member of the root workspace (it would be
//     installed on its own, with its own versions);
//   - a member declares a dependency that is not an exact version, or two members declare
//     different versions of the same tool;
//   - a tool a member declares resolves to two versions in package-lock.json (e.g. our esbuild
//     and the one wrangler pins), or the lockfile does not record what a member declares;
//   - the lockfile places a package under a member that sits inside another member's folder
//     (wasm-tests/frameworks/node_modules/... inside wasm-tests): npm 11 records such a package
//     but `npm ci` does not install it. The fix is to declare it in the root package.json
//     (devDependencies), which places it at the root.
// The root package.json counts as a member (its devDependencies are such tools).
// Reads only git and the files: no install, no network.
//
//   node scripts/check-npm.mjs              the repository
//   node scripts/check-npm.mjs --self-test  first proves each rule fails on a broken copy
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LOCKFILES = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|deno\.lock)$/;
const KINDS = ["dependencies", "devDependencies", "optionalDependencies"];
const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** The repository as the checks see it: tracked files, the root manifest, members, lockfile. */
function load() {
  const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
  const read = (file) => JSON.parse(readFileSync(join(root, file), "utf8"));
  const manifest = read("package.json");
  const members = { "": manifest, ...Object.fromEntries((manifest.workspaces ?? []).map((dir) => [dir, read(`${dir}/package.json`)])) };
  return { tracked, manifest, members, lock: read("package-lock.json") };
}

/** Every rule broken, one line each (empty: all hold). */
function problems({ tracked, manifest, members, lock }) {
  const out = [];
  const lockfiles = tracked.filter((file) => LOCKFILES.test(file));
  for (const file of lockfiles) if (file !== "package-lock.json") out.push(`a second lockfile: ${file} (only the root package-lock.json)`);
  if (!lockfiles.includes("package-lock.json")) out.push("no root package-lock.json");
  const workspaces = new Set(manifest.workspaces ?? []);
  for (const file of tracked.filter((f) => /(^|\/)package\.json$/.test(f) && f !== "package.json")) {
    const dir = dirname(file);
    if (!workspaces.has(dir)) out.push(`${file} is not in the root package.json "workspaces" (it would install on its own)`);
  }
  const memberNames = new Set(Object.values(members).map((m) => m.name));
  // What each tool is declared as, by whom.
  const declared = new Map();
  for (const [dir, member] of Object.entries(members)) {
    const locked = lock.packages?.[dir];
    if (!locked) out.push(`package-lock.json has no entry for the member ${dir || "(root)"} (run npm install at the root)`);
    for (const kind of KINDS) {
      for (const [name, spec] of Object.entries(member[kind] ?? {})) {
        if (locked && locked[kind]?.[name] !== spec) out.push(`${dir || "(root)"}: ${kind} ${name}@${spec} is not what package-lock.json records (run npm install at the root)`);
        if (memberNames.has(name)) continue; // the workspace's own package (drf-gate)
        if (!EXACT.test(spec)) out.push(`${dir || "(root)"}: ${name}@${spec} is not an exact version`);
        if (!declared.has(name)) declared.set(name, new Map());
        declared.get(name).set(spec, [...(declared.get(name).get(spec) ?? []), dir || "(root)"]);
      }
    }
  }
  // Members inside another member's folder: what the lockfile puts in their node_modules/.
  const dirs = [...workspaces];
  const nested = dirs.filter((dir) => dirs.some((other) => other !== dir && dir.startsWith(`${other}/`)));
  // Installed versions of each package, from the lockfile's tree.
  const installed = new Map();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const at = path.lastIndexOf("node_modules/");
    if (at < 0 || entry.link) continue;
    const under = nested.find((dir) => path.startsWith(`${dir}/node_modules/`));
    if (under) out.push(`${path}: npm ci does not install a package under ${under} (a member inside another member's folder); declare it in the root package.json`);
    const name = path.slice(at + "node_modules/".length);
    if (!installed.has(name)) installed.set(name, new Map());
    installed.get(name).set(entry.version, [...(installed.get(name).get(entry.version) ?? []), path]);
  }
  for (const [name, specs] of [...declared].sort(([a], [b]) => a.localeCompare(b))) {
    if (specs.size > 1) {
      out.push(`${name} is declared as ${[...specs].map(([spec, dirs]) => `${spec} (${dirs.join(", ")})`).join(" and ")}: one version of each tool`);
    }
    const versions = installed.get(name) ?? new Map();
    if (versions.size === 0) out.push(`${name} is declared but not in package-lock.json`);
    if (versions.size > 1) {
      out.push(`${name} resolves to ${versions.size} versions: ${[...versions].map(([v, paths]) => `${v} at ${paths.join(", ")}`).join("; ")}`);
    }
  }
  return { out, tools: declared.size, packages: installed.size };
}

function selfTest() {
  const base = load();
  const clone = () => structuredClone(base);
  const cases = {
    "a second lockfile": (r) => r.tracked.push("wasm-tests/frameworks/package-lock.json"),
    "a yarn lockfile": (r) => r.tracked.push("examples/x/yarn.lock"),
    "a package.json outside the workspace": (r) => r.tracked.push("wasm-tests/elsewhere/package.json"),
    "two declared versions": (r) => {
      const [dir, member] = Object.entries(r.members).find(([, m]) => m.devDependencies?.["playwright-core"]);
      member.devDependencies["playwright-core"] = "0.0.1";
      r.lock.packages[dir].devDependencies["playwright-core"] = "0.0.1";
    },
    "a range": (r) => {
      const [dir, member] = Object.entries(r.members).find(([, m]) => m.devDependencies?.typescript);
      for (const m of [member, r.lock.packages[dir]]) m.devDependencies.typescript = `^${m.devDependencies.typescript}`;
    },
    "a package under a nested member": (r) => {
      r.lock.packages["wasm-tests/frameworks/node_modules/vite"] = r.lock.packages["node_modules/vite"];
    },
    "two installed versions": (r) => {
      r.lock.packages["node_modules/wrangler/node_modules/esbuild"] = { ...r.lock.packages["node_modules/esbuild"], version: "0.0.1" };
    },
    "a member the lockfile does not know": (r) => {
      const [dir] = Object.entries(r.members).find(([, m]) => m.devDependencies?.esbuild);
      r.members[dir].devDependencies.esbuild = "0.0.1";
    },
  };
  if (problems(base).out.length > 0) return true; // reported by the real run
  let failed = false;
  for (const [name, breakIt] of Object.entries(cases)) {
    const repo = clone();
    breakIt(repo);
    if (problems(repo).out.length === 0) {
      console.error(`check-npm self-test: ${name} was not caught`);
      failed = true;
    }
  }
  if (!failed) console.log(`check-npm self-test: ${Object.keys(cases).length} broken copies, each caught`);
  return !failed;
}

if (process.argv.includes("--self-test") && !selfTest()) process.exit(1);
const { out, tools, packages } = problems(load());
for (const line of out) console.error(`check-npm: ${line}`);
if (out.length > 0) process.exit(1);
const { workspaces } = load().manifest;
console.log(`check-npm: one lockfile, the root and ${workspaces.length} workspace members, ${tools} tools each at one version (${packages} packages locked)`);
