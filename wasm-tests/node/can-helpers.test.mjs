// drf-gate/react and drf-gate/vue on a `drf-gate/can` Gate (the UI-gating build, no `check`):
// the helpers that only ask `can` or `permissionsFor` (React's `useCan`, `usePermissions`,
// `<Can>` with element children; Vue's `useCan`, `usePermissions`) render what they render on the
// full package's Gate for the same compiled policy and users (Vue's `<Can>` too, unless a slot reads
// `decision`); the ones that need `check` (`useDecision`, React's `<Can>` with a function child, a
// Vue slot reading `decision`) throw the typed `needs_check_build` Error. And drf-gate/can/react
// and drf-gate/can/vue, which import no build. Server rendering (renderToString), as SSR does.
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";

import { installedDir, loadEsm } from "./consumer.mjs";

const dist = (file) => import(pathToFileURL(join(installedDir, "dist", file)).href);
const { Gate } = await loadEsm();
const canNode = await dist("can-node.mjs");
const drfReact = await dist("react.js");
const drfVue = await dist("vue.js");
const { createElement: h, Fragment } = await import("react");
const { renderToString } = await import("react-dom/server");
const vue = await import("vue");
const { renderToString: vueRenderToString } = await import("vue/server-renderer");

const policy = {
  authentication: ["token", "session"],
  permissions: ["IsAuthenticatedOrReadOnly"],
  classes: { IsOwner: { hasObjectPermission: "obj.owner == request.user", message: "Not yours." } },
  views: {
    posts: { model: "blog.Post", permissions: ["IsAuthenticatedOrReadOnly", "IsOwner | IsAdminUser"] },
    tags: { permissions: ["IsAdminUser"], actions: ["list", "create"] },
  },
};
const bytes = new Gate(policy).toCompiled();
const users = [null, { id: 3 }, { id: 4, isStaff: true }, { id: 5, isActive: false }];
const post = { id: 7, owner: 3 };

// React: what `useCan`, `usePermissions` and `<Can>` (element children) render.
// (`helpers`: drf-gate/react or drf-gate/can/react.)
const reactPage = (helpers) =>
  function ReactPage() {
    const destroy = helpers.useCan("posts", "destroy", post);
    const tags = helpers.usePermissions("tags");
    return h(Fragment, null, `destroy=${destroy} tags=${JSON.stringify(tags)} `,
      h(helpers.Can, { view: "posts", action: "create", fallback: h("i", null, "read only") }, h("button", null, "New")),
      h(helpers.Can, { view: "tags", action: "create", not: true }, h("i", null, "no tags")));
  };
const ReactPage = reactPage(drfReact);
const reactRender = (gate, user, Page) => renderToString(h(drfReact.GateProvider, { gate, user }, h(Page)));

// Vue: what `useCan` and `usePermissions` render.
// (`helpers`: drf-gate/vue or drf-gate/can/vue.)
const vuePage = (helpers) =>
  vue.defineComponent({
    setup() {
      const destroy = helpers.useCan("posts", "destroy", post);
      const tags = helpers.usePermissions("tags");
      return () => vue.h("p", `destroy=${destroy.value} tags=${JSON.stringify(tags.value)}`);
    },
  });
const VuePage = vuePage(drfVue);
const vueRender = (gate, user, Page) => vueRenderToString(vue.createSSRApp(Page).use(drfVue.createGate({ gate, user })));

const refused = (error) => error?.name === "Error" && error?.code === "needs_check_build" && /drf-gate\/runtime/.test(error.message);

