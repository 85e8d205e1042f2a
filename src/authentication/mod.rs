//! Authentication classes: which ones a view has, the header each advertises (DRF's
//! `authenticate_header`, which decides 401 vs 403), and the outcome of running them.
//!
//! # Edge authentication
//!
//! Needs the `edge` feature (default); without it, the crate keeps the vocabulary (classes,
//! outcomes, failures, settings) and decides from an authentication outcome the caller gives.
//!
//! [`authenticate`] runs a view's classes on a [`RawRequest`] exactly as DRF's
//! `Request._authenticate` does: in order; `None` moves on; the first `(user, auth)` wins; any
//! raised exception (`AuthenticationFailed`, the CSRF `PermissionDenied`, a body `ParseError`)
//! stops the chain, even on `AllowAny` views.
//!
//! | class | module | lookups |
//! |---|---|---|
//! | `BasicAuthentication` | [`basic`] | [`Resolver::basic`] |
//! | `TokenAuthentication` | [`token`] | [`Resolver::token`] |
//! | django-rest-knox's `TokenAuthentication` | [`knox`] | [`Resolver::knox_token`] |
//! | `JWTAuthentication` / `JWTStatelessUserAuthentication` | [`jwt`] | [`Resolver::user_by_id`] / none |
//! | `SessionAuthentication` + `CsrfViewMiddleware` | [`session`], [`csrf`] | [`Resolver::session`] |
//! | `RemoteUserAuthentication` | here | [`Resolver::remote_user`] |
//! | custom classes | here | [`Resolver::custom`] |
//!
//! ## Lookups: one code path for sync and async callers
//! Users live in the caller's store. Each lookup answers [`Lookup::Found`], [`Lookup::NotFound`]
//! (authoritative: no such row), [`Lookup::Unknown`] (not known here) or [`Lookup::Pending`].
//! `Pending` makes [`authenticate`] return `Err(Undecided::Lookup)` naming the [`LookupKey`]; an
//! async caller (JS, Workers KV) awaits the answer, stores it in an [`AnswerCache`] and calls
//! again. `Unknown` stops with `Err(Undecided::Unknown)`: the edge forwards, it never denies
//! what it does not know. Everything before the lookup is recomputed (it is cheap and
//! deterministic), so no Rust async is needed. See [`resolver`].
//!
//! ## Bounds
//! Header values over [`request::MAX_HEADER_BYTES`] (8 KiB) are treated as carrying no usable
//! credentials of the size DRF's storage allows: a Token key over 4 KiB is `Invalid token.`
//! (DRF's key column holds 40 chars), Basic credentials whose user id or password exceed 4096
//! characters are `Invalid username/password.` (Django refuses passwords over 4096 characters).
//! None of these consults the resolver. A JWT of any length is decoded as simplejwt decodes it
//! (linear in its length). Every parser is total: no byte sequence panics
//! (cargo-fuzz targets in `fuzz/`). Secrets, signatures and CSRF tokens compare in constant time.
//!
//! ## Not covered (the edge differs from the server only here)
//! - JSON bodies are decoded with their charset as DRF does ([`codecs`]); a charset Python
//!   knows but [`codecs`] does not emulate (CJK codecs, `utf_7`, ...) is left to the origin, as
//!   is a form body in a charset other than UTF-8, latin-1 or ASCII; multipart bodies are parsed by a simplified reader (boundary errors use Django's text).
//! - `RecursionError` on JSON nested deeper than [`pyjson::MAX_DEPTH`] is approximate (the
//!   real limit depends on the server's stack depth).
//! - JWT: JSON header/payload in UTF-16/32 (never produced by simplejwt) fail as invalid; a
//!   lone surrogate escape compares as U+FFFD; `JWK_URL`, `CHECK_REVOKE_TOKEN`, the token
//!   blacklist app, ES512/PS*/EdDSA are not supported (compile errors name the setting).
//! - `USE_X_FORWARDED_HOST`/`_PORT`: the caller passes the host and port it trusts.
//! - Parsers and `DEFAULT_PARSER_CLASSES` are DRF's defaults (JSON, form, multipart).

