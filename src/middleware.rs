//! The origin's middleware: what Django's `MIDDLEWARE` adds to the response DRF renders (and
//! the CORS preflights django-cors-headers answers before DRF runs), so that a denial answered
//! at the edge carries the same headers as the origin's. A thin layer over [`Decision`]: it never
//! changes a status or a body, it only adds headers, answers a preflight, or says "only the
//! origin can render this" (a random `csrftoken` cookie, a session cookie to delete, a redirect).
//!
//! The policy's `middleware` section (`docs/policy.md` §6) lists `settings.MIDDLEWARE` in order;
//! `process_request` runs top-down, `process_response` bottom-up, which decides header order and
//! how `Vary` values merge (`patch_vary_headers`).
//!
//! ```
//! let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticated"], "views": {"posts": {}},
//!   "middleware": {"classes": ["django.middleware.security.SecurityMiddleware",
//!                              "django.middleware.clickjacking.XFrameOptionsMiddleware"]}}"#).unwrap();
//! # #[cfg(feature = "edge")] {
//! use drf_gate::authentication::{AnswerCache, RawRequest};
//! use drf_gate::edge::{EdgeOutcome, RequestTarget};
//! let request = RawRequest::new("GET");
//! let target = RequestTarget { view: Some("posts".into()), ..Default::default() };
//! let EdgeOutcome::Decided(decision, _) = gate.check_request(&request, &target, &AnswerCache::default(), 0.0).unwrap() else { panic!() };
//! let headers: Vec<_> = decision.headers().collect();
//! assert!(headers.contains(&("X-Frame-Options", "DENY")));
//! assert!(headers.contains(&("X-Content-Type-Options", "nosniff")));
//! # }
//! ```

use serde::Deserialize;

#[cfg(feature = "edge")]
use crate::error::PolicyError;

/// The policy's `middleware` section: `settings.MIDDLEWARE` and the settings those classes read.
///
/// ```
/// let spec: drf_gate::middleware::MiddlewareSpec = serde_json::from_str(
///     r#"{"classes": ["corsheaders.middleware.CorsMiddleware"], "cors": {"allowedOrigins": ["https://app.example.com"]}}"#).unwrap();
/// assert_eq!(spec.cors.unwrap().allowed_origins, ["https://app.example.com"]);
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MiddlewareSpec {
    /// `settings.MIDDLEWARE`: dotted paths, in order.
    pub classes: Vec<String>,
    /// The project's own middleware that adds nothing to a DRF denial (declared by the project:
    /// `DRFGATE_TRANSPARENT_MIDDLEWARE`); any other unknown class is a policy error.
    #[serde(default)]
    pub transparent: Vec<String>,
    /// `ALLOWED_HOSTS` as `request.get_host()` validates it (DEBUG's defaults applied).
    #[serde(default)]
    pub allowed_hosts: Option<Vec<String>>,
    /// `DEFAULT_CHARSET` (the preflight's `Content-Type`).
    #[serde(default = "utf8")]
    pub default_charset: String,
    /// `SecurityMiddleware`'s settings.
    #[serde(default)]
    pub security: SecuritySpec,
    /// `X_FRAME_OPTIONS`.
    #[serde(default = "deny")]
    pub x_frame_options: String,
    /// `SESSION_SAVE_EVERY_REQUEST`.
    #[serde(default)]
    pub session_save_every_request: bool,
    /// `CommonMiddleware`'s settings.
    #[serde(default)]
    pub common: CommonSpec,
    /// django-cors-headers' settings.
    #[serde(default)]
    pub cors: Option<CorsSpec>,
}

fn utf8() -> String {
    "utf-8".into()
}
fn deny() -> String {
    "DENY".into()
}

/// `SecurityMiddleware`'s settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SecuritySpec {
    /// `SECURE_HSTS_SECONDS`.
    pub hsts_seconds: u64,
    /// `SECURE_HSTS_INCLUDE_SUBDOMAINS`.
    pub hsts_include_subdomains: bool,
    /// `SECURE_HSTS_PRELOAD`.
    pub hsts_preload: bool,
    /// `SECURE_CONTENT_TYPE_NOSNIFF`.
    pub content_type_nosniff: bool,
    /// `SECURE_REFERRER_POLICY`, as the header value (comma-joined).
    pub referrer_policy: Option<String>,
    /// `SECURE_CROSS_ORIGIN_OPENER_POLICY`.
    pub cross_origin_opener_policy: Option<String>,
    /// `SECURE_SSL_REDIRECT`.
    pub ssl_redirect: bool,
    /// `SECURE_PROXY_SSL_HEADER`: `[META name, value]`.
    pub proxy_ssl_header: Option<(String, String)>,
}

