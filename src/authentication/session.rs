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

/// The request's `Content-Type` as Django 5.2 parses it (`negotiation::parse_header_parameters`,
/// the one reading of media types): the lower-cased main value and the parameters, the last
/// value of a repeated name winning. `None` where Python raises: Django raised the same while
/// building the request (the server's 500), which the edge forwards before authentication
/// ([`RawRequest::content_type_unparsable`]).
fn content_type_parameters(content_type: &str) -> Option<(String, Vec<(String, String)>)> {
    crate::negotiation::parse_header_parameters(content_type).ok()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parser {
    Json,
    Form,
    MultiPart,
}

/// DRF's `select_parser` for the default parsers: a type longer than `max_media_type_length`
/// (in characters) is refused, else `media_type_matches(parser.media_type, content_type)`.
fn select_parser(content_type: &str, full_type: &str) -> Option<Parser> {
    if content_type.chars().count() > MAX_MEDIA_TYPE_LENGTH {
        return None;
    }
    let (main, sub) = full_type.split_once('/').unwrap_or((full_type, ""));
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

/// DRF's `is_form_media_type` (its length limit counts characters).
fn is_form_media_type(content_type: &str, full_type: &str) -> bool {
    content_type.chars().count() <= MAX_MEDIA_TYPE_LENGTH
        && (full_type == "application/x-www-form-urlencoded" || full_type == "multipart/form-data")
}

/// The body's charset (`request.encoding`): the codec module Python finds for the last
/// `charset` parameter, `None` (UTF-8, Django's default) when there is none or Python does not
/// know it.
fn charset(params: &[(String, String)]) -> Option<&'static str> {
    params.iter().find(|(k, _)| k == "charset").and_then(|(_, name)| codecs::lookup(name))
}

/// `str(data, encoding, errors="replace")` ([`codecs::decode`]); `None` for a codec not
/// emulated there.
fn decode_replacing(codec: Option<&str>, data: &[u8]) -> Option<String> {
    codecs::decode(codec, data, true).flatten()
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
    // Django raised the same building the request: the edge forwards it before this (see
    // `RawRequest::content_type_unparsable`); never guessed here.
    let Some((full_type, params)) = content_type_parameters(content_type) else {
        return Err(origin_decides(content_type));
    };
    let Some(parser) = select_parser(content_type, &full_type) else {
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
    let encoding = charset(&params);
    if encoding == Some("undefined") {
        let raw = params.iter().find(|(k, _)| k == "charset").map_or("", |(_, v)| v.as_str());
        return Err(parse_error(format!("Unsupported charset \"{raw}\" in request Content-Type header.")));
    }
    let fields = match parser {
        Parser::Json => {
            let text = match codecs::read(encoding, body) {
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
            // QueryDict: `query_string.decode(encoding)`, else latin-1; then `parse_qsl` with
            // `encoding` for the %-escapes.
            let text = match codecs::decode(encoding, body, false) {
                Some(Some(text)) => text,
                Some(None) => body.iter().map(|&b| char::from(b)).collect(),
                None => return Err(origin_decides(content_type)),
            };
            parse_qsl_limited(&text, limits.data_max_number_fields, encoding).ok_or_else(|| {
                AuthenticationFailure::new(FailureKind::BadRequest, "TooManyFieldsSent", "bad_request")
            })?
        }
        Parser::MultiPart => parse_multipart(content_type, &params, body, limits, encoding)?,
    };
    if !is_form_media_type(content_type, &full_type) {
        return Ok(PostToken::Token(String::new()));
    }
    Ok(PostToken::Token(
        fields.into_iter().rev().find(|(k, _)| k == "csrfmiddlewaretoken").map(|(_, v)| v).unwrap_or_default(),
    ))
}

/// `urllib.parse.parse_qsl(qs, keep_blank_values=True, max_num_fields=1000)`; `None` when
/// there are too many fields.
pub fn parse_qsl(query: &str) -> Option<Vec<(String, String)>> {
    parse_qsl_limited(query, Some(MAX_NUMBER_FIELDS), None)
}

/// [`parse_qsl`] with `max_num_fields` (`None`: no limit) and `encoding` (the codec module the
/// %-escapes decode with; `None` is UTF-8; only codecs [`codecs::decode`] emulates reach here).
fn parse_qsl_limited(
    query: &str,
    max_num_fields: Option<usize>,
    encoding: Option<&str>,
) -> Option<Vec<(String, String)>> {
    if max_num_fields.is_some_and(|max| !query.is_empty() && query.matches('&').count() + 1 > max) {
        return None;
    }
    let mut out = Vec::new();
    for field in query.split('&').filter(|f| !f.is_empty()) {
        let (name, value) = field.split_once('=').unwrap_or((field, ""));
        out.push((unquote_plus(name, encoding), unquote_plus(value, encoding)));
    }
    Some(out)
}

/// `unquote(s.replace('+', ' '), encoding, errors='replace')`: only ASCII runs are
/// percent-decoded, as CPython does, their bytes decoded with the request's charset.
fn unquote_plus(text: &str, encoding: Option<&str>) -> String {
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
        match decode_replacing(encoding, &bytes) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&String::from_utf8_lossy(&bytes)),
        }
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
/// decides whether Django keeps a file in memory or on disk). Names and values are decoded with
/// the request's charset (`encoding`; a codec not emulated here leaves the body to the origin).
/// The scan is linear in the body.
fn parse_multipart(
    content_type: &str,
    params: &[(String, String)],
    body: &[u8],
    limits: &UploadSettings,
    encoding: Option<&str>,
) -> Result<Vec<(String, String)>, AuthenticationFailure> {
    if !content_type.starts_with("multipart/") {
        return Err(parse_error(format!("Multipart form parse error - Invalid Content-Type: {content_type}")));
    }
    if !content_type.is_ascii() {
        return Err(parse_error(format!(
            "Multipart form parse error - Invalid non-ASCII Content-Type in multipart: {content_type}"
        )));
    }
    let boundary = params.iter().find(|(k, _)| k == "boundary").map(|(_, v)| v.clone());
    // `[ -~]{0,200}[!-~]`, the whole boundary.
    let valid = |b: &str| {
        (1..=201).contains(&b.len()) && b.bytes().all(|c| c.is_ascii_graphic() || c == b' ') && !b.ends_with(' ')
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
        let (kind, name, value) = multipart_item(item, content_type)?;
        // Fields and raw items count against DATA_UPLOAD_MAX_NUMBER_FIELDS; files do not.
        if !matches!(kind, ItemKind::File) {
            items += 1;
            if limits.data_max_number_fields.is_some_and(|max| max.saturating_add(2) < items) {
                return Err(AuthenticationFailure::new(FailureKind::BadRequest, "TooManyFieldsSent", "bad_request"));
            }
        }
        let Some(name) = name.filter(|_| !matches!(kind, ItemKind::Raw)) else { continue };
        // `force_str(field_name, encoding, errors="replace")`, as the values below.
        let decode = |bytes: &[u8]| decode_replacing(encoding, bytes).ok_or_else(|| origin_decides(content_type));
        let name = decode(&name)?;
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
                fields.push((name, decode(data)?));
            }
            ItemKind::Raw => {}
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
    /// No `Content-Disposition` (or no headers): skipped.
    Raw,
    /// A form field (`true`: `Content-Transfer-Encoding: base64`).
    Field(bool),
    /// A file part.
    File,
}

/// `parse_boundary_stream`: the item's kind, its `name` (UTF-8 bytes, `bytes.strip()`ped: ASCII
/// whitespace only; `None` without one: skipped), and its data. Headers must end
/// within the item's first 1024 bytes (`MAX_TOTAL_HEADER_SIZE`); header lines end at `\r\n`
/// only, each read by `parse_header_parameters` (a line it raises `ValueError` on is skipped).
type Item<'a> = (ItemKind, Option<Vec<u8>>, &'a [u8]);

fn multipart_item<'a>(item: &'a [u8], content_type: &str) -> Result<Item<'a>, AuthenticationFailure> {
    const MAX_TOTAL_HEADER_SIZE: usize = 1024;
    let window = item.get(..item.len().min(MAX_TOTAL_HEADER_SIZE)).unwrap_or(item);
    let Some(header_end) = find(window, b"\r\n\r\n") else {
        if item.len() >= MAX_TOTAL_HEADER_SIZE {
            return Err(parse_error("Multipart form parse error - Request max total header size exceeded.".into()));
        }
        return Ok((ItemKind::Raw, None, item));
    };
    let headers = item.get(..header_end).unwrap_or_default();
    let data = item.get(header_end + 4..).unwrap_or_default();
    let mut disposition = None;
    let mut is_file = false;
    let mut base64 = false;
    let mut rest = headers;
    loop {
        let (line, next) = match find(rest, b"\r\n") {
            Some(at) => (rest.get(..at).unwrap_or_default(), Some(rest.get(at + 2..).unwrap_or_default())),
            None => (rest, None),
        };
        if let Ok(line) = std::str::from_utf8(line) {
            let parsed = match crate::negotiation::parse_header_parameters(line) {
                Ok(parsed) => Some(parsed),
                Err(crate::negotiation::ParseError::Value) => None,
                // A `TypeError` is the server's 500; a codec not emulated, the origin's.
                Err(_) => return Err(origin_decides(content_type)),
            };
            if let Some((main, params)) = parsed {
                match main.split_once(':') {
                    Some(("content-disposition", _)) => {
                        // TYPE = FIELD, or FILE for a non-empty filename (never back to FIELD).
                        is_file |= params.iter().any(|(k, v)| k == "filename" && !v.is_empty());
                        disposition = Some(params);
                    }
                    Some(("content-transfer-encoding", value)) => base64 = crate::pystr::py_strip(value) == "base64",
                    _ => {}
                }
            }
        }
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    let Some(params) = disposition else { return Ok((ItemKind::Raw, None, data)) };
    let name = params.iter().find(|(k, _)| k == "name").map(|(_, v)| bytes_strip(v.as_bytes()).to_vec());
    Ok((if is_file { ItemKind::File } else { ItemKind::Field(base64) }, name, data))
}

/// `bytes.strip()`: Python's ASCII whitespace (`\x0b` too, which `trim_ascii` keeps).
fn bytes_strip(bytes: &[u8]) -> &[u8] {
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !space(b)).map_or(start, |at| at + 1);
    bytes.get(start..end).unwrap_or_default()
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
