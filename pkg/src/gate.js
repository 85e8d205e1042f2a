// drf-gate's public JS API: `Gate`, `Subject`, `mintCsrfToken`, `init`/`initSync`.
//
// Plain JS over the wasm-bindgen exports of src/wasm.rs (`GateCore`, `SubjectCore`,
// `mintCsrfToken`), which are internal. Every call into wasm goes through a gate's `#core`
// (or a subject's `#handle`): one place to change how a check crosses the boundary.
//
// `defineApi(wasm, options)` binds the API to one build's glue (edge or core; ESM or CommonJS);
// each entry point (pkg/src/entries/) calls it once.

import { ContextError, NotInitializedError, PolicyError } from "./errors.js";
import { isFetchRequest, readBody, toRawRequest, withBody } from "./raw-request.js";
import { LoneSurrogateError, encodePair, encodeValue, encodedUserLength, keysPath, parseExactJson } from "./value.js";
import { ASK, makeFacts, makeProgram, makeSteps, member, prunable, run } from "./program.js";

// What may cross into wasm for one check without JSON (wasm memory never shrinks): strings of
// at most MAX_CONTEXT_CHARS characters (the JSON path's limit on a context's text, src/wasm.rs
// MAX_CONTEXT_TEXT) and encoded values of at most MAX_ENCODED_BYTES. Beyond them the JSON core
// takes its JSON path, which refuses exactly as before; the runtime throws a ContextError.
const MAX_CONTEXT_CHARS = 1024 * 1024;
// A compiled policy's longest form: the JSON path's limit (src/wasm.rs MAX_TEXT). Longer bytes are
// refused before they are copied into wasm memory, which never shrinks.
const MAX_COMPILED_BYTES = 8 * 1024 * 1024;
const MAX_ENCODED_BYTES = 4 * 1024 * 1024;
const EMPTY = new Uint8Array(0);

function boundedEncoding(value, path) {
  let bytes;
  try {
    bytes = encodeValue(value);
  } catch (error) {
    // The JSON path refuses the same string with a ContextError at the same path.
    if (error instanceof LoneSurrogateError) throw new ContextError(error.message, "invalid_context", path + keysPath(error.keys));
    throw error;
  }
  if (bytes.length > MAX_ENCODED_BYTES) {
    throw new ContextError(
      `${bytes.length} bytes long encoded, more than the ${MAX_ENCODED_BYTES} that may be checked`,
      "invalid_context",
      path,
    );
  }
  return bytes;
}

function boundedString(value, path) {
  if (value.length > MAX_CONTEXT_CHARS) {
    throw new ContextError(
      `${value.length} characters long, more than the ${MAX_CONTEXT_CHARS} that may be checked`,
      "invalid_context",
      path,
    );
  }
  return value;
}

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
// Most characters of a record's strings sent typed (its JSON stays far below the JSON path's cap).
const MAX_TYPED_USER_CHARS = 64 * 1024;
// Resolved (view, action) ids kept per gate; past this the table starts again (bounded memory).
const MAX_TARGETS = 512;
// Answers memoised per (subject, target) on the object fields the policy reads; past this new
// answers are not kept, and after 8x as many misses the memo starts again (bounded memory over
// any number of distinct objects, without churn).
const MAX_MEMO = 256;
// Longest encoded field set used as a memo key (longer ones are asked, not memoised).
const MAX_KEY_BYTES = 1024;

// --- The `can` hot path: the object fields the policy reads, extracted in JS --------------------
//
// The core says, per target, which object paths `can` may read (`objectReads`); two objects
// that JSON.stringify would write alike on those paths get the same answer. So `can` keys its
// memo on those fields only, and on a miss sends just them (pruned, in the binary value encoding
// of value.js), never the whole object and never JSON. Values are read as JSON.stringify reads
// them: own enumerable properties only; undefined, functions and symbols are missing; non-finite
// numbers are null. Anything else (arrays, toJSON, boxed primitives) is keyed by its encoding.
// Fields the policy does not read are never read (a BigInt or a cycle there no longer throws).

// prunable() and member() live in program.js, shared with the programs.

// The memo key of the read fields: exact as JSON (1 and "1", null and missing, true and 1 differ;
// NaN is null as JSON writes it), or `undefined` when a read value is not a primitive.
function fieldsKey(object, reads) {
  let key = "";
  for (let i = 0; i < reads.length; i++) {
    const path = reads[i];
    let value = object;
    let depth = 0;
    while (depth < path.length && prunable(value)) value = member(value, path[depth++]);
    key += depth;
    switch (typeof value) {
      case "undefined":
        key += "u";
        break;
      case "string":
        key += `s${value.length}:${value}`;
        break;
      case "number":
        key += Number.isFinite(value) ? `n${value};` : "z";
        break;
      case "boolean":
        key += value ? "t" : "f";
        break;
      default:
        if (value !== null) return undefined;
        key += "z";
    }
  }
  return key;
}

// The object pruned to the read paths (null-prototype levels: any member name is data). A path
// that reads a member whole keeps it whole.
function pruned(object, reads) {
  const out = Object.create(null);
  const made = new Set([out]);
  for (const path of reads) {
    let from = object;
    let to = out;
    for (let depth = 0; depth < path.length; depth++) {
      const name = path[depth];
      const value = member(from, name);
      if (value === undefined) break;
      if (depth === path.length - 1 || !prunable(value)) {
        to[name] = value;
        break;
      }
      const level = Object.prototype.hasOwnProperty.call(to, name) ? to[name] : undefined;
      if (level !== undefined && !made.has(level)) break; // already kept whole
      if (level === undefined) {
        to[name] = Object.create(null);
        made.add(to[name]);
      }
      from = value;
      to = to[name];
    }
  }
  return out;
}