impl Default for SecuritySpec {
    fn default() -> Self {
        SecuritySpec {
            hsts_seconds: 0,
            hsts_include_subdomains: false,
            hsts_preload: false,
            content_type_nosniff: true,
            referrer_policy: Some("same-origin".into()),
            cross_origin_opener_policy: Some("same-origin".into()),
            ssl_redirect: false,
            proxy_ssl_header: None,
        }
    }
}

/// `CommonMiddleware`'s settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CommonSpec {
    /// `APPEND_SLASH`.
    pub append_slash: bool,
    /// `PREPEND_WWW`.
    pub prepend_www: bool,
    /// `DISALLOWED_USER_AGENTS` is not empty (its regexes are Python's: the origin decides).
    pub disallowed_user_agents: bool,
}

impl Default for CommonSpec {
    fn default() -> Self {
        CommonSpec { append_slash: true, prepend_www: false, disallowed_user_agents: false }
    }
}

/// django-cors-headers' settings (`corsheaders.conf`), defaults as its own.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CorsSpec {
    /// `CORS_ALLOWED_ORIGINS`.
    pub allowed_origins: Vec<String>,
    /// `CORS_ALLOWED_ORIGIN_REGEXES` (Python regexes: an origin only they could allow is
    /// forwarded).
    pub allowed_origin_regexes: Vec<String>,
    /// `CORS_ALLOW_ALL_ORIGINS`.
    pub allow_all_origins: bool,
    /// `CORS_ALLOW_CREDENTIALS`.
    pub allow_credentials: bool,
    /// `CORS_ALLOW_HEADERS`.
    pub allow_headers: Vec<String>,
    /// `CORS_ALLOW_METHODS`.
    pub allow_methods: Vec<String>,
    /// `CORS_EXPOSE_HEADERS`.
    pub expose_headers: Vec<String>,
    /// `CORS_PREFLIGHT_MAX_AGE` (0 or null: no `access-control-max-age`).
    pub preflight_max_age: Option<u64>,
    /// `CORS_URLS_REGEX`.
    pub urls_regex: String,
    /// `CORS_ALLOW_PRIVATE_NETWORK`.
    pub allow_private_network: bool,
    /// Receivers are connected to `check_request_enabled` (their answers are the origin's).
    pub signal_receivers: bool,
}

impl Default for CorsSpec {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        CorsSpec {
            allowed_origins: Vec::new(),
            allowed_origin_regexes: Vec::new(),
            allow_all_origins: false,
            allow_credentials: false,
            allow_headers: list(&[
                "accept",
                "authorization",
                "content-type",
                "user-agent",
                "x-csrftoken",
                "x-requested-with",
            ]),
            allow_methods: list(&["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"]),
            expose_headers: Vec::new(),
            preflight_max_age: Some(86400),
            urls_regex: r"^.*$".into(),
            allow_private_network: false,
            signal_receivers: false,
        }
    }
}

#[cfg(feature = "edge")]
/// One class of `settings.MIDDLEWARE`, as far as a DRF response is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Security,
    Session,
    Common,
    Csrf,
    XFrameOptions,
    Cors,
    /// Adds nothing to a DRF denial (declared project classes).
    Transparent,
    /// Adds nothing (a lazy `request.user`; messages stored only when some were added or read),
    /// but raises ImproperlyConfigured without `request.session`: SessionMiddleware must come
    /// before it (the default `MESSAGE_STORAGE` reads the session too).
    NeedsSession,
}

