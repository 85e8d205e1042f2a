// The playground: edit a policy and a context, see DRF's decision, its trace as a tree, and a
// permission matrix (users × actions) for one view. Errors are shown where they are.
import { PRESETS, presetPolicyText, presetContextText } from "./presets.js";
import { USERS } from "./data.js";
import { createEditor } from "./editor.js";
import { locateError, locateJson, lineColumnOf } from "./jsonpos.js";

const REASON = { 200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 415: "Unsupported Media Type", 500: "Internal Server Error" };
const STAGES = { authentication: "Authentication", view: "View stage: has_permission", handler: "Handler", lookup: "Object lookup", object: "Object stage: has_object_permission" };
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
};

const statusClass = (status) => `s${[200, 401, 403, 404, 405].includes(status) ? status : status >= 500 ? 500 : "other"}`;

export async function startPlayground({ Gate, fetchText }) {
  const presetSelect = document.getElementById("preset");
  const presetNote = document.getElementById("preset-note");
  const errorPanel = document.getElementById("error");
  const decisionEl = document.getElementById("decision");
  const matrixEl = document.getElementById("matrix");
  const matrixView = document.getElementById("matrix-view");
  const matrixColumns = document.getElementById("matrix-columns");
  const matrixObject = document.getElementById("matrix-object");

  let timer = 0;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  };
  const policyEditor = createEditor(document.getElementById("policy-editor"), { id: "policy-text", label: "Policy (JSON)", onInput: schedule, rows: 22 });
  const contextEditor = createEditor(document.getElementById("context-editor"), { id: "context-text", label: "Request context (JSON)", onInput: schedule, rows: 22 });

  let gate = null;
  let gateText = null;

  for (const preset of PRESETS) presetSelect.append(el("option", { value: preset.key }, preset.label));

  async function loadPreset(key) {
    const preset = PRESETS.find((p) => p.key === key) ?? PRESETS[0];
    presetSelect.value = preset.key;
    presetNote.textContent = preset.note;
    policyEditor.value = await presetPolicyText(preset, fetchText);
    contextEditor.value = presetContextText(preset);
    matrixView.dataset.want = preset.context.view;
    run();
  }

  function showError(kind, error, editor, where) {
    errorPanel.hidden = false;
    const location = [];
    if (error.path) location.push(el("code", {}, error.path));
    if (error.line) location.push(` line ${error.line}, column ${error.column ?? 1}${where?.inExpression ? " of the expression" : ""}`);
    if (where) location.push(where.inExpression || !error.line ? ` (${kind.toLowerCase()} text line ${where.line}, column ${where.column})` : "");
    errorPanel.replaceChildren(
      el("p", { class: "error-title" }, el("strong", {}, `${error.name ?? "Error"}`), " ", el("code", { class: "error-code" }, error.code ?? "")),
      el("p", { class: "error-message" }, error.message),
      location.length ? el("p", { class: "error-where" }, "At ", ...location) : null,
      where?.expression !== undefined && error.line ? expressionSnippet(where.expression, error.line, error.column ?? 1) : null,
      where ? el("button", { type: "button", class: "btn", onclick: () => editor.focusAt(where.line, where.column) }, `Go to line ${where.line} in the ${kind.toLowerCase()}`) : null,
    );
    errorPanel.dataset.kind = kind.toLowerCase();
    errorPanel.dataset.code = error.code ?? "";
    errorPanel.dataset.line = error.line ?? "";
    errorPanel.dataset.column = error.column ?? "";
    errorPanel.dataset.textLine = where?.line ?? "";
    editor.setError(where);
  }

  // The expression's erroneous line with a caret under the column, as Python prints it.
  function expressionSnippet(expression, line, column) {
    const text = expression.split("\n")[line - 1] ?? "";
    return el("pre", { class: "error-snippet", "aria-label": `Expression line ${line}` }, `${text}\n${" ".repeat(Math.max(0, column - 1))}^`);
  }

  function clearErrors() {
    errorPanel.hidden = true;
    errorPanel.replaceChildren();
    for (const key of ["kind", "code", "line", "column", "textLine"]) delete errorPanel.dataset[key];
    policyEditor.setError(null);
    contextEditor.setError(null);
  }

  function compile(text) {
    if (gate && text === gateText) return gate;
    gate?.free();
    gate = null;
    gateText = null;
    const compiled = new Gate(text); // throws PolicyError
    gate = compiled;
    gateText = text;
    return gate;
  }

  function run() {
    clearTimeout(timer);
    clearErrors();
    const policyText = policyEditor.value;
    try {
      compile(policyText);
    } catch (error) {
      showError("Policy", error, policyEditor, locateError(policyText, error));
      decisionEl.replaceChildren(el("p", { class: "hint stale" }, "Fix the policy to see a decision."));
      matrixEl.replaceChildren();
      decisionEl.dataset.status = "";
      return;
    }
    updateViews();
    renderMatrix();

    const contextText = contextEditor.value;
    let context;
    try {
      context = JSON.parse(contextText);
    } catch (error) {
      let where = null;
      try {
        locateJson(contextText);
      } catch (located) {
        if (located.offset !== undefined) where = { offset: located.offset, ...lineColumnOf(contextText, located.offset) };
        error = Object.assign(new SyntaxError(located.message ?? error.message), { name: "SyntaxError", code: "invalid_json", line: where?.line, column: where?.column });
      }
      showError("Context", error, contextEditor, where);
      decisionEl.replaceChildren(el("p", { class: "hint stale" }, "Fix the context to see a decision."));
      decisionEl.dataset.status = "";
      return;
    }
    try {
      const decision = gate.check(context);
      renderDecision(decision, context);
    } catch (error) {
      showError("Context", error, contextEditor, locateError(contextText, { ...error, code: error.code, path: error.path, message: error.message }));
      decisionEl.replaceChildren(el("p", { class: "hint stale" }, "Fix the context to see a decision."));
      decisionEl.dataset.status = "";
    }
  }

  function renderDecision(decision, context) {
    decisionEl.dataset.status = String(decision.status);
    const headers = Object.entries(decision.headers ?? {});
    let body = decision.body ?? "";
    let pretty = "";
    try {
      if (body) pretty = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      pretty = "";
    }
    decisionEl.replaceChildren(
      el(
        "div",
        { class: "status-line" },
        el("span", { class: `status-badge ${statusClass(decision.status)}`, id: "decision-status" }, String(decision.status)),
        el("span", { class: "status-text" }, REASON[decision.status] ?? ""),
        el("span", { class: decision.allowed ? "verdict yes" : "verdict no" }, decision.allowed ? "allowed" : "denied"),
      ),
      el(
        "dl",
        { class: "facts" },
        el("dt", {}, "code"), el("dd", {}, el("code", {}, decision.code ?? "—")),
        el("dt", {}, "stage"), el("dd", {}, decision.stage ?? "—"),
        el("dt", {}, "decided by"), el("dd", { id: "decided-by" }, decision.decidedBy ? `${decision.decidedBy.source} (permission_classes[${decision.decidedBy.entry}])` : "—"),
        el("dt", {}, "object check"), el("dd", {}, decision.objectCheck ?? "—"),
      ),
      el("h4", {}, "Headers"),
      headers.length
        ? el(
            "table",
            { class: "headers", id: "decision-headers" },
            el("caption", { class: "visually-hidden" }, "Response headers"),
            el("tbody", {}, ...headers.map(([name, value]) => el("tr", {}, el("th", { scope: "row" }, name), el("td", {}, el("code", {}, value))))),
          )
        : el("p", { class: "hint", id: "decision-headers" }, "No headers."),
      el("h4", {}, "Body ", el("span", { class: "hint" }, "(exact bytes)")),
      body ? el("pre", { class: "body", id: "decision-body" }, body) : el("p", { class: "hint", id: "decision-body" }, "No body: the request goes on to the view."),
      pretty && pretty !== body ? el("details", {}, el("summary", {}, "Pretty-printed"), el("pre", { class: "body" }, pretty)) : null,
      el("h4", {}, "Evaluation trace"),
      renderTrace(decision, context),
    );
  }

  // The trace as a tree: one list per stage; `depth` nests the operands of `&`, `|`, `~`.
  function renderTrace(decision, context) {
    const steps = decision.trace;
    if (!Array.isArray(steps)) {
      return el("p", { class: "hint" }, context.trace ? "No trace." : 'Add "trace": true to the context to see the trace.');
    }
    if (steps.length === 0) return el("p", { class: "hint" }, "No permission checks ran (decided before the permission classes).");
    const wrap = el("div", { class: "trace", id: "trace" });
    let stage = null;
    let stack = [];
    for (const step of steps) {
      if (step.stage !== stage) {
        stage = step.stage;
        const list = el("ul", { class: "tree", role: "tree", "aria-label": STAGES[stage] ?? stage });
        wrap.append(el("h5", {}, STAGES[stage] ?? stage), list);
        stack = [list];
      }
      while (stack.length > step.depth + 1) stack.pop();
      while (stack.length < step.depth + 1) {
        const parentItem = stack[stack.length - 1].lastElementChild;
        const sub = el("ul", { role: "group" });
        (parentItem ?? stack[stack.length - 1]).append(sub);
        stack.push(sub);
      }
      const result = String(step.result);
      const decisive =
        decision.decidedBy && step.stage === decision.stage && step.depth === 0 && step.entry === decision.decidedBy.entry;
      const item = el(
        "li",
        { role: "treeitem", class: `step r-${result.replace(/[^a-z]/gi, "")}${decisive ? " decisive" : ""}`, "data-depth": step.depth },
        el("span", { class: "step-entry", title: step.depth === 0 ? `permission_classes[${step.entry}]` : null }, step.depth === 0 ? `[${step.entry}]` : ""),
        el("span", { class: "step-label" }, step.label),
        el("code", { class: "step-check" }, `${step.check}()`),
        el("span", { class: "step-result" }, "→ ", result),
        decisive ? el("span", { class: "step-decisive" }, "decides") : null,
      );
      stack[stack.length - 1].append(item);
    }
    return wrap;
  }

  function updateViews() {
    const names = gate.views;
    const want = matrixView.dataset.want || matrixView.value;
    delete matrixView.dataset.want;
    const same = names.length === matrixView.options.length && names.every((n, i) => matrixView.options[i].value === n);
    if (!same) matrixView.replaceChildren(...names.map((name) => el("option", { value: name }, name)));
    if (names.includes(want)) matrixView.value = want;
  }

  function matrixObjectFor(user) {
    switch (matrixObject.value) {
      case "own":
        return { id: 100, owner: user?.id ?? null };
      case "ann":
        return { id: 1, owner: 1 };
      case "missing":
        return null;
      default:
        return undefined;
    }
  }

  function renderMatrix() {
    const view = matrixView.value;
    if (!gate || !view) {
      matrixEl.replaceChildren();
      return;
    }
    let columns;
    if (matrixColumns.value === "methods") {
      columns = [];
      for (const detail of [false, true]) {
        for (const method of METHODS) columns.push({ key: `${detail ? "detail" : "list"} ${method}`, context: { method, detail } });
      }
    } else {
      columns = Object.keys(gate.permissionsFor(null, view)).map((action) => ({ key: action, context: { action } }));
    }
    const rows = USERS.map((entry) => {
      const cells = columns.map((column) => {
        const context = { view, user: entry.user, ...column.context };
        const object = matrixObjectFor(entry.user);
        if (object !== undefined) context.object = object;
        try {
          const d = gate.check(context);
          const why = d.allowed ? "allowed" : `${d.code}${d.decidedBy ? ` by ${d.decidedBy.source}` : ""} at ${d.stage}`;
          return el("td", { class: `cell ${statusClass(d.status)}`, "data-status": d.status, title: why }, String(d.status), el("span", { class: "visually-hidden" }, ` ${why}`));
        } catch (error) {
          return el("td", { class: "cell sother", title: error.message }, error.code ?? "error");
        }
      });
      return el("tr", { "data-user": entry.key }, el("th", { scope: "row" }, entry.label), ...cells);
    });
    matrixEl.replaceChildren(
      el(
        "table",
        { class: "matrix", id: "matrix-table", "data-view": view },
        el("caption", { class: "visually-hidden" }, `Status of each request to ${view} for each user`),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "User"), ...columns.map((c) => el("th", { scope: "col" }, c.key)))),
        el("tbody", {}, ...rows),
      ),
    );
  }

  presetSelect.addEventListener("change", () => loadPreset(presetSelect.value));
  document.getElementById("run").addEventListener("click", run);
  for (const select of [matrixView, matrixColumns, matrixObject]) select.addEventListener("change", renderMatrix);
  document.getElementById("playground").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });

  await loadPreset(PRESETS[0].key);
  return { shown() {} };
}
