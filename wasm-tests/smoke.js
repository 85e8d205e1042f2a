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

/**
 * Raw-request checking and CSRF minting, the edge build's own API. Run unchanged by Node,
 * workerd and Chromium; in the core build (`drf-gate/web`, the browser default) every call
 * fails with `code: "needs_edge_build"`.
 */
export async function edgeSmoke(api) {
  const gate = new api.Gate(policy);
  const resolvers = { token: (key) => (key === "abc" ? ann : null) };
  const settle = async (f) => {
    try {
      return await f();
    } catch (e) {
      return { error: e instanceof Error, code: e.code ?? null, edge: /drf-gate\/web-edge/.test(e.message) };
    }
  };
  const result = {
    sync: await settle(() => gate.checkRequestSync({ method: "GET", headers: { Authorization: "Token abc" } }, { view: "posts", resolvers })),
    async: await settle(() => gate.checkRequest({ method: "POST", headers: { Authorization: "Token nope" } }, { view: "posts", resolvers: { token: async () => null } })),
    // With `Accept`: workerd drops an empty `Accept:` line, so a Fetch Request without one leaves
    // negotiation to the origin there (DRF's 406 for an empty one; tests/edge_certainty.rs).
    fetch: await settle(() => gate.checkRequest(new Request("https://example.com/posts/", { headers: { Authorization: "Token abc", Accept: "application/json" } }), { view: "posts", resolvers })),
    mint: await settle(() => {
      const minted = api.mintCsrfToken();
      return [minted.token.length, minted.secret.length, minted.newSecret];
    }),
  };
  gate.free();
  return JSON.parse(JSON.stringify(result));
}
