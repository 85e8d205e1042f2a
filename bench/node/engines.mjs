// One adapter per engine, all on the rules of workload.mjs.
//
// An adapter has `load()` (import the engine), `compile(mod)` (policy -> ready engine) and
// `modes`: ways of calling it. `mode.prepare(engine, workload)` turns the shared requests into the
// engine's own call arguments once (not timed, same for every engine); `mode.run(engine, calls)`
// answers every call and returns how many were allowed (the timed loop); `mode.one(engine, call)`
// answers one call (the agreement check).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { POLICY, handWritten } from "./workload.mjs";

const here = dirname(fileURLToPath(import.meta.url));

/** The drf-gate package directory: $DRF_GATE_PKG, default the repository's pkg/. */
export const PKG = resolve(process.env.DRF_GATE_PKG || join(here, "..", "..", "pkg"));

/** The Node ESM entry of the package, as its exports map names it. */
export function drfGateEntry() {
  const manifest = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  const root = manifest.exports?.["."] ?? {};
  const rel = root.node?.import ?? "./dist/node.mjs";
  const file = join(PKG, rel);
  if (!existsSync(file)) throw new Error(`drf-gate package not built: ${file} is missing (build it, or set DRF_GATE_PKG)`);
  return pathToFileURL(file).href;
}

const byId = (items) => new Map(items.map((item) => [item.id, item]));

// ---------------------------------------------------------------------------------------------
// drf-gate

function drfGateSubjects(gate, users) {
  const subjects = new Map(users.map((u) => [u.id, gate.subject(u)]));
  return (user) => (user === null ? null : subjects.get(user.id));
}

export const drfGate = {
  name: "drf-gate",
  load: () => import(drfGateEntry()),
  compile: (mod) => new mod.Gate(POLICY),
  modes: {
    // The UI check: a subject compiled once per user (gate.subject), then gate.can.
    can: {
      label: "gate.can, cached subject",
      prepare(gate, { users, requests }) {
        const subject = drfGateSubjects(gate, users);
        return requests.map((r) => ({ subject: subject(r.user), action: r.action, object: r.post ?? undefined }));
      },
      run(gate, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i];
          if (gate.can(c.subject, "posts", c.action, c.object)) allowed++;
        }
        return allowed;
      },
      one: (gate, c) => gate.can(c.subject, "posts", c.action, c.object),
    },
    // gate.can with the plain user object: the user is read and compiled on every call.
    canUser: {
      label: "gate.can, plain user object",
      prepare: (gate, { requests }) => requests.map((r) => ({ user: r.user, action: r.action, object: r.post ?? undefined })),
      run(gate, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i];
          if (gate.can(c.user, "posts", c.action, c.object)) allowed++;
        }
        return allowed;
      },
      one: (gate, c) => gate.can(c.user, "posts", c.action, c.object),
    },
    // The edge check: a fresh context object per request, full decision (status, body, headers).
    check: {
      label: "gate.check, fresh context",
      prepare: (gate, { requests }) => requests.map((r) => ({ user: r.user, action: r.action, object: r.post })),
      run(gate, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i];
          const context = c.object === null
            ? { view: "posts", action: c.action, user: c.user }
            : { view: "posts", action: c.action, user: c.user, object: c.object };
          if (gate.check(context).allowed) allowed++;
        }
        return allowed;
      },
      one(gate, c) {
        const context = c.object === null
          ? { view: "posts", action: c.action, user: c.user }
          : { view: "posts", action: c.action, user: c.user, object: c.object };
        return gate.check(context).allowed;
      },
    },
  },
};

// drf-gate's browser runtime (`drf-gate/runtime`): the same policy compiled (`gate.toCompiled()`),
// loaded by the runtime build (no compiler, values in the binary encoding), the same modes.
export const drfGateRuntime = {
  name: "drf-gate runtime",
  async load() {
    const node = await import(drfGateEntry());
    const dist = dirname(fileURLToPath(drfGateEntry()));
    const api = await import(pathToFileURL(join(dist, "api-runtime.js")).href);
    api.initSync({ module: readFileSync(join(dist, "drf_gate_runtime_bg.wasm")) });
    const gate = new node.Gate(POLICY);
    const bytes = gate.toCompiled();
    gate.free();
    return { Gate: api.Gate, bytes };
  },
  compile: (mod) => new mod.Gate(mod.bytes),
  modes: null, // drfGate's modes, set below
};

