//! DRF's `SessionAuthentication`, and the part of DRF's request parsing the CSRF check
//! triggers (`request.POST` runs the view's parsers: JSON, form, multipart).

use super::codecs;
use super::csrf::{self, CsrfContext};
use super::pyjson::{self, JsonError, LoadOptions};
use super::request::RawRequest;
use super::resolver::{Lookup, LookupKey, Resolver};
use super::settings::CompiledSettings;
use super::{AuthenticationFailure, FailureKind, Step};

/// DRF's `MAX_MEDIA_TYPE_LENGTH` / the negotiator's `max_media_type_length`.
const MAX_MEDIA_TYPE_LENGTH: usize = 256;
/// Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS`.
const MAX_NUMBER_FIELDS: usize = 1000;

/// `SessionAuthentication.authenticate`: the session's user; anonymous or inactive gives None
/// (no CSRF check); otherwise `enforce_csrf`, whose failure is
/// `PermissionDenied('CSRF Failed: <reason>')`.
pub(crate) fn authenticate(request: &RawRequest, settings: &CompiledSettings, resolver: &dyn Resolver) -> Step {
    let Some(session_key) = request.cookie(&settings.settings.session.cookie_name).filter(|k| !k.is_empty()) else {
        return Step::None;
    };
    let user = match resolver.session(&session_key) {
        Lookup::Found(user) if user.is_active => user,
        Lookup::Found(_) | Lookup::NotFound => return Step::None,
        Lookup::Pending => return Step::Pending(LookupKey::Session { session_key }),
    };
    let mut context = Context { request, resolver, session_key: &session_key };
    match csrf::check(request, settings, &mut context) {
        Ok(None) => Step::User(Box::new(user)),
        Ok(Some(reason)) => Step::Fail(AuthenticationFailure::new(
            FailureKind::PermissionDenied,
            format!("CSRF Failed: {reason}"),
            "permission_denied",
        )),
        Err(step) => step,
    }
}

struct Context<'a> {
    request: &'a RawRequest,
    resolver: &'a dyn Resolver,
    session_key: &'a str,
}

impl CsrfContext for Context<'_> {
    fn post_token(&mut self) -> Result<String, Step> {
        match request_post_token(self.request) {
            Ok(token) => Ok(token),
            Err(failure) => Err(Step::Fail(failure)),
        }
    }

    fn session_secret(&mut self) -> Result<Option<String>, Step> {
        match self.resolver.session_csrf_secret(self.session_key) {
            Lookup::Found(secret) => Ok(Some(secret)),
            Lookup::NotFound => Ok(None),
            Lookup::Pending => {
                Err(Step::Pending(LookupKey::SessionCsrfSecret { session_key: self.session_key.to_string() }))
            }
        }
    }
}

/// Django's `parse_header_parameters` (simplified: `;`-separated `key=value`, quotes removed):
/// the lower-cased main value and the parameters.
pub fn parse_header_parameters(line: &str) -> (String, Vec<(String, String)>) {
    let mut parts = line.split(';');
    let main = parts.next().unwrap_or("").trim().to_lowercase();
    let params = parts
        .filter_map(|part| {
            let (key, value) = part.split_once('=')?;
            let value = value.trim();
            let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
            Some((key.trim().to_lowercase(), value.to_string()))
        })
        .collect();
    (main, params)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parser {
    Json,
    Form,
    MultiPart,
}

/// DRF's `media_type_matches(parser.media_type, content_type)` for the default parsers.
fn select_parser(content_type: &str) -> Option<Parser> {
    if content_type.len() > MAX_MEDIA_TYPE_LENGTH {
        return None;
    }
    let (full, _) = parse_header_parameters(content_type);
    let (main, sub) = full.split_once('/').unwrap_or((full.as_str(), ""));
    let matches = |pm: &str, ps: &str| (main == "*" || main == pm) && (sub == "*" || sub == ps);
    if matches("application", "json") {
        Some(Parser::Json)
    } else if matches("application", "x-www-form-urlencoded") {
        Some(Parser::Form)
    } else if matches("multipart", "form-data") {
        Some(Parser::MultiPart)
    } else {
        None
    }
}

/// DRF's `is_form_media_type`.
fn is_form_media_type(content_type: &str) -> bool {
    if content_type.len() > MAX_MEDIA_TYPE_LENGTH {
        return false;
    }
    let (base, _) = parse_header_parameters(content_type);
    base == "application/x-www-form-urlencoded" || base == "multipart/form-data"
}

/// The body's charset (`request.encoding`): the codec module Python finds for the `charset`
/// parameter, `None` (UTF-8, Django's default) when there is none or Python does not know it.
fn charset(content_type: &str) -> Option<&'static str> {
    let (_, params) = parse_header_parameters(content_type);
    params.iter().find(|(k, _)| k == "charset").and_then(|(_, name)| codecs::lookup(name))
}

