// TypeScript usage of the packed package, type-checked by `tsc --noEmit` (types.test.mjs) and then
// compiled and run: the samples below are typed by the package's declarations AND accepted by the
// Rust core at run time, so the two cannot drift apart unnoticed.
import init, {
  ContextError,
  Gate,
  PolicyError,
  Subject,
  type Context,
  type ContextErrorCode,
  type Decision,
  type Policy,
  type PolicyErrorCode,
  type RequestDecision,
  type User,
  mintCsrfToken,
  type MintedCsrfToken,
} from "drf-gate";
import { gateDom, type GateDomController } from "drf-gate/dom";

// The DOM helper's declarations resolve and fit the core's types.
export const mountGate = (root: HTMLElement, gate: Gate, user: User): GateDomController => gateDom(root, gate, user);

export const policy: Policy = {
  authentication: ["session", "token"],
  permissions: ["IsAuthenticated"],
  views: {
    posts: { model: "blog.Post" },
    comments: { model: "blog.Comment", permissions: ["IsAuthenticatedOrReadOnly"] },
  },
};

export const users: User[] = [
  { id: 3, username: "ann", permissions: ["blog.add_post"] },
  { id: "u-9", isStaff: true, isSuperuser: false, isActive: true, tokenUser: false, attributes: { email_verified: true } },
  { id: 4, objectPermissions: { "7": ["change_post"] } },
];

export const contexts: Context[] = [
  { view: "posts", action: "list", user: null },
  { view: "posts", action: "list", user: users[0] },
  { view: "comments", method: "GET", detail: false },
  { view: "posts", action: "retrieve", user: users[1], object: { id: 7, owner: 3 } },
];

// Every key of Decision, checked both ways: TypeScript rejects a missing or extra key here, and
// the run below rejects a decision with a key not listed.
export const decisionKeys: Record<keyof Decision, "required" | "optional"> = {
  allowed: "required",
  respond: "required",
  status: "required",
  body: "required",
  headers: "required",
  code: "required",
  stage: "required",
  decidedBy: "required",
  objectCheck: "required",
  trace: "required",
  error: "required",
};

// Edge authentication: a raw request, async resolvers, a CSRF token.
export async function checkRaw(gate: Gate): Promise<RequestDecision | null> {
  const csrf: MintedCsrfToken = mintCsrfToken();
  return gate.checkRequest(
    { method: "POST", path: "/api/posts/", headers: { Authorization: "Token abc", "X-CSRFToken": csrf.token } },
    { view: "posts", resolvers: { token: async (key: string) => (key === "abc" ? { id: 3 } : null) } },
  );
}

// @ts-expect-error unknown policy keys are a type error, as they are a PolicyError at run time
export const misspelt: Policy = { views: {}, permission: [] };

export async function run(): Promise<{ decisions: Decision[]; can: boolean; perms: Record<string, boolean>; codes: string[] }> {
  await init();
  const gate = new Gate(policy);
  const views: string[] = gate.views;
  if (views.length !== 2) throw new Error("views");
  const decisions: Decision[] = contexts.map((context) => gate.check(context));
  const me: Subject = gate.subject(users[0]);
  const can: boolean = gate.can(me, "posts", "list") && !gate.can(null, "posts", "list");
  const perms: Record<string, boolean> = gate.permissionsFor(users[0], "posts", { id: 7, owner: 3 });
  me.free();
  const codes: string[] = [];
  try {
    new Gate("{");
  } catch (e) {
    if (e instanceof PolicyError) {
      const code: PolicyErrorCode = e.code;
      const where: string = `${e.path}:${e.line ?? "?"}:${e.column ?? "?"}`;
      codes.push(code, where);
    }
  }
  try {
    gate.check({ view: "nope", action: "list" });
  } catch (e) {
    if (e instanceof ContextError) {
      const code: ContextErrorCode = e.code;
      codes.push(code, e.path);
    }
  }
  gate.free();
  return { decisions, can, perms, codes };
}
