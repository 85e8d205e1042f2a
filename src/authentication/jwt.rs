//! simplejwt 5.5.1's `JWTAuthentication` and `JWTStatelessUserAuthentication`, with PyJWT
//! 2.x's `jwt.decode` semantics.
//!
//! The algorithm always comes from the settings (`ALGORITHM`): the token's `alg` header only has
//! to be equal to it, so `none` and HS/RS confusion are refused. Every PyJWT failure collapses to
//! `Token is invalid`, except expiry (`Token is expired`); claim checks run in PyJWT's order
//! (`iat`, `nbf`, `exp`, `iss`, `aud`, `sub`, `jti`), so a token both immature and expired is
//! "invalid". Then simplejwt's `verify()`: `Token has no 'exp' claim`, `Token has no id`,
//! `Token has no type` / `Token has wrong type`.

use serde_json::{json, Value};

use super::backends::JwtKey;
use super::pybase64::{base64url_decode, base64url_decode_fast};
use super::pyjson::{loads_bytes, loads_bytes_fast, nesting_depth, PyValue, UNCERTAIN_DEPTH};
use super::request::RawRequest;
use super::resolver::{Lookup, LookupKey, Resolver};
use super::settings::{CompiledSettings, JwtSettings, UserIdKind};
pub use super::settings::{Hash, TokenClass};
use super::{latin1, AuthenticationFailure, FailureKind, Step};
use crate::user::UserInput;

/// Why PyJWT's `decode` failed, as simplejwt sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeFailure {
    /// `ExpiredSignatureError` -> `Token is expired`.
    Expired,
    /// Any other `InvalidTokenError` -> `Token is invalid`.
    Invalid,
    /// The reference server crashes (uncaught `TypeError`/`ValueError`): an `exp` that is a
    /// numeric string, or beyond year 9999; or only its stack decides (JSON nesting in
    /// [`UNCERTAIN_DEPTH`]). The edge forwards.
    ServerError(&'static str),
}

pub use crate::pystr::decimal_value;

/// Python's `int(x)` for a JSON value: `None` when it raises (TypeError/ValueError/
/// OverflowError). Strings follow `int(str)`: surrounding whitespace, a sign, Unicode decimal
/// digits ([`decimal_value`]) with single `_` separators.
///
/// ```
/// use drf_gate::authentication::jwt::py_int;
/// use drf_gate::authentication::pyjson::PyValue;
/// assert_eq!(py_int(&PyValue::Str(" 1_7\u{660} ".into())), Some(170));
/// assert_eq!(py_int(&PyValue::Str("1__7".into())), None);
/// ```
pub fn py_int(value: &PyValue) -> Option<i128> {
    match value {
        PyValue::Bool(b) => Some(i128::from(*b)),
        PyValue::Int(i) => Some(*i),
        PyValue::Float(f) if f.is_finite() => Some(f.trunc() as i128),
        PyValue::Str(s) => {
            let s = crate::pystr::py_strip(s);
            let (negative, digits) = match s.as_bytes().first() {
                Some(b'-') => (true, s.get(1..)?),
                Some(b'+') => (false, s.get(1..)?),
                _ => (false, s),
            };
            if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
                return None;
            }
            let mut value: i128 = 0;
            let mut count = 0usize;
            for c in digits.chars() {
                if c == '_' {
                    continue;
                }
                let d = decimal_value(c)?;
                count += 1;
                value = value.saturating_mul(10).saturating_add(i128::from(d));
            }
            if count > 4300 {
                return None;
            }
            Some(if negative { -value } else { value })
        }
        _ => None,
    }
}

/// Python's `int > float` (exact while the int is below 2^53, which covers every timestamp).
fn int_gt(a: i128, b: f64) -> bool {
    (a as f64) > b
}

/// The configuration PyJWT's `decode` needs.
pub(crate) struct DecodeConfig<'a> {
    pub key: &'a JwtKey,
    pub algorithm: &'a str,
    pub audience: Option<&'a [String]>,
    pub issuer: Option<&'a [String]>,
    pub leeway: f64,
}

