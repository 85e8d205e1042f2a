//! The settings of the authentication classes, and their compiled form.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(not(feature = "edge"))]
use super::algorithms::check_algorithm;
#[cfg(feature = "edge")]
pub use super::algorithms::Hash;
#[cfg(feature = "edge")]
use super::backends::JwtKey;
use super::builtin::Kind;
use super::urlsplit::urlsplit;
use super::{AuthenticationClass, InputError};
use crate::error::InputErrorCode;

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
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
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
    /// Django's `DATA_UPLOAD_*` limits, applied when the CSRF check reads a body.
    pub upload: UploadSettings,
    /// django-rest-knox's `REST_KNOX`.
    #[serde(skip_serializing_if = "KnoxSettings::is_default")]
    pub knox: KnoxSettings,
    /// djangorestframework-api-key's `API_KEY_CUSTOM_HEADER`: the `request.META` name `HasAPIKey`
    /// reads the key from (`HTTP_X_API_KEY`); `None`: `Authorization: Api-Key <key>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_custom_header: Option<String>,
}

/// Django's request-body limits, as the CSRF check's `request.POST` meets them (DRF's parsers
/// read the request stream): form bodies are limited to `DATA_UPLOAD_MAX_NUMBER_FIELDS` fields,
/// JSON bodies are read whole, and multipart bodies follow Django's `MultiPartParser`: at most
/// `DATA_UPLOAD_MAX_NUMBER_FIELDS` parts, `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes of non-file fields,
/// `DATA_UPLOAD_MAX_NUMBER_FILES` files (over any: Django's 400). `FILE_UPLOAD_MAX_MEMORY_SIZE`
/// only decides whether Django keeps an upload in memory or on disk, so it changes no answer.
/// `null` is Django's `None` (no limit).
///
/// ```
/// use drf_gate::authentication::UploadSettings;
/// let limits: UploadSettings = serde_json::from_str(r#"{"dataMaxNumberFields": null}"#).unwrap();
/// assert_eq!(limits.data_max_number_fields, None);
/// assert_eq!(limits.data_max_memory_size, Some(2_621_440));
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct UploadSettings {
    /// `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB).
    pub data_max_memory_size: Option<usize>,
    /// `DATA_UPLOAD_MAX_NUMBER_FIELDS` (1000).
    pub data_max_number_fields: Option<usize>,
    /// `DATA_UPLOAD_MAX_NUMBER_FILES` (100).
    pub data_max_number_files: Option<usize>,
    /// `FILE_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB): recorded, no effect on a decision.
    pub file_max_memory_size: Option<usize>,
}

impl Default for UploadSettings {
    fn default() -> Self {
        UploadSettings {
            data_max_memory_size: Some(2_621_440),
            data_max_number_fields: Some(1000),
            data_max_number_files: Some(100),
            file_max_memory_size: Some(2_621_440),
        }
    }
}

/// `TokenAuthentication` options.
#[derive(Clone, Debug, Deserialize, Serialize)]
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

/// django-rest-knox's `REST_KNOX` settings that decide its `TokenAuthentication`.
///
/// ```
/// use drf_gate::authentication::{KnoxHash, KnoxSettings};
/// let knox: KnoxSettings = serde_json::from_str(r#"{"authHeaderPrefix": "Bearer"}"#).unwrap();
/// assert_eq!((knox.auth_header_prefix.as_str(), knox.secure_hash_algorithm), ("Bearer", KnoxHash::Sha512));
/// ```
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct KnoxSettings {
    /// `AUTH_HEADER_PREFIX` (knox: `"Token"`): the scheme word and the `WWW-Authenticate` value.
    pub auth_header_prefix: String,
    /// `SECURE_HASH_ALGORITHM` (knox: `hashlib.sha512`): how a token's digest is computed.
    pub secure_hash_algorithm: KnoxHash,
    /// `AUTO_REFRESH`: knox extends a valid expiring token's expiry on each request (a database
    /// write), so such requests always go to the origin.
    pub auto_refresh: bool,
}
impl Default for KnoxSettings {
    fn default() -> Self {
        KnoxSettings {
            auth_header_prefix: "Token".into(),
            secure_hash_algorithm: KnoxHash::Sha512,
            auto_refresh: false,
        }
    }
}
impl KnoxSettings {
    fn is_default(&self) -> bool {
        *self == KnoxSettings::default()
    }
}

