// drf-gate/react and drf-gate/vue on a `drf-gate/can` Gate (the UI-gating build, no `check`):
// the helpers that only ask `can` or `permissionsFor` (React's `useCan`, `usePermissions`,
// `<Can>` with element children; Vue's `useCan`, `usePermissions`) render what they render on the
// full package's Gate for the same compiled policy and users; the ones that need `check` (React's
// `useDecision` and `<Can>` with a function child, Vue's `useDecision` and `<Can>`) throw the
// typed `needs_check_build` Error. Server rendering (renderToString), as an SSR page does.
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
function ReactPage() {
  const destroy = drfReact.useCan("posts", "destroy", post);
  const tags = drfReact.usePermissions("tags");
  return h(Fragment, null, `destroy=${destroy} tags=${JSON.stringify(tags)} `,
    h(drfReact.Can, { view: "posts", action: "create", fallback: h("i", null, "read only") }, h("button", null, "New")),
    h(drfReact.Can, { view: "tags", action: "create", not: true }, h("i", null, "no tags")));
}
const reactRender = (gate, user, Page) => renderToString(h(drfReact.GateProvider, { gate, user }, h(Page)));

// Vue: what `useCan` and `usePermissions` render.
const VuePage = vue.defineComponent({
  setup() {
    const destroy = drfVue.useCan("posts", "destroy", post);
    const tags = drfVue.usePermissions("tags");
    return () => vue.h("p", `destroy=${destroy.value} tags=${JSON.stringify(tags.value)}`);
  },
});
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

  test("Vue: useDecision and <Can> throw needs_check_build", async () => {
    const can = new canNode.Gate(bytes);
    const UsesDecision = vue.defineComponent({
      setup() {
        const decision = drfVue.useDecision("posts", "list");
        return () => vue.h("p", String(decision.value.allowed));
      },
    });
    const UsesCan = vue.defineComponent({
      setup() {
        return () => vue.h(drfVue.Can, { view: "posts", action: "list" }, { default: () => "shown" });
      },
    });
    for (const Page of [UsesDecision, UsesCan]) {
      await assert.rejects(vueRender(can, { id: 3 }, Page), refused);
      const full = new Gate(bytes);
      assert.match(await vueRender(full, { id: 3 }, Page), /true|shown/);
      full.free();
    }
    can.free();
  });
});