use crate::value::Value;
use serde::{Deserialize, Serialize};

use crate::error::{ContextError, InputErrorCode};

#[cfg(any(feature = "compiler", feature = "edge"))]
pub mod algorithms;
// The runtime of edge authentication (feature `edge`): parsers, JWT, session and CSRF.
#[cfg(feature = "edge")]
pub mod backends;
#[cfg(feature = "edge")]
pub mod basic;
pub mod builtin;
#[cfg(feature = "edge")]
pub mod codecs;
#[cfg(feature = "edge")]
pub mod csrf;
#[cfg(feature = "edge")]
pub(crate) mod hs256;
#[cfg(feature = "edge")]
pub mod jwt;
#[cfg(feature = "edge")]
pub mod knox;
#[cfg(feature = "edge")]
pub mod pybase64;
#[cfg(feature = "edge")]
pub mod pyjson;
#[cfg(feature = "edge")]
pub mod request;
#[cfg(feature = "edge")]
pub mod resolver;
#[cfg(feature = "edge")]
pub mod session;
#[cfg(any(feature = "compiler", feature = "edge"))]
pub mod settings;
#[cfg(feature = "edge")]
pub mod token;
#[cfg(any(feature = "compiler", feature = "edge"))]
pub mod urlsplit;

pub use builtin::canonical_authentication_name;
#[cfg(feature = "edge")]
pub use csrf::{mint_csrf_token, CsrfRandom};
#[cfg(feature = "edge")]
pub use request::{RawRequest, RawRequestInput};
#[cfg(feature = "edge")]
pub use resolver::{Answer, AnswerCache, ApiKeyRow, CustomLookup, KnoxToken, Lookup, LookupKey, Resolver};
#[cfg(any(feature = "compiler", feature = "edge"))]
pub use settings::{
    AuthenticationSettings, BasicSettings, CompiledSettings, CsrfSettings, JwtSettings, KnoxHash, KnoxSettings,
    OneOrMany, RemoteUserSettings, SessionSettings, TokenClass, TokenSettings, UploadSettings, UserIdKind,
};

#[cfg(feature = "edge")]
use crate::user::UserInput;

/// DRF's `get_authorization_header(request)`: the header as latin-1 bytes (`b''` if absent).
///
/// ```
/// use drf_gate::authentication::{get_authorization_header, RawRequest};
/// let request = RawRequest::new("GET").header("Authorization", "Token abc\u{b8}").unwrap();
/// assert_eq!(get_authorization_header(&request), b"Token abc\xb8".to_vec());
/// ```
#[cfg(feature = "edge")]
pub fn get_authorization_header(request: &RawRequest) -> Vec<u8> {
    latin1_bytes(request.meta("HTTP_AUTHORIZATION").unwrap_or(""))
}

/// `str.encode('iso-8859-1')` for a string of latin-1 characters (others never get here; see
/// [`RawRequest::header`]; they would map to `?`).
#[cfg(feature = "edge")]
pub(crate) fn latin1_bytes(text: &str) -> Vec<u8> {
    latin1(text).into_owned()
}

/// [`latin1_bytes`], borrowed when the text is ASCII (one byte per char already).
#[cfg(feature = "edge")]
pub(crate) fn latin1(text: &str) -> std::borrow::Cow<'_, [u8]> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text.as_bytes());
    }
    std::borrow::Cow::Owned(text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect())
}

