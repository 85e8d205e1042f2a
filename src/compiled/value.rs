//! Values crossing into the runtime without JSON: users and objects arrive in a small binary
//! encoding written by the JS glue (`pkg/src/value.js`, which follows `JSON.stringify`), and are
//! read here into the same `serde_json::Value` / [`UserInput`] the JSON path builds, with the same
//! error codes and paths. The runtime build thus needs neither a JSON parser nor serde's derived
//! readers.
//!
//! ```text
//! 0 null   1 false   2 true
//! 3 integer >= 0: LEB128 u64          4 integer < 0: LEB128 of -(n + 1)
//! 5 float: f64, 8 bytes little endian 6 string: LEB128 length, UTF-8
//! 7 array: LEB128 count, items        8 object: LEB128 count, (string key, value) pairs
//! ```
//!
//! ```
//! use drf_gate::compiled::value::{decode_value, user_from_value};
//! let bytes = [8, 2, 2, b'i', b'd', 3, 3, 7, b'i', b's', b'S', b't', b'a', b'f', b'f', 2];
//! let value = decode_value(&bytes, "$.user").unwrap();
//! assert_eq!(value, serde_json::json!({"id": 3, "isStaff": true}));
//! let user = user_from_value(&value, "$.user").unwrap();
//! assert!(user.is_staff && user.is_active);
//! ```

use crate::value::{Map, Number, Value};

use super::wire::Reader;
use crate::authentication::{AuthenticationFailure, AuthenticationOutcome, FailureKind};
use crate::error::{ContextError, ContextErrorCode};
use crate::limits::MAX_JSON_VALUES;
use crate::text::cat;
use crate::user::{ObjectPermissionsInput, UserInput};

/// serde_json's nesting limit: deeper input is refused by the JSON path, and so here.
const MAX_DEPTH: u32 = 128;

// The JSON path's words for the same limit (src/json.rs).
const TOO_MANY_VALUES: &str = "more than 65536 JSON values";

fn invalid(path: impl Into<String>, message: impl Into<String>) -> ContextError {
    ContextError::new(ContextErrorCode::InvalidContext, path, message)
}

/// Reads one encoded value; `path` names it in errors (`$.object`).
///
/// # Errors
/// `invalid_context` for bytes that are not one well-formed value, or nest deeper than 128.
pub fn decode_value(bytes: &[u8], path: &str) -> Result<Value, ContextError> {
    let mut input = Reader::new(bytes);
    let mut budget = MAX_JSON_VALUES;
    let value = read(&mut input, 0, &mut budget).map_err(|message| invalid(path, message))?;
    if !input.is_empty() {
        return Err(invalid(path, "trailing bytes after the encoded value"));
    }
    Ok(value)
}

