// The binary value encoding the runtime reads (src/compiled/value.rs): users, objects and
// authentication outcomes cross into wasm without JSON text. It follows JSON.stringify exactly
// (toJSON, boxed primitives, undefined/functions/symbols skipped in objects and null in arrays,
// non-finite numbers as null, cycles throw), so a value means what its JSON means; a BigInt is
// its exact integer, as gate.js writes it into JSON text (JSON.stringify refuses it).
//
//   0 null  1 false  2 true  3 uint (LEB128)  4 negative int: LEB128 of -(n + 1)
//   5 float64 LE  6 string (LEB128 length, UTF-8)  7 array (count, items)  8 object (count, key/value)

const encoder = new TextEncoder();

/**
 * A string with a lone surrogate (the JSON path refuses its escape); `keys` is where, outermost
 * first, for the caller's ContextError.
 */
export class LoneSurrogateError extends TypeError {
  constructor() {
    super("a string with a lone surrogate is not representable");
    this.keys = [];
  }
}

/**
 * A value JSON.stringify refuses with a TypeError (one holding itself, a box that converts to no
 * primitive), for the caller's ContextError.
 */
export class CircularError extends TypeError {
  constructor(message = "Converting circular structure to JSON") {
    super(message);
  }
}

/**
 * A value nested as deep as serde_json refuses (its 128th array or object, counted from the
 * user or object itself, or in a `check` context from the context): `keys` is where, outermost
 * first, the path the JSON path names.
 */
export class DepthError extends TypeError {
  constructor() {
    super("recursion limit exceeded");
    this.keys = [];
  }
}

/** `keys` of a LoneSurrogateError as a path suffix, as the JSON path names it (`.a[0]`). */
export function keysPath(keys) {
  return keys.map((key) => (typeof key === "number" ? `[${key}]` : `.${key}`)).join("");
}
const MAX_DEPTH = 128;
// The first entry of the stack of a `check` context's member: the context's own level, from which
// the JSON path counts the nesting (a value, never one of the caller's).
const CONTEXT = Object.freeze({});