// gate.can with a fresh object per call whose read field (`owner`) takes up to 10^6 distinct
// values (no user owns them, so every answer stays the workload's): the memo must stay bounded.
function canManyMode() {
  let serial = 0;
  const fresh = (c) => {
    if (c.object === undefined) return undefined;
    serial = (serial + 1) % 1_000_000;
    return { id: c.object.id, owner: c.owns ? c.object.owner : 1_000_000 + serial, title: c.object.title };
  };
  return {
    label: "gate.can, cached subject, 10^6 distinct objects",
    prepare(gate, { users, requests }) {
      const subject = drfGateSubjects(gate, users);
      return requests.map((r) => ({
        subject: subject(r.user), action: r.action, object: r.post ?? undefined,
        owns: r.user !== null && r.post !== null && r.post.owner === r.user.id,
      }));
    },
    run(gate, calls) {
      let allowed = 0;
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        if (gate.can(c.subject, "posts", c.action, fresh(c))) allowed++;
      }
      return allowed;
    },
    one: (gate, c) => gate.can(c.subject, "posts", c.action, fresh(c)),
  };
}

// gate.check with a fresh context whose object's read field (`owner`) takes up to 10^6 distinct
// values (no user owns them, so every answer stays the workload's): check's memo (keyed on the
// user and the fields the policy reads) misses on every object-level request, as at an edge that
// sees each object once.
function checkManyMode() {
  let serial = 0;
  const context = (c) => {
    if (c.object === null) return { view: "posts", action: c.action, user: c.user };
    serial = (serial + 1) % 1_000_000;
    const owner = c.owns ? c.object.owner : 1_000_000 + serial;
    return { view: "posts", action: c.action, user: c.user, object: { id: c.object.id, owner, title: c.object.title } };
  };
  return {
    label: "gate.check, fresh context, 10^6 distinct objects",
    prepare: (gate, { requests }) =>
      requests.map((r) => ({
        user: r.user, action: r.action, object: r.post,
        owns: r.user !== null && r.post !== null && r.post.owner === r.user.id,
      })),
    run(gate, calls) {
      let allowed = 0;
      for (let i = 0; i < calls.length; i++) if (gate.check(context(calls[i])).allowed) allowed++;
      return allowed;
    },
    one: (gate, c) => gate.check(context(c)).allowed,
  };
}

// ---------------------------------------------------------------------------------------------
// Hand-written JS

export const hand = {
  name: "hand-written JS",
  load: async () => ({}),
  compile: () => ({}),
  modes: {
    can: {
      label: "if/else over the user and post",
      prepare: (_, { requests }) => requests.map((r) => ({ user: r.user, action: r.action, post: r.post })),
      run(_, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i];
          if (handWritten(c.user, c.action, c.post)) allowed++;
        }
        return allowed;
      },
      one: (_, c) => handWritten(c.user, c.action, c.post),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// CASL (@casl/ability): an Ability per user, built from rules.

function caslAbility(casl, user) {
  const { can, build } = new casl.AbilityBuilder(casl.createMongoAbility);
  can(["list", "retrieve"], "Post");
  if (user !== null) {
    can("create", "Post");
    if (user.isStaff) can(["update", "destroy"], "Post");
    else can(["update", "destroy"], "Post", { owner: user.id });
  }
  return build();
}

function caslSubjects(casl, posts) {
  // CASL tags the object with its type; tag copies so the other engines see untouched posts.
  const tagged = new Map(posts.map((p) => [p.id, casl.subject("Post", { ...p })]));
  return (post) => (post === null ? "Post" : tagged.get(post.id));
}

export const casl = {
  name: "CASL",
  load: () => import("@casl/ability"),
  compile: (mod) => mod,
  modes: {
    can: {
      label: "ability.can, ability cached per user",
      prepare(mod, { users, posts, requests }) {
        const abilities = new Map(users.map((u) => [u.id, caslAbility(mod, u)]));
        const anonymous = caslAbility(mod, null);
        const subject = caslSubjects(mod, posts);
        return requests.map((r) => ({
          ability: r.user === null ? anonymous : abilities.get(r.user.id), action: r.action, subject: subject(r.post),
        }));
      },
      run(_, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i];
          if (c.ability.can(c.action, c.subject)) allowed++;
        }
        return allowed;
      },
      one: (_, c) => c.ability.can(c.action, c.subject),
    },
    // What a server does per request without a cache: build the user's ability, then check.
    check: {
      label: "ability built per request, then can",
      prepare(mod, { posts, requests }) {
        const subject = caslSubjects(mod, posts);
        return requests.map((r) => ({ user: r.user, action: r.action, subject: subject(r.post) }));
      },
      run(mod, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i];
          if (caslAbility(mod, c.user).can(c.action, c.subject)) allowed++;
        }
        return allowed;
      },
      one: (mod, c) => caslAbility(mod, c.user).can(c.action, c.subject),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Casbin (node-casbin): ABAC matcher over request attributes, enforceSync.