// `budget`: how many more values may be read. The JSON path's limit (`limits::MAX_JSON_VALUES`)
// holds here too: a value costs tens of bytes of wasm memory, which never shrinks.
fn read(input: &mut Reader<'_>, depth: u32, budget: &mut usize) -> Result<Value, &'static str> {
    let malformed = |_| "a malformed encoded value";
    *budget = budget.checked_sub(1).ok_or(TOO_MANY_VALUES)?;
    Ok(match input.u8().map_err(malformed)? {
        0 => Value::Null,
        1 => Value::Bool(false),
        2 => Value::Bool(true),
        3 => Value::Number(Number::from(input.varint().map_err(malformed)?)),
        4 => {
            let magnitude = input.varint().map_err(malformed)?;
            let value = i64::try_from(magnitude).map_err(|_| "an integer out of range")?;
            Value::Number(Number::from(-1 - value))
        }
        5 => {
            let bits = u64::from_le_bytes(input.array::<8>().map_err(malformed)?);
            Value::Number(Number::from_f64(f64::from_bits(bits)).ok_or("a number JSON cannot hold")?)
        }
        6 => Value::String(input.string().map_err(malformed)?),
        tag @ (7 | 8) => {
            // serde_json refuses the 128th nested array or object.
            if depth + 1 >= MAX_DEPTH {
                return Err("recursion limit exceeded");
            }
            let count = input.count().map_err(malformed)?;
            if tag == 7 {
                // Never more room than the values left may fill (the count is the sender's word).
                let mut items = Vec::with_capacity(count.min(*budget));
                for _ in 0..count {
                    items.push(read(input, depth + 1, budget)?);
                }
                Value::Array(items)
            } else {
                let mut members = Vec::with_capacity(count.min(*budget));
                for _ in 0..count {
                    let key = input.string().map_err(malformed)?;
                    let value = read(input, depth + 1, budget)?;
                    members.push((key, value));
                }
                // A repeated key keeps its first place and its last value (serde_json's rule).
                Value::Object(members.into_iter().collect::<Map<String, Value>>())
            }
        }
        _ => return Err("a malformed encoded value"),
    })
}

/// How serde_json words an unexpected value.
fn unexpected(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => cat!("boolean `", flag, '`'),
        Value::Number(number) if number.is_f64() => cat!("floating point `", number, '`'),
        Value::Number(number) => cat!("integer `", number, '`'),
        Value::String(text) => cat!("string ", crate::text::Debug(text)),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    }
}

fn invalid_type(value: &Value, expected: &str, path: &str) -> ContextError {
    invalid(path, cat!("invalid type: ", unexpected(value), ", expected ", expected))
}

fn boolean(value: &Value, path: &str) -> Result<bool, ContextError> {
    value.as_bool().ok_or_else(|| invalid_type(value, "a boolean", path))
}

fn strings(value: &Value, path: &str) -> Result<Vec<String>, ContextError> {
    let Value::Array(items) = value else { return Err(invalid_type(value, "a sequence", path)) };
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match item {
            Value::String(text) => out.push(text.clone()),
            other => return Err(invalid_type(other, "a string", &cat!(path, '[', index, ']'))),
        }
    }
    Ok(out)
}

const USER_FIELDS: &str =
    "`id`, `username`, `isActive`, `isStaff`, `isSuperuser`, `permissions`, `objectPermissions`, `tokenUser`, `attributes`";

/// Reads a user as the JSON path reads `{"id": 3, "isStaff": true, ...}` (see [`UserInput`]).
///
/// # Errors
/// `invalid_context` naming the field (`$.user.isStaff`) for a value of the wrong shape or an
/// unknown field.
pub fn user_from_value(value: &Value, path: &str) -> Result<UserInput, ContextError> {
    let mut user = UserInput::default();
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                set_field(&mut user, key, value, &|| cat!(path, '.', key))?;
            }
        }
        // A list is no user (src/user.rs: serde's derive alone would read one by position).
        other => return Err(invalid_type(other, "struct UserInput", path)),
    }
    Ok(user)
}

