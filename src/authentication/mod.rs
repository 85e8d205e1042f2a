//! Authentication classes: which ones a view has, the header each advertises (DRF's
//! `authenticate_header`, which decides 401 vs 403), and the outcome of running them.
//!
//! Running the classes on a raw request (edge authentication) lives in submodules.

use serde::Deserialize;
use serde_json::Value;

/// The `settings` of a policy: options of the authentication classes (simplejwt's `SIMPLE_JWT`,
/// Django's CSRF settings, ...).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationSettings {}

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
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationFailure {
    /// Which DRF exception: decides the status.
    #[serde(default)]
    pub exception: FailureKind,
    /// The detail: a string becomes `{"detail": ...}`; an object or array is the whole body.
    pub detail: Value,
    /// The error code (`authentication_failed`, `token_not_valid`, ...).
    #[serde(default)]
    pub code: Option<String>,
}

/// The DRF exception classes authentication can raise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum FailureKind {
    /// `AuthenticationFailed`: 401 with the first class's header, else 403.
    #[default]
    AuthenticationFailed,
    /// `PermissionDenied` (the CSRF failure): always 403.
    PermissionDenied,
    /// `ParseError` (a malformed body read during the CSRF check): 400.
    ParseError,
}
