// A Fetch `Request` as the core's raw request (the HTTP bytes Django sees), for
// `gate.checkRequest` and `drf-gate/guard`: one conversion, so the two cannot disagree.
//
// WSGI hands Django each header byte as one ISO-8859-1 character. workerd decodes header values
// as UTF-8 (invalid bytes become U+FFFD); Node, Deno and Bun keep one character per byte.

/** Whether this runtime decodes header values as UTF-8 (workerd does). */
export const HEADERS_DECODED_AS_UTF8 = typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers";

const SAFE_BODY_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
// DRF reads the body during authentication only for the CSRF check of a form or JSON request.
const PARSED_BODY_TYPES = /^(application\/json|application\/x-www-form-urlencoded|multipart\/form-data)/i;
const utf8 = new TextEncoder();

function asHttpBytes(value, decodedAsUtf8) {
  if (!decodedAsUtf8 || /^[\x00-\x7f]*$/.test(value)) return value;
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
export function isFetchRequest(value) {
  return typeof Request !== "undefined" && value instanceof Request;
}

/**
 * The request as the core's plain raw request (`{ method, url, headers, bodyBase64? }`), or
 * `null` when the runtime lost bytes DRF would read (a header that was not valid UTF-8, in
 * workerd): then only the origin can decide. The body is read (from a clone) only when DRF
 * would read it during authentication: an unsafe method with a form or JSON body.
 *
 * ```js
 * const raw = await toRawRequest(request); // { method: "GET", url: "https://…", headers: { … } }
 * ```
 */
export async function toRawRequest(request, { headersDecodedAsUtf8 = HEADERS_DECODED_AS_UTF8 } = {}) {
  const headers = {};
  let lossy = false;
  request.headers.forEach((value, name) => {
    if (headersDecodedAsUtf8 && value.includes("\ufffd")) lossy = true;
    headers[name] = asHttpBytes(value, headersDecodedAsUtf8);
  });
  if (lossy) return null;
  const raw = { method: request.method, url: request.url, headers };
  const method = String(request.method || "GET").toUpperCase();
  if (!SAFE_BODY_METHODS.has(method) && request.body !== null && PARSED_BODY_TYPES.test(request.headers.get("content-type") || "")) {
    raw.bodyBase64 = base64(new Uint8Array(await request.clone().arrayBuffer()));
  }
  return raw;
}
