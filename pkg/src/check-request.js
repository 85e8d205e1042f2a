// `gate.checkRequest` and `gate.checkRequestSync`: a raw request (a Fetch `Request` or plain
// data) decided as the DRF server would, over an edge build's glue (src/wasm.rs `startRequest`,
// `requestSync`, `requestPacked` and the steps they return). Its own module so that the builds
// without raw-request checking (the browser runtime, the core) ship none of it: the entries of
// the edge builds hand `defineCheckRequest` to `defineApi` (gate.js), the others do not.

import { ContextError } from "./errors.js";
import { MAX_CONTEXT_CHARS, mayBeTooLong, packedDecision, wellFormed } from "./gate.js";
import { isFetchRequest, readBody, toRawRequest, withBody } from "./raw-request.js";
import { plainRecord, plainUser } from "./user.js";
import { CircularError, DepthError, LoneSurrogateError, encodeValue, exactJson, parseExactJson } from "./value.js";

// The core replays earlier answers, so a request needs at most one lookup per class and step.
const MAX_LOOKUPS = 32;
// Words 7 and 9 of a packed raw-request step (src/edge.rs `packed_step`).
const STEP_AUTHENTICATION_NONE = 1;
const STEP_AUTHENTICATION_SUCCEEDED = 2;
const STEP_USER = 1;
const STEP_USER_LOOKUP_ANSWERED = 1 << 1;
const STEP_USER_IS_ANSWER = 1 << 2;
// src/edge.rs `typed_user` flags (answerUserSync).
const USER_ID_NUMBER = 1;
const USER_IS_ACTIVE = 1 << 1;
const USER_IS_STAFF = 1 << 2;
const USER_IS_SUPERUSER = 1 << 3;
const USER_TOKEN_USER = 1 << 4;

// A resolver's "not known here" (the request is forwarded) and "no such row" (drf-gate/guard).
const UNKNOWN = Symbol.for("drf-gate.unknown");
const NOT_FOUND = Symbol.for("drf-gate.notFound");

// The core keeps no body over 4 MiB (src/authentication/request.rs MAX_BODY_BYTES: a check
// that needs one forwards), and reads header fields only up to the servers' limit of 99
// (MAX_HEADER_COUNT: one more marks the request as beyond it, which the edge forwards). What it
// would not keep is not copied into wasm memory, which never shrinks.
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_COUNT = 99;

// UTF-8 length of a string, counted only as far as `limit`.
function utf8LengthOver(text, limit) {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) i++;
      bytes += next >= 0xdc00 && next < 0xe000 ? 4 : 3;
    } else bytes += 3;
  }
  return bytes > limit;
}

