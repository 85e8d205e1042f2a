// Server-only: decides with the package's Node entry and hands the page the compiled policy (a
// Uint8Array, which SvelteKit serialises into the page for hydration).
import { Gate } from "drf-gate";
import { POLICIES, userByKey } from "../../../shared/fixtures.js";

const gate = new Gate(JSON.stringify(POLICIES.blog));
const compiled = gate.toCompiled();

// Per request: the user comes from the query string (a real app: the session, event.locals).
export function load({ url }) {
  const key = url.searchParams.get("user") ?? "ann";
  const user = userByKey(key)?.user ?? null;
  return { key, user, compiled, create: gate.can(user, "posts", "create"), mismatch: url.searchParams.get("mismatch") === "1" };
}
