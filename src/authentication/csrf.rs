//! Django 5.2's `CsrfViewMiddleware` as DRF's `SessionAuthentication.enforce_csrf` runs it
//! (`CSRFCheck.process_request` + `process_view`), with its exact reasons, and
//! [`mint_csrf_token`] (Django's `get_token`).

use subtle::ConstantTimeEq;

use super::request::RawRequest;
use super::settings::CompiledSettings;
use super::urlsplit::urlsplit;
use crate::http::is_same_domain;

/// `CSRF_ALLOWED_CHARS`, in Django's order (the masking arithmetic depends on it).
pub const CSRF_ALLOWED_CHARS: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// `CSRF_SECRET_LENGTH`.
pub const CSRF_SECRET_LENGTH: usize = 32;
/// `CSRF_TOKEN_LENGTH`.
pub const CSRF_TOKEN_LENGTH: usize = 64;

const REASON_NO_REFERER: &str = "Referer checking failed - no Referer.";
const REASON_NO_CSRF_COOKIE: &str = "CSRF cookie not set.";
const REASON_CSRF_TOKEN_MISSING: &str = "CSRF token missing.";
const REASON_MALFORMED_REFERER: &str = "Referer checking failed - Referer is malformed.";
const REASON_INSECURE_REFERER: &str = "Referer checking failed - Referer is insecure while host is secure.";

fn char_index(c: u8) -> Option<usize> {
    CSRF_ALLOWED_CHARS.iter().position(|&x| x == c)
}

/// `_check_token_format`: `Err(reason)` with `has incorrect length` (checked first, in code
/// points) or `has invalid characters`.
///
/// ```
/// use drf_gate::authentication::csrf::check_token_format;
/// assert_eq!(check_token_format("abc"), Err("has incorrect length"));
/// assert_eq!(check_token_format(&"!".repeat(32)), Err("has invalid characters"));
/// assert!(check_token_format(&"a".repeat(64)).is_ok());
/// ```
pub fn check_token_format(token: &str) -> Result<(), &'static str> {
    let length = token.chars().count();
    if length != CSRF_TOKEN_LENGTH && length != CSRF_SECRET_LENGTH {
        return Err("has incorrect length");
    }
    if !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("has invalid characters");
    }
    Ok(())
}

/// `_unmask_cipher_token` of a well-formed 64-char token: `(cipher - mask) mod 62`.
fn unmask_cipher_token(token: &str) -> Vec<u8> {
    let bytes = token.as_bytes();
    let (mask, cipher) = bytes.split_at(CSRF_SECRET_LENGTH.min(bytes.len()));
    cipher
        .iter()
        .zip(mask)
        .map(|(&c, &m)| {
            let (x, y) = (char_index(c).unwrap_or(0), char_index(m).unwrap_or(0));
            CSRF_ALLOWED_CHARS.get((x + 62 - y) % 62).copied().unwrap_or(b'a')
        })
        .collect()
}

/// The secret as `_get_secret` returns it (unmasked when 64 chars).
fn secret_bytes(secret: &str) -> Vec<u8> {
    if secret.len() == CSRF_TOKEN_LENGTH {
        unmask_cipher_token(secret)
    } else {
        secret.as_bytes().to_vec()
    }
}

/// `_does_token_match(request_token, secret)`, constant-time.
fn does_token_match(request_token: &str, secret: &[u8]) -> bool {
    let token = secret_bytes(request_token);
    token.len() == secret.len() && bool::from(token.ct_eq(secret))
}

/// Randomness for [`mint_csrf_token`]: the core stays free of `getrandom`; the wasm binding
/// supplies `crypto.getRandomValues`.
pub trait CsrfRandom {
    /// Fills `buffer` with cryptographically secure random bytes.
    fn fill_bytes(&mut self, buffer: &mut [u8]);
}

/// A freshly minted token.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MintedCsrfToken {
    /// The masked 64-char token (for forms and `X-CSRFToken`).
    pub token: String,
    /// The 32-char secret (the `csrftoken` cookie value).
    pub secret: String,
    /// Whether the secret is new (the cookie must be set).
    pub new_secret: bool,
}