// UTF-8 byte order (the core's BTreeMap order) is code point order.
function byCodePoint(a, b) {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(j);
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// The core reads header fields in name order and stops at the first past a server limit (at
// the latest the 101st), and a field line over 8190 bytes is past one whatever follows: only
// what it reads crosses, and of a longer value only enough to stay over the limit. Left whole
// when a value is not a string (the core names the culprit).
const MAX_HEADER_BYTES = 8190;
function boundedHeaders(headers) {
  if (!headers || typeof headers !== "object" || Array.isArray(headers)) return headers;
  const names = Object.keys(headers);
  let long = false;
  for (const name of names) {
    const value = headers[name];
    if (typeof value !== "string") return headers;
    if (value.length > MAX_HEADER_BYTES) long = true;
  }
  if (names.length <= MAX_HEADER_COUNT + 1 && !long) return headers;
  if (names.length > MAX_HEADER_COUNT + 1) {
    names.sort(names.some((name) => /[\ud800-\udfff]/.test(name)) ? byCodePoint : undefined);
    names.length = MAX_HEADER_COUNT + 1;
  }
  const kept = Object.create(null); // `__proto__` is a header name like any other
  for (const name of names) {
    const value = headers[name];
    if (value.length <= MAX_HEADER_BYTES) {
      kept[name] = value;
    } else {
      // A character above U+00FF is refused wherever it is: it alone gives the same error.
      const wide = /[^\x00-\xff]/u.exec(value);
      kept[name] = wide ? wide[0] : value.slice(0, MAX_HEADER_BYTES + 1);
    }
  }
  return kept;
}

function boundedBody(request) {
  if (!request || typeof request !== "object") return request;
  const { bodyBase64, body, headers } = request;
  const over =
    (typeof bodyBase64 === "string" && Math.floor(bodyBase64.length / 4) * 3 - 2 > MAX_BODY_BYTES) ||
    (typeof body === "string" && utf8LengthOver(body, MAX_BODY_BYTES));
  const kept = boundedHeaders(headers);
  if (!over && kept === headers) return request;
  const bounded = kept === headers ? { ...request } : { ...request, headers: kept };
  if (over) {
    delete bounded.bodyBase64;
    delete bounded.body;
    bounded.bodyTooLarge = true;
  }
  return bounded;
}

// --- Raw requests without JSON ----------------------------------------------------------------
//
// A plain request crosses into wasm as one string: its parts joined by NUL (the method, then the
// view, action, URL, path, format, host, port, content type and bodyBase64 present, the cookies
// and META as a number of pairs and the pairs, then header names and values; src/edge.rs
// `PendingRequest::from_parts`), with the body and the target's `object` (value.js encoding)
// apart. NUL is ASCII, so the glue copies an ASCII
// text in its own loop, without TextEncoder; a NUL inside a part makes more parts than counted,
// the core refuses the text, and it crosses again with every part escaped (`escapePart`). Only
// the shapes whose JSON the core would read the same way take it: own enumerable members as
// JSON.stringify reads them, well-formed strings (a lone surrogate would be replaced on the way
// in, where JSON escapes it; any other character, above U+00FF too, reads as in JSON, and the
// core refuses it in a header value either way), cut as boundedBody cuts them. Anything else
// (other members, other types) takes the JSON path, which decides or refuses exactly as before.
const PART = "\0";
const PART_VIEW = 1;
const PART_ACTION = 1 << 1;
const PART_HAS_DETAIL = 1 << 2;
const PART_DETAIL = 1 << 3;
const PART_URL = 1 << 4;
const PART_PATH = 1 << 5;
const PART_FORMAT = 1 << 6;
const PART_BODY_PENDING = 1 << 7;
const PART_EMPTY_HEADERS_DROPPED = 1 << 8;
const PART_HEADERS_JOINED = 1 << 9;
const PART_LOOKUP_ERROR = 1 << 10;
const PART_TRACE = 1 << 11;
const PART_HAS_SECURE = 1 << 12;
const PART_SECURE = 1 << 13;
const PART_HOST = 1 << 14;
const PART_PORT = 1 << 15;
const PART_CONTENT_TYPE = 1 << 16;
const PART_COOKIES = 1 << 17;
const PART_META = 1 << 18;
const PART_BODY_TOO_LARGE = 1 << 19;
const PART_BODY_BASE64 = 1 << 20;
const PART_OBJECT = 1 << 21;
const PART_ESCAPED = 1 << 22;
const PART_REQUEST_JSON = 1 << 23;
// Longest typed text (the JSON path's cap on a context's text; longer ones take the JSON path).
const MAX_PARTS_CHARS = 1024 * 1024;
// The JSON path's cap on the values of one input (src/limits.rs MAX_JSON_VALUES).
const MAX_JSON_VALUES = 65536;

// The target's `object` in the binary value encoding (value.js, as `check`'s), or undefined: take
// the JSON path, which reads or refuses it as before. It takes what JSON.stringify would replace
// at the top (a toJSON), what it refuses (its errors: a
// cycle, a lone surrogate, nesting past serde's limit), and a value long enough to near its
// limits. The encoding counts the nesting from the input's own level, as `check`'s context.
function encodedObject(value, checked = false) {
  if (typeof value === "object" && typeof value.toJSON === "function") return undefined;
  let bytes;
  try {
    bytes = encodeValue(value, true);
  } catch (error) {
    if (error instanceof LoneSurrogateError || error instanceof DepthError || error instanceof CircularError) return undefined;
    throw error;
  }
  return mayBeTooLong(bytes.length) && !checked ? undefined : bytes;
}


// A record of strings as its number of pairs, then the pairs (undefined values are left out, as
// JSON.stringify leaves them); false for any other value (the JSON path then reads it).
function pushPairs(parts, record) {
  const at = parts.push("") - 1;
  let pairs = 0;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value === undefined) continue;
    if (typeof value !== "string") return false;
    parts.push(name, value);
    pairs++;
  }
  parts[at] = String(pairs);
  return true;
}

// Header name and value pairs, cut as the JSON path cuts them (boundedHeaders, the one owner of
// the cut); false for a value that is not a string (the JSON path then reads it).
function pushHeaders(parts, headers) {
  const at = parts.length;
  const names = Object.keys(headers);
  let long = names.length > MAX_HEADER_COUNT + 1;
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value !== "string") return false;
    if (value.length > MAX_HEADER_BYTES) long = true;
    parts.push(name, value);
  }
  if (!long) return true;
  parts.length = at;
  const kept = boundedHeaders(headers);
  for (const name of Object.keys(kept)) {
    if (kept[name] !== undefined) parts.push(name, kept[name]);
  }
  return true;
}

// A part holding a NUL, escaped as the core reads it with PART_ESCAPED (src/edge.rs
// `escape_part`): U+0001 as U+0001 U+0001, NUL as U+0001 U+0002.
function escapePart(part) {
  return part.replace(/[\0\x01]/g, (c) => (c === PART ? "\x01\x02" : "\x01\x01"));
}