/// `jwt.decode(token, key, algorithms=[ALGORITHM], audience=..., issuer=..., leeway=...,
/// options={"verify_aud": AUDIENCE is not None})`, then simplejwt's backend mapping.
pub(crate) fn decode(token: &[u8], config: &DecodeConfig<'_>, now: f64) -> Result<PyValue, DecodeFailure> {
    use DecodeFailure::Invalid;
    // No length limit of our own: simplejwt decodes any length, and every step here is linear.
    // _load
    let dot = token.iter().rposition(|&b| b == b'.').ok_or(Invalid)?;
    let (signing_input, crypto_segment) = (token.get(..dot).ok_or(Invalid)?, token.get(dot + 1..).ok_or(Invalid)?);
    let dot = signing_input.iter().position(|&b| b == b'.').ok_or(Invalid)?;
    let (header_segment, payload_segment) =
        (signing_input.get(..dot).ok_or(Invalid)?, signing_input.get(dot + 1..).ok_or(Invalid)?);
    // The header PyJWT writes for HS256 (`{"alg":"HS256","typ":"JWT"}`) decodes to that dict:
    // no `b64`, `kid` or `crit`, so only the algorithm is left to check. Any other text is read.
    let alg = if header_segment == HS256_JWT_HEADER { None } else { Some(read_header(header_segment)?) };
    let payload_bytes = decode_segment(payload_segment).ok_or(Invalid)?;
    let signature = decode_segment(crypto_segment).ok_or(Invalid)?;
    // _verify_signature: the token's alg must equal ALGORITHM; the key decides how to verify.
    let alg_matches = match &alg {
        None => config.algorithm == "HS256",
        Some(PyValue::Str(alg)) => alg == config.algorithm,
        Some(_) => false,
    };
    if !alg_matches {
        return Err(Invalid);
    }
    if !config.key.verify(signing_input, &signature) {
        return Err(Invalid);
    }
    // _decode_payload
    let payload = loads_claims(&payload_bytes)?;
    if !matches!(payload, PyValue::Dict(_)) {
        return Err(Invalid);
    }
    // _validate_claims, in PyJWT's order.
    let leeway = config.leeway;
    if let Some(iat) = payload.get("iat") {
        let iat = py_int(iat).ok_or(Invalid)?;
        if int_gt(iat, now + leeway) {
            return Err(Invalid);
        }
    }
    if let Some(nbf) = payload.get("nbf") {
        let nbf = py_int(nbf).ok_or(Invalid)?;
        if int_gt(nbf, now + leeway) {
            return Err(Invalid);
        }
    }
    if let Some(exp) = payload.get("exp") {
        let exp_int = py_int(exp).ok_or(Invalid)?;
        if !int_gt(exp_int, now - leeway) {
            return Err(DecodeFailure::Expired);
        }
    }
    if let Some(issuers) = config.issuer {
        match payload.get("iss") {
            Some(PyValue::Str(iss)) if issuers.iter().any(|i| i == iss) => {}
            _ => return Err(Invalid),
        }
    }
    if let Some(audience) = config.audience {
        let claims: Vec<&String> = match payload.get("aud") {
            None => return Err(Invalid),
            Some(aud) if !aud.truthy() => return Err(Invalid),
            Some(PyValue::Str(one)) => vec![one],
            Some(PyValue::List(items)) => {
                let mut claims = Vec::with_capacity(items.len());
                for item in items {
                    let PyValue::Str(s) = item else { return Err(Invalid) };
                    claims.push(s);
                }
                claims
            }
            Some(_) => return Err(Invalid),
        };
        if !audience.iter().any(|a| claims.contains(&a)) {
            return Err(Invalid);
        }
    }
    for claim in ["sub", "jti"] {
        if let Some(value) = payload.get(claim) {
            if !matches!(value, PyValue::Str(_)) {
                return Err(Invalid);
            }
        }
    }
    Ok(payload)
}