describe("drf-gate/react and drf-gate/vue on a drf-gate/can Gate", () => {
  test("React: useCan, usePermissions and <Can> render as on the full Gate", () => {
    const full = new Gate(bytes);
    const can = new canNode.Gate(bytes);
    const pages = new Set();
    for (const user of users) {
      const expected = reactRender(full, user, ReactPage);
      assert.equal(reactRender(can, user, ReactPage), expected, JSON.stringify(user));
      pages.add(expected);
    }
    // The users are told apart (a page that ignored the gate would pass the comparison).
    assert.ok(pages.size >= 3, [...pages].join("\n"));
    full.free();
    can.free();
  });

  test("React: useDecision and <Can> with a function child throw needs_check_build", () => {
    const can = new canNode.Gate(bytes);
    const UsesDecision = () => String(drfReact.useDecision("posts", "list").allowed);
    const UsesCanChild = () => h(drfReact.Can, { view: "posts", action: "list" }, (decision) => String(decision.allowed));
    for (const Page of [UsesDecision, UsesCanChild]) {
      assert.throws(() => reactRender(can, { id: 3 }, Page), refused);
      // The full Gate answers the same page.
      const full = new Gate(bytes);
      assert.equal(reactRender(full, { id: 3 }, Page), "true");
      full.free();
    }
    can.free();
  });

  test("Vue: useCan and usePermissions render as on the full Gate", async () => {
    const full = new Gate(bytes);
    const can = new canNode.Gate(bytes);
    const pages = new Set();
    for (const user of users) {
      const expected = await vueRender(full, user, VuePage);
      assert.equal(await vueRender(can, user, VuePage), expected, JSON.stringify(user));
      pages.add(expected);
    }
    assert.ok(pages.size >= 3, [...pages].join("\n"));
    full.free();
    can.free();
  });

  test("Vue: <Can> serves a can Gate; useDecision and a slot reading `decision` throw needs_check_build", async () => {
    const can = new canNode.Gate(bytes);
    const UsesDecision = vue.defineComponent({
      setup() {
        const decision = drfVue.useDecision("posts", "list");
        return () => vue.h("p", String(decision.value.allowed));
      },
    });
    const ReadsDecision = vue.defineComponent({
      setup() {
        return () => vue.h(drfVue.Can, { view: "posts", action: "list" }, { default: ({ decision }) => String(decision.allowed) });
      },
    });
    for (const Page of [UsesDecision, ReadsDecision]) {
      await assert.rejects(vueRender(can, { id: 3 }, Page), refused);
      const full = new Gate(bytes);
      assert.match(await vueRender(full, { id: 3 }, Page), /true/);
      full.free();
    }
    // <Can> whose slots do not read `decision` asks `can` only.
    const UsesCan = vue.defineComponent({
      setup() {
        return () => [
          vue.h(drfVue.Can, { view: "posts", action: "create" }, { default: () => "create ", fallback: () => "no-create " }),
          vue.h(drfVue.Can, { view: "tags", action: "create" }, { default: ({ allowed }) => `tags:${allowed}`, fallback: ({ allowed }) => `tags:${allowed}` }),
        ];
      },
    });
    const pages = new Set();
    for (const user of users) {
      const full = new Gate(bytes);
      const expected = await vueRender(full, user, UsesCan);
      full.free();
      assert.equal(await vueRender(can, user, UsesCan), expected, JSON.stringify(user));
      pages.add(expected);
    }
    assert.ok(pages.size >= 2, [...pages].join("\n"));
    can.free();
  });
});