#[cfg(feature = "edge")]
fn kind_of(path: &str, transparent: &[String]) -> Option<Kind> {
    Some(match path {
        "django.middleware.security.SecurityMiddleware" => Kind::Security,
        "django.contrib.sessions.middleware.SessionMiddleware" => Kind::Session,
        "django.middleware.common.CommonMiddleware" => Kind::Common,
        "django.middleware.csrf.CsrfViewMiddleware" => Kind::Csrf,
        "django.middleware.clickjacking.XFrameOptionsMiddleware" => Kind::XFrameOptions,
        "corsheaders.middleware.CorsMiddleware" => Kind::Cors,
        "django.contrib.auth.middleware.AuthenticationMiddleware"
        | "django.contrib.messages.middleware.MessageMiddleware" => Kind::NeedsSession,
        other if transparent.iter().any(|t| t == other) => Kind::Transparent,
        _ => return None,
    })
}

#[cfg(feature = "edge")]
/// `CORS_URLS_REGEX`, as far as the edge evaluates it without a Python regex engine.
#[derive(Clone, Debug, PartialEq, Eq)]
enum UrlsRegex {
    /// `^<literal>.*$` (the default is `^.*$`): a prefix, then no line break but a final one.
    PrefixLine(String),
    /// `^<literal>` or `^<literal>.*`: a prefix.
    Prefix(String),
    /// Anything else: the origin decides.
    Other,
}

#[cfg(feature = "edge")]
fn compile_urls_regex(regex: &str) -> UrlsRegex {
    let body = regex.strip_prefix('^').unwrap_or(regex);
    let (body, line) = if let Some(b) = body.strip_suffix(".*$") {
        (b, true)
    } else if let Some(b) = body.strip_suffix(".*") {
        (b, false)
    } else {
        (body, false)
    };
    let mut literal = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('.' | '/' | '-' | '_' | '\\')) => literal.push(e),
                _ => return UrlsRegex::Other,
            },
            c if c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '~') => literal.push(c),
            _ => return UrlsRegex::Other,
        }
    }
    if line {
        UrlsRegex::PrefixLine(literal)
    } else {
        UrlsRegex::Prefix(literal)
    }
}

/// The compiled `middleware` section (edge build: only raw requests meet the origin's middleware).
#[cfg(feature = "edge")]
#[derive(Clone, Debug)]
pub struct Middleware {
    kinds: Vec<Kind>,
    spec: MiddlewareSpec,
    urls: UrlsRegex,
    /// `CORS_ALLOWED_ORIGINS` split as `_url_in_whitelist` splits them (`None`: Python raises).
    allowed: Vec<Option<(String, String)>>,
    session_cookie: String,
    csrf_cookie: String,
    csrf_use_sessions: bool,
}

#[cfg(feature = "edge")]
impl Middleware {
    /// Compiles the section; `settings` gives the cookie names.
    ///
    /// # Errors
    /// `unknown_middleware` for a class drf-gate does not model and the project did not declare
    /// transparent.
    pub fn compile(
        spec: &MiddlewareSpec,
        settings: &crate::authentication::AuthenticationSettings,
    ) -> Result<Middleware, PolicyError> {
        let mut kinds = Vec::with_capacity(spec.classes.len());
        for (index, path) in spec.classes.iter().enumerate() {
            let kind = kind_of(path, &spec.transparent).ok_or_else(|| {
                PolicyError::new(
                    crate::error::PolicyErrorCode::UnknownMiddleware,
                    format!("$.middleware.classes[{index}]"),
                    format!(
                        "`{path}` may change DRF's responses and drf-gate does not model it; \
                         if it adds nothing to them, list it in `transparent` (DRFGATE_TRANSPARENT_MIDDLEWARE)"
                    ),
                )
            })?;
            kinds.push(kind);
        }
        let cors = spec.cors.clone().unwrap_or_default();
        let allowed = cors
            .allowed_origins
            .iter()
            .map(|origin| crate::authentication::urlsplit::urlsplit(origin).map(|s| (s.scheme, s.netloc)))
            .collect();
        Ok(Middleware {
            urls: compile_urls_regex(&cors.urls_regex),
            kinds,
            spec: spec.clone(),
            allowed,
            session_cookie: settings.session.cookie_name.clone(),
            csrf_cookie: settings.csrf.cookie_name.clone(),
            csrf_use_sessions: settings.csrf.use_sessions,
        })
    }

    /// The section as given.
    pub fn spec(&self) -> &MiddlewareSpec {
        &self.spec
    }
}

/// What DRF's authentication did to the session, for `SessionMiddleware`.
#[cfg(feature = "edge")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionUse {
    /// `request.session` was read (`SessionAuthentication` ran: `request.user` loads it).
    pub accessed: bool,
    /// `SessionAuthentication` found the session's user (the session is not empty).
    pub authenticated: bool,
}

