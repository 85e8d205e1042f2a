"use client";
// A Client Component gated by drf-gate/can/react with the UI-gating build's Gate class: server
// rendered by Next (Node), then hydrated in the browser.
import { useEffect, useState } from "react";
import { Gate } from "drf-gate/can";
import { Can, GateProvider, useCan, usePermissions } from "drf-gate/can/react";

function CreateButton() {
  const can = useCan("posts", "create");
  return <button data-control="create" data-state={can ? "enabled" : "disabled"} disabled={!can}>New post</button>;
}

function PostRow({ post }) {
  const canDestroy = useCan("posts", "destroy", post);
  // useDecision needs `check`, which the UI-gating build leaves out: can() only.
  const canPublish = useCan("posts", "publish", post);
  const perms = usePermissions("posts", post);
  return (
    <li data-post={post.id}>
      <Can view="posts" action="retrieve" object={post} fallback={<span data-control="retrieve" data-state="fallback">hidden</span>}>
        <a data-control="retrieve" data-state="shown" href={`#post-${post.id}`}>{post.title}</a>
      </Can>
      <Can view="posts" action="update" object={post} fallback={<span data-control="update" data-state="fallback">read only</span>}>
        <button data-control="update" data-state="shown">Edit</button>
      </Can>
      <button data-control="destroy" data-state={canDestroy ? "enabled" : "disabled"} disabled={!canDestroy}>Delete</button>
      <button data-control="publish" data-state={canPublish ? "enabled" : "disabled"} disabled={!canPublish}>
        Publish
      </button>
      <span data-control="perms" data-state={JSON.stringify(perms)} />
    </li>
  );
}

export function Controls({ compiled, user, posts, mismatch }) {
  // After hydration, a second copy of the controls is rendered in the browser (fresh DOM): React
  // does not patch an attribute that differs from the server's in a production build, so this
  // copy, not the hydrated one, shows the browser's own answers.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  useEffect(() => {
    if (mounted) window.__hydrated = true;
  }, [mounted]);
  // `?mismatch=1`: the browser renders for the anonymous user, the server for the page's (the
  // test's check that a mismatch is seen at all).
  const shown = mismatch && typeof window !== "undefined" ? null : user;
  const controls = (
    <>
      <CreateButton />
      <ul>{posts.map((post) => <PostRow key={post.id} post={post} />)}</ul>
    </>
  );
  return (
    <GateProvider policy={compiled} Gate={Gate} user={shown}>
      <div id="controls">{controls}</div>
      {mounted ? <div id="client-render" hidden>{controls}</div> : null}
    </GateProvider>
  );
}
