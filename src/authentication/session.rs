//! DRF's `SessionAuthentication`, and the part of DRF's request parsing the CSRF check
//! triggers (`request.POST` runs the view's parsers: JSON, form, multipart).

use super::codecs;
use super::csrf::{self, CsrfContext};
use super::pybase64;
use super::pyjson::{self, JsonError, LoadOptions};
use super::request::{RawRequest, MAX_BODY_BYTES};
use super::resolver::{Lookup, LookupKey, Resolver};
use super::settings::{CompiledSettings, UploadSettings};
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
    let key = LookupKey::Session { session_key: session_key.clone() };
    let user = match resolver.session(&session_key) {
        Lookup::Found(user) if user.is_active => user,
        Lookup::Found(_) => return Step::None,
        // A session engine without database rows (signed cookies, the cache): a miss is not Django's.
        Lookup::NotFound if !settings.settings.session.rows_in_database() => {
            return Step::Unknown(LookupKey::Session { session_key })
        }
        Lookup::NotFound => return Step::None,
        Lookup::Pending => return Step::Pending(LookupKey::Session { session_key }),
        Lookup::Unknown => return Step::Unknown(LookupKey::Session { session_key }),
    };
    let mut context = Context { request, resolver, session_key: &session_key, settings };
    match csrf::check(request, settings, &mut context) {
        Ok(None) => Step::Found(Box::new(user), key),
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
    settings: &'a CompiledSettings,
    resolver: &'a dyn Resolver,
    session_key: &'a str,
}

impl CsrfContext for Context<'_> {
    fn post_token(&mut self) -> Result<String, Step> {
        match post_token(self.request, &self.settings.settings.upload) {
            Ok(PostToken::Token(token)) => Ok(token),
            Ok(PostToken::NeedsBody(max_bytes)) => Err(Step::NeedsBody(max_bytes)),
            Ok(PostToken::TooLarge) => Err(Step::BodyTooLarge),
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
            Lookup::Unknown => {
                Err(Step::Unknown(LookupKey::SessionCsrfSecret { session_key: self.session_key.to_string() }))
            }
        }
    }
}

/// Django's `parse_header_parameters` (simplified: `;`-separated `key=value`, quotes removed):
/// the lower-cased main value and the parameters.
pub fn parse_header_parameters(line: &str) -> (String, Vec<(String, String)>) {
    // `.strip()` is Python's: \x1c-\x1f and U+0085/U+00A0 too.
    let strip = crate::pystr::py_strip;
    let mut parts = line.split(';');
    let main = strip(parts.next().unwrap_or("")).to_lowercase();
    let params = parts
        .filter_map(|part| {
            let (key, value) = part.split_once('=')?;
            let value = strip(value);
            let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
            Some((strip(key).to_lowercase(), value.to_string()))
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
    match post_token(request, &UploadSettings::default())? {
        PostToken::Token(token) => Ok(token),
        // Not read (pending, or longer than the edge reads): as Django with the body unreadable.
        PostToken::NeedsBody(_) | PostToken::TooLarge => Ok(String::new()),
    }
}

/// What `request.POST.get("csrfmiddlewaretoken", "")` needs.
enum PostToken {
    /// The value.
    Token(String),
    /// The body, at most this many bytes.
    NeedsBody(usize),
    /// A body longer than the edge reads: only the origin can judge it.
    TooLarge,
}

/// DRF's `request.stream` length: `int(CONTENT_LENGTH)` (0 when not a number); a body without
/// a `Content-Length` counts with its own length (a proxy that buffers it sends that length
/// on, see the guard's `forwardTo`); `None` when that length is not known yet.
fn content_length(request: &RawRequest) -> Option<usize> {
    match request.meta("CONTENT_LENGTH") {
        Some(value) => Some(value.trim().parse::<usize>().unwrap_or(0)),
        None if request.is_body_too_large() || request.is_body_pending() => None,
        None => Some(request.body_bytes().len()),
    }
}

/// [`request_post_token`] with the project's upload limits.
fn post_token(request: &RawRequest, limits: &UploadSettings) -> Result<PostToken, AuthenticationFailure> {
    let content_type = request.content_type();
    let declared = content_length(request);
    if declared == Some(0) {
        return Ok(PostToken::Token(String::new()));
    }
    let Some(parser) = select_parser(content_type) else {
        return Err(AuthenticationFailure::new(
            FailureKind::UnsupportedMediaType,
            format!("Unsupported media type \"{content_type}\" in request."),
            "unsupported_media_type",
        ));
    };
    let too_big = || AuthenticationFailure::new(FailureKind::BadRequest, "RequestDataTooBig", "bad_request");
    // DRF reads JSON and form bodies through `request.body`: DATA_UPLOAD_MAX_MEMORY_SIZE, checked
    // on CONTENT_LENGTH before reading, then on what was read. Multipart is streamed.
    let memory_limit = match parser {
        Parser::Json | Parser::Form => limits.data_max_memory_size.filter(|max| *max <= MAX_BODY_BYTES),
        Parser::MultiPart => None,
    };
    if let (Some(max), Some(length)) = (limits.data_max_memory_size, declared) {
        if parser != Parser::MultiPart && length > max {
            return Err(too_big());
        }
    }
    if request.is_body_pending() {
        return Ok(PostToken::NeedsBody(memory_limit.map_or(MAX_BODY_BYTES, |max| max + 1)));
    }
    if request.is_body_too_large() {
        // Longer than the edge was asked to read: past the memory limit, or beyond the edge.
        return match memory_limit {
            Some(_) => Err(too_big()),
            None => Ok(PostToken::TooLarge),
        };
    }
    if let Some(max) = limits.data_max_memory_size {
        if parser != Parser::MultiPart && request.body_bytes().len() > max {
            return Err(too_big());
        }
    }
    let body = request.body_bytes();
    // DRF's parsers start with `get_encoding`: `''.encode(encoding)` must succeed, which Python's
    // `undefined` codec refuses (non-text codecs are not emulated: the origin decides).
    if charset(content_type) == Some("undefined") {
        let (_, params) = parse_header_parameters(content_type);
        let raw = params.iter().find(|(k, _)| k == "charset").map_or("", |(_, v)| v.as_str());
        return Err(parse_error(format!("Unsupported charset \"{raw}\" in request Content-Type header.")));
    }
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
            parse_qsl_limited(&text, limits.data_max_number_fields).ok_or_else(|| {
                AuthenticationFailure::new(FailureKind::BadRequest, "TooManyFieldsSent", "bad_request")
            })?
        }
        Parser::MultiPart => parse_multipart(content_type, body, limits)?,
    };
    if !is_form_media_type(content_type) {
        return Ok(PostToken::Token(String::new()));
    }
    Ok(PostToken::Token(
        fields.into_iter().rev().find(|(k, _)| k == "csrfmiddlewaretoken").map(|(_, v)| v).unwrap_or_default(),
    ))
}