// The typed request again with every part escaped (PART_ESCAPED), for a NUL inside a part (the
// core found more parts than counted: undefined); null: too long, take the JSON path (`checked`:
// retypedRequest's, not too long).
function escapedRequest(typed, checked = false) {
  if (typed[2] & PART_REQUEST_JSON) return null;
  const text = typed[6].map(escapePart).join(PART);
  if (text.length > MAX_PARTS_CHARS && !checked) return null;
  return [text, typed[1], typed[2] | PART_ESCAPED, typed[3], typed[4], typed[5]];
}

// [text, count, flags, body, object, now, parts] for the typed crossing (the glue reads the first
// six; `parts` for escapedRequest), or null: take the JSON path.
function typedRequest(request, options) {
  return typedParts(request, options) ?? requestAsJson(request, options);
}

// A plain request the typed crossing refuses for a member's value (a lone surrogate, a type the
// JSON path's reader refuses: `meta: null`, a header value that is not a string), with options
// that cross typed: the request crosses as its JSON text (PART_REQUEST_JSON, in the body
// argument), which the core reads only for the JSON path's error, by the JSON path's own reader
// and types (src/edge.rs `request_json_error`); it answers undefined when there is none (an
// unknown member: the JSON path then names it). null: take the JSON path (a long body, or a text
// that may near the JSON path's limit on values).
function requestAsJson(request, options) {
  if (!plainRecord(request)) return null;
  const bounded = boundedBody(request);
  if (typeof bounded.body === "string" && bounded.body.length > MAX_PARTS_CHARS) return null;
  const typed = typedParts({ method: "GET" }, options);
  if (typed === null) return null;
  // As the JSON input holds it: `{"request": ...}` is at the same depth and path.
  const text = exactJson({ request: bounded });
  if (text === undefined || text.length > MAX_PARTS_CHARS) return null;
  // A JSON text of n characters holds at most (n + 1) / 2 values: with the options' (see
  // typedParts), within the JSON path's cap, which then cannot name another place.
  const object = typed[4] === undefined ? 0 : typed[4].length;
  if ((text.length + 1) / 2 + object + typed[1] + 32 > MAX_JSON_VALUES) return null;
  return [typed[0], typed[1], typed[2] | PART_REQUEST_JSON, text, undefined, typed[5], typed[6]];
}

// The JSON path's input: the request and options as JSON text (the caller's own exceptions as
// they are). `start` sends it to the JSON path; the Worker build, which has none, checks it
// (retypedRequest).
function inputText(request, options) {
  const { resolvers: _resolvers, readBody: _read, now, ...target } = options || {};
  const input = { ...target, request: boundedBody(request), now: now ?? Date.now() / 1000 };
  const text = exactJson(input);
  if (text === undefined) throw new ContextError("the request is not representable as JSON", "invalid_context", "$");
  return text;
}

// A request typedRequest could not send, in the Worker build (no JSON path: src/wasm.rs
// `startRequest` is not in it): its JSON text (inputText) is checked by the core for the JSON
// path's error (`requestInputError`, the same reader's rules: src/edge.rs
// `request_input_error`), which it throws; without one, the text parsed again is plain data of
// the JSON path's own types, which crosses typed (a class instance as JSON.stringify sees it, a
// long body, an object JSON.stringify rewrites). `answers` (answers given in advance, read only by
// the JSON path) is refused at `$.answers`.
function retypedRequest(wasm, request, options) {
  const text = inputText(request, options);
  wasm.requestInputError(text);
  const { request: parsed, now, ...target } = parseExactJson(text);
  return typedParts(parsed, { ...target, now }, true);
}

