// gate.checkRequest on the packed protocol (pkg/src/check-request.js `checkRequest`, src/wasm.rs
// `requestPacked` and the RawRequestCore handle's `answerUser`/`answerPacked`/`stepPacked`):
// many requests in flight at once, their lookups resolved out of order, each answer must be the
// one checkRequestSync gives the same request alone (and the JSON crossing of checkRequest):
// same members, order and values, ids beyond 2^53 as BigInt. A gate freed while lookups are
// awaited still finishes the requests in flight (each handle keeps its policy).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";

import { loadEsm } from "./consumer.mjs";

const esm = await loadEsm();
await esm.init();

const KEY = "drf-gate-interleaved-signing-key-0123456789";
const NOW = 1795315745;
const b64 = (s) => Buffer.from(s).toString("base64url");
function jwt(userIdText, key = KEY) {
  const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64(`{"token_type":"access","exp":${NOW + 3600},"iat":${NOW - 60},"jti":"0123456789abcdef0123456789abcdef","user_id":${userIdText}}`);
  const sig = createHmac("sha256", key).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}
const policy = {
  authentication: ["jwt", "token", "session"],
  permissions: ["IsAuthenticatedOrReadOnly", "DjangoModelPermissionsOrAnonReadOnly"],
  renderers: ["JSONRenderer"],
  settings: { jwt: { signingKey: KEY, checkUserIsActive: true } },
  views: { posts: { model: "blog.Post" } },
};
const BIG = 2n ** 60n + 1n;
// The users a store knows, by the pk as String(pk): plain records (typed), one with a BigInt pk
// and one with attributes (both as JSON), and one the core refuses (an unknown member: an error).
const users = new Map();
for (let i = 1; i <= 40; i++) {
  users.set(String(i), {
    id: i,
    username: `user${i}`,
    isActive: i % 7 !== 0,
    isStaff: i % 5 === 0,
    permissions: i % 3 === 0 ? ["blog.add_post", "blog.change_post"] : [],
  });
}
users.set(String(BIG), { id: BIG, username: "big", isActive: true, permissions: ["blog.add_post"] });
users.set("41", { id: 41, username: "attrs", isActive: true, attributes: { team: 3 } });
users.set("42", { id: 42, username: "extra", isActive: true, email: "a@example.com" });
const tokens = new Map([
  ["tok-ann", { id: 3, username: "ann", permissions: ["blog.add_post"] }],
  ["tok-big", { id: BIG, username: "big" }],
]);

function requests() {
  const out = [];
  const credentials = [];
  for (let i = 1; i <= 45; i++) credentials.push(`Bearer ${jwt(String(i))}`); // 43-45: not found
  credentials.push(`Bearer ${jwt(String(BIG))}`, `Bearer ${jwt('"7"')}`, `Bearer ${jwt("1", "another-key-0123456789012345678901")}`);
  credentials.push("Token tok-ann", "Token tok-big", "Token tok-nobody", "Token", "Bearer", undefined);
  for (const method of ["GET", "POST"]) {
    for (const authorization of credentials) {
      const headers = authorization === undefined ? {} : { Authorization: authorization };
      out.push({ method, path: "/api/posts/", headers });
    }
  }
  // A session cookie: its lookup, then the CSRF check asks for the body.
  out.push({
    method: "POST",
    path: "/api/posts/",
    headers: { Cookie: "sessionid=s1; csrftoken=AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb", "Content-Type": "application/x-www-form-urlencoded" },
    bodyPending: true,
  });
  return out;
}
const body = new TextEncoder().encode("csrfmiddlewaretoken=AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb");
const lookup = {
  userById: (_field, id) => users.get(String(id)) ?? null,
  token: (key) => tokens.get(key) ?? null,
  session: (key) => (key === "s1" ? users.get("5") : null),
};
const show = (value) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
// The step, or the error's name, code and message.
const outcome = (promise) =>
  promise.then(show, (error) => `${error.name} ${error.code} ${error.message}`);
const outcomeSync = (fn) => {
  try {
    return show(fn());
  } catch (error) {
    return `${error.name} ${error.code} ${error.message}`;
  }
};
class NotPlain {}

// A deterministic permutation (a fixed seed: the same order on every run).
function shuffle(items, seed) {
  let state = seed >>> 0;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

// Resolvers whose answers wait in `queue` until released, in any order.
function deferredResolvers(queue) {
  const later = (answer) => new Promise((resolve) => queue.push(() => resolve(answer)));
  return {
    userById: (field, id) => later(lookup.userById(field, id)),
    token: (key) => later(lookup.token(key)),
    session: (key) => later(lookup.session(key)),
  };
}

async function settleShuffled(promises, queue, seed) {
  let done = false;
  const all = Promise.all(promises).finally(() => {
    done = true;
  });
  let round = 0;
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    const batch = shuffle(queue.splice(0), seed + round++);
    for (const release of batch) release();
  }
  return all;
}

describe("checkRequest: interleaved requests on the packed protocol", () => {
  test("answers released out of order equal each request checked alone", async () => {
    const gate = new esm.Gate(policy);
    const list = requests();
    const readBody = async () => body;
    const options = { view: "posts", now: NOW, resolvers: lookup, readBody };
    const expected = [];
    for (const request of list) {
      // The reference: checkRequestSync (the body given up front) and the JSON crossing.
      const alone = await outcome(gate.checkRequest(Object.assign(new NotPlain(), request), options));
      if (!request.bodyPending) assert.equal(outcomeSync(() => gate.checkRequestSync(request, options)), alone, show(request));
      expected.push(alone);
    }
    // The BigInt pk comes back exact, as a BigInt.
    const big = await gate.checkRequest(list.find((r) => r.headers.Authorization === "Token tok-big" && r.method === "POST"), options);
    assert.equal(big.user.id, BIG);
    const bigJwt = await gate.checkRequest({ method: "GET", path: "/api/posts/", headers: { Authorization: `Bearer ${jwt(String(BIG))}` } }, options);
    assert.equal(bigJwt.user.id, BIG);
    assert.deepEqual(bigJwt.userLookup, { kind: "userById", field: "id", id: String(BIG) });
    for (const seed of [1, 2, 3]) {
      const queue = [];
      const concurrent = { ...options, resolvers: deferredResolvers(queue) };
      // Each request twice, in a shuffled order, all in flight at once.
      const order = shuffle([...list.keys(), ...list.keys()], seed);
      const results = await settleShuffled(order.map((i) => outcome(gate.checkRequest({ ...list[i], headers: { ...list[i].headers } }, concurrent))), queue, seed);
      results.forEach((result, k) => assert.equal(result, expected[order[k]], `seed ${seed}: ${show(list[order[k]])}`));
    }
    gate.free();
  });

  test("a gate freed while lookups are awaited finishes the requests in flight", async () => {
    const gate = new esm.Gate(policy);
    const list = requests().filter((request) => !request.bodyPending);
    const options = { view: "posts", now: NOW, resolvers: lookup };
    const expected = list.map((request) => outcomeSync(() => gate.checkRequestSync(request, options)));
    // A fresh gate: none of its steps' texts fetched before it is freed.
    const fresh = new esm.Gate(policy);
    const queue = [];
    const inFlight = list.map((request) => outcome(fresh.checkRequest(request, { ...options, resolvers: deferredResolvers(queue) })));
    fresh.free();
    const results = await settleShuffled(inFlight, queue, 7);
    results.forEach((result, k) => assert.equal(result, expected[k], show(list[k])));
    gate.free();
  });
});