/// `base64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")`: the header segment of every token PyJWT
/// signs with HS256 (simplejwt's default).
const HS256_JWT_HEADER: &[u8] = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// PyJWT's header checks (`_load`, `_validate_headers`) on a header segment: `Ok` with its
/// `alg` (`PyValue::None` when absent), `Err` when PyJWT raises `DecodeError`.
fn read_header(header_segment: &[u8]) -> Result<PyValue, DecodeFailure> {
    use DecodeFailure::Invalid;
    let header = loads_claims(&decode_segment(header_segment).ok_or(Invalid)?)?;
    if !matches!(header, PyValue::Dict(_)) {
        return Err(Invalid);
    }
    // b64=false needs a detached payload simplejwt never passes: always a DecodeError.
    if header.get("b64") == Some(&PyValue::Bool(false)) {
        return Err(Invalid);
    }
    // _validate_headers
    if let Some(kid) = header.get("kid") {
        if !matches!(kid, PyValue::Str(_)) {
            return Err(Invalid);
        }
    }
    if let Some(crit) = header.get("crit") {
        let PyValue::List(items) = crit else { return Err(Invalid) };
        if items.is_empty() {
            return Err(Invalid);
        }
        for item in items {
            match item {
                PyValue::Str(ext) if ext == "b64" && header.get("b64").is_some() => {}
                _ => return Err(Invalid),
            }
        }
    }
    Ok(header.get("alg").cloned().unwrap_or(PyValue::None))
}

/// `json.loads` of a JWT header or payload as PyJWT runs it (`Invalid`: it raised): the fast
/// path for the flat ASCII claims simplejwt writes, else the exact emulation. Nesting deep
/// enough that the server's stack decides whether it parses is left to the server.
fn loads_claims(data: &[u8]) -> Result<PyValue, DecodeFailure> {
    if let Some(value) = loads_bytes_fast(data) {
        return Ok(value);
    }
    let loaded = loads_bytes(data);
    if UNCERTAIN_DEPTH.contains(&nesting_depth(data)) {
        return Err(DecodeFailure::ServerError("JSON nested near the recursion limit"));
    }
    loaded.map_err(|_| DecodeFailure::Invalid)
}

/// PyJWT 2.15's `_decode_base64url_segment`: at most two trailing `=` (then the length must be a
/// multiple of 4), only the URL-safe alphabet, and canonical (no stray low bits).
///
/// Well-formed segments (the URL-safe alphabet only, no padding) take a direct decoder; anything
/// else the exact emulation ([`decode_segment_exact`]). tests/jwt_fast_path.rs proves them equal.
///
/// ```
/// use drf_gate::authentication::jwt::decode_segment;
/// assert_eq!(decode_segment(b"eyJhIjoxfQ"), Some(b"{\"a\":1}".to_vec()));
/// assert_eq!(decode_segment(b"eyJhIjoxfQ!!"), None);
/// assert_eq!(decode_segment(b"eyJhIjoxfR"), None); // non-canonical
/// ```
pub fn decode_segment(segment: &[u8]) -> Option<Vec<u8>> {
    if let Some(decoded) = base64url_decode_fast(segment) {
        return canonical_tail(segment).then_some(decoded);
    }
    decode_segment_exact(segment)
}

/// Whether the last character of an unpadded base64url segment carries no bits beyond the data.
fn canonical_tail(stripped: &[u8]) -> bool {
    let tail_bits = (stripped.len() * 6) % 8;
    if tail_bits == 0 {
        return true;
    }
    let Some(&last) = stripped.last() else { return true };
    let value = match last {
        b'A'..=b'Z' => last - b'A',
        b'a'..=b'z' => last - b'a' + 26,
        b'0'..=b'9' => last - b'0' + 52,
        b'-' => 62,
        _ => 63,
    };
    value & ((1u8 << tail_bits) - 1) == 0
}

/// [`decode_segment`] by the exact emulation of PyJWT and Python's `base64` alone (no fast
/// path), for the equivalence tests.
///
/// ```
/// use drf_gate::authentication::jwt::{decode_segment, decode_segment_exact};
/// assert_eq!(decode_segment_exact(b"eyJhIjoxfQ=="), decode_segment(b"eyJhIjoxfQ=="));
/// ```
pub fn decode_segment_exact(segment: &[u8]) -> Option<Vec<u8>> {
    let stripped_len = segment.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    let padding = segment.len() - stripped_len;
    if padding > 2 || (padding > 0 && !segment.len().is_multiple_of(4)) {
        return None;
    }
    let stripped = segment.get(..stripped_len)?;
    if stripped.len() % 4 == 1 || !stripped.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return None;
    }
    let decoded = base64url_decode(stripped).ok()?;
    // Canonical: the last character carries no bits beyond the data.
    let tail_bits = (stripped.len() * 6) % 8;
    if tail_bits > 0 {
        let last = stripped.last().copied()?;
        let value = match last {
            b'A'..=b'Z' => last - b'A',
            b'a'..=b'z' => last - b'a' + 26,
            b'0'..=b'9' => last - b'0' + 52,
            b'-' => 62,
            _ => 63,
        };
        if value & ((1u8 << tail_bits) - 1) != 0 {
            return None;
        }
    }
    Some(decoded)
}

