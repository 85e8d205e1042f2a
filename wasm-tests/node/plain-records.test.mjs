// What counts as a plain record (pkg/src/user.js `plainRecord`, the one rule every JS path uses):
// `can`, `check` and the guard read a user or an object member by member only when it is one; any
// other value crosses as JSON.stringify writes it (or, from a guard's store, is not known). So each
// shape here, in every path, gets the answer the whole way gives: records of another realm (a `vm`
// context, an iframe) and null-prototype objects as plain ones; arrays (even without a prototype),
// Maps, class instances, toJSON as their JSON.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";
import { runInNewContext } from "node:vm";

import { installedDir, loadEsm } from "./consumer.mjs";

const { Gate } = await loadEsm();
const runtimeApi = await import(pathToFileURL(join(installedDir, "dist", "api-runtime.js")).href);
runtimeApi.initSync({ module: readFileSync(join(installedDir, "dist", "drf_gate_runtime_bg.wasm")) });
const canApi = await import(pathToFileURL(join(installedDir, "dist", "can-node.mjs")).href);
const workerApi = await import(pathToFileURL(join(installedDir, "dist", "worker-node.mjs")).href);

const policy = {
  authentication: ["session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: {
    IsOwner: { hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user", message: "Not yours." },
  },
  views: {
    posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"] },
    models: { model: "blog.Post", permissions: ["DjangoModelPermissions"] },
  },
};

class Staff {
  constructor() {
    this.id = 3;
  }
  get isStaff() {
    return true;
  }
}
const other = (source) => runInNewContext(`(${source})`);
// Each shape as a user and as an object (`owner` for the object's permission).
const shapes = {
  plain: () => ({ id: 3, isStaff: true, owner: 3, permissions: ["blog.add_post"] }),
  nullPrototype: () => Object.assign(Object.create(null), { id: 3, isStaff: true, owner: 3 }),
  otherRealm: () => other("{ id: 3, isStaff: true, owner: 3, permissions: ['blog.add_post'] }"),
  otherRealmNullPrototype: () => other("Object.assign(Object.create(null), { id: 3, owner: 3 })"),
  otherRealmArrayMember: () => ({ id: 3, owner: 3, permissions: other("['blog.add_post']") }),
  otherRealmBoxedNumber: () => ({ id: other("new Number(3)"), owner: other("new Number(3)") }),
  otherRealmBoxedString: () => ({ id: 3, username: other("new String('ann')"), owner: 3 }),
  boxedNumberNoPrototype: () => ({ id: Object.setPrototypeOf(new Number(3), null), owner: 3 }),
  numberPrototypeNoSlot: () => ({ id: 3, owner: Object.create(Number.prototype) }),
  frozen: () => Object.freeze({ id: 3, isStaff: true, owner: 3 }),
  proxy: () => new Proxy({ id: 3, isStaff: true, owner: 3 }, {}),
  classInstance: () => new Staff(),
  map: () => new Map([["id", 3], ["isStaff", true]]),
  toJSON: () => ({ id: 3, owner: 3, toJSON: () => ({ id: 4, owner: 4 }) }),
  inheritedToJSON: () => Object.create({ toJSON: () => ({ id: 4, isStaff: true }) }),
  array: () => [3, "ann"],
  arrayNoPrototype: () => Object.setPrototypeOf([3, "ann"], null),
  otherRealmArray: () => other("[3, 'ann']"),
  nullPrototypeChain: () => Object.assign(Object.create(Object.create(null)), { id: 3, owner: 3 }),
  date: () => new Date(0),
};

const targets = [["posts", "list"], ["posts", "update"], ["models", "create"]];

function answer(run) {
  try {
    return run();
  } catch (error) {
    return `${error.name} ${error.code} ${error.path} ${error.message}`;
  }
}

// The same context with another prototype: JSON.stringify writes it alike, no fast path takes it.
const wholeWay = (context) => Object.assign(Object.create({ toString: () => "context" }), context);

const json = new Gate(policy);
const builds = {
  "JSON core": () => new Gate(policy),
  "browser runtime": () => new runtimeApi.Gate(json.toCompiled()),
};

describe("every shape of user and object gets the whole way's answer on every path", () => {
  for (const [name, make] of Object.entries(builds)) {
    test(name, () => {
      const oracle = make();
      const gate = make();
      const wrong = [];
      for (const [shape, value] of Object.entries(shapes)) {
        for (const [view, action] of targets) {
          for (const context of [
            { view, action, user: value() },
            { view, action, user: { id: 3 }, object: value() },
          ]) {
            const want = answer(() => oracle.check(wholeWay(context)));
            // Twice: the second is a memo hit.
            for (let again = 0; again < 2; again++) {
              const got = answer(() => gate.check(context));
              if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`check ${shape} ${view}.${action} ${"object" in context ? "object" : "user"}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
            }
            if (!("object" in context)) {
              const allowed = typeof want === "string" ? want : want.allowed;
              for (let again = 0; again < 2; again++) {
                // can's error names the user ($.user) where check's names the context: name and code.
                const got = answer(() => gate.can(context.user, view, action));
                if (typeof got === "string" ? got.split(" ", 2).join(" ") !== String(allowed).split(" ", 2).join(" ") : got !== allowed) wrong.push(`can ${shape} ${view}.${action}: ${got} != ${allowed}`);
              }
            }
          }
        }
      }
      assert.deepEqual(wrong, []);
    });
  }
});

// checkRequest itself (not only the guard over it): a store's row that is an object but no plain
// record is not known (before, a Map was read as `{}`: an authenticated user with no id, DRF's
// 403); a plain record of any realm decides; a list is refused (guard-records.test.mjs).
describe("checkRequest reads a resolver's row only when it is a plain record", () => {
  const requestPolicy = {
    authentication: ["token"],
    permissions: ["IsAuthenticated", "IsAdminUser"],
    renderers: ["JSONRenderer"],
    views: { posts: { model: "blog.Post" } },
    routes: [{ pattern: "/api/posts/", view: "posts" }],
  };
  const gate = new Gate(requestPolicy);
  const request = {
    method: "GET",
    url: "https://api.test/api/posts/",
    headers: { authorization: "Token 0123456789abcdef0123456789abcdef01234567" },
  };
  const outcome = (step) => (step.decision ? `decide ${step.decision.status}` : `forward ${step.forward?.reason}`);
  // A staff user's row in each shape: read, it is allowed (200).
  const records = {
    plain: () => ({ id: 3, isStaff: true }),
    nullPrototype: () => Object.assign(Object.create(null), { id: 3, isStaff: true }),
    otherRealm: () => other("{ id: 3, isStaff: true }"),
    otherRealmNullPrototype: () => other("Object.assign(Object.create(null), { id: 3, isStaff: true })"),
    frozen: () => Object.freeze({ id: 3, isStaff: true }),
    proxy: () => new Proxy({ id: 3, isStaff: true }, {}),
  };
  const others = {
    classInstance: () => new Staff(),
    map: () => new Map([["id", 3], ["isStaff", true]]),
    toJSON: () => ({ id: 3, toJSON: () => ({ id: 3, isStaff: true }) }),
    nullPrototypeChain: () => Object.assign(Object.create(Object.create(null)), { id: 3, isStaff: true }),
    date: () => new Date(0),
  };
  const knoxGate = new Gate({ ...requestPolicy, authentication: ["knox"] });
  const knoxRequest = { ...request, headers: { authorization: `Token ${"a".repeat(64)}` } };
  for (const [name, [run, knox]] of Object.entries({
    sync: [
      (resolvers) => gate.checkRequestSync(request, { view: "posts", resolvers }),
      (resolvers) => knoxGate.checkRequestSync(knoxRequest, { view: "posts", resolvers }),
    ],
    async: [
      (resolvers) => gate.checkRequest(request, { view: "posts", resolvers }),
      (resolvers) => knoxGate.checkRequest(knoxRequest, { view: "posts", resolvers }),
    ],
  })) {
    test(name, async () => {
      const got = {};
      const want = {};
      for (const [shape, value] of Object.entries({ ...records, ...others })) {
        got[shape] = outcome(await run({ token: () => value() }));
        want[shape] = shape in records ? "decide 200" : "forward unknown-lookup";
        if (shape in records) {
          got[`knox ${shape}`] = outcome(await knox({ knoxToken: () => ({ user: value(), expiry: null }) }));
          want[`knox ${shape}`] = "decide 200";
          continue;
        }
        // Also as knox's row and as its user.
        for (const [label, row] of [["row", value()], ["user", { user: value(), expiry: null }]]) {
          got[`knox ${label} ${shape}`] = outcome(await knox({ knoxToken: () => row }));
          want[`knox ${label} ${shape}`] = "forward unknown-lookup";
        }
      }
      assert.deepEqual(got, want);
    });
  }
});

// Views posts (IsOwner), flags (object members) and teams (a user attribute).
const valuePolicy = {
  authentication: ["session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: {
    IsOwner: { hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user", message: "Not yours." },
    Flags: { hasObjectPermission: "obj.title == 'x' or obj.published == True or obj.draft == None" },
    Team: { hasPermission: "request.user.attributes.team == 'core'" },
  },
  views: {
    posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"] },
    flags: { model: "blog.Post", permissions: ["Flags"] },
    teams: { model: "blog.Post", permissions: ["Team"] },
  },
};

// The five builds, each making a Gate of `policy` (the JSON core from JSON and from its compiled
// form, the others from the compiled form); `check`: whether the build has `check`.
function fiveBuilds(policy) {
  const compiled = new Gate(policy).toCompiled();
  return {
    "JSON core": { gate: () => new Gate(policy), check: true },
    "JSON core, compiled": { gate: () => new Gate(compiled), check: true },
    "browser runtime": { gate: () => new runtimeApi.Gate(compiled), check: true },
    "drf-gate/can": { gate: () => new canApi.Gate(compiled), check: false },
    "drf-gate/worker": { gate: () => new workerApi.Gate(compiled), check: true },
  };
}

// Values whose JSON is not what a member-by-member read gives, through every build: each must
// answer what the JSON core answers to the same context read as JSON.stringify writes it (the
// whole way), a decision or the same error (name and code). A box is known by its slot whatever
// its prototype (`Object.prototype` included: a Number box's JSON is `null`, a Boolean box's
// `true`); a boxed BigInt is its BigInt, as a BigInt is; a box that converts to no primitive is
// no JSON (`ContextError`), also in a member the policy does not read. `can` of an object reads
// only the members the policy reads, so it answers where the whole way refuses an unread member.
describe("every build reads exotic values as the JSON core's whole way", () => {
  const box = (value, proto) => Object.setPrototypeOf(Object(value), proto);
  const users = {
    numberBoxObjectPrototype: () => box(3, Object.prototype),
    numberBoxObjectPrototypeMembers: () => Object.assign(box(3, Object.prototype), { id: 3, isStaff: true }),
    booleanBoxObjectPrototype: () => Object.assign(box(true, Object.prototype), { id: 3 }),
    stringBoxObjectPrototype: () => Object.assign(box("ab", Object.prototype), { id: 3 }),
    numberBoxNoPrototype: () => Object.assign(box(3, null), { id: 3 }),
    otherRealmBoxObjectPrototype: () => other("Object.assign(Object.setPrototypeOf(new Number(3), Object.prototype), { id: 3 })"),
    teamBoxObjectPrototype: () => ({ id: 3, attributes: { team: box("core", Object.prototype) } }),
    teamBox: () => ({ id: 3, attributes: { team: new String("core") } }),
    boxedBigIntId: () => ({ id: Object(3n) }),
    otherRealmBoxedBigIntId: () => ({ id: other("Object(3n)") }),
    unreadNoPrototypeBox: () => ({ id: 3, attributes: { other: box(3, null) } }),
    unreadTypeErrorValueOf: () => ({ id: 3, attributes: { other: box(3, { valueOf() { throw new TypeError("no"); } }) } }),
    // JSON null or nothing: the anonymous user, as `check` reads `user: NaN` (the JSON builds'
    // `can`, `permissionsFor` and `subject` refused it where the browser runtime answered).
    nan: () => NaN,
    infinity: () => -Infinity,
    toJSONNull: () => ({ id: 3, isStaff: true, toJSON: () => null }),
    function: () => () => ({ id: 3 }),
    arrayObjectPrototype: () => Object.assign(Object.setPrototypeOf([3], Object.prototype), { id: 3, isStaff: true }),
    boxTaggedObject: () => Object.assign(box(3, Object.prototype), { id: 3, isStaff: true, [Symbol.toStringTag]: "Object" }),
    tagOfItsOwn: () => ({ id: 3, isStaff: true, [Symbol.toStringTag]: "Number" }),
  };
  const objects = {
    booleanBoxObjectPrototype: () => ({ owner: 3, title: "y", published: box(true, Object.prototype), draft: 1 }),
    numberBoxObjectPrototype: () => ({ owner: 3, title: "y", published: false, draft: box(3, Object.prototype) }),
    stringBoxObjectPrototype: () => ({ owner: 3, title: box("x", Object.prototype), published: false, draft: 1 }),
    objectIsNumberBox: () => Object.assign(box(3, Object.prototype), { owner: 3, title: "x" }),
    objectIsBooleanBox: () => Object.assign(box(false, Object.prototype), { owner: 3, title: "x" }),
    otherRealmBooleanBox: () => ({ owner: 3, title: "y", published: other("Object.setPrototypeOf(new Boolean(true), Object.prototype)"), draft: 1 }),
    boxedBigIntOwner: () => ({ owner: Object(3n), title: "x" }),
    otherRealmBoxedBigIntOwner: () => ({ owner: other("Object(3n)"), title: "x" }),
    bigIntOwner: () => ({ owner: 3n, title: "x" }),
    noPrototypeBoxRead: () => ({ owner: box(3, null), title: "x" }),
    noPrototypeBoxUnread: () => ({ owner: 3, title: "x", other: box(3, null) }),
    valueOfBox: () => ({ owner: box(3, { valueOf: () => 7 }), title: "x" }),
    arrayObjectPrototype: () => Object.assign(Object.setPrototypeOf([], Object.prototype), { owner: 3, title: "x" }),
    boxTaggedObject: () => Object.assign(box(false, Object.prototype), { owner: 3, title: "x", [Symbol.toStringTag]: "Object" }),
    tagOfItsOwn: () => ({ owner: 3, title: "x", published: true, [Symbol.toStringTag]: "Boolean" }),
  };
  const json = new Gate(valuePolicy);
  const builds = fiveBuilds(valuePolicy);
  const short = (run) => {
    try {
      const got = run();
      return typeof got === "boolean" ? got : got.allowed;
    } catch (error) {
      return `${error.name} ${error.code}`;
    }
  };
  const cases = [];
  for (const [shape, make] of Object.entries(users)) {
    for (const [view, action] of [["posts", "update"], ["teams", "list"]]) cases.push([`user ${shape}`, view, action, make, () => undefined]);
  }
  for (const [shape, make] of Object.entries(objects)) {
    for (const [view, action] of [["posts", "update"], ["flags", "retrieve"]]) cases.push([`object ${shape}`, view, action, () => ({ id: 3 }), make]);
  }
  for (const [name, build] of Object.entries(builds)) {
    test(name, () => {
      const gate = build.gate();
      const wrong = [];
      let compared = 0;
      for (const [label, view, action, user, object] of cases) {
        const context = () => (object() === undefined ? { view, action, user: user() } : { view, action, user: user(), object: object() });
        const want = short(() => json.check(wholeWay(context())));
        // Twice: the second is a memo or kept-steps hit.
        for (let again = 0; again < 2; again++) {
          if (build.check) {
            const got = short(() => gate.check(context()));
            compared++;
            if (got !== want) wrong.push(`check ${label} ${view}.${action}: ${got} != ${want}`);
          }
          if (object() === undefined) {
            for (const [how, run] of [
              ["permissionsFor", () => gate.permissionsFor(user(), view)[action]],
              ["subject", () => gate.can(gate.subject(user()), view, action)],
            ]) {
              const got = short(run);
              compared++;
              if (got !== want) wrong.push(`${how} ${label} ${view}.${action}: ${got} != ${want}`);
            }
          }
          const got = short(() => gate.can(user(), view, action, object()));
          // can reads only the object members the policy reads: a refusal of another is not its.
          if (typeof want === "string" && label.startsWith("object")) continue;
          compared++;
          if (got !== want) wrong.push(`can ${label} ${view}.${action}: ${got} != ${want}`);
        }
      }
      assert.deepEqual(wrong, []);
      assert.ok(compared > 40, `${compared} answers compared`);
    });
  }
});

// One rule for exceptions (pkg/README.md "Errors"): what the caller's own value throws while it is
// read (a getter, `toJSON`, a box's `valueOf`, a Proxy trap) reaches the caller as it is, the same
// object, in every build and on every path (typed, memo, steps, and the JSON path of a context
// that is no plain object); only what JSON itself cannot hold (a cycle, a box that converts to no
// primitive) is a ContextError. Before, the JSON builds turned a thrown TypeError into
// `ContextError: not representable as JSON` wherever the core ran JSON.stringify.
describe("the caller's own exception reaches the caller as it is, in every build and on every path", () => {
  const thrown = new TypeError("the caller's own");
  const odd = Object.freeze({ not: "an Error" });
  const boom = (error) => () => {
    throw error;
  };
  const getter = (record, name, error) => Object.defineProperty(record, name, { get: boom(error), enumerable: true });
  const box = (value, proto) => Object.setPrototypeOf(Object(value), proto);
  // Each case gives the user or the object; an object's `read`: the views whose policy reads the
  // member that throws (`can` reads only those members: elsewhere it answers), all when omitted.
  const mine = (error) => ({
    "user getter": { user: () => getter({ id: 3 }, "isStaff", error) },
    "user member getter": { user: () => ({ id: 3, attributes: getter({}, "team", error) }) },
    "user toJSON": { user: () => ({ id: 3, toJSON: boom(error) }) },
    "user valueOf of a box": { user: () => ({ id: box(3, { valueOf: boom(error) }) }) },
    "user Proxy get": { user: () => new Proxy({ id: 3 }, { get: boom(error) }) },
    "user Proxy ownKeys": { user: () => new Proxy({ id: 3 }, { ownKeys: boom(error) }) },
    "object getter": { object: () => getter({ title: "x" }, "owner", error), read: ["posts"] },
    "object toJSON": { object: () => ({ owner: 3, toJSON: boom(error) }) },
    "object unread getter": { object: () => getter({ owner: 3 }, "other", error), read: [] },
    "object toPrimitive of a box": { object: () => ({ owner: box(3, { [Symbol.toPrimitive]: boom(error) }) }), read: ["posts"] },
  });
  const cases = { ...mine(thrown), ...Object.fromEntries(Object.entries(mine(odd)).map(([k, v]) => [`${k} (no Error)`, v])) };
  // JSON's own refusals: a ContextError on every path.
  const cycle = () => {
    const value = { id: 3 };
    value.self = value;
    return value;
  };
  const refused = {
    "user cycle": { user: cycle },
    "user box converting to no primitive": { user: () => ({ id: box(3, null) }) },
    "user box whose toPrimitive gives an object": { user: () => ({ id: box(3, { [Symbol.toPrimitive]: () => ({}) }) }) },
    "object cycle": { object: () => ({ owner: 3, nested: cycle() }), read: [] },
    "object box converting to no primitive": { object: () => ({ owner: box(3, Object.create(null)) }), read: ["posts"] },
  };
  const builds = fiveBuilds(valuePolicy);
  const outcome = (run) => {
    try {
      run();
      return "answered";
    } catch (error) {
      if (error === thrown) return "thrown";
      if (error === odd) return "odd";
      return `${error.name} ${error.code}`;
    }
  };
  for (const [name, build] of Object.entries(builds)) {
    test(name, () => {
      const gate = build.gate();
      const wrong = [];
      let compared = 0;
      for (const [label, { user = () => ({ id: 3 }), object, read }] of Object.entries({ ...cases, ...refused })) {
        const want = label in refused ? "ContextError invalid_context" : label.endsWith("(no Error)") ? "odd" : "thrown";
        const runs = [];
        for (const [view, action] of [["posts", "update"], ["teams", "list"]]) {
          const context = () => (object === undefined ? { view, action, user: user() } : { view, action, user: user(), object: object() });
          // Twice: the second may be a memo or kept-steps hit.
          for (let again = 0; again < 2; again++) {
            if (build.check) {
              runs.push([`check ${view}.${action}`, () => gate.check(context())]);
              runs.push([`check (JSON path) ${view}.${action}`, () => gate.check(wholeWay(context()))]);
            }
            const canWant = read === undefined || read.includes(view) ? want : "answered";
            runs.push([`can ${view}.${action}`, () => gate.can(user(), view, action, object?.()), canWant]);
            runs.push([`permissionsFor ${view}`, () => gate.permissionsFor(user(), view, object?.())]);
            if (object === undefined) runs.push(["subject", () => gate.subject(user())]);
            else runs.push([`can of a Subject ${view}.${action}`, () => gate.can(gate.subject(user()), view, action, object()), canWant]);
          }
        }
        for (const [how, run, expected = want] of runs) {
          const got = outcome(run);
          compared++;
          if (got !== expected) wrong.push(`${label}: ${how}: ${got} != ${expected}`);
        }
      }
      assert.deepEqual(wrong, []);
      assert.ok(compared > 100, `${compared} answers compared`);
    });
  }
});

// A getter answering differently on each read: every path decides on its first read of a member
// the policy reads, and reads it once (the JSON core's steps path decided on a second read, the
// copy it sent to wasm, where JSON.stringify and the browser runtime decide on the first).
describe("a member the policy reads is read once, and decided on, in every build and on every path", () => {
  // The owner on the first read (user 3: allowed), another user after (denied); a staff user on
  // the first read (allowed), not after (denied: the object is someone else's).
  const flipOwner = (count) => ({ title: "x", get owner() { return ++count.reads === 1 ? 3 : 4; } });
  const flipStaff = (count) => ({ id: 3, get isStaff() { return ++count.reads === 1; } });
  const builds = fiveBuilds(valuePolicy);
  for (const [name, build] of Object.entries(builds)) {
    test(name, () => {
      const gate = build.gate();
      const runs = {
        "can, object": (c) => gate.can({ id: 3 }, "posts", "update", flipOwner(c)),
        "can, user": (c) => gate.can(flipStaff(c), "posts", "update", { owner: 9 }),
        "can of a Subject, user": (c) => gate.can(gate.subject(flipStaff(c)), "posts", "update", { owner: 9 }),
        "permissionsFor, user": (c) => gate.permissionsFor(flipStaff(c), "posts", { owner: 9 }).update,
      };
      if (build.check) {
        Object.assign(runs, {
          "check, object": (c) => gate.check({ view: "posts", action: "update", user: { id: 3 }, object: flipOwner(c) }).allowed,
          "check, user": (c) => gate.check({ view: "posts", action: "update", user: flipStaff(c), object: { owner: 9 } }).allowed,
          "check (JSON path), object": (c) =>
            gate.check(wholeWay({ view: "posts", action: "update", user: { id: 3 }, object: flipOwner(c) })).allowed,
        });
      }
      const got = {};
      const want = {};
      // Three rounds: a first sight, then kept steps, memo and program hits.
      for (let round = 0; round < 3; round++) {
        for (const [how, run] of Object.entries(runs)) {
          const count = { reads: 0 };
          got[`${how} #${round}`] = `${run(count)}, read ${count.reads}`;
          want[`${how} #${round}`] = "true, read 1";
        }
      }
      assert.deepEqual(got, want);
    });
  }
});

// The same rule for a raw request that crosses as JSON (one that is no plain record): what its
// own getter throws reaches the caller as it is (the core's JSON.stringify made a TypeError
// `ContextError: the request is not representable as JSON`); a cycle is that ContextError.
describe("a raw request's own exception reaches the caller as it is", () => {
  const gate = new Gate({
    authentication: ["token"],
    permissions: ["IsAuthenticated"],
    renderers: ["JSONRenderer"],
    views: { posts: { model: "blog.Post" } },
    routes: [{ pattern: "/api/posts/", view: "posts" }],
  });
  const thrown = new TypeError("the caller's own");
  const request = (extra) =>
    Object.assign(Object.create({ toString: () => "request" }), { method: "GET", url: "https://api.test/api/posts/" }, extra);
  const cycle = {};
  cycle.self = cycle;
  const outcome = async (run) => {
    try {
      const step = await run();
      return step === null ? "no route" : `decided ${step.decision?.status}`;
    } catch (error) {
      return error === thrown ? "thrown" : `${error.name} ${error.code}`;
    }
  };
  test("sync and async", async () => {
    const got = {};
    for (const [how, run] of [
      ["sync", (r) => gate.checkRequestSync(r, { view: "posts" })],
      ["async", (r) => gate.checkRequest(r, { view: "posts" })],
    ]) {
      got[`${how} plain`] = await outcome(() => run(request({})));
      // A member the JSON path writes (and the core then refuses as unknown), not the headers,
      // which the package reads itself first.
      const member = Object.defineProperty({}, "x", { get: () => { throw thrown; }, enumerable: true });
      const withGetter = request({ headers: {}, extra: member });
      got[`${how} getter`] = await outcome(() => run(withGetter));
      got[`${how} cycle`] = await outcome(() => run(request({ headers: { authorization: "Token x" }, extra: cycle })));
    }
    assert.deepEqual(got, {
      "sync plain": "decided 401",
      "sync getter": "thrown",
      "sync cycle": "ContextError invalid_context",
      "async plain": "decided 401",
      "async getter": "thrown",
      "async cycle": "ContextError invalid_context",
    });
  });
});
