// URL routing through every build of the package (what guard.js asks before anything else),
// against Django 5.2's resolver: tests/authentication_vectors/routes.jsonl (gen_routes.py, a real
// URLconf and drf-gate's exporter). A URL the package routes must be one Django resolves to the
// same view; Django answers the others with its own 404 page. tests/routing.rs checks the same
// file natively, parameters and forwarded routes included.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { consumerDir, installedDir, loadEsm, repoDir } from "./consumer.mjs";

const { Gate } = await loadEsm();
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "runtime-node.mjs")).href);
const worker = await import(new URL("node_modules/drf-gate/dist/worker-node.mjs", `file://${consumerDir}/`).href);

/** tests/common::jsonl: `{"key[]": item}` lines append to `key`. */
function jsonl(text) {
  const doc = {};
  for (const line of text.split("\n").filter((l) => l.trim())) {
    const [[key, value]] = Object.entries(JSON.parse(line));
    if (key.endsWith("[]")) (doc[key.slice(0, -2)] ??= []).push(value);
    else doc[key] = value;
  }
  return doc;
}

const doc = jsonl(readFileSync(join(repoDir, "tests", "authentication_vectors", "routes.jsonl"), "utf8"));

describe("routes against Django's resolver", () => {
  const json = new Gate(doc.policy);
  const bytes = json.toCompiled();
  const builds = [["edge, JSON policy", json], ["edge, compiled", new Gate(bytes)],
    ["runtime", new runtimeApi.Gate(bytes)], ["worker", new worker.Gate(bytes)]];
  for (const [build, gate] of builds) {
    test(`${build}: a routed URL is one Django resolves to that view`, () => {
      let routed = 0;
      for (const { path, django } of doc.cases) {
        const hit = gate.route(path);
        if (hit === null) continue;
        assert.ok(django !== null, `${build}: ${JSON.stringify(path)} routed to ${hit.view}; Django resolves nothing`);
        assert.equal(hit.view, django.view, `${build}: ${JSON.stringify(path)}`);
        assert.deepEqual(Object.keys(hit.params), Object.keys(django.params), `${build}: ${JSON.stringify(path)}`);
        routed++;
      }
      assert.ok(routed >= 150, `${build}: only ${routed} URLs routed`);
    });
  }
});
