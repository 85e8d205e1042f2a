// The two builds: the edge build (Node, workerd, `drf-gate/web-edge`) runs raw requests; the core
// build (`drf-gate/web`, the JSON core for browsers) answers everything else identically and names the
// entry point for what it lacks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { installedDir, loadCjs, loadEsm } from "./consumer.mjs";
import { edgeSmoke, smoke } from "../smoke.js";

const esm = await loadEsm();
const cjs = loadCjs();
// The browser entry, in Node: the core .wasm handed to initSync, as a bundler's page would.
const core = await import(pathToFileURL(join(installedDir, "dist", "web.js")).href);
core.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_core_bg.wasm")) });

const needsEdge = { error: true, code: "needs_edge_build", edge: true };

describe("edge build", () => {
  for (const [name, api] of [["import", esm], ["require", cjs]]) {
    test(`${name}: raw requests, async resolvers, Fetch Requests and CSRF minting`, async () => {
      const result = await edgeSmoke(api);
      assert.equal(result.sync.decision.allowed, true);
      assert.deepEqual(result.sync.authentication, { succeeded: "TokenAuthentication" });
      // SessionAuthentication comes first and has no header: DRF coerces 401 to 403.
      assert.equal(result.async.decision.status, 403);
      assert.equal(result.async.decision.body, '{"detail":"Invalid token."}');
      assert.deepEqual(result.fetch, result.sync);
      assert.deepEqual(result.mint, [64, 32, true]);
    });
  }
});

describe("core build", () => {
  test("decides exactly as the edge build", () => {
    assert.deepEqual(smoke(core), smoke(esm));
  });

  test("raw-request checking and mintCsrfToken name the edge build", async () => {
    assert.deepEqual(await edgeSmoke(core), { sync: needsEdge, async: needsEdge, fetch: needsEdge, mint: needsEdge });
    assert.equal(typeof core.Gate.prototype.checkRequestStep, "undefined");
    assert.equal(typeof core.Gate.prototype.startRequest, "undefined");
  });

  test("policies with settings for edge authentication compile, and bad ones fail alike", () => {
    const settings = { jwt: { signingKey: "s3cret", leeway: 5 }, csrf: { trustedOrigins: ["https://*.example.com"] } };
    const policy = { authentication: ["jwt", "session"], settings, views: { posts: {} } };
    for (const api of [core, esm]) new api.Gate(policy).free();
    for (const bad of [{ jwt: { algorithm: "HS999" } }, { jwt: { signingKey: "" } }, { csrf: { trustedOrigins: ["example.com"] } }, { jwt: { authTokenClasses: ["X"] } }]) {
      const error = (api) => {
        try {
          new api.Gate({ ...policy, settings: bad });
        } catch (e) {
          return [e.name, e.code, e.path, e.message];
        }
        return null;
      };
      assert.notEqual(error(esm), null);
      assert.deepEqual(error(core), error(esm));
    }
  });

  test("ships a smaller .wasm than the edge build", () => {
    const size = (name) => readFileSync(join(installedDir, "dist", name)).length;
    assert.ok(size("drf_gate_core_bg.wasm") < size("drf_gate_bg.wasm"));
  });
});
