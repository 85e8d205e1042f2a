// Where things are in a JSON text: maps the core's error paths (`$.views.posts.permissions[1]`)
// and positions inside string values (an expression's line/column) to offsets in the text, so
// the playground can point at them.

/**
 * Parses `text` and returns a Map from path to `{ keyStart, start, end, chars }`: the offsets of
 * the member's key (objects' members only), of the value, and for strings the raw offset of each
 * decoded character (`chars[i]`, plus one past the end). Throws on invalid JSON.
 */
export function locateJson(text) {
  const spans = new Map();
  let i = 0;
  const fail = (what) => {
    const error = new SyntaxError(what);
    error.offset = Math.min(i, text.length);
    throw error;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = () => {
    if (text[i] !== '"') fail("expected a string");
    const start = i++;
    const chars = [];
    let value = "";
    while (i < text.length && text[i] !== '"') {
      chars.push(i);
      if (text[i] === "\\") {
        const esc = text[i + 1];
        if (esc === "u") {
          value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          value += { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" }[esc] ?? esc;
          i += 2;
        }
      } else {
        value += text[i++];
      }
    }
    if (text[i] !== '"') fail("unterminated string");
    chars.push(i);
    i++;
    return { value, start, end: i, chars };
  };
  const value = (path, keyStart) => {
    ws();
    const start = i;
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") i++;
      else {
        for (;;) {
          ws();
          if (text[i] !== '"') fail("expected a property name in double quotes");
          const key = string();
          ws();
          if (text[i++] !== ":") fail("expected ':'");
          value(`${path}.${key.value}`, key.start);
          ws();
          if (text[i] === ",") i++;
          else if (text[i] === "}") {
            i++;
            break;
          } else fail("expected ',' or '}'");
        }
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") i++;
      else {
        for (let n = 0; ; n++) {
          value(`${path}[${n}]`, undefined);
          ws();
          if (text[i] === ",") i++;
          else if (text[i] === "]") {
            i++;
            break;
          } else fail("expected ',' or ']'");
        }
      }
    } else if (c === '"') {
      const s = string();
      spans.set(path, { keyStart: keyStart ?? start, start, end: s.end, chars: s.chars, string: s.value });
      return;
    } else if (i >= text.length) {
      fail("unexpected end of the text");
    } else {
      const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
      if (!m) fail(`unexpected ${JSON.stringify(text[i])}`);
      i += m[0].length;
    }
    spans.set(path, { keyStart: keyStart ?? start, start, end: i });
  };
  value("$", undefined);
  ws();
  if (i !== text.length) fail("unexpected text after the JSON value");
  return spans;
}

/** 1-based line and column of an offset. */
export function lineColumnOf(text, offset) {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === "\n") {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The offset of a 1-based line and column. */
export function offsetOf(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

/** The nearest located ancestor of `path` (`$.a.b[2].c` -> `$.a.b[2]` -> ...). */
function nearest(spans, path) {
  let p = path;
  while (p) {
    if (spans.has(p)) return { path: p, span: spans.get(p) };
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return spans.has("$") ? { path: "$", span: spans.get("$") } : null;
}

/**
 * Where a PolicyError/ContextError points in `text` (the JSON the core was given):
 * `{ offset, line, column, inExpression }` in text coordinates, or null.
 *
 * `invalid_json` and `invalid_policy` errors carry text coordinates already; other errors with a
 * line/column are inside the string value at `path` (an expression), whose escapes (`\n`) are
 * mapped back to the text.
 */
export function locateError(text, error) {
  const textual = error.code === "invalid_json" || error.code === "invalid_policy" || error.code === "invalid_context";
  if (textual && error.line) {
    const offset = offsetOf(text, error.line, error.column ?? 1);
    return { offset, line: error.line, column: error.column ?? 1, inExpression: false };
  }
  let spans;
  try {
    spans = locateJson(text);
  } catch {
    return null;
  }
  const found = error.path ? nearest(spans, error.path) : null;
  if (!found) return null;
  const { span } = found;
  if (error.line && span.chars && found.path === error.path) {
    // Line/column inside the decoded string -> index into it -> raw offset in the text.
    const lines = span.string.split("\n");
    let index = 0;
    for (let l = 0; l < error.line - 1 && l < lines.length; l++) index += lines[l].length + 1;
    index = Math.min(span.string.length, index + Math.max(0, (error.column ?? 1) - 1));
    const offset = span.chars[index];
    return { offset, ...lineColumnOf(text, offset), inExpression: true, expression: span.string };
  }
  const offset = found.path === error.path ? span.keyStart : span.start;
  return { offset, ...lineColumnOf(text, offset), inExpression: false };
}