// `at` names the field in errors (made only for one).
fn set_field(user: &mut UserInput, key: &str, value: &Value, at: &dyn Fn() -> String) -> Result<(), ContextError> {
    match key {
        "id" => user.id = (!value.is_null()).then(|| value.clone()),
        "username" => {
            user.username = match value {
                Value::Null => None,
                Value::String(text) => Some(text.clone()),
                other => return Err(invalid_type(other, "a string", &at())),
            }
        }
        "isActive" => user.is_active = value.as_bool().ok_or_else(|| invalid_type(value, "a boolean", &at()))?,
        "isStaff" => user.is_staff = value.as_bool().ok_or_else(|| invalid_type(value, "a boolean", &at()))?,
        "isSuperuser" => user.is_superuser = value.as_bool().ok_or_else(|| invalid_type(value, "a boolean", &at()))?,
        "tokenUser" => user.token_user = value.as_bool().ok_or_else(|| invalid_type(value, "a boolean", &at()))?,
        "permissions" => {
            user.permissions = match value {
                Value::Array(items) if items.iter().all(Value::is_string) => {
                    items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
                }
                _ => strings(value, &at())?,
            }
        }
        "objectPermissions" => {
            user.object_permissions = match value {
                Value::Null => None,
                Value::Array(_) => strings(value, "").ok().map(ObjectPermissionsInput::ForCheckedObject),
                Value::Object(by_pk) => {
                    let mut entries = Vec::with_capacity(by_pk.len());
                    let mut ok = true;
                    for (pk, list) in by_pk {
                        match strings(list, "") {
                            Ok(list) => entries.push((pk.clone(), list)),
                            Err(_) => ok = false,
                        }
                    }
                    ok.then(|| ObjectPermissionsInput::ByPk(entries.into_iter().collect()))
                }
                _ => None,
            };
            if user.object_permissions.is_none() && !value.is_null() {
                return Err(invalid(at(), "data did not match any variant of untagged enum ObjectPermissionsInput"));
            }
        }
        "attributes" => match value {
            Value::Object(attributes) => user.attributes = attributes.clone(),
            other => return Err(invalid_type(other, "a map", &at())),
        },
        _ => return Err(invalid(at(), cat!("unknown field `", key, "`, expected one of ", USER_FIELDS))),
    }
    Ok(())
}

/// Reads an encoded user (`null`: none) as [`decode_value`] then [`user_from_value`] do, with
/// the same errors. The common shape (an object of `id` as an integer or a string, `username`,
/// the flags, `permissions` as strings, each field once) is read straight from the bytes,
/// without building a JSON value first; any other shape takes the general way.
///
/// # Errors
/// As [`decode_value`] and [`user_from_value`].
///
/// ```
/// use drf_gate::compiled::value::decode_user;
/// let bytes = [8, 2, 2, b'i', b'd', 3, 3, 7, b'i', b's', b'S', b't', b'a', b'f', b'f', 2];
/// let user = decode_user(&bytes, "$.user").unwrap().unwrap();
/// assert!(user.is_staff && user.is_active && user.id == Some(serde_json::json!(3)));
/// assert!(decode_user(&[0], "$.user").unwrap().is_none());
/// ```
pub fn decode_user(bytes: &[u8], path: &str) -> Result<Option<UserInput>, ContextError> {
    // The browser runtime (no `compiler`) keeps to the general way: smaller, and its checks are
    // few (`can` is the UI's hot path).
    #[cfg(any(feature = "compiler", feature = "edge"))]
    if let Some(user) = plain_user(bytes) {
        return Ok(user);
    }
    match decode_value(bytes, path)? {
        Value::Null => Ok(None),
        value => user_from_value(&value, path).map(Some),
    }
}

// Most permissions a user may carry on the direct way (beyond: the general way, which counts
// values against the JSON path's limit).
#[cfg(any(feature = "compiler", feature = "edge"))]
const PLAIN_PERMISSIONS: usize = 1024;

