// The `can` programs: each target of a compiled policy lowered by the core (src/compiled/program.rs,
// one owner of the semantics) into flat code that this small interpreter evaluates against a
// subject's facts (computed once: by the core, or for a plain user by plainUserFacts) and the
// object's fields. No eval, no new Function: CSP-safe. It answers exactly or not at all: ASK (2)
// sends the question to wasm.
//
// A node is [op, size, operands...] (size: the node's length in words); each is made once into a
// closure (closure threading: no code is generated at run time). Results are 0 (false),
// 1 (true) or 2 (ask); values are JS scalars (null, booleans, finite numbers, strings) or the
// ASK_VALUE sentinel for anything JS could get wrong (a missing member, a nested object, an
// array, a non-finite number, an id beyond 2^53).

import { plainUser } from "./user.js";
import { boxed } from "./value.js";

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
const STEPS = 11;
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

const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;

/** A plain object JSON.stringify writes member by member (so its members may be read alone). */
export function prunable(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (typeof value.toJSON === "function") return false;
  return !boxed(value);
}

/** A member as JSON.stringify sees it; `undefined` when it would skip it. */
export function member(object, name) {
  const value = object[name];
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  return propertyIsEnumerable.call(object, name) ? value : undefined;
}

/**
 * The program of one target, from the core's `program(target, withObject)`: `[code, texts]`,
 * made once into a tree of closures (no code is generated: CSP-safe) that `run` calls.
 */
export function makeProgram([code, texts]) {
  return boolean(code, texts, 0);
}

/**
 * `check`'s program of one target, from the core's `checkProgram(target)` (a `STEPS` node: the
 * steps of DRF's decision in order): `run(facts, object)` gives the index of the first step that
 * is not true (the number of steps when all pass), or -1 when a step asks wasm. Malformed code
 * makes a program that always asks.
 *
 * With `reads` (the object's member names the policy reads) and every object read one of them,
 * `byValues` is true and `run` takes, instead of the object, an array of those members' values
 * in `reads`' order as JSON.stringify sees them (`undefined`: not a member; the array itself
 * `undefined`: no object). The caller has read them once while checking the object: the steps
 * then touch no object (no getter runs twice, no enumerability lookup).
 */
export function makeSteps([code, texts], reads) {
  const never = { byValues: false, run: () => -1 };
  if (code[0] !== STEPS || !(code[1] === code.length)) return never;
  if (Array.isArray(reads)) {
    const mode = { reads, ok: true };
    const steps = children(code, texts, 0, mode);
    if (steps !== undefined && mode.ok) return { byValues: true, run: firstNotTrue(steps) };
  }
  const steps = children(code, texts, 0, undefined);
  return steps === undefined ? never : { byValues: false, run: firstNotTrue(steps) };
}

function firstNotTrue(steps) {
  const n = steps.length;
  return (facts, object) => {
    for (let i = 0; i < n; i++) {
      const answer = steps[i](facts, object);
      if (answer !== 1) return answer === 0 ? i : -1;
    }
    return n;
  };
}

/** A subject's facts, from the core's `subjectFacts(handle)`: `[flags, id kind, id, username]`. */
export function makeFacts([flags, kind, id, username]) {
  const bits = new Uint8Array(flags.length);
  for (let i = 0; i < flags.length; i++) bits[i] = flags.charCodeAt(i) - 48;
  const value = kind === "n" ? null : kind === "i" ? Number(id) : kind === "s" ? id : ASK_VALUE;
  return { bits, id: value, username };
}

/**
 * The facts `core.userFacts` gives (src/compiled/program.rs `Gate::subject_facts`), made in JS for
 * a user record `plainUser` (user.js) reads and that names no permission, so that a first `can`
 * does not decode the user in wasm. `count`: the policy's `permissionCount()`. `undefined` for
 * any other user (the core then makes them, or refuses the user as it always did).
 *
 * ```js
 * const facts = plainUserFacts({ id: 3, isStaff: true }, core.permissionCount());
 * ```
 */