function latin1(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/**
 * The error the core build (`drf-gate/web`, the browser default) throws for what only the edge
 * build has: an `Error` with `code` `"needs_edge_build"`.
 */
export function needsEdgeBuild(what) {
  const error = new Error(`${what} needs the edge build (raw-request authentication): import 'drf-gate/web-edge'`);
  error.code = "needs_edge_build";
  return error;
}

// A resolver's "not known here" (the request is forwarded) and "no such row" (drf-gate/guard).
const UNKNOWN = Symbol.for("drf-gate.unknown");
const NOT_FOUND = Symbol.for("drf-gate.notFound");

// The core keeps no body over 4 MiB (src/authentication/request.rs MAX_BODY_BYTES: a check
// that needs one forwards), and reads header fields only up to the servers' limit of 100
// (MAX_HEADER_COUNT: one more marks the request as beyond it, which the edge forwards). What it
// would not keep is not copied into wasm memory, which never shrinks.
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_COUNT = 100;

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
// view, action, URL and path present, then header names and values; src/edge.rs
// `PendingRequest::from_parts`), with the body apart. NUL is ASCII, so the glue copies an ASCII
// text in its own loop, without TextEncoder; a NUL inside a part makes more parts than counted,
// and the core refuses the text (then JSON). Only the shapes whose JSON the core would read the
// same way take it: own enumerable members as JSON.stringify reads them, well-formed strings (a
// lone surrogate would be replaced on the way in, where JSON escapes it; any other character,
// above U+00FF too, reads as in JSON, and the core refuses it in a header value either way),
// within the limits boundedBody applies. Anything else (other members, other types, a longer
// header) takes the JSON path, which decides or refuses exactly as before.
const PART = "\0";
const PART_VIEW = 1;
const PART_ACTION = 1 << 1;
const PART_HAS_DETAIL = 1 << 2;
const PART_DETAIL = 1 << 3;
const PART_URL = 1 << 4;
const PART_PATH = 1 << 5;
const PART_BODY_PENDING = 1 << 7;
const PART_EMPTY_HEADERS_DROPPED = 1 << 8;
const PART_HEADERS_JOINED = 1 << 9;
// Longest typed text (the JSON path's cap on a context's text; longer ones take the JSON path).
const MAX_PARTS_CHARS = 1024 * 1024;

function plainRecord(value) {
  if (typeof value !== "object" || value === null || typeof value.toJSON === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// [text, count, flags, body, now] for the typed crossing, or null: take the JSON path.
function typedRequest(request, options) {
  if (!plainRecord(request)) return null;
  const parts = [undefined];
  let flags = 0;
  let method, url, path, headers, body;
  for (const key of Object.keys(request)) {
    const value = request[key];
    if (value === undefined) continue;
    switch (key) {
      case "method":
        if (typeof value !== "string") return null;
        method = value;
        break;
      case "url":
        if (typeof value !== "string") return null;
        url = value;
        break;
      case "path":
        if (typeof value !== "string") return null;
        path = value;
        break;
      case "headers":
        if (!plainRecord(value)) return null;
        headers = value;
        break;
      case "body":
        // Well-formed (JSON would escape a lone surrogate) and surely within MAX_BODY_BYTES.
        if (typeof value !== "string" || value.length > MAX_BODY_BYTES / 3 || typeof value.isWellFormed !== "function" || !value.isWellFormed()) return null;
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
      default:
        return null;
    }
  }
  if (method === undefined) return null;
  parts[0] = method;
  let view, action, detail;
  let now;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object") return null;
    for (const key of Object.keys(options)) {
      const value = options[key];
      if (value === undefined || key === "resolvers" || key === "readBody") continue;
      switch (key) {
        case "now":
          if (typeof value !== "number") return null;
          now = value;
          break;
        case "view":
          if (typeof value !== "string") return null;
          view = value;
          break;
        case "action":
          if (typeof value !== "string") return null;
          action = value;
          break;
        case "detail":
          if (typeof value !== "boolean") return null;
          detail = value;
          break;
        default:
          return null;
      }
    }
  }
  // `now ?? Date.now() / 1000`, as the JSON path (a null `now` took the JSON path above).
  now ??= Date.now() / 1000;
  if (!Number.isFinite(now)) return null;
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
  if (headers !== undefined) {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADER_COUNT + 1) return null;
    for (const name of names) {
      const value = headers[name];
      if (value === undefined) continue;
      if (typeof value !== "string" || value.length > MAX_HEADER_BYTES) return null;
      parts.push(name, value);
    }
  }
  const text = parts.join(PART);
  if (text.length > MAX_PARTS_CHARS || !wellFormed(text)) return null;
  return [text, parts.length, flags, body, now];
}

// An answer crosses as its JSON text; what JSON.stringify refuses, or a text past the JSON path's
// limit, crosses as the value, which the core then refuses as it always did. A BigInt (a pk beyond
// 2^53, as userById gets it and a store may keep it) is written as the exact JSON integer.
function answerText(answer) {
  let text;
  try {
    text = JSON.stringify(answer);
  } catch {
    text = exactJson(answer);
  }
  return typeof text === "string" && text.length <= MAX_CONTEXT_CHARS ? text : undefined;
}

// The value as JSON text with each BigInt written as its exact integer; undefined when it holds
// something else JSON cannot (a cycle, a function) or the marker itself (then nothing is guessed).
// The marker starts with a lone surrogate, which JSON.stringify escapes and a record never holds
// (the core refuses lone surrogates).
const BIGINT_MARK = "\ud800bigint:";
function exactJson(value) {
  const ints = [];
  let clash = false;
  let text;
  try {
    text = JSON.stringify(value, (key, v) => {
      if (typeof v === "bigint") return BIGINT_MARK + (ints.push(v) - 1);
      if (key.includes(BIGINT_MARK) || (typeof v === "string" && v.includes(BIGINT_MARK))) clash = true;
      return v;
    });
  } catch {
    return undefined;
  }
  if (clash || typeof text !== "string") return undefined;
  return text.replace(/"\\ud800bigint:(\d+)"/g, (_, i) => String(ints[Number(i)]));
}

// core.check of a context: as the value (JSON.stringify in the core), else, when it holds a
// BigInt (an id beyond 2^53), as its exact JSON text, which the core reads as the context.
function checkJson(core, context) {
  try {
    return core.check(context);
  } catch (error) {
    const text = error instanceof ContextError && error.path === "$" ? exactJson(context) : undefined;
    if (text === undefined || text.length > MAX_CONTEXT_CHARS) throw error;
    return core.check(text);
  }
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

// What a resolver returned, as the core's answer to a lookup.
function asAnswer(kind, value) {
  if (value && typeof value.then === "function") {
    throw new TypeError(`the ${kind} resolver returned a Promise: use checkRequest(), not checkRequestSync()`);
  }
  if (value === UNKNOWN) return { unknown: true };
  if (value === NOT_FOUND) return kind === "custom" ? { none: true } : { notFound: true };
  if (kind === "custom") {
    if (value == null) return { none: true };
    if (value.failure) return { failure: value.failure };
    return roundedPk(value) ? { unknown: true } : { user: value };
  }
  if (kind === "sessionCsrfSecret") return value == null ? { notFound: true } : { secret: String(value) };
  if (kind === "knoxToken") {
    if (value == null) return { notFound: true };
    // { user, expiry }: expiry in seconds since the epoch, a Date, or null (never expires).
    const expiry = value.expiry instanceof Date ? value.expiry.getTime() / 1000 : (value.expiry ?? null);
    return roundedPk(value.user) ? { unknown: true } : { knoxToken: { user: value.user, expiry } };
  }
  if (kind === "apiKey") {
    if (value == null) return { notFound: true };
    // djangorestframework-api-key row: { hashedKey, revoked, expiry } (seconds, a Date, or null).
    const expiry = value.expiry instanceof Date ? value.expiry.getTime() / 1000 : (value.expiry ?? null);
    return { apiKey: { hashedKey: value.hashedKey, revoked: value.revoked === true, expiry } };
  }
  if (value == null) return { notFound: true };
  return roundedPk(value) ? { unknown: true } : { user: value };
}

// A user record as the core reads its JSON (src/user.rs `UserInput`: every member, in its order,
// defaults filled in), when it is plain enough to cross typed (answerUserSync): a plain object
// whose members are an id (a safe integer or a well-formed string), a username, the four flags
// as booleans, permissions as an array of well-formed strings, a null objectPermissions and an
// empty attributes object. Anything else: null (the record crosses as JSON, as always). Each
// member is read once.
function plainUser(record) {
  if (!plainRecord(record)) return null;
  const user = {
    id: null,
    username: null,
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    permissions: [],
    objectPermissions: null,
    tokenUser: false,
    attributes: {},
  };
  let chars = 0;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined) continue;
    switch (key) {
      case "id":
        if (typeof value === "number") {
          if (!Number.isSafeInteger(value)) return null;
          user.id = value === 0 ? 0 : value; // JSON writes -0 as 0
        } else if (typeof value === "string") {
          if (!value.isWellFormed?.()) return null;
          user.id = value;
          chars += value.length;
        } else if (value !== null) return null;
        break;
      case "username":
        if (typeof value === "string") {
          if (!value.isWellFormed?.()) return null;
          user.username = value;
          chars += value.length;
        } else if (value !== null) return null;
        break;
      case "isActive":
      case "isStaff":
      case "isSuperuser":
      case "tokenUser":
        if (typeof value !== "boolean") return null;
        user[key] = value;
        break;
      case "permissions": {
        if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype || typeof value.toJSON === "function") return null;
        const permissions = [];
        for (let i = 0; i < value.length; i++) {
          const permission = value[i];
          if (typeof permission !== "string" || permission.includes(PART) || !permission.isWellFormed?.()) return null;
          chars += permission.length + 1;
          permissions.push(permission);
        }
        user.permissions = permissions;
        break;
      }
      case "objectPermissions":
        if (value !== null) return null;
        break;
      case "attributes":
        if (!plainRecord(value) || Object.keys(value).length !== 0) return null;
        break;
      default:
        return null;
    }
    if (chars > MAX_TYPED_USER_CHARS) return null;
  }
  return user;
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

function tooManyLookups() {
  return new Error("drf-gate: too many user lookups for one request");
}

/**
 * The public API over one build's wasm-bindgen glue.
 *
 * `edge`: the glue has raw-request checking and CSRF minting. `ready`: the glue instantiated
 * its module on load (Node's CommonJS glue); otherwise calls wait for `init()`/`initSync()`.
 * `compiler: false`: the glue loads compiled policies only (the Worker build).
 */
// A compiled policy as bytes, or `undefined` for a JSON policy (an object or JSON text).
function compiledBytes(policy) {
  let bytes;
  if (policy instanceof Uint8Array) bytes = policy;
  else if (policy instanceof ArrayBuffer) bytes = new Uint8Array(policy);
  else if (ArrayBuffer.isView(policy)) bytes = new Uint8Array(policy.buffer, policy.byteOffset, policy.byteLength);
  else return undefined;
  if (bytes.length > MAX_COMPILED_BYTES) {
    throw new PolicyError(
      `the compiled policy is ${bytes.length} bytes long, more than the ${MAX_COMPILED_BYTES} that may be loaded`,
      "invalid_policy",
      "$",
    );
  }
  return bytes;
}

// The browser runtime's bindings copy a string argument into wasm memory before they can refuse
// it, and its allocator keeps what it got: one longer than the JSON build's limit (src/wasm.rs
// string_arg, same message) is refused here.
function boundedArg(value, path) {
  if (typeof value === "string" && value.length > MAX_CONTEXT_CHARS) {
    throw new ContextError(`${value.length} characters long, more than the ${MAX_CONTEXT_CHARS} that may be checked`, "invalid_context", path);
  }
  return value;
}

// What the Worker build (`drf-gate/worker`: the edge build without the compiler) cannot do.
function workerNeedsCompiler() {
  return new PolicyError(
    "this entry (drf-gate/worker) is the edge build without the policy compiler: it loads compiled policies " +
      "(a Uint8Array from `npx drf-gate compile policy.json -o policy.gate` or gate.toCompiled()); import " +
      "'drf-gate' (the full edge build) to compile JSON policies",
    "invalid_policy",
    "$",
  );
}

// What the browser runtime cannot do: compile a JSON policy.
function needsCompiler() {
  return new PolicyError(
    "this entry (drf-gate in browsers, drf-gate/runtime) is the browser runtime: it loads compiled policies " +
      "(a Uint8Array from `npx drf-gate compile policy.json -o policy.gate` or gate.toCompiled()); import " +
      "'drf-gate/inline' or 'drf-gate/web' (the JSON core) to compile JSON policies in the browser",
    "invalid_policy",
    "$",
  );
}

const CONTEXT_KEYS = new Set([
  "view", "action", "method", "detail", "user", "authentication", "object", "accept", "lookupError", "trace",
]);