/// One entry of `authentication_classes`, resolved.
///
/// ```
/// use drf_gate::authentication::AuthenticationClass;
/// let basic = AuthenticationClass::Basic { realm: "api".into() };
/// assert_eq!(basic.authenticate_header().as_deref(), Some("Basic realm=\"api\""));
/// assert_eq!(AuthenticationClass::Session.authenticate_header(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthenticationClass {
    /// `SessionAuthentication`: Django session cookie, CSRF on unsafe methods; no header.
    Session,
    /// `BasicAuthentication` with its `www_authenticate_realm`.
    Basic {
        /// `www_authenticate_realm` (DRF: `"api"`).
        realm: String,
    },
    /// `TokenAuthentication` with its `keyword`.
    Token {
        /// The scheme word (DRF: `"Token"`), also the `WWW-Authenticate` value.
        keyword: String,
    },
    /// simplejwt's `JWTAuthentication`, or `JWTStatelessUserAuthentication` when `stateless`.
    Jwt {
        /// Whether the user is simplejwt's `TokenUser` built from the claims (no user lookup).
        stateless: bool,
        /// `AUTH_HEADER_TYPES[0]` (simplejwt: `"Bearer"`).
        header_type: String,
        /// `www_authenticate_realm` (simplejwt: `"api"`).
        realm: String,
    },
    /// `RemoteUserAuthentication` (`REMOTE_USER`); no header.
    RemoteUser,
    /// django-rest-knox's `knox.auth.TokenAuthentication` with its `AUTH_HEADER_PREFIX`.
    Knox {
        /// `REST_KNOX['AUTH_HEADER_PREFIX']` (knox: `"Token"`), also the `WWW-Authenticate` value.
        prefix: String,
    },
    /// A project's own class, declared in the policy.
    Custom {
        /// The class name.
        name: String,
        /// What its `authenticate_header` returns, if anything.
        www_authenticate: Option<String>,
    },
}

impl AuthenticationClass {
    /// DRF's `authenticate_header(request)`: `Some` makes failures 401 with this
    /// `WWW-Authenticate` value when the class is first in the list; `None` makes them 403.
    pub fn authenticate_header(&self) -> Option<String> {
        match self {
            AuthenticationClass::Session | AuthenticationClass::RemoteUser => None,
            AuthenticationClass::Basic { realm } => Some(format!("Basic realm=\"{realm}\"")),
            AuthenticationClass::Token { keyword } => Some(keyword.clone()),
            AuthenticationClass::Knox { prefix } => Some(prefix.clone()),
            AuthenticationClass::Jwt { header_type, realm, .. } => Some(format!("{header_type} realm=\"{realm}\"")),
            AuthenticationClass::Custom { www_authenticate, .. } => www_authenticate.clone(),
        }
    }
}

/// What authentication produced, as the permission stage needs it.
///
/// ```
/// use drf_gate::authentication::AuthenticationOutcome;
/// let outcome: AuthenticationOutcome = serde_json::from_str(r#"{"succeeded": "token"}"#).unwrap();
/// assert_eq!(outcome, AuthenticationOutcome::Succeeded("token".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum AuthenticationOutcome {
    /// This class (a name from the view's list) returned `(user, auth)`.
    Succeeded(String),
    /// Every class returned `None`: the request is anonymous.
    None(bool),
    /// A class raised: the chain stopped and this exception becomes the response.
    Failed(AuthenticationFailure),
}

/// The exception an authentication class raised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationFailure {
    /// Which DRF exception: decides the status.
    #[serde(default)]
    pub exception: FailureKind,
    /// The detail: a string becomes `{"detail": ...}`; an object or array is the whole body.
    pub detail: Value,
    /// The error code (`authentication_failed`, `token_not_valid`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}
object_only!(AuthenticationFailure, "struct AuthenticationFailure", serialize);

/// The DRF exception classes authentication can raise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    /// `AuthenticationFailed`: 401 with the first class's header, else 403.
    #[default]
    AuthenticationFailed,
    /// `PermissionDenied` (the CSRF failure): always 403.
    PermissionDenied,
    /// `ParseError` (a malformed body read during the CSRF check): 400.
    ParseError,
    /// `UnsupportedMediaType` (a POST body no parser accepts, read during the CSRF check): 415,
    /// detail `Unsupported media type "<type>" in request.`.
    UnsupportedMediaType,
    /// Not a DRF exception: Django's own `400 Bad Request` page (a `SuspiciousOperation` such
    /// as `RequestDataTooBig` or `TooManyFieldsSent` while reading the body). No JSON body.
    BadRequest,
    /// Not a DRF exception: the reference server crashes (uncaught `TypeError`/`ValueError`,
    /// e.g. a JWT `exp` given as a numeric string): Django's 500 page. The edge fails closed.
    ServerError,
}