export const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && (p.sub == "anyone" || (p.sub == "user" && r.sub.auth) || (p.sub == "owner" && r.sub.auth && r.obj.owner == r.sub.id) || (p.sub == "staff" && r.sub.staff))
`;

export const CASBIN_POLICY = `
p, anyone, list
p, anyone, retrieve
p, user, create
p, owner, update
p, owner, destroy
p, staff, update
p, staff, destroy
`;

export const casbin = {
  name: "Casbin",
  load: () => import("casbin"),
  compile: (mod) => mod.newEnforcer(mod.newModelFromString(CASBIN_MODEL), new mod.StringAdapter(CASBIN_POLICY)),
  modes: {
    can: {
      label: "enforceSync, compiled matcher",
      prepare(_, { users, requests }) {
        const subjects = new Map(users.map((u) => [u.id, { id: u.id, auth: true, staff: u.isStaff }]));
        const anonymous = { id: -1, auth: false, staff: false };
        const collection = { owner: -2 };
        return requests.map((r) => ({
          sub: r.user === null ? anonymous : subjects.get(r.user.id), obj: r.post ?? collection, act: r.action,
        }));
      },
      run(enforcer, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i];
          if (enforcer.enforceSync(c.sub, c.obj, c.act)) allowed++;
        }
        return allowed;
      },
      one: (enforcer, c) => enforcer.enforceSync(c.sub, c.obj, c.act),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Cedar (@cedar-policy/cedar-wasm)

export const CEDAR_POLICIES = `
permit (principal, action in [Action::"list", Action::"retrieve"], resource);
permit (principal is User, action == Action::"create", resource);
permit (principal is User, action in [Action::"update", Action::"destroy"], resource is Post)
  when { resource.owner == principal || principal.staff };
`;

function cedarCalls({ requests }) {
  return requests.map((r) => {
    const entities = [];
    let principal = { type: "Anonymous", id: "anonymous" };
    if (r.user !== null) {
      principal = { type: "User", id: String(r.user.id) };
      entities.push({ uid: principal, attrs: { staff: r.user.isStaff }, parents: [] });
    }
    let resource = { type: "Posts", id: "posts" };
    if (r.post !== null) {
      resource = { type: "Post", id: String(r.post.id) };
      entities.push({ uid: resource, attrs: { owner: { __entity: { type: "User", id: String(r.post.owner) } } }, parents: [] });
    }
    return { principal, action: { type: "Action", id: r.action }, resource, context: {}, entities };
  });
}

function cedarAllowed(answer) {
  if (answer.type !== "success") throw new Error(`cedar: ${JSON.stringify(answer.errors)}`);
  return answer.response.decision === "allow";
}

export const cedar = {
  name: "Cedar (wasm)",
  load: () => import("@cedar-policy/cedar-wasm/nodejs"),
  compile(mod) {
    const parsed = mod.preparsePolicySet("posts", { staticPolicies: CEDAR_POLICIES });
    if (parsed.type !== "success") throw new Error(`cedar: ${JSON.stringify(parsed.errors)}`);
    return mod;
  },
  modes: {
    // Cedar's fastest path: the policy set preparsed once and cached inside the wasm instance.
    can: {
      label: "statefulIsAuthorized, preparsed policy set",
      prepare: (_, workload) => cedarCalls(workload).map((c) => ({ ...c, preparsedPolicySetId: "posts" })),
      run(mod, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) if (cedarAllowed(mod.statefulIsAuthorized(calls[i]))) allowed++;
        return allowed;
      },
      one: (mod, c) => cedarAllowed(mod.statefulIsAuthorized(c)),
    },
    // The documented basic call: policies as text in every call.
    check: {
      label: "isAuthorized, policy text per call",
      prepare: (_, workload) => cedarCalls(workload).map((c) => ({ ...c, policies: { staticPolicies: CEDAR_POLICIES } })),
      run(mod, calls) {
        let allowed = 0;
        for (let i = 0; i < calls.length; i++) if (cedarAllowed(mod.isAuthorized(calls[i]))) allowed++;
        return allowed;
      },
      one: (mod, c) => cedarAllowed(mod.isAuthorized(c)),
    },
  },
};

drfGate.modes.canMany = canManyMode();
drfGate.modes.checkMany = checkManyMode();
drfGateRuntime.modes = { ...drfGate.modes, canMany: canManyMode(), checkMany: checkManyMode() };
export const ENGINES = { drfGate, drfGateRuntime, hand, casl, casbin, cedar };