// `check`'s context as typed arguments of `checkPacked`: names as strings,
// users/objects/outcomes in the binary value encoding (src/compiled/value.rs reads them with the
// JSON path's codes and paths).
function typedArgs(context) {
  if (context === null || typeof context !== "object" || Array.isArray(context)) {
    throw new ContextError("invalid type: expected struct Context", "invalid_context", "$");
  }
  for (const key of Object.keys(context)) {
    if (!CONTEXT_KEYS.has(key) && context[key] !== undefined) {
      throw new ContextError(`unknown field \`${key}\``, "invalid_context", `$.${key}`);
    }
  }
  const string = (key) => {
    const value = context[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw new ContextError("invalid type: expected a string", "invalid_context", `$.${key}`);
    return boundedString(value, `$.${key}`);
  };
  const flag = (key) => {
    const value = context[key];
    if (value === undefined) return false;
    if (typeof value !== "boolean") throw new ContextError("invalid type: expected a boolean", "invalid_context", `$.${key}`);
    return value;
  };
  if (typeof context.view !== "string") throw new ContextError("missing field `view`", "invalid_context", "$.view");
  boundedString(context.view, "$.view");
  const detail = context.detail ?? undefined;
  if (detail !== undefined && typeof detail !== "boolean") {
    throw new ContextError("invalid type: expected a boolean", "invalid_context", "$.detail");
  }
  const encoded = (key) =>
    context[key] === undefined || context[key] === null ? undefined : boundedEncoding(context[key], `$.${key}`);
  const objectState = context.object === undefined ? 0 : context.object === null ? 1 : 2;
  return [
    context.view,
    string("action"),
    string("method"),
    detail,
    encoded("user"),
    encoded("authentication"),
    objectState,
    encoded("object"),
    string("accept"),
    flag("lookupError"),
    flag("trace"),
  ];
}

// A context the typed path reads as JSON.stringify would: a plain object without toJSON.
function plainContext(context) {
  if (typeof context !== "object" || context === null || typeof context.toJSON === "function") return false;
  const proto = Object.getPrototypeOf(context);
  return proto === Object.prototype || proto === null;
}

// Decision::pack's words (src/decision.rs `packed`).
const ALLOWED = 1 << 10;
const RESPOND = 1 << 11;
const VARY_ACCEPT = 1 << 18;
const HAS_CODE = 1 << 19;
const HAS_WWW_AUTHENTICATE = 1 << 20;
const HAS_DECIDED_BY = 1 << 21;
// checkResolved's state bits and its answer for a decision to ask the whole way
// (src/typed_check.rs).
const USER_ENCODED = 1;
const OBJECT_MISSING = 2;
const OBJECT_ENCODED = 4;
const NOT_PACKED = 0xffffffff;

// A user or object the fast path encodes as JSON.stringify would write it: a plain object
// without toJSON (anything else takes the whole way).
function plainValue(value) {
  if (typeof value !== "object" || value === null || typeof value.toJSON === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// --- check's memo ----------------------------------------------------------------------------
//
// A decision depends on the target, the user and the object fields the policy reads
// (checkObjectReads), nothing else. When the user and those fields are plain JSON scalars,
// memoKey writes them into a string that two contexts share only when their encodings agree,
// so a decision made once for one is the decision of the other. Only decisions the core made
// are kept (an error is never memoised), and a context whose other object fields could make
// the core refuse it (anything but a short well-formed scalar) gets no key.
const MAX_CHECK_MEMO = 4096;
// The object fields the policy does not read: at most this many, strings at most this long.
const MEMO_OTHER_FIELDS = 64;
const MEMO_OTHER_CHARS = 256;

// A JSON scalar's part of a key: its type and value, self-delimiting; `undefined` otherwise.
function scalarKey(value) {
  switch (typeof value) {
    case "undefined":
    case "function":
    case "symbol":
      return "u";
    case "boolean":
      return value ? "t" : "f";
    case "number":
      return Number.isFinite(value) ? `n${value};` : "z";
    case "string":
      return JSON.stringify(value);
  }
  return value === null ? "z" : undefined;
}

function memoKey(target, user, object, state, reads) {
  let key = `${target}:${state}:`;
  if (user !== undefined) {
    // The user's fields, each at most once (an object has no repeated key), in a fixed order.
    // The flags as the user will have them (bits: isActive, isStaff, isSuperuser, tokenUser;
    // isActive is true unless given).
    let flags = 1;
    let id = "u";
    let username = "u";
    const keys = Object.keys(user);
    for (let i = 0; i < keys.length; i++) {
      const name = keys[i];
      const value = user[name];
      if (name === "id") {
        if (typeof value === "number" || typeof value === "string" || value === null || value === undefined) {
          id = scalarKey(value);
        } else return undefined;
      } else if (name === "username") {
        if (typeof value === "string" || value === null || value === undefined) username = scalarKey(value);
        else return undefined;
      } else {
        let bit;
        switch (name) {
          case "isActive":
            bit = 1;
            break;
          case "isStaff":
            bit = 2;
            break;
          case "isSuperuser":
            bit = 4;
            break;
          case "tokenUser":
            bit = 8;
            break;
          default:
            return undefined;
        }
        if (value === undefined) continue;
        if (typeof value !== "boolean") return undefined;
        flags = value ? flags | bit : flags & ~bit;
      }
    }
    key += `${flags}${id}${username}`;
  }
  if ((state & OBJECT_ENCODED) === 0) return key;
  key += "|";
  const keys = Object.keys(object);
  if (reads === null) {
    if (keys.length > MEMO_OTHER_FIELDS) return undefined;
    for (let i = 0; i < keys.length; i++) {
      const part = scalarKey(object[keys[i]]);
      if (part === undefined) return undefined;
      key += `${JSON.stringify(keys[i])}${part}`;
    }
    return key;
  }
  for (let i = 0; i < reads.length; i++) {
    const part = scalarKey(member(object, reads[i]));
    if (part === undefined) return undefined;
    key += part;
  }
  // The other fields are not in the key: each must be one the core takes whatever its value.
  if (keys.length > MEMO_OTHER_FIELDS) return undefined;
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i];
    if (reads.includes(name)) continue;
    const value = object[name];
    const type = typeof value;
    if (type === "string") {
      if (value.length > MEMO_OTHER_CHARS || !wellFormed(value)) return undefined;
    } else if (value !== null && type !== "number" && type !== "boolean" && type !== "undefined") {
      return undefined;
    }
    if (name.length > MEMO_OTHER_CHARS || !wellFormed(name)) return undefined;
  }
  return key;
}

// The object's members named in `reads`, as JSON.stringify sees them.
function readFields(object, reads) {
  const out = Object.create(null); // `__proto__` is a member like any other
  for (let i = 0; i < reads.length; i++) {
    const value = member(object, reads[i]);
    if (value !== undefined) out[reads[i]] = value;
  }
  return out;
}

// --- check by steps ----------------------------------------------------------------------------
//
// For one target and one user, a decision depends on the object only through the step of DRF's
// decision that decides it (src/compiled/program.rs `check_program`: the first step that is not
// true). So decisions are kept per exact user (snapshotUser's key) and target, by that step's
// index: an object never seen before, whose step index was seen, is answered in JS. The user's
// facts come from the core once per user; a step that asks, or anything the key does not cover,
// takes the memo and wasm paths below.

// Steps a decision is kept by: a step index past this is asked every time (DRF's decision has a
// handful of steps).
const MAX_KEPT_STEPS = 16;
// Users kept (facts and decisions by step); past this the table starts again.
const MAX_CHECK_USERS = 4096;
// Misses counted per period; a period where more than half of them met a new user (ever new
// users: their facts cost a second call) rests the steps path for STEPS_REST checks.
const STEPS_PERIOD = 4096;
const STEPS_REST = 16384;
// What a user key takes: short well-formed strings, few permissions.
const MAX_KEY_CHARS = 256;
const MAX_KEY_PERMISSIONS = 256;
const MAX_KEY_ATTRIBUTES = 64;

// A key part for a user's string (self-delimiting); `undefined` for one the key does not take.
function stringKey(value) {
  if (value.length > MAX_KEY_CHARS || !wellFormed(value)) return undefined;
  return `s${value.length}:${value}`;
}

function userValueKey(name, value) {
  if (value === null) return "z";
  switch (name) {
    case "id":
      if (typeof value === "string") return stringKey(value);
      return Number.isSafeInteger(value) ? `n${value};` : undefined;
    case "username":
      return typeof value === "string" ? stringKey(value) : undefined;
    case "isActive":
    case "isStaff":
    case "isSuperuser":
    case "tokenUser":
      return typeof value === "boolean" ? (value ? "t" : "f") : undefined;
    case "permissions":
    case "objectPermissions": {
      // A plain array of strings (`objectPermissions` by pk is an object: not keyed).
      if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return undefined;
      if (typeof value.toJSON === "function" || value.length > MAX_KEY_PERMISSIONS) return undefined;
      let key = `a${value.length}:`;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const part = typeof item === "string" ? stringKey(item) : undefined;
        if (part === undefined) return undefined;
        key += part;
      }
      return key;
    }
    case "attributes": {
      // Custom attributes (a snapshot holds a copy, see snapshotUser): a plain object of scalars.
      if (!plainValue(value)) return undefined;
      const names = Object.keys(value);
      if (names.length > MAX_KEY_ATTRIBUTES) return undefined;
      let key = `o${names.length}:`;
      for (let i = 0; i < names.length; i++) {
        const name = stringKey(names[i]);
        const part = name === undefined ? undefined : attributeKey(value[names[i]]);
        if (part === undefined) return undefined;
        key += name + part;
      }
      return key;
    }
  }
  return undefined;
}

// A plain user read once (arrays and `attributes` copied): its member names, their values, and
// its key, exact on everything the core reads of it (two users with one key are one user to the
// core); `undefined` for a user with any other member or value.
function snapshotUser(user) {
  const names = Object.keys(user);
  if (names.length > 16) return undefined;
  const values = [];
  let key = "";
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    let value = user[name];
    if (Array.isArray(value)) value = Array.prototype.slice.call(value);
    else if (name === "attributes" && plainValue(value)) value = copyMembers(value);
    values.push(value);
    if (value === undefined) continue; // skipped, as JSON.stringify skips it
    const part = userValueKey(name, value);
    if (part === undefined) return undefined;
    key += `${name}=${part}`;
  }
  // entry/gen: the kept entry of this key and the table's generation it belongs to (#entryOf).
  return { names, values, key, entry: undefined, gen: -1 };
}

