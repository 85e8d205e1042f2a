// `gate.check` in the builds with the policy compiler (the JSON core, the edge and Worker
// builds): the common context `{view, action, user, object}` resolved once per gate, decided by
// steps or memoised, and everything else through the typed or the JSON path. Its own module so
// that the browser runtime, whose `check` crosses typed only, ships none of it: the entries of
// those builds hand it to `defineApi` (gate.js), the runtime's does not.

import { ContextError } from "./errors.js";
import {
  MAX_CONTEXT_CHARS,
  mayBeTooLong,
  MAX_TARGETS,
  contextTooLong,
  STEPS_PERIOD,
  STEPS_REST,
  snapshotValue,
  typedArgs,
  wellFormed,
} from "./gate.js";
import { boxed, encodePair, encodedUserLength, exactJson, parseExactJson } from "./value.js";
import { makeSteps, member } from "./program.js";
import { plainRecord, plainRecordHot, plainShape } from "./user.js";

const EMPTY = new Uint8Array(0);
// The longest view and action names (together) the fast path takes: with its encoded user and
// object they bound the context's JSON (gate.js mayBeTooLong); longer ones take the typed path,
// which measures it.
const MAX_NAMES_CHARS = 4096;

// core.check of a context as its JSON text, read once (value.js exactJson: a BigInt exact, the
// caller's own exceptions as they are), refused as src/wasm.rs `check` refuses a value JSON
// cannot hold or a text past its limit.
function checkJson(core, context) {
  return core.check(contextText(context));
}

function contextText(context) {
  const text = typeof context === "string" ? context : exactJson(context);
  if (text === undefined) throw new ContextError("the context is not representable as JSON", "invalid_context", "$");
  if (text.length > MAX_CONTEXT_CHARS) throw contextTooLong(text.length);
  return text;
}

// `check` in the Worker build, which has no JSON path: a context given as JSON text, or not a
// plain object, is first made the data the JSON path would read (JSON.parse with exact BigInts
// of the text, or of JSON.stringify's), then typed; so is a plain context the typed path refuses
// (a member JSON.stringify writes otherwise, a Date's toJSON). The typed path then answers or
// refuses, as in the browser runtime.
function checkTypedOnly(kept, core, context) {
  if (typeof context === "string" || !plainRecord(context)) return kept.typedOnly(core, jsonData(context));
  try {
    return kept.typedOnly(core, context);
  } catch (error) {
    if (!(error instanceof ContextError)) throw error;
    let data;
    try {
      data = jsonData(context);
    } catch {
      throw error;
    }
    return kept.typedOnly(core, data);
  }
}

// The context as the JSON path reads it (src/wasm.rs `check`: the same limit and refusals).
function jsonData(context) {
  const text = contextText(context);
  try {
    return parseExactJson(text);
  } catch (error) {
    throw new ContextError(`the context is not valid JSON: ${error.message}`, "invalid_context", "$");
  }
}

// checkResolved's state bits and its answer for a decision to ask the whole way
// (src/typed_check.rs).
const USER_ENCODED = 1;
const OBJECT_MISSING = 2;
const OBJECT_ENCODED = 4;
const NOT_PACKED = 0xffffffff;

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
    if (!reads.includes(name) && !harmlessField(name, object[name])) return undefined;
  }
  return key;
}

// A field the core takes whatever the policy reads: a short well-formed name, and a short
// well-formed string, a number, a boolean, null or nothing.
function harmlessField(name, value) {
  const type = typeof value;
  if (type === "string") {
    if (value.length > MEMO_OTHER_CHARS || !wellFormed(value)) return false;
  } else if (value !== null && type !== "number" && type !== "boolean" && type !== "undefined") {
    return false;
  }
  return name.length <= MEMO_OTHER_CHARS && wellFormed(name);
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

// Steps a decision is kept by: a step index past this is asked every time (DRF's decision has a
// handful of steps).
const MAX_KEPT_STEPS = 16;

const NO_READS = [];

// An object whose every member the core takes whatever the policy reads (short well-formed
// strings, numbers, booleans, null; memoKey's rule for unread fields), so that the step index
// stands for all of it.
function harmless(object) {
  return harmlessRead(object, NO_READS, NO_READS);
}

// harmless(), and the members named in `reads` as it read them (once each) into `values`, in
// `reads`' order (left `undefined` for a name that is not a member): what steps `byValues` take.
function harmlessRead(object, reads, values) {
  const keys = Object.keys(object);
  if (keys.length > MEMO_OTHER_FIELDS) return false;
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i];
    const value = object[name];
    if (!harmlessField(name, value)) return false;
    for (let k = 0; k < reads.length; k++) if (reads[k] === name) values[k] = value;
  }
  return true;
}

