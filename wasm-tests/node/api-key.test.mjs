// djangorestframework-api-key's HasAPIKey through the package: the permission-stage `apiKey`
// lookup in checkRequest/checkRequestSync and in the guard (asked only when DRF evaluates the
// class; an unknown answer or a legacy hash is forwarded, never denied). The real package is the
// oracle in conformance/thirdparty.sh (replay.mjs replays those cases through checkRequest).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import { installedDir, loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
await esm.init();
const { createGuard, NOT_FOUND } = await import(pathToFileURL(join(installedDir, "dist", "guard.js")).href);

const KEY = "Ab12Cd34.s3cretKey";
const MODEL = "rest_framework_api_key.APIKey";
const hashed = (key) => "sha512$$" + createHash("sha512").update(key, "utf8").digest("hex");
const rows = new Map([
  ["Ab12Cd34", { hashedKey: hashed(KEY), revoked: false, expiry: null }],
  ["Legacy00", { hashedKey: "pbkdf2_sha256$870000$salt$hash", revoked: false, expiry: null }],
  ["Expired0", { hashedKey: hashed("Expired0.x"), revoked: false, expiry: new Date(1000) }],
]);

const policy = {
  authentication: ["token"],
  permissions: ["IsAuthenticated | HasAPIKey"],
  renderers: ["JSONRenderer"],
  views: { widgets: { model: "shop.Widget" } },
  routes: [{ pattern: "/widgets/", view: "widgets" }],
};
const get = (headers) => ({ method: "GET", path: "/widgets/", headers });

describe("HasAPIKey through the package", () => {
  test("checkRequest asks apiKey(model, prefix) only when DRF runs the class", async () => {
    const gate = new esm.Gate(policy);
    const asked = [];
    const resolvers = {
      token: (key) => (key === "user-token" ? { id: 1, username: "ann" } : null),
      apiKey: async (model, prefix) => {
        asked.push([model, prefix]);
        return rows.get(prefix) ?? null;
      },
    };
    const status = async (headers) => (await gate.checkRequest(get(headers), { resolvers, now: 2 })).decision?.status;
    assert.equal(await status({ Authorization: "Token user-token" }), 200);
    assert.deepEqual(asked, [], "IsAuthenticated passed: HasAPIKey never ran");
    assert.equal(await status({ Authorization: `Api-Key ${KEY}` }), 200);
    assert.deepEqual(asked, [[MODEL, "Ab12Cd34"]]);
    assert.equal(await status({ Authorization: "Api-Key Ab12Cd34.wrong" }), 401);
    assert.equal(await status({ Authorization: "Api-Key Expired0.x" }), 401);
    assert.equal(await status({ Authorization: "Api-Key Nope0000.x" }), 401);
    const legacy = await gate.checkRequest(get({ Authorization: "Api-Key Legacy00.x" }), { resolvers, now: 2 });
    assert.equal(legacy.forward?.reason, "api-key-legacy-hash");
    // The sync path, with a row as plain data.
    const sync = gate.checkRequestSync(get({ Authorization: `Api-Key ${KEY}` }), {
      resolvers: { apiKey: (_model, prefix) => rows.get(prefix) ?? null },
      now: 2,
    });
    assert.equal(sync.decision.status, 200);
  });

  test("the guard forwards what only the origin knows", async () => {
    const resolvers = { apiKey: (_model, prefix) => rows.get(prefix) ?? NOT_FOUND };
    const guard = createGuard({ policy, resolvers, log: () => {} });
    const authoritative = createGuard({ policy, resolvers, authoritative: ["apiKey"], log: () => {} });
    const request = (authorization) =>
      new Request("https://api.example.com/widgets/", { headers: { Authorization: authorization } });
    // A miss from a store that is not authoritative: forwarded, never denied.
    const miss = await guard(request("Api-Key Nope0000.x"), {}, {});
    assert.equal(miss.action, "forward");
    assert.equal(miss.reason, "unknown-lookup");
    const denied = await authoritative(request("Api-Key Nope0000.x"), {}, {});
    assert.equal(denied.action, "respond");
    assert.equal(denied.response.status, 401);
    const legacy = await authoritative(request("Api-Key Legacy00.x"), {}, {});
    assert.equal(legacy.reason, "api-key-legacy-hash");
    assert.deepEqual(legacy.lookup, { kind: "apiKey", model: MODEL, prefix: "Legacy00" });
    const valid = await authoritative(request(`Api-Key ${KEY}`), {}, {});
    assert.equal(valid.action, "forward");
    assert.equal(valid.reason, "allowed");
    // A row decides only from a store that keeps API-key rows current (`recordsCurrent`): an
    // expiry extended or a key un-revoked on the origin may not have reached it yet.
    const expired = await authoritative(request("Api-Key Expired0.x"), {}, {});
    assert.deepEqual([expired.action, expired.reason, expired.records], ["forward", "record-may-be-stale", ["apiKey"]]);
    const current = createGuard({ policy, resolvers, authoritative: ["apiKey"], recordsCurrent: ["apiKey"], log: () => {} });
    const answered = await current(request("Api-Key Expired0.x"), {}, {});
    assert.equal(answered.action, "respond");
    assert.equal(answered.response.status, expired.decision.status);
  });
});
