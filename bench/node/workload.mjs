// The shared workload: one set of rules, written once per engine, and one seeded list of 10,000
// requests that every engine answers. No engine-specific shortcut is taken on the requests: each
// adapter gets the same user, action and post and turns them into its own call.
//
// The rules, as a DRF project writes them:
//
//   class IsOwnerOrReadOnly(BasePermission):
//       def has_object_permission(self, request, view, obj):
//           return request.method in SAFE_METHODS or obj.owner == request.user
//
//   class PostViewSet(ModelViewSet):
//       permission_classes = [IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly | IsAdminUser]
//
// so: list and retrieve for everyone, create for any signed-in user, update and destroy (object
// level) for the post's owner or a staff user.

/** The drf-gate policy (docs/policy.md). */
export const POLICY = {
  authentication: ["session"],
  permissions: ["IsAuthenticatedOrReadOnly", "IsOwnerOrReadOnly | IsAdminUser"],
  classes: {
    IsOwnerOrReadOnly: {
      hasObjectPermission: "request.method in SAFE_METHODS or obj.owner == request.user",
    },
  },
  views: {
    posts: { model: "blog.Post", actions: ["list", "create", "retrieve", "update", "destroy"] },
  },
};

export const ACTIONS = ["list", "retrieve", "create", "update", "destroy"];
/** Actions that run object permissions (get_object()). */
export const OBJECT_ACTIONS = new Set(["retrieve", "update", "destroy"]);
export const KINDS = ["anonymous", "owner", "other", "staff"];
export const REQUESTS = 10_000;

// mulberry32: a tiny seeded PRNG, so every run and every engine sees the same requests.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Users (drf-gate's user format: docs/policy.md §2), posts, and 10,000 requests
 * `{ kind, user, action, post }` where `user` is null for anonymous and `post` is null for the
 * list-route actions (list, create).
 */
export function makeWorkload(seed = 20240611, count = REQUESTS) {
  const random = rng(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const members = Array.from({ length: 20 }, (_, i) => ({
    id: i + 1, username: `user${i + 1}`, isActive: true, isStaff: false, isSuperuser: false,
  }));
  const staff = [100, 101].map((id) => ({
    id, username: `staff${id}`, isActive: true, isStaff: true, isSuperuser: false,
  }));
  const users = [...members, ...staff];
  const posts = Array.from({ length: 100 }, (_, i) => ({
    id: i + 1, owner: pick(members).id, title: `Post ${i + 1}`,
  }));
  const requests = [];
  for (let i = 0; i < count; i++) {
    const action = ACTIONS[i % ACTIONS.length];
    const kind = pick(KINDS);
    const post = pick(posts);
    let user = null;
    if (kind === "owner") user = members[post.owner - 1];
    else if (kind === "other") {
      do user = pick(members); while (user.id === post.owner);
    } else if (kind === "staff") user = pick(staff);
    requests.push({ kind, user, action, post: OBJECT_ACTIONS.has(action) ? post : null });
  }
  return { users, posts, requests };
}

/** The rules as a person would hand-write them in JS: the floor every engine is measured against. */
export function handWritten(user, action, post) {
  if (action === "list" || action === "retrieve") return true;
  if (user === null) return false;
  if (action === "create") return true;
  return user.isStaff || post.owner === user.id;
}
