//! djangorestframework-api-key's `HasAPIKey` (3.x) and `BaseHasAPIKey` subclasses: a permission
//! class whose `has_permission` looks the request's key up in the database.
//!
//! ```python
//! key = self.key_parser.get(request)          # `Authorization: Api-Key <key>`, or API_KEY_CUSTOM_HEADER
//! if not key: return False
//! return self.model.objects.is_valid(key)     # prefix row among usable keys, hash, expiry
//! ```
//!
//! `has_object_permission` is `BasePermission`'s (`True`) with DRF 3.14+.
//!
//! Who knows whether the key is valid depends on the caller:
//! - a context ([`crate::Context`]) states it per model in `apiKeys` (absent: no valid key);
//! - UI gating (`can`) has no key: the class answers `False`;
//! - a raw request at the edge: the core reads the key as `KeyParser` does, asks the resolver for
//!   the row of that prefix ([`Resolver::api_key`](crate::authentication::Resolver::api_key)),
//!   and verifies the key itself. Anything it cannot be certain of (a lookup that is not
//!   authoritative, a legacy hash the package would re-hash and save, a META entry the edge does
//!   not see) stops the check, and the request goes to the origin.
//!
//! The lookup is asked only when DRF evaluates the class (`IsAuthenticated | HasAPIKey` with an
//! authenticated user never asks), since the permission stage runs lazily.

use super::Raise;

/// The model of `HasAPIKey` itself.
pub const DEFAULT_MODEL: &str = "rest_framework_api_key.APIKey";
/// `KeyParser.keyword`.
pub const DEFAULT_KEYWORD: &str = "Api-Key";
/// What the preferred hasher's encoded hashes start with (`Sha512ApiKeyHasher`).
pub const SHA512_PREFIX: &str = "sha512$$";

/// One `BaseHasAPIKey` subclass: which model's keys it accepts, and its `key_parser.keyword`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiKeyCheck {
    /// The model's label (`app_label.ModelName`).
    pub model: String,
    /// `KeyParser.keyword` (compared case-insensitively with the `Authorization` scheme).
    pub keyword: String,
}

impl Default for ApiKeyCheck {
    fn default() -> Self {
        ApiKeyCheck { model: DEFAULT_MODEL.to_owned(), keyword: DEFAULT_KEYWORD.to_owned() }
    }
}

/// Answers `model.objects.is_valid(key)` for the request at hand.
pub(crate) trait ApiKeys {
    /// `BaseHasAPIKey.has_permission` of the class `class_name`. `Err(Raise::Undecided)`: only
    /// the origin can answer (the source keeps the reason for its caller).
    fn has_api_key(&self, class_name: &str, check: &ApiKeyCheck) -> Result<bool, Raise>;
}

/// No key at all (UI gating: a browser presents none).
pub(crate) struct NoApiKey;

impl ApiKeys for NoApiKey {
    fn has_api_key(&self, _class_name: &str, _check: &ApiKeyCheck) -> Result<bool, Raise> {
        Ok(false)
    }
}

/// What a context states: class name or model label -> whether the request carries a key that
/// class accepts (a class name, for two classes on one model with different keywords, wins).
#[cfg(any(feature = "compiler", feature = "edge"))]
pub(crate) struct StatedApiKeys<'c>(pub Option<&'c crate::perm_table::NameMap<bool>>);

#[cfg(any(feature = "compiler", feature = "edge"))]
impl ApiKeys for StatedApiKeys<'_> {
    fn has_api_key(&self, class_name: &str, check: &ApiKeyCheck) -> Result<bool, Raise> {
        let stated = self.0.and_then(|stated| stated.get(class_name).or_else(|| stated.get(&check.model)));
        Ok(stated.copied().unwrap_or(false))
    }
}

/// How a stored key compares with the presented one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    /// `Sha512ApiKeyHasher.verify` holds.
    Valid,
    /// It does not.
    Invalid,
    /// Not the preferred hasher: Django's `check_password` decides, with the project's
    /// `PASSWORD_HASHERS`, and the package re-hashes and SAVES the row on success. Only the
    /// origin can do that.
    LegacyHash,
}