export function plainUserFacts(record, count) {
  const user = plainUser(record);
  if (user === null || user.permissions.length !== 0 || !Number.isSafeInteger(count) || count < 0) return undefined;
  // authenticated, anonymous, active, staff, superuser, token user; then each permission without
  // and with an object: an active superuser holds every one, anyone else (no permissions, no
  // object permissions) and a token user none (src/user.rs `User::has_perm`).
  const bits = new Uint8Array(6 + 2 * count);
  bits[0] = 1;
  bits[2] = user.isActive ? 1 : 0;
  bits[3] = user.isStaff ? 1 : 0;
  bits[4] = user.isSuperuser ? 1 : 0;
  bits[5] = user.tokenUser ? 1 : 0;
  if (user.isActive && user.isSuperuser && !user.tokenUser) bits.fill(1, 6);
  return { bits, id: user.id, username: user.username ?? "" };
}

/**
 * The anonymous user's facts (`core.userFacts` of `null`: Django's `AnonymousUser`, holding no
 * permission), made in JS; `count`: the policy's `permissionCount()`.
 *
 * ```js
 * const facts = anonymousFacts(core.permissionCount());
 * ```
 */
export function anonymousFacts(count) {
  const bits = new Uint8Array(6 + 2 * count);
  bits[1] = 1;
  return { bits, id: null, username: "" };
}

/**
 * 0 (false), 1 (true) or ASK: `can` for these facts and this object (`undefined`: none; else an
 * object `prunable()` accepts, which the caller checks).
 */
export function run(program, facts, object) {
  return program(facts, object);
}

const no = () => 0;
const yes = () => 1;
const ask = () => ASK;
const askValue = () => ASK_VALUE;

// The children of an AND/OR node at `at`, or `undefined` when its sizes do not add up. `mode`
// (makeSteps): object members read from an array of values (see makeSteps).
function children(code, texts, at, mode) {
  const end = at + code[at + 1];
  if (!(end <= code.length)) return undefined;
  const out = [];
  for (let i = at + 2; i < end; ) {
    const size = code[i + 1];
    if (!(size >= 2) || i + size > end) return undefined;
    out.push(boolean(code, texts, i, mode));
    i += size;
  }
  return out;
}

function boolean(code, texts, at, mode) {
  switch (code[at]) {
    case FALSE:
      return no;
    case TRUE:
      return yes;
    case FACT: {
      const k = code[at + 2];
      return (facts) => {
        const fact = facts.bits[k];
        return fact === undefined ? ASK : fact;
      };
    }
    case AND: {
      const all = children(code, texts, at, mode);
      if (all === undefined) return ask;
      if (all.length === 2) {
        const [a, b] = all;
        return (facts, object) => {
          const r = a(facts, object);
          return r !== 1 ? r : b(facts, object);
        };
      }
      return (facts, object) => {
        for (let i = 0; i < all.length; i++) {
          const r = all[i](facts, object);
          if (r !== 1) return r;
        }
        return 1;
      };
    }
    case OR: {
      const any = children(code, texts, at, mode);
      if (any === undefined) return ask;
      if (any.length === 2) {
        const [a, b] = any;
        return (facts, object) => {
          const r = a(facts, object);
          return r !== 0 ? r : b(facts, object);
        };
      }
      return (facts, object) => {
        for (let i = 0; i < any.length; i++) {
          const r = any[i](facts, object);
          if (r !== 0) return r;
        }
        return 0;
      };
    }
    case NOT: {
      const inner = boolean(code, texts, at + 2, mode);
      return (facts, object) => {
        const r = inner(facts, object);
        return r === ASK ? ASK : 1 - r;
      };
    }
    case TRUTHY: {
      const v = value(code, texts, at + 2, mode);
      return (facts, object) => {
        const x = v(facts, object);
        return x === ASK_VALUE ? ASK : truthy(x);
      };
    }
    case CMP: {
      const op = code[at + 2];
      const a = value(code, texts, at + 3, mode);
      const b = value(code, texts, at + 3 + code[at + 4], mode);
      return (facts, object) => {
        const x = a(facts, object);
        if (x === ASK_VALUE) return ASK;
        const y = b(facts, object);
        return y === ASK_VALUE ? ASK : compare(op, x, y);
      };
    }
    case USER_EQ: {
      const v = value(code, texts, at + 2, mode);
      return (facts, object) => {
        const x = v(facts, object);
        return x === ASK_VALUE ? ASK : userEquals(x, facts);
      };
    }
    case USER_NE: {
      const v = value(code, texts, at + 2, mode);
      return (facts, object) => {
        const x = v(facts, object);
        if (x === ASK_VALUE) return ASK;
        // TokenUser.__ne__ is `not NotImplemented`: False.
        if (facts.bits[TOKEN_USER] !== 0) return 0;
        const r = userEquals(x, facts);
        return r === ASK ? ASK : 1 - r;
      };
    }
    default:
      return ask;
  }
}

