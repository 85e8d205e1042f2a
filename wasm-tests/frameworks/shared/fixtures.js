// What both apps render and the test checks: the demo's users and posts (www/data.js), two
// policies (the sample project's exported one, and a stricter one to switch to), and the
// controls each post gets. Plain data: imported by the apps (bundled by Vite) and by run.mjs.
import blogPolicy from "../../../examples/blog/policy.json" with { type: "json" };
import { POSTS, USERS } from "../../../www/data.js";

export { POSTS, USERS };

/** Policies the apps switch between. */
export const POLICIES = {
  blog: blogPolicy,
  // Staff only, with a message: a switch changes every answer.
  staff: {
    authentication: ["session"],
    permissions: ["IsStaffOnly"],
    classes: {
      IsStaffOnly: { hasPermission: "request.user.is_staff", message: "Staff only.", code: "staff_only" },
      IsOwner: { hasObjectPermission: "obj.owner == request.user", message: "Not your post." },
    },
    views: {
      posts: {
        model: "blog.Post",
        permissions: ["IsStaffOnly", "IsOwner"],
        actions: {
          list: {}, create: {}, retrieve: {}, update: {}, partial_update: {}, destroy: {},
          publish: { detail: true, methods: ["POST"] },
        },
      },
    },
  },
};

/** The first render's state: the server renders it, the client hydrates it. */
export const INITIAL = { user: "ann", policy: "blog" };

export const userByKey = (key) => USERS.find((entry) => entry.key === key);