/// The `hashlib` constructors knox's `SECURE_HASH_ALGORITHM` may name (by `hashlib` name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KnoxHash {
    /// `hashlib.sha224`.
    Sha224,
    /// `hashlib.sha256`.
    Sha256,
    /// `hashlib.sha384`.
    Sha384,
    /// `hashlib.sha512` (knox's default).
    Sha512,
}

/// `BasicAuthentication` options.
#[derive(Clone, Debug, Deserialize, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
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
#[derive(Clone, Debug, Deserialize, Serialize)]
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
    /// The kind of model field `USER_ID_FIELD` is: which claims its `get_prep_value` takes.
    /// None: [`UserIdKind::Integer`] for `id`/`pk`, [`UserIdKind::Text`] otherwise.
    pub user_id_kind: Option<UserIdKind>,
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

/// The kind of model field simplejwt's `USER_ID_FIELD` names. `User.objects.get(**{field: claim})`
/// raises an uncaught error (DRF's 500) for a claim the field cannot take, so the resolver's
/// not-found is DRF's 401 "User not found" only for a claim the field takes.
///
/// ```
/// use drf_gate::authentication::{JwtSettings, UserIdKind};
/// let jwt: JwtSettings = serde_json::from_str(r#"{"userIdField": "id", "userIdKind": "uuid"}"#).unwrap();
/// assert_eq!(jwt.user_id_kind(), UserIdKind::Uuid);
/// assert_eq!(JwtSettings::default().user_id_kind(), UserIdKind::Integer);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserIdKind {
    /// An integer field (`AutoField`, `IntegerField`, ...): `int(claim)` must succeed.
    Integer,
    /// `UUIDField`: `uuid.UUID(int=claim)` for an int, `uuid.UUID(hex=claim)` otherwise.
    Uuid,
    /// A text field (`CharField`, `TextField`, ...): `str(claim)` always succeeds.
    Text,
}

impl JwtSettings {
    /// `user_id_kind`, or the kind implied by the field's name when the policy does not say.
    ///
    /// ```
    /// use drf_gate::authentication::{JwtSettings, UserIdKind};
    /// let jwt = JwtSettings { user_id_field: "username".into(), ..JwtSettings::default() };
    /// assert_eq!(jwt.user_id_kind(), UserIdKind::Text);
    /// ```
    pub fn user_id_kind(&self) -> UserIdKind {
        match (self.user_id_kind, self.user_id_field.as_str()) {
            (Some(kind), _) => kind,
            (None, "id" | "pk") => UserIdKind::Integer,
            (None, _) => UserIdKind::Text,
        }
    }
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
            user_id_kind: None,
            token_type_claim: Some("token_type".into()),
            jti_claim: Some("jti".into()),
            auth_token_classes: vec!["AccessToken".into()],
            check_user_is_active: true,
            realm: "api".into(),
        }
    }
}

/// Django's CSRF settings.
#[derive(Clone, Debug, Deserialize, Serialize)]
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
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SessionSettings {
    /// `SESSION_COOKIE_NAME`.
    pub cookie_name: String,
    /// `SESSION_COOKIE_DOMAIN` (used by the Referer check when `CSRF_USE_SESSIONS`).
    pub cookie_domain: Option<String>,
    /// `SESSION_ENGINE`. Only the database engines keep sessions as rows a resolver's store can
    /// hold: under any other a resolver's not-found is not DRF's anonymous user.
    pub engine: String,
}

impl SessionSettings {
    /// Whether `SESSION_ENGINE` keeps sessions as database rows (`db`, `cached_db`), so that a
    /// resolver's "no such session" is Django's.
    ///
    /// ```
    /// use drf_gate::authentication::SessionSettings;
    /// assert!(SessionSettings::default().rows_in_database());
    /// let cookies = SessionSettings { engine: "django.contrib.sessions.backends.signed_cookies".into(), ..SessionSettings::default() };
    /// assert!(!cookies.rows_in_database());
    /// ```
    pub fn rows_in_database(&self) -> bool {
        matches!(
            self.engine.as_str(),
            "django.contrib.sessions.backends.db" | "django.contrib.sessions.backends.cached_db"
        )
    }
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            cookie_name: "sessionid".into(),
            cookie_domain: None,
            engine: "django.contrib.sessions.backends.db".into(),
        }
    }
}

