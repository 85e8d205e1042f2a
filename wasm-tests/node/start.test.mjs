// The fast-start path in Node, as a consumer of the packed package gets it: `drf-gate/runtime`
// resolves to its Node entry, is ready on import (no fetch, no init), loads a compiled policy
// (`npx drf-gate compile`), and decides as the JSON policy does; each entry runs in a fresh process.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";

import { consumerDir, installedDir } from "./consumer.mjs";
import { policy } from "./fixtures.mjs";

const scratch = mkdtempSync(join(tmpdir(), "drf-gate-start-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const policyJson = join(scratch, "policy.json");
const policyGate = join(scratch, "policy.gate");
writeFileSync(policyJson, JSON.stringify(policy));
execFileSync(process.execPath, [join(installedDir, "dist", "cli.mjs"), "compile", policyJson, "-o", policyGate], { stdio: "pipe" });

// Runs an ESM script in the consumer project (a fresh Node process); returns its JSON output.
function consumer(script) {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: consumerDir, encoding: "utf8" });
  return JSON.parse(out);
}

const decide = (entry) => `
  import { readFileSync } from "node:fs";
  import * as api from "${entry}";
  const gate = new api.Gate(readFileSync(${JSON.stringify(policyGate)}));
  const anonymous = gate.check({ view: "posts", action: "create" });
  let refused = null;
  try {
    new api.Gate(readFileSync(${JSON.stringify(policyJson)}, "utf8"));
  } catch (error) {
    refused = { name: error.name, code: error.code, isPolicyError: error instanceof api.PolicyError };
  }
  console.log(JSON.stringify({
    can: [gate.can(null, "posts", "list"), gate.can(null, "posts", "create"), gate.can({ id: 3 }, "posts", "create")],
    status: anonymous.status,
    body: anonymous.body,
    refused,
  }));`;

describe("fast start in Node", () => {
  test("drf-gate/runtime resolves to its Node entry", () => {
    const resolved = consumer(`console.log(JSON.stringify(import.meta.resolve("drf-gate/runtime")))`);
    assert.ok(resolved.endsWith("node_modules/drf-gate/dist/runtime-node.mjs"), resolved);
  });

  test("drf-gate/runtime is ready on import and decides from policy.gate as the JSON policy does", () => {
    const runtime = consumer(decide("drf-gate/runtime"));
    const json = consumer(`
      import { Gate } from "drf-gate";
      const gate = new Gate(${JSON.stringify(JSON.stringify(policy))});
      const anonymous = gate.check({ view: "posts", action: "create" });
      console.log(JSON.stringify({
        can: [gate.can(null, "posts", "list"), gate.can(null, "posts", "create"), gate.can({ id: 3 }, "posts", "create")],
        status: anonymous.status,
        body: anonymous.body,
      }));`);
    assert.deepEqual({ can: runtime.can, status: runtime.status, body: runtime.body }, json);
    // The runtime has no compiler: a JSON policy is refused with a PolicyError.
    assert.deepEqual(runtime.refused, { name: "PolicyError", code: "invalid_policy", isPolicyError: true });
  });

  test("the default entry loads policy.gate as well", () => {
    const edge = consumer(decide("drf-gate"));
    const runtime = consumer(decide("drf-gate/runtime"));
    assert.deepEqual({ can: edge.can, status: edge.status, body: edge.body }, { can: runtime.can, status: runtime.status, body: runtime.body });
    assert.equal(edge.refused, null); // the edge build compiles JSON policies
  });
});
