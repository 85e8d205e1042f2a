// The `can` programs: each target of a compiled policy lowered by the core (src/compiled/program.rs,
// one owner of the semantics) into flat code that this small interpreter evaluates against a
// subject's facts (computed once in wasm) and the object's fields. No eval, no new Function:
// CSP-safe. It answers exactly or not at all: ASK (2) sends the question to wasm.
//
// A node is [op, size, operands...] (size: the node's length in words). Results are 0 (false),
// 1 (true) or 2 (ask); values are JS scalars (null, booleans, finite numbers, strings) or the
// ASK_VALUE sentinel for anything JS could get wrong (a missing member, a nested object, an
// array, a non-finite number, an id beyond 2^53).

export const ASK = 2;

const FALSE = 0;
const TRUE = 1;
const FACT = 3;
const AND = 4;
const OR = 5;
const NOT = 6;
const TRUTHY = 7;
const CMP = 8;
const USER_EQ = 9;
const USER_NE = 10;
const V_CONST = 20;
const V_OBJ = 21;
const V_USER_ID = 22;
const V_USERNAME = 23;
const V_FACT = 24;

const EQ = 0;
const NE = 1;
const LT = 2;
const LE = 3;
const GT = 4;
const GE = 5;
const IS = 6;
const IS_NOT = 7;

// Facts (src/compiled/program.rs): 0 authenticated, 1 anonymous, 2 active, 3 staff,
// 4 superuser, 5 token user, then permissions.
const ANONYMOUS = 1;
const TOKEN_USER = 5;

const ASK_VALUE = Symbol("ask wasm");
// A number constant's f64 bits (two words of the code) read back.
const bits = new DataView(new ArrayBuffer(8));

const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;

/** A plain object JSON.stringify writes member by member (so its members may be read alone). */
export function prunable(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (typeof value.toJSON === "function") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return true;
  return !(value instanceof Number || value instanceof String || value instanceof Boolean ||
    (typeof BigInt !== "undefined" && value instanceof BigInt));
}

/** A member as JSON.stringify sees it; `undefined` when it would skip it. */
export function member(object, name) {
  const value = object[name];
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  return propertyIsEnumerable.call(object, name) ? value : undefined;
}

/** The program of one target, from the core's `program(target, withObject)`: `[code, texts]`. */
export function makeProgram([code, texts]) {
  return { code, texts };
}

/** A subject's facts, from the core's `subjectFacts(handle)`: `[flags, id kind, id, username]`. */
export function makeFacts([flags, kind, id, username]) {
  const bits = new Uint8Array(flags.length);
  for (let i = 0; i < flags.length; i++) bits[i] = flags.charCodeAt(i) - 48;
  const value = kind === "n" ? null : kind === "i" ? Number(id) : kind === "s" ? id : ASK_VALUE;
  return { bits, id: value, username };
}

/**
 * 0 (false), 1 (true) or ASK: `can` for these facts and this object (`undefined`: none; else an
 * object `prunable()` accepts, which the caller checks).
 */
export function run(program, facts, object) {
  return node(program, 0, facts, object);
}

function node(p, at, facts, object) {
  const code = p.code;
  switch (code[at]) {
    case FALSE:
      return 0;
    case TRUE:
      return 1;
    case FACT: {
      const fact = facts.bits[code[at + 2]];
      return fact === undefined ? ASK : fact;
    }
    case AND: {
      const end = at + code[at + 1];
      for (let i = at + 2; i < end; i += code[i + 1]) {
        const r = node(p, i, facts, object);
        if (r !== 1) return r;
      }
      return 1;
    }
    case OR: {
      const end = at + code[at + 1];
      for (let i = at + 2; i < end; i += code[i + 1]) {
        const r = node(p, i, facts, object);
        if (r !== 0) return r;
      }
      return 0;
    }
    case NOT: {
      const r = node(p, at + 2, facts, object);
      return r === ASK ? ASK : 1 - r;
    }
    case TRUTHY: {
      const v = value(p, at + 2, facts, object);
      return v === ASK_VALUE ? ASK : truthy(v);
    }
    case CMP: {
      const a = value(p, at + 3, facts, object);
      if (a === ASK_VALUE) return ASK;
      const b = value(p, at + 3 + code[at + 4], facts, object);
      if (b === ASK_VALUE) return ASK;
      return compare(code[at + 2], a, b);
    }
    case USER_EQ: {
      const v = value(p, at + 2, facts, object);
      return v === ASK_VALUE ? ASK : userEquals(v, facts);
    }
    case USER_NE: {
      const v = value(p, at + 2, facts, object);
      if (v === ASK_VALUE) return ASK;
      // TokenUser.__ne__ is `not NotImplemented`: False.
      if (facts.bits[TOKEN_USER] !== 0) return 0;
      const r = userEquals(v, facts);
      return r === ASK ? ASK : 1 - r;
    }
    default:
      return ASK;
  }
}