/// `RemoteUserAuthentication` options.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RemoteUserSettings {
    /// `header`, a `request.META` key (not an `HTTP_` header by default).
    pub header: String,
    /// `RemoteUserBackend.create_unknown_user`: the backend creates a user it has not seen, so
    /// a resolver's not-found is not DRF's anonymous user (DRF authenticates the new user).
    /// Default true, as Django's `RemoteUserBackend`: a policy that does not say is forwarded a miss.
    pub create_unknown_user: bool,
}
impl Default for RemoteUserSettings {
    fn default() -> Self {
        RemoteUserSettings { header: "REMOTE_USER".into(), create_unknown_user: true }
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
    /// The decoded key (the core build checks the algorithm and the HMAC secret, and leaves
    /// PEM/JWK decoding to the edge build, which alone verifies signatures).
    #[cfg(feature = "edge")]
    pub(crate) jwt_key: Option<JwtKey>,
    // Compiled in both builds, so that both reject the same settings; read at the edge.
    #[cfg_attr(not(feature = "edge"), allow(dead_code))]
    pub(crate) token_classes: Vec<TokenClass>,
    #[cfg_attr(not(feature = "edge"), allow(dead_code))]
    pub(crate) trusted_origins: TrustedOrigins,
    /// `SECURE_PROXY_SSL_HEADER`, from the policy's `middleware` section (docs/policy.md §6):
    /// `request.is_secure()` for CSRF's Referer and Origin checks, as SecurityMiddleware has it.
    #[cfg(feature = "edge")]
    pub(crate) proxy_ssl_header: Option<(String, String)>,
}

impl CompiledSettings {
    /// Validates and compiles the settings.
    pub fn compile(settings: &AuthenticationSettings) -> Result<Self, InputError> {
        Self::compile_owned(settings.clone())
    }

    /// [`CompiledSettings::compile`], keeping the settings it is given (no copy).
    ///
    /// ```
    /// use drf_gate::authentication::{AuthenticationSettings, CompiledSettings};
    /// let compiled = CompiledSettings::compile_owned(AuthenticationSettings::default()).unwrap();
    /// assert_eq!(compiled.settings().jwt.algorithm, "HS256");
    /// ```
    pub fn compile_owned(settings: AuthenticationSettings) -> Result<Self, InputError> {
        let jwt = &settings.jwt;
        #[cfg(feature = "edge")]
        let jwt_key = JwtKey::compile(&jwt.algorithm, jwt.signing_key.as_deref(), jwt.verifying_key.as_ref())?;
        #[cfg(not(feature = "edge"))]
        check_algorithm(&jwt.algorithm, jwt.signing_key.as_deref())?;
        let mut token_classes = Vec::with_capacity(jwt.auth_token_classes.len());
        for (i, name) in jwt.auth_token_classes.iter().enumerate() {
            let class = TokenClass::from_name(name).ok_or_else(|| {
                InputError::new(
                    InputErrorCode::InvalidSettings,
                    format!("$.settings.jwt.authTokenClasses[{i}]"),
                    format!("unknown token class {name:?} (AccessToken, SlidingToken, UntypedToken, RefreshToken)"),
                )
            })?;
            token_classes.push(class);
        }
        if jwt.auth_header_types.as_slice().is_empty() {
            return Err(InputError::new(
                InputErrorCode::InvalidSettings,
                "$.settings.jwt.authHeaderTypes",
                "must not be empty",
            ));
        }
        if !jwt.leeway.is_finite() {
            return Err(InputError::new(
                InputErrorCode::InvalidSettings,
                "$.settings.jwt.leeway",
                "must be a finite number",
            ));
        }
        let trusted_origins = TrustedOrigins::compile(&settings.csrf.trusted_origins)?;
        Ok(CompiledSettings {
            settings,
            #[cfg(feature = "edge")]
            jwt_key,
            token_classes,
            trusted_origins,
            #[cfg(feature = "edge")]
            proxy_ssl_header: None,
        })
    }

    /// The settings as given.
    pub fn settings(&self) -> &AuthenticationSettings {
        &self.settings
    }