function value(code, texts, at, mode) {
  switch (code[at]) {
    case V_CONST: {
      let constant = ASK_VALUE;
      switch (code[at + 2]) {
        case 0:
          constant = null;
          break;
        case 1:
          constant = false;
          break;
        case 2:
          constant = true;
          break;
        case 3: {
          const bits = new DataView(new ArrayBuffer(8));
          bits.setInt32(0, code[at + 3], true);
          bits.setInt32(4, code[at + 4], true);
          constant = bits.getFloat64(0, true);
          if (!Number.isFinite(constant)) constant = ASK_VALUE;
          break;
        }
        case 4:
          constant = texts[code[at + 3]] ?? ASK_VALUE;
          break;
      }
      return () => constant;
    }
    case V_OBJ: {
      const n = code[at + 2];
      const names = [];
      for (let i = 0; i < n; i++) {
        const name = texts[code[at + 3 + i]];
        if (typeof name !== "string") return askValue;
        names.push(name);
      }
      if (mode !== undefined) {
        // From the values array: a top-level member named in `reads` only.
        const k = n === 1 ? mode.reads.indexOf(names[0]) : -1;
        if (k < 0) {
          mode.ok = false;
          return askValue;
        }
        return (facts, values) => {
          if (values === undefined) return ASK_VALUE;
          const v = values[k];
          return v === undefined ? ASK_VALUE : scalar(v); // missing: AttributeError, wasm says
        };
      }
      if (n === 1) {
        const [name] = names;
        return (facts, object) => {
          if (object === undefined) return ASK_VALUE;
          const v = member(object, name);
          return v === undefined ? ASK_VALUE : scalar(v); // missing: AttributeError, wasm says
        };
      }
      return (facts, object) => {
        if (object === undefined) return ASK_VALUE;
        let v = object;
        for (let i = 0; i < names.length; i++) {
          if (i > 0 && !prunable(v)) return ASK_VALUE; // the object itself: run()'s caller checked
          v = member(v, names[i]);
          if (v === undefined) return ASK_VALUE;
        }
        return scalar(v);
      };
    }
    case V_USER_ID:
      return (facts) => facts.id;
    case V_USERNAME:
      return (facts) => facts.username;
    case V_FACT: {
      const k = code[at + 2];
      return (facts) => {
        const fact = facts.bits[k];
        return fact === 0 ? false : fact === 1 ? true : ASK_VALUE;
      };
    }
    default:
      return askValue;
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
      // JSON writes NaN and Infinity as null. An integral number outside [-2^63, 2^64) reaches
      // the core as a float that may stand for a wider int (src/condition/eval.rs WideNumber).
      if (!Number.isFinite(v)) return ASK_VALUE;
      return Number.isInteger(v) && (v >= 18446744073709551616 || v < -9223372036854775808) ? ASK_VALUE : v;
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
      // Equal numbers or strings may or may not be one object in Python (small ints are;
      // JS cannot tell 1 from 1.0): wasm decides (src/condition/eval.rs `identical`).
      if (a === b && (typeof a === "number" || typeof a === "string")) return ASK;
      const same = (a === null && b === null) || (typeof a === "boolean" && a === b);
      return (op === IS) === same ? 1 : 0;
    }
    default:
      return ASK;
  }
}
