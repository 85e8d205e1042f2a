//! DRF's `TokenAuthentication`.

use super::basic::split_ascii_whitespace;
use super::request::RawRequest;
use super::resolver::{LookupKey, Resolver};
use super::{get_authorization_header, AuthenticationFailure, Step};

/// Longest key passed to the resolver (DRF's `Token.key` holds 40 characters, so any longer key
/// is `Invalid token.` on the server too).
pub const MAX_TOKEN_BYTES: usize = 4096;

/// `TokenAuthentication.authenticate(request)` with this `keyword`.
pub(crate) fn authenticate(request: &RawRequest, keyword: &str, resolver: &dyn Resolver) -> Step {
    let header = get_authorization_header(request);
    let auth = split_ascii_whitespace(&header);
    let Some(scheme) = auth.first() else { return Step::None };
    if scheme.to_ascii_lowercase() != keyword.to_lowercase().as_bytes() {
        return Step::None;
    }
    let fail = |message: &str| Step::Fail(AuthenticationFailure::authentication_failed(message));
    let raw = match auth.as_slice() {
        [_] => return fail("Invalid token header. No credentials provided."),
        [_, raw] => raw,
        _ => return fail("Invalid token header. Token string should not contain spaces."),
    };
    let Ok(key) = std::str::from_utf8(raw) else {
        return fail("Invalid token header. Token string should not contain invalid characters.");
    };
    if key.len() > MAX_TOKEN_BYTES {
        return fail("Invalid token.");
    }
    Step::from_lookup(
        resolver.token(key),
        || LookupKey::Token { key: key.to_string() },
        |user| if user.is_active { Step::User(Box::new(user)) } else { fail("User inactive or deleted.") },
        || fail("Invalid token."),
    )
}