fn random_chars(random: &mut dyn CsrfRandom, count: usize) -> Vec<u8> {
    // Rejection sampling: bytes below 248 = 4 * 62 map uniformly.
    let mut out = Vec::with_capacity(count);
    let mut buffer = [0u8; 64];
    while out.len() < count {
        random.fill_bytes(&mut buffer);
        for &b in &buffer {
            if b < 248 && out.len() < count {
                out.push(CSRF_ALLOWED_CHARS.get(usize::from(b % 62)).copied().unwrap_or(b'a'));
            }
        }
    }
    out
}

/// Django's `get_token`: masks `secret` (a 32-char secret, or a legacy 64-char masked cookie)
/// with a new random mask; with no secret (or a malformed one, as `process_request` treats
/// it), makes a new 32-char secret first.
///
/// ```
/// use drf_gate::authentication::csrf::{mint_csrf_token, CsrfRandom};
/// struct Counter(u8);
/// impl CsrfRandom for Counter {
///     fn fill_bytes(&mut self, buffer: &mut [u8]) {
///         for b in buffer { self.0 = self.0.wrapping_add(37); *b = self.0; }
///     }
/// }
/// let minted = mint_csrf_token(None, &mut Counter(0));
/// assert!(minted.new_secret && minted.secret.len() == 32 && minted.token.len() == 64);
/// let again = mint_csrf_token(Some(&minted.secret), &mut Counter(5));
/// assert_eq!(again.secret, minted.secret);
/// assert!(!again.new_secret);
/// ```
pub fn mint_csrf_token(secret: Option<&str>, random: &mut dyn CsrfRandom) -> MintedCsrfToken {
    let existing = secret.filter(|s| check_token_format(s).is_ok()).map(secret_bytes);
    let new_secret = existing.is_none();
    let secret = existing.unwrap_or_else(|| random_chars(random, CSRF_SECRET_LENGTH));
    let mask = random_chars(random, CSRF_SECRET_LENGTH);
    let cipher: Vec<u8> = secret
        .iter()
        .zip(&mask)
        .map(|(&s, &m)| {
            let (x, y) = (char_index(s).unwrap_or(0), char_index(m).unwrap_or(0));
            CSRF_ALLOWED_CHARS.get((x + y) % 62).copied().unwrap_or(b'a')
        })
        .collect();
    let text = |bytes: &[u8]| bytes.iter().map(|&b| char::from(b)).collect::<String>();
    MintedCsrfToken { token: text(&mask) + &text(&cipher), secret: text(&secret), new_secret }
}

/// Python's `str.title()` (ASCII).
fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_cased = false;
    for c in text.chars() {
        if c.is_alphabetic() {
            out.extend(if previous_cased { c.to_lowercase().collect::<Vec<_>>() } else { c.to_uppercase().collect() });
            previous_cased = true;
        } else {
            out.push(c);
            previous_cased = false;
        }
    }
    out
}

/// `CsrfViewMiddleware._bad_token_message`.
fn bad_token_message(reason: &str, token_source: Option<&str>) -> String {
    match token_source {
        None => format!("CSRF token from POST {reason}."),
        Some(meta_name) => {
            // HttpHeaders.parse_header_name, then repr().
            let name = if let Some(header) = meta_name.strip_prefix("HTTP_") {
                Some(title(&header.replace('_', "-")))
            } else if meta_name == "CONTENT_TYPE" || meta_name == "CONTENT_LENGTH" {
                Some(title(&meta_name.replace('_', "-")))
            } else {
                None
            };
            let shown = match name {
                Some(name) if name.contains('\'') && !name.contains('"') => format!("\"{name}\""),
                Some(name) => format!("'{}'", name.replace('\\', "\\\\").replace('\'', "\\'")),
                None => "None".into(),
            };
            format!("CSRF token from the {shown} HTTP header {reason}.")
        }
    }
}