/// [`decode_user`]'s direct way: `None` for anything but the common shape, well formed.
#[cfg(any(feature = "compiler", feature = "edge"))]
fn plain_user(bytes: &[u8]) -> Option<Option<UserInput>> {
    let mut input = Reader::new(bytes);
    let user = match input.u8().ok()? {
        0 => None,
        8 => {
            let mut user = UserInput::default();
            let mut seen = 0u8;
            for _ in 0..input.count().ok()? {
                let (bit, key) = match input.str().ok()? {
                    "id" => (1, 0),
                    "username" => (2, 1),
                    "isActive" => (4, 2),
                    "isStaff" => (8, 3),
                    "isSuperuser" => (16, 4),
                    "tokenUser" => (32, 5),
                    "permissions" => (64, 6),
                    _ => return None,
                };
                if seen & bit != 0 {
                    return None; // a repeated key: the last one wins, the general way knows how
                }
                seen |= bit;
                let tag = input.u8().ok()?;
                match (key, tag) {
                    (0, 0) => user.id = None,
                    (0, 3) => user.id = Some(Value::Number(Number::from(input.varint().ok()?))),
                    (0, 4) => {
                        let magnitude = i64::try_from(input.varint().ok()?).ok()?;
                        user.id = Some(Value::Number(Number::from(-1 - magnitude)));
                    }
                    (0, 6) => user.id = Some(Value::String(input.string().ok()?)),
                    (1, 0) => user.username = None,
                    (1, 6) => user.username = Some(input.string().ok()?),
                    (2..=5, 1 | 2) => {
                        let flag = tag == 2;
                        match key {
                            2 => user.is_active = flag,
                            3 => user.is_staff = flag,
                            4 => user.is_superuser = flag,
                            _ => user.token_user = flag,
                        }
                    }
                    (6, 7) => {
                        let count = input.count().ok()?;
                        if count > PLAIN_PERMISSIONS {
                            return None;
                        }
                        let mut permissions = Vec::with_capacity(count);
                        for _ in 0..count {
                            if input.u8().ok()? != 6 {
                                return None;
                            }
                            permissions.push(input.string().ok()?);
                        }
                        user.permissions = permissions;
                    }
                    _ => return None,
                }
            }
            Some(user)
        }
        _ => return None,
    };
    input.is_empty().then_some(user)
}

/// Reads an authentication outcome as the JSON path reads `{"succeeded": "token"}`,
/// `{"none": true}` or `{"failed": {"detail": ..., "code": ..., "exception": ...}}`.
///
/// # Errors
/// `invalid_context` naming the place, for any other shape.
pub fn outcome_from_value(value: &Value, path: &str) -> Result<AuthenticationOutcome, ContextError> {
    let expected = "one of `succeeded`, `none`, `failed`";
    let Value::Object(map) = value else {
        return match value {
            Value::String(text) => Err(invalid(path, cat!("unknown variant `", text, "`, expected ", expected))),
            other => Err(invalid_type(other, "enum AuthenticationOutcome", path)),
        };
    };
    let mut entries = map.iter();
    let (Some((key, inner)), None) = (entries.next(), entries.next()) else {
        return Err(invalid(path, "invalid type: map, expected map with a single key"));
    };
    let at = cat!(path, '.', key);
    Ok(match key.as_str() {
        "succeeded" => match inner {
            Value::String(name) => AuthenticationOutcome::Succeeded(name.clone()),
            other => return Err(invalid_type(other, "a string", &at)),
        },
        "none" => AuthenticationOutcome::None(boolean(inner, &at)?),
        "failed" => {
            let Value::Object(fields) = inner else {
                return Err(invalid_type(inner, "struct AuthenticationFailure", &at));
            };
            let mut failure =
                AuthenticationFailure { exception: FailureKind::default(), detail: Value::Null, code: None };
            let mut detail = false;
            for (field, value) in fields {
                let field_at = cat!(at, '.', field);
                match field.as_str() {
                    "detail" => {
                        failure.detail = value.clone();
                        detail = true;
                    }
                    "code" => {
                        failure.code = match value {
                            Value::Null => None,
                            Value::String(code) => Some(code.clone()),
                            other => return Err(invalid_type(other, "a string", &field_at)),
                        }
                    }
                    "exception" => {
                        failure.exception = match value.as_str() {
                            Some("AuthenticationFailed") => FailureKind::AuthenticationFailed,
                            Some("PermissionDenied") => FailureKind::PermissionDenied,
                            Some("ParseError") => FailureKind::ParseError,
                            Some("UnsupportedMediaType") => FailureKind::UnsupportedMediaType,
                            Some("BadRequest") => FailureKind::BadRequest,
                            Some("ServerError") => FailureKind::ServerError,
                            Some(other) => return Err(invalid(field_at, cat!("unknown variant `", other, "`, expected one of `AuthenticationFailed`, `PermissionDenied`, `ParseError`, `UnsupportedMediaType`, `BadRequest`, `ServerError`"))),
                            None => return Err(invalid_type(value, "enum FailureKind", &field_at)),
                        }
                    }
                    _ => return Err(invalid(field_at, cat!("unknown field `", field, "`, expected one of `exception`, `detail`, `code`"))),
                }
            }
            if !detail {
                return Err(invalid(&at, "missing field `detail`"));
            }
            AuthenticationOutcome::Failed(failure)
        }
        _ => return Err(invalid(at, cat!("unknown variant `", key, "`, expected ", expected))),
    })
}