/// simplejwt's `Token(raw_token)` for one class: decode, then `verify()`. `Err` is the
/// `TokenError` message (or a server error).
pub(crate) fn validate_token(
    token: &[u8],
    class: TokenClass,
    config: &DecodeConfig<'_>,
    settings: &JwtSettings,
    now: f64,
) -> Result<PyValue, Result<&'static str, &'static str>> {
    let payload = match decode(token, config, now) {
        Ok(payload) => payload,
        Err(DecodeFailure::Expired) => return Err(Ok("Token is expired")),
        Err(DecodeFailure::Invalid) => return Err(Ok("Token is invalid")),
        Err(DecodeFailure::ServerError(why)) => return Err(Err(why)),
    };
    // check_exp: datetime_from_epoch(exp) crashes for strings and for years past 9999.
    match payload.get("exp") {
        None => return Err(Ok("Token has no 'exp' claim")),
        Some(PyValue::Str(_)) => return Err(Err("exp claim is a string: datetime.fromtimestamp raises TypeError")),
        Some(PyValue::Int(exp)) if *exp >= 253_402_300_800 => return Err(Err("exp claim beyond year 9999")),
        Some(PyValue::Float(exp)) if (exp * 1e6).round() / 1e6 >= 253_402_300_800.0 => {
            return Err(Err("exp claim beyond year 9999"))
        }
        Some(_) => {}
    }
    if let Some(jti) = &settings.jti_claim {
        if payload.get(jti).is_none() {
            return Err(Ok("Token has no id"));
        }
    }
    if let (Some(claim), false) = (&settings.token_type_claim, class == TokenClass::Untyped) {
        match payload.get(claim) {
            None => return Err(Ok("Token has no type")),
            Some(PyValue::Str(t)) if t == class.token_type() => {}
            Some(_) => return Err(Ok("Token has wrong type")),
        }
    }
    Ok(payload)
}

fn detail_dict(detail: &str, code: &str) -> AuthenticationFailure {
    AuthenticationFailure {
        exception: FailureKind::AuthenticationFailed,
        detail: json!({ "detail": detail, "code": code }),
        code: Some(code.to_string()),
    }
}

/// simplejwt's `get_raw_token(header)`: `Ok(None)` when the header is not ours.
///
/// ```
/// use drf_gate::authentication::jwt::get_raw_token;
/// let types = vec!["Bearer".to_string()];
/// assert_eq!(get_raw_token(b"Bearer abc", &types), Ok(Some(b"abc".to_vec())));
/// assert_eq!(get_raw_token(b"bearer abc", &types), Ok(None));
/// assert!(get_raw_token(b"Bearer a b", &types).is_err());
/// ```
pub fn get_raw_token(header: &[u8], header_types: &[String]) -> Result<Option<Vec<u8>>, AuthenticationFailure> {
    raw_token(header, header_types).map(|raw| raw.map(<[u8]>::to_vec))
}

/// [`get_raw_token`] without copying the token: `header.split()` walked once.
fn raw_token<'h>(header: &'h [u8], header_types: &[String]) -> Result<Option<&'h [u8]>, AuthenticationFailure> {
    // bytes.split(): runs of ASCII whitespace separate, none are empty.
    let mut parts =
        header.split(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')).filter(|part| !part.is_empty());
    let Some(first) = parts.next() else { return Ok(None) };
    if !header_types.iter().any(|t| t.as_bytes() == first) {
        return Ok(None);
    }
    match (parts.next(), parts.next()) {
        (Some(raw), None) => Ok(Some(raw)),
        _ => {
            Err(detail_dict("Authorization header must contain two space-delimited values", "bad_authorization_header"))
        }
    }
}