impl FailureKind {
    /// The HTTP status this exception gives (before the 401-to-403 coercion for
    /// `AuthenticationFailed`, which depends on the first class's `authenticate_header`).
    ///
    /// ```
    /// use drf_gate::authentication::FailureKind;
    /// assert_eq!(FailureKind::ParseError.status_code(), 400);
    /// ```
    pub fn status_code(self) -> u16 {
        match self {
            FailureKind::AuthenticationFailed => 401,
            FailureKind::PermissionDenied => 403,
            FailureKind::ParseError | FailureKind::BadRequest => 400,
            FailureKind::UnsupportedMediaType => 415,
            FailureKind::ServerError => 500,
        }
    }
}

impl AuthenticationFailure {
    /// `AuthenticationFailed(detail)` with DRF's default code `authentication_failed`.
    ///
    /// ```
    /// use drf_gate::authentication::AuthenticationFailure;
    /// let failure = AuthenticationFailure::authentication_failed("Invalid token.");
    /// assert_eq!(failure.detail, "Invalid token.");
    /// ```
    pub fn authentication_failed(detail: &str) -> Self {
        AuthenticationFailure {
            exception: FailureKind::AuthenticationFailed,
            detail: Value::String(detail.to_string()),
            code: Some("authentication_failed".into()),
        }
    }

    /// Any exception with a string detail and a code.
    pub fn new(exception: FailureKind, detail: impl Into<String>, code: &str) -> Self {
        AuthenticationFailure { exception, detail: Value::String(detail.into()), code: Some(code.to_string()) }
    }

    /// The response body DRF renders for this failure (compact JSON): a string detail becomes
    /// `{"detail": ...}`, an object or array is the body itself. `None` for Django's own
    /// (non-JSON) 400/500 pages.
    ///
    /// ```
    /// use drf_gate::authentication::AuthenticationFailure;
    /// let failure = AuthenticationFailure::authentication_failed("Invalid token.");
    /// assert_eq!(failure.body().as_deref(), Some(r#"{"detail":"Invalid token."}"#));
    /// ```
    pub fn body(&self) -> Option<String> {
        if matches!(self.exception, FailureKind::BadRequest | FailureKind::ServerError) {
            return None;
        }
        Some(crate::renderers::render_detail(&self.detail))
    }
}

/// A settings or request error: stable `code`, a JSON `path` to the culprit, a message.
///
/// ```
/// use drf_gate::authentication::InputError;
/// use drf_gate::error::InputErrorCode;
/// let error = InputError::new(InputErrorCode::InvalidSettings, "$.settings.jwt.algorithm", "unknown");
/// assert_eq!(error.to_string(), "invalid_settings at $.settings.jwt.algorithm: unknown");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// [`InputErrorCode::InvalidSettings`] or [`InputErrorCode::InvalidRequest`].
    pub code: InputErrorCode,
    /// Where: a JSON path.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    /// Builds an error.
    pub fn new(code: InputErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError { code, path: path.into(), message: message.into() }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}: {}", self.code, self.path, self.message)
    }
}

impl std::error::Error for InputError {}

impl From<InputError> for ContextError {
    fn from(error: InputError) -> Self {
        ContextError::new(error.code.into(), error.path, error.message)
    }
}

/// One entry of a view's `authentication_classes`: the name it is listed under (reported in
/// [`AuthenticationOutcome::Succeeded`]) and the class.
///
/// ```
/// # #[cfg(any(feature = "compiler", feature = "edge"))] {
/// use drf_gate::authentication::{AuthenticationClass, Authenticator};
/// let entry = Authenticator::new("token", AuthenticationClass::Token { keyword: "Token".into() });
/// assert_eq!(entry.name, "token");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticator {
    /// The name in the view's list.
    pub name: String,
    /// The class: only builds that authenticate (or compile) keep it; the browser runtime's
    /// caller states the outcome, checked against the names.
    #[cfg(any(feature = "compiler", feature = "edge"))]
    pub class: AuthenticationClass,
}