// A member of a user by name: named loads for the members a snapshot keys (each site sees few
// object shapes), a keyed load for any other.
function userMember(user, name) {
  switch (name) {
    case "id":
      return user.id;
    case "username":
      return user.username;
    case "isActive":
      return user.isActive;
    case "isStaff":
      return user.isStaff;
    case "isSuperuser":
      return user.isSuperuser;
    case "tokenUser":
      return user.tokenUser;
    case "permissions":
      return user.permissions;
    case "objectPermissions":
      return user.objectPermissions;
    case "attributes":
      return user.attributes;
  }
  return user[name];
}

// Whether a user still reads as its snapshot (same members, same values, arrays item by item).
function sameUser(user, snapshot) {
  const names = Object.keys(user);
  const known = snapshot.names;
  if (names.length !== known.length) return false;
  const values = snapshot.values;
  for (let i = 0; i < names.length; i++) {
    if (names[i] !== known[i]) return false;
    const value = userMember(user, names[i]);
    const was = values[i];
    if (value === was) continue;
    if (Array.isArray(was)) {
      if (!Array.isArray(value) || value.length !== was.length) return false;
      if (Object.getPrototypeOf(value) !== Array.prototype || typeof value.toJSON === "function") return false;
      for (let j = 0; j < was.length; j++) if (value[j] !== was[j]) return false;
      continue;
    }
    // `attributes` (the one object member a snapshot takes): member by member.
    if (typeof was !== "object" || was === null || !sameMembers(value, was)) return false;
  }
  return true;
}

// Whether `value` is a plain object with the members of `was` (a copyMembers copy), in order.
function sameMembers(value, was) {
  if (!plainValue(value)) return false;
  const names = Object.keys(value);
  const known = Object.keys(was);
  if (names.length !== known.length) return false;
  for (let i = 0; i < names.length; i++) {
    if (names[i] !== known[i] || value[names[i]] !== was[known[i]]) return false;
  }
  return true;
}

// A plain object's members read once into a copy (no prototype: `__proto__` is a member).
function copyMembers(value) {
  const out = Object.create(null);
  const names = Object.keys(value);
  for (let i = 0; i < names.length; i++) out[names[i]] = value[names[i]];
  return out;
}

// A key part for a custom attribute's value: JSON scalars the key can tell apart exactly (no
// -0, no non-finite number: their JSON is another value's); `undefined` for anything else.
function attributeKey(value) {
  switch (typeof value) {
    case "boolean":
      return value ? "t" : "f";
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? `n${value};` : undefined;
    case "string":
      return stringKey(value);
  }
  return value === null ? "z" : undefined;
}

// The snapshot as the user that crosses.
function snapshotValue(snapshot) {
  const out = Object.create(null);
  for (let i = 0; i < snapshot.names.length; i++) out[snapshot.names[i]] = snapshot.values[i];
  return out;
}

// An object whose every member the core takes whatever the policy reads (short well-formed
// strings, numbers, booleans, null; memoKey's rule for unread fields), so that the step index
// stands for all of it.
function harmless(object) {
  const keys = Object.keys(object);
  if (keys.length > MEMO_OTHER_FIELDS) return false;
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i];
    const value = object[name];
    const type = typeof value;
    if (type === "string") {
      if (value.length > MEMO_OTHER_CHARS || !wellFormed(value)) return false;
    } else if (value !== null && type !== "number" && type !== "boolean" && type !== "undefined") {
      return false;
    }
    if (name.length > MEMO_OTHER_CHARS || !wellFormed(name)) return false;
  }
  return true;
}

// harmless(), and the members named in `reads` as it read them (once each) into `values`, in
// `reads`' order (left `undefined` for a name that is not a member): what steps `byValues` take.
function harmlessRead(object, reads, values) {
  const keys = Object.keys(object);
  if (keys.length > MEMO_OTHER_FIELDS) return false;
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i];
    const value = object[name];
    const type = typeof value;
    if (type === "string") {
      if (value.length > MEMO_OTHER_CHARS || !wellFormed(value)) return false;
    } else if (value !== null && type !== "number" && type !== "boolean" && type !== "undefined") {
      return false;
    }
    if (name.length > MEMO_OTHER_CHARS || !wellFormed(name)) return false;
    for (let k = 0; k < reads.length; k++) if (reads[k] === name) values[k] = value;
  }
  return true;
}

// A string as a property key (V8 then compares it with other keys by identity).
function interned(name) {
  return Object.keys({ [name]: 0 })[0];
}

// No lone surrogate (the encoding refuses one, as serde_json refuses its JSON escape). The
// builtin where there is one (a one-byte string is answered without a scan).
const wellFormed =
  typeof String.prototype.isWellFormed === "function"
    ? (text) => text.isWellFormed()
    : (text) => {
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c >= 0xd800 && c <= 0xdfff) return false;
        }
        return true;
      };

// A decision's maker: a function that returns it as a new object on every call (callers may
// change what they get), members in the same order, made once per decision. Object literals of
// one shape each (the headers by their members, as #decision writes them), so a copy is one
// allocation per object, no member-by-member read of a template.
function decisionMaker(d) {
  const { allowed, respond, status, body, code, stage, objectCheck } = d;
  const h = d.headers;
  const names = Object.keys(h).join(",");
  const type = h["Content-Type"];
  const www = h["WWW-Authenticate"];
  const allow = h.Allow;
  const vary = h.Vary;
  let headers;
  switch (names) {
    case "":
      headers = () => ({});
      break;
    case "Content-Type,Allow":
      headers = () => ({ "Content-Type": type, Allow: allow });
      break;
    case "Content-Type,WWW-Authenticate,Allow":
      headers = () => ({ "Content-Type": type, "WWW-Authenticate": www, Allow: allow });
      break;
    case "Content-Type,Allow,Vary":
      headers = () => ({ "Content-Type": type, Allow: allow, Vary: vary });
      break;
    case "Content-Type,WWW-Authenticate,Allow,Vary":
      headers = () => ({ "Content-Type": type, "WWW-Authenticate": www, Allow: allow, Vary: vary });
      break;
    default:
      headers = () => ({ ...h });
  }
  const by = d.decidedBy;
  if (by === null) {
    return () => ({
      allowed,
      respond,
      status,
      body,
      headers: headers(),
      code,
      stage,
      decidedBy: null,
      objectCheck,
      trace: null,
      error: null,
    });
  }
  const { entry, source } = by;
  return () => ({
    allowed,
    respond,
    status,
    body,
    headers: headers(),
    code,
    stage,
    decidedBy: { entry, source },
    objectCheck,
    trace: null,
    error: null,
  });
}

const STAGES = ["negotiation", "authentication", "view", "handler", "lookup", "object", "middleware"];
const OBJECT_CHECKS = ["notRequired", "pending", "passed", "failed", "notReached"];

