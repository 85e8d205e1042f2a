// drf-gate's public JS API: `Gate`, `Subject`, `mintCsrfToken`, `init`/`initSync`.
//
// Plain JS over the wasm-bindgen exports of src/wasm.rs (`GateCore`, `SubjectCore`,
// `mintCsrfToken`), which are internal. Every call into wasm goes through a gate's `#core`
// (or a subject's `#handle`): one place to change how a check crosses the boundary.
//
// `defineApi(wasm, options)` binds the API to one build's glue (edge or core; ESM or CommonJS);
// each entry point (pkg/src/entries/) calls it once. What only some builds use lives in modules
// of its own that their entries hand to `defineApi`, so that the browser runtime ships none of
// it: `check` in the builds with the compiler (check-resolved.js), raw requests in the edge
// builds (check-request.js).

import { ContextError, NotInitializedError, PolicyError } from "./errors.js";
import { CircularError, DepthError, LoneSurrogateError, boxed, encodeValue, exactJson, jsonLength, keysPath } from "./value.js";
import { ASK, anonymousFacts, makeFacts, makeProgram, member, plainUserFacts, prunable, run } from "./program.js";
import { plainRecord, plainShape } from "./user.js";

// One size rule on every path (pkg/README.md "Limits"): a user or an object (`can`,
// `permissionsFor`, `subject`) and a `check` context are at most MAX_CONTEXT_CHARS characters of
// JSON, as JSON.stringify writes them (the JSON path's limit, src/wasm.rs MAX_CONTEXT_TEXT), also
// where they cross encoded (measured from the encoding: value.js jsonLength). Strings cross as
// they are, at most MAX_CONTEXT_CHARS characters.
export const MAX_CONTEXT_CHARS = 1024 * 1024;
// A compiled policy's longest form: the JSON path's limit (src/wasm.rs MAX_TEXT). Longer bytes are
// refused before they are copied into wasm memory, which never shrinks.
const MAX_COMPILED_BYTES = 8 * 1024 * 1024;

/**
 * Whether values encoded in `size` bytes, with strings of `size` characters at most, may stand
 * for more than MAX_CONTEXT_CHARS characters of JSON (no byte or character writes more than 6,
 * a control character's `\u0001`; a context's member names and punctuation fewer than 1024):
 * only then is the JSON measured.
 *
 * ```js
 * mayBeTooLong(100); // false
 * ```
 */
export function mayBeTooLong(size) {
  return size * 6 + 1024 > MAX_CONTEXT_CHARS;
}

// A value in the binary encoding; what the JSON path refuses is a ContextError at its path.
// `inContext`: a member of a `check` context, whose JSON path counts the nesting from the context.
function encodedAt(value, path, inContext = false) {
  try {
    return encodeValue(value, inContext);
  } catch (error) {
    // The JSON path refuses the same string with a ContextError at the same path.
    if (error instanceof LoneSurrogateError || error instanceof DepthError) {
      throw new ContextError(error.message, "invalid_context", path + keysPath(error.keys));
    }
    // The JSON builds' message for a value JSON.stringify refuses (src/wasm.rs TextError::NotJson).
    if (error instanceof CircularError) throw new ContextError("not representable as JSON", "invalid_context", path);
    throw error;
  }
}

// A user or an object, encoded, under the size rule (src/wasm.rs from_js's message and path).
function boundedEncoding(value, path) {
  const bytes = encodedAt(value, path);
  const length = mayBeTooLong(bytes.length) ? jsonLength(bytes) : 0;
  if (length > MAX_CONTEXT_CHARS) {
    throw new ContextError(`${length} characters long, more than the ${MAX_CONTEXT_CHARS} that may be checked`, "invalid_context", path);
  }
  return bytes;
}

/**
 * A `check` context whose members crossed typed (`size`: their encoded bytes and string
 * lengths), under the size rule: measured as JSON when it may be too long, refused as the JSON
 * path refuses it (src/wasm.rs `check`).
 *
 * ```js
 * boundedContext({ view: "posts" }, 5); // under the limit: nothing is measured
 * ```
 */
