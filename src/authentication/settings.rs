//! The settings of the authentication classes, and their compiled form.

use serde::Deserialize;
use serde_json::Value;

use super::csrf::TrustedOrigins;
use super::jwt::{JwtKey, TokenClass};
use super::{AuthenticationClass, InputError};

/// The `settings` of a policy: options of the authentication classes (simplejwt's `SIMPLE_JWT`,
/// Django's CSRF settings, ...). Every key is optional, with the DRF/simplejwt/Django default.
///
/// ```
/// use drf_gate::authentication::AuthenticationSettings;
/// let settings: AuthenticationSettings = serde_json::from_str(
///     r#"{"jwt": {"signingKey": "secret", "leeway": 5}, "csrf": {"trustedOrigins": ["https://*.example.com"]}}"#).unwrap();
/// assert_eq!(settings.jwt.algorithm, "HS256");
/// assert_eq!(settings.token.keyword, "Token");
/// assert!(serde_json::from_str::<AuthenticationSettings>(r#"{"jwt": {"algo": "x"}}"#).is_err());
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AuthenticationSettings {
    /// `TokenAuthentication`.
    pub token: TokenSettings,
    /// `BasicAuthentication`.
    pub basic: BasicSettings,
    /// simplejwt's `SIMPLE_JWT`.
    pub jwt: JwtSettings,
    /// Django's `CSRF_*` settings and `ALLOWED_HOSTS`.
    pub csrf: CsrfSettings,
    /// Django's `SESSION_*` settings.
    pub session: SessionSettings,
    /// `RemoteUserAuthentication`.
    pub remote_user: RemoteUserSettings,
}

/// `TokenAuthentication` options.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TokenSettings {
    /// `keyword` (DRF: `"Token"`).
    pub keyword: String,
}
impl Default for TokenSettings {
    fn default() -> Self {
        TokenSettings { keyword: "Token".into() }
    }
}

/// `BasicAuthentication` options.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct BasicSettings {
    /// `www_authenticate_realm` (DRF: `"api"`).
    pub realm: String,
}
impl Default for BasicSettings {
    fn default() -> Self {
        BasicSettings { realm: "api".into() }
    }
}

/// One string or a list of strings (simplejwt accepts both for `AUTH_HEADER_TYPES`, PyJWT for
/// `audience`/`issuer`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single string.
    One(String),
    /// A list.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings.
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }
}

/// simplejwt's `SIMPLE_JWT` (5.5.1 defaults).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct JwtSettings {
    /// `ALGORITHM`: HS256/384/512, RS256/384/512, ES256/384. Always the one accepted: the token's
    /// own `alg` only has to equal it.
    pub algorithm: String,
    /// `SIGNING_KEY` (HS*: the shared secret; simplejwt's default is Django's `SECRET_KEY`, which
    /// the edge must be given).
    pub signing_key: Option<String>,
    /// `VERIFYING_KEY` (RS*/ES*): a PEM string (public or private key), or a JWK (object or JSON
    /// text).
    pub verifying_key: Option<Value>,
    /// `AUDIENCE` (None: `aud` is not checked).
    pub audience: Option<OneOrMany>,
    /// `ISSUER` (None: `iss` is not checked).
    pub issuer: Option<OneOrMany>,
    /// `LEEWAY` in seconds.
    pub leeway: f64,
    /// `AUTH_HEADER_TYPES`, matched exactly (case-sensitive).
    pub auth_header_types: OneOrMany,
    /// `AUTH_HEADER_NAME`, a `request.META` key.
    pub auth_header_name: String,
    /// `USER_ID_CLAIM`.
    pub user_id_claim: String,
    /// `USER_ID_FIELD` (passed to [`Resolver::user_by_id`](super::Resolver::user_by_id)).
    pub user_id_field: String,
    /// `TOKEN_TYPE_CLAIM` (null: no type check).
    pub token_type_claim: Option<String>,
    /// `JTI_CLAIM` (null: no id check).
    pub jti_claim: Option<String>,
    /// `AUTH_TOKEN_CLASSES`: `AccessToken`, `SlidingToken`, `UntypedToken`, `RefreshToken`
    /// (dotted paths allowed).
    pub auth_token_classes: Vec<String>,
    /// `CHECK_USER_IS_ACTIVE`.
    pub check_user_is_active: bool,
    /// `JWTAuthentication.www_authenticate_realm`.
    pub realm: String,
}

impl Default for JwtSettings {
    fn default() -> Self {
        JwtSettings {
            algorithm: "HS256".into(),
            signing_key: None,
            verifying_key: None,
            audience: None,
            issuer: None,
            leeway: 0.0,
            auth_header_types: OneOrMany::Many(vec!["Bearer".into()]),
            auth_header_name: "HTTP_AUTHORIZATION".into(),
            user_id_claim: "user_id".into(),
            user_id_field: "id".into(),
            token_type_claim: Some("token_type".into()),
            jti_claim: Some("jti".into()),
            auth_token_classes: vec!["AccessToken".into()],
            check_user_is_active: true,
            realm: "api".into(),
        }
    }
}

/// Django's CSRF settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CsrfSettings {
    /// `CSRF_COOKIE_NAME`.
    pub cookie_name: String,
    /// `CSRF_HEADER_NAME`, a `request.META` key.
    pub header_name: String,
    /// `CSRF_TRUSTED_ORIGINS` (each with a scheme; `*` wildcards allowed).
    pub trusted_origins: Vec<String>,
    /// `CSRF_COOKIE_DOMAIN`.
    pub cookie_domain: Option<String>,
    /// `CSRF_USE_SESSIONS`: the secret lives in the session
    /// ([`Resolver::session_csrf_secret`](super::Resolver::session_csrf_secret)).
    pub use_sessions: bool,
    /// `ALLOWED_HOSTS` for `request.get_host()`. Null (default): any well-formed host, as
    /// `['*']` (the origin server already enforces its own list).
    pub allowed_hosts: Option<Vec<String>>,
}

