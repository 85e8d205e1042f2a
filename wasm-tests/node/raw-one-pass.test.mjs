// The one-pass raw-request protocol through the package (pkg/src/gate.js `checkRequest*`): the
// wasm-side handle of each request is freed whatever happens (decided, a resolver that throws, a
// resolver that returns a Promise to checkRequestSync, too many lookups), so wasm memory stays
// flat; the body is read once, only when the CSRF check asks; sync and async agree.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
const exports = await esm.init();
const wasmBytes = () => exports.memory.buffer.byteLength;

const policy = {
  authentication: ["session", "token"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  renderers: ["JSONRenderer"],
  views: { posts: { model: "blog.Post" } },
};
// A long header: a leaked handle would keep ~7 KB of wasm memory per request.
const long = "p".repeat(7000);
const request = (i) => ({ method: "GET", path: "/api/posts/", headers: { Authorization: `Token key${i}`, "X-Padding": long } });

describe("the one-pass raw-request protocol", () => {
  test("each request's handle is freed, whatever its resolver does", async () => {
    const gate = new esm.Gate(policy);
    const throwing = { view: "posts", resolvers: { token: () => { throw new Error("store down"); } } };
    const promising = { view: "posts", resolvers: { token: async () => null } };
    const found = { view: "posts", resolvers: { token: () => ({ id: 1, username: "ann" }) } };
    const round = async (n) => {
      for (let i = 0; i < n; i++) {
        assert.throws(() => gate.checkRequestSync(request(i), throwing), /store down/);
        await assert.rejects(gate.checkRequest(request(i), throwing), /store down/);
        assert.throws(() => gate.checkRequestSync(request(i), promising), /returned a Promise/);
        assert.equal(gate.checkRequestSync(request(i), found).decision.status, 200);
      }
    };
    await round(200); // the allocator reaches its working size
    const before = wasmBytes();
    await round(1500); // leaked, they would keep over 10 MB
    assert.ok(wasmBytes() - before < 2 * 1048576, `wasm memory grew ${before} -> ${wasmBytes()}`);
    gate.free();
  });

  test("the body is read once, only when the CSRF check asks, and sync and async agree", async () => {
    const gate = new esm.Gate(policy);
    const raw = {
      method: "POST",
      path: "/api/posts/",
      headers: { Cookie: "sessionid=s1; csrftoken=AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb", "Content-Type": "application/x-www-form-urlencoded" },
      bodyPending: true,
    };
    const reads = [];
    const body = new TextEncoder().encode("csrfmiddlewaretoken=AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb");
    const options = {
      view: "posts",
      resolvers: { session: (key) => (key === "s1" ? { id: 1, username: "ann" } : null) },
      readBody: async (maxBytes) => {
        reads.push(maxBytes);
        return body;
      },
    };
    const first = await gate.checkRequest(raw, options);
    assert.equal(reads.length, 1);
    assert.ok(reads[0] > 0);
    // A body longer than the edge reads is given as such (the reader is asked once).
    await gate.checkRequest(raw, { ...options, readBody: async (maxBytes) => (reads.push(maxBytes), null) });
    assert.equal(reads.length, 2);
    // The same request with the body already given decides the same, in one call.
    const bodyBase64 = Buffer.from(body).toString("base64");
    const { bodyPending: _pending, ...given } = { ...raw, bodyBase64 };
    const sync = gate.checkRequestSync(given, options);
    assert.equal(JSON.stringify(sync), JSON.stringify(first));
    assert.equal(first.authentication.succeeded, "SessionAuthentication", JSON.stringify(first));
    assert.equal(first.decision.allowed, true, JSON.stringify(first));
    gate.free();
  });
});