/// `JWTAuthentication.authenticate` (or the stateless variant), up to its user lookup.
///
/// Everything `JWTAuthentication.authenticate` does before `get_user` looks the user up: the
/// header, the token (signature, claims, `verify()`), the user id claim. `Ok(id)`: the claim's
/// value (as JSON) to look up; `Err(step)`: what the class did without a lookup (None, a
/// failure, or simplejwt's `TokenUser` for the stateless class). Deterministic for a request
/// and `now`: a caller that must wait for the lookup keeps `id` and resumes with [`get_user`].
pub(crate) fn verify(
    request: &RawRequest,
    stateless: bool,
    compiled: &CompiledSettings,
    now: f64,
) -> Result<Value, Step> {
    let settings = &compiled.settings.jwt;
    let Some(header) = request.meta(&settings.auth_header_name) else { return Err(Step::None) };
    let header = latin1(header);
    let raw = match raw_token(&header, settings.auth_header_types.as_slice()) {
        Ok(Some(raw)) => raw,
        Ok(None) => return Err(Step::None),
        Err(failure) => return Err(Step::Fail(failure)),
    };
    let Some(key) = &compiled.jwt_key else {
        return Err(Step::Fail(AuthenticationFailure::new(
            FailureKind::ServerError,
            "JWT settings have no key",
            "server_error",
        )));
    };
    let config = DecodeConfig {
        key,
        algorithm: &settings.algorithm,
        audience: settings.audience.as_ref().map(|a| a.as_slice()),
        issuer: settings.issuer.as_ref().map(|i| i.as_slice()),
        leeway: settings.leeway,
    };
    // get_validated_token
    let mut messages = Vec::new();
    let mut validated = None;
    for class in &compiled.token_classes {
        match validate_token(raw, *class, &config, settings, now) {
            Ok(payload) => {
                validated = Some(payload);
                break;
            }
            Err(Ok(message)) => messages.push(json!({
                "token_class": class.class_name(),
                "token_type": class.token_type(),
                "message": message,
            })),
            Err(Err(why)) => {
                return Err(Step::Fail(AuthenticationFailure::new(FailureKind::ServerError, why, "server_error")))
            }
        }
    }
    let Some(payload) = validated else {
        return Err(Step::Fail(AuthenticationFailure {
            exception: FailureKind::AuthenticationFailed,
            detail: json!({
                "detail": "Given token not valid for any token type",
                "code": "token_not_valid",
                "messages": messages,
            }),
            code: Some("token_not_valid".into()),
        }));
    };
    // get_user
    let Some(user_id) = payload.get(&settings.user_id_claim) else {
        return Err(Step::Fail(detail_dict("Token contained no recognizable user identification", "token_not_valid")));
    };
    // An int beyond i64/u64 would reach the lookup (or the TokenUser's claims) as a rounded
    // float, where Django and Python use the exact int (`username=2**64 + 1` finds the user
    // "18446744073709551617"), inf or nan as null (an integer pk's `int()` raises, a TokenUser
    // compares inf): the origin decides.
    if !user_id.is_exact_in_json() || (stateless && !payload.is_exact_in_json()) {
        let id = user_id.exact_json_text();
        return Err(Step::Unknown(LookupKey::UserById { field: settings.user_id_field.clone(), id }));
    }
    if stateless {
        return Err(Step::User(Box::new(token_user(&payload, user_id))));
    }
    Ok(user_id.to_json())
}

/// Whether `User.objects.get(**{USER_ID_FIELD: <claim>})` runs the query: the field's
/// `get_prep_value` takes the claim, or it is None (no row). Otherwise it raises (`ValueError`,
/// `TypeError`, `ValidationError`: the server's 500) and a not-found is not DRF's answer.
fn user_id_field_takes(kind: UserIdKind, id: &Value) -> bool {
    match (kind, id) {
        (UserIdKind::Text, _) | (_, Value::Null | Value::Bool(_)) => true,
        (_, Value::Array(_) | Value::Object(_)) => false,
        (UserIdKind::Integer, Value::Number(_)) => true,
        (UserIdKind::Integer, Value::String(text)) => py_int(&PyValue::Str(text.clone())).is_some(),
        // `uuid.UUID(int=n)` takes 0 <= n < 2**128; a float goes to `hex=` (AttributeError).
        (UserIdKind::Uuid, Value::Number(n)) => n.is_u64(),
        (UserIdKind::Uuid, Value::String(text)) => uuid_hex_takes(text),
    }
}

