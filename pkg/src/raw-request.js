// A Fetch `Request` as the core's raw request (the HTTP bytes Django sees), for
// `gate.checkRequest` and `drf-gate/guard`: one conversion, so the two cannot disagree.
//
// WSGI hands Django each header byte as one ISO-8859-1 character. workerd decodes header values
// as UTF-8 (invalid bytes become U+FFFD); Node, Deno and Bun keep one character per byte.
// workerd also keeps a value's trailing spaces and tabs (and leading ones after an obs-fold),
// which Django's servers (gunicorn, runserver, uvicorn) strip, as a Fetch `Headers` does in Node.

/** Whether this runtime decodes header values as UTF-8 (workerd does). */
export const HEADERS_DECODED_AS_UTF8 = typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers";

const SAFE_BODY_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
// Whitespace Python's str.strip() removes and HTTP's does not (VT, FF, \x1c-\x1f, NEL, NBSP), at
// either end of a value: runserver (wsgiref's `v.strip()`) strips it from every header before
// Django reads it, other servers keep it, and workerd passes it on. Which the origin runs is not
// known here, so such a request is the origin's (seen with a real runserver behind workerd:
// `Authorization: \x1cToken k` is bob's token to Django, no credentials to a reader that keeps it).
const PYTHON_SPACE_AT_AN_END = /^[\x0b\x0c\x1c-\x1f\x85\xa0]|[\x0b\x0c\x1c-\x1f\x85\xa0]$/;
const utf8 = new TextEncoder();

function asHttpBytes(value, decodedAsUtf8) {
  if (!decodedAsUtf8) return value;
  const last = value.charCodeAt(value.length - 1);
  if (last === 0x20 || last === 0x09) value = value.replace(/[ \t]+$/, "");
  // Leading ones too: an obs-fold continuation of an empty line (`X-CSRFToken:` + ` t`) reaches
  // the Worker as `   t` (seen in workerd 1.20260426), where every Django server strips them.
  const first = value.charCodeAt(0);
  if (first === 0x20 || first === 0x09) value = value.replace(/^[ \t]+/, "");
  if (/^[\x00-\x7f]*$/.test(value)) return value;
  let bytes = "";
  for (const byte of utf8.encode(value)) bytes += String.fromCharCode(byte);
  return bytes;
}

function base64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Whether `value` is a Fetch `Request` (not plain request data). */
let FetchRequest;
export function isFetchRequest(value) {
  // Node defines `Request` as a lazy global getter that is slow to read on every request:
  // read it once it exists.
  FetchRequest ??= typeof Request === "undefined" ? undefined : Request;
  return FetchRequest !== undefined && value instanceof FetchRequest;
}

/**
 * The request as the core's plain raw request (`{ method, url, headers, bodyBase64? }`), or
 * `null` when the runtime lost bytes DRF would read (a header that was not valid UTF-8, in
 * workerd), a value ends in whitespace only some of Django's servers strip, or a body comes
 * without `Content-Type` (which Django's servers fill in differently): then only the origin can
 * decide. The body is not read here: an unsafe method with a
 * body is marked `bodyPending`, and `checkRequest` reads it only when the core asks (the CSRF
 * check of a session-authenticated POST without the token header).
 *
 * Header lines the runtime dropped before this code ran (workerd drops those with an empty
 * value) are absent here and in what the origin behind it receives, so the result does not say
 * `emptyHeadersDropped` (a plain raw request whose origin saw lines the caller did not may).
 *
 * ```js
 * const raw = await toRawRequest(request); // { method: "GET", url: "https://…", headers: { … } }
 * ```
 */
export async function toRawRequest(request, { headersDecodedAsUtf8 = HEADERS_DECODED_AS_UTF8 } = {}) {
  const headers = Object.create(null); // `__proto__` is a header name like any other
  let lossy = false;
  request.headers.forEach((value, name) => {
    if (headersDecodedAsUtf8 && value.includes("\ufffd")) lossy = true;
    const bytes = asHttpBytes(value, headersDecodedAsUtf8);
    if (PYTHON_SPACE_AT_AN_END.test(bytes)) lossy = true;
    headers[name] = bytes;
  });
  if (lossy) return null;
  const raw = { method: request.method, url: request.url, headers };
  // No `emptyHeadersDropped`: workerd drops header lines with an empty value before the Worker
  // sees them, and the origin behind the Worker gets the request as the Worker forwards it,
  // without them too (wasm-tests/workerd/raw-lines.sh): an absent header is absent to Django.
  // Fetch `Headers` join repeated lines with ", " (Django's servers with ","): the core
  // forwards a request whose decision reads a value holding ", ".
  raw.headersJoined = true;
  const method = String(request.method || "GET").toUpperCase();
  // The body stays unread: the core asks for it (a `body` step) only when DRF reads it.
  if (!SAFE_BODY_METHODS.has(method) && request.body !== null) {
    // A body without `Content-Type` (an empty line workerd dropped, or none sent): Django's
    // CONTENT_TYPE is then the server's choice (runserver's wsgiref says `text/plain`, gunicorn
    // and uvicorn `""`; seen behind workerd: DRF's 415 names `text/plain`): the origin's. An
    // empty one (`Content-Length: 0`) is parsed by neither Django nor DRF.
    if (!("content-type" in headers) && headers["content-length"] !== "0") return null;
    raw.bodyPending = true;
  }
  return raw;
}

/**
 * At most `maxBytes` of a request's body (read from a clone), or `null` when it is longer (the
 * rest is not read).
 */
export async function readBody(request, maxBytes) {
  const declared = Number(request.headers.get("content-length") || NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  const reader = request.clone().body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) return null;
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The raw request with the body the core asked for (`null`: longer than it may read). */
export function withBody(raw, bytes) {
  const { bodyPending, ...rest } = raw;
  return bytes === null ? { ...rest, bodyTooLarge: true } : { ...rest, bodyBase64: base64(bytes) };
}
