// Names known at compile time: a policy literal (no `as const` needed), an `as const` policy and
// the exporter's own policy.json are typed down to their view and action names, so a typo fails
// `tsc`. Every `@ts-expect-error` line below must error: types.test.mjs also checks that tsc
// fails when one of them stops erroring.
import { Gate, type ActionName, type Policy, type PermissionClassName, type ViewName } from "drf-gate";
import blog from "./policy.json" with { type: "json" };

export const gate = new Gate({
  classes: { IsOwner: { hasObjectPermission: "obj.owner == request.user" } },
  views: {
    posts: { model: "blog.Post", actions: ["list", "retrieve", "destroy"] },
    comments: { model: "blog.Comment" },
  },
});

export function literal(): boolean[] {
  const me = gate.subject({ id: 3 });
  const answers = [
    gate.can(me, "posts", "destroy", { id: 1, owner: 3 }),
    gate.can(me, "posts", "DELETE"),
    gate.can(null, "comments", "partial_update"),
    gate.check({ view: "posts", action: "list" }).allowed,
    gate.permissionsFor(me, "posts").retrieve,
  ];
  // @ts-expect-error "destory" is not an action of posts
  answers.push(gate.can(me, "posts", "destory"));
  // @ts-expect-error "post" is not a view
  answers.push(gate.can(me, "post", "list"));
  // @ts-expect-error "update" is not an action of posts (its actions are listed)
  answers.push(gate.can(me, "posts", "update"));
  // @ts-expect-error a typo in check()'s action
  answers.push(gate.check({ view: "posts", action: "lst" }).allowed);
  // @ts-expect-error a typo in check()'s view
  answers.push(gate.check({ view: "postz", action: "list" }).allowed);
  // @ts-expect-error permissionsFor() has no such key
  answers.push(gate.permissionsFor(me, "posts").update);
  const views: ("posts" | "comments")[] = gate.views;
  const actions: ("list" | "retrieve" | "destroy")[] | undefined = gate.actions("posts");
  me.free();
  return [...answers, views.length === 2, actions?.length === 3];
}

const readonlyPolicy = {
  permissions: ["IsAuthenticated"],
  views: { drafts: { actions: { list: {}, publish: { detail: true, methods: ["POST"] } } } },
} as const;
export const asConst = new Gate(readonlyPolicy);
export const typedAsConst: Policy = readonlyPolicy;
export const typos = {
  // @ts-expect-error "publsh" is not an action of drafts
  asConst: () => asConst.can(null, "drafts", "publsh"),
  // @ts-expect-error "postz" is not a view of the exported policy
  exported: () => blogGate.can(null, "postz", "list"),
  untyped: () => untyped.can(null, "anything", "goes"),
};
export const published = (): boolean => asConst.can(null, "drafts", "publish");

// The exporter's policy.json, imported as JSON, is a Policy and its view names are literal.
export const exported: Policy = blog;
export const blogGate = new Gate(blog);
export const canPublish = (): boolean => blogGate.can(null, "posts", "publish");

// A literal-typed gate is a Gate (what helpers that take any gate accept).
export const anyGate: Gate = gate;
export const untyped = new Gate(JSON.stringify(readonlyPolicy));

type Check<T extends true> = T;
export type Names = [
  Check<ViewName<typeof readonlyPolicy> extends "drafts" ? true : false>,
  Check<ActionName<typeof readonlyPolicy, "drafts"> extends "list" | "publish" ? true : false>,
  Check<PermissionClassName<{ classes: { IsOwner: {} } }> extends string ? true : false>,
  Check<"IsOwner" extends PermissionClassName<{ classes: { IsOwner: {} } }> ? true : false>,
];
