// A plain <textarea> with a line-number gutter and an error marker (a highlighted line and a
// caret under the column). No framework; the textarea stays the accessible, native control.

const LINE = 20; // px; the CSS uses the same line height (--editor-line)
const PAD = 8; // px; the textarea's top/left padding (--editor-pad)

export function createEditor(host, { id, label, value = "", onInput, rows = 18 }) {
  host.classList.add("editor");
  host.innerHTML = "";
  const labelEl = document.createElement("label");
  labelEl.htmlFor = id;
  labelEl.className = "editor-label";
  labelEl.textContent = label;

  const frame = document.createElement("div");
  frame.className = "editor-frame";
  const gutter = document.createElement("div");
  gutter.className = "editor-gutter";
  gutter.setAttribute("aria-hidden", "true");
  const gutterInner = document.createElement("div");
  gutter.appendChild(gutterInner);
  const body = document.createElement("div");
  body.className = "editor-body";
  const band = document.createElement("div");
  band.className = "editor-error-line";
  band.hidden = true;
  band.setAttribute("aria-hidden", "true");
  const caret = document.createElement("div");
  caret.className = "editor-error-caret";
  caret.hidden = true;
  caret.setAttribute("aria-hidden", "true");
  const textarea = document.createElement("textarea");
  textarea.id = id;
  textarea.spellcheck = false;
  textarea.wrap = "off";
  textarea.rows = rows;
  textarea.setAttribute("autocomplete", "off");
  textarea.setAttribute("autocapitalize", "off");
  textarea.value = value;
  body.append(band, caret, textarea);
  frame.append(gutter, body);
  host.append(labelEl, frame);

  let error = null;
  let lineCount = 0;

  function renderGutter() {
    const count = textarea.value.split("\n").length;
    if (count !== lineCount) {
      lineCount = count;
      const frag = document.createDocumentFragment();
      for (let n = 1; n <= count; n++) {
        const div = document.createElement("div");
        div.textContent = String(n);
        div.dataset.line = String(n);
        frag.appendChild(div);
      }
      gutterInner.replaceChildren(frag);
    }
    for (const el of gutterInner.querySelectorAll(".error")) el.classList.remove("error");
    if (error) gutterInner.querySelector(`[data-line="${error.line}"]`)?.classList.add("error");
    position();
  }

  function position() {
    gutterInner.style.transform = `translateY(${-textarea.scrollTop}px)`;
    if (!error) {
      band.hidden = caret.hidden = true;
      return;
    }
    const top = PAD + (error.line - 1) * LINE - textarea.scrollTop;
    band.hidden = false;
    band.style.top = `${top}px`;
    caret.hidden = false;
    caret.style.top = `${top + LINE - 3}px`;
    caret.style.left = `calc(${PAD}px + ${error.column - 1}ch - ${textarea.scrollLeft}px)`;
  }

  textarea.addEventListener("scroll", position);
  textarea.addEventListener("input", () => {
    renderGutter();
    onInput?.(textarea.value);
  });
  renderGutter();

  return {
    textarea,
    get value() {
      return textarea.value;
    },
    set value(text) {
      textarea.value = text;
      textarea.scrollTop = 0;
      renderGutter();
    },
    /** Marks `{line, column}` (1-based, in this text), or clears the marker with null. */
    setError(where) {
      error = where && where.line ? { line: where.line, column: where.column ?? 1 } : null;
      textarea.setAttribute("aria-invalid", error ? "true" : "false");
      renderGutter();
    },
    /** Moves the caret to a line/column and scrolls it into view. */
    focusAt(line, column = 1) {
      const lines = textarea.value.split("\n");
      let offset = 0;
      for (let l = 0; l < line - 1 && l < lines.length; l++) offset += lines[l].length + 1;
      offset += column - 1;
      textarea.focus();
      textarea.setSelectionRange(offset, offset);
      const top = (line - 1) * LINE;
      if (top < textarea.scrollTop || top > textarea.scrollTop + textarea.clientHeight - 2 * LINE) {
        textarea.scrollTop = Math.max(0, top - textarea.clientHeight / 2);
      }
      position();
    },
  };
}