/// `KeyGenerator.verify(key, hashed_key)` for the preferred hasher:
/// `"sha512$$" + hashlib.sha512(key.encode()).hexdigest() == hashed_key`.
///
/// ```
/// use drf_gate::permissions::api_key::{verify, Verified};
/// let hashed = "sha512$$ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
/// assert_eq!(verify("abc", hashed), Verified::Valid);
/// assert_eq!(verify("abd", hashed), Verified::Invalid);
/// assert_eq!(verify("abc", "pbkdf2_sha256$870000$salt$hash"), Verified::LegacyHash);
/// ```
#[cfg(feature = "edge")]
pub fn verify(key: &str, hashed_key: &str) -> Verified {
    use sha2::{Digest, Sha512};
    use subtle::ConstantTimeEq;
    let Some(stored) = hashed_key.strip_prefix(SHA512_PREFIX) else { return Verified::LegacyHash };
    // `str.encode()`: the key's characters as UTF-8 (a header's latin-1 characters included).
    let digest = Sha512::digest(key.as_bytes());
    let mut hex = [0u8; 128];
    for (pair, byte) in hex.chunks_exact_mut(2).zip(digest.iter()) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        if let [high, low] = pair {
            *high = DIGITS.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
            *low = DIGITS.get(usize::from(byte & 0xf)).copied().unwrap_or(b'0');
        }
    }
    // `constant_time_compare` (hmac.compare_digest on the UTF-8 bytes): equal strings only.
    if stored.len() == hex.len() && bool::from(stored.as_bytes().ct_eq(&hex)) {
        Verified::Valid
    } else {
        Verified::Invalid
    }
}

#[cfg(feature = "edge")]
pub(crate) use edge::{ApiKeyForward, ApiKeyStop, EdgeApiKeys};

#[cfg(feature = "edge")]
mod edge {
    use std::cell::RefCell;

    use super::{verify, ApiKeyCheck, ApiKeys, Verified};
    use crate::authentication::{Lookup, LookupKey, RawRequest, Resolver};
    use crate::permissions::Raise;