// typedRequest for a request whose every member crosses typed. `checked`: the request and options
// are the JSON input's, parsed again after the core found the JSON path's reader takes them
// (retypedRequest): no member can near that reader's limits, so a long body, parts text or
// object crosses typed too.
function typedParts(request, options, checked = false) {
  if (!plainRecord(request)) return null;
  const parts = [undefined];
  let flags = 0;
  let method, url, path, headers, body, host, port, contentType, bodyBase64, cookies, meta;
  // The body is past MAX_BODY_BYTES.
  let over = false;
  for (const key of Object.keys(request)) {
    const value = request[key];
    if (value === undefined) continue;
    switch (key) {
      // What every request has first (a miss in a `switch` costs a comparison).
      case "method":
        if (typeof value !== "string") return null;
        method = value;
        break;
      // An optional member as null is absent (an `Option` in the core), tested only off the hot path.
      case "url":
        if (typeof value !== "string") {
          if (value === null) break;
          return null;
        }
        url = value;
        break;
      case "path":
        if (typeof value !== "string") {
          if (value === null) break;
          return null;
        }
        path = value;
        break;
      case "headers":
        if (!plainRecord(value)) return null;
        headers = value;
        break;
      case "body":
        if (typeof value !== "string") {
          if (value === null) break;
          return null;
        }
        // Past MAX_BODY_BYTES: too large, as boundedBody makes it. A long body within it takes
        // the JSON path (wasm memory, which never shrinks, is sized by it: adversarial/run.sh).
        // Else well-formed (JSON would escape a lone surrogate).
        if (value.length > MAX_BODY_BYTES / 3) {
          if (utf8LengthOver(value, MAX_BODY_BYTES)) {
            over = true;
            break;
          }
          if (!checked) return null;
        }
        if (typeof value.isWellFormed !== "function" || !value.isWellFormed()) return null;
        body = value;
        break;
      case "bodyPending":
        if (typeof value !== "boolean") return null;
        if (value) flags |= PART_BODY_PENDING;
        break;
      case "emptyHeadersDropped":
        if (typeof value !== "boolean") return null;
        if (value) flags |= PART_EMPTY_HEADERS_DROPPED;
        break;
      case "headersJoined":
        if (typeof value !== "boolean") return null;
        if (value) flags |= PART_HEADERS_JOINED;
        break;
      // An optional member as null is absent (an `Option` in the core).
      case "host":
      case "port":
      case "contentType":
        if (value === null) break;
        if (typeof value !== "string") return null;
        if (key === "host") host = value;
        else if (key === "port") port = value;
        else contentType = value;
        break;
      case "bodyBase64":
        if (typeof value !== "string") {
          if (value === null) break;
          return null;
        }
        // Past MAX_BODY_BYTES: too large, as boundedBody makes it (the body is dropped too).
        if (Math.floor(value.length / 4) * 3 - 2 > MAX_BODY_BYTES) over = true;
        else bodyBase64 = value;
        break;
      case "secure":
        if (value === null) break;
        if (typeof value !== "boolean") return null;
        flags |= value ? PART_HAS_SECURE | PART_SECURE : PART_HAS_SECURE;
        break;
      case "cookies":
        if (value === null) break;
        if (!plainRecord(value)) return null;
        cookies = value;
        break;
      case "meta":
        if (!plainRecord(value)) return null;
        meta = value;
        break;
      case "bodyTooLarge":
        if (typeof value !== "boolean") return null;
        if (value) flags |= PART_BODY_TOO_LARGE;
        break;
      default:
        return null;
    }
  }
  if (method === undefined) return null;
  if (over) {
    flags |= PART_BODY_TOO_LARGE;
    body = undefined;
    bodyBase64 = undefined;
  }
  parts[0] = method;
  let view, action, detail, format, object;
  let now;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object") return null;
    for (const key of Object.keys(options)) {
      const value = options[key];
      if (value === undefined || key === "resolvers" || key === "readBody") continue;
      switch (key) {
        case "now":
          // null: `now ?? Date.now() / 1000`, as the JSON path.
          if (value === null) break;
          if (typeof value !== "number") return null;
          now = value;
          break;
        // null is absent (an `Option` in the core), as `now`.
        case "view":
          if (value === null) break;
          if (typeof value !== "string") return null;
          view = value;
          break;
        case "action":
          if (value === null) break;
          if (typeof value !== "string") return null;
          action = value;
          break;
        case "detail":
          if (value === null) break;
          if (typeof value !== "boolean") return null;
          detail = value;
          break;
        case "format":
          if (value === null) break;
          if (typeof value !== "string") return null;
          format = value;
          break;
        case "lookupError":
          if (typeof value !== "boolean") return null;
          if (value) flags |= PART_LOOKUP_ERROR;
          break;
        case "trace":
          if (typeof value !== "boolean") return null;
          if (value) flags |= PART_TRACE;
          break;
        case "object":
          // A function or a symbol: JSON.stringify leaves the member out (no object given).
          if (typeof value === "function" || typeof value === "symbol") break;
          // null (a lookup miss) crosses as the flag alone.
          flags |= PART_OBJECT;
          if (value === null) break;
          object = encodedObject(value, checked);
          if (object === undefined) return null;
          break;
        default:
          return null;
      }
    }
  }
  // `now ?? Date.now() / 1000`, as the JSON path; one that is not finite is refused by the core
  // as the JSON path refuses JSON.stringify's `null`.
  now ??= Date.now() / 1000;
  if (view !== undefined) {
    flags |= PART_VIEW;
    parts.push(view);
  }
  if (action !== undefined) {
    flags |= PART_ACTION;
    parts.push(action);
  }
  if (detail !== undefined) flags |= detail ? PART_HAS_DETAIL | PART_DETAIL : PART_HAS_DETAIL;
  if (url !== undefined) {
    flags |= PART_URL;
    parts.push(url);
  }
  if (path !== undefined) {
    flags |= PART_PATH;
    parts.push(path);
  }
  if (format !== undefined) {
    flags |= PART_FORMAT;
    parts.push(format);
  }
  if (host !== undefined) {
    flags |= PART_HOST;
    parts.push(host);
  }
  if (port !== undefined) {
    flags |= PART_PORT;
    parts.push(port);
  }
  if (contentType !== undefined) {
    flags |= PART_CONTENT_TYPE;
    parts.push(contentType);
  }
  if (bodyBase64 !== undefined) {
    flags |= PART_BODY_BASE64;
    parts.push(bodyBase64);
  }
  // Cookies, then META: the number of pairs, then the pairs.
  if (cookies !== undefined) {
    flags |= PART_COOKIES;
    if (!pushPairs(parts, cookies)) return null;
  }
  if (meta !== undefined) {
    flags |= PART_META;
    if (!pushPairs(parts, meta)) return null;
  }
  if (headers !== undefined && !pushHeaders(parts, headers)) return null;
  const text = parts.join(PART);
  if ((text.length > MAX_PARTS_CHARS && !checked) || !wellFormed(text)) return null;
  // Every value of the JSON input but the object's is at most a part or one of ~30 members and
  // maps; each of the object's takes a byte or more of its encoding: within the JSON path's cap.
  if (object !== undefined && object.length + parts.length + 32 > MAX_JSON_VALUES && !checked) return null;
  return [text, parts.length, flags, body, object, now, parts];
}