class Writer {
  constructor() {
    this.bytes = new Uint8Array(64);
    this.length = 0;
  }
  reserve(n) {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
  byte(b) {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }
  varint(n) {
    // n: a non-negative integer below 2^64, as a Number (exact) or a BigInt.
    if (typeof n === "number" && n < 0x80000000) {
      this.reserve(5);
      while (n >= 0x80) {
        this.bytes[this.length++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      this.bytes[this.length++] = n;
      return;
    }
    let big = BigInt(n);
    this.reserve(10);
    while (big >= 0x80n) {
      this.bytes[this.length++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.bytes[this.length++] = Number(big);
  }
  string(text) {
    // ASCII (names, ids, most keys): written as is, no TextEncoder allocation.
    const mark = this.length;
    const n = text.length;
    if (n < 0x80) {
      this.reserve(n + 1);
      const bytes = this.bytes;
      let at = mark + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        bytes[at++] = c;
      }
      if (i === n) {
        bytes[mark] = n;
        this.length = at;
        return;
      }
      this.length = mark;
    }
    if (typeof text.isWellFormed === "function" && !text.isWellFormed()) {
      // JSON text would carry a lone surrogate escape that serde_json refuses.
      throw new LoneSurrogateError();
    }
    const bytes = encoder.encode(text);
    this.varint(bytes.length);
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }
  float(value) {
    this.reserve(8);
    new DataView(this.bytes.buffer, this.length, 8).setFloat64(0, value, true);
    this.length += 8;
  }
}

function number(out, value) {
  if (!Number.isFinite(value)) return out.byte(0);
  // JSON.stringify writes integers below 1e21 as digits, which serde_json reads as an integer
  // when it fits 64 bits; anything else is a float.
  if (Number.isInteger(value) && Math.abs(value) < 1e21) {
    if (value >= 0 && value < 18446744073709551616) {
      out.byte(3);
      return out.varint(value === 0 ? 0 : value);
    }
    if (value < 0 && value >= -9223372036854775808) {
      out.byte(4);
      return out.varint(BigInt(-value) - 1n);
    }
  }
  out.byte(5);
  out.float(value);
}

function bigint(out, value) {
  if (value >= 0n && value < 18446744073709551616n) {
    out.byte(3);
    return out.varint(value);
  }
  if (value < 0n && value >= -9223372036854775808n) {
    out.byte(4);
    return out.varint(-value - 1n);
  }
  out.byte(5);
  out.float(Number(value));
}

const objectToString = Object.prototype.toString;
const numberValueOf = Number.prototype.valueOf;
const stringValueOf = String.prototype.valueOf;
const booleanValueOf = Boolean.prototype.valueOf;
const bigintValueOf = typeof BigInt === "function" ? BigInt.prototype.valueOf : undefined;

function hasSlot(valueOf, value) {
  try {
    valueOf.call(value);
    return true;
  } catch {
    return false;
  }
}

// Which primitive slot an object has ([[NumberData]], ...), by the builtin tag
// Object.prototype.toString gives when no Symbol.toStringTag hides it, confirmed by the slot's own
// valueOf; with a tag, by trying each valueOf (rare). `undefined`: none. Known limit: a BigInt box
// has no builtin tag, so one whose prototype is no realm's BigInt.prototype (null,
// Object.prototype) reads as an object (JSON.stringify refuses it): trying its valueOf on every
// object would cost an exception each.
function slotOf(value) {
  const tag = value[Symbol.toStringTag];
  if (tag === undefined) {
    switch (objectToString.call(value)) {
      case "[object Object]":
      case "[object Array]":
        return undefined;
      case "[object Number]":
        return hasSlot(numberValueOf, value) ? "number" : undefined;
      case "[object String]":
        return hasSlot(stringValueOf, value) ? "string" : undefined;
      case "[object Boolean]":
        return hasSlot(booleanValueOf, value) ? "boolean" : undefined;
    }
  }
  if (hasSlot(numberValueOf, value)) return "number";
  if (hasSlot(stringValueOf, value)) return "string";
  if (hasSlot(booleanValueOf, value)) return "boolean";
  if (bigintValueOf !== undefined && hasSlot(bigintValueOf, value)) return "bigint";
  return undefined;
}

/**
 * Whether JSON.stringify writes `value` (an object) as a primitive: a box, known by its internal
 * slot ([[NumberData]], ...), not by its prototype. A box of another realm (a `vm` context, an
 * iframe), without a prototype or with `Object.prototype` is one, `Object.create(Number.prototype)`
 * is not.
 *
 * ```js
 * boxed(new String("ann")); // true
 * boxed(Object.setPrototypeOf(new Boolean(true), Object.prototype)); // true: JSON writes `true`
 * boxed({ id: 3 }); // false
 * ```
 */
export function boxed(value) {
  // The common case first, inlined: a plain object or an array, no tag hiding a slot.
  const tag = objectToString.call(value);
  if ((tag === "[object Object]" || tag === "[object Array]") && value[Symbol.toStringTag] === undefined) return false;
  return slotOf(value) !== undefined;
}

/**
 * `!boxed(value)` for an object whose prototype is this realm's `Object.prototype` (user.js
 * `plainRecordHot`), or `false` for any tag but a plain object's (an array, a box, a tag of its
 * own): in a function of its own, since V8 keeps a load's shapes per function and `boxed`'s sees
 * every path's (megamorphic: ~200 instructions more per `check`).
 *
 * ```js
 * literalUnboxed({ id: 3 }); // true
 * literalUnboxed(Object.setPrototypeOf(new Number(3), Object.prototype)); // false
 * ```
 */
export function literalUnboxed(value) {
  return objectToString.call(value) === "[object Object]" && value[Symbol.toStringTag] === undefined;
}

/**
 * A box's primitive as JSON.stringify takes it: ToNumber, ToString (ToPrimitive: the box's own
 * `Symbol.toPrimitive`, `valueOf`, `toString`), the slot of a Boolean or BigInt. Only what the
 * language itself refuses (no method gives a primitive; a Symbol or a BigInt where a number or a
 * string is wanted) is no JSON, a CircularError; an exception the box's own methods throw
 * reaches the caller as it is (pkg/README.md "Errors").
 */
function unbox(value, slot) {
  switch (slot) {
    case "number": {
      const primitive = toPrimitive(value, "number");
      if (typeof primitive === "symbol" || typeof primitive === "bigint") throw notJson();
      return Number(primitive);
    }
    case "string": {
      const primitive = toPrimitive(value, "string");
      if (typeof primitive === "symbol") throw notJson();
      return String(primitive);
    }
    case "boolean":
      return booleanValueOf.call(value);
  }
  return bigintValueOf.call(value);
}

function notJson() {
  return new CircularError("not representable as JSON");
}

const isObject = (value) => value !== null && (typeof value === "object" || typeof value === "function");

// ECMAScript ToPrimitive of an object, each of the caller's methods called by us, so that what
// it throws is told apart from the language's own TypeError.
function toPrimitive(value, hint) {
  const exotic = value[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== "function") throw notJson();
    const primitive = exotic.call(value, hint);
    if (isObject(primitive)) throw notJson();
    return primitive;
  }
  const first = hint === "string" ? "toString" : "valueOf";
  const second = hint === "string" ? "valueOf" : "toString";
  for (const name of [first, second]) {
    const method = value[name];
    if (typeof method === "function") {
      const primitive = method.call(value);
      if (!isObject(primitive)) return primitive;
    }
  }
  throw notJson();
}

/**
 * A boxed BigInt's BigInt (JSON.stringify refuses it as it refuses a BigInt; the package takes
 * both as their exact integer), else `undefined`.
 *
 * ```js
 * boxedBigInt(Object(3n)); // 3n
 * ```
 */
export function boxedBigInt(value) {
  return slotOf(value) === "bigint" ? bigintValueOf.call(value) : undefined;
}

// JSON.stringify's SerializeJSONProperty: returns false when the value is skipped (undefined).
function write(out, holder, key, value, stack) {
  if (value !== null && (typeof value === "object" || typeof value === "bigint") && typeof value.toJSON === "function") {
    value = value.toJSON(key);
  }
  if (value !== null && typeof value === "object") {
    const slot = slotOf(value);
    if (slot !== undefined) value = unbox(value, slot);
  }
  switch (typeof value) {
    case "undefined":
    case "function":
    case "symbol":
      return false;
    case "bigint":
      // Its exact digits, as the JSON path writes a BigInt (gate.js exactJson): an id beyond
      // 2^53 stays exact within the 64-bit range, beyond it serde_json reads the digits as a float.
      bigint(out, value);
      return true;
    case "boolean":
      out.byte(value ? 2 : 1);
      return true;
    case "number":
      number(out, value);
      return true;
    case "string":
      out.byte(6);
      out.string(value);
      return true;
  }
  if (value === null) {
    out.byte(0);
    return true;
  }
  if (stack.includes(value)) throw new CircularError();
  // The 128th nested array or object, which the runtime refuses as serde_json does: refused here,
  // where its path is known (src/compiled/value.rs names only the member).
  if (stack.length >= MAX_DEPTH - 1) throw new DepthError();
  stack.push(value);
  if (Array.isArray(value)) {
    out.byte(7);
    out.varint(value.length);
    let i = 0;
    try {
      for (; i < value.length; i++) {
        if (!write(out, value, String(i), value[i], stack)) out.byte(0);
      }
    } catch (error) {
      if (error instanceof LoneSurrogateError || error instanceof DepthError) error.keys.unshift(i);
      throw error;
    }
  } else {
    out.byte(8);
    const countAt = out.length;
    const keys = Object.keys(value);
    // Count first as a placeholder of the widest varint, then patch: skipped members shrink it.
    out.reserve(5);
    out.length += 5;
    let count = 0;
    // Where an error is: `?` while the key itself is written (the JSON path names a key it
    // cannot read `?`, as serde_path_to_error does), then the key.
    let at;
    try {
      for (const k of keys) {
        const mark = out.length;
        at = "?";
        out.string(k);
        at = k;
        if (write(out, value, k, value[k], stack)) count++;
        else out.length = mark;
      }
    } catch (error) {
      if (error instanceof LoneSurrogateError || error instanceof DepthError) error.keys.unshift(at);
      throw error;
    }
    // Re-encode the count in place (5 bytes, padded LEB128 is still valid).
    for (let i = 0; i < 5; i++) {
      out.bytes[countAt + i] = (count & 0x7f) | (i < 4 ? 0x80 : 0);
      count = Math.floor(count / 128);
    }
  }
  stack.pop();
  return true;
}

// One scratch writer for the common case; a toJSON that encodes again gets its own.
const scratch = new Writer();
let scratchBusy = false;

/**
 * Encodes a JS value as JSON.stringify would see it; `undefined` encodes as null. `inContext`: a
 * member of a `check` context (its nesting counts from the context).
 */
export function encodeValue(value, inContext = false) {
  const stack = inContext ? [CONTEXT] : [];
  if (scratchBusy) {
    const out = new Writer();
    if (!write(out, { "": value }, "", value, stack)) out.byte(0);
    return out.bytes.subarray(0, out.length);
  }
  scratchBusy = true;
  try {
    scratch.length = 0;
    if (!write(scratch, { "": value }, "", value, stack)) scratch.byte(0);
    return scratch.bytes.slice(0, scratch.length);
  } finally {
    scratchBusy = false;
    // A huge value leaves no huge buffer behind.
    if (scratch.bytes.length > 65536) scratch.bytes = new Uint8Array(64);
  }
}

// --- The size of the JSON text an encoding stands for ------------------------------------------
//
// One size rule on every path: a user, an object or a context is measured as its JSON text (UTF-16
// code units, as JSON.stringify writes it and src/wasm.rs MAX_CONTEXT_TEXT counts it), whether it
// crosses as JSON or encoded. The encoding determines that text (but for a BigInt beyond the 64-bit
// range, encoded as a float: its digits are counted as the float's), so it is measured from the
// bytes, without reading the caller's value again.

// An encoded string's JSON text: quotes, JSON.stringify's escapes, UTF-16 units of its UTF-8.
function stringJsonLength(bytes, from, to) {
  let n = 2;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b < 0x20) n += b === 8 || b === 9 || b === 10 || b === 12 || b === 13 ? 2 : 6;
    else if (b === 0x22 || b === 0x5c) n += 2;
    else if (b < 0x80 || (b >= 0xc0 && b < 0xf0)) n += 1;
    else if (b >= 0xf0) n += 2;
  }
  return n;
}

class LengthReader {
  constructor(bytes, at) {
    this.bytes = bytes;
    this.at = at;
  }
  count() {
    let n = 0;
    let scale = 1;
    let b;
    do {
      b = this.bytes[this.at++];
      n += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return n;
  }
  big() {
    let n = 0n;
    let shift = 0n;
    let b;
    do {
      b = this.bytes[this.at++];
      n |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    return n;
  }
  string() {
    const length = this.count();
    const from = this.at;
    this.at += length;
    return stringJsonLength(this.bytes, from, this.at);
  }
  value() {
    const bytes = this.bytes;
    switch (bytes[this.at++]) {
      case 0:
        return 4;
      case 1:
        return 5;
      case 2:
        return 4;
      case 3:
        return String(this.big()).length;
      case 4:
        return String(this.big() + 1n).length + 1;
      case 5: {
        const view = new DataView(bytes.buffer, bytes.byteOffset + this.at, 8);
        this.at += 8;
        return String(view.getFloat64(0, true)).length;
      }
      case 6:
        return this.string();
      case 7: {
        const count = this.count();
        let n = count > 0 ? count + 1 : 2;
        for (let i = 0; i < count; i++) n += this.value();
        return n;
      }
      default: {
        const count = this.count();
        let n = count > 0 ? count * 2 + 1 : 2;
        for (let i = 0; i < count; i++) n += this.string() + this.value();
        return n;
      }
    }
  }
}

/**
 * The length of the JSON text JSON.stringify writes for the value `bytes` encodes (from
 * `encodeValue`; `from`/`to` pick one value of `encodePair`'s), in UTF-16 code units.
 *
 * ```js
 * jsonLength(encodeValue({ id: 3, name: "ann" })); // 22: JSON.stringify's length
 * ```
 */
export function jsonLength(bytes, from = 0, to = bytes.length) {
  return from === to ? 0 : new LengthReader(bytes, from).value();
}

/**
 * Encodings of at most this many bytes stand for at most MAX_CONTEXT_CHARS characters of JSON
 * (no encoded byte writes more than 6: a control character's `\u0001`), so they need no
 * measuring.
 */
export const SAFE_ENCODED_BYTES = Math.floor((1024 * 1024) / 6);

let pairSplit = 0;

/**
 * Encodes `check`'s user, then its object (each left out when `undefined`), into one reused
 * buffer, each as the member of the context JSON.stringify would write. Returns a view of the
 * bytes, valid until the next encoding; `encodedUserLength()` says where the object starts.
 */
export function encodePair(user, object) {
  if (scratchBusy) {
    const out = new Writer();
    pairInto(out, user, object);
    return out.bytes.subarray(0, out.length);
  }
  scratchBusy = true;
  try {
    // The last view is used by now: a huge value's buffer is not kept.
    if (scratch.bytes.length > 65536) scratch.bytes = new Uint8Array(64);
    scratch.length = 0;
    pairInto(scratch, user, object);
    return scratch.bytes.subarray(0, scratch.length);
  } finally {
    scratchBusy = false;
  }
}

function pairInto(out, user, object) {
  if (user !== undefined && !write(out, null, "user", user, [CONTEXT])) out.byte(0);
  pairSplit = out.length;
  if (object !== undefined && !write(out, null, "object", object, [CONTEXT])) out.byte(0);
}

/** The user's length in the bytes of the last `encodePair`. */
export function encodedUserLength() {
  return pairSplit;
}

/**
 * `JSON.parse(text)`, but an integer beyond Number.MAX_SAFE_INTEGER is a BigInt (JSON.parse
 * would round a pk 9007199254740993 to 9007199254740992, another user's). Texts without a run of
 * 16 digits are parsed as they are.
 */
export function parseExactJson(text) {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (m) =>
    m[0] === '"' || !/^-?\d+$/.test(m) || Number.isSafeInteger(Number(m)) ? m : `"\\ud800${m}"`);
  return JSON.parse(marked, (_, v) =>
    typeof v === "string" && v[0] === "\ud800" && /^-?\d+$/.test(v.slice(1)) ? BigInt(v.slice(1)) : v);
}

/**
 * The value as JSON.stringify writes it, read once, with each BigInt (boxed or not) written as its
 * exact integer; `undefined` when JSON cannot hold it (a cycle, a box that converts to no
 * primitive, nothing at all: a function) or it holds the marker itself (then nothing is
 * guessed). An exception the caller's own value throws (a getter, `toJSON`, a box's `valueOf`, a
 * Proxy trap) reaches the caller as it is: the language's own refusals are found here (boxes
 * unboxed by `unbox`, cycles by the stack of values being written), so JSON.stringify itself
 * never throws one. The marker starts with a lone surrogate, which JSON.stringify escapes and a
 * record never holds (the core refuses lone surrogates).
 *
 * ```js
 * exactJson({ id: 9007199254740993n }); // '{"id":9007199254740993}'
 * ```
 */
const BIGINT_MARK = "\ud800bigint:";
export function exactJson(value) {
  const ints = [];
  const stack = [];
  let clash = false;
  let text;
  try {
    text = JSON.stringify(value, function (key, v) {
      if (typeof v === "object" && v !== null) {
        // JSON.stringify unboxes after the replacer: unboxed here, where the box's own methods
        // are the caller's.
        const slot = slotOf(v);
        if (slot !== undefined) v = unbox(v, slot);
      }
      if (typeof v === "bigint") return BIGINT_MARK + (ints.push(v) - 1);
      if (key.includes(BIGINT_MARK) || (typeof v === "string" && v.includes(BIGINT_MARK))) clash = true;
      if (typeof v === "object" && v !== null) {
        // `this` is the value being written: what was written after it is done.
        while (stack.length > 0 && stack[stack.length - 1] !== this) stack.pop();
        if (stack.includes(v)) throw new CircularError();
        stack.push(v);
      }
      return v;
    });
  } catch (error) {
    if (error instanceof CircularError) return undefined;
    throw error;
  }
  if (clash || typeof text !== "string") return undefined;
  return text.replace(/"\\ud800bigint:(\d+)"/g, (_, i) => String(ints[Number(i)]));
}
