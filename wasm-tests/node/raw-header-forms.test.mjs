// Header forms a Fetch runtime and Django's servers see differently, through the package and the
// guard: repeated lines (Fetch `Headers` join them with ", ", gunicorn/wsgiref/Django's ASGI
// handler with ","), names spelt with "_" for "-" (WSGI drops them, ASGI keeps them), and the
// Cookie header's bytes (UTF-8 to Django). The edge forwards what it cannot know; real DRF decides
// the rest in conformance (edge:header-names, edge:cookie-forms, edge:authorization-forms).
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import { installedDir, loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
await esm.init();
const { createGuard, NOT_FOUND } = await import(pathToFileURL(join(installedDir, "dist", "guard.js")).href);

const policy = {
  authentication: ["token", "session"],
  permissions: ["IsAuthenticated"],
  renderers: ["JSONRenderer"],
  settings: { csrf: { allowedHosts: ["api.example.com"] } },
  views: { posts: { model: "blog.Post" } },
  routes: [{ pattern: "/api/posts/", view: "posts" }],
};
const URL_ = "https://api.example.com/api/posts/";
const resolvers = { token: () => NOT_FOUND, session: () => NOT_FOUND };
const guard = createGuard({ policy, resolvers, authoritative: true, recordsCurrent: true, log: () => {} });

describe("repeated header lines (Fetch joins with \", \")", () => {
  test("two Authorization lines are forwarded, one line is decided", async () => {
    const two = new Request(URL_, { headers: [["authorization", "Token a"], ["authorization", "b"]] });
    assert.equal(two.headers.get("authorization"), "Token a, b");
    const forwarded = await guard(two, {}, {});
    assert.equal(forwarded.action, "forward");
    assert.equal(forwarded.reason, "joined-header");
    // The same text as a plain request (one line, as given): DRF's "should not contain spaces".
    const gate = new esm.Gate(policy);
    const step = await gate.checkRequest({ method: "GET", path: "/api/posts/", headers: { Authorization: "Token a, b" } }, { resolvers });
    assert.equal(step.decision.status, 401);
    assert.equal(step.decision.body, '{"detail":"Invalid token header. Token string should not contain spaces."}');
    // And as a Fetch Request through checkRequest: the core cannot tell one line from two.
    const fetched = await gate.checkRequest(new Request(URL_, { headers: { Authorization: "Token a, b" } }), { resolvers });
    assert.equal(fetched.forward?.reason, "joined-header");
    // A joined value the decision does not read changes nothing; Accept lists read the same.
    const other = new Request(URL_, { headers: [["x-other", "a"], ["x-other", "b"], ["accept", "text/html"], ["accept", "application/json"], ["authorization", "Token k"]] });
    const denied = await guard(other, {}, {});
    assert.equal(denied.action, "respond");
    assert.equal(denied.response.status, 401);
    assert.equal(await denied.response.text(), '{"detail":"Invalid token."}');
  });
});

describe("names spelt with _ for -", () => {
  test("a CSRF header spelt X_CSRFToken is forwarded, X-CSRFToken decided", async () => {
    const sessionResolvers = { session: () => ({ id: 1, username: "u", isActive: true }) };
    const g = createGuard({ policy, resolvers: sessionResolvers, authoritative: true, recordsCurrent: true, log: () => {} });
    const secret = "a".repeat(32);
    const post = (name) => new Request(URL_, {
      method: "POST", body: "{}",
      headers: { "content-type": "application/json", cookie: `sessionid=s; csrftoken=${secret}`, [name]: secret, origin: "https://api.example.com" },
    });
    const under = await g(post("X_CSRFToken"), {}, {});
    assert.equal(under.action, "forward");
    assert.equal(under.reason, "ambiguous-header-name");
    const dashed = await g(post("X-CSRFToken"), {}, {});
    assert.equal(dashed.action, "forward");
    assert.equal(dashed.reason, "allowed");
    const none = await g(post("X-Other"), {}, {});
    assert.equal(none.action, "respond");
    assert.equal(await none.response.text(), '{"detail":"CSRF Failed: CSRF token missing."}');
  });
});

describe("the Cookie header's bytes are UTF-8 to Django", () => {
  test("a lone 0xA0 byte is not stripped from a cookie value", async () => {
    const keys = [];
    const gate = new esm.Gate(policy);
    const step = await gate.checkRequest(
      { method: "GET", path: "/api/posts/", headers: { Cookie: "sessionid=s\u00a0" } },
      { resolvers: { session: (key) => (keys.push(key), null) } },
    );
    assert.deepEqual(keys, ["s\ufffd"]);
    assert.ok(step.forward || step.decision);
  });
});
