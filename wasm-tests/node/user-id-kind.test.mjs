// simplejwt's `User.objects.get(**{USER_ID_FIELD: claim})` through every build that authenticates
// (edge with a JSON policy, edge and worker with the compiled one), against real Django 5.2:
// tests/authentication_vectors/jwt_user_id.jsonl (gen_jwt_user_id.py; tests/jwt_user_id.rs checks
// it natively). `settings.jwt.userIdKind` says which claims the field takes: a resolver's
// not-found is DRF's 401 only for those; a claim the field rejects is DRF's 500 and is forwarded.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

import { consumerDir, loadEsm, repoDir } from "./consumer.mjs";

const edge = await loadEsm();
await edge.init();
const worker = await import(new URL("node_modules/drf-gate/dist/worker-node.mjs", `file://${consumerDir}/`).href);

/** tests/common::jsonl: `{"a/b[]": item}` lines append to `doc.a.b`. */
function jsonl(text) {
  const doc = {};
  for (const line of text.split("\n").filter((l) => l.trim())) {
    const [[key, value]] = Object.entries(JSON.parse(line));
    const push = key.endsWith("[]");
    const names = (push ? key.slice(0, -2) : key).split("/");
    const last = names.pop();
    let node = doc;
    for (const name of names) node = node[name] ??= {};
    if (push) (node[last] ??= []).push(value);
    else node[last] = value;
  }
  return doc;
}

const doc = jsonl(readFileSync(join(repoDir, "tests", "authentication_vectors", "jwt_user_id.jsonl"), "utf8"));

describe("USER_ID_FIELD kinds against Django's fields", () => {
  for (const [name, scenario] of Object.entries(doc.scenarios)) {
    const policy = {
      authentication: ["jwt"],
      permissions: ["IsAuthenticated"],
      renderers: ["JSONRenderer"],
      settings: { jwt: { signingKey: doc.signingKey, userIdField: scenario.userIdField, userIdKind: scenario.userIdKind } },
      views: { posts: {} },
      routes: [{ pattern: "/api/posts/", view: "posts" }],
    };
    const json = new edge.Gate(policy);
    const bytes = json.toCompiled();
    const builds = [["edge, JSON policy", json], ["edge, compiled", new edge.Gate(bytes)], ["worker", new worker.Gate(bytes)]];
    for (const [build, gate] of builds) {
      test(`${name} (${scenario.userIdKind}), ${build}: DRF's 401 for a not-found claim the field takes, forwarded otherwise`, () => {
        let forwarded = 0;
        for (const c of scenario.cases) {
          for (const column of ["found", "missing"]) {
            const drf = c[column];
            const resolvers = { userById: () => (drf.user ? { id: 1, username: drf.user, isActive: true } : null) };
            const request = { method: "GET", path: "/api/posts/", headers: { Authorization: c.header } };
            const step = gate.checkRequestSync(request, { view: "posts", now: doc.now, resolvers });
            const label = `${name} ${build} ${c.claim} ${column}: DRF ${JSON.stringify(drf)}, got ${JSON.stringify(step)}`;
            if (drf.serverError) {
              assert.equal(step.decision, undefined, label);
              forwarded++;
            } else if (step.decision === undefined && BigInt(/^\d+$/.test(c.claim) ? c.claim : 0) > 2n ** 64n) {
              forwarded++; // beyond 64 bits: forwarded before the lookup
            } else if (c.claim === "null" && !["id", "pk"].includes(scenario.userIdField)) {
              // Django's `IS NULL` on a field that is not the pk: no store answers it (tests/jwt_user_id.rs).
              assert.equal(step.decision, undefined, label);
              forwarded++;
            } else if (drf.user) {
              assert.equal(step.decision?.status, 200, label);
            } else {
              assert.equal(step.decision?.status, 401, label);
              assert.deepEqual(JSON.parse(step.decision.body), drf.failed, label);
            }
          }
        }
        assert.ok(forwarded > 0 || scenario.userIdKind === "text", `${name}: nothing forwarded`);
      });
    }
  }
});