impl Default for CsrfSettings {
    fn default() -> Self {
        CsrfSettings {
            cookie_name: "csrftoken".into(),
            header_name: "HTTP_X_CSRFTOKEN".into(),
            trusted_origins: Vec::new(),
            cookie_domain: None,
            use_sessions: false,
            allowed_hosts: None,
        }
    }
}

/// Django's session settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SessionSettings {
    /// `SESSION_COOKIE_NAME`.
    pub cookie_name: String,
    /// `SESSION_COOKIE_DOMAIN` (used by the Referer check when `CSRF_USE_SESSIONS`).
    pub cookie_domain: Option<String>,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings { cookie_name: "sessionid".into(), cookie_domain: None }
    }
}

/// `RemoteUserAuthentication` options.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RemoteUserSettings {
    /// `header`, a `request.META` key (not an `HTTP_` header by default).
    pub header: String,
}
impl Default for RemoteUserSettings {
    fn default() -> Self {
        RemoteUserSettings { header: "REMOTE_USER".into() }
    }
}

/// Settings compiled once: decoded keys, parsed trusted origins. Immutable; share it across
/// requests.
///
/// ```
/// use drf_gate::authentication::{AuthenticationSettings, CompiledSettings};
/// let settings: AuthenticationSettings = serde_json::from_str(r#"{"jwt": {"algorithm": "HS999"}}"#).unwrap();
/// let error = CompiledSettings::compile(&settings).unwrap_err();
/// assert_eq!(error.path, "$.settings.jwt.algorithm");
/// ```
#[derive(Clone, Debug)]
pub struct CompiledSettings {
    pub(crate) settings: AuthenticationSettings,
    pub(crate) jwt_key: Option<JwtKey>,
    pub(crate) token_classes: Vec<TokenClass>,
    pub(crate) trusted_origins: TrustedOrigins,
}

impl CompiledSettings {
    /// Validates and compiles the settings.
    pub fn compile(settings: &AuthenticationSettings) -> Result<Self, InputError> {
        let jwt = &settings.jwt;
        let jwt_key = JwtKey::compile(jwt)?;
        let mut token_classes = Vec::with_capacity(jwt.auth_token_classes.len());
        for (i, name) in jwt.auth_token_classes.iter().enumerate() {
            let class = TokenClass::from_name(name).ok_or_else(|| {
                InputError::new(
                    "invalid_settings",
                    format!("$.settings.jwt.authTokenClasses[{i}]"),
                    format!("unknown token class {name:?} (AccessToken, SlidingToken, UntypedToken, RefreshToken)"),
                )
            })?;
            token_classes.push(class);
        }
        if jwt.auth_header_types.as_slice().is_empty() {
            return Err(InputError::new("invalid_settings", "$.settings.jwt.authHeaderTypes", "must not be empty"));
        }
        if !jwt.leeway.is_finite() {
            return Err(InputError::new("invalid_settings", "$.settings.jwt.leeway", "must be a finite number"));
        }
        let trusted_origins = TrustedOrigins::compile(&settings.csrf.trusted_origins)?;
        Ok(CompiledSettings { settings: settings.clone(), jwt_key, token_classes, trusted_origins })
    }

    /// The settings as given.
    pub fn settings(&self) -> &AuthenticationSettings {
        &self.settings
    }

    /// Checks that these settings can run these classes (a JWT class needs a key).
    pub fn check_classes<'a>(&self, classes: impl IntoIterator<Item = &'a AuthenticationClass>) -> Result<(), InputError> {
        for class in classes {
            if matches!(class, AuthenticationClass::Jwt { .. }) && self.jwt_key.is_none() {
                let path = if self.settings.jwt.algorithm.starts_with("HS") { "signingKey" } else { "verifyingKey" };
                return Err(InputError::new(
                    "invalid_settings",
                    format!("$.settings.jwt.{path}"),
                    "JWT authentication needs a key",
                ));
            }
        }
        Ok(())
    }

    /// A built-in class by DRF name or alias, configured from these settings.
    ///
    /// ```
    /// use drf_gate::authentication::{AuthenticationClass, CompiledSettings};
    /// let settings = CompiledSettings::compile(&Default::default()).unwrap();
    /// assert_eq!(settings.builtin_class("token"), Some(AuthenticationClass::Token { keyword: "Token".into() }));
    /// assert_eq!(settings.builtin_class("rest_framework.authentication.SessionAuthentication"), Some(AuthenticationClass::Session));
    /// ```
    pub fn builtin_class(&self, name: &str) -> Option<AuthenticationClass> {
        let short = name.rsplit('.').next().unwrap_or(name);
        let jwt = |stateless| AuthenticationClass::Jwt {
            stateless,
            header_type: self.settings.jwt.auth_header_types.as_slice().first().cloned().unwrap_or_default(),
            realm: self.settings.jwt.realm.clone(),
        };
        Some(match short {
            "session" | "SessionAuthentication" => AuthenticationClass::Session,
            "basic" | "BasicAuthentication" => AuthenticationClass::Basic { realm: self.settings.basic.realm.clone() },
            "token" | "TokenAuthentication" => AuthenticationClass::Token { keyword: self.settings.token.keyword.clone() },
            "jwt" | "JWTAuthentication" => jwt(false),
            "jwtStateless" | "JWTStatelessUserAuthentication" | "JWTTokenUserAuthentication" => jwt(true),
            "remoteUser" | "RemoteUserAuthentication" => AuthenticationClass::RemoteUser,
            _ => return None,
        })
    }
}
