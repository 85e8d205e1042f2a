// A small policy used across the package tests (the blog of docs/policy.md).
export const policy = {
  authentication: ["session", "token"],
  permissions: ["IsAuthenticated"],
  views: {
    posts: { model: "blog.Post" },
    comments: { model: "blog.Comment", permissions: ["IsAuthenticatedOrReadOnly"] },
  },
};

export const ann = { id: 3, username: "ann", permissions: ["blog.add_post"] };

// DRF's answer to an anonymous request on an IsAuthenticated view whose first authentication
// class has no header (SessionAuthentication): 403.
export const notAuthenticatedBody = '{"detail":"Authentication credentials were not provided."}';
