// A Server Component rendered per user (`?user=KEY`): it decides with the package's Node entry,
// compiles the policy once for the browser, and hands the compiled bytes to the client.
import { Gate } from "drf-gate";
import { Can, GateProvider } from "drf-gate/react";
import { POLICIES, POSTS, USERS, userByKey } from "../../shared/fixtures.js";
import { Controls } from "./controls.jsx";

// Per request: the user comes from the query string (a real app: the session).
export const dynamic = "force-dynamic";

const gate = new Gate(JSON.stringify(POLICIES.blog));
const compiled = gate.toCompiled();

export default async function Page({ searchParams }) {
  const { user: key = "ann", mismatch } = await searchParams;
  const user = userByKey(key)?.user ?? null;
  return (
    <main>
      <p id="server-decision" data-user={key} data-create={String(gate.can(user, "posts", "create"))}>
        decided in a Server Component
      </p>
      {/* drf-gate/react's provider and <Can> straight from a Server Component. */}
      <GateProvider policy={compiled} user={user}>
        <Can view="posts" action="create" fallback={<span id="server-can" data-state="fallback" />}>
          <span id="server-can" data-state="shown" />
        </Can>
      </GateProvider>
      <Controls compiled={compiled} user={user} posts={POSTS} users={USERS.map((u) => u.key)} mismatch={mismatch === "1"} />
    </main>
  );
}