// An answer crosses as its JSON text; what JSON cannot hold, or a text past the JSON path's
// limit, crosses as the value, which the core then refuses as it always did. A BigInt (a pk beyond
// 2^53, as userById gets it and a store may keep it) is written as the exact JSON integer. The
// caller's own exception reaches the caller as it is (JSON.stringify's own refusals and a
// caller's TypeError look alike: exactJson, which tells them apart, reads such an answer again).
function answerText(answer) {
  let text;
  try {
    text = JSON.stringify(answer);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    text = exactJson(answer);
  }
  return typeof text === "string" && text.length <= MAX_CONTEXT_CHARS ? text : undefined;
}

// The answer as the handle's `answer()` takes it: its JSON text (exact BigInts), else the value.
function answerArg(answer) {
  return answerText(answer) ?? answer;
}

// A userById key's `id` (the claim as JSON text) as the resolver gets it: the JSON value, but an
// integer beyond Number.MAX_SAFE_INTEGER as a BigInt: JSON.parse would round it to another
// user's pk (9007199254740993 -> 9007199254740992). `String(id)` is the exact KV key either way.
function lookupId(text) {
  // A safe integer written as String(n) writes it (a packed lookup's id): JSON.parse's number.
  const number = +text;
  if (Number.isSafeInteger(number) && String(number) === text) return number;
  const value = JSON.parse(text);
  return typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(text) ? BigInt(text) : value;
}

// A user record's pk as a JS number beyond 2^53 may be another user's, rounded (JSON.parse reads
// 9007199254740993 as 9007199254740992): not known here. Such a pk is exact only as a BigInt.
const roundedPk = (user) =>
  user !== null && typeof user === "object" && Number.isInteger(user.id) && !Number.isSafeInteger(user.id);

// An object that is neither a plain record (user.js, the rule of every path) nor a list: the core
// would read its JSON, not what it holds (a `Map`, a `Set`, a `Date`: `{}` or a string, an
// authenticated user with no id; a class instance loses its getters; toJSON writes another
// value). Such a row is not known here. A list goes on: the core refuses it (src/json_object.rs).
const opaque = (value) => typeof value === "object" && value !== null && !Array.isArray(value) && !plainRecord(value);

// What a resolver returned, as the core's answer to a lookup.
function asAnswer(kind, value) {
  if (value && typeof value.then === "function") {
    throw new TypeError(`the ${kind} resolver returned a Promise: use checkRequest(), not checkRequestSync()`);
  }
  if (value === UNKNOWN) return { unknown: true };
  if (value === NOT_FOUND) return kind === "custom" ? { none: true } : { notFound: true };
  if (kind === "custom") {
    if (value == null) return { none: true };
    if (opaque(value)) return { unknown: true };
    if (value.failure) return { failure: value.failure };
    return roundedPk(value) ? { unknown: true } : { user: value };
  }
  if (kind === "sessionCsrfSecret") return value == null ? { notFound: true } : { secret: String(value) };
  if (kind === "knoxToken") {
    if (value == null) return { notFound: true };
    if (opaque(value) || opaque(value.user)) return { unknown: true };
    // { user, expiry }: expiry in seconds since the epoch, a Date, or null (never expires).
    const expiry = value.expiry instanceof Date ? value.expiry.getTime() / 1000 : (value.expiry ?? null);
    return roundedPk(value.user) ? { unknown: true } : { knoxToken: { user: value.user, expiry } };
  }
  if (kind === "apiKey") {
    if (value == null) return { notFound: true };
    if (opaque(value)) return { unknown: true };
    // djangorestframework-api-key row: { hashedKey, revoked, expiry } (seconds, a Date, or null).
    const expiry = value.expiry instanceof Date ? value.expiry.getTime() / 1000 : (value.expiry ?? null);
    return { apiKey: { hashedKey: value.hashedKey, revoked: value.revoked === true, expiry } };
  }
  if (value == null) return { notFound: true };
  return opaque(value) || roundedPk(value) ? { unknown: true } : { user: value };
}