/// What the CSRF check needs from outside: the parsed POST, the session.
pub(crate) trait CsrfContext {
    /// `request.POST.get("csrfmiddlewaretoken", "")`, or the exception it raised.
    fn post_token(&mut self) -> Result<String, super::Step>;
    /// The session secret (None: not set), or a pending lookup.
    fn session_secret(&mut self) -> Result<Option<String>, super::Step>;
}

/// `process_view`'s reject reason, or `Ok(())`; `Err(Err(step))` when a dependency raised or is
/// pending. Where empty header lines were dropped before the caller saw them but not before
/// Django did (`RawRequest::empty_headers_dropped`), the check of an unsafe method without
/// `Origin` is not certain, whatever it finds: Django may have seen `Origin:` empty (a
/// bad origin, rejected before the token is read), so the origin decides; likewise without the
/// `SECURE_PROXY_SSL_HEADER` header on https (an empty one is not secure).
pub(crate) fn check(
    request: &RawRequest,
    settings: &CompiledSettings,
    context: &mut dyn CsrfContext,
) -> Result<Option<String>, super::Step> {
    let reason = check_view(request, settings, context)?;
    let dropped =
        request.meta("HTTP_ORIGIN").is_none() || request.secure_may_differ_behind(settings.proxy_ssl_header.as_ref());
    if !is_safe_method(request.method()) && request.empty_headers_dropped() && dropped {
        return Err(dropped_line(
            "the runtime drops empty header lines: an empty Origin cannot be told from none; the origin decides",
        ));
    }
    Ok(reason)
}

/// The check cannot be decided here: empty header lines were dropped before the caller saw
/// them (`RawRequest::empty_headers_dropped`), and an empty line of a header it reads would
/// change Django's answer; the origin decides (the server's 500).
fn dropped_line(why: &'static str) -> super::Step {
    super::Step::Fail(super::AuthenticationFailure::new(super::FailureKind::ServerError, why, "server_error"))
}

// `CsrfViewMiddleware.process_view` accepts these before any check (RFC 9110's safe methods).
fn is_safe_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

fn check_view(
    request: &RawRequest,
    settings: &CompiledSettings,
    context: &mut dyn CsrfContext,
) -> Result<Option<String>, super::Step> {
    if is_safe_method(request.method()) {
        return Ok(None);
    }
    let csrf = &settings.settings.csrf;
    let allowed_hosts = csrf.allowed_hosts.as_deref();
    if let Some(origin) = request.meta("HTTP_ORIGIN") {
        // An empty `Origin:` line does not reach Django the same way through every server and
        // proxy (the workerd comparison saw DRF answer `CSRF cookie not set.`): not certain, so
        // the origin decides.
        if origin.is_empty() {
            return Err(super::Step::Fail(super::AuthenticationFailure::new(
                super::FailureKind::ServerError,
                "an empty Origin header: the origin decides",
                "server_error",
            )));
        }
        if !origin_verified(request, settings, origin) {
            return Ok(Some(format!("Origin checking failed - {origin} does not match any trusted origins.")));
        }
    } else if request.is_secure_behind(settings.proxy_ssl_header.as_ref()) {
        if let Err(reason) = check_referer(request, settings, allowed_hosts)? {
            return Ok(Some(reason));
        }
    }
    // _check_token
    let secret = if csrf.use_sessions {
        context.session_secret()?.map(|s| secret_bytes(&s))
    } else {
        match request.cookie(&csrf.cookie_name) {
            None => None,
            Some(cookie) => {
                if let Err(reason) = check_token_format(&cookie) {
                    return Ok(Some(format!("CSRF cookie {reason}.")));
                }
                Some(secret_bytes(&cookie))
            }
        }
    };
    let Some(secret) = secret else { return Ok(Some(REASON_NO_CSRF_COOKIE.into())) };
    let mut request_token = String::new();
    if request.method() == "POST" {
        request_token = context.post_token()?;
    }
    let token_source = if request_token.is_empty() {
        match request.meta(&csrf.header_name) {
            Some(token) => request_token = token.to_string(),
            // An empty token header line is Django's "has incorrect length", not "missing"; the
            // runtime may have dropped one (workerd).
            None if request.empty_headers_dropped() => return Err(dropped_line("the runtime drops empty header lines: an empty CSRF token header cannot be told from none; the origin decides")),
            None => return Ok(Some(REASON_CSRF_TOKEN_MISSING.into())),
        }
        Some(csrf.header_name.as_str())
    } else {
        None
    };
    if let Err(reason) = check_token_format(&request_token) {
        return Ok(Some(bad_token_message(reason, token_source)));
    }
    if !does_token_match(&request_token, &secret) {
        return Ok(Some(bad_token_message("incorrect", token_source)));
    }
    Ok(None)
}

