// A hook called in a Server Component: drf-gate/react is a client module ("use client"), so
// React fails with its own message naming the hook (next.mjs checks the server's log).
import { useCan } from "drf-gate/react";

export const dynamic = "force-dynamic";

export default function Page() {
  return <p>{String(useCan("posts", "create"))}</p>;
}