#[cfg(any(feature = "compiler", feature = "edge"))]
impl Authenticator {
    /// Pairs a name with a class.
    pub fn new(name: impl Into<String>, class: AuthenticationClass) -> Self {
        Authenticator { name: name.into(), class }
    }
}

/// The result of running the classes.
#[cfg(feature = "edge")]
#[derive(Clone, Debug)]
pub struct Authenticated {
    /// What the permission stage needs.
    pub outcome: AuthenticationOutcome,
    /// `request.user` when a class succeeded (a `TokenUser` has `token_user: true`).
    pub user: Option<UserInput>,
    /// The index of the class that succeeded or raised; `None` when all returned None.
    pub class_index: Option<usize>,
    /// The lookup whose answer is `request.user` (`None` for simplejwt's `TokenUser`, which is
    /// built from the claims, and when no class succeeded).
    pub user_lookup: Option<LookupKey>,
}

/// A lookup the resolver answered `Pending` (resolve `key`, then call [`authenticate`] again) or
/// `Unknown` (forward the request).
#[cfg(feature = "edge")]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NeedsLookup {
    /// What to look up.
    pub key: LookupKey,
    /// The class that asked.
    pub class_index: usize,
}

/// Why [`authenticate`] stopped before DRF's outcome was known.
///
/// ```
/// use drf_gate::authentication::*;
/// let settings = CompiledSettings::compile(&AuthenticationSettings::default()).unwrap();
/// let classes = [Authenticator::new("token", settings.builtin_class("token").unwrap())];
/// let request = RawRequest::new("GET").header("Authorization", "Token abc").unwrap();
/// let mut cache = AnswerCache::default();
/// assert!(matches!(authenticate(&request, &classes, &settings, &cache, 0.0), Err(Undecided::Lookup(_))));
/// cache.insert(LookupKey::Token { key: "abc".into() }, Answer::Unknown(true));
/// assert!(matches!(authenticate(&request, &classes, &settings, &cache, 0.0), Err(Undecided::Unknown(_))));
/// ```
#[cfg(feature = "edge")]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Undecided {
    /// A lookup is pending: answer it and call again.
    Lookup(NeedsLookup),
    /// A lookup answered [`Lookup::Unknown`]: only the origin can decide.
    Unknown(NeedsLookup),
    /// The CSRF check reads `request.POST` and the body was not read yet
    /// ([`RawRequest::body_pending`]): read it, within `max_bytes`, and call again.
    Body {
        /// The class that asked.
        class_index: usize,
        /// Read at most this many bytes; a longer body is answered as too large.
        max_bytes: usize,
    },
    /// The CSRF check needs a body the edge did not read (longer than it reads): only the origin
    /// can decide.
    BodyTooLarge {
        /// The class that asked.
        class_index: usize,
    },
}

/// What one class's `authenticate` did.
#[cfg(feature = "edge")]
pub(crate) enum Step {
    /// Returned None.
    None,
    /// Returned `(user, auth)`.
    User(Box<UserInput>),
    /// Returned `(user, auth)` with the user a lookup answered.
    Found(Box<UserInput>, LookupKey),
    /// Raised.
    Fail(AuthenticationFailure),
    /// Needs a lookup first.
    Pending(LookupKey),
    /// A lookup is not known here.
    Unknown(LookupKey),
    /// Needs the request body (at most this many bytes).
    NeedsBody(usize),
    /// Needs a body the edge did not read.
    BodyTooLarge,
}

#[cfg(feature = "edge")]
impl Step {
    /// `Step` from a user lookup.
    pub(crate) fn from_lookup(
        lookup: Lookup,
        key: impl FnOnce() -> LookupKey,
        found: impl FnOnce(UserInput) -> Step,
        not_found: impl FnOnce() -> Step,
    ) -> Step {
        match lookup {
            Lookup::Found(user) => match found(user) {
                Step::User(user) => Step::Found(user, key()),
                other => other,
            },
            Lookup::NotFound => not_found(),
            Lookup::Pending => Step::Pending(key()),
            Lookup::Unknown => Step::Unknown(key()),
        }
    }
}