/// `_origin_verified`.
fn origin_verified(request: &RawRequest, settings: &CompiledSettings, origin: &str) -> bool {
    if let Some(host) = request.get_host(settings.settings.csrf.allowed_hosts.as_deref()) {
        let scheme = if request.is_secure_behind(settings.proxy_ssl_header.as_ref()) { "https" } else { "http" };
        if origin == format!("{scheme}://{host}") {
            return true;
        }
    }
    let trusted = &settings.trusted_origins;
    if trusted.exact.iter().any(|o| o == origin) {
        return true;
    }
    let Some(parsed) = urlsplit(origin) else { return false };
    trusted.subdomains.iter().any(|(scheme, host)| *scheme == parsed.scheme && is_same_domain(&parsed.netloc, host))
}

/// `_check_referer`: its reject reason; `Err(step)` when the outcome turns on a `SERVER_PORT`
/// the caller did not state (the origin decides).
fn check_referer(
    request: &RawRequest,
    settings: &CompiledSettings,
    allowed_hosts: Option<&[String]>,
) -> Result<Result<(), String>, super::Step> {
    let Some(referer) = request.meta("HTTP_REFERER") else { return Ok(Err(REASON_NO_REFERER.into())) };
    let Some(referer) = urlsplit(referer) else { return Ok(Err(REASON_MALFORMED_REFERER.into())) };
    if referer.scheme.is_empty() || referer.netloc.is_empty() {
        return Ok(Err(REASON_MALFORMED_REFERER.into()));
    }
    if referer.scheme != "https" {
        return Ok(Err(REASON_INSECURE_REFERER.into()));
    }
    if settings.trusted_origins.hosts.iter().any(|host| is_same_domain(&referer.netloc, host)) {
        return Ok(Ok(()));
    }
    let bad = || format!("Referer checking failed - {} does not match any trusted origins.", referer.geturl());
    let csrf = &settings.settings.csrf;
    let cookie_domain =
        if csrf.use_sessions { settings.settings.session.cookie_domain.as_ref() } else { csrf.cookie_domain.as_ref() };
    let good = match cookie_domain {
        None => match request.get_host(allowed_hosts) {
            Some(host) => host,
            None => return Ok(Err(bad())),
        },
        Some(domain) if !request.server_port_known() => {
            // Any port but the one the Referer names (or 80/443) rejects; whether the origin's
            // SERVER_PORT is that one, only the origin knows.
            let netloc = &referer.netloc;
            let named_port = netloc.rsplit_once(':').map(|(_, port)| format!("{domain}:{port}"));
            if is_same_domain(netloc, domain) || named_port.is_some_and(|good| is_same_domain(netloc, &good)) {
                return Err(dropped_line(
                    "the Referer check turns on SERVER_PORT, which the origin's server sets and the request did not state; the origin decides",
                ));
            }
            return Ok(Err(bad()));
        }
        Some(domain) => {
            let port = request.get_port();
            if port == "443" || port == "80" {
                domain.clone()
            } else {
                format!("{domain}:{port}")
            }
        }
    };
    if !is_same_domain(&referer.netloc, &good) {
        return Ok(Err(bad()));
    }
    Ok(Ok(()))
}