export function boundedContext(context, size) {
  if (!mayBeTooLong(size)) return;
  const text = exactJson(context);
  if (text !== undefined && text.length > MAX_CONTEXT_CHARS) throw contextTooLong(text.length);
}

/**
 * The JSON path's refusal of a context of `length` characters of JSON (src/wasm.rs `check`).
 *
 * ```js
 * throw contextTooLong(2_000_000);
 * ```
 */
export function contextTooLong(length) {
  return new ContextError(
    `the context is ${length} characters long as JSON, more than the ${MAX_CONTEXT_CHARS} that may be checked`,
    "invalid_context",
    "$",
  );
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

// Resolved (view, action) ids kept per gate; past this the table starts again (bounded memory).
export const MAX_TARGETS = 512;
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

/**
 * What the UI-gating build (`drf-gate/can`: the browser runtime without `check`) does not have:
 * an `Error` with `code` `"needs_check_build"`.
 *
 * ```js
 * throw needsCheckBuild("gate.check()");
 * ```
 */
export function needsCheckBuild(what) {
  const error = new Error(`${what} is not in the UI-gating build (drf-gate/can: can, permissionsFor, subject, actions, route): import 'drf-gate/runtime' for check`);
  error.code = "needs_check_build";
  return error;
}

/**
 * The public API over one build's wasm-bindgen glue.
 *
 * `check`: check-resolved.js (its `state` and `check`), for the builds with the policy
 * compiler; without it `check` crosses typed only (the browser runtime's bindings).
 * `checkRequest`: check-request.js's `defineCheckRequest`, for the edge builds' glue (raw-request
 * checking and CSRF minting); without it those methods throw `needs_edge_build`. `ready`: the
 * glue instantiated its module on load (Node's CommonJS glue); otherwise calls wait for
 * `init()`/`initSync()`. `compiler: false`: the glue loads compiled policies only and has no
 * JSON `check` (the Worker build: what check-resolved.js's fast path leaves crosses typed only).
 * `canOnly`: the UI-gating build's glue (`drf-gate/can`: the runtime without `check`), whose
 * `check` throws `needs_check_build`.
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
function needsCompiler(entry = "drf-gate in browsers, drf-gate/runtime") {
  return new PolicyError(
    `this entry (${entry}) is the browser runtime: it loads compiled policies ` +
      "(a Uint8Array from `npx drf-gate compile policy.json -o policy.gate` or gate.toCompiled()); import " +
      "'drf-gate/inline' or 'drf-gate/web' (the JSON core) to compile JSON policies in the browser",
    "invalid_policy",
    "$",
  );
}

const CONTEXT_KEYS = new Set([
  "view", "action", "method", "detail", "user", "authentication", "object", "accept", "lookupError", "trace",
]);

// What a value is, in the JSON path's words (serde's `Unexpected`) where they are simple to match:
// a list is no context (src/json_object.rs).
function unexpected(value) {
  if (Array.isArray(value)) return "sequence, ";
  if (value === null) return "null, ";
  if (typeof value === "boolean") return `boolean \`${value}\`, `;
  return "";
}

// `check`'s context as typed arguments of `checkPacked`: names as strings,
// users/objects/outcomes in the binary value encoding (src/compiled/value.rs reads them with the
// JSON path's codes and paths). `apiKeys`: the context's `apiKeys` crosses too (encoded, last);
// without it the member is refused (the browser runtime states no key; the JSON core reads it
// on its JSON path).
export function typedArgs(context, apiKeys = false) {
  if (context === null || typeof context !== "object" || Array.isArray(context)) {
    throw new ContextError(`invalid type: ${unexpected(context)}expected struct Context`, "invalid_context", "$");
  }
  for (const key of Object.keys(context)) {
    if (!CONTEXT_KEYS.has(key) && context[key] !== undefined && !(apiKeys && key === "apiKeys")) {
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
  // The size rule is the whole context's, as on the JSON path: its members' sizes add up.
  let size = context.view.length;
  const encoded = (key) => {
    if (context[key] === undefined || context[key] === null) return undefined;
    const bytes = encodedAt(context[key], `$.${key}`, true);
    size += bytes.length;
    return bytes;
  };
  const sized = (text) => {
    size += text === undefined ? 0 : text.length;
    return text;
  };
  const objectState = context.object === undefined ? 0 : context.object === null ? 1 : 2;
  const args = [
    context.view,
    sized(string("action")),
    sized(string("method")),
    detail,
    encoded("user"),
    encoded("authentication"),
    objectState,
    encoded("object"),
    sized(string("accept")),
    flag("lookupError"),
    flag("trace"),
    apiKeys ? encoded("apiKeys") : undefined,
  ];
  boundedContext(context, size);
  return args;
}


// Decision::pack's words (src/decision.rs `packed`).
const ALLOWED = 1 << 10;
const RESPOND = 1 << 11;
const VARY_ACCEPT = 1 << 18;
const HAS_CODE = 1 << 19;
const HAS_WWW_AUTHENTICATE = 1 << 20;
const HAS_DECIDED_BY = 1 << 21;
// Decision::pack_whole's words (src/decision.rs `packed`): a text made for one decision, and
// "absent" (no error, no trace, DRF's own headers).
const TRANSIENT = 0x80000000;
const NONE = 0xffffffff;

// --- check by steps ----------------------------------------------------------------------------
//
// For one target and one user, a decision depends on the object only through the step of DRF's
// decision that decides it (src/compiled/program.rs `check_program`: the first step that is not
// true). So decisions are kept per exact user (snapshotUser's key) and target, by that step's
// index: an object never seen before, whose step index was seen, is answered in JS. The user's
// facts come from the core once per user; a step that asks, or anything the key does not cover,
// takes the memo and wasm paths below.

// Users kept (facts and decisions by step); past this the table starts again.
const MAX_CHECK_USERS = 4096;
// Misses counted per period; a period where more than half of them met a new user (ever new
// users: their facts cost a second call) rests the steps path for STEPS_REST checks.
export const STEPS_PERIOD = 4096;
export const STEPS_REST = 16384;
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
      if (!plainRecord(value)) return undefined;
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
  // A box is no record (its JSON is its primitive): tested here, once per kept user (plainShape).
  if (boxed(user)) return undefined;
  const names = Object.keys(user);
  if (names.length > 16) return undefined;
  const values = [];
  let key = "";
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    let value = user[name];
    if (Array.isArray(value)) {
      // Copied plain: a copy would drop a toJSON or a prototype that changes the array's JSON.
      if (Object.getPrototypeOf(value) !== Array.prototype || typeof value.toJSON === "function") return undefined;
      value = Array.prototype.slice.call(value);
    }
    else if (name === "attributes" && plainRecord(value)) value = copyMembers(value);
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
  if (!plainRecord(value)) return false;
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

/**
 * snapshotUser's key of a user: equal for two users the core reads as one (their Subjects decide
 * alike), `undefined` for a user the key does not cover (any other member or value). The
 * framework helpers keep a Subject while the user's key stays (an equal user in a new object).
 *
 * ```js
 * userKey({ id: 3, isStaff: true }) === userKey({ id: 3, isStaff: true }); // true
 * userKey(new Map()); // undefined
 * ```
 */
export function userKey(user) {
  return plainShape(user) ? snapshotUser(user)?.key : undefined;
}

// The snapshot as the user that crosses.
export function snapshotValue(snapshot) {
  const out = Object.create(null);
  for (let i = 0; i < snapshot.names.length; i++) out[snapshot.names[i]] = snapshot.values[i];
  return out;
}


// No lone surrogate (the encoding refuses one, as serde_json refuses its JSON escape). The
// builtin where there is one (a one-byte string is answered without a scan).
export const wellFormed =
  typeof String.prototype.isWellFormed === "function"
    ? (text) => text.isWellFormed()
    : (text) => {
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c >= 0xd800 && c <= 0xdfff) return false;
        }
        return true;
      };