export function defineApi(wasm, { edge = false, ready = false, runtime = false, compiler = true } = {}) {
  // The browser runtime (no compiler): values cross encoded, not as JS objects.
  const user = runtime ? (value) => boundedEncoding(value ?? null, "$.user") : (value) => value;
  const object = runtime
    ? (value) => (value === undefined || value === null ? undefined : boundedEncoding(value, "$.object"))
    : (value) => value;
  // The Node build crosses a user or an object as the value (JSON.stringify in the core), which
  // refuses a BigInt (an id beyond 2^53, as JSON.parse-with-BigInt gives a database's pk). Such a
  // value crosses again encoded (pkg/src/value.js: exact, as the browser runtime sends every
  // value), so `can` answers what `check` (its exact JSON text) answers. Anything else JSON cannot
  // hold (a cycle) is refused as before.
  const holdsBigInt = (error, ...values) =>
    !runtime && error?.code === "invalid_context" && /not representable as JSON$/.test(error.message) &&
    values.every((value) => value === undefined || value === null || exactJson(value) !== undefined);
  let initialised = ready;
  let initFailure;

  function ensureReady(what) {
    if (initialised) return;
    const why = initFailure === undefined ? "" : ` (loading it failed: ${initFailure && initFailure.message})`;
    throw new NotInitializedError(
      `drf-gate: ${what} was called before the WebAssembly module was ready${why}; call \`await init()\` first`,
      initFailure,
    );
  }

  /** Loads the .wasm (fetched next to the glue by default); resolves to its exports. */
  async function init(input) {
    if (typeof wasm.default !== "function") return wasm.__wasm;
    try {
      const exports = await wasm.default(input);
      initialised = true;
      return exports;
    } catch (error) {
      initFailure = error;
      throw error;
    }
  }

  /** Instantiates the .wasm synchronously from its bytes or a compiled `WebAssembly.Module`. */
  function initSync(input) {
    if (typeof wasm.initSync !== "function") return wasm.__wasm;
    const exports = wasm.initSync(input);
    initialised = true;
    return exports;
  }

  const MAKE = Symbol("drf-gate subject");
  let handleOf;
  let factsOf;

  /** A user compiled against one `Gate` (`gate.subject(user)`): pass it wherever a user goes. */
  class Subject {
    #handle;
    // The gate's core that made it, and its facts for `can` programs (made on first use).
    #core;
    #facts = undefined;

    constructor(token, handle, core) {
      if (token !== MAKE) throw new TypeError("drf-gate: make a Subject with gate.subject(user)");
      this.#handle = handle;
      this.#core = core;
    }

    /** Frees the compiled user now (the garbage collector frees it otherwise). */
    free() {
      const handle = this.#handle;
      this.#handle = null;
      if (handle) handle.free();
    }

    static {
      // Only a Subject this module made has the private field: nothing a caller writes,
      // inherits or parses from JSON can pose as one.
      handleOf = (value) => {
        if (value === null || typeof value !== "object" || !(#handle in value)) return undefined;
        if (value.#handle === null) throw new ContextError("this Subject was freed", "invalid_context", "$.user");
        return value.#handle;
      };
      // The subject's facts for programs of `core`; `undefined` when it is not a Subject or
      // another gate made it (the wasm path then answers, or throws as it always did).
      factsOf = (value, core) => {
        if (typeof value !== "object" || value === null || !(#handle in value)) return undefined;
        const handle = value.#handle;
        if (handle === null) throw new ContextError("this Subject was freed", "invalid_context", "$.user");
        if (value.#core !== core) return undefined;
        return (value.#facts ??= makeFacts(core.subjectFacts(handle)));
      };
    }
  }

  // Diagnostics for the conformance replay (not public API): counts of `can` answers by path,
  // and a transform of each program's code as it is fetched (the replay shows it catches a
  // corrupted program).
  const DIAGNOSTICS = Symbol.for("drf-gate.canDiagnostics");

  /** A compiled, immutable DRF policy; every question about it is a method of the gate. */
  class Gate {
    #core;
    // view -> actionOrMethod -> [target without object, target with object]
    #targets = new Map();
    #targetCount = 0;
    // The last view asked and its actions (a UI asks about one view many times in a row).
    #lastView = undefined;
    #lastActions = undefined;
    // Texts the core's packed decisions refer to, by id (bounded by the policy).
    #texts = [];
    // check's fast path: view -> action -> [target without object, target with object, the
    // object fields read with one] (checkTarget ids), and decisions by id (checkResolved), each
    // rendered once and copied for every answer.
    #checkTargets = new Map();
    #lastCheckView = undefined;
    #lastCheckActions = undefined;
    #checkTargetCount = 0;
    #decisions = [];
    // Decision ids by memoKey (bounded; see memoKey), with its hits and misses since the last
    // count, and how many checks it rests for.
    #checkMemo = new Map();
    #memoHits = 0;
    #memoMisses = 0;
    #memoRest = 0;
    // check by steps: users by snapshotUser's key -> { facts, ids: decision ids by
    // (target * 8 + state), then by step index }; the anonymous user's; the period's counts and
    // the rest.
    #checkUsers = new Map();
    // Bumped whenever #checkUsers is cleared: a snapshot's entry is good for its generation.
    #usersGen = 0;
    // can(plain user object): calls and new user entries in this period, and the rest (see
    // #plainFacts).
    #plainCalls = 0;
    #plainNewUsers = 0;
    #plainRest = 0;
    // Snapshots (see snapshotUser) by user object.
    #checkSeen = new WeakMap();
    // Snapshots kept and found again in this period, and the rest (see #snapshotOf).
    #seenSets = 0;
    #seenHits = 0;
    #seenRest = 0;
    #checkAnonymous = undefined;
    #stepsChecks = 0;
    #stepsNewUsers = 0;
    #stepsRest = 0;
    // The anonymous user's compiled handle, made on the first `can(null, ...)`, and its facts.
    #anonymous = undefined;
    #anonymousFacts = undefined;
    // See DIAGNOSTICS: `{ program, wasm }` counts, and a program transform.
    #stats = null;
    #transform = null;
    // checkRequestSync's packed steps: their words, texts and class names by id, fetched once
    // per gate.
    #stepWords = [];
    #stepTexts = [];
    #stepNames = [];

    constructor(policy) {
      ensureReady("new Gate()");
      const bytes = compiledBytes(policy);
      if (runtime) {
        if (bytes === undefined) throw needsCompiler();
        this.#core = new wasm.GateCore(bytes);
      } else if (bytes === undefined) {
        if (!compiler) throw workerNeedsCompiler();
        this.#core = new wasm.GateCore(policy);
      } else {
        this.#core = wasm.GateCore.fromCompiled(bytes);
      }
    }

    // The one way into wasm: the compiled policy, or a ContextError once freed.
    #live() {
      if (!this.#core) throw new ContextError("this Gate was freed", "invalid_context", "$");
      return this.#core;
    }

    /**
     * What DRF would answer to one request context (a `Decision`).
     *
     * Status first: the core decides and answers with a few integers (status, flags, ids of
     * texts such as bodies and `Allow` that it borrows from the policy, each fetched once per
     * gate); a decision with a text made for this request, a trace or an error is rendered whole.
     * The JSON core falls back to its JSON path for anything the typed path refuses, so errors
     * are reported exactly as before.
     */
    check(context) {
      const core = this.#live();
      if (runtime) {
        // A decision that cannot be packed is rendered in the same call: its JSON text is next.
        const words = core.checkPacked(...typedArgs(context));
        return words.length === 7 ? this.#decision(core, words) : JSON.parse(core.unpacked());
      }
      const fast = this.#checkResolved(core, context);
      if (fast !== undefined) return fast;
      if (!plainContext(context)) return JSON.parse(checkJson(core, context));
      let words;
      try {
        words = core.checkPacked(...typedArgs(context));
      } catch {
        words = undefined;
      }
      return words !== undefined && words.length === 7 ? this.#decision(core, words) : JSON.parse(checkJson(core, context));
    }

    // The common context, `{view, action, user, object}` (plain objects, nothing else given),
    // in the builds with the compiler (the browser runtime leaves these bindings out for size):
    // view and action resolved once per gate, the user and object encoded in one buffer, the
    // decision back as one id. `undefined`: anything else, or any error; `check` then asks the
    // whole way, which answers (or throws) exactly as before.
    #checkResolved(core, context) {
      if (!plainValue(context)) return undefined;
      let view, action, user, object;
      const keys = Object.keys(context);
      // Each member read once, by a named load where it is one of the four (a keyed load by a
      // varying name costs more).
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        switch (key) {
          case "view":
            view = context.view;
            break;
          case "action":
            action = context.action;
            break;
          case "user":
            user = context.user;
            break;
          case "object":
            object = context.object;
            break;
          case "lookupError":
          case "trace": {
            const value = context[key];
            if (value !== undefined && value !== false) return undefined;
            break;
          }
          default:
            if (context[key] !== undefined) return undefined;
        }
      }
      if (typeof view !== "string" || typeof action !== "string") return undefined;
      let state = 0;
      if (user === null) user = undefined;
      else if (user !== undefined) {
        if (!plainValue(user)) return undefined;
        state = USER_ENCODED;
      }
      if (object === null) {
        object = undefined;
        state |= OBJECT_MISSING;
      } else if (object !== undefined) {
        if (!plainValue(object)) return undefined;
        state |= OBJECT_ENCODED;
      }
      const withObject = (state & OBJECT_ENCODED) === 0 ? 0 : 1;
      // The last view's actions (one Map lookup instead of two when the view repeats).
      let actions = this.#lastCheckActions;
      if (view !== this.#lastCheckView) {
        actions = this.#checkTargets.get(view);
        if (actions !== undefined) {
          this.#lastCheckView = view;
          this.#lastCheckActions = actions;
        }
      }
      let pair = actions?.get(action);
      if (pair === undefined || pair[withObject] === undefined) {
        pair = this.#checkTarget(core, view, action, withObject);
        if (pair === undefined) return undefined;
      }
      const target = pair[withObject];
      if (this.#stepsRest > 0) this.#stepsRest--;
      else {
        const answer = this.#checkSteps(core, pair, withObject, target, state, user, object);
        if (answer !== undefined) return answer;
      }
      let key;
      if (this.#memoRest > 0) this.#memoRest--;
      else key = memoKey(target, user, object, state, pair[2]);
      let id = key === undefined ? undefined : this.#checkMemo.get(key);
      if (id !== undefined) {
        this.#memoHits++;
        return this.#decisions[id]();
      }
      // Few hits (callers with ever new users or objects): rest the memo for a while, so a
      // miss costs no key, no copy (the decision is the same either way).
      if (key !== undefined && ++this.#memoMisses >= MAX_CHECK_MEMO) {
        if (this.#memoHits * 8 < this.#memoMisses) this.#memoRest = 4 * MAX_CHECK_MEMO;
        this.#memoHits = 0;
        this.#memoMisses = 0;
      }
      let stored = key;
      try {
        let sentUser = user;
        let sentObject = object;
        if (key !== undefined) {
          // What crosses is a copy read once (a getter answering twice cannot put one answer
          // under another's key), keyed again; the object's fields the policy does not read
          // were found harmless by memoKey and stay behind.
          if (user !== undefined) sentUser = readFields(user, Object.keys(user));
          if ((state & OBJECT_ENCODED) !== 0) sentObject = readFields(object, pair[2] ?? Object.keys(object));
          stored = memoKey(target, sentUser, sentObject, state, pair[2]);
        }
        const bytes = state === 0 ? EMPTY : encodePair(sentUser, sentObject);
        if (bytes.length > MAX_ENCODED_BYTES) return undefined;
        id = core.checkResolved(target, state, state === 0 ? 0 : encodedUserLength(), bytes);
      } catch {
        return undefined;
      }
      if (id === NOT_PACKED) return undefined;
      const make = this.#makerOf(core, id);
      if (make === undefined) return undefined;
      if (stored !== undefined) {
        if (this.#checkMemo.size >= MAX_CHECK_MEMO) this.#checkMemo.clear();
        this.#checkMemo.set(stored, id);
      }
      return make();
    }

    // The maker (decisionMaker) of a packed decision by id, rendered once per gate; `undefined`
    // when the core has no such decision.
    #makerOf(core, id) {
      let make = this.#decisions[id];
      if (make === undefined) {
        const words = core.decision(id);
        if (words === undefined || words.length !== 7) return undefined;
        make = decisionMaker(this.#decision(core, words));
        this.#decisions[id] = make;
      }
      return make;
    }

    // `{view, action, user, object}` by the step that decides (see snapshotUser): from the user's
    // kept decisions when that step was seen for this target, else asked once and kept.
    // `undefined`: not this way (the memo and the whole way answer, or throw, as before).
    #checkSteps(core, pair, withObject, target, state, user, object) {
      let snapshot;
      let entry;
      if (user === undefined) entry = this.#checkAnonymous;
      else {
        snapshot = this.#snapshotOf(user);
        if (snapshot === undefined) return undefined;
        entry = this.#entryOf(snapshot);
      }
      const steps = pair[3 + withObject] ?? this.#stepsOf(core, pair, withObject, target);
      // What the steps read: the object, or its read members' values (makeSteps `byValues`).
      let read = object;
      if (object !== undefined) {
        if (steps.byValues) {
          read = new Array(pair[2].length);
          if (!harmlessRead(object, pair[2], read)) return undefined;
        } else if (!harmless(object)) return undefined;
      }
      // Decisions by (target, state, step) in one flat array (one load on a hit).
      const slot = (target * 8 + state) * MAX_KEPT_STEPS;
      if (entry !== undefined) {
        const outcome = steps.run(entry.facts, read);
        if (outcome < 0) return undefined;
        const make = outcome < MAX_KEPT_STEPS ? entry.ids[slot + outcome] : undefined;
        if (make !== undefined) {
          if (this.#stats !== null) this.#stats.check = (this.#stats.check ?? 0) + 1;
          return make();
        }
      }
      try {
        return this.#stepsMiss(core, steps, pair[2], target, slot, state, snapshot, object, entry);
      } catch {
        return undefined;
      }
    }

    // A step not seen yet for this user and target: the user and object read once, the step
    // found on that copy, the copy decided by wasm, the decision kept under the step.
    #stepsMiss(core, steps, reads, target, slot, state, snapshot, object, entry) {
      if (++this.#stepsChecks >= STEPS_PERIOD) {
        if (this.#stepsNewUsers * 2 > this.#stepsChecks) this.#stepsRest = STEPS_REST;
        this.#stepsChecks = 0;
        this.#stepsNewUsers = 0;
      }
      const sentUser = snapshot === undefined ? undefined : snapshotValue(snapshot);
      const sentObject = object === undefined ? undefined : readFields(object, Object.keys(object));
      let read = sentObject;
      if (sentObject !== undefined) {
        if (steps.byValues) {
          read = new Array(reads.length);
          if (!harmlessRead(sentObject, reads, read)) return undefined;
        } else if (!harmless(sentObject)) return undefined;
      }
      if (entry === undefined) {
        if (sentUser === undefined) {
          this.#anonymousFacts ??= this.#factsOfAnonymous(core);
          entry = this.#checkAnonymous = { facts: this.#anonymousFacts, ids: [] };
        } else {
          this.#stepsNewUsers++;
          try {
            entry = this.#newEntry(core, snapshot, sentUser);
          } catch {
            // Not this way: the memo and the whole way answer, or throw, as before.
            return undefined;
          }
        }
      }
      const outcome = steps.run(entry.facts, read);
      if (outcome < 0) return undefined;
      const bytes = state === 0 ? EMPTY : encodePair(sentUser, sentObject);
      if (bytes.length > MAX_ENCODED_BYTES) return undefined;
      const id = core.checkResolved(target, state, state === 0 ? 0 : encodedUserLength(), bytes);
      if (id === NOT_PACKED) return undefined;
      const make = this.#makerOf(core, id);
      if (make === undefined) return undefined;
      if (outcome < MAX_KEPT_STEPS) entry.ids[slot + outcome] = make;
      return make();
    }

    // A user object's snapshot (snapshotUser): the one kept for this object while it still reads
    // the same (sameUser), else a new one; `undefined` for a user the key does not take.
    // A WeakMap insert of an object that dies young costs the garbage collector more than a new
    // snapshot: a period where few snapshots kept were met again (callers with a new user object
    // per call) rests the inserts for a while.
    #snapshotOf(user) {
      let snapshot = this.#checkSeen.get(user);
      if (snapshot !== undefined) {
        this.#seenHits++;
        if (sameUser(user, snapshot)) return snapshot;
      }
      snapshot = snapshotUser(user);
      if (snapshot === undefined) return undefined;
      if (this.#seenRest > 0) this.#seenRest--;
      else {
        this.#checkSeen.set(user, snapshot);
        if (++this.#seenSets >= STEPS_PERIOD) {
          if (this.#seenHits * 8 < this.#seenSets) this.#seenRest = STEPS_REST;
          this.#seenSets = 0;
          this.#seenHits = 0;
        }
      }
      return snapshot;
    }

    // The kept entry (facts, decisions by step) of a snapshot's user key: looked up by the key
    // once per generation of the users' table, then held by the snapshot.
    #entryOf(snapshot) {
      if (snapshot.gen === this.#usersGen) return snapshot.entry;
      const entry = this.#checkUsers.get(snapshot.key);
      if (entry !== undefined) {
        snapshot.entry = entry;
        snapshot.gen = this.#usersGen;
      }
      return entry;
    }

    // A new entry for a snapshot's user key: its facts from the core, computed on the snapshot's
    // value (`sent`, what crosses, encoded as checkResolved sends it), as for a Subject of that
    // user, in one crossing (no Subject made; no serde in the JSON builds, which a first
    // decision would compile; the browser runtime makes one, three crossings). Throws what the
    // core throws.
    #newEntry(core, snapshot, sent) {
      const encoded = boundedEncoding(sent, "$.user");
      let words;
      if (runtime) {
        // The browser runtime has no userFacts binding (size): a Subject made for this call.
        const made = core.subject(encoded);
        try {
          words = core.subjectFacts(made);
        } finally {
          made.free();
        }
      } else words = core.userFacts(encoded);
      const facts = makeFacts(words);
      if (this.#checkUsers.size >= MAX_CHECK_USERS) this.#clearUsers();
      const entry = { facts, ids: [] };
      this.#checkUsers.set(snapshot.key, entry);
      snapshot.entry = entry;
      snapshot.gen = this.#usersGen;
      return entry;
    }

    // Every user entry goes (snapshots holding one find out by the generation).
    #clearUsers() {
      this.#checkUsers.clear();
      this.#usersGen++;
    }

    // A check target's steps (`makeSteps`), fetched from the core once.
    #stepsOf(core, pair, withObject, target) {
      let code = core.checkProgram(target);
      const texts = core.checkProgramTexts(target);
      if (this.#transform !== null) code = this.#transform(code, texts);
      pair[3 + withObject] = makeSteps([code, texts], withObject === 1 ? pair[2] : []);
      return pair[3 + withObject];
    }

    // checkTarget's id for (view, action, with an object), kept per gate (bounded).
    #checkTarget(core, view, action, withObject) {
      if (view.length > MAX_CONTEXT_CHARS || action.length > MAX_CONTEXT_CHARS) return undefined;
      if (this.#checkTargetCount >= MAX_TARGETS) {
        core.clearCheckTargets();
        this.#checkTargets = new Map();
        this.#lastCheckView = undefined;
        this.#lastCheckActions = undefined;
        this.#checkTargetCount = 0;
        this.#checkMemo.clear();
        // Target ids start again: so do the decisions kept by step.
        this.#clearUsers();
        this.#checkAnonymous = undefined;
      }
      let target;
      let reads;
      try {
        target = core.checkTarget(view, action, withObject === 1);
        if (withObject === 1) {
          const names = core.checkObjectReads(target);
          reads = typeof names === "string" ? (names === "" ? [] : names.split(",").map(interned)) : null;
        }
      } catch {
        return undefined;
      }
      this.#checkTargetCount++;
      let byAction = this.#checkTargets.get(view);
      if (byAction === undefined) {
        byAction = new Map();
        this.#checkTargets.set(view, byAction);
      }
      let pair = byAction.get(action);
      if (pair === undefined) {
        // [target without object, with one, the object fields read, their steps (#stepsOf)]
        pair = [undefined, undefined, null, undefined, undefined];
        byAction.set(action, pair);
      }
      pair[withObject] = target;
      pair[3 + withObject] = undefined;
      if (withObject === 1) pair[2] = reads;
      return pair;
    }

    // A packed decision as the JSON path renders it (same members, same order).
    #decision(core, words) {
      const flags = words[0];
      const allowed = (flags & ALLOWED) !== 0;
      const headers = {};
      if (!allowed) {
        headers["Content-Type"] = "application/json";
        if (flags & HAS_WWW_AUTHENTICATE) headers["WWW-Authenticate"] = this.#text(core, words[3]);
        headers.Allow = this.#text(core, words[4]);
        if (flags & VARY_ACCEPT) headers.Vary = "Accept";
      }
      return {
        allowed,
        respond: (flags & RESPOND) !== 0,
        status: flags & 0x3ff,
        body: this.#text(core, words[1]),
        headers,
        code: flags & HAS_CODE ? this.#text(core, words[2]) : null,
        stage: STAGES[(flags >>> 12) & 7],
        decidedBy: flags & HAS_DECIDED_BY ? { entry: words[5], source: this.#text(core, words[6]) } : null,
        objectCheck: OBJECT_CHECKS[(flags >>> 15) & 7],
        trace: null,
        error: null,
      };
    }

    // A text of the policy by id, fetched from the core once.
    #text(core, id) {
      let text = this.#texts[id];
      if (text === undefined) {
        text = core.text(id);
        if (typeof text !== "string") throw new ContextError("internal: unknown text id", "invalid_context", "$");
        this.#texts[id] = text;
      }
      return text;
    }

    /**
     * Whether `user` (a user object, a `Subject` or `null`) may run an action or method on a view.
     *
     * For a `Subject` (and `null`, the anonymous user) the target's program answers first (the
     * core's lowering of the policy, run by program.js on the subject's facts and the object's
     * fields); what it cannot decide exactly is memoised per (subject, target), keyed by the
     * object fields the policy reads (see `fieldsKey`); the memo lives as long as the gate and
     * the subject, and is bounded. A plain user object takes the program path on facts kept per
     * user key (see #plainFacts); one the key does not take is compiled for this call only.
     */
    can(who, view, actionOrMethod, objectValue) {
      const core = this.#live();
      const withObject = objectValue !== undefined && objectValue !== null;
      const target = this.#target(core, view, actionOrMethod, withObject);
      // First the target's program (src/compiled/program.rs) on the subject's facts; it answers
      // exactly or asks wasm. A non-plain object crosses whole, as before: wasm answers.
      let facts;
      if (who === null || who === undefined) facts = this.#anonymousFacts ??= this.#factsOfAnonymous(core);
      else facts = factsOf(who, core) ?? this.#plainFacts(core, who);
      if (facts !== undefined && (!withObject || prunable(objectValue))) {
        const answer = run(target.program ?? this.#program(core, target, withObject), facts, objectValue ?? undefined);
        if (answer !== ASK) {
          if (this.#stats !== null) this.#stats.program++;
          return answer === 1;
        }
      }
      if (this.#stats !== null) this.#stats.wasm++;
      let handle;
      let memos;
      if (who === null || who === undefined) {
        handle = this.#anonymous ??= core.subject(user(null));
        memos = target.anonymous ??= { answer: undefined, memo: undefined, misses: 0 };
      } else {
        handle = handleOf(who);
        if (handle === undefined) return this.#canUser(core, target, who, objectValue);
        memos = target.subjects.get(who);
        if (memos === undefined) {
          // Ask first: a Subject of another gate throws, and nothing is kept for it.
          const answer = this.#ask(core, handle, target, objectValue, withObject);
          target.subjects.set(who, { answer: undefined, memo: undefined, misses: 0 });
          memos = target.subjects.get(who);
          return this.#remember(core, target, memos, objectValue, withObject, answer);
        }
      }
      if (!withObject) return memos.answer ??= core.canSubject(handle, target.id, undefined);
      const reads = target.reads === undefined ? this.#reads(core, target) : target.reads;
      if (reads === null || !prunable(objectValue)) return this.#canSubjectWhole(core, handle, target.id, objectValue);
      if (reads.length === 0) {
        return memos.answer ??= this.#canEncoded(core, handle, target.id, objectValue, reads);
      }
      let key = fieldsKey(objectValue, reads);
      let bytes;
      if (key === undefined) {
        bytes = this.#prunedBytes(objectValue, reads);
        if (bytes === undefined || bytes.length > MAX_KEY_BYTES) {
          return this.#canEncoded(core, handle, target.id, objectValue, reads, bytes);
        }
        key = latin1(bytes);
      }
      let memo = memos.memo;
      if (memo === undefined) memo = memos.memo = new Map();
      let answer = memo.get(key);
      if (answer === undefined) {
        answer = this.#canEncoded(core, handle, target.id, objectValue, reads, bytes);
        if (memo.size < MAX_MEMO) memo.set(key, answer);
        else if (++memos.misses >= 8 * MAX_MEMO) {
          // Full and missing: start again now and then (not on every miss: no churn).
          memo.clear();
          memos.misses = 0;
        }
      }
      return answer;
    }

    // A plain user object's facts for `can` programs, kept per user key (the table `check` by
    // steps keeps: the key is exact on everything the core reads of a user, and the snapshot is
    // compared member by member on every call, so a changed member is seen). `undefined`: a user
    // the key does not take or the core refuses (the wasm path answers, or throws, as before).
    // A period where most calls met a new user rests this for a while (a new user's facts cost
    // more crossings than one `canUser`).
    #plainFacts(core, who) {
      if (this.#plainRest > 0) {
        this.#plainRest--;
        return undefined;
      }
      if (!plainValue(who)) return undefined;
      const snapshot = this.#snapshotOf(who);
      if (snapshot === undefined) return undefined;
      if (++this.#plainCalls >= STEPS_PERIOD) {
        if (this.#plainNewUsers * 2 > this.#plainCalls) this.#plainRest = STEPS_REST;
        this.#plainCalls = 0;
        this.#plainNewUsers = 0;
      }
      let entry = this.#entryOf(snapshot);
      if (entry === undefined) {
        this.#plainNewUsers++;
        try {
          entry = this.#newEntry(core, snapshot, snapshotValue(snapshot));
        } catch {
          return undefined;
        }
      }
      return entry.facts;
    }

    // A target's program, fetched from the core once.
    #program(core, target, withObject) {
      let code = core.program(target.id, withObject);
      const texts = core.programTexts(target.id, withObject);
      if (this.#transform !== null) code = this.#transform(code, texts);
      target.program = makeProgram([code, texts]);
      return target.program;
    }

    #factsOfAnonymous(core) {
      this.#anonymous ??= core.subject(user(null));
      return makeFacts(core.subjectFacts(this.#anonymous));
    }

    [DIAGNOSTICS]({ stats = null, transform = null } = {}) {
      this.#stats = stats;
      this.#transform = transform;
    }

    // The first answer for a (subject, target): asked without the memo, then remembered.
    #ask(core, handle, target, objectValue, withObject) {
      if (!withObject) return core.canSubject(handle, target.id, undefined);
      const reads = target.reads === undefined ? this.#reads(core, target) : target.reads;
      if (reads === null || !prunable(objectValue)) return this.#canSubjectWhole(core, handle, target.id, objectValue);
      return this.#canEncoded(core, handle, target.id, objectValue, reads);
    }

    #remember(core, target, memos, objectValue, withObject, answer) {
      if (!withObject) {
        memos.answer = answer;
        return answer;
      }
      const reads = target.reads;
      if (reads === null || !prunable(objectValue)) return answer;
      if (reads.length === 0) {
        memos.answer = answer;
        return answer;
      }
      let key = fieldsKey(objectValue, reads);
      if (key === undefined) {
        const bytes = this.#prunedBytes(objectValue, reads);
        if (bytes === undefined || bytes.length > MAX_KEY_BYTES) return answer;
        key = latin1(bytes);
      }
      memos.memo = new Map([[key, answer]]);
      return answer;
    }

    // The read fields of the object, encoded; `undefined` when they cannot be (the full path
    // then reports the error exactly as for the whole object).
    #prunedBytes(objectValue, reads) {
      try {
        return boundedEncoding(pruned(objectValue, reads), "$.object");
      } catch {
        return undefined;
      }
    }

    // One question to the core with only the read fields of the object.
    #canEncoded(core, handle, id, objectValue, reads, bytes = this.#prunedBytes(objectValue, reads)) {
      if (bytes === undefined) return core.canSubject(handle, id, object(objectValue));
      return runtime ? core.canSubject(handle, id, bytes) : core.canSubjectEncoded(handle, id, bytes);
    }

    // A plain user object: compiled for this call; the object pruned to what the policy reads.
    #canUser(core, target, who, objectValue) {
      try {
        return this.#canUserAsIs(core, target, who, objectValue);
      } catch (error) {
        if (!holdsBigInt(error, who, objectValue)) throw error;
        const encoded = boundedEncoding(who, "$.user");
        if (objectValue === undefined || objectValue === null) return core.canUser(encoded, target.id, undefined);
        return core.canUserEncoded(encoded, target.id, boundedEncoding(objectValue, "$.object"));
      }
    }

    // canSubject of the whole object (as its value; encoded when it holds a BigInt).
    #canSubjectWhole(core, handle, id, objectValue) {
      try {
        return core.canSubject(handle, id, object(objectValue));
      } catch (error) {
        if (!holdsBigInt(error, objectValue)) throw error;
        return core.canSubjectEncoded(handle, id, boundedEncoding(objectValue, "$.object"));
      }
    }

    #canUserAsIs(core, target, who, objectValue) {
      if (objectValue !== undefined && objectValue !== null) {
        const reads = target.reads === undefined ? this.#reads(core, target) : target.reads;
        if (reads !== null && prunable(objectValue)) {
          const bytes = this.#prunedBytes(objectValue, reads);
          if (bytes !== undefined) {
            return runtime ? core.canUser(user(who), target.id, bytes) : core.canUserEncoded(who, target.id, bytes);
          }
        }
        return core.canUser(user(who), target.id, object(objectValue));
      }
      return core.canUser(user(who), target.id, undefined);
    }

    // The object paths the policy may read for a target, asked once (`null`: the whole object).
    #reads(core, target) {
      const paths = core.objectReads(target.id);
      target.reads = paths == null ? null : paths.map((path) => path.split("."));
      return target.reads;
    }

    // A (view, action) resolved once: repeated checks cross into wasm with an integer. Each
    // target carries the memos of `can` (per subject, dropped with the subject or the target).
    #target(core, view, actionOrMethod, withObject) {
      if (typeof view !== "string" || typeof actionOrMethod !== "string") {
        core.target(view, actionOrMethod, withObject); // throws the ContextError
      }
      let actions = this.#lastActions;
      if (view !== this.#lastView || actions === undefined) {
        actions = this.#targets.get(view);
        if (actions === undefined) {
          actions = new Map();
          this.#targets.set(view, actions);
        }
        this.#lastView = view;
        this.#lastActions = actions;
      }
      let pair = actions.get(actionOrMethod);
      if (pair === undefined) {
        pair = [undefined, undefined];
        actions.set(actionOrMethod, pair);
      }
      const slot = withObject ? 1 : 0;
      let target = pair[slot];
      if (target === undefined) {
        if (this.#targetCount >= MAX_TARGETS) {
          core.clearTargets();
          this.#targets.clear();
          this.#targetCount = 0;
          this.#targets.set(view, actions);
          this.#lastView = view;
          this.#lastActions = actions;
          actions.clear();
          actions.set(actionOrMethod, pair);
          pair[1 - slot] = undefined;
        }
        if (runtime) {
          boundedArg(view, "view");
          boundedArg(actionOrMethod, "actionOrMethod");
        }
        const id = core.target(view, actionOrMethod, withObject);
        target = { id, reads: undefined, anonymous: undefined, subjects: new WeakMap(), program: undefined };
        pair[slot] = target;
        this.#targetCount++;
      }
      return target;
    }

    /** Every action of `view` mapped to whether `user` may run it. */
    permissionsFor(who, view, objectValue) {
      const core = this.#live();
      if (runtime) boundedArg(view, "view");
      const handle = handleOf(who);
      let answer;
      if (handle !== undefined) answer = core.permissionsForSubject(handle, view, object(objectValue));
      else if (runtime) {
        // The browser runtime's one binding, with a Subject made for this call: the arguments
        // are encoded, then the user compiled, in the order of the other builds' one call.
        const encodedUser = user(who);
        const encodedObject = object(objectValue);
        const made = core.subject(encodedUser);
        try {
          answer = core.permissionsForSubject(made, view, encodedObject);
        } finally {
          made.free();
        }
      } else {
        try {
          answer = core.permissionsForUser(user(who), view, object(objectValue));
        } catch (error) {
          if (!holdsBigInt(error, who) || error.path !== "$.user") throw error;
          answer = core.permissionsForUser(boundedEncoding(who, "$.user"), view, object(objectValue));
        }
      }
      return runtime ? JSON.parse(answer) : answer;
    }

    /** Compiles a user once against this gate, for many checks. */
    subject(who) {
      const core = this.#live();
      if (handleOf(who) !== undefined) {
        throw new ContextError("expected a user object, not a Subject", "invalid_context", "$.user");
      }
      let made;
      try {
        made = core.subject(user(who));
      } catch (error) {
        if (!holdsBigInt(error, who)) throw error;
        made = core.subject(boundedEncoding(who, "$.user"));
      }
      return new Subject(MAKE, made, core);
    }

    /** The view names, in policy order. */
    get views() {
      return this.#live().views();
    }

    /** The actions of a view, in policy order; `undefined` for an unknown view. */
    actions(view) {
      const core = this.#live();
      return core.actions(runtime ? boundedArg(view, "view") : view);
    }

    /** The route a URL path reaches (`null`: none); with `method`, the action it runs there. */
    route(urlPath, method) {
      const core = this.#live();
      return runtime ? JSON.parse(core.route(boundedArg(urlPath, "urlPath"), boundedArg(method ?? undefined, "method"))) : core.route(urlPath, method);
    }

    /** The compiled form of this policy (a `Uint8Array`) for the browser runtime (`drf-gate/runtime`). */
    toCompiled() {
      const core = this.#live();
      if (runtime) throw needsCompiler();
      if (!compiler) throw workerNeedsCompiler();
      return core.toCompiled();
    }

    // The one-pass raw-request protocol for a request that does not cross typed: the request as
    // JSON, parsed and validated once, and its first step taken; a request that needs a lookup or
    // its body comes back with a wasm-side handle (the parsed request, the answers so far,
    // authentication's progress) whose steps resume where the last stopped, as JSON text. The
    // caller frees the handle (`finally`), whatever happens. Returns [first step, handle or null].
    #start(what, request, options) {
      if (!edge) throw needsEdgeBuild(what);
      const core = this.#live();
      const { resolvers: _resolvers, readBody: _read, now, ...target } = options || {};
      const first = core.startRequest({ ...target, request: boundedBody(request), now: now ?? Date.now() / 1000 });
      return typeof first === "string" ? [parseExactJson(first), null] : [parseExactJson(first[0]), first[1]];
    }

    /**
     * Decides a raw request (a Fetch `Request` or plain data) as the DRF server would, awaiting
     * the resolvers' user lookups. `null`: not DRF's to answer here (no route matches, or the
     * runtime lost header bytes DRF would read).
     */
    async checkRequest(request, options = {}) {
      if (!edge) throw needsEdgeBuild("gate.checkRequest()");
      let raw = isFetchRequest(request) ? await toRawRequest(request) : request;
      if (raw === null) return null;
      // Typed, with the steps packed as for checkRequestSync; a request that needs an answer or
      // its body keeps a handle of its own (awaited requests interleave: no shared stack).
      const typed = typedRequest(raw, options);
      const core = this.#live();
      const first = typed === null ? undefined : core.requestPacked(...typed);
      if (first === undefined) return this.#checkRequestJson(request, raw, options);
      if (!Array.isArray(first)) {
        const step = this.#syncStep(core, first, undefined);
        return step.noRoute ? null : step;
      }
      const pending = first[1];
      try {
        // The handle renders the steps from here on (the gate may be freed while a lookup is
        // awaited; the handle keeps its policy).
        let step = this.#syncStep(pending, first[0], undefined);
        // The last lookup answered, and the plainUser sent typed for it (see #syncStep).
        let answered;
        let sent = null;
        for (let i = 0; i <= MAX_LOOKUPS; i++) {
          // The CSRF check reads the body: read it now (at most maxBytes), and go on.
          if (step.body && pending.bodyPending()) {
            raw = await giveBody(pending, step.body.maxBytes, request, raw, options);
            step = this.#syncStep(pending, pending.stepPacked(), answered, sent);
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
          step = this.#syncStep(pending, next, answered, sent);
        }
        throw tooManyLookups();
      } finally {
        pending.free();
      }
    }

    // checkRequest for a request that does not cross typed: as JSON, every step as JSON text.
    async #checkRequestJson(request, raw, options) {
      let [step, pending] = this.#start("gate.checkRequest()", raw, options);
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
    checkRequestSync(request, options = {}) {
      if (!edge) throw needsEdgeBuild("gate.checkRequestSync()");
      if (isFetchRequest(request)) {
        throw new TypeError("checkRequestSync() takes a plain request object; use checkRequest() for a Fetch Request");
      }
      // Typed, on the stack of synchronous requests (no handle): one crossing per step.
      const typed = typedRequest(request, options);
      const core = this.#live();
      const first = typed === null ? undefined : core.requestSync(...typed);
      if (first !== undefined) {
        let step = this.#syncStep(core, first, undefined);
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
            step = this.#syncStep(core, next, lookup, sent);
            if (!step.lookup) return step.noRoute ? null : step;
          }
          throw tooManyLookups();
        } finally {
          if (stacked) wasm.dropRequestSync();
        }
      }
      let [step, pending] = this.#start("gate.checkRequestSync()", request, options);
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
    #syncStep(core, value, answered, sent = null) {
      if (typeof value === "string") return parseExactJson(value);
      if (value < 0) {
        const code = -value - 1;
        const field = code % 65536;
        return { lookup: { kind: "userById", field: this.#stepName(core, field), id: String((code - field) / 65536) } };
      }
      let words = this.#stepWords[value];
      if (words === undefined) {
        words = core.stepWords(value);
        if (words === undefined) throw new ContextError("internal: unknown step id", "invalid_context", "$");
        this.#stepWords[value] = words;
      }
      const texts = this.#stepTexts;
      const text = (id) => {
        let known = texts[id];
        if (known === undefined) {
          known = core.stepText(id);
          if (typeof known !== "string") throw new ContextError("internal: unknown text id", "invalid_context", "$");
          texts[id] = known;
        }
        return known;
      };
      const flags = words[0];
      const allowed = (flags & ALLOWED) !== 0;
      const headers = {};
      if (!allowed) {
        headers["Content-Type"] = "application/json";
        if (flags & HAS_WWW_AUTHENTICATE) headers["WWW-Authenticate"] = text(words[3]);
        headers.Allow = text(words[4]);
        if (flags & VARY_ACCEPT) headers.Vary = "Accept";
      }
      const decision = {
        allowed,
        respond: (flags & RESPOND) !== 0,
        status: flags & 0x3ff,
        body: text(words[1]),
        headers,
        code: flags & HAS_CODE ? text(words[2]) : null,
        stage: STAGES[(flags >>> 12) & 7],
        decidedBy: flags & HAS_DECIDED_BY ? { entry: words[5], source: text(words[6]) } : null,
        objectCheck: OBJECT_CHECKS[(flags >>> 15) & 7],
        trace: null,
        error: null,
      };
      let authentication = null;
      if (words[7] === STEP_AUTHENTICATION_NONE) authentication = { none: true };
      else if (words[7] === STEP_AUTHENTICATION_SUCCEEDED) authentication = { succeeded: this.#stepName(core, words[8]) };
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
    #stepName(core, id) {
      let name = this.#stepNames[id];
      if (name === undefined) {
        name = core.stepName(id);
        if (typeof name !== "string") throw new ContextError("internal: unknown name id", "invalid_context", "$");
        this.#stepNames[id] = name;
      }
      return name;
    }

    /** Frees the compiled policy now (the garbage collector frees it otherwise). */
    free() {
      const core = this.#core;
      this.#core = null;
      this.#targets.clear();
      this.#targetCount = 0;
      this.#lastView = undefined;
      this.#lastActions = undefined;
      this.#texts = [];
      const anonymous = this.#anonymous;
      this.#anonymous = undefined;
      this.#anonymousFacts = undefined;
      if (anonymous) anonymous.free();
      if (core) core.free();
    }
  }

  if (typeof Symbol.dispose === "symbol") {
    Gate.prototype[Symbol.dispose] = Gate.prototype.free;
    Subject.prototype[Symbol.dispose] = Subject.prototype.free;
  }

  /** A masked CSRF token as Django makes them (edge build only). */
  // The answer to the innermost synchronous request's lookup; its next step as JSON text.
  function answerSync(answer) {
    const text = answerText(answer);
    return wasm.answerRequestSync(text, text === undefined ? answer : undefined);
  }

  function mintCsrfToken(secret) {
    if (!edge) throw needsEdgeBuild("mintCsrfToken()");
    ensureReady("mintCsrfToken()");
    return wasm.mintCsrfToken(secret);
  }

  return { Gate, Subject, mintCsrfToken, init, initSync };
}