/// A raw request's target's `object` (as a `check` context's) as the JSON path reads
/// `"object": ...`: its encoding, `None` or an encoded `null` being a lookup miss.
///
/// ```
/// use drf_gate::compiled::value::decode_object;
/// assert_eq!(decode_object(Some(&[0])).unwrap(), None);
/// assert_eq!(decode_object(Some(&[3, 7])).unwrap(), Some(serde_json::json!(7).into()));
/// ```
///
/// # Errors
/// As [`decode_value`], at `$.object`.
// `EncodedContext::decode` reads a context's object the same way, inline: sharing this function
// costs the browser runtime 46 bytes (measured), so the raw request's builds alone have it.
#[cfg(feature = "edge")]
pub fn decode_object(bytes: Option<&[u8]>) -> Result<Option<Value>, ContextError> {
    match bytes {
        Some(bytes) => match decode_value(bytes, "$.object")? {
            Value::Null => Ok(None),
            value => Ok(Some(value)),
        },
        None => Ok(None),
    }
}

/// A context's fields as the JS binding passes them without JSON: names as strings, and the
/// user, authentication outcome and object in the binary value encoding of
/// this module (`object_state`: 0 absent, 1 a lookup miss, 2 in `object`).
#[derive(Debug, Default)]
pub struct EncodedContext<'b> {
    /// `view`.
    pub view: String,
    /// `action`.
    pub action: Option<String>,
    /// `method`.
    pub method: Option<String>,
    /// `detail`.
    pub detail: Option<bool>,
    /// `user`, encoded.
    pub user: Option<&'b [u8]>,
    /// `authentication`, encoded.
    pub authentication: Option<&'b [u8]>,
    /// 0: no object; 1: a lookup miss (`null`); 2: `object`.
    pub object_state: u8,
    /// `object`, encoded.
    pub object: Option<&'b [u8]>,
    /// `accept`.
    pub accept: Option<String>,
    /// `lookupError`.
    pub lookup_error: bool,
    /// `trace`.
    pub trace: bool,
    /// `apiKeys`, encoded (an object of booleans). The builds that read it (not the browser
    /// runtime, which states no key, as in `can`).
    #[cfg(any(feature = "compiler", feature = "edge"))]
    pub api_keys: Option<&'b [u8]>,
}

impl EncodedContext<'_> {
    /// Decodes the encoded fields into a [`Context`].
    ///
    /// # Errors
    /// A [`crate::ContextError`] naming the field that does not decode or has the wrong shape.
    ///
    /// ```
    /// use drf_gate::compiled::value::EncodedContext;
    /// let context = EncodedContext { view: "posts".into(), action: Some("list".into()), ..Default::default() }.decode().unwrap();
    /// assert_eq!(context.view, "posts");
    /// ```
    pub fn decode(self) -> Result<crate::context::Context, crate::ContextError> {
        let user = match self.user {
            Some(bytes) => decode_user(bytes, "$.user")?,
            None => None,
        };
        let authentication = match self.authentication {
            Some(bytes) => match decode_value(bytes, "$.authentication")? {
                Value::Null => None,
                value => Some(outcome_from_value(&value, "$.authentication")?),
            },
            None => None,
        };
        let object = match (self.object_state, self.object) {
            (0, _) => None,
            (_, Some(bytes)) => match decode_value(bytes, "$.object")? {
                Value::Null => Some(None),
                value => Some(Some(value)),
            },
            (_, None) => Some(None),
        };
        Ok(crate::context::Context {
            view: self.view,
            action: self.action,
            method: self.method,
            detail: self.detail,
            user,
            authentication,
            object,
            accept: self.accept,
            lookup_error: self.lookup_error,
            trace: self.trace,
            #[cfg(any(feature = "compiler", feature = "edge"))]
            api_keys: match self.api_keys {
                Some(bytes) => api_keys_from_value(&decode_value(bytes, "$.apiKeys")?, "$.apiKeys")?,
                None => None,
            },
            // The browser runtime states no key (`gate::context_api_keys`).
            #[cfg(not(any(feature = "compiler", feature = "edge")))]
            api_keys: None,
        })
    }
}