// drf-gate/can/react, /can/vue and /can/svelte: the same helpers importing no build; the app gives its
// Gate (or its Gate class with a policy).
describe("drf-gate/can/react, drf-gate/can/vue and drf-gate/can/svelte", () => {
  const canReact = dist("can-react.js");
  const canVue = dist("can-vue.js");

  test("they import no drf-gate build (only react or vue, the shared context or key, the user key, the reason helper)", async () => {
    const { readFileSync } = await import("node:fs");
    const own = {
      "can-react.js": ["react", "./react-context.js", "./gate.js"],
      "can-vue.js": ["vue", "./vue-key.js", "./gate-holder.js"],
      "can-svelte.js": ["svelte/store", "./gate-holder.js"],
    };
    for (const [file, imported] of Object.entries(own)) {
      const text = readFileSync(join(installedDir, "dist", file), "utf8");
      const imports = [...text.matchAll(/^import[^;]*? from "([^"]+)";$/gms)].map((m) => m[1]).sort();
      assert.deepEqual(imports, [...imported, "./reason.js"].sort(), file);
    }
    // The modules they import import no build either.
    for (const file of ["gate-holder.js", "vue-key.js", "react-context.js", "reason.js"]) {
      const text = readFileSync(join(installedDir, "dist", file), "utf8");
      const imports = [...text.matchAll(/^import[^;]*? from "([^"]+)";$/gms)].map((m) => m[1]);
      assert.ok(imports.every((name) => ["react", "./gate.js"].includes(name)), `${file}: ${imports}`);
    }
  });

  // One React context and one Vue injection key for both entries of each: a provider of either
  // serves the hooks of both (an app and a library may mix them); the nearest provider answers.
  test("React: a provider of either entry serves the hooks and <Can> of both; the nearest answers", async () => {
    const helpers = await canReact;
    const full = new Gate(bytes);
    const can = new canNode.Gate(bytes);
    for (const user of users) {
      const expected = reactRender(full, user, ReactPage);
      const mixed = (Provider, Page, gate) => renderToString(h(Provider, { gate, user }, h(Page)));
      assert.equal(mixed(helpers.GateProvider, ReactPage, can), expected, `can provider, drf-gate/react hooks ${JSON.stringify(user)}`);
      assert.equal(mixed(drfReact.GateProvider, reactPage(helpers), can), expected, `drf-gate/react provider, can hooks ${JSON.stringify(user)}`);
    }
    // Nested: the inner provider's user answers, whichever entry each provider and hook is from.
    const Who = () => `${drfReact.useGate().user?.id}/${helpers.useGate().user?.id}/${helpers.useCan("tags", "create")}/${drfReact.useCan("tags", "create")}`;
    const nested = (Outer, Inner) =>
      renderToString(h(Outer, { gate: full, user: { id: 4, isStaff: true } }, h(Inner, { gate: can, user: { id: 3 } }, h(Who))));
    assert.equal(nested(drfReact.GateProvider, helpers.GateProvider), "3/3/false/false");
    assert.equal(nested(helpers.GateProvider, drfReact.GateProvider), "3/3/false/false");
    assert.equal(renderToString(h(drfReact.GateProvider, { gate: can, user: { id: 4, isStaff: true } }, h(Who))), "4/4/true/true");
    full.free();
    can.free();
  });

  test("Vue: a provider of either entry serves the composables of both; one GATE_KEY", async () => {
    const helpers = await canVue;
    assert.equal(helpers.GATE_KEY, drfVue.GATE_KEY);
    const full = new Gate(bytes);
    const can = new canNode.Gate(bytes);
    for (const user of users) {
      const expected = await vueRender(full, user, VuePage);
      const mixed = (plugin, Page) => vueRenderToString(vue.createSSRApp(Page).use(plugin({ gate: can, user })));
      assert.equal(await mixed(helpers.createGate, VuePage), expected, `can plugin, drf-gate/vue composables ${JSON.stringify(user)}`);
      assert.equal(await mixed(drfVue.createGate, vuePage(helpers)), expected, `drf-gate/vue plugin, can composables ${JSON.stringify(user)}`);
    }
    // Nested: provideGate of one entry under the other's plugin; the inner one answers.
    const Who = vue.defineComponent({
      setup() {
        const [a, b] = [drfVue.useGate(), helpers.useGate()];
        const tags = drfVue.useCan("tags", "create");
        return () => vue.h("p", `${a.value.user?.id}/${b.value.user?.id}/${tags.value}`);
      },
    });
    for (const [outer, inner] of [[drfVue, helpers], [helpers, drfVue]]) {
      const Inner = vue.defineComponent({
        setup() {
          inner.provideGate({ gate: can, user: { id: 3 } });
          return () => vue.h(Who);
        },
      });
      const html = await vueRenderToString(vue.createSSRApp(Inner).use(outer.createGate({ gate: full, user: { id: 4, isStaff: true } })));
      assert.equal(html, "<p>3/3/false</p>");
    }
    full.free();
    can.free();
  });

  test("React: a gate, or a policy with the Gate class, renders as drf-gate/react on the full Gate", async () => {
    const helpers = await canReact;
    const Page = reactPage(helpers);
    const full = new Gate(bytes);
    const can = new canNode.Gate(bytes);
    for (const user of users) {
      const expected = reactRender(full, user, ReactPage);
      const render = (props) => renderToString(h(helpers.GateProvider, { ...props, user }, h(Page)));
      assert.equal(render({ gate: can }), expected, JSON.stringify(user));
      assert.equal(render({ policy: bytes, Gate: canNode.Gate }), expected, JSON.stringify(user));
    }
    const { GateProvider } = helpers;
    assert.throws(() => renderToString(h(GateProvider, { policy: bytes, user: null }, "x")), /needs `Gate`/);
    full.free();
    can.free();
  });

  test("Vue: a gate, or a policy with the Gate class, renders as drf-gate/vue on the full Gate", async () => {
    const helpers = await canVue;
    const { createGate } = helpers;
    const Page = vuePage(helpers);
    const full = new Gate(bytes);
    const can = new canNode.Gate(bytes);
    for (const user of users) {
      const expected = await vueRender(full, user, VuePage);
      const render = (options) => vueRenderToString(vue.createSSRApp(Page).use(createGate(options)));
      assert.equal(await render({ gate: can, user }), expected, JSON.stringify(user));
      assert.equal(await render({ policy: bytes, Gate: canNode.Gate, user }), expected, JSON.stringify(user));
    }
    assert.throws(() => vue.createSSRApp(Page).use(createGate({ policy: bytes, user: null })), /needs `Gate`/);
    full.free();
    can.free();
  });
  // Svelte: the stores of either entry on either Gate, read as a component's `$store` does
  // (subscribe, read, unsubscribe); the Svelte app of wasm-tests/frameworks renders them.
  test("Svelte: stores on a can Gate answer as on the full Gate; a policy with the Gate class", async () => {
    const { get, writable } = await import("svelte/store");
    const fullSvelte = await dist("svelte.js");
    const canSvelte = await dist("can-svelte.js");
    const read = (gate) => `destroy=${get(gate.can("posts", "destroy", post))} tags=${JSON.stringify(get(gate.permissions("tags")))}`;
    const full = new Gate(bytes);
    const can = new canNode.Gate(bytes);
    const pages = new Set();
    for (const user of users) {
      const reference = fullSvelte.createGate({ gate: full, user });
      const expected = read(reference);
      for (const gate of [
        fullSvelte.createGate({ gate: can, user }),
        canSvelte.createGate({ gate: can, user }),
        canSvelte.createGate({ policy: bytes, Gate: canNode.Gate, user: writable(user) }),
      ]) {
        assert.equal(read(gate), expected, JSON.stringify(user));
        gate.destroy();
      }
      reference.destroy();
      pages.add(expected);
    }
    assert.ok(pages.size >= 3, [...pages].join("\n"));
    // A user store: the answers follow it.
    const user = writable(null);
    const gate = canSvelte.createGate({ gate: can, user });
    const tags = gate.can("tags", "create");
    const seen = [];
    const stop = tags.subscribe((value) => seen.push(value));
    user.set({ id: 4, isStaff: true });
    user.set({ id: 3 });
    stop();
    assert.deepEqual(seen, [false, true, false]);
    // decision needs check: the can Gate refuses it, the full Gate answers.
    assert.throws(() => get(gate.decision("posts", "list")), refused);
    assert.equal(get(fullSvelte.createGate({ gate: full, user: { id: 3 } }).decision("posts", "list")).allowed, true);
    assert.throws(() => canSvelte.createGate({ policy: bytes, user: null }), /needs `Gate`/);
    gate.destroy();
    full.free();
    can.free();
  });
});