/// A body only the origin can answer (a codec not emulated here): never a guessed response.
fn origin_decides(content_type: &str) -> AuthenticationFailure {
    AuthenticationFailure::new(
        FailureKind::ServerError,
        format!("the charset of \"{content_type}\" is not emulated: the origin decides"),
        "server_error",
    )
}

fn parse_error(detail: String) -> AuthenticationFailure {
    AuthenticationFailure::new(FailureKind::ParseError, detail, "parse_error")
}

/// `request.POST.get('csrfmiddlewaretoken', '')` on a DRF `Request`: parses the body with the
/// default parsers; raises `UnsupportedMediaType`, `ParseError`, or Django's 400.
///
/// ```
/// use drf_gate::authentication::{session::request_post_token, RawRequest, FailureKind};
/// let form = RawRequest::new("POST").header("Content-Type", "application/x-www-form-urlencoded").unwrap()
///     .body(b"a=1&csrfmiddlewaretoken=abc%20d");
/// assert_eq!(request_post_token(&form).unwrap(), "abc d");
/// let json = RawRequest::new("POST").header("Content-Type", "application/json").unwrap().body(b"{'a'");
/// let failure = request_post_token(&json).unwrap_err();
/// assert_eq!(failure.exception, FailureKind::ParseError);
/// assert_eq!(failure.detail, "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)");
/// ```
pub fn request_post_token(request: &RawRequest) -> Result<String, AuthenticationFailure> {
    let content_type = request.content_type();
    let content_length = match request.meta("CONTENT_LENGTH") {
        Some(value) => value.trim().parse::<usize>().unwrap_or(0),
        None if request.body_too_large() => usize::MAX,
        None => request.body_bytes().len(),
    };
    if content_length == 0 {
        return Ok(String::new());
    }
    let Some(parser) = select_parser(content_type) else {
        return Err(AuthenticationFailure::new(
            FailureKind::UnsupportedMediaType,
            format!("Unsupported media type \"{content_type}\" in request."),
            "unsupported_media_type",
        ));
    };
    if request.body_too_large() && parser != Parser::MultiPart {
        return Err(AuthenticationFailure::new(FailureKind::BadRequest, "RequestDataTooBig", "bad_request"));
    }
    let body = request.body_bytes();
    let fields = match parser {
        Parser::Json => {
            let text = match codecs::read(charset(content_type), body) {
                codecs::Read::Text(text) => text,
                codecs::Read::Error(message) => return Err(parse_error(format!("JSON parse error - {message}"))),
                codecs::Read::NotEmulated => return Err(origin_decides(content_type)),
            };
            match pyjson::validate(&text, LoadOptions { strict_constants: true }) {
                Ok(()) => Vec::new(),
                Err(JsonError::Value(message)) => return Err(parse_error(format!("JSON parse error - {message}"))),
                Err(JsonError::Recursion) => {
                    return Err(AuthenticationFailure::new(FailureKind::ServerError, "RecursionError", "server_error"))
                }
            }
        }
        Parser::Form => {
            let text = match (charset(content_type), std::str::from_utf8(body)) {
                (None | Some("utf_8"), Ok(text)) => text.to_string(),
                (None | Some("utf_8" | "latin_1" | "iso8859_1" | "ascii"), _) => {
                    body.iter().map(|&b| char::from(b)).collect()
                }
                _ => return Err(origin_decides(content_type)),
            };
            parse_qsl(&text).ok_or_else(|| {
                AuthenticationFailure::new(FailureKind::BadRequest, "TooManyFieldsSent", "bad_request")
            })?
        }
        Parser::MultiPart => parse_multipart(content_type, body)?,
    };
    if !is_form_media_type(content_type) {
        return Ok(String::new());
    }
    Ok(fields.into_iter().rev().find(|(k, _)| k == "csrfmiddlewaretoken").map(|(_, v)| v).unwrap_or_default())
}