const STAGES = ["negotiation", "authentication", "view", "handler", "lookup", "object", "middleware"];
const OBJECT_CHECKS = ["notRequired", "pending", "passed", "failed", "notReached", "filtered"];
const CHECK_NAMES = ["has_permission", "has_object_permission"];
const STEP_RESULTS = ["true", "false", "raisedNotFound", "raisedMethodNotAllowed", "error"];

/**
 * A packed decision (src/decision.rs `packed`: `check`'s and a raw-request step's words) as the
 * JSON path renders it: same members, same order; `text(id)` gives the policy's texts.
 *
 * ```js
 * const decision = packedDecision(words, (id) => core.text(id));
 * ```
 */
export function packedDecision(words, text) {
  const flags = words[0];
  const allowed = (flags & ALLOWED) !== 0;
  const headers = {};
  if (!allowed) {
    headers["Content-Type"] = "application/json";
    if (flags & HAS_WWW_AUTHENTICATE) headers["WWW-Authenticate"] = text(words[3]);
    // DRF's order: finalize_response patches Vary before it sets Allow.
    if (flags & VARY_ACCEPT) headers.Vary = "Accept";
    headers.Allow = text(words[4]);
  }
  return {
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
}

// A decision packed whole (src/decision.rs `pack_whole`: the seven words, then the error, the
// trace and the middleware's headers) as the JSON path renders it.
function wholeDecision(words, text) {
  const decision = packedDecision(words, text);
  let at = 7;
  const error = words[at++];
  if (error !== NONE) decision.error = text(error);
  const steps = words[at++];
  if (steps !== NONE) {
    const trace = [];
    for (let i = 0; i < steps; i++, at += 3) {
      const step = words[at];
      trace.push({
        stage: STAGES[step & 7],
        entry: words[at + 1],
        depth: step >>> 8,
        label: text(words[at + 2]),
        check: CHECK_NAMES[(step >>> 3) & 1],
        result: STEP_RESULTS[(step >>> 4) & 7],
      });
    }
    decision.trace = trace;
  }
  const headers = words[at++];
  if (headers !== NONE) {
    // The origin's middleware ran: its headers are the response's, DRF's own are in them.
    decision.headers = {};
    for (let i = 0; i < headers; i++, at += 2) decision.headers[text(words[at])] = text(words[at + 1]);
  }
  return decision;
}

// A text made for the last decision `checkPacked` answered whole (not kept: ids are reused).
function transientText(core, id) {
  const text = core.text(id);
  if (typeof text !== "string") throw new ContextError("internal: unknown text id", "invalid_context", "$");
  return text;
}

export function defineApi(wasm, { check: checks, checkRequest: defineCheckRequest, ready = false, runtime = false, compiler = true, canOnly = false } = {}) {
  // Raw requests (check-request.js): the edge builds only.
  const requests = defineCheckRequest === undefined ? undefined : defineCheckRequest(wasm);
  // A user or an object crosses encoded (value.js: read once, as JSON.stringify reads it, a
  // BigInt exact, the caller's own exceptions as they are), in every build.
  const user = (value) => boundedEncoding(value ?? null, "$.user");
  const object = (value) => (value === undefined || value === null ? undefined : boundedEncoding(value, "$.object"));
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

  // Methods of an object literal: their names are the keys, which bundlers keep (the Node
  // runtime bundle folds in a glue with a top-level `initSync` of its own; a function statement
  // here would be renamed, and `initSync.name` would read "initSync2").
  const { init, initSync } = {
    /** Loads the .wasm (fetched next to the glue by default); resolves to its exports. */
    async init(input) {
      if (typeof wasm.default !== "function") return wasm.__wasm;
      try {
        const exports = await wasm.default(input);
        initialised = true;
        return exports;
      } catch (error) {
        initFailure = error;
        throw error;
      }
    },

    /** Instantiates the .wasm synchronously from its bytes or a compiled `WebAssembly.Module`. */
    initSync(input) {
      if (typeof wasm.initSync !== "function") return wasm.__wasm;
      const exports = wasm.initSync(input);
      initialised = true;
      return exports;
    },
  };

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

  // Diagnostics for the conformance replay (not public API): counts of `can` answers by path
  // and of users' facts by who made them (plainUserFacts or the core), and a transform of each program's code as it is fetched (the replay shows it catches a
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
    // check's kept state in the builds with the compiler (check-resolved.js), made on the first.
    #checks = undefined;
    // The users' table of `can` (plain users) and of `check` by steps: users by snapshotUser's
    // key -> { facts, ids: decision ids by (target * 8 + state), then by step index }.
    #checkUsers = new Map();
    // Bumped whenever #checkUsers is cleared: a snapshot's entry is good for its generation.
    #usersGen = 0;
    // The policy's permissionCount(), asked once (plainUserFacts).
    #permissionCount = undefined;
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
    // The anonymous user's compiled handle, made on the first `can(null, ...)`, and its facts.
    #anonymous = undefined;
    #anonymousFacts = undefined;
    // See DIAGNOSTICS: `{ program, wasm }` counts, and a program transform.
    #stats = null;
    #transform = null;
    // Raw requests' state for this gate (check-request.js), made on the first.
    #requests = undefined;

    constructor(policy) {
      ensureReady("new Gate()");
      const bytes = compiledBytes(policy);
      if (runtime) {
        if (bytes === undefined) throw needsCompiler(canOnly ? "drf-gate/can" : undefined);
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
      if (canOnly) throw needsCheckBuild("gate.check()");
      const core = this.#live();
      if (checks === undefined) return this.#checkTyped(core, context);
      return checks.check((this.#checks ??= this.#checkState()), core, context);
    }

    // `check` typed only, in the builds without the compiler (the browser runtime, the Worker
    // build: no JSON path; the Worker's carries `apiKeys`). A decision that cannot be packed in
    // seven words comes whole in the same call; its texts made for it are read once each.
    #checkTyped(core, context, apiKeys = false) {
      const words = core.checkPacked(...typedArgs(context, apiKeys));
      if (words.length === 7) return this.#decision(core, words);
      return wholeDecision(words, (id) => (id >= TRANSIENT ? transientText(core, id) : this.#text(core, id)));
    }

    // What check-resolved.js keeps per gate, with the helpers it shares with `can`.
    #checkState() {
      return checks.state({
        decision: (core, words) => this.#decision(core, words),
        snapshotOf: (user) => this.#snapshotOf(user),
        entryOf: (snapshot) => this.#entryOf(snapshot),
        newEntry: (core, snapshot, sent) => this.#newEntry(core, snapshot, sent),
        clearUsers: () => this.#clearUsers(),
        anonymousFacts: (core) => (this.#anonymousFacts ??= this.#factsOfAnonymous(core)),
        // The Worker build has no JSON path: what the fast path leaves is typed only.
        typedOnly: compiler ? undefined : (core, context) => this.#checkTyped(core, context, true),
        stats: () => this.#stats,
        transform: () => this.#transform,
      });
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

    // A new entry for a snapshot's user key: its facts computed on the snapshot's value (`sent`,
    // what crosses, encoded as checkResolved sends it), as for a Subject of that user: in JS for
    // the common shape (plainUserFacts: no wasm decoder compiled for a first `can`), else from the
    // core in one crossing (no Subject made; no serde in the JSON builds; the browser runtime,
    // which has no userFacts binding for size, makes one: three crossings). Throws what the core
    // throws.
    #newEntry(core, snapshot, sent) {
      let facts = plainUserFacts(sent, (this.#permissionCount ??= core.permissionCount()));
      if (this.#stats !== null) {
        const by = facts === undefined ? "coreFacts" : "jsFacts";
        this.#stats[by] = (this.#stats[by] ?? 0) + 1;
      }
      facts ??= makeFacts(this.#coreUserFacts(core, boundedEncoding(sent, "$.user")));
      if (this.#checkUsers.size >= MAX_CHECK_USERS) this.#clearUsers();
      const entry = { facts, ids: [] };
      this.#checkUsers.set(snapshot.key, entry);
      snapshot.entry = entry;
      snapshot.gen = this.#usersGen;
      return entry;
    }

    // The core's facts of an encoded user: `userFacts`, or in the browser runtime (no such
    // binding, for size) a Subject made for this call.
    #coreUserFacts(core, encoded) {
      if (!runtime) return core.userFacts(encoded);
      const made = core.subject(encoded);
      try {
        return core.subjectFacts(made);
      } finally {
        made.free();
      }
    }

    // Every user entry goes (snapshots holding one find out by the generation).
    #clearUsers() {
      this.#checkUsers.clear();
      this.#usersGen++;
    }

    // A packed decision as the JSON path renders it (same members, same order).
    #decision(core, words) {
      return packedDecision(words, (id) => this.#text(core, id));
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
      if (reads === null || !prunable(objectValue)) return core.canSubject(handle, target.id, object(objectValue));
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
      if (!plainShape(who)) return undefined; // #snapshotOf tests the box
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

    // Made in JS (program.js): no wasm decoder compiled for a first `can(null, ...)`.
    #factsOfAnonymous(core) {
      return anonymousFacts((this.#permissionCount ??= core.permissionCount()));
    }

    [DIAGNOSTICS]({ stats = null, transform = null } = {}) {
      this.#stats = stats;
      this.#transform = transform;
    }

    // The first answer for a (subject, target): asked without the memo, then remembered.
    #ask(core, handle, target, objectValue, withObject) {
      if (!withObject) return core.canSubject(handle, target.id, undefined);
      const reads = target.reads === undefined ? this.#reads(core, target) : target.reads;
      if (reads === null || !prunable(objectValue)) return core.canSubject(handle, target.id, object(objectValue));
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
      } catch (error) {
        // The caller's own exception is theirs; a refusal is reported for the whole object.
        if (error instanceof ContextError) return undefined;
        throw error;
      }
    }

    // One question to the core with only the read fields of the object.
    #canEncoded(core, handle, id, objectValue, reads, bytes = this.#prunedBytes(objectValue, reads)) {
      if (bytes === undefined) return core.canSubject(handle, id, object(objectValue));
      return runtime ? core.canSubject(handle, id, bytes) : core.canSubjectEncoded(handle, id, bytes);
    }

    // A plain user object: compiled for this call; the object pruned to what the policy reads.
    #canUser(core, target, who, objectValue) {
      if (objectValue !== undefined && objectValue !== null) {
        const reads = target.reads === undefined ? this.#reads(core, target) : target.reads;
        if (reads !== null && prunable(objectValue)) {
          const bytes = this.#prunedBytes(objectValue, reads);
          if (bytes !== undefined) {
            return runtime ? core.canUser(user(who), target.id, bytes) : core.canUserEncoded(user(who), target.id, bytes);
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
        answer = core.permissionsForUser(user(who), view, object(objectValue));
      }
      return runtime ? JSON.parse(answer) : answer;
    }

    /** Compiles a user once against this gate, for many checks. */
    subject(who) {
      const core = this.#live();
      if (handleOf(who) !== undefined) {
        throw new ContextError("expected a user object, not a Subject", "invalid_context", "$.user");
      }
      return new Subject(MAKE, core.subject(user(who)), core);
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
      if (runtime) throw needsCompiler(canOnly ? "drf-gate/can" : undefined);
      if (!compiler) throw workerNeedsCompiler();
      return core.toCompiled();
    }

    /**
     * Decides a raw request (a Fetch `Request` or plain data) as the DRF server would, awaiting
     * the resolvers' user lookups. `null`: not DRF's to answer here (no route matches, or the
     * runtime lost header bytes DRF would read).
     */
    checkRequest(request, options = {}) {
      if (requests === undefined) return Promise.reject(needsEdgeBuild("gate.checkRequest()"));
      return requests.checkRequest((this.#requests ??= requests.state(() => this.#live())), request, options);
    }

    /** `checkRequest` for plain request data and synchronous resolvers. */
    checkRequestSync(request, options = {}) {
      if (requests === undefined) throw needsEdgeBuild("gate.checkRequestSync()");
      return requests.checkRequestSync((this.#requests ??= requests.state(() => this.#live())), request, options);
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
  function mintCsrfToken(secret) {
    if (requests === undefined) throw needsEdgeBuild("mintCsrfToken()");
    ensureReady("mintCsrfToken()");
    return wasm.mintCsrfToken(secret);
  }

  return { Gate, Subject, mintCsrfToken, init, initSync };
}