    /// Checks that these settings can run these classes (a JWT class needs a key).
    #[cfg(feature = "edge")]
    pub fn check_classes<'a>(
        &self,
        classes: impl IntoIterator<Item = &'a AuthenticationClass>,
    ) -> Result<(), InputError> {
        for class in classes {
            if matches!(class, AuthenticationClass::Jwt { .. }) && self.jwt_key.is_none() {
                let path = if self.settings.jwt.algorithm.starts_with("HS") { "signingKey" } else { "verifyingKey" };
                return Err(InputError::new(
                    InputErrorCode::InvalidSettings,
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
        Some(match super::builtin::by_short_name(short)?.kind {
            Kind::Session => AuthenticationClass::Session,
            Kind::Basic => AuthenticationClass::Basic { realm: self.settings.basic.realm.clone() },
            Kind::Token => AuthenticationClass::Token { keyword: self.settings.token.keyword.clone() },
            Kind::Jwt => jwt(false),
            Kind::JwtStateless => jwt(true),
            Kind::RemoteUser => AuthenticationClass::RemoteUser,
            Kind::Knox => AuthenticationClass::Knox { prefix: self.settings.knox.auth_header_prefix.clone() },
        })
    }
}

/// A simplejwt token class of `AUTH_TOKEN_CLASSES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenClass {
    /// `AccessToken` (`token_type` `access`).
    Access,
    /// `SlidingToken` (`sliding`; the blacklist app is assumed not installed).
    Sliding,
    /// `RefreshToken` (`refresh`; same assumption).
    Refresh,
    /// `UntypedToken` (`untyped`): no type check.
    Untyped,
}

impl TokenClass {
    /// By class name or dotted path.
    ///
    /// ```
    /// use drf_gate::authentication::TokenClass;
    /// assert_eq!(TokenClass::from_name("rest_framework_simplejwt.tokens.SlidingToken"), Some(TokenClass::Sliding));
    /// ```
    pub fn from_name(name: &str) -> Option<TokenClass> {
        match name.rsplit('.').next().unwrap_or(name) {
            "AccessToken" => Some(TokenClass::Access),
            "SlidingToken" => Some(TokenClass::Sliding),
            "RefreshToken" => Some(TokenClass::Refresh),
            "UntypedToken" => Some(TokenClass::Untyped),
            _ => None,
        }
    }

    /// `AuthToken.__name__`.
    pub fn class_name(self) -> &'static str {
        match self {
            TokenClass::Access => "AccessToken",
            TokenClass::Sliding => "SlidingToken",
            TokenClass::Refresh => "RefreshToken",
            TokenClass::Untyped => "UntypedToken",
        }
    }

    /// `AuthToken.token_type`.
    pub fn token_type(self) -> &'static str {
        match self {
            TokenClass::Access => "access",
            TokenClass::Sliding => "sliding",
            TokenClass::Refresh => "refresh",
            TokenClass::Untyped => "untyped",
        }
    }
}

/// Compiled `CSRF_TRUSTED_ORIGINS`.
#[derive(Clone, Debug, Default)]
pub(crate) struct TrustedOrigins {
    /// `allowed_origins_exact`.
    pub(crate) exact: Vec<String>,
    /// `allowed_origin_subdomains`: (scheme, netloc without leading `*`).
    pub(crate) subdomains: Vec<(String, String)>,
    /// `csrf_trusted_origins_hosts`.
    pub(crate) hosts: Vec<String>,
}

impl TrustedOrigins {
    pub(crate) fn compile(origins: &[String]) -> Result<Self, InputError> {
        let mut compiled = TrustedOrigins::default();
        for (i, origin) in origins.iter().enumerate() {
            let error = |message: &str| {
                InputError::new(
                    InputErrorCode::InvalidSettings,
                    format!("$.settings.csrf.trustedOrigins[{i}]"),
                    message,
                )
            };
            if !origin.contains("://") {
                // Django's system check 4_0.E001.
                return Err(error("must start with a scheme (usually http:// or https://)"));
            }
            let parts = urlsplit(origin).ok_or_else(|| error("not a valid URL"))?;
            let host = parts.netloc.trim_start_matches('*').to_string();
            compiled.hosts.push(host.clone());
            if origin.contains('*') {
                compiled.subdomains.push((parts.scheme, host));
            } else {
                compiled.exact.push(origin.clone());
            }
        }
        Ok(compiled)
    }
}