function value(p, at, facts, object) {
  const code = p.code;
  switch (code[at]) {
    case V_CONST:
      switch (code[at + 2]) {
        case 0:
          return null;
        case 1:
          return false;
        case 2:
          return true;
        case 3:
          bits.setInt32(0, code[at + 3], true);
          bits.setInt32(4, code[at + 4], true);
          return bits.getFloat64(0, true);
        case 4:
          return p.texts[code[at + 3]] ?? ASK_VALUE;
        default:
          return ASK_VALUE;
      }
    case V_OBJ: {
      if (object === undefined) return ASK_VALUE;
      let v = object;
      const n = code[at + 2];
      for (let i = 0; i < n; i++) {
        if (i > 0 && !prunable(v)) return ASK_VALUE; // the object itself: run()'s caller checked
        const name = p.texts[code[at + 3 + i]];
        if (name === undefined) return ASK_VALUE;
        v = member(v, name);
        if (v === undefined) return ASK_VALUE; // AttributeError: wasm says what DRF does
      }
      return scalar(v);
    }
    case V_USER_ID:
      return facts.id;
    case V_USERNAME:
      return facts.username;
    case V_FACT: {
      const fact = facts.bits[code[at + 2]];
      return fact === 0 ? false : fact === 1 ? true : ASK_VALUE;
    }
    default:
      return ASK_VALUE;
  }
}

// A member value as the core reads its JSON: scalars only.
function scalar(v) {
  switch (typeof v) {
    case "string":
      // A lone surrogate: the core refuses the value (wasm then says so).
      return wellFormed(v) ? v : ASK_VALUE;
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : ASK_VALUE; // JSON writes NaN and Infinity as null
    case "object":
      return v === null ? null : ASK_VALUE;
    default:
      return ASK_VALUE;
  }
}

// Python's bool().
function truthy(v) {
  if (v === null) return 0;
  if (typeof v === "string") return v.length > 0 ? 1 : 0;
  return v ? 1 : 0; // booleans; numbers (0 and -0 are falsy)
}

// Strings reach wasm as UTF-8: a lone surrogate becomes U+FFFD there, so two strings that differ
// here may be equal there.
const hasSurrogate = /[\ud800-\udfff]/;
function wellFormed(s) {
  return typeof s.isWellFormed === "function" ? s.isWellFormed() : !hasSurrogate.test(s);
}

// Python's `==` between scalars (True == 1, 1 == 1.0).
function equals(a, b) {
  if (a === b) return 1;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === "string" && tb === "string") return wellFormed(a) && wellFormed(b) ? 0 : ASK;
  if (ta === "number" && tb === "boolean") return a === (b ? 1 : 0) ? 1 : 0;
  if (ta === "boolean" && tb === "number") return b === (a ? 1 : 0) ? 1 : 0;
  return 0;
}

// `v == request.user`: an anonymous user, a TokenUser or one without an id equals no scalar; a
// number or string is a foreign key compared with the user's id; None and bools never equal.
function userEquals(v, facts) {
  const bits = facts.bits;
  if (bits[TOKEN_USER] !== 0 || bits[ANONYMOUS] !== 0) return 0;
  const id = facts.id;
  if (id === null) return 0;
  if (id === ASK_VALUE) return ASK;
  const t = typeof v;
  return t === "number" || t === "string" ? equals(v, id) : 0;
}

function ordered(op, x, y) {
  switch (op) {
    case LT:
      return x < y ? 1 : 0;
    case LE:
      return x <= y ? 1 : 0;
    case GT:
      return x > y ? 1 : 0;
    default:
      return x >= y ? 1 : 0;
  }
}

function compare(op, a, b) {
  switch (op) {
    case EQ:
      return equals(a, b);
    case NE: {
      const r = equals(a, b);
      return r === ASK ? ASK : 1 - r;
    }
    case LT:
    case LE:
    case GT:
    case GE: {
      const ta = typeof a;
      const tb = typeof b;
      if ((ta === "number" || ta === "boolean") && (tb === "number" || tb === "boolean")) {
        return ordered(op, Number(a), Number(b));
      }
      // UTF-16 order is code point order only without surrogates.
      if (ta === "string" && tb === "string" && !hasSurrogate.test(a) && !hasSurrogate.test(b)) {
        return ordered(op, a, b);
      }
      return ASK; // a TypeError in Python: wasm answers as DRF does
    }
    case IS:
    case IS_NOT: {
      const same = (a === null && b === null) || (typeof a === "boolean" && a === b);
      return (op === IS) === same ? 1 : 0;
    }
    default:
      return ASK;
  }
}
