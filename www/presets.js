// The playground's preset examples: a policy and a request context each. Plain data, also
// imported by the browser tests in Node.

const postsView = { model: "blog.Post" };

export const PRESETS = [
  {
    key: "token-first",
    label: "Token first: anonymous → 401",
    note: "The first authentication class has an authenticate_header (Token), so DRF answers 401 with WWW-Authenticate: Token.",
    policy: {
      authentication: ["TokenAuthentication", "SessionAuthentication"],
      permissions: ["IsAuthenticated"],
      views: { posts: postsView },
    },
    context: { view: "posts", action: "list", user: null, trace: true },
  },
  {
    key: "session-first",
    label: "Session first: anonymous → 403",
    note: "SessionAuthentication has no authenticate_header, so the same denial is a 403 without WWW-Authenticate.",
    policy: {
      authentication: ["SessionAuthentication", "TokenAuthentication"],
      permissions: ["IsAuthenticated"],
      views: { posts: postsView },
    },
    context: { view: "posts", action: "list", user: null, trace: true },
  },
  {
    key: "owner-or-admin",
    label: "Owner or admin (composition, object stage)",
    note: "IsOwner | IsAdminUser: a composed entry never carries IsOwner's message; the object stage decides.",
    policy: {
      authentication: ["token", "session"],
      classes: {
        IsOwner: {
          hasObjectPermission: "obj.owner == request.user",
          message: "You must be the owner of this post.",
          code: "not_owner",
        },
        IsOwnerOrAdmin: { expression: "IsOwner | IsAdminUser" },
      },
      views: {
        posts: {
          model: "blog.Post",
          permissions: ["IsAuthenticated", "IsOwnerOrAdmin"],
          actions: {
            list: {}, create: {}, retrieve: {}, update: {}, partial_update: {}, destroy: {},
            publish: { detail: true, methods: ["POST"], permissions: ["IsAuthenticated", "IsOwner"] },
          },
        },
      },
    },
    context: { view: "posts", action: "publish", user: { id: 2, username: "bob" }, object: { id: 1, owner: 1 }, trace: true },
  },
  {
    key: "model-permissions",
    label: "Django model permissions",
    note: "DjangoModelPermissions maps the method to blog.<codename>_comment; a superuser passes only when active.",
    policy: {
      authentication: ["session"],
      permissions: ["DjangoModelPermissions"],
      views: { comments: { model: "blog.Comment" } },
    },
    context: {
      view: "comments",
      method: "DELETE",
      detail: true,
      user: { id: 5, username: "mia", permissions: ["blog.change_comment"] },
      object: { id: 9, owner: 5 },
      trace: true,
    },
  },
  {
    key: "blog",
    label: "Sample blog project (examples/blog/policy.json)",
    note: "The policy exported from the sample DRF project. Publishing needs a verified email and (admin or owner).",
    policyUrl: "../examples/blog/policy.json",
    context: {
      view: "posts",
      action: "publish",
      user: { id: 7, username: "uma", attributes: { email_verified: false } },
      object: { id: 1, owner: 7 },
      trace: true,
    },
  },
];

/** The policy text of a preset (fetching the file-based one). */
export async function presetPolicyText(preset, fetchText) {
  if (preset.policyUrl) return fetchText(preset.policyUrl);
  return JSON.stringify(preset.policy, null, 2) + "\n";
}

export function presetContextText(preset) {
  return JSON.stringify(preset.context, null, 2) + "\n";
}