#[cfg(feature = "edge")]
impl SessionUse {
    /// From the view's classes and where authentication stopped (`class_index`: the class that
    /// returned a user or raised; `None`: every class returned None).
    ///
    /// ```
    /// use drf_gate::authentication::AuthenticationClass as C;
    /// use drf_gate::middleware::SessionUse;
    /// let classes = [C::Token { keyword: "Token".into() }, C::Session];
    /// assert!(SessionUse::from_authentication(classes.iter(), None).accessed);
    /// assert!(!SessionUse::from_authentication(classes.iter(), Some(0)).accessed);
    /// assert!(SessionUse::from_authentication(classes.iter(), Some(1)).authenticated);
    /// ```
    pub fn from_authentication<'c>(
        classes: impl Iterator<Item = &'c crate::authentication::AuthenticationClass>,
        class_index: Option<usize>,
    ) -> SessionUse {
        let mut session = SessionUse::default();
        for (index, class) in classes.enumerate() {
            if class_index.is_some_and(|stop| index > stop) {
                break;
            }
            if *class == crate::authentication::AuthenticationClass::Session {
                session.accessed = true;
                // It returned a user, or raised after finding one (the CSRF check, the body it
                // reads): either way the session held a user, so it is not empty.
                session.authenticated = class_index == Some(index);
            }
        }
        session
    }
}

#[cfg(feature = "edge")]
mod render {
    use std::borrow::Cow;

    use super::{Kind, Middleware, SessionUse, UrlsRegex};
    use crate::authentication::RawRequest;
    use crate::decision::{Decision, ObjectCheck, Stage};

    /// The response's headers while middleware runs (`HttpResponse.headers`: insertion order,
    /// names case-insensitive).
    struct Headers(Vec<(&'static str, String)>);

    impl Headers {
        fn get(&self, name: &str) -> Option<&str> {
            self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
        }
        fn set(&mut self, name: &'static str, value: String) {
            match self.0.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some(entry) => entry.1 = value,
                None => self.0.push((name, value)),
            }
        }
        fn setdefault(&mut self, name: &'static str, value: &str) {
            if self.get(name).is_none() {
                self.0.push((name, value.to_string()));
            }
        }
        /// `patch_vary_headers`.
        fn patch_vary(&mut self, new: &str) {
            let mut vary: Vec<String> = match self.get("Vary") {
                Some(v) => split_vary(v),
                None => Vec::new(),
            };
            if !vary.iter().any(|h| crate::http::lower(h) == crate::http::lower(new)) {
                vary.push(new.to_string());
            }
            let value = if vary.iter().any(|h| h == "*") { "*".to_string() } else { vary.join(", ") };
            self.set("Vary", value);
        }
    }

    /// `cc_delim_re.split` (`\s*,\s*`).
    fn split_vary(value: &str) -> Vec<String> {
        value.split(',').map(|part| part.trim_matches(|c: char| c.is_whitespace()).to_string()).collect()
    }

    /// Only the origin can render the response (it would differ in a way the edge cannot
    /// reproduce, or the edge cannot tell).
    struct Uncertain;

    /// What DRF's response brings to the response phase.
    #[derive(Clone, Copy)]
    struct DrfResponse {
        status: u16,
        body_len: usize,
        session: SessionUse,
    }

    /// What the request phase established.
    struct RequestPhase {
        /// The response comes from the middleware at this index (a preflight), not from DRF.
        preflight_at: Option<usize>,
        cors_enabled: bool,
    }

    /// `request.path_info`: `None` when its bytes are not UTF-8 (Django re-percents them).
    fn percent_decoded(path: &str) -> Option<String> {
        String::from_utf8(crate::http::percent_decode(path)).ok()
    }

    impl Middleware {
        /// `re.match(CORS_URLS_REGEX, request.path_info) or check_signal(request)`.
        fn cors_enabled(&self, request: &RawRequest) -> Result<bool, Uncertain> {
            let path = percent_decoded(request.request_path()).ok_or(Uncertain)?;
            let matched = match &self.urls {
                UrlsRegex::Prefix(prefix) => path.starts_with(prefix.as_str()),
                UrlsRegex::PrefixLine(prefix) => {
                    // `.` stops at a line break; `$` matches at the end or before a final one.
                    path.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                        let rest = rest.strip_suffix('\n').unwrap_or(rest);
                        !rest.contains('\n')
                    })
                }
                UrlsRegex::Other => return Err(Uncertain),
            };
            if !matched && self.spec.cors.as_ref().is_some_and(|c| c.signal_receivers) {
                return Err(Uncertain);
            }
            Ok(matched)
        }