// A fresh copy of a plainUser (the step a caller gets is its own).
const copyUser = (user) => ({ ...user, permissions: [...user.permissions], attributes: {} });

// A plainUser as the arguments of answerUserSync / a handle's answerUser (src/edge.rs
// `user_from_parts`).
function typedUser(user) {
  let flags = user.isActive ? USER_IS_ACTIVE : 0;
  if (user.isStaff) flags |= USER_IS_STAFF;
  if (user.isSuperuser) flags |= USER_IS_SUPERUSER;
  if (user.tokenUser) flags |= USER_TOKEN_USER;
  const numeric = typeof user.id === "number";
  if (numeric) flags |= USER_ID_NUMBER;
  const count = user.permissions.length;
  return [
    numeric ? user.id : 0,
    numeric || user.id === null ? undefined : user.id,
    user.username ?? undefined,
    flags,
    count === 0 ? undefined : user.permissions.join(PART),
    count,
  ];
}

function callResolver(resolvers, key, rawRequest) {
  const fn = resolvers && resolvers[key.kind];
  if (typeof fn !== "function") return undefined;
  switch (key.kind) {
    case "token":
      return fn(key.key);
    case "basic":
      return fn(key.username, key.password);
    case "session":
    case "sessionCsrfSecret":
      return fn(key.sessionKey);
    case "userById":
      return fn(key.field, lookupId(key.id));
    case "remoteUser":
      return fn(key.name);
    case "knoxToken":
      return fn(key.digest, key.tokenKey);
    case "apiKey":
      return fn(key.model, key.prefix);
    case "custom":
      return fn(key.className, rawRequest);
    default:
      return undefined;
  }
}

// checkRequest's body step (both crossings): reads at most maxBytes (options.readBody, else a
// Fetch Request's own), gives it to the handle, and returns the raw request a custom class's
// resolver sees from now on.
async function giveBody(pending, maxBytes, request, raw, options) {
  const reader = options.readBody ?? (isFetchRequest(request) ? (max) => readBody(request, max) : null);
  const bytes = reader ? await reader(maxBytes) : null;
  const read = bytes === null || bytes === undefined ? null : bytes;
  pending.giveBody(read ?? undefined);
  return withBody(raw, read);
}

// A request that asks more lookups than MAX_LOOKUPS (more custom classes whose resolvers answer
// no user): not decided at the edge, a typed error as every other refusal.
function tooManyLookups() {
  return new ContextError(`more than ${MAX_LOOKUPS} lookups for one request`, "invalid_request", "$");
}

/**
 * The raw-request methods over one edge build's glue, for `defineApi`'s `checkRequest` option.
 *
 * ```js
 * const api = defineApi(wasm, { checkRequest: defineCheckRequest });
 * ```
 */