/// Runs the view's authentication classes on a raw request, as DRF's `Request._authenticate`.
///
/// `now` is the current time in seconds since the epoch (JWT `exp`/`nbf`/`iat`).
///
/// ```
/// use drf_gate::authentication::*;
/// use drf_gate::user::UserInput;
/// struct Users;
/// impl Resolver for Users {
///     fn token(&self, key: &str) -> Lookup {
///         if key == "abc" { Lookup::Found(UserInput { id: Some(1.into()), is_active: true, ..Default::default() }) } else { Lookup::NotFound }
///     }
/// }
/// let settings = CompiledSettings::compile(&AuthenticationSettings::default()).unwrap();
/// let classes = [Authenticator::new("token", settings.builtin_class("token").unwrap())];
///
/// let ok = RawRequest::new("GET").header("Authorization", "token abc").unwrap();
/// let result = authenticate(&ok, &classes, &settings, &Users, 0.0).unwrap();
/// assert_eq!(result.outcome, AuthenticationOutcome::Succeeded("token".into()));
///
/// let bad = RawRequest::new("GET").header("Authorization", "Token nope").unwrap();
/// let result = authenticate(&bad, &classes, &settings, &Users, 0.0).unwrap();
/// assert_eq!(result.outcome, AuthenticationOutcome::Failed(AuthenticationFailure::authentication_failed("Invalid token.")));
/// ```
#[cfg(feature = "edge")]
pub fn authenticate(
    request: &RawRequest,
    authenticators: &[Authenticator],
    settings: &CompiledSettings,
    resolver: &dyn Resolver,
    now: f64,
) -> Result<Authenticated, Undecided> {
    authenticate_resuming(request, authenticators, settings, resolver, now, &mut Progress::default())
}

/// Authentication's progress on one request between its steps: where the chain stopped, and
/// what the class that stopped there already verified, so that the next step resumes there
/// instead of starting again.
///
/// Resuming is exact: the classes before the one that stopped returned None, and a class's
/// result depends only on the request, the settings, `now` and the answers to its own lookups,
/// none of which a later answer changes. A JWT class that stopped for its user lookup keeps the
/// verified user id claim: the token is decoded and its signature checked once per request.
///
/// ```
/// use drf_gate::authentication::*;
/// let settings = CompiledSettings::compile(&AuthenticationSettings::default()).unwrap();
/// let classes = [Authenticator::new("token", settings.builtin_class("token").unwrap())];
/// let request = RawRequest::new("GET").header("Authorization", "Token abc").unwrap();
/// let mut cache = AnswerCache::default();
/// let mut progress = Progress::default();
/// assert!(matches!(authenticate_resuming(&request, &classes, &settings, &cache, 0.0, &mut progress), Err(Undecided::Lookup(_))));
/// cache.insert(LookupKey::Token { key: "abc".into() }, Answer::NotFound(true));
/// let done = authenticate_resuming(&request, &classes, &settings, &cache, 0.0, &mut progress).unwrap();
/// assert!(matches!(done.outcome, AuthenticationOutcome::Failed(_)));
/// ```
#[cfg(feature = "edge")]
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// The class to start at (every class before it returned None).
    start: usize,
    /// A JWT class (by index) whose token verified, with the user id claim to look up.
    verified_jwt: Option<(usize, Value)>,
}

