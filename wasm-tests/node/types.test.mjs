// The TypeScript declarations: `tsc --strict` over usage files as consumers write them, under
// node16 resolution (import and require), then the samples run against the core. names.ts
// proves that typos in view and action names fail (`@ts-expect-error` lines), and the last test
// proves the suite would notice if one of those lines stopped erroring.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

import { consumerDir, repoDir, testsDir } from "./consumer.mjs";

const tsc = join(repoDir, "node_modules", "typescript", "bin", "tsc"); // the root npm workspace
const tsDir = join(consumerDir, "ts");

function runTsc(dir, options) {
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: {
    // node18: node16's resolution (import and require) plus import attributes (the JSON import).
    target: "es2022", module: "node18", moduleResolution: "node16", strict: true, skipLibCheck: false,
    resolveJsonModule: true, types: [], lib: ["es2022", "dom"], ...options,
  }, include: ["*.ts", "*.cts"] }, null, 2));
  try {
    return { ok: true, out: execFileSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8" }) };
  } catch (error) {
    return { ok: false, out: `${error.stdout}${error.stderr}` };
  }
}

function compile(options) {
  const { ok, out } = runTsc(tsDir, options);
  if (!ok) assert.fail(`tsc failed:\n${out}`);
  return out;
}

function setUp(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(testsDir, "ts"), dir, { recursive: true });
  // The exporter's own output, imported as JSON.
  cpSync(join(repoDir, "examples", "blog", "policy.json"), join(dir, "policy.json"));
}

setUp(tsDir);

test("tsc --strict accepts the usage files, and every @ts-expect-error line errors", () => {
  compile({ noEmit: true });
});

test("the typed samples are what the core accepts, and decisions have the declared keys", async () => {
  compile({ outDir: join(tsDir, "out") });
  const usage = await import(pathToFileURL(join(tsDir, "out", "usage.js")).href);
  const { decisions, can, perms, codes } = await usage.run();
  assert.equal(decisions.length, usage.contexts.length);
  for (const decision of decisions) {
    for (const key of Object.keys(decision)) assert.ok(key in usage.decisionKeys, `undeclared key ${key}`);
    for (const [key, kind] of Object.entries(usage.decisionKeys)) {
      if (kind === "required") assert.ok(key in decision, `missing key ${key}`);
    }
  }
  assert.equal(can, true);
  assert.equal(typeof perms.list, "boolean");
  assert.equal(codes[0], "invalid_json");
  assert.equal(codes[2], "unknown_view");
  // names.ts: the typed calls run; each line tsc rejects is one the core rejects too.
  const names = await import(pathToFileURL(join(tsDir, "out", "names.js")).href);
  assert.throws(() => names.literal(), { name: "ContextError", code: "unknown_action" });
  assert.throws(() => names.typos.asConst(), { name: "ContextError", code: "unknown_action" });
  assert.throws(() => names.typos.exported(), { name: "ContextError", code: "unknown_view" });
  assert.throws(() => names.typos.untyped(), { name: "ContextError", code: "unknown_view" });
  assert.equal(names.published(), false);
  assert.equal(typeof names.canPublish(), "boolean");
  const required = await import(pathToFileURL(join(tsDir, "out", "require.cjs")).href);
  assert.equal(required.default.allowed, true);
});

test("the public declarations name no internals", () => {
  const { out } = runTsc(tsDir, { noEmit: true, declaration: false });
  assert.doesNotMatch(out, /error/);
  const types = readFileSync(join(consumerDir, "node_modules", "drf-gate", "dist", "index.d.ts"), "utf8");
  for (const internal of ["__checkJson", "__target", "__canTarget", "checkRequestStep", "startRequest", "requestInputError", "requestSync", "requestPacked", "answerPacked", "stepPacked", "answerRequestSync", "dropRequestSync", "RawRequestCore", "GateCore", "SubjectCore", "__wbg"]) {
    assert.ok(!types.includes(internal), internal);
  }
});

test("tsc fails when a @ts-expect-error line stops erroring (the typo checks can fail)", () => {
  const dir = join(consumerDir, "ts-mutant");
  setUp(dir);
  const file = join(dir, "names.ts");
  const source = readFileSync(file, "utf8");
  const mutants = [
    ['gate.can(me, "posts", "destory")', 'gate.can(me, "posts", "destroy")'],
    ['asConst: () => asConst.can(null, "drafts", "publsh")', 'asConst: () => asConst.can(null, "drafts", "publish")'],
    ['blogGate.can(null, "postz", "list")', 'blogGate.can(null, "posts", "list")'],
  ];
  for (const [typo, fixed] of mutants) {
    assert.ok(source.includes(typo), typo);
    writeFileSync(file, source.replace(typo, fixed));
    const { ok, out } = runTsc(dir, { noEmit: true });
    assert.equal(ok, false, `tsc passed with ${fixed}`);
    assert.match(out, /TS2578: Unused '@ts-expect-error' directive/);
  }
  rmSync(dir, { recursive: true, force: true });
});
