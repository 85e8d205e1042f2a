// The TypeScript declarations: `tsc --noEmit` over a usage file as a consumer writes it, under
// node16 resolution (import and require), then the same samples run against the core.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

import { consumerDir, repoDir, testsDir } from "./consumer.mjs";

const tsc = join(repoDir, "node_modules", "typescript", "bin", "tsc"); // the root npm workspace
const tsDir = join(consumerDir, "ts");

function compile(options) {
  writeFileSync(join(tsDir, "tsconfig.json"), JSON.stringify({ compilerOptions: {
    target: "es2022", module: "node16", moduleResolution: "node16", strict: true, skipLibCheck: false,
    types: [], lib: ["es2022", "dom"], ...options,
  }, include: ["*.ts", "*.cts"] }, null, 2));
  try {
    return execFileSync(process.execPath, [tsc, "-p", tsDir], { cwd: tsDir, encoding: "utf8" });
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
  }
}

rmSync(tsDir, { recursive: true, force: true });
mkdirSync(tsDir, { recursive: true });
cpSync(join(testsDir, "ts"), tsDir, { recursive: true });
// A CommonJS consumer's view of the same declarations.
writeFileSync(join(tsDir, "require.cts"), `import drf = require("drf-gate");
const gate: drf.Gate = new drf.Gate({ views: { posts: {} } });
const d: drf.Decision = gate.check({ view: "posts", action: "list" });
export const allowed: boolean = d.allowed;
export const isPolicyError = (e: unknown): e is drf.PolicyError => e instanceof drf.PolicyError;
`);

test("tsc --noEmit accepts the usage file and the package's declarations", () => {
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
});
