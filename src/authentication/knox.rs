//! django-rest-knox's `knox.auth.TokenAuthentication` (knox 5).
//!
//! Knox stores no token, only its digest (`hashlib.sha512(token.encode()).hexdigest()` by
//! default: the primary key) and `token_key` (the token's first 15 characters). So the edge
//! hashes the presented token and asks the resolver for the row ([`Resolver::knox_token`]);
//! the row's `expiry` is compared with `now` here, as knox compares it with `timezone.now()`.

use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::basic::split_ascii_whitespace;
use super::request::RawRequest;
use super::resolver::{Lookup, LookupKey, Resolver};
use super::settings::{CompiledSettings, KnoxHash};
use super::{get_authorization_header, AuthenticationFailure, FailureKind, Step};

/// knox's `CONSTANTS.TOKEN_KEY_LENGTH`.
pub const TOKEN_KEY_LENGTH: usize = 15;

/// knox's `hash_token(token)`: the hex digest of the token's UTF-8 bytes.
///
/// ```
/// use drf_gate::authentication::{knox::hash_token, KnoxHash};
/// assert_eq!(hash_token("abc", KnoxHash::Sha256),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn hash_token(token: &str, algorithm: KnoxHash) -> String {
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }
    let data = token.as_bytes();
    match algorithm {
        KnoxHash::Sha224 => hex(&Sha224::digest(data)),
        KnoxHash::Sha256 => hex(&Sha256::digest(data)),
        KnoxHash::Sha384 => hex(&Sha384::digest(data)),
        KnoxHash::Sha512 => hex(&Sha512::digest(data)),
    }
}

/// `TokenAuthentication.authenticate(request)` with this `AUTH_HEADER_PREFIX`.
pub(crate) fn authenticate(
    request: &RawRequest,
    prefix: &str,
    settings: &CompiledSettings,
    resolver: &dyn Resolver,
    now: f64,
) -> Step {
    let header = get_authorization_header(request);
    let auth = split_ascii_whitespace(&header);
    let Some(scheme) = auth.first() else { return Step::None };
    // `auth[0].lower() != prefix.encode().lower()`: bytes.lower() maps ASCII only.
    if !scheme.eq_ignore_ascii_case(prefix.as_bytes()) {
        return Step::None;
    }
    let fail = |message: &str| Step::Fail(AuthenticationFailure::authentication_failed(message));
    let raw = match auth.as_slice() {
        [_] => return fail("Invalid token header. No credentials provided."),
        [_, raw] => raw,
        _ => return fail("Invalid token header. Token string should not contain spaces."),
    };
    // `token.decode("utf-8")` is outside knox's try: a UnicodeDecodeError is the server's 500.
    let Ok(token) = std::str::from_utf8(raw) else {
        return Step::Fail(AuthenticationFailure::new(
            FailureKind::ServerError,
            "UnicodeDecodeError in knox's authenticate_credentials",
            "server_error",
        ));
    };
    let knox = &settings.settings.knox;
    let digest = hash_token(token, knox.secure_hash_algorithm);
    let token_key: String = token.chars().take(TOKEN_KEY_LENGTH).collect();
    let key = || LookupKey::KnoxToken { digest: digest.clone(), token_key: token_key.clone() };
    match resolver.knox_token(&digest, &token_key) {
        // No row, or (below) an expired one, which knox deletes and skips: `Invalid token.`.
        Lookup::NotFound => fail("Invalid token."),
        Lookup::Found(row) if row.expiry.is_some_and(|expiry| expiry < now) => fail("Invalid token."),
        // AUTO_REFRESH writes a new expiry (before the user check): a request the edge answered
        // would not extend it.
        Lookup::Found(row) if knox.auto_refresh && row.expiry.is_some() => Step::Unknown(key()),
        Lookup::Found(row) if !row.user.is_active => fail("User inactive or deleted."),
        Lookup::Found(row) => Step::Found(Box::new(row.user), key()),
        Lookup::Pending => Step::Pending(key()),
        Lookup::Unknown => Step::Unknown(key()),
    }
}