/// `urllib.parse.parse_qsl(qs, keep_blank_values=True, max_num_fields=1000)`; `None` when
/// there are too many fields.
pub fn parse_qsl(query: &str) -> Option<Vec<(String, String)>> {
    if !query.is_empty() && query.matches('&').count() + 1 > MAX_NUMBER_FIELDS {
        return None;
    }
    let mut out = Vec::new();
    for field in query.split('&').filter(|f| !f.is_empty()) {
        let (name, value) = field.split_once('=').unwrap_or((field, ""));
        out.push((unquote_plus(name), unquote_plus(value)));
    }
    Some(out)
}

/// `unquote(s.replace('+', ' '))` with UTF-8 and `errors='replace'`: only ASCII runs are
/// percent-decoded, as CPython does.
fn unquote_plus(text: &str) -> String {
    let text = text.replace('+', " ");
    if !text.contains('%') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut ascii_run: Vec<u8> = Vec::new();
    let flush = |run: &mut Vec<u8>, out: &mut String| {
        let mut bytes = Vec::with_capacity(run.len());
        let mut i = 0;
        while let Some(&b) = run.get(i) {
            let hex = |k: usize| run.get(k).and_then(|&h| (h as char).to_digit(16));
            match (b, hex(i + 1), hex(i + 2)) {
                (b'%', Some(hi), Some(lo)) => {
                    bytes.push((hi * 16 + lo) as u8);
                    i += 3;
                }
                _ => {
                    bytes.push(b);
                    i += 1;
                }
            }
        }
        out.push_str(&String::from_utf8_lossy(&bytes));
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii() {
            ascii_run.push(c as u8);
        } else {
            flush(&mut ascii_run, &mut out);
            out.push(c);
        }
    }
    flush(&mut ascii_run, &mut out);
    out
}

/// A simplified Django `MultiPartParser`: the boundary, then each part's `name` and text value
/// (file parts ignored). Errors follow Django's wording for a missing or invalid boundary.
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<(String, String)>, AuthenticationFailure> {
    let (_, params) = parse_header_parameters(content_type);
    let boundary = params.iter().find(|(k, _)| k == "boundary").map(|(_, v)| v.clone());
    let valid = |b: &str| {
        !b.is_empty() && b.len() <= 70 && b.bytes().all(|c| c.is_ascii_graphic() || c == b' ') && !b.ends_with(' ')
    };
    let Some(boundary) = boundary.filter(|b| valid(b)) else {
        let shown = params.iter().find(|(k, _)| k == "boundary").map_or("None".to_string(), |(_, v)| format!("b'{v}'"));
        return Err(parse_error(format!("Multipart form parse error - Invalid boundary in multipart: {shown}")));
    };
    let delimiter = format!("--{boundary}");
    let mut fields = Vec::new();
    let text = String::from_utf8_lossy(body);
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((headers, value)) = part.split_once("\r\n\r\n") else { continue };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let disposition = headers.split("\r\n").find_map(|line| {
            line.split_once(':').filter(|(n, _)| n.trim().eq_ignore_ascii_case("content-disposition")).map(|(_, v)| v)
        });
        let Some(disposition) = disposition else { continue };
        let (_, params) = parse_header_parameters(disposition);
        if params.iter().any(|(k, _)| k == "filename") {
            continue;
        }
        if let Some((_, name)) = params.iter().find(|(k, _)| k == "name") {
            fields.push((name.clone(), value.to_string()));
        }
    }
    Ok(fields)
}