// A string as a property key (V8 then compares it with other keys by identity).
function interned(name) {
  return Object.keys({ [name]: 0 })[0];
}

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
    case "Content-Type,Vary,Allow":
      headers = () => ({ "Content-Type": type, Vary: vary, Allow: allow });
      break;
    case "Content-Type,WWW-Authenticate,Vary,Allow":
      headers = () => ({ "Content-Type": type, "WWW-Authenticate": www, Vary: vary, Allow: allow });
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

/**
 * A gate's kept state for `check`: its tables, and `gate`'s own helpers it shares with `can`
 * (the decision renderer, the users' table, the anonymous user's facts, the diagnostics).
 *
 * ```js
 * const kept = state({ decision, snapshotOf, entryOf, newEntry, clearUsers, anonymousFacts, stats, transform });
 * ```
 */
export function state(gate) {
  return {
    ...gate,
    // view -> action -> [target without object, target with object, the object fields read with
    // one, their steps] (checkTarget ids), and decisions by id (checkResolved), each rendered once
    // and copied for every answer.
    checkTargets: new Map(),
    lastCheckView: undefined,
    lastCheckActions: undefined,
    checkTargetCount: 0,
    decisions: [],
    // Decision ids by memoKey (bounded; see memoKey), with its hits and misses since the last
    // count, and how many checks it rests for.
    checkMemo: new Map(),
    memoHits: 0,
    memoMisses: 0,
    memoRest: 0,
    // check by steps: the anonymous user's entry; the period's counts and the rest.
    checkAnonymous: undefined,
    stepsChecks: 0,
    stepsNewUsers: 0,
    stepsRest: 0,
  };
}

/**
 * What DRF would answer to one request context, in the builds with the compiler: the common
 * context by its resolved target, the rest typed, anything the typed path refuses as JSON (so
 * errors are reported exactly as the JSON path reports them). In the Worker build (`typedOnly`)
 * the rest is typed only.
 *
 * ```js
 * const decision = check(kept, core, { view: "posts", action: "list" });
 * ```
 */
