// drf-gate DOM helper: shows, disables or hides an app's controls from a compiled Gate, so that
// the app writes no per-button code.
//
//   <button data-gate="posts.create">New post</button>
//   <button data-gate="posts.destroy" data-gate-object="7" data-gate-mode="hide">Delete</button>
//
//   import init, { Gate } from "drf-gate";
//   import { gateDom } from "drf-gate/dom";
//   await init();
//   const gate = new Gate(policy);
//   const ui = gateDom(document.body, gate, currentUser, { objects: { 7: post } });
//   ui.update(otherUser);            // after a login, or new objects: ui.update(user, { objects })
//
// Attributes:
//   data-gate="<view>.<action>"      an action name (`destroy`, `publish`) or an HTTP method (`POST`)
//   data-gate-object="<id>"          the object the action runs on: `options.objects[id]`
//   data-gate-mode="disable|hide"    what a denial does; default `options.mode` ("disable")
//
// A denied control in "disable" mode gets `aria-disabled="true"` (and `disabled` on form controls
// when `options.nativeDisabled`), stays focusable so that keyboard users can reach its reason,
// and has its activation (click, Enter, Space) blocked. Its reason (which class denied, at which
// stage, and DRF's message) comes from `gate.check({..., trace: true})`; it is linked with
// `aria-describedby` and shown in a tooltip on hover and focus (or as `title` when
// `options.tooltip` is false). A denied control in "hide" mode gets `hidden`.
//
// Every attribute the helper sets is restored by `update()` and `disconnect()`.

