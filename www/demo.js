// The UI gating demo: a blog whose controls follow the sample policy for the selected user.
// The app writes no per-button permission code: controls carry data-gate attributes and the
// package's DOM helper (gateDom) shows, disables or hides them.
import { USERS, POSTS, postObjects } from "./data.js";

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

const ROUTE = {
  create: ["POST", "/api/posts/"],
  update: ["PUT", "/api/posts/{id}/"],
  destroy: ["DELETE", "/api/posts/{id}/"],
  publish: ["POST", "/api/posts/{id}/publish/"],
};

export function startDemo({ Gate, gateDom, policyText }) {
  const gate = new Gate(policyText);
  const root = document.getElementById("demo");
  const list = document.getElementById("post-list");
  const page = document.getElementById("post-page");
  const summary = document.getElementById("summary");
  const log = document.getElementById("demo-log");
  let current = USERS[0];
  let selected = POSTS[0];

  // What a click would send, and what the server (this same decision) would answer.
  function act(action, post) {
    const [method, path] = ROUTE[action];
    const context = { view: "posts", action, user: current.user };
    if (post) context.object = post;
    const decision = gate.check(context);
    const url = path.replace("{id}", post?.id ?? "");
    log.textContent = `${current.label}: ${method} ${url} → ${decision.status}${decision.allowed ? " (allowed; the request would be sent)" : ""}`;
  }

  function actions(post) {
    return el(
      "div",
      { class: "actions", role: "group", "aria-label": `Actions on “${post.title}”` },
      el("button", { type: "button", class: "btn", "data-gate": "posts.update", "data-gate-object": post.id, onclick: () => act("update", post) }, "Edit"),
      el("button", { type: "button", class: "btn", "data-gate": "posts.publish", "data-gate-object": post.id, onclick: () => act("publish", post) }, "Publish"),
      el(
        "button",
        { type: "button", class: "btn danger", "data-gate": "posts.destroy", "data-gate-object": post.id, "data-gate-mode": "hide", onclick: () => act("destroy", post) },
        "Delete",
      ),
    );
  }

  function renderList() {
    list.replaceChildren(
      ...POSTS.map((post) =>
        el(
          "li",
          { class: post === selected ? "post selected" : "post", "data-post": post.id },
          el(
            "div",
            { class: "post-main" },
            el(
              "button",
              { type: "button", class: "link", "aria-current": post === selected ? "true" : null, onclick: () => select(post) },
              post.title,
            ),
            el("span", { class: "meta" }, `#${post.id} by ${post.author} · `, el("span", { class: `badge ${post.status}` }, post.status)),
          ),
          actions(post),
        ),
      ),
    );
  }

  function renderPage() {
    page.replaceChildren(
      el("h3", { id: "post-heading" }, selected.title),
      el("p", { class: "meta" }, `Post #${selected.id} by ${selected.author} · `, el("span", { class: `badge ${selected.status}` }, selected.status)),
      el("p", { class: "excerpt" }, selected.excerpt),
      el(
        "p",
        { class: "hint" },
        "Edit and Publish are disabled when denied; Delete is hidden (",
        el("code", {}, 'data-gate-mode="hide"'),
        ").",
      ),
      actions(selected),
    );
    page.dataset.post = String(selected.id);
  }

  function renderSummary() {
    const subject = gate.subject(current.user);
    try {
      const rows = POSTS.map((post) => [post, gate.permissionsFor(subject, "posts", post)]);
      const names = Object.keys(rows[0][1]);
      summary.replaceChildren(
        el(
          "table",
          { class: "summary" },
          el("caption", { class: "visually-hidden" }, `Actions on each post for ${current.label}`),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Post"), ...names.map((n) => el("th", { scope: "col" }, n)))),
          el(
            "tbody",
            {},
            ...rows.map(([post, perms]) =>
              el(
                "tr",
                {},
                el("th", { scope: "row" }, `#${post.id} (${post.author})`),
                ...names.map((n) =>
                  el("td", { class: perms[n] ? "yes" : "no" }, el("span", { "aria-hidden": "true" }, perms[n] ? "✓ " : "✗ "), perms[n] ? "allowed" : "denied"),
                ),
              ),
            ),
          ),
        ),
      );
    } finally {
      subject.free();
    }
  }

  function select(post) {
    selected = post;
    renderList();
    renderPage();
    ui.refresh();
  }

  function switchUser(entry) {
    current = entry;
    ui.update(entry.user);
    renderSummary();
    log.textContent = `Signed in as ${entry.label}.`;
    root.dataset.user = entry.key;
  }

  // The user switcher: a radio group (arrow keys move between users).
  const options = document.getElementById("user-options");
  options.replaceChildren(
    ...USERS.map((entry, index) =>
      el(
        "label",
        { class: "user-option" },
        el("input", { type: "radio", name: "user", value: entry.key, checked: index === 0, onchange: () => switchUser(entry) }),
        el("span", { class: "user-name" }, entry.label),
        el("span", { class: "user-note" }, entry.note),
      ),
    ),
  );

  renderList();
  renderPage();
  const ui = gateDom(root, gate, current.user, { objects: postObjects() });
  renderSummary();
  root.dataset.user = current.key;

  return { gate, shown() {} };
}
