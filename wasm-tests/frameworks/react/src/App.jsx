// A small React app gated by drf-gate/react: every kind of control the bindings offer.
import { useRef, useState } from "react";
import { Can, GateProvider, useCan, useDecision, usePermissions } from "drf-gate/react";
import { POLICIES, POSTS, USERS, userByKey } from "../../shared/fixtures.js";
// The policies compiled (run.mjs writes compiled.js): the browser entry is the runtime.
import { COMPILED } from "../../shared/compiled.js";

function CreateButton() {
  const can = useCan("posts", "create");
  return <button data-control="create" data-state={can ? "enabled" : "disabled"} disabled={!can}>New post</button>;
}

function PostRow({ post }) {
  const canDestroy = useCan("posts", "destroy", post);
  const publish = useDecision("posts", "publish", post);
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
      <button data-control="publish" data-state={publish.allowed ? "enabled" : "disabled"} disabled={!publish.allowed} title={publish.reason ?? ""}>
        Publish
      </button>
      <span data-control="perms" data-state={JSON.stringify(perms)} />
    </li>
  );
}

// A user changed in place (the same object, a flag flipped) and rendered again: the provider must
// compile a new Subject, and every hook answer for the changed user.
function InPlaceAnswer() {
  const can = useCan("posts", "create");
  const decision = useDecision("posts", "create");
  const { update } = usePermissions("posts", POSTS[0]);
  return <span id="in-place-answer" data-can={String(can)} data-decision={String(decision.allowed)} data-update={String(update)} />;
}

function InPlace() {
  const me = useRef({ id: 9, username: "ivy" });
  const [flips, setFlips] = useState(0);
  return (
    <section>
      <button id="flip-staff" data-flips={flips} onClick={() => { me.current.isStaff = !me.current.isStaff; setFlips(flips + 1); }}>flip staff</button>
      <GateProvider policy={COMPILED.staff} user={me.current}><InPlaceAnswer /></GateProvider>
    </section>
  );
}

export function App({ initialUser, initialPolicy, inPlace = false }) {
  if (inPlace) return <InPlace />;
  const [userKey, setUserKey] = useState(initialUser);
  const [policyName, setPolicyName] = useState(initialPolicy);
  const [mounted, setMounted] = useState(true);
  // Re-renders the provider with an equal user in a new object (the inline literal below).
  const [renders, setRenders] = useState(0);
  return (
    <main>
      <nav>
        {USERS.map((entry) => (
          <button key={entry.key} id={`user-${entry.key}`} onClick={() => setUserKey(entry.key)}>{entry.label}</button>
        ))}
        {Object.keys(POLICIES).map((name) => (
          <button key={name} id={`policy-${name}`} onClick={() => setPolicyName(name)}>{name}</button>
        ))}
        <button id="unmount" onClick={() => setMounted(false)}>unmount</button>
        <button id="rerender" data-renders={renders} onClick={() => setRenders(renders + 1)}>re-render</button>
      </nav>
      <p id="state" data-user={userKey} data-policy={policyName}>{userKey} / {policyName}</p>
      {mounted ? (
        <GateProvider policy={COMPILED[policyName]} user={userByKey(userKey).user && { ...userByKey(userKey).user }}>
          <CreateButton />
          <ul>{POSTS.map((post) => <PostRow key={post.id} post={post} />)}</ul>
        </GateProvider>
      ) : (
        <p id="unmounted">unmounted</p>
      )}
    </main>
  );
}
