//! DRF's `BasicAuthentication`.

use super::pybase64::b64decode;
use super::request::RawRequest;
use super::resolver::{LookupKey, Resolver};
use super::{get_authorization_header, AuthenticationFailure, Step};

/// Longest user id or password passed to the resolver, in characters (see the module docs of
/// [`authentication`](super)).
pub const MAX_CREDENTIAL_CHARS: usize = 4096;

/// `bytes.split()`: runs of ASCII whitespace separate, empty parts dropped.
///
/// ```
/// use drf_gate::authentication::basic::split_ascii_whitespace;
/// let parts = split_ascii_whitespace(b" Basic\t\x0bYWI6Yw== ");
/// assert_eq!(parts, vec![&b"Basic"[..], &b"YWI6Yw=="[..]]);
/// ```
pub fn split_ascii_whitespace(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c'))
        .filter(|part| !part.is_empty())
        .collect()
}

/// The credentials of a `Basic` header: Python's `b64decode`, UTF-8 else latin-1, first `:`.
///
/// ```
/// use drf_gate::authentication::basic::decode_credentials;
/// assert_eq!(decode_credentials(b"dXNlcjpwOnc="), Some(("user".into(), "p:w".into())));
/// assert_eq!(decode_credentials(b"=a="), None);
/// ```
pub fn decode_credentials(encoded: &[u8]) -> Option<(String, String)> {
    let decoded = b64decode(encoded).ok()?;
    let text = match String::from_utf8(decoded) {
        Ok(text) => text,
        Err(error) => error.into_bytes().iter().map(|&b| char::from(b)).collect(),
    };
    let (userid, password) = text.split_once(':')?;
    Some((userid.to_string(), password.to_string()))
}

/// `BasicAuthentication.authenticate(request)`.
pub(crate) fn authenticate(request: &RawRequest, resolver: &dyn Resolver) -> Step {
    let header = get_authorization_header(request);
    let auth = split_ascii_whitespace(&header);
    let Some(scheme) = auth.first() else { return Step::None };
    if !scheme.eq_ignore_ascii_case(b"basic") {
        return Step::None;
    }
    let fail = |message: &str| Step::Fail(AuthenticationFailure::authentication_failed(message));
    let credentials = match auth.as_slice() {
        [_] => return fail("Invalid basic header. No credentials provided."),
        [_, credentials] => credentials,
        _ => return fail("Invalid basic header. Credentials string should not contain spaces."),
    };
    let Some((userid, password)) = decode_credentials(credentials) else {
        return fail("Invalid basic header. Credentials not correctly base64 encoded.");
    };
    if userid.chars().count() > MAX_CREDENTIAL_CHARS || password.chars().count() > MAX_CREDENTIAL_CHARS {
        return fail("Invalid username/password.");
    }
    Step::from_lookup(
        resolver.basic(&userid, &password),
        || LookupKey::Basic { username: userid.clone(), password: password.clone() },
        // ModelBackend.authenticate returns None for inactive users (user_can_authenticate).
        |user| if user.is_active { Step::User(Box::new(user)) } else { fail("Invalid username/password.") },
        || fail("Invalid username/password."),
    )
}