    /// What `KeyParser.get(request)` returns, as far as the edge can know it.
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) enum KeyRead<'r> {
        /// `None` or `""`: `has_permission` returns `False` without a lookup.
        NoKey,
        /// The key.
        Key(&'r str),
        /// `API_KEY_CUSTOM_HEADER` names a META entry that is not a header (the WSGI server's
        /// environment), and the caller gave none: only the origin sees it.
        NotVisible,
    }

    /// `KeyParser.get(request)`: `request.META[API_KEY_CUSTOM_HEADER] or None` when that setting
    /// is set, else `Authorization` split at its first space, the scheme compared with
    /// `keyword` lower-cased (`str.lower`, Unicode), the rest (spaces and all) the key.
    pub(crate) fn read_key<'r>(request: &'r RawRequest, keyword: &str, custom_header: Option<&str>) -> KeyRead<'r> {
        if let Some(name) = custom_header {
            let seen = name.starts_with("HTTP_") || name == "CONTENT_TYPE" || name == "CONTENT_LENGTH";
            return match request.meta(name) {
                Some(value) if !value.is_empty() => KeyRead::Key(value),
                None if !seen => KeyRead::NotVisible,
                _ => KeyRead::NoKey,
            };
        }
        let authorization = request.meta("HTTP_AUTHORIZATION").unwrap_or("");
        let Some((scheme, key)) = authorization.split_once(' ') else { return KeyRead::NoKey };
        if scheme.to_lowercase() != keyword.to_lowercase() || key.is_empty() {
            return KeyRead::NoKey;
        }
        KeyRead::Key(key)
    }

    /// Why a raw request's `HasAPIKey` stopped.
    #[derive(Clone, Debug)]
    pub(crate) enum ApiKeyStop {
        /// Ask the resolver, then check again.
        Lookup(LookupKey),
        /// Only the origin can answer (the edge module turns it into its forward reason; this module
        /// does not import the edge, which imports it).
        Forward(ApiKeyForward),
    }

    /// Why only the origin can answer a `HasAPIKey`.
    #[derive(Clone, Debug)]
    pub(crate) enum ApiKeyForward {
        /// `API_KEY_CUSTOM_HEADER` names a META entry the edge cannot see.
        NotVisible,
        /// The resolver does not know the row.
        UnknownLookup(LookupKey),
        /// The row's hash is one the package re-hashes (and saves) on success.
        LegacyHash(LookupKey),
    }

    /// `is_valid` on a raw request: the key from the request, the row from the resolver.
    pub(crate) struct EdgeApiKeys<'a> {
        pub request: &'a RawRequest,
        /// `API_KEY_CUSTOM_HEADER`.
        pub custom_header: Option<&'a str>,
        pub resolver: &'a dyn Resolver,
        pub now: f64,
        /// The first stop (the permission stage stops there, so there is one).
        pub stop: RefCell<Option<ApiKeyStop>>,
    }

    impl EdgeApiKeys<'_> {
        fn stop(&self, stop: ApiKeyStop) -> Result<bool, Raise> {
            if let Ok(mut slot) = self.stop.try_borrow_mut() {
                slot.get_or_insert(stop);
            }
            Err(Raise::Undecided)
        }

        /// Why the permission stage stopped, if it did.
        pub(crate) fn take_stop(&self) -> Option<ApiKeyStop> {
            self.stop.try_borrow_mut().ok().and_then(|mut slot| slot.take())
        }
    }

    impl ApiKeys for EdgeApiKeys<'_> {
        fn has_api_key(&self, _class_name: &str, check: &ApiKeyCheck) -> Result<bool, Raise> {
            let key = match read_key(self.request, &check.keyword, self.custom_header) {
                KeyRead::NoKey => return Ok(false),
                KeyRead::Key(key) => key,
                KeyRead::NotVisible => return self.stop(ApiKeyStop::Forward(ApiKeyForward::NotVisible)),
            };
            // `key.partition(".")[0]`; a NUL is a 500 on PostgreSQL and a plain miss elsewhere.
            let prefix = key.split_once('.').map_or(key, |(prefix, _)| prefix);
            let lookup = || LookupKey::ApiKey { model: check.model.clone(), prefix: prefix.to_owned() };
            if prefix.contains('\0') {
                return self.stop(ApiKeyStop::Forward(ApiKeyForward::UnknownLookup(lookup())));
            }
            match self.resolver.api_key(&check.model, prefix) {
                Lookup::Pending => self.stop(ApiKeyStop::Lookup(lookup())),
                Lookup::Unknown => self.stop(ApiKeyStop::Forward(ApiKeyForward::UnknownLookup(lookup()))),
                // `get_usable_keys().get(prefix=...)` raised DoesNotExist.
                Lookup::NotFound => Ok(false),
                Lookup::Found(row) if row.revoked => Ok(false),
                Lookup::Found(row) => match verify(key, &row.hashed_key) {
                    Verified::Invalid => Ok(false),
                    Verified::LegacyHash => self.stop(ApiKeyStop::Forward(ApiKeyForward::LegacyHash(lookup()))),
                    // `has_expired`: `expiry_date < timezone.now()`.
                    Verified::Valid => Ok(!row.expiry.is_some_and(|expiry| expiry < self.now)),
                },
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn with(header: &str, value: &str) -> RawRequest {
            RawRequest::new("GET").header(header, value).unwrap_or_else(|_| RawRequest::new("GET"))
        }

        #[test]
        fn key_parser() {
            let read = |value: &str| {
                let request = with("Authorization", value);
                match read_key(&request, "Api-Key", None) {
                    KeyRead::Key(key) => Some(key.to_owned()),
                    _ => None,
                }
            };
            assert_eq!(read("Api-Key abc.def"), Some("abc.def".into()));
            assert_eq!(read("api-KEY abc def"), Some("abc def".into()));
            assert_eq!(read("Api-Key  abc"), Some(" abc".into()));
            assert_eq!(read("Api-Key"), None);
            assert_eq!(read("Api-Key "), None);
            assert_eq!(read("Api-Key\tabc"), None);
            assert_eq!(read("Token abc"), None);
            let request = with("X-Api-Key", "abc.def");
            assert_eq!(read_key(&request, "Api-Key", Some("HTTP_X_API_KEY")), KeyRead::Key("abc.def"));
            assert_eq!(read_key(&request, "Api-Key", Some("HTTP_AUTHORIZATION")), KeyRead::NoKey);
            assert_eq!(read_key(&request, "Api-Key", Some("X_API_KEY")), KeyRead::NotVisible);
        }
    }
}
