// The demo's sample data: users (as DRF's request.user, docs/policy.md §2) and blog posts (what
// get_object() returns). Plain data, also imported by the browser tests in Node.

/** The users of the switcher; `user: null` is anonymous. */
export const USERS = [
  { key: "anonymous", label: "Anonymous", note: "not logged in", user: null },
  {
    key: "ann",
    label: "Ann (author)",
    note: "owns posts 1 and 3",
    user: { id: 1, username: "ann", attributes: { email_verified: true } },
  },
  {
    key: "bob",
    label: "Bob (another user)",
    note: "owns post 2",
    user: { id: 2, username: "bob", attributes: { email_verified: true } },
  },
  {
    key: "sam",
    label: "Sam (staff)",
    note: "is_staff",
    user: { id: 4, username: "sam", isStaff: true, attributes: { email_verified: true } },
  },
  {
    key: "mia",
    label: "Mia (model permissions)",
    note: "blog.add/change/delete/view_post and _comment",
    user: {
      id: 5,
      username: "mia",
      permissions: [
        "blog.add_post", "blog.change_post", "blog.delete_post", "blog.view_post",
        "blog.add_comment", "blog.change_comment", "blog.delete_comment", "blog.view_comment",
      ],
      attributes: { email_verified: true },
    },
  },
  {
    key: "root",
    label: "Root (inactive superuser)",
    note: "is_superuser, is_staff, but not is_active",
    user: { id: 6, username: "root", isActive: false, isStaff: true, isSuperuser: true, attributes: { email_verified: true } },
  },
  {
    key: "uma",
    label: "Uma (unverified)",
    note: "email not verified",
    user: { id: 7, username: "uma", attributes: { email_verified: false } },
  },
];

/** Blog posts; `owner` is the author's user id (the object of object permissions); `published`
 * is what PostViewSet.get_queryset filters on (a draft is a 404 for everyone but its owner). */
export const POSTS = [
  { id: 1, owner: 1, author: "ann", title: "Permissions at the edge", status: "draft", published: false,
    excerpt: "Why a Worker in front of DRF must answer byte for byte what the server would." },
  { id: 2, owner: 2, author: "bob", title: "401 or 403?", status: "published", published: true,
    excerpt: "The first authentication class decides: a WWW-Authenticate header, or none." },
  { id: 3, owner: 1, author: "ann", title: "Object permissions, explained", status: "published", published: true,
    excerpt: "has_permission runs first; has_object_permission only once get_object() found it." },
];

/** `data-gate-object` ids to objects, as the DOM helper takes them. */
export function postObjects() {
  return Object.fromEntries(POSTS.map((post) => [String(post.id), post]));
}