/// [`authenticate`], resuming where `progress` says an earlier step of the same request stopped,
/// and recording where this one stops.
///
/// # Errors
/// [`Undecided`], as [`authenticate`].
#[cfg(feature = "edge")]
pub fn authenticate_resuming(
    request: &RawRequest,
    authenticators: &[Authenticator],
    settings: &CompiledSettings,
    resolver: &dyn Resolver,
    now: f64,
    progress: &mut Progress,
) -> Result<Authenticated, Undecided> {
    let start = progress.start;
    for (index, authenticator) in authenticators.iter().enumerate().skip(start) {
        let step = match &authenticator.class {
            AuthenticationClass::Basic { .. } => basic::authenticate(request, resolver),
            AuthenticationClass::Token { keyword } => token::authenticate(request, keyword, resolver),
            AuthenticationClass::Knox { prefix } => knox::authenticate(request, prefix, settings, resolver, now),
            AuthenticationClass::Jwt { stateless, .. } => {
                let verified = match progress.verified_jwt.take() {
                    Some((at, id)) if at == index => Ok(id),
                    _ => jwt::verify(request, *stateless, settings, now),
                };
                match verified {
                    Ok(id) => {
                        let step = jwt::get_user(&id, settings, resolver);
                        if matches!(step, Step::Pending(_)) {
                            progress.verified_jwt = Some((index, id));
                        }
                        step
                    }
                    Err(step) => step,
                }
            }
            AuthenticationClass::Session => session::authenticate(request, settings, resolver),
            AuthenticationClass::RemoteUser => remote_user_authenticate(request, settings, resolver),
            AuthenticationClass::Custom { name, .. } => match resolver.custom(name, request) {
                CustomLookup::None => Step::None,
                CustomLookup::User(user) => Step::Found(Box::new(user), LookupKey::Custom { class_name: name.clone() }),
                CustomLookup::Failure(failure) => Step::Fail(failure),
                CustomLookup::Pending => Step::Pending(LookupKey::Custom { class_name: name.clone() }),
                CustomLookup::Unknown => Step::Unknown(LookupKey::Custom { class_name: name.clone() }),
            },
        };
        match step {
            Step::None => continue,
            Step::User(user) => {
                return Ok(Authenticated {
                    outcome: AuthenticationOutcome::Succeeded(authenticator.name.clone()),
                    user: Some(*user),
                    class_index: Some(index),
                    user_lookup: None,
                })
            }
            Step::Found(user, key) => {
                return Ok(Authenticated {
                    outcome: AuthenticationOutcome::Succeeded(authenticator.name.clone()),
                    user: Some(*user),
                    class_index: Some(index),
                    user_lookup: Some(key),
                })
            }
            Step::Fail(failure) => {
                return Ok(Authenticated {
                    outcome: AuthenticationOutcome::Failed(failure),
                    user: None,
                    class_index: Some(index),
                    user_lookup: None,
                })
            }
            Step::Pending(key) => {
                progress.start = index;
                return Err(Undecided::Lookup(NeedsLookup { key, class_index: index }));
            }
            Step::Unknown(key) => return Err(Undecided::Unknown(NeedsLookup { key, class_index: index })),
            Step::NeedsBody(max_bytes) => {
                progress.start = index;
                return Err(Undecided::Body { class_index: index, max_bytes });
            }
            Step::BodyTooLarge => return Err(Undecided::BodyTooLarge { class_index: index }),
        }
    }
    Ok(Authenticated { outcome: AuthenticationOutcome::None(true), user: None, class_index: None, user_lookup: None })
}

/// `RemoteUserAuthentication.authenticate`: `RemoteUserBackend` returns None for an empty
/// value; an inactive user gives None; it never raises. With `create_unknown_user` the backend
/// creates a user the resolver does not know: that miss is the origin's to answer.
#[cfg(feature = "edge")]
fn remote_user_authenticate(request: &RawRequest, settings: &CompiledSettings, resolver: &dyn Resolver) -> Step {
    let remote_user = &settings.settings.remote_user;
    let Some(name) = request.meta(&remote_user.header).filter(|name| !name.is_empty()) else {
        return Step::None;
    };
    let lookup = match resolver.remote_user(name) {
        Lookup::NotFound if remote_user.create_unknown_user => Lookup::Unknown,
        other => other,
    };
    Step::from_lookup(
        lookup,
        || LookupKey::RemoteUser { name: name.to_string() },
        |user| if user.is_active { Step::User(Box::new(user)) } else { Step::None },
        || Step::None,
    )
}