/// `urllib.parse.parse_qsl(qs, keep_blank_values=True, max_num_fields=1000)`; `None` when
/// there are too many fields.
pub fn parse_qsl(query: &str) -> Option<Vec<(String, String)>> {
    parse_qsl_limited(query, Some(MAX_NUMBER_FIELDS))
}

/// [`parse_qsl`] with `max_num_fields` (`None`: no limit).
fn parse_qsl_limited(query: &str, max_num_fields: Option<usize>) -> Option<Vec<(String, String)>> {
    if max_num_fields.is_some_and(|max| !query.is_empty() && query.matches('&').count() + 1 > max) {
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

/// Django's `MultiPartParser` as DRF's `MultiPartParser` runs it, over the whole body: each
/// stretch between `--boundary` markers is one item (the preamble and the epilogue too, which is
/// why Django allows `DATA_UPLOAD_MAX_NUMBER_FIELDS + 2` of them); an item whose headers (within
/// the first 1024 bytes) carry a `Content-Disposition` is a field, or a file when it has a
/// non-empty `filename`. Field bytes count against `DATA_UPLOAD_MAX_MEMORY_SIZE` (plus the name
/// and 2, as Django counts); file contents have no limit (`FILE_UPLOAD_MAX_MEMORY_SIZE` only
/// decides whether Django keeps a file in memory or on disk). The scan is linear in the body.
fn parse_multipart(
    content_type: &str,
    body: &[u8],
    limits: &UploadSettings,
) -> Result<Vec<(String, String)>, AuthenticationFailure> {
    if !content_type.starts_with("multipart/") {
        return Err(parse_error(format!("Multipart form parse error - Invalid Content-Type: {content_type}")));
    }
    let (_, params) = parse_header_parameters(content_type);
    let boundary = params.iter().find(|(k, _)| k == "boundary").map(|(_, v)| v.clone());
    let valid = |b: &str| {
        !b.is_empty() && b.len() <= 70 && b.bytes().all(|c| c.is_ascii_graphic() || c == b' ') && !b.ends_with(' ')
    };
    let Some(boundary) = boundary.filter(|b| valid(b)) else {
        let shown = params.iter().find(|(k, _)| k == "boundary").map_or("None".to_string(), |(_, v)| v.clone());
        return Err(parse_error(format!("Multipart form parse error - Invalid boundary in multipart: {shown}")));
    };
    let delimiter = format!("--{boundary}").into_bytes();
    let too_big = || AuthenticationFailure::new(FailureKind::BadRequest, "RequestDataTooBig", "bad_request");
    let mut fields = Vec::new();
    let (mut items, mut files, mut bytes_read) = (0usize, 0usize, 0usize);
    let mut start = 0usize;
    let mut first = true;
    while start < body.len() || first {
        let rest = body.get(start..).unwrap_or_default();
        let found = find(rest, &delimiter);
        // The item: up to the next boundary, less one "\n" and one "\r" before it.
        let mut end = found.unwrap_or(rest.len());
        if found.is_some() {
            if end > 0 && rest.get(end - 1) == Some(&b'\n') {
                end -= 1;
            }
            if end > 0 && rest.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        let item = rest.get(..end).unwrap_or_default();
        first = false;
        start = match found {
            Some(index) => start + index + delimiter.len(),
            None => body.len(),
        };
        items += 1;
        if let Some(max) = limits.data_max_number_fields {
            if max.saturating_add(2) < items {
                return Err(AuthenticationFailure::new(FailureKind::BadRequest, "TooManyFieldsSent", "bad_request"));
            }
        }
        let Some((kind, name, value)) = multipart_item(item)? else { continue };
        match kind {
            ItemKind::Field(base64) => {
                let data = match limits.data_max_memory_size {
                    Some(max) => value.get(..max.saturating_sub(bytes_read)).unwrap_or(value),
                    None => value,
                };
                bytes_read += data.len() + name.chars().count() + 2;
                if limits.data_max_memory_size.is_some_and(|max| bytes_read > max) {
                    return Err(too_big());
                }
                let decoded = if base64 { pybase64::b64decode(data).ok() } else { None };
                let data = decoded.as_deref().unwrap_or(data);
                fields.push((name, String::from_utf8_lossy(data).into_owned()));
            }
            ItemKind::File => {
                files += 1;
                if limits.data_max_number_files.is_some_and(|max| files > max) {
                    return Err(AuthenticationFailure::new(FailureKind::BadRequest, "TooManyFilesSent", "bad_request"));
                }
            }
        }
        if found.is_none() {
            break;
        }
    }
    Ok(fields)
}

enum ItemKind {
    /// A form field (`true`: `Content-Transfer-Encoding: base64`).
    Field(bool),
    /// A file part.
    File,
}

/// `parse_boundary_stream`: the item's kind, its stripped `name`, and its data; `None` for a
/// raw item or one without a name. Headers must end within the item's first 1024 bytes
/// (`MAX_TOTAL_HEADER_SIZE`).
type Item<'a> = Option<(ItemKind, String, &'a [u8])>;

fn multipart_item(item: &[u8]) -> Result<Item<'_>, AuthenticationFailure> {
    const MAX_TOTAL_HEADER_SIZE: usize = 1024;
    let window = item.get(..item.len().min(MAX_TOTAL_HEADER_SIZE)).unwrap_or(item);
    let Some(header_end) = find(window, b"\r\n\r\n") else {
        if item.len() >= MAX_TOTAL_HEADER_SIZE {
            return Err(parse_error("Multipart form parse error - Request max total header size exceeded.".into()));
        }
        return Ok(None);
    };
    let headers = item.get(..header_end).unwrap_or_default();
    let data = item.get(header_end + 4..).unwrap_or_default();
    let mut disposition = None;
    let mut base64 = false;
    for line in headers.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Ok(line) = std::str::from_utf8(line) else { continue };
        let (main, params) = parse_header_parameters(line);
        let Some((name, value)) = main.split_once(':') else { continue };
        match name {
            "content-disposition" => disposition = Some(params),
            "content-transfer-encoding" => base64 = value.trim() == "base64",
            _ => {}
        }
    }
    let Some(params) = disposition else { return Ok(None) };
    let Some(name) = params.iter().rev().find(|(k, _)| k == "name").map(|(_, v)| v.trim().to_string()) else {
        return Ok(None);
    };
    let is_file = params.iter().any(|(k, v)| k == "filename" && !v.is_empty());
    Ok(Some((if is_file { ItemKind::File } else { ItemKind::Field(base64) }, name, data)))
}

/// The first index of `needle` in `haystack` (linear for the short needles used here).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(offset) = haystack.get(from..)?.iter().position(|&b| b == first) {
        let at = from + offset;
        if haystack.get(at..at + needle.len())? == needle {
            return Some(at);
        }
        from = at + 1;
        if from + needle.len() > haystack.len() {
            return None;
        }
    }
    None
}
