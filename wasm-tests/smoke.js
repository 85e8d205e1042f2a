// One smoke test, run unchanged by Node, workerd and Chromium: each runtime hands in the
// package's exports as its consumers import them, and the results must be identical.
export const policy = {
  authentication: ["session", "token"],
  permissions: ["IsAuthenticated"],
  views: {
    posts: { model: "blog.Post" },
    comments: { model: "blog.Comment", permissions: ["IsAuthenticatedOrReadOnly"] },
  },
};

const ann = { id: 3, username: "ann", permissions: ["blog.add_post"] };

function caught(f) {
  try {
    f();
    return null;
  } catch (e) {
    return { error: e instanceof Error, name: e.name, code: e.code, path: e.path, line: e.line ?? null };
  }
}

export function smoke(api) {
  const gate = new api.Gate(policy);
  const me = gate.subject(ann);
  const result = {
    views: gate.views,
    anonymous: gate.check({ view: "posts", action: "list", user: null }),
    member: gate.check({ view: "posts", action: "list", user: ann }),
    can: [gate.can(null, "posts", "list"), gate.can(ann, "posts", "list"), gate.can(me, "posts", "destroy", { id: 7, owner: 3 })],
    permissionsFor: gate.permissionsFor(me, "posts"),
    policyError: caught(() => new api.Gate('{\n "views": }')),
    contextError: caught(() => gate.check({ view: "posts", user: { isStaff: "yes" } })),
    unknownView: caught(() => gate.can(me, "nope", "list")),
    instanceOf: [
      caught(() => new api.Gate("{")) !== null && (() => { try { new api.Gate("{"); } catch (e) { return e instanceof api.PolicyError; } })(),
    ],
    afterErrors: gate.can(me, "posts", "list"),
    dispose: typeof me[Symbol.dispose] === "function" || typeof Symbol.dispose === "undefined",
  };
  me.free();
  gate.free();
  return JSON.parse(JSON.stringify(result));
}