const ATTR = "data-gate";
const REASON_CLASS = "drf-gate-reason";
const TOOLTIP_CLASS = "drf-gate-tooltip";
const FORM_CONTROLS = new Set(["BUTTON", "INPUT", "SELECT", "TEXTAREA", "FIELDSET", "OPTGROUP", "OPTION"]);
const METHODS = new Set(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE"]);
const STAGE_TEXT = {
  authentication: "authentication",
  view: "view permissions (has_permission)",
  handler: "method handler",
  lookup: "object lookup",
  object: "object permissions (has_object_permission)",
};

let nextId = 0;

/** Parses `data-gate="view.action"`; the view may itself contain dots, the action may not. */
export function parseGateAttribute(value) {
  const text = (value ?? "").trim();
  const dot = text.lastIndexOf(".");
  if (dot <= 0 || dot === text.length - 1) return null;
  return { view: text.slice(0, dot), action: text.slice(dot + 1) };
}

/** The short human reason of a denied decision: status, who denied, at which stage, DRF's message. */
export function describeDecision(decision) {
  if (!decision || decision.allowed) return "";
  let message = "";
  try {
    const body = JSON.parse(decision.body ?? "");
    message = typeof body?.detail === "string" ? body.detail : JSON.stringify(body);
  } catch {
    message = decision.body ?? "";
  }
  const who = decision.decidedBy
    ? `${decision.decidedBy.source} (permission_classes[${decision.decidedBy.entry}])`
    : decision.code ?? "the request";
  const stage = STAGE_TEXT[decision.stage] ?? decision.stage ?? "request";
  const auth = decision.headers?.["WWW-Authenticate"];
  return `${decision.status}: denied by ${who} at the ${stage} stage. ${message}${auth ? ` (WWW-Authenticate: ${auth})` : ""}`.trim();
}

// A Subject (from `gate.subject(user)`) is a wasm handle: it has `free()`, a user object has not.
function isSubject(user) {
  return user !== null && typeof user === "object" && typeof user.free === "function";
}

function lookup(objects, id) {
  if (id === null || id === undefined) return undefined;
  if (typeof objects === "function") return objects(id);
  if (objects instanceof Map) return objects.has(id) ? objects.get(id) : objects.get(Number(id));
  if (objects && Object.prototype.hasOwnProperty.call(objects, id)) return objects[id];
  return undefined;
}

/**
 * Applies `data-gate` attributes under `root` for `user`.
 *
 * @param {ParentNode} root  where to look for `[data-gate]` (the root itself included)
 * @param {import("./index").Gate} gate  a compiled policy
 * @param {object|null} user  a user object (docs/policy.md §2), `null` for anonymous, or a Subject
 *   (then denial reasons need `options.user`)
 * @param {object} [options]  `objects`, `mode`, `tooltip`, `nativeDisabled`, `explain`, `user`
 * @returns a controller `{ controls, update(user, options?), refresh(), disconnect() }`
 */
export function gateDom(root, gate, user, options = {}) {
  const doc = root.ownerDocument ?? root;
  const saved = new Map(); // element -> attributes before the helper touched them
  let state = { user, options: { ...options } };
  let subject = null;
  let ownSubject = false;
  let tooltip = null;
  let tooltipFor = null;
  const controller = { controls: [], update, refresh, disconnect };

  // Activation of an aria-disabled control is blocked (a disabled <button> would not be focusable).
  const block = (event) => {
    const el = event.target instanceof Element ? event.target.closest(`[${ATTR}]`) : null;
    if (!el || !saved.has(el) || el.getAttribute("aria-disabled") !== "true") return;
    if (event.type === "keydown" && event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    event.stopImmediatePropagation();
  };
  const show = (event) => {
    const el = event.target instanceof Element ? event.target.closest(`[${ATTR}]`) : null;
    if (!el || !saved.has(el) || el.getAttribute("aria-disabled") !== "true") return;
    const reason = el.getAttribute("data-gate-reason");
    if (reason && state.options.tooltip !== false) showTooltip(el, reason);
  };
  const hide = (event) => {
    const el = event.target instanceof Element ? event.target.closest(`[${ATTR}]`) : null;
    if (el && el === tooltipFor) hideTooltip();
  };
  const escape = (event) => {
    if (event.key === "Escape") hideTooltip();
  };
  root.addEventListener("click", block, true);
  root.addEventListener("keydown", block, true);
  root.addEventListener("pointerover", show);
  root.addEventListener("focusin", show);
  root.addEventListener("pointerout", hide);
  root.addEventListener("focusout", hide);
  doc.addEventListener("keydown", escape);

  function showTooltip(el, text) {
    if (!tooltip) {
      tooltip = doc.createElement("div");
      tooltip.className = TOOLTIP_CLASS;
      tooltip.setAttribute("role", "tooltip");
      tooltip.setAttribute("aria-hidden", "true"); // the reason is read via aria-describedby
      Object.assign(tooltip.style, { position: "absolute", zIndex: "1000", maxWidth: "28rem" });
      doc.body.appendChild(tooltip);
    }
    tooltip.textContent = text;
    tooltip.hidden = false;
    tooltipFor = el;
    const box = el.getBoundingClientRect();
    const view = doc.defaultView;
    const left = Math.max(4, Math.min(box.left + view.scrollX, view.scrollX + doc.documentElement.clientWidth - tooltip.offsetWidth - 4));
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${box.bottom + view.scrollY + 6}px`;
  }

  function hideTooltip() {
    if (tooltip) tooltip.hidden = true;
    tooltipFor = null;
  }

  function restore(el) {
    const before = saved.get(el);
    if (!before) return;
    for (const [name, value] of Object.entries(before)) {
      if (value === null) el.removeAttribute(name);
      else el.setAttribute(name, value);
    }
    const reasonId = el.getAttribute("data-gate-reason-id");
    if (reasonId) doc.getElementById(reasonId)?.remove();
    el.removeAttribute("data-gate-reason-id");
    el.removeAttribute("data-gate-reason");
    el.removeAttribute("data-gate-state");
    saved.delete(el);
  }

  function remember(el, names) {
    const before = {};
    for (const name of names) before[name] = el.getAttribute(name);
    saved.set(el, before);
  }

  function compileSubject() {
    if (subject && ownSubject) subject.free();
    if (isSubject(state.user)) {
      subject = state.user;
      ownSubject = false;
    } else {
      subject = gate.subject(state.user ?? null);
      ownSubject = true;
    }
  }

  function reasonFor(view, action, object, hasObject) {
    if (state.options.explain === false) return "Not permitted.";
    const contextUser = isSubject(state.user) ? state.options.user : state.user;
    if (contextUser === undefined) return "Not permitted.";
    const context = { view, user: contextUser ?? null, trace: true };
    if (METHODS.has(action)) {
      context.method = action;
      context.detail = hasObject;
    } else {
      context.action = action;
    }
    if (hasObject) context.object = object;
    try {
      return describeDecision(gate.check(context));
    } catch (error) {
      return `Not permitted (${error.code ?? error.name}: ${error.message}).`;
    }
  }

  function apply() {
    for (const el of [...saved.keys()]) restore(el);
    hideTooltip();
    compileSubject();
    const elements = [...(root.matches?.(`[${ATTR}]`) ? [root] : []), ...root.querySelectorAll(`[${ATTR}]`)];
    const byTarget = new Map(); // "view\0objectId" -> permissionsFor(...)
    const controls = [];
    for (const el of elements) {
      const parsed = parseGateAttribute(el.getAttribute(ATTR));
      const objectId = el.getAttribute("data-gate-object");
      const hasObject = objectId !== null;
      const object = hasObject ? lookup(state.options.objects, objectId) ?? null : undefined;
      const mode = el.getAttribute("data-gate-mode") || state.options.mode || "disable";
      let allowed = false;
      let error = null;
      if (!parsed) {
        error = new Error(`data-gate="${el.getAttribute(ATTR)}" is not "view.action"`);
      } else {
        try {
          const key = `${parsed.view}\0${objectId ?? ""}`;
          let perms = byTarget.get(key);
          if (!perms) {
            perms = hasObject ? gate.permissionsFor(subject, parsed.view, object) : gate.permissionsFor(subject, parsed.view);
            byTarget.set(key, perms);
          }
          allowed = Object.prototype.hasOwnProperty.call(perms, parsed.action)
            ? perms[parsed.action]
            : hasObject
              ? gate.can(subject, parsed.view, parsed.action, object)
              : gate.can(subject, parsed.view, parsed.action);
        } catch (e) {
          error = e; // fail closed: an unknown view or action denies
        }
      }
      const control = { element: el, view: parsed?.view, action: parsed?.action, objectId, mode, allowed, reason: "" };
      controls.push(control);
      remember(el, ["hidden", "disabled", "aria-disabled", "aria-describedby", "title"]);
      el.setAttribute("data-gate-state", allowed ? "allowed" : mode === "hide" ? "hidden" : "disabled");
      if (allowed) continue;
      control.reason = error ? `Not permitted (${error.code ?? error.name}: ${error.message}).` : reasonFor(parsed.view, parsed.action, object, hasObject);
      el.setAttribute("data-gate-reason", control.reason);
      if (mode === "hide") {
        el.setAttribute("hidden", "");
        continue;
      }
      el.setAttribute("aria-disabled", "true");
      if (state.options.nativeDisabled && FORM_CONTROLS.has(el.tagName)) el.setAttribute("disabled", "");
      if (state.options.tooltip === false) el.setAttribute("title", control.reason);
      const reason = doc.createElement("span");
      reason.id = `drf-gate-reason-${++nextId}`;
      reason.className = REASON_CLASS;
      reason.hidden = true; // referenced by aria-describedby, which reads hidden text
      reason.textContent = control.reason;
      (root.nodeType === 9 ? doc.body : root).appendChild(reason);
      el.setAttribute("data-gate-reason-id", reason.id);
      const described = el.getAttribute("aria-describedby");
      el.setAttribute("aria-describedby", described ? `${described} ${reason.id}` : reason.id);
    }
    controller.controls = controls;
    return controller;
  }

  function update(newUser, newOptions) {
    if (arguments.length > 0) state.user = newUser;
    if (newOptions) state.options = { ...state.options, ...newOptions };
    return apply();
  }

  function refresh() {
    return apply();
  }

  function disconnect() {
    for (const el of [...saved.keys()]) restore(el);
    root.removeEventListener("click", block, true);
    root.removeEventListener("keydown", block, true);
    root.removeEventListener("pointerover", show);
    root.removeEventListener("focusin", show);
    root.removeEventListener("pointerout", hide);
    root.removeEventListener("focusout", hide);
    doc.removeEventListener("keydown", escape);
    tooltip?.remove();
    tooltip = null;
    if (subject && ownSubject) subject.free();
    subject = null;
    controller.controls = [];
  }

  return apply();
}

export default gateDom;