export function defineCheckRequest(wasm) {
  // The Worker build (edge without the compiler) has no JSON path: see retypedRequest.
  const jsonPath = typeof wasm.GateCore.prototype.startRequest === "function";

  // The Worker build's first step of a request typedRequest could not send (`call`: the core's
  // requestSync or requestPacked), retyped, and escaped when a part holds a NUL.
  function retypedFirst(core, call, request, options) {
    const typed = retypedRequest(wasm, request, options);
    let first = typed === null ? undefined : call.apply(core, typed);
    const escaped = first === undefined && typed !== null ? escapedRequest(typed, true) : null;
    if (escaped !== null) first = call.apply(core, escaped);
    if (first === undefined) {
      throw new ContextError("this request does not cross typed, and this build (drf-gate/worker) has no JSON path", "invalid_context", "$");
    }
    return first;
  }

  // A gate's state for these methods: its compiled policy (`live()`, which throws once the gate
  // is freed) and the packed steps' words, texts and names by id, fetched once per gate.
  function state(live) {
    return { live, words: [], texts: [], names: [] };
  }

  // The one-pass raw-request protocol for a request that does not cross typed: the request as
  // JSON, parsed and validated once, and its first step taken; a request that needs a lookup or
  // its body comes back with a wasm-side handle (the parsed request, the answers so far,
  // authentication's progress) whose steps resume where the last stopped, as JSON text. The
  // caller frees the handle (`finally`), whatever happens. Returns [first step, handle or null].
  function start(state, request, options) {
    const core = state.live();
    // As JSON text written once here (src/wasm.rs `startRequest`'s refusals otherwise).
    const first = core.startRequest(inputText(request, options));
    return typeof first === "string" ? [parseExactJson(first), null] : [parseExactJson(first[0]), first[1]];
  }

  /**
   * Decides a raw request (a Fetch `Request` or plain data) as the DRF server would, awaiting
   * the resolvers' user lookups. `null`: not DRF's to answer here (no route matches, or the
   * runtime lost header bytes DRF would read).
   */
  async function checkRequest(state, request, options = {}) {
    let raw = isFetchRequest(request) ? await toRawRequest(request) : request;
    if (raw === null) return null;
    // Typed, with the steps packed as for checkRequestSync; a request that needs an answer or
    // its body keeps a handle of its own (awaited requests interleave: no shared stack).
    const typed = typedRequest(raw, options);
    const core = state.live();
    let first = typed === null ? undefined : core.requestPacked(...typed);
    // A NUL inside a part: again, escaped.
    const escaped = first === undefined && typed !== null ? escapedRequest(typed) : null;
    if (escaped !== null) first = core.requestPacked(...escaped);
    if (first === undefined && !jsonPath) first = retypedFirst(core, core.requestPacked, raw, options);
    if (first === undefined) return checkRequestJson(state, request, raw, options);
    if (!Array.isArray(first)) {
      const step = syncStep(state, core, first, undefined);
      return step.noRoute ? null : step;
    }
    const pending = first[1];
    try {
      // The handle renders the steps from here on (the gate may be freed while a lookup is
      // awaited; the handle keeps its policy).
      let step = syncStep(state, pending, first[0], undefined);
      // The last lookup answered, and the plainUser sent typed for it (see syncStep).
      let answered;
      let sent = null;
      for (let i = 0; i <= MAX_LOOKUPS; i++) {
        // The CSRF check reads the body: read it now (at most maxBytes), and go on.
        if (step.body && pending.bodyPending()) {
          raw = await giveBody(pending, step.body.maxBytes, request, raw, options);
          step = syncStep(state, pending, pending.stepPacked(), answered, sent);
          continue;
        }
        if (!step.lookup) return step.noRoute ? null : step;
        const lookup = step.lookup;
        const value = await callResolver(options.resolvers, lookup, raw);
        const answer = asAnswer(lookup.kind, value);
        // A plain user record crosses typed; the step's user is then rebuilt from it.
        const user = answer.user === undefined ? null : plainUser(answer.user);
        let next = user === null ? undefined : pending.answerUser(...typedUser(user));
        sent = next === undefined ? null : user;
        if (next === undefined) {
          const text = answerText(answer);
          next = pending.answerPacked(text, text === undefined ? answer : undefined);
        }
        answered = lookup;
        step = syncStep(state, pending, next, answered, sent);
      }
      throw tooManyLookups();
    } finally {
      pending.free();
    }
  }

  // checkRequest for a request that does not cross typed: as JSON, every step as JSON text.
  async function checkRequestJson(state, request, raw, options) {
    let [step, pending] = start(state, raw, options);
    if (pending === null) return step.noRoute ? null : step;
    try {
      for (let i = 0; i <= MAX_LOOKUPS; i++) {
        if (i > 0) step = parseExactJson(pending.step());
        // The CSRF check reads the body: read it now (at most maxBytes), and go on.
        if (step.body && pending.bodyPending()) {
          raw = await giveBody(pending, step.body.maxBytes, request, raw, options);
          continue;
        }
        if (!step.lookup) return step.noRoute ? null : step;
        const value = await callResolver(options.resolvers, step.lookup, raw);
        pending.answer(answerArg(asAnswer(step.lookup.kind, value)));
      }
      throw tooManyLookups();
    } finally {
      pending.free();
    }
  }

  /** `checkRequest` for plain request data and synchronous resolvers. */
  function checkRequestSync(state, request, options = {}) {
    if (isFetchRequest(request)) {
      throw new TypeError("checkRequestSync() takes a plain request object; use checkRequest() for a Fetch Request");
    }
    // Typed, on the stack of synchronous requests (no handle): one crossing per step.
    const typed = typedRequest(request, options);
    const core = state.live();
    let first = typed === null ? undefined : core.requestSync(...typed);
    // A NUL inside a part: again, escaped.
    const escaped = first === undefined && typed !== null ? escapedRequest(typed) : null;
    if (escaped !== null) first = core.requestSync(...escaped);
    if (first === undefined && !jsonPath) first = retypedFirst(core, core.requestSync, request, options);
    if (first !== undefined) {
      let step = syncStep(state, core, first, undefined);
      if (!step.lookup) return step.noRoute ? null : step;
      // A decided step given as a number has left the stack already (answerRequestSync).
      let stacked = true;
      try {
        for (let i = 0; i <= MAX_LOOKUPS; i++) {
          const lookup = step.lookup;
          const value = callResolver(options.resolvers, lookup, request);
          const answer = asAnswer(lookup.kind, value);
          // A plain user record crosses typed; the step's user is then rebuilt from it.
          const user = answer.user === undefined ? null : plainUser(answer.user);
          let next = user === null ? undefined : wasm.answerUserSync(...typedUser(user));
          const sent = next === undefined ? null : user;
          if (next === undefined) next = answerSync(answer);
          // A decided step (a number from 0) has left the stack; a lookup is negative.
          if (typeof next === "number" && next >= 0) stacked = false;
          step = syncStep(state, core, next, lookup, sent);
          if (!step.lookup) return step.noRoute ? null : step;
        }
        throw tooManyLookups();
      } finally {
        if (stacked) wasm.dropRequestSync();
      }
    }
    let [step, pending] = start(state, request, options);
    if (pending === null) return step.noRoute ? null : step;
    try {
      for (let i = 0; i <= MAX_LOOKUPS; i++) {
        if (i > 0) step = parseExactJson(pending.step());
        if (!step.lookup) return step.noRoute ? null : step;
        const value = callResolver(options.resolvers, step.lookup, request);
        pending.answer(answerArg(asAnswer(step.lookup.kind, value)));
      }
      throw tooManyLookups();
    } finally {
      pending.free();
    }
  }

  // A step of the synchronous protocol: JSON text, or the number of a decided step packed as
  // integers (src/edge.rs `EdgeStep::pack`, `StepTexts::step_id`) rendered here exactly as the JSON path renders it: same
  // members, same order. `answered` is the lookup just answered (the request's only one
  // whenever the core sets USER_LOOKUP_ANSWERED).
  // A `userById` lookup comes as a negative number (src/edge.rs `EdgeStep::pack_lookup`).
  // `sent`: the plainUser just sent typed, rebuilt as the step's user when the core says the
  // step's user is that answer's, unchanged (STEP_USER_IS_ANSWER).
  // `core`: the GateCore, or a RawRequestCore handle of its policy (the same step numbering).
  function syncStep(state, core, value, answered, sent = null) {
    if (typeof value === "string") return parseExactJson(value);
    if (value < 0) {
      const code = -value - 1;
      const field = code % 65536;
      return { lookup: { kind: "userById", field: stepName(state, core, field), id: String((code - field) / 65536) } };
    }
    let words = state.words[value];
    if (words === undefined) {
      words = core.stepWords(value);
      if (words === undefined) throw new ContextError("internal: unknown step id", "invalid_context", "$");
      state.words[value] = words;
    }
    const texts = state.texts;
    const text = (id) => {
      let known = texts[id];
      if (known === undefined) {
        known = core.stepText(id);
        if (typeof known !== "string") throw new ContextError("internal: unknown text id", "invalid_context", "$");
        texts[id] = known;
      }
      return known;
    };
    const decision = packedDecision(words, text);
    let authentication = null;
    if (words[7] === STEP_AUTHENTICATION_NONE) authentication = { none: true };
    else if (words[7] === STEP_AUTHENTICATION_SUCCEEDED) authentication = { succeeded: stepName(state, core, words[8]) };
    const step = { decision, authentication };
    if (words[9] & STEP_USER) {
      step.user = sent !== null && words[9] & STEP_USER_IS_ANSWER ? copyUser(sent) : parseExactJson(wasm.takeStepUser());
    }
    if (words[9] & STEP_USER_LOOKUP_ANSWERED) {
      if (answered === undefined) throw new ContextError("internal: no answered lookup", "invalid_context", "$");
      step.userLookup = { ...answered };
    }
    return step;
  }

  // A name of packed steps (a class name, a lookup's field) by id, fetched once per gate.
  function stepName(state, core, id) {
    let name = state.names[id];
    if (name === undefined) {
      name = core.stepName(id);
      if (typeof name !== "string") throw new ContextError("internal: unknown name id", "invalid_context", "$");
      state.names[id] = name;
    }
    return name;
  }

  // The answer to the innermost synchronous request's lookup; its next step as JSON text.
  function answerSync(answer) {
    const text = answerText(answer);
    return wasm.answerRequestSync(text, text === undefined ? answer : undefined);
  }

  return { state, checkRequest, checkRequestSync };
}