export function check(kept, core, context) {
  const fast = checkResolved(kept, core, context);
  if (fast !== undefined) return fast;
  if (kept.typedOnly !== undefined) return checkTypedOnly(kept, core, context);
  if (!plainRecord(context)) return JSON.parse(checkJson(core, context));
  let words;
  try {
    words = core.checkPacked(...typedArgs(context));
  } catch (error) {
    // The caller's own exception is theirs (not read again by the JSON path).
    if (!(error instanceof ContextError)) throw error;
    words = undefined;
  }
  return words !== undefined && words.length === 7 ? kept.decision(core, words) : JSON.parse(checkJson(core, context));
}

  // The common context, `{view, action, user, object}` (plain objects, nothing else given),
  // in the builds with the compiler (the browser runtime leaves these bindings out for size):
  // view and action resolved once per gate, the user and object encoded in one buffer, the
  // decision back as one id. `undefined`: anything else, or any error; `check` then asks the
  // whole way, which answers (or throws) exactly as before.
  function checkResolved(kept, core, context) {
    if (!plainRecordHot(context)) return undefined;
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
    if (typeof view !== "string" || typeof action !== "string" || view.length + action.length > MAX_NAMES_CHARS) return undefined;
    let state = 0;
    if (user === null) user = undefined;
    else if (user !== undefined) {
      // The box test waits for the steps (a snapshot) or the memo below: a user found by its
      // snapshot was tested when it was kept.
      if (!plainShape(user)) return undefined;
      state = USER_ENCODED;
    }
    if (object === null) {
      object = undefined;
      state |= OBJECT_MISSING;
    } else if (object !== undefined) {
      if (!plainRecordHot(object)) return undefined;
      state |= OBJECT_ENCODED;
    }
    const withObject = (state & OBJECT_ENCODED) === 0 ? 0 : 1;
    // The last view's actions (one Map lookup instead of two when the view repeats).
    let actions = kept.lastCheckActions;
    if (view !== kept.lastCheckView) {
      actions = kept.checkTargets.get(view);
      if (actions !== undefined) {
        kept.lastCheckView = view;
        kept.lastCheckActions = actions;
      }
    }
    let pair = actions?.get(action);
    if (pair === undefined || pair[withObject] === undefined) {
      pair = checkTarget(kept, core, view, action, withObject);
      if (pair === undefined) return undefined;
    }
    const target = pair[withObject];
    if (kept.stepsRest > 0) kept.stepsRest--;
    else {
      const answer = checkSteps(kept, core, pair, withObject, target, state, user, object);
      if (answer !== undefined) return answer;
    }
    if (user !== undefined && boxed(user)) return undefined;
    let key;
    if (kept.memoRest > 0) kept.memoRest--;
    else key = memoKey(target, user, object, state, pair[2]);
    let id = key === undefined ? undefined : kept.checkMemo.get(key);
    if (id !== undefined) {
      kept.memoHits++;
      return kept.decisions[id]();
    }
    // Few hits (callers with ever new users or objects): rest the memo for a while, so a
    // miss costs no key, no copy (the decision is the same either way).
    if (key !== undefined && ++kept.memoMisses >= MAX_CHECK_MEMO) {
      if (kept.memoHits * 8 < kept.memoMisses) kept.memoRest = 4 * MAX_CHECK_MEMO;
      kept.memoHits = 0;
      kept.memoMisses = 0;
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
      if (mayBeTooLong(bytes.length + MAX_NAMES_CHARS)) return undefined;
      id = core.checkResolved(target, state, state === 0 ? 0 : encodedUserLength(), bytes);
    } catch {
      return undefined;
    }
    if (id === NOT_PACKED) return undefined;
    const make = makerOf(kept, core, id);
    if (make === undefined) return undefined;
    if (stored !== undefined) {
      if (kept.checkMemo.size >= MAX_CHECK_MEMO) kept.checkMemo.clear();
      kept.checkMemo.set(stored, id);
    }
    return make();
  }

  // The maker (decisionMaker) of a packed decision by id, rendered once per gate; `undefined`
  // when the core has no such decision.
  function makerOf(kept, core, id) {
    let make = kept.decisions[id];
    if (make === undefined) {
      const words = core.decision(id);
      if (words === undefined || words.length !== 7) return undefined;
      make = decisionMaker(kept.decision(core, words));
      kept.decisions[id] = make;
    }
    return make;
  }

  // `{view, action, user, object}` by the step that decides (see snapshotUser): from the user's
  // kept decisions when that step was seen for this target, else asked once and kept.
  // `undefined`: not this way (the memo and the whole way answer, or throw, as before).
  function checkSteps(kept, core, pair, withObject, target, state, user, object) {
    let snapshot;
    let entry;
    if (user === undefined) entry = kept.checkAnonymous;
    else {
      snapshot = kept.snapshotOf(user);
      if (snapshot === undefined) return undefined;
      entry = kept.entryOf(snapshot);
    }
    const steps = pair[3 + withObject] ?? stepsOf(kept, core, pair, withObject, target);
    // What the steps read: the object's read members' values (makeSteps `byValues`), else a copy
    // of the object; either read once, and what the miss decides on.
    let read = object;
    if (object !== undefined) {
      if (steps.byValues) {
        read = new Array(pair[2].length);
        if (!harmlessRead(object, pair[2], read)) return undefined;
      } else {
        read = readFields(object, Object.keys(object));
        if (!harmless(read)) return undefined;
      }
    }
    // Decisions by (target, state, step) in one flat array (one load on a hit).
    const slot = (target * 8 + state) * MAX_KEPT_STEPS;
    if (entry !== undefined) {
      const outcome = steps.run(entry.facts, read);
      if (outcome < 0) return undefined;
      const make = outcome < MAX_KEPT_STEPS ? entry.ids[slot + outcome] : undefined;
      if (make !== undefined) {
        const stats = kept.stats();
        if (stats !== null) stats.check = (stats.check ?? 0) + 1;
        return make();
      }
    }
    try {
      return stepsMiss(kept, core, steps, pair[2], target, slot, state, snapshot, object, read, entry);
    } catch {
      return undefined;
    }
  }

  // A step not seen yet for this user and target: the step found on what checkSteps read, that
  // decided by wasm, the decision kept under the step. `read`: checkSteps' values of the members
  // the policy reads (`byValues`; the others, harmless and not read by the decision, are copied
  // here), or its copy of the object.
  function stepsMiss(kept, core, steps, reads, target, slot, state, snapshot, object, read, entry) {
    if (++kept.stepsChecks >= STEPS_PERIOD) {
      if (kept.stepsNewUsers * 2 > kept.stepsChecks) kept.stepsRest = STEPS_REST;
      kept.stepsChecks = 0;
      kept.stepsNewUsers = 0;
    }
    const sentUser = snapshot === undefined ? undefined : snapshotValue(snapshot);
    let sentObject = read;
    if (object !== undefined && steps.byValues) {
      sentObject = readFields(object, Object.keys(object).filter((name) => !reads.includes(name)));
      if (!harmless(sentObject)) return undefined;
      for (let k = 0; k < reads.length; k++) if (read[k] !== undefined) sentObject[reads[k]] = read[k];
    }
    if (entry === undefined) {
      if (sentUser === undefined) {
        entry = kept.checkAnonymous = { facts: kept.anonymousFacts(core), ids: [] };
      } else {
        kept.stepsNewUsers++;
        try {
          entry = kept.newEntry(core, snapshot, sentUser);
        } catch {
          // Not this way: the memo and the whole way answer, or throw, as before.
          return undefined;
        }
      }
    }
    const outcome = steps.run(entry.facts, read);
    if (outcome < 0) return undefined;
    const bytes = state === 0 ? EMPTY : encodePair(sentUser, sentObject);
    if (mayBeTooLong(bytes.length + MAX_NAMES_CHARS)) return undefined;
    const id = core.checkResolved(target, state, state === 0 ? 0 : encodedUserLength(), bytes);
    if (id === NOT_PACKED) return undefined;
    const make = makerOf(kept, core, id);
    if (make === undefined) return undefined;
    if (outcome < MAX_KEPT_STEPS) entry.ids[slot + outcome] = make;
    return make();
  }

  // A check target's steps (`makeSteps`), fetched from the core once.
  function stepsOf(kept, core, pair, withObject, target) {
    let code = core.checkProgram(target);
    const texts = core.checkProgramTexts(target);
    const transform = kept.transform();
    if (transform !== null) code = transform(code, texts);
    pair[3 + withObject] = makeSteps([code, texts], withObject === 1 ? pair[2] : []);
    return pair[3 + withObject];
  }

  // checkTarget's id for (view, action, with an object), kept per gate (bounded).
  function checkTarget(kept, core, view, action, withObject) {
    if (view.length > MAX_CONTEXT_CHARS || action.length > MAX_CONTEXT_CHARS) return undefined;
    if (kept.checkTargetCount >= MAX_TARGETS) {
      core.clearCheckTargets();
      kept.checkTargets = new Map();
      kept.lastCheckView = undefined;
      kept.lastCheckActions = undefined;
      kept.checkTargetCount = 0;
      kept.checkMemo.clear();
      // Target ids start again: so do the decisions kept by step.
      kept.clearUsers();
      kept.checkAnonymous = undefined;
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
    kept.checkTargetCount++;
    let byAction = kept.checkTargets.get(view);
    if (byAction === undefined) {
      byAction = new Map();
      kept.checkTargets.set(view, byAction);
    }
    let pair = byAction.get(action);
    if (pair === undefined) {
      // [target without object, with one, the object fields read, their steps (stepsOf)]
      pair = [undefined, undefined, null, undefined, undefined];
      byAction.set(action, pair);
    }
    pair[withObject] = target;
    pair[3 + withObject] = undefined;
    if (withObject === 1) pair[2] = reads;
    return pair;
  }
