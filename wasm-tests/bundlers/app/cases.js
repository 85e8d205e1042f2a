// The tiny app's policy and requests: what every bundle must decide exactly as the Node package.
export const POLICY = {
  authentication: ["token", "session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: {
    IsOwner: { hasObjectPermission: "obj.owner == request.user", message: "You must be the owner of this post.", code: "not_owner" },
  },
  views: {
    posts: {
      model: "blog.Post",
      permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"],
      queryset: "obj.published or obj.owner == request.user",
    },
    reports: { permissions: ["IsAdminUser"], actions: ["list"] },
  },
};

const ann = { id: 3, username: "ann" };
const staff = { id: 9, username: "sam", isStaff: true };
const published = { id: 7, owner: 3, published: true };
const draft = { id: 8, owner: 4, published: false };

export const CASES = [
  { view: "posts", action: "list", user: null },
  { view: "posts", action: "create", user: null },
  { view: "posts", action: "create", user: ann },
  { view: "posts", action: "retrieve", user: null, object: published },
  { view: "posts", action: "retrieve", user: null, object: draft },
  { view: "posts", action: "destroy", user: ann, object: published },
  { view: "posts", action: "destroy", user: ann, object: { ...published, owner: 4 } },
  { view: "posts", action: "update", user: staff, object: { ...published, owner: 4 } },
  { view: "posts", action: "update", user: ann, object: draft },
  { view: "posts", action: "destroy", user: ann, object: null },
  { view: "reports", action: "list", user: ann },
  { view: "reports", action: "list", user: staff },
];