/// Whether Python 3.11's `uuid.UUID(hex=text)` succeeds: `urn:`/`uuid:` removed, `{}` stripped,
/// `-` removed, then 32 characters that `int(_, 16)` takes.
fn uuid_hex_takes(text: &str) -> bool {
    let hex = text.replace("urn:", "").replace("uuid:", "");
    let hex = hex.trim_matches(|c| c == '{' || c == '}').replace('-', "");
    hex.chars().count() == 32 && py_hex_int_takes(&hex)
}

/// Whether Python's `int(text, 16)` succeeds: whitespace around, a sign, an optional `0x`
/// prefix, hex digits (any Unicode decimal digit counts) with single `_` separators.
fn py_hex_int_takes(text: &str) -> bool {
    let text = crate::pystr::py_strip(text);
    let text = text.strip_prefix(['+', '-']).unwrap_or(text);
    // After the prefix one `_` may come before the first digit (`0x_1f`).
    let digits = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(rest) => rest.strip_prefix('_').unwrap_or(rest),
        None => text,
    };
    !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c == '_' || c.is_ascii_hexdigit() || crate::pystr::decimal_value(c).is_some())
}

/// `JWTAuthentication.get_user` after [`verify`]: `User.objects.get(**{USER_ID_FIELD: id})`
/// through the resolver, then the `is_active` check.
pub(crate) fn get_user(id: &Value, compiled: &CompiledSettings, resolver: &dyn Resolver) -> Step {
    let settings = &compiled.settings.jwt;
    // `get(field=None)` is Django's `field IS NULL`. The pk (`id` can only name the pk: models.E004)
    // is never NULL: not found, whatever a store says. On another field one NULL row is the user,
    // several a 500: a store cannot say which, so the origin decides.
    let lookup = if id.is_null() {
        if matches!(settings.user_id_field.as_str(), "id" | "pk") {
            Lookup::NotFound
        } else {
            Lookup::Unknown
        }
    } else {
        match resolver.user_by_id(&settings.user_id_field, id) {
            // The server crashes on an id its field cannot take; not found is not certain.
            Lookup::NotFound if !user_id_field_takes(settings.user_id_kind(), id) => Lookup::Unknown,
            other => other,
        }
    };
    Step::from_lookup(
        lookup,
        || LookupKey::UserById { field: settings.user_id_field.clone(), id: super::resolver::id_text(id) },
        |user| {
            if settings.check_user_is_active && !user.is_active {
                Step::Fail(detail_dict("User is inactive", "user_inactive"))
            } else {
                Step::User(Box::new(user))
            }
        },
        || Step::Fail(detail_dict("User not found", "user_not_found")),
    )
}

/// simplejwt's `TokenUser`: always active, `is_staff`/`is_superuser` from the claims (Python
/// truthiness), `has_perm` always False, other claims readable as attributes.
fn token_user(payload: &PyValue, user_id: &PyValue) -> UserInput {
    let claim_truthy = |name: &str| payload.get(name).is_some_and(PyValue::truthy);
    let username = match payload.get("username") {
        Some(PyValue::Str(name)) => Some(name.clone()),
        None => Some(String::new()),
        Some(_) => None,
    };
    let attributes = match payload.to_json() {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    UserInput {
        id: Some(user_id.to_json()),
        username,
        is_active: true,
        is_staff: claim_truthy("is_staff"),
        is_superuser: claim_truthy("is_superuser"),
        token_user: true,
        attributes,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut's constant is the header it stands for, and reads as that dict would.
    #[test]
    fn the_hs256_header_constant_is_pyjwts_header() {
        assert_eq!(decode_segment(HS256_JWT_HEADER).as_deref(), Some(&br#"{"alg":"HS256","typ":"JWT"}"#[..]));
        assert!(matches!(read_header(HS256_JWT_HEADER), Ok(PyValue::Str(alg)) if alg == "HS256"));
    }
}