        /// `request.is_secure()` as the origin computes it (`SECURE_PROXY_SSL_HEADER`);
        /// uncertain where the runtime may have dropped that header's empty line.
        fn is_secure(&self, request: &RawRequest) -> Result<bool, Uncertain> {
            let header = self.spec.security.proxy_ssl_header.as_ref();
            if request.secure_may_differ_behind(header) {
                return Err(Uncertain);
            }
            Ok(request.is_secure_behind(header))
        }

        fn request_phase(&self, request: &RawRequest) -> Result<RequestPhase, Uncertain> {
            let mut phase = RequestPhase { preflight_at: None, cors_enabled: false };
            for (index, kind) in self.kinds.iter().enumerate() {
                match kind {
                    // No `request.session` yet: ImproperlyConfigured, a 500 (with CSRF_USE_SESSIONS
                    // raised again by the csrf-protected 500 handler: the server's bare 500).
                    Kind::Csrf | Kind::NeedsSession
                        if (*kind == Kind::NeedsSession || self.csrf_use_sessions)
                            && !self.kinds.get(..index).is_some_and(|before| before.contains(&Kind::Session)) =>
                    {
                        return Err(Uncertain);
                    }
                    Kind::Security if self.spec.security.ssl_redirect && !self.is_secure(request)? => {
                        return Err(Uncertain); // a redirect (unless exempt): the origin's
                    }
                    Kind::Common => {
                        // A regex may match an empty `User-Agent:` (`^$`), which the runtime may
                        // have dropped (workerd); Django checks none when it is absent.
                        if self.spec.common.disallowed_user_agents
                            && (request.meta("HTTP_USER_AGENT").is_some() || request.empty_headers_dropped())
                        {
                            return Err(Uncertain);
                        }
                        let host = request.get_host(self.spec.allowed_hosts.as_deref()).ok_or(Uncertain)?;
                        if self.spec.common.prepend_www && !host.is_empty() && !host.starts_with("www.") {
                            return Err(Uncertain);
                        }
                    }
                    Kind::Cors => {
                        phase.cors_enabled = self.cors_enabled(request)?;
                        if phase.cors_enabled && request.method() == "OPTIONS" {
                            if request.header_value("access-control-request-method").is_some() {
                                phase.preflight_at = Some(index);
                                return Ok(phase);
                            }
                            // An empty `Access-Control-Request-Method:` line makes a preflight
                            // too; the runtime may have dropped it (workerd).
                            if request.empty_headers_dropped() {
                                return Err(Uncertain);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(phase)
        }

        /// django-cors-headers' `add_response_headers`.
        fn cors_headers(&self, request: &RawRequest, enabled: bool, headers: &mut Headers) -> Result<(), Uncertain> {
            let Some(cors) = self.spec.cors.as_ref() else { return Ok(()) };
            if !enabled {
                return Ok(());
            }
            headers.patch_vary("origin");
            let origin = match request.meta("HTTP_ORIGIN") {
                Some(origin) if !origin.is_empty() => origin,
                _ => return Ok(()),
            };
            // Echoed bytes beyond ASCII: runtimes re-encode header values differently.
            if !origin.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return Err(Uncertain);
            }
            let Some(url) = crate::authentication::urlsplit::urlsplit(origin) else { return Ok(()) };
            let null_listed = origin == "null" && cors.allowed_origins.iter().any(|o| o == "null");
            if !cors.allow_all_origins && !null_listed && self.allowed.iter().any(Option::is_none) {
                // _url_in_whitelist splits every entry first: one urlsplit refuses raises
                // ValueError, whatever the origin (the origin's 500).
                return Err(Uncertain);
            }
            let listed = null_listed
                || self.allowed.iter().flatten().any(|(scheme, netloc)| *scheme == url.scheme && *netloc == url.netloc);
            if !cors.allow_all_origins && !listed {
                // Regexes and signal receivers are Python's to evaluate.
                if !cors.allowed_origin_regexes.is_empty() || cors.signal_receivers {
                    return Err(Uncertain);
                }
                return Ok(());
            }
            let allow_origin =
                if cors.allow_all_origins && !cors.allow_credentials { "*".to_string() } else { origin.to_string() };
            headers.set("access-control-allow-origin", allow_origin);
            if cors.allow_credentials {
                headers.set("access-control-allow-credentials", "true".into());
            }
            if !cors.expose_headers.is_empty() {
                headers.set("access-control-expose-headers", cors.expose_headers.join(", "));
            }
            if request.method() == "OPTIONS" {
                headers.set("access-control-allow-headers", cors.allow_headers.join(", "));
                headers.set("access-control-allow-methods", cors.allow_methods.join(", "));
                if let Some(age) = cors.preflight_max_age.filter(|age| *age != 0) {
                    headers.set("access-control-max-age", age.to_string());
                }
            }
            if cors.allow_private_network
                && request.header_value("access-control-request-private-network") == Some("true")
            {
                headers.set("access-control-allow-private-network", "true".into());
            }
            Ok(())
        }

        /// `process_response` of `kinds[..end]`, innermost first. `response: None` is the request
        /// alone: the checks that turn on DRF's response (its status, what authentication did to
        /// the session) pass, so an `Err` then is an `Err` whatever DRF answers.
        fn response_phase(
            &self,
            request: &RawRequest,
            phase: &RequestPhase,
            end: usize,
            response: Option<DrfResponse>,
            headers: &mut Headers,
        ) -> Result<(), Uncertain> {
            let kinds = self.kinds.get(..end).unwrap_or(&[]);
            // A session not read adds no failure of its own (`accessed && !authenticated`).
            let session = response.map_or_else(SessionUse::default, |r| r.session);
            for (index, kind) in kinds.iter().enumerate().rev() {
                match kind {
                    Kind::XFrameOptions => {
                        if headers.get("X-Frame-Options").is_none() {
                            headers.set("X-Frame-Options", self.spec.x_frame_options.to_uppercase());
                        }
                    }
                    Kind::Csrf => {
                        // process_request made a new random secret for a malformed cookie.
                        if !self.csrf_use_sessions {
                            if let Some(cookie) = request.cookie(&self.csrf_cookie) {
                                if crate::authentication::csrf::check_token_format(&cookie).is_err() {
                                    return Err(Uncertain);
                                }
                            }
                        }
                    }
                    Kind::Common => {
                        let status = response.map(|r| r.status);
                        if status == Some(404)
                            && self.spec.common.append_slash
                            && !request.request_path().ends_with('/')
                        {
                            return Err(Uncertain); // maybe a redirect to the path with a slash
                        }
                        if headers.get("Content-Length").is_none() {
                            headers.set("Content-Length", response.map_or(0, |r| r.body_len).to_string());
                        }
                    }
                    Kind::Session => {
                        // CSRF_USE_SESSIONS: CsrfViewMiddleware reads the session on every request
                        // that reaches it (a preflight stops at CorsMiddleware).
                        let csrf_reads =
                            self.csrf_use_sessions && kinds.get(index + 1..).is_some_and(|k| k.contains(&Kind::Csrf));
                        let accessed = session.accessed || csrf_reads;
                        if let Some(key) = request.cookie(&self.session_cookie) {
                            // A key Django does not take (< 8 chars) is an empty session: its
                            // cookie is deleted. A session read but not authenticated may be
                            // missing (cookie deleted) or kept: the origin knows which.
                            let valid = key.chars().count() >= 8;
                            if !valid
                                || (accessed && !session.authenticated)
                                || self.spec.session_save_every_request
                                || csrf_reads
                            {
                                return Err(Uncertain);
                            }
                        }
                        if accessed {
                            headers.patch_vary("Cookie");
                        }
                    }
                    Kind::Cors => self.cors_headers(request, phase.cors_enabled, headers)?,
                    Kind::Security => {
                        let security = &self.spec.security;
                        if security.hsts_seconds != 0
                            && self.is_secure(request)?
                            && headers.get("Strict-Transport-Security").is_none()
                        {
                            let mut value = format!("max-age={}", security.hsts_seconds);
                            if security.hsts_include_subdomains {
                                value.push_str("; includeSubDomains");
                            }
                            if security.hsts_preload {
                                value.push_str("; preload");
                            }
                            headers.set("Strict-Transport-Security", value);
                        }
                        if security.content_type_nosniff {
                            headers.setdefault("X-Content-Type-Options", "nosniff");
                        }
                        if let Some(policy) = security.referrer_policy.as_deref().filter(|p| !p.is_empty()) {
                            headers.setdefault("Referrer-Policy", policy);
                        }
                        if let Some(policy) = security.cross_origin_opener_policy.as_deref().filter(|p| !p.is_empty()) {
                            headers.setdefault("Cross-Origin-Opener-Policy", policy);
                        }
                    }
                    Kind::Transparent | Kind::NeedsSession => {}
                }
            }
            Ok(())
        }

        /// The CORS preflight django-cors-headers answers before DRF runs, as the origin sends
        /// it; `None` when the request is not one (or only the origin can answer it).
        pub fn preflight<'g>(&self, request: &RawRequest) -> Option<Decision<'g>> {
            let phase = self.request_phase(request).ok()?;
            let end = phase.preflight_at?;
            // `HttpResponse(headers={"content-length": "0"})`: Content-Type comes after it.
            let mut headers = Headers(vec![
                ("content-length", "0".into()),
                ("Content-Type", format!("text/html; charset={}", self.spec.default_charset)),
            ]);
            self.cors_headers(request, phase.cors_enabled, &mut headers).ok()?;
            let response = DrfResponse { status: 200, body_len: 0, session: SessionUse::default() };
            self.response_phase(request, &phase, end, Some(response), &mut headers).ok()?;
            Some(Decision {
                allowed: false,
                status: 200,
                body: Cow::Borrowed(""),
                code: None,
                www_authenticate: None,
                allow: "",
                stage: Stage::Middleware,
                decided_by: None,
                object_check: ObjectCheck::NotReached,
                trace: None,
                error: None,
                vary_accept: false,
                rendered_by_origin: false,
                response_headers: Some(headers.0),
            })
        }

        /// Whether the request alone makes every response to it the origin's, whoever the user
        /// is and whatever DRF answers: the request phase fails (a host `ALLOWED_HOSTS` refuses,
        /// `SECURE_SSL_REDIRECT` over http, `PREPEND_WWW`, ...), it is a preflight the edge cannot
        /// answer, or a response-phase check that reads only the request fails (a malformed
        /// `csrftoken` cookie, a session cookie Django deletes or saves, CORS headers only Python
        /// computes). Then [`Middleware::render`] would mark any decision `rendered_by_origin`,
        /// so the edge forwards before authentication: no lookup, object or body is read for it.
        pub(crate) fn origin_renders_every_response(&self, request: &RawRequest) -> bool {
            match self.request_phase(request) {
                Err(Uncertain) => true,
                // `preflight` answers one it can, before this is asked.
                Ok(phase) if phase.preflight_at.is_some() => true,
                Ok(phase) => {
                    self.response_phase(request, &phase, self.kinds.len(), None, &mut Headers(Vec::new())).is_err()
                }
            }
        }

        /// Adds what the middleware adds to the response DRF renders for `decision`; when only
        /// the origin can render it, marks the decision `rendered_by_origin` (it is forwarded).
        pub fn render(&self, decision: &mut Decision<'_>, request: &RawRequest, session: SessionUse) {
            if decision.allowed || decision.response_headers.is_some() {
                return;
            }
            let result = self.request_phase(request).and_then(|phase| {
                if phase.preflight_at.is_some() {
                    return Err(Uncertain); // answered by `preflight`, never reaches DRF
                }
                // In DRF's order (`Decision::headers`: `Vary` before `Allow`).
                let mut headers = Headers(decision.headers().map(|(n, v)| (n, v.to_string())).collect());
                let response = DrfResponse { status: decision.status, body_len: decision.body.len(), session };
                self.response_phase(request, &phase, self.kinds.len(), Some(response), &mut headers)?;
                Ok(headers)
            });
            match result {
                Ok(headers) => decision.response_headers = Some(headers.0),
                Err(Uncertain) => decision.rendered_by_origin = true,
            }
        }
    }
}