/// A context's `apiKeys` as the JSON path reads it (`Option<NameMap<bool>>`): `null` states
/// none; otherwise an object of booleans, the last of a repeated name winning.
#[cfg(any(feature = "compiler", feature = "edge"))]
fn api_keys_from_value(value: &Value, path: &str) -> Result<Option<crate::perm_table::NameMap<bool>>, ContextError> {
    let map = match value {
        Value::Null => return Ok(None),
        Value::Object(map) => map,
        other => return Err(invalid_type(other, "a map", path)),
    };
    let mut keys = Vec::with_capacity(map.len());
    for (name, stated) in map.iter() {
        keys.push((name.clone(), boolean(stated, &cat!(path, '.', name))?));
    }
    Ok(Some(keys.into_iter().collect()))
}

#[cfg(test)]
#[cfg(feature = "compiler")]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    /// What `pkg/src/value.js` writes, in Rust, for the tests.
    fn encode(value: &Value, out: &mut Vec<u8>) {
        let varint = |out: &mut Vec<u8>, mut n: u64| loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        };
        match value {
            Value::Null => out.push(0),
            Value::Bool(flag) => out.push(if *flag { 2 } else { 1 }),
            Value::Number(number) => {
                if let Some(n) = number.as_u64() {
                    out.push(3);
                    varint(out, n);
                } else if let Some(n) = number.as_i64() {
                    out.push(4);
                    varint(out, (-(n + 1)) as u64);
                } else {
                    out.push(5);
                    out.extend_from_slice(&number.as_f64().unwrap().to_bits().to_le_bytes());
                }
            }
            Value::String(text) => {
                out.push(6);
                varint(out, text.len() as u64);
                out.extend_from_slice(text.as_bytes());
            }
            Value::Array(items) => {
                out.push(7);
                varint(out, items.len() as u64);
                for item in items {
                    encode(item, out);
                }
            }
            Value::Object(map) => {
                out.push(8);
                varint(out, map.len() as u64);
                for (key, item) in map {
                    varint(out, key.len() as u64);
                    out.extend_from_slice(key.as_bytes());
                    encode(item, out);
                }
            }
        }
    }

    #[test]
    fn values_round_trip() {
        for value in [
            json!(null),
            json!({"id": 3, "owner": {"id": -4, "pk": "x"}, "tags": [1.5, true, false, null, "é"], "big": u64::MAX, "neg": i64::MIN}),
        ] {
            let mut bytes = Vec::new();
            encode(&value, &mut bytes);
            assert_eq!(decode_value(&bytes, "$.object").unwrap(), value);
            for len in 0..bytes.len() {
                assert_eq!(decode_value(&bytes[..len], "$.object").unwrap_err().code, "invalid_context");
            }
        }
    }

    #[test]
    fn values_are_limited_like_the_json_path() {
        assert_eq!(TOO_MANY_VALUES, format!("more than {MAX_JSON_VALUES} JSON values"));
        // The array itself is a value: MAX_JSON_VALUES - 1 items fit, one more does not.
        for (items, fits) in [(MAX_JSON_VALUES - 1, true), (MAX_JSON_VALUES, false), (1_000_000, false)] {
            let mut bytes = Vec::new();
            encode(&Value::Array(vec![json!(0); items]), &mut bytes);
            let decoded = decode_value(&bytes, "$.object");
            assert_eq!(decoded.is_ok(), fits, "{items} items");
            if !fits {
                assert_eq!(decoded.unwrap_err().message, TOO_MANY_VALUES);
            }
        }
        #[cfg(feature = "compiler")]
        {
            let json = format!("[{}0]", "0,".repeat(MAX_JSON_VALUES - 2));
            assert!(crate::json::from_text::<Value>(&json).is_ok(), "the JSON path takes as many");
            let json = format!("[{}0]", "0,".repeat(MAX_JSON_VALUES - 1));
            assert!(crate::json::from_text::<Value>(&json).is_err(), "and refuses one more");
        }
    }

    #[test]
    fn nesting_is_limited_like_serde_json() {
        let ok = "[".repeat(127) + &"]".repeat(127);
        let deep = "[".repeat(128) + &"]".repeat(128);
        for (text, fine) in [(ok, true), (deep, false)] {
            let json_path = serde_json::from_str::<Value>(&text).is_ok();
            assert_eq!(json_path, fine);
            let value: Value = if fine { serde_json::from_str(&text).unwrap() } else { json!(null) };
            let mut bytes = Vec::new();
            if fine {
                encode(&value, &mut bytes);
            } else {
                bytes.extend(std::iter::repeat_n([7u8, 1], 127).flatten());
                bytes.extend_from_slice(&[7, 0]);
            }
            assert_eq!(decode_value(&bytes, "$").is_ok(), fine);
        }
    }

    /// The direct user reader agrees with the general one (value, then user) on every shape,
    /// common or not, and on every truncation.
    #[test]
    fn users_read_directly_as_the_general_way() {
        let general = |bytes: &[u8]| match decode_value(bytes, "$.user") {
            Ok(Value::Null) => Ok(None),
            Ok(value) => user_from_value(&value, "$.user").map(Some),
            Err(error) => Err(error),
        };
        let cases = [
            json!(null),
            json!({}),
            json!({"id": 3, "username": "ann", "isActive": false, "isStaff": true, "isSuperuser": true, "tokenUser": true}),
            json!({"id": "3", "username": null, "permissions": ["a.b", "c.d"]}),
            json!({"id": -4, "permissions": []}),
            json!({"id": null}),
            json!({"id": 1.5}),
            json!({"id": u64::MAX}),
            json!({"id": i64::MIN}),
            json!({"id": [3]}),
            json!({"id": {"pk": 3}}),
            json!({"isStaff": "yes"}),
            json!({"isStaff": null}),
            json!({"permissions": ["a", 3]}),
            json!({"permissions": "a"}),
            json!({"username": 3}),
            json!({"name": "x"}),
            json!({"objectPermissions": ["x"], "attributes": {"team": 1}}),
            json!([1]),
            json!("x"),
            json!(3),
        ];
        for case in cases {
            let mut bytes = Vec::new();
            encode(&case, &mut bytes);
            for len in 0..=bytes.len() {
                let part = &bytes[..len];
                match (general(part), decode_user(part, "$.user")) {
                    (Ok(expected), Ok(got)) => assert_eq!(format!("{expected:?}"), format!("{got:?}"), "{case}"),
                    (Err(expected), Err(got)) => {
                        assert_eq!((expected.path, expected.message), (got.path, got.message), "{case}");
                    }
                    (expected, got) => panic!("{case} ({len} bytes): general {expected:?}, direct {got:?}"),
                }
            }
        }
        // A repeated key: the last one wins, as the general way reads it.
        let repeated =
            [8, 2, 7, b'i', b's', b'S', b't', b'a', b'f', b'f', 2, 7, b'i', b's', b'S', b't', b'a', b'f', b'f', 1];
        assert!(!decode_user(&repeated, "$.user").unwrap().unwrap().is_staff);
        assert_eq!(
            format!("{:?}", decode_user(&repeated, "$.user").unwrap()),
            format!("{:?}", general(&repeated).unwrap())
        );
        // Trailing bytes are refused either way.
        let trailing = [0, 0];
        assert_eq!(decode_user(&trailing, "$.user").unwrap_err().message, general(&trailing).unwrap_err().message);
    }

    /// The hand-written user reader agrees with the JSON path on what it accepts, and on where
    /// it says a user is wrong.
    #[test]
    fn users_read_as_the_json_path_reads_them() {
        let cases = [
            json!({}),
            json!({"id": 3, "username": "ann", "isActive": false, "isStaff": true, "isSuperuser": true, "tokenUser": true,
                   "permissions": ["a.b"], "objectPermissions": ["x"], "attributes": {"team": 1}}),
            json!({"id": null, "username": null, "objectPermissions": null}),
            json!({"objectPermissions": {"7": ["change_post"]}}),
            json!({"isStaff": "yes"}),
            json!({"isStaff": null}),
            json!({"permissions": ["a", 3]}),
            json!({"permissions": "a"}),
            json!({"objectPermissions": 3}),
            json!({"objectPermissions": {"7": [1]}}),
            json!({"attributes": []}),
            json!({"username": 3}),
            json!({"name": "x"}),
            json!([1]),
            json!([]),
            json!([1, "ann", false, true]),
            json!([1, null, true, true, false, [], null, false, {}, 5]),
            json!("x"),
        ];
        for case in cases {
            let json_path = crate::json::from_json::<UserInput>(&crate::json::Json::from(case.clone()));
            let here = user_from_value(&case, "$.user");
            match (json_path, here) {
                (Ok(expected), Ok(got)) => assert_eq!(format!("{expected:?}"), format!("{got:?}"), "{case}"),
                (Err(expected), Err(got)) => {
                    assert_eq!(expected.path("$.user"), got.path, "{case}");
                    assert_eq!(expected.message(), got.message, "{case}");
                }
                (expected, got) => panic!("{case}: json path {expected:?}, binary path {got:?}"),
            }
        }
        // A list is no user on either path (serde's derive alone reads a struct from one).
        for case in [json!([]), json!([1, "ann", false, true])] {
            let refused = user_from_value(&case, "$.user").unwrap_err();
            assert_eq!(
                (refused.path.as_str(), refused.message.as_str()),
                ("$.user", "invalid type: sequence, expected struct UserInput")
            );
        }
    }

    /// A context's `apiKeys`, encoded, reads as the JSON path reads it: the same keys, and the
    /// same refusals at the same paths.
    #[test]
    fn api_keys_read_as_the_json_path_reads_them() {
        type Stated = Option<crate::perm_table::NameMap<bool>>;
        let cases = [
            json!(null),
            json!({}),
            json!({"rest_framework_api_key.APIKey": true, "HasOrgKey": false}),
            json!({"a.B": 1}),
            json!({"a.B": true, "c.D": null}),
            json!([true]),
            json!("yes"),
            json!(true),
        ];
        for case in cases {
            let json_path = crate::json::from_json::<Stated>(&crate::json::Json::from(case.clone()));
            let mut bytes = Vec::new();
            encode(&case, &mut bytes);
            let context = EncodedContext { view: "v".into(), api_keys: Some(&bytes), ..Default::default() };
            match (json_path, context.decode()) {
                (Ok(expected), Ok(got)) => assert_eq!(expected, got.api_keys, "{case}"),
                (Err(expected), Err(got)) => {
                    assert_eq!(expected.path("$.apiKeys"), got.path, "{case}");
                    assert_eq!(expected.message(), got.message, "{case}");
                }
                (expected, got) => panic!("{case}: json path {expected:?}, binary path {got:?}"),
            }
        }
    }
}