// The holder of a Vue or Svelte provider (dist/gate-holder.js), as in a browser (a `window` and a
// `document`: Subjects are made): a Subject per user's facts, never a stale one.
describe("the provider's Gate and Subject holder", () => {
  test("an equal user in a new object keeps the Subject; a changed user (new or in place) gets a new one", async () => {
    // A fresh instance of the module (`?browser`), evaluated with the globals set.
    globalThis.window = globalThis;
    globalThis.document = {};
    let gateHolder;
    try {
      ({ gateHolder } = await import(`${pathToFileURL(join(installedDir, "dist", "gate-holder.js")).href}?browser`));
    } finally {
      delete globalThis.window;
      delete globalThis.document;
    }
    const made = [];
    const freed = [];
    class CountingGate extends canNode.Gate {
      subject(user) {
        const subject = super.subject(user);
        made.push(subject);
        const free = subject.free.bind(subject);
        subject.free = () => {
          freed.push(subject);
          free();
        };
        return subject;
      }
    }
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    const holder = gateHolder(CountingGate);
    const answers = (state, user) => {
      // The state's answers are the plain user's, on the same Gate.
      for (const [view, action] of [["tags", "create"], ["posts", "destroy"]]) {
        assert.equal(state.gate.can(state.who, view, action, post), state.gate.can(user, view, action, post), `${view}.${action} ${JSON.stringify(user)}`);
      }
    };
    const ann = { id: 3, username: "ann", permissions: ["blog.view_post"], attributes: { verified: true } };
    let state = holder.update(null, bytes, ann);
    assert.equal(made.length, 1);
    answers(state, ann);
    // Equal users in new objects (members in the same order): no new Subject.
    for (const copy of [{ ...ann }, { ...ann, permissions: [...ann.permissions] }, { ...ann, attributes: { verified: true } }]) {
      state = holder.update(null, bytes, copy);
      assert.equal(made.length, 1, JSON.stringify(copy));
      answers(state, copy);
    }
    // Changed: in place, or in a new object (a flag, a permission, an attribute): a new Subject each.
    const changed = { ...ann };
    changed.isStaff = true;
    state = holder.update(null, bytes, changed);
    assert.equal(made.length, 2);
    answers(state, changed);
    changed.isStaff = false;
    state = holder.update(null, bytes, changed);
    assert.equal(made.length, 3);
    answers(state, changed);
    for (const user of [{ ...ann, attributes: { verified: false } }, { ...ann, permissions: [] }, { ...ann, id: 4, isStaff: true }]) {
      const before = made.length;
      state = holder.update(null, bytes, user);
      assert.equal(made.length, before + 1, JSON.stringify(user));
      answers(state, user);
    }
    // A user the key does not cover (a nested attribute): a new Subject on every update.
    const odd = { id: 3, attributes: { profile: { verified: true } } };
    const before = made.length;
    holder.update(null, bytes, odd);
    holder.update(null, bytes, odd);
    assert.equal(made.length, before + 2);
    // Anonymous: no Subject. Another policy: a new Gate, and a new Subject for the same user.
    state = holder.update(null, bytes, null);
    assert.equal(state.who, null);
    const other = new Gate(bytes).toCompiled();
    holder.update(null, bytes, ann);
    const count = made.length;
    state = holder.update(null, other, { ...ann });
    assert.equal(made.length, count + 1);
    answers(state, ann);
    // Replaced Subjects are freed a microtask later; dispose frees the last one.
    await tick();
    assert.equal(freed.length, made.length - 1);
    holder.dispose();
    assert.equal(freed.length, made.length);
  });
});
