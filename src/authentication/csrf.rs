//! Django's CSRF (work in progress).
use super::InputError;

/// Compiled `CSRF_TRUSTED_ORIGINS`.
#[derive(Clone, Debug, Default)]
pub(crate) struct TrustedOrigins;
impl TrustedOrigins {
    pub(crate) fn compile(_o: &[String]) -> Result<Self, InputError> {
        Ok(TrustedOrigins)
    }
}

/// Randomness source.
pub trait CsrfRandom {}
/// Mint.
pub fn mint_csrf_token() {}

/// Django's `is_same_domain`.
pub fn is_same_domain(host: &str, pattern: &str) -> bool {
    let pattern = pattern.to_lowercase();
    if pattern.is_empty() {
        return false;
    }
    (pattern.starts_with('.') && (host.ends_with(&pattern) || Some(host) == pattern.get(1..))) || pattern == host
}
