// A user record as the core reads it (src/user.rs `UserInput`), read in JS when it is plain
// enough: a raw request's user lookup answers with one typed (check-request.js), and `can` makes
// its facts without the core (program.js `plainUserFacts`).

import { boxed, literalUnboxed } from "./value.js";

/**
 * A plain record: the one rule of every JS path (`can`, `check`, `checkRequest`, the guard's
 * resolver answers) for "read this member by member". A non-array object without toJSON whose
 * prototype is null or an `Object.prototype`, of this realm or another (a `vm` context, an
 * iframe), and that is no boxed primitive (whatever its prototype, JSON.stringify writes a box as
 * its primitive, or refuses it). Anything else crosses as JSON.stringify writes it, or, from a
 * guard's store, is unknown.
 *
 * ```js
 * plainRecord({ id: 3 }); // true
 * plainRecord(new Map()); // false
 * plainRecord(Object.setPrototypeOf(new Number(3), Object.prototype)); // false: its JSON is null
 * ```
 */
export function plainRecord(value) {
  // Its own toJSON load, not plainShape's: V8 keeps a load's shapes per function (plainRecordHot).
  if (typeof value !== "object" || value === null || typeof value.toJSON === "function") return false;
  return recordPrototype(value, Object.getPrototypeOf(value)) && !boxed(value);
}

/**
 * `plainRecord` but for its box test (`Object.prototype.toString`, ~5 ns), for a hot path that
 * runs it where the value is first kept: a user whose snapshot is found by identity was tested
 * when it was made (an object never gains nor loses its primitive slot).
 *
 * ```js
 * plainShape({ id: 3 }); // true
 * ```
 */
export function plainShape(value) {
  if (typeof value !== "object" || value === null || typeof value.toJSON === "function") return false;
  return recordPrototype(value, Object.getPrototypeOf(value));
}

/**
 * plainRecord, for the paths that run on every call (check's context and object; the user's
 * shape is plainShape's, its box tested once per kept snapshot): the same answer, or `false` for
 * an unusual record (the caller then takes the whole way), with the load of `toJSON` and the
 * common case (an object literal) in a function of its own. V8 keeps a load's object shapes per function: plainRecord's sees every
 * path's (checkRequest's rows, the guard's answers, the prototype-less snapshot copies a new
 * user's facts are made from) and turns megamorphic, ~530 instructions more per `check`
 * (bench/notes.md, "check 228 ns, found"); this one sees the few shapes callers pass.
 *
 * ```js
 * plainRecordHot({ id: 3 }); // true
 * ```
 */
export function plainRecordHot(value) {
  if (typeof value !== "object" || value === null || typeof value.toJSON === "function") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype) return literalUnboxed(value);
  return recordPrototype(value, proto) && !boxed(value);
}

/**
 * plainRecord's rule once `value` is known to be an object without toJSON: by its prototype
 * `proto` (plainRecord and plainRecordHot read `toJSON` each in a function of their own).
 *
 * ```js
 * recordPrototype({ id: 3 }, Object.prototype); // true
 * ```
 */
export function recordPrototype(value, proto) {
  // A list is a list to JSON.stringify whatever its prototype (none, or Object.prototype).
  if (Array.isArray(value)) return false;
  if (proto === Object.prototype) return true;
  return proto === null || objectPrototype(proto);
}

const functionSource = Function.prototype.toString;
const OBJECT_SOURCE = functionSource.call(Object);

// Another realm's Object.prototype: no prototype of its own, and its constructor is that realm's
// built-in Object (a class of ours, or a prototype chain ending early, is not).
function objectPrototype(proto) {
  if (Object.getPrototypeOf(proto) !== null) return false;
  const constructor = Object.getOwnPropertyDescriptor(proto, "constructor");
  const made = constructor && constructor.value;
  return typeof made === "function" && made.prototype === proto && functionSource.call(made) === OBJECT_SOURCE;
}

// Most characters of a record's strings read here (its JSON stays far below the JSON path's cap).
const MAX_PLAIN_USER_CHARS = 64 * 1024;

/**
 * A user record as the core reads its JSON (src/user.rs `UserInput`: every member, in its order,
 * defaults filled in), when it is plain enough to be read here: a plain object whose members are
 * an id (a safe integer or a well-formed string), a username, the four flags as booleans,
 * permissions as an array of well-formed strings, a null objectPermissions and an empty
 * attributes object. Anything else: null (the record then goes to the core as it always did).
 * Each member is read once. A permission holding NUL is refused too: typed, the permissions
 * cross joined by NUL (check-request.js `typedUser`).
 *
 * ```js
 * plainUser({ id: 3, isStaff: true }); // { id: 3, username: null, isActive: true, isStaff: true, ... }
 * ```
 */
export function plainUser(record) {
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
          if (typeof permission !== "string" || permission.includes("\0") || !permission.isWellFormed?.()) return null;
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
    if (chars > MAX_PLAIN_USER_CHARS) return null;
  }
  return user;
}
