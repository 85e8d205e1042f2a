//! The raw HTTP request edge authentication reads, as Django's `request.META` sees it.
//!
//! Header values are Python `str`s made of ISO-8859-1 characters: a WSGI server decodes every
//! header byte as latin-1, and DRF encodes `Authorization` back to bytes with latin-1. So a value
//! here is a Rust `String` whose every char is `<= U+00FF`, one char per byte on the wire. A char
//! above U+00FF cannot come from a real HTTP request; [`RawRequest::header`] rejects it with an
//! [`InputError`] instead of guessing an encoding (a Worker's `Headers` already hands out such
//! "byte strings").

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;

use serde::Deserialize;

use super::pybase64;
use super::InputError;
use crate::error::InputErrorCode;

/// Longest header field line (`Name: value`) every common server passes to Django: gunicorn's
/// `limit_request_field_size` (8190 bytes; nginx's default buffers are 8 KiB). A longer line is
/// the server's 400/431, not DRF's answer: the edge forwards such a request (see
/// [`RawRequest::beyond_server_limits`]).
pub const MAX_HEADER_BYTES: usize = 8190;
/// Most header fields every common server passes to Django: 99, `runserver`'s. gunicorn's
/// `limit_request_fields` is 100, but `http.server` (Django's `runserver`) counts the blank line
/// that ends the head toward its `_MAXHEADERS` (100): a request with 100 fields is its 431
/// (seen with the sample server, `wasm-tests/workerd/raw-lines.mjs`).
pub const MAX_HEADER_COUNT: usize = 99;
/// Largest header block (all field lines) every common server passes to Django: uvicorn's
/// h11 refuses a request head over 16 KiB.
pub const MAX_HEADERS_TOTAL_BYTES: usize = 16 * 1024;
/// Largest body the edge reads for the CSRF check: 4 MiB, room for Django's default
/// `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB, the most a JSON or form body can be for DRF to read
/// it) and a multipart upload of a few MiB. Multipart file contents have no limit in Django: a
/// CSRF check that needs a longer body is forwarded to the origin, never guessed. Wasm memory
/// never shrinks, and a body costs about four times its size while it is read, so the edge
/// reads no more than this.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One request, before authentication.
///
/// ```
/// use drf_gate::authentication::RawRequest;
/// let request = RawRequest::new("post")
///     .header("Authorization", "Token abc").unwrap()
///     .header("Cookie", "csrftoken=x; sessionid=s").unwrap();
/// assert_eq!(request.method(), "POST");
/// assert_eq!(request.meta("HTTP_AUTHORIZATION"), Some("Token abc"));
/// assert_eq!(request.cookie("sessionid").as_deref(), Some("s"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct RawRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    /// Bytes of the header block so far (`Name: value\r\n` per field).
    header_bytes: usize,
    /// Header fields given so far (a repeated name counts each time).
    header_fields: usize,
    /// Which server limit the headers exceed, if any (the later headers are not kept).
    beyond_limits: Option<&'static str>,
    cookies: Option<BTreeMap<String, String>>,
    secure: bool,
    host: Option<String>,
    port: Option<String>,
    /// `port` was stated by the caller (not read from the URL nor defaulted).
    port_given: bool,
    body: Vec<u8>,
    body_too_large: bool,
    body_pending: bool,
    empty_headers_dropped: bool,
    meta: BTreeMap<String, String>,
    /// The URL's query string from its `?` (empty without one).
    query: String,
    /// A header the decision read has a variant spelt with `_` for `-` (see
    /// [`RawRequest::read_ambiguous_header`]).
    ambiguous_read: Cell<bool>,
    /// The caller's headers come from a Fetch `Headers` object, which joins repeated lines
    /// with `", "` where Django's servers join them with `","` (see
    /// [`RawRequest::read_joined_header`]).
    headers_joined: bool,
    /// A header the decision read may have been joined from several lines.
    joined_read: Cell<bool>,
    /// A cookie the decision read is one a dropped empty `Cookie:` line would rename (see
    /// [`RawRequest::read_first_cookie`]).
    first_cookie_read: Cell<bool>,
}

/// The JSON shape of a raw request (what the JS binding receives).
///
/// ```
/// use drf_gate::authentication::{RawRequest, RawRequestInput};
/// let input: RawRequestInput = serde_json::from_str(r#"{
///   "method": "POST", "url": "https://api.example.com/posts/",
///   "headers": {"Content-Type": "application/json", "X-CSRFToken": "abc"},
///   "body": "{}"
/// }"#).unwrap();
/// let request = RawRequest::from_input(input).unwrap();
/// assert!(request.is_secure());
/// assert_eq!(request.get_port(), "443");
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRequestInput {
    /// The HTTP method (upper-cased as Django does).
    pub method: String,
    /// The full URL; supplies `secure`, `host`, `port` and `path` unless they are given.
    #[serde(default)]
    pub url: Option<String>,
    /// The path (`request.path`).
    #[serde(default)]
    pub path: Option<String>,
    /// Header name -> value (latin-1 characters only).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Cookies; parsed from the `Cookie` header as Django does when omitted.
    #[serde(default)]
    pub cookies: Option<BTreeMap<String, String>>,
    /// `request.is_secure()`.
    #[serde(default)]
    pub secure: Option<bool>,
    /// The `Host` (`host[:port]`); default: the `Host` header, else the URL's authority.
    #[serde(default)]
    pub host: Option<String>,
    /// `SERVER_PORT`, the origin server's own port; unstated, a check that turns on it is the
    /// origin's (`get_port` then guesses the URL's port, else 443 or 80).
    #[serde(default)]
    pub port: Option<String>,
    /// The body as UTF-8 text.
    #[serde(default)]
    pub body: Option<String>,
    /// The body as standard base64 (for bytes that are not UTF-8).
    #[serde(default)]
    pub body_base64: Option<String>,
    /// The request has a body the caller has not read: the check asks for it (an
    /// [`EdgeStep`](crate::edge::EdgeStep) `body` step) only when DRF would read it.
    #[serde(default)]
    pub body_pending: bool,
    /// Header lines with an empty value were dropped before the caller saw them, yet reached
    /// Django (a request read where the origin gets the client's own bytes): an absent header
    /// may have been sent empty. Not for a Worker's requests: workerd drops such lines before
    /// the Worker runs, and the origin behind it gets the request as the Worker forwards it.
    #[serde(default)]
    pub empty_headers_dropped: bool,
    /// The caller did not read the body because it is longer than the edge reads
    /// ([`MAX_BODY_BYTES`], or the `maxBytes` of the body step): a check that needs it forwards.
    #[serde(default)]
    pub body_too_large: bool,
    /// The headers come from a Fetch `Headers` object (a `Request` in workerd, Node, Deno,
    /// Bun): a value holding `", "` may be several lines joined, which Django's servers join
    /// with `","` instead. A check that reads such a value forwards.
    #[serde(default)]
    pub headers_joined: bool,
    /// `CONTENT_TYPE`; default: the `Content-Type` header.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Non-header `request.META` entries, e.g. `REMOTE_USER`.
    #[serde(default)]
    pub meta: BTreeMap<String, String>,
}
object_only!(RawRequestInput, "struct RawRequestInput");

impl RawRequestInput {
    /// The members of the JSON shape, in the order the derived reader lists them in its "unknown
    /// field" message (`tests/edge_one_pass.rs` compares the messages).
    ///
    /// ```
    /// assert_eq!(drf_gate::authentication::RawRequestInput::FIELDS[0], "method");
    /// ```
    pub const FIELDS: &'static [&'static str] = &[
        "method",
        "url",
        "path",
        "headers",
        "cookies",
        "secure",
        "host",
        "port",
        "body",
        "bodyBase64",
        "bodyPending",
        "emptyHeadersDropped",
        "bodyTooLarge",
        "headersJoined",
        "contentType",
        "meta",
    ];

    /// Reads one member of the JSON shape by its name, with its field's type, as the derived
    /// reader reads it: serde's error (and where, under the member) for a value of another
    /// type. `None` for a name that is no member (the derived reader's own "unknown field").
    /// For a reader that takes the members one by one ([`crate::edge::PendingRequest::from_parts`]
    /// with [`crate::edge::parts::REQUEST_JSON`]); the field types are this struct's.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequestInput;
    /// use drf_gate::json::Json;
    /// let error = RawRequestInput::read_member("meta", &Json::Null).unwrap().unwrap_err();
    /// assert_eq!(error.message(), "invalid type: null, expected a map");
    /// assert!(RawRequestInput::read_member("nope", &Json::Null).is_none());
    /// ```
    pub fn read_member(name: &str, value: &crate::json::Json) -> Option<Result<(), crate::json::PathError>> {
        use crate::json::from_json;
        Some(match name {
            "method" => from_json::<String>(value).map(drop),
            "url" | "path" | "host" | "port" | "body" | "bodyBase64" | "contentType" => {
                from_json::<Option<String>>(value).map(drop)
            }
            "headers" | "meta" => from_json::<BTreeMap<String, String>>(value).map(drop),
            "cookies" => from_json::<Option<BTreeMap<String, String>>>(value).map(drop),
            "secure" => from_json::<Option<bool>>(value).map(drop),
            "bodyPending" | "emptyHeadersDropped" | "bodyTooLarge" | "headersJoined" => {
                from_json::<bool>(value).map(drop)
            }
            _ => return None,
        })
    }
}

/// Whether every character is at most U+00FF: in UTF-8, exactly when no byte is 0xC4 or above
/// (U+0100 is C4 80; U+0080..=U+00FF are C2/C3 and a continuation byte, 0x80..=0xBF). A byte
/// scan, not a char decode: it runs on every header of every raw request.
fn is_latin1(value: &str) -> bool {
    !value.bytes().any(|b| b >= 0xC4)
}

fn latin1_check(value: &str, path: impl FnOnce() -> String) -> Result<(), InputError> {
    if !is_latin1(value) {
        return Err(InputError::new(
            InputErrorCode::InvalidRequest,
            path(),
            "header values are ISO-8859-1 byte strings: a character above U+00FF cannot come from an HTTP request",
        ));
    }
    Ok(())
}

impl RawRequest {
    /// A request with this method (upper-cased), path `/`, plain HTTP, no headers.
    pub fn new(method: &str) -> Self {
        RawRequest { method: method.to_ascii_uppercase(), path: "/".into(), ..Default::default() }
    }

    /// Adds a header. Names are case-insensitive; a repeated header is joined with `","` as
    /// Django's servers do (gunicorn, wsgiref, Django's ASGI handler). Values must be
    /// ISO-8859-1 characters (see the module docs).
    ///
    /// Headers beyond the servers' limits ([`MAX_HEADER_COUNT`], [`MAX_HEADER_BYTES`],
    /// [`MAX_HEADERS_TOTAL_BYTES`]) are not kept: the request is marked
    /// [`RawRequest::beyond_server_limits`], which an edge forwards. Cost per header: O(count),
    /// and the count is bounded, so any number of headers costs linear time.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, InputError> {
        latin1_check(value, || format!("$.headers.{name}"))?;
        if self.beyond_limits.is_some() {
            return Ok(self);
        }
        let line = name.len() + 2 + value.chars().count();
        self.header_fields += 1;
        self.header_bytes = self.header_bytes.saturating_add(line + 2);
        let exceeded = if line > MAX_HEADER_BYTES {
            Some("header_field_too_large")
        } else if self.header_bytes > MAX_HEADERS_TOTAL_BYTES {
            Some("headers_too_large")
        } else if self.header_fields > MAX_HEADER_COUNT {
            Some("too_many_headers")
        } else {
            None
        };
        if exceeded.is_some() {
            self.beyond_limits = exceeded;
            return Ok(self);
        }
        let lower = name.to_ascii_lowercase();
        if let Some(existing) = self.headers.iter_mut().find(|(n, _)| *n == lower) {
            existing.1.push(',');
            existing.1.push_str(value);
        } else {
            self.headers.push((lower, value.to_string()));
        }
        Ok(self)
    }

    /// Sets `request.is_secure()`.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Sets the host (`host[:port]`) instead of the `Host` header.
    pub fn host(mut self, host: &str) -> Self {
        self.host = Some(host.to_string());
        self
    }

    /// Sets `SERVER_PORT`.
    pub fn port(mut self, port: &str) -> Self {
        self.port = Some(port.to_string());
        self.port_given = true;
        self
    }

    /// Sets the path.
    pub fn path(mut self, path: &str) -> Self {
        self.path = path.to_string();
        self.query = query_part(path).to_owned();
        self
    }

    /// How many fields `request.GET` parses from the URL's query string (`parse_qsl` counts
    /// separators, empty fields included); DRF's negotiation reads `request.query_params`, and
    /// past `DATA_UPLOAD_MAX_NUMBER_FIELDS` Django raises `TooManyFieldsSent` (its own 400).
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// assert_eq!(RawRequest::new("GET").path("/api/?a=1&&b").query_fields(), 3);
    /// assert_eq!(RawRequest::new("GET").path("/api/?").query_fields(), 0);
    /// ```
    pub fn query_fields(&self) -> usize {
        query_fields(&self.query)
    }

    /// The names of `request.query_params`' fields ([`crate::http::query_names`]).
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// let request = RawRequest::new("GET").path("/api/posts/1/?search=x&page=2");
    /// assert_eq!(request.query_names().collect::<Vec<_>>(), ["search", "page"]);
    /// ```
    pub fn query_names(&self) -> impl Iterator<Item = String> + '_ {
        crate::http::query_names(&self.query)
    }

    /// Which server limit on headers this request exceeds (`too_many_headers`,
    /// `header_field_too_large`, `headers_too_large`), if any. Such a request never reaches
    /// DRF on a server with the usual limits (it gets the server's own 400/431), and reaches it
    /// unchanged on a more lenient one: only the origin can answer it, so the edge forwards it.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// let mut request = RawRequest::new("GET");
    /// for i in 0..101 {
    ///     request = request.header(&format!("X-H{i}"), "1").unwrap();
    /// }
    /// assert_eq!(request.beyond_server_limits(), Some("too_many_headers"));
    /// let long = RawRequest::new("GET").header("Authorization", &"a".repeat(9000)).unwrap();
    /// assert_eq!(long.beyond_server_limits(), Some("header_field_too_large"));
    /// ```
    pub fn beyond_server_limits(&self) -> Option<&'static str> {
        self.beyond_limits
    }

    /// Sets the body. Bodies over [`MAX_BODY_BYTES`] are not kept: reading one is Django's
    /// `RequestDataTooBig` (a 400 from Django itself).
    pub fn body(mut self, body: &[u8]) -> Self {
        if body.len() > MAX_BODY_BYTES {
            self.body_too_large = true;
            self.body = Vec::new();
        } else {
            self.body_too_large = false;
            self.body = body.to_vec();
        }
        self
    }

    /// [`RawRequest::body`] without a copy.
    fn body_vec(mut self, body: Vec<u8>) -> Self {
        self.body_too_large = body.len() > MAX_BODY_BYTES;
        self.body = if self.body_too_large { Vec::new() } else { body };
        self
    }

    /// Marks the body as present but not read yet: a check that needs it asks for it.
    pub fn body_pending(mut self, pending: bool) -> Self {
        self.body_pending = pending;
        self
    }

    /// Marks the body as longer than the edge reads (not kept).
    pub fn body_too_large(mut self) -> Self {
        self.body_too_large = true;
        self.body_pending = false;
        self.body = Vec::new();
        self
    }

    /// Sets the cookies explicitly (instead of parsing the `Cookie` header).
    pub fn cookies(mut self, cookies: BTreeMap<String, String>) -> Self {
        self.cookies = Some(cookies);
        self
    }

    /// Sets a non-header `request.META` entry such as `REMOTE_USER`.
    pub fn meta_entry(mut self, name: &str, value: &str) -> Self {
        self.meta.insert(name.to_string(), value.to_string());
        self
    }

    /// Builds a request from its JSON shape; errors name the offending path.
    pub fn from_input(mut input: RawRequestInput) -> Result<Self, InputError> {
        let headers = std::mem::take(&mut input.headers);
        let headers: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        Self::from_input_with_headers(input, &headers)
    }

    /// [`RawRequest::from_input`] with the headers given apart, as slices in `input.headers`'
    /// order (by name, one value each); `input.headers` is not read. The typed crossing
    /// (`edge::PendingRequest::from_parts`) then copies no header twice.
    ///
    /// # Errors
    /// As [`RawRequest::from_input`].
    pub(crate) fn from_input_with_headers(
        input: RawRequestInput,
        headers: &[(&str, &str)],
    ) -> Result<Self, InputError> {
        let mut request = RawRequest::new(&input.method);
        request.query = query_part(input.url.as_deref().or(input.path.as_deref()).unwrap_or_default()).to_owned();
        let mut url_parts = None;
        if let Some(url) = &input.url {
            url_parts = Some(split_url(url).ok_or_else(|| {
                InputError::new(InputErrorCode::InvalidRequest, "$.url", "expected an absolute http(s) URL")
            })?);
        }
        for &(name, value) in headers {
            request = request.header(name, value)?;
            if request.beyond_limits.is_some() {
                // Forwarded whole: the rest is neither read nor checked.
                break;
            }
        }
        if let Some(content_type) = &input.content_type {
            latin1_check(content_type, || "$.contentType".into())?;
            request.headers.retain(|(n, _)| n != "content-type");
            request.headers.push(("content-type".into(), content_type.clone()));
        }
        for (name, value) in &input.meta {
            latin1_check(value, || format!("$.meta.{name}"))?;
            request.meta.insert(name.clone(), value.clone());
        }
        request.cookies = input.cookies;
        if let Some((secure, authority, port, path)) = url_parts {
            request.secure = secure;
            if request.header_value("host").is_none() {
                request.host = Some(authority);
            }
            request.port = port;
            request.path = path;
        }
        if let Some(secure) = input.secure {
            request.secure = secure;
        }
        if let Some(host) = input.host {
            latin1_check(&host, || "$.host".into())?;
            request.host = Some(host);
        }
        if let Some(port) = input.port {
            request.port = Some(port);
            request.port_given = true;
        }
        if let Some(path) = input.path {
            request.path = path;
        }
        let body_given = input.body.is_some() || input.body_base64.is_some();
        match (input.body, input.body_base64) {
            (Some(_), Some(_)) => {
                return Err(InputError::new(
                    InputErrorCode::InvalidRequest,
                    "$.bodyBase64",
                    "give either body or bodyBase64",
                ))
            }
            (Some(text), None) => request = request.body_vec(text.into_bytes()),
            (None, Some(encoded)) if decoded_len_at_least(encoded.as_bytes()) > MAX_BODY_BYTES => {
                // Over the cap: known from the encoded length, without decoding it.
                request.body_too_large = true;
            }
            (None, Some(encoded)) => {
                let bytes = pybase64::b64decode(encoded.as_bytes())
                    .map_err(|_| InputError::new(InputErrorCode::InvalidRequest, "$.bodyBase64", "invalid base64"))?;
                request = request.body_vec(bytes);
            }
            (None, None) => {}
        }
        if input.body_too_large {
            request = request.body_too_large();
        } else if input.body_pending && !body_given {
            request.body_pending = true;
        }
        request.empty_headers_dropped = input.empty_headers_dropped;
        request.headers_joined = input.headers_joined;
        Ok(request)
    }

    /// `request.method`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// `request.path`.
    pub fn request_path(&self) -> &str {
        &self.path
    }

    /// A header by case-insensitive name.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        // Callers mostly pass lower-case names: copied only when one is not.
        let lower: std::borrow::Cow<'_, str> = match name.bytes().any(|b| b.is_ascii_uppercase()) {
            true => name.to_ascii_lowercase().into(),
            false => name.into(),
        };
        let lower = lower.as_ref();
        // `Content-Type`/`Content-Length` are `CONTENT_*` in META; a `content_type` header is
        // never that (WSGI drops it, ASGI makes it `HTTP_CONTENT_TYPE`).
        if lower != "content-type" && lower != "content-length" {
            self.note_underscore_variant(lower);
        }
        let value = self.headers.iter().find(|(n, _)| n == lower).map(|(_, v)| v.as_str());
        self.note_joined(lower, value);
        value
    }

    /// Marks the headers as coming from a Fetch `Headers` object (see
    /// [`RawRequest::read_joined_header`]).
    pub fn headers_joined(mut self, joined: bool) -> Self {
        self.headers_joined = joined;
        self
    }

    /// Notes a value read that may be several header lines a Fetch `Headers` object joined
    /// with `", "`: Django's servers (gunicorn, wsgiref, Django's ASGI handler) join them with
    /// `","`, which splits differently (`Token a` + `b` is the token `a,b` to DRF, three parts
    /// to the edge) and shows in error messages. Lists whose every reader splits on `,` and
    /// strips the items read the same either way.
    fn note_joined(&self, lower: &str, value: Option<&str>) {
        if self.headers_joined
            && !matches!(lower, "accept" | "user-agent" | "access-control-request-headers")
            && value.is_some_and(|v| v.contains(", "))
        {
            self.joined_read.set(true);
        }
    }

    /// Whether the decision so far read a header value holding `", "` from a Fetch `Headers`
    /// object ([`RawRequestInput::headers_joined`]): it may be repeated lines, which Django
    /// sees joined with `","`. An edge forwards such a request.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// let fetched = RawRequest::new("GET").headers_joined(true).header("Authorization", "Token a, b").unwrap();
    /// assert_eq!(fetched.meta("HTTP_AUTHORIZATION"), Some("Token a, b"));
    /// assert!(fetched.read_joined_header());
    /// let plain = RawRequest::new("GET").header("Authorization", "Token a, b").unwrap();
    /// plain.meta("HTTP_AUTHORIZATION");
    /// assert!(!plain.read_joined_header());
    /// ```
    pub fn read_joined_header(&self) -> bool {
        self.joined_read.get()
    }

    /// Notes a header name given with `_` where the header read has `-` (`X_CSRFToken` for
    /// `X-CSRFToken`). WSGI servers (runserver, gunicorn) drop such a header; ASGI servers
    /// (uvicorn, daphne) make it the same `HTTP_X_CSRFTOKEN` META key, joined with `,` to the
    /// `-` spelling's value. Which one the origin runs is not known here.
    fn note_underscore_variant(&self, dashed_lower: &str) {
        if !dashed_lower.contains('-') || self.ambiguous_read.get() {
            return;
        }
        let same = |n: &str| {
            n.contains('_')
                && n.len() == dashed_lower.len()
                && n.bytes().zip(dashed_lower.bytes()).all(|(a, b)| a == b || (a == b'_' && b == b'-'))
        };
        if self.headers.iter().any(|(n, _)| same(n)) {
            self.ambiguous_read.set(true);
        }
    }

    /// Whether the decision so far read a header that was also given spelt with `_` for `-`
    /// (`X_CSRFToken` beside or instead of `X-CSRFToken`): Django sees that header under a WSGI
    /// server (which drops it) and an ASGI server (which keeps it) differently, so an edge
    /// forwards the request.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// let request = RawRequest::new("POST").header("X_CSRFToken", "abc").unwrap();
    /// assert_eq!(request.meta("HTTP_X_CSRFTOKEN"), None);
    /// assert!(request.read_ambiguous_header());
    /// let plain = RawRequest::new("POST").header("X-CSRFToken", "abc").unwrap();
    /// assert_eq!(plain.meta("HTTP_X_CSRFTOKEN"), Some("abc"));
    /// assert!(!plain.read_ambiguous_header());
    /// ```
    pub fn read_ambiguous_header(&self) -> bool {
        self.ambiguous_read.get()
    }

    /// `request.META[name]`: `HTTP_*` names map to headers (`HTTP_X_CSRFTOKEN` is
    /// `X-CSRFToken`), `CONTENT_TYPE`/`CONTENT_LENGTH` to those headers, anything else to the
    /// extra META entries (`REMOTE_USER`).
    pub fn meta(&self, name: &str) -> Option<&str> {
        if let Some(header) = name.strip_prefix("HTTP_") {
            // Byte by byte (ASCII in, ASCII out: the text stays UTF-8), not char by char.
            let bytes = header.bytes().map(|b| if b == b'_' { b'-' } else { b.to_ascii_lowercase() }).collect();
            let Ok(wanted) = String::from_utf8(bytes) else { return None };
            self.note_underscore_variant(&wanted);
            // WSGI servers drop header names containing '_', so they never reach META.
            let value = self
                .headers
                .iter()
                .find(|(n, _)| !n.contains('_') && n.eq_ignore_ascii_case(&wanted))
                .map(|(_, v)| v.as_str());
            self.note_joined(&wanted, value);
            return value;
        }
        match name {
            "CONTENT_TYPE" => self.header_value("content-type"),
            "CONTENT_LENGTH" => self.header_value("content-length"),
            _ => self.meta.get(name).map(String::as_str),
        }
    }

    /// Whether Django cannot build this request from its `Content-Type`: `HttpRequest` parses it
    /// (`_set_content_type_params`, Django 5.2's email-based `parse_header_parameters`) before
    /// any middleware, and an RFC 2231 parameter whose charset `codecs.lookup` refuses is a
    /// `ValueError` (RFC 2231 sections with and without numbers a `TypeError`): the server
    /// answers 500 whatever the view. Also `true` for a charset there that this crate does not
    /// emulate. An edge forwards such a request. Reads the header without noting it as read by
    /// the decision: every request has it parsed.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// let with = |value: &str| RawRequest::new("POST").header("Content-Type", value).unwrap();
    /// assert!(with("text/plain; charset*=bogus''x").content_type_unparsable());
    /// assert!(!with("text/plain; charset*=utf-8''x").content_type_unparsable());
    /// assert!(!with("multipart/form-data; boundary=\"a;b\"").content_type_unparsable());
    /// ```
    pub fn content_type_unparsable(&self) -> bool {
        self.headers
            .iter()
            .find(|(name, _)| name == "content-type")
            // Only an RFC 2231 parameter (a `*` in its name, after a `;`) can raise: the usual
            // Content-Type costs two byte scans, not a parse, on every request.
            .is_some_and(|(_, value)| {
                value.contains(';')
                    && value.contains('*')
                    && crate::negotiation::parse_header_parameters(value).is_err()
            })
    }

    /// `request.content_type` as DRF reads it (`CONTENT_TYPE`, else `""`).
    pub fn content_type(&self) -> &str {
        self.meta("CONTENT_TYPE").unwrap_or("")
    }

    /// `request.COOKIES`: the given cookies, else Django's `parse_cookie` of the `Cookie` header
    /// as `get_str_from_wsgi` gives it: the header's bytes decoded as UTF-8, each invalid
    /// sequence U+FFFD (`errors="replace"`), so a lone `\xa0` byte is not stripped as a space.
    pub fn cookies_map(&self) -> BTreeMap<String, String> {
        match &self.cookies {
            Some(cookies) => cookies.clone(),
            None => parse_cookie(&self.cookie_header()),
        }
    }

    /// The `Cookie` header as `get_str_from_wsgi` gives it to `parse_cookie` (see
    /// [`RawRequest::cookies_map`]); `""` without one.
    fn cookie_header(&self) -> Cow<'_, str> {
        let header = self.meta("HTTP_COOKIE").unwrap_or("");
        if header.is_ascii() {
            return Cow::Borrowed(header);
        }
        let bytes: Vec<u8> = header.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
        Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// One cookie.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// // The header's bytes are UTF-8 to Django: "\u{e9}" as two latin-1 chars is one é,
    /// // and a lone 0xA0 byte is U+FFFD (not a space that strip() removes).
    /// let request = RawRequest::new("GET").header("Cookie", "a=\u{c3}\u{a9}; b=x\u{a0}").unwrap();
    /// assert_eq!(request.cookie("a").as_deref(), Some("\u{e9}"));
    /// assert_eq!(request.cookie("b").as_deref(), Some("x\u{fffd}"));
    /// ```
    pub fn cookie(&self, name: &str) -> Option<String> {
        if self.empty_headers_dropped && self.cookies.is_none() && renamed_by_leading_line(&self.cookie_header(), name)
        {
            self.first_cookie_read.set(true);
        }
        self.cookies_map().remove(name)
    }

    /// Whether the decision read a cookie that is the `Cookie` header's first pair, where empty
    /// header lines were dropped before the caller saw them but not before Django did
    /// ([`RawRequest::empty_headers_dropped`]). workerd drops an empty `Cookie:` line only while
    /// no value came before it (a later one is joined as `", "`, which the edge strips as
    /// Django's servers do); Django's servers join every line with `","`, so an empty first
    /// line makes the first pair's name `,name` to Django: that cookie is not there. An edge
    /// forwards such a request.
    ///
    /// ```
    /// use drf_gate::authentication::{RawRequest, RawRequestInput};
    /// let seen = |cookie: &str, name: &str| {
    ///     let input = serde_json::json!({"method": "GET", "headers": {"Cookie": cookie}, "emptyHeadersDropped": true});
    ///     let request = RawRequest::from_input(serde_json::from_value::<RawRequestInput>(input).unwrap()).unwrap();
    ///     request.cookie(name);
    ///     request.read_first_cookie()
    /// };
    /// assert!(seen("sessionid=s; csrftoken=t", "sessionid"));
    /// assert!(!seen("csrftoken=t; sessionid=s", "sessionid"));
    /// // A later pair of the same name is the one Django keeps: the first does not count.
    /// assert!(!seen("sessionid=a; sessionid=s", "sessionid"));
    /// ```
    pub fn read_first_cookie(&self) -> bool {
        self.first_cookie_read.get()
    }

    /// `request.is_secure()`.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// `request.is_secure()` under `SECURE_PROXY_SSL_HEADER` (`[META name, value]`): the first
    /// comma-separated value of that header, stripped, when the request has it; else
    /// [`RawRequest::is_secure`].
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// let proxy = ("HTTP_X_FORWARDED_PROTO".to_string(), "https".to_string());
    /// let request = RawRequest::new("GET").header("X-Forwarded-Proto", " https , http").unwrap();
    /// assert!(request.is_secure_behind(Some(&proxy)));
    /// let plain = RawRequest::new("GET").header("X-Forwarded-Proto", "http").unwrap().secure(true);
    /// assert!(!plain.is_secure_behind(Some(&proxy)));
    /// assert!(!request.is_secure_behind(None));
    /// ```
    pub fn is_secure_behind(&self, proxy_ssl_header: Option<&(String, String)>) -> bool {
        match proxy_ssl_header.and_then(|(header, value)| Some((self.meta(header)?, value))) {
            // `header_value.split(",", 1)[0].strip()`: Python's whitespace, \x1c-\x1f too.
            Some((given, value)) => crate::pystr::py_strip(given.split(',').next().unwrap_or("")) == value,
            None => self.secure,
        }
    }

    /// Whether [`RawRequest::is_secure_behind`] may not be what Django computed: empty header
    /// lines were dropped before the caller saw them, the proxy header is absent, the URL https,
    /// where an empty header line reads as not secure.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// let proxy = ("HTTP_X_FORWARDED_PROTO".to_string(), "https".to_string());
    /// let request = RawRequest::new("GET").secure(true);
    /// assert!(!request.secure_may_differ_behind(Some(&proxy)));
    /// ```
    pub fn secure_may_differ_behind(&self, proxy_ssl_header: Option<&(String, String)>) -> bool {
        self.empty_headers_dropped
            && self.secure
            && proxy_ssl_header.is_some_and(|(header, value)| !value.is_empty() && self.meta(header).is_none())
    }

    /// The body bytes (empty when none, or when too large).
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    /// Whether the body was longer than the edge reads ([`MAX_BODY_BYTES`]).
    pub fn is_body_too_large(&self) -> bool {
        self.body_too_large
    }

    /// Whether header lines with an empty value were dropped before the caller saw them but
    /// not before Django did ([`RawRequestInput::empty_headers_dropped`]): an absent header may
    /// have reached Django as an empty one.
    pub fn empty_headers_dropped(&self) -> bool {
        self.empty_headers_dropped
    }

    /// Whether the body is present but not read yet.
    pub fn is_body_pending(&self) -> bool {
        self.body_pending
    }

    /// Django's `_get_raw_host()`: the `Host` header (or the given host), else
    /// `SERVER_NAME:port`, which we do not know, so `""`.
    pub fn raw_host(&self) -> &str {
        self.host.as_deref().or_else(|| self.meta("HTTP_HOST")).unwrap_or("")
    }

    /// `request.get_port()` (`SERVER_PORT`): the given port, else a guess (the URL's, else 443 or
    /// 80; see `server_port_known`). Not the `Host` header's: Django reads `SERVER_PORT`, which
    /// the server sets apart from it.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// let request = RawRequest::new("POST").header("Host", "api.example.com:8443").unwrap().secure(true);
    /// assert_eq!(request.get_port(), "443");
    /// assert_eq!(request.port("8443").get_port(), "8443");
    /// ```
    pub fn get_port(&self) -> String {
        match &self.port {
            Some(port) => port.clone(),
            None if self.secure => "443".into(),
            None => "80".into(),
        }
    }

    /// Whether the caller stated `SERVER_PORT` (`port`). Without it `get_port` is a guess: the
    /// origin's server sets it (gunicorn from the `Host` header, runserver and uvicorn their own
    /// listening port), so a check whose outcome turns on it is the origin's.
    ///
    /// ```
    /// use drf_gate::authentication::RawRequest;
    /// assert!(!RawRequest::new("POST").server_port_known());
    /// assert!(RawRequest::new("POST").port("8000").server_port_known());
    /// ```
    pub fn server_port_known(&self) -> bool {
        self.port_given
    }

    /// Django's `request.get_host()` validated against `allowed_hosts` (`None`: any
    /// well-formed host, like `ALLOWED_HOSTS = ['*']`). `None` means `DisallowedHost`.
    pub fn get_host(&self, allowed_hosts: Option<&[String]>) -> Option<String> {
        let host = self.raw_host();
        let (domain, _) = split_domain_port(host);
        if domain.is_empty() {
            return None;
        }
        let ok = match allowed_hosts {
            None => true,
            Some(patterns) => {
                patterns.iter().any(|pattern| pattern == "*" || crate::http::is_same_domain(&domain, pattern))
            }
        };
        ok.then(|| host.to_string())
    }
}

/// A lower bound of the length `b64decode` gives (it discards characters outside the alphabet):
/// three bytes per four alphabet characters, less two for padding.
fn decoded_len_at_least(encoded: &[u8]) -> usize {
    let alphabet = encoded.iter().filter(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'/').count();
    (alphabet / 4 * 3).saturating_sub(2)
}

/// A URL's or path's query string from its `?` (empty without one).
fn query_part(url: &str) -> &str {
    url.find('?').map_or("", |at| url.get(at..).unwrap_or_default())
}

/// `parse_qsl`'s field count for the query string of a URL or path (`#` ends it).
fn query_fields(url: &str) -> usize {
    let query = url.split_once('?').map_or("", |(_, query)| query.split('#').next().unwrap_or_default());
    if query.is_empty() {
        0
    } else {
        query.matches('&').count() + 1
    }
}

/// Splits `http(s)://authority/path` into (secure, authority, port, path).
fn split_url(url: &str) -> Option<(bool, String, Option<String>, String)> {
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return None;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end)?.to_string();
    let tail = rest.get(end..).unwrap_or("");
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let path = tail.get(..path_end).unwrap_or("");
    let path = if path.is_empty() { "/".to_string() } else { path.to_string() };
    let (_, port) = split_domain_port(&authority);
    Some((secure, authority, (!port.is_empty()).then_some(port), path))
}

/// Django's `split_domain_port`: `host_validation_re` on the lower-cased host, trailing dot
/// removed; `("", "")` when the host is malformed. ASCII lowering: the host Django gets is
/// latin-1 (WSGI), none of whose letters lowers to ASCII, while Unicode lowers the Kelvin sign
/// (which a URL's authority may hold) to `k`.
///
/// ```
/// use drf_gate::authentication::request::split_domain_port;
/// assert_eq!(split_domain_port("Example.COM.:8000"), ("example.com".into(), "8000".into()));
/// assert_eq!(split_domain_port("[::1]:443"), ("[::1]".into(), "443".into()));
/// assert_eq!(split_domain_port("bad host"), ("".into(), "".into()));
/// assert_eq!(split_domain_port("\u{212a}.com"), ("".into(), "".into()));
/// ```
pub fn split_domain_port(host: &str) -> (String, String) {
    // ^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$ on host.lower()
    let lower = host.to_ascii_lowercase();
    let (domain, rest) = if lower.starts_with('[') {
        let Some(close) = lower.find(']') else { return (String::new(), String::new()) };
        let inner = lower.get(1..close).unwrap_or("");
        let Some(colon) = inner.find(':') else { return (String::new(), String::new()) };
        let (before, after) = (inner.get(..colon).unwrap_or(""), inner.get(colon + 1..).unwrap_or(""));
        let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        if !before.chars().all(hex) || after.is_empty() || !after.chars().all(|c| hex(c) || c == '.' || c == ':') {
            return (String::new(), String::new());
        }
        (lower.get(..=close).unwrap_or(""), lower.get(close + 1..).unwrap_or(""))
    } else {
        let end = lower.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'));
        let end = end.unwrap_or(lower.len());
        if end == 0 {
            return (String::new(), String::new());
        }
        (lower.get(..end).unwrap_or(""), lower.get(end..).unwrap_or(""))
    };
    let port = if rest.is_empty() {
        ""
    } else if let Some(port) = rest.strip_prefix(':') {
        if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
            return (String::new(), String::new());
        }
        port
    } else {
        return (String::new(), String::new());
    };
    (domain.strip_suffix('.').unwrap_or(domain).to_string(), port.to_string())
}

use crate::pystr::py_strip;

/// Whether `parse_cookie` of `","` + `header` (an empty line before it, as Django's servers
/// join lines) reads the cookie `name` otherwise than `parse_cookie(header)`: when the first
/// pair is the only one named `name` (its name becomes `,name`).
fn renamed_by_leading_line(header: &str, name: &str) -> bool {
    // `parse_cookie`'s name of one `;`-separated chunk (none without `=`).
    fn key(chunk: &str) -> &str {
        py_strip(chunk.split_once('=').map_or("", |(key, _)| key))
    }
    let mut chunks = header.split(';');
    chunks.next().is_some_and(|first| key(first) == name) && !chunks.any(|chunk| key(chunk) == name)
}

/// Django's `parse_cookie`.
///
/// ```
/// use drf_gate::authentication::request::parse_cookie;
/// let cookies = parse_cookie(r#"a=1; b="x\"y"; novalue; c=="#);
/// assert_eq!(cookies.get("a").map(String::as_str), Some("1"));
/// assert_eq!(cookies.get("b").map(String::as_str), Some("x\"y"));
/// assert_eq!(cookies.get("").map(String::as_str), Some("novalue"));
/// assert_eq!(cookies.get("c").map(String::as_str), Some("="));
/// ```
pub fn parse_cookie(cookie: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for chunk in cookie.split(';') {
        let (key, value) = match chunk.split_once('=') {
            Some((k, v)) => (k, v),
            None => ("", chunk),
        };
        let (key, value) = (py_strip(key), py_strip(value));
        if !key.is_empty() || !value.is_empty() {
            map.insert(key.to_string(), cookie_unquote(value));
        }
    }
    map
}

/// `http.cookies._unquote`.
fn cookie_unquote(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 2 || chars.first() != Some(&'"') || chars.last() != Some(&'"') {
        return value.to_string();
    }
    let inner = chars.get(1..chars.len() - 1).unwrap_or(&[]);
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while let Some(&c) = inner.get(i) {
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        // \ooo (three octal digits, first 0-3) or \c
        let octal: Option<u32> = (|| {
            let d0 = inner.get(i + 1)?.to_digit(8).filter(|d| *d <= 3)?;
            let d1 = inner.get(i + 2)?.to_digit(8)?;
            let d2 = inner.get(i + 3)?.to_digit(8)?;
            Some(d0 * 64 + d1 * 8 + d2)
        })();
        if let Some(code) = octal {
            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            i += 4;
        } else if let Some(&next) = inner.get(i + 1).filter(|c| **c != '\n') {
            out.push(next);
            i += 2;
        } else {
            out.push('\\');
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_latin1;

    /// The byte scan agrees with a char decode around every boundary of UTF-8's lengths.
    #[test]
    fn is_latin1_is_the_char_test() {
        let chars = [
            '\0',
            'a',
            '\u{7f}',
            '\u{80}',
            '\u{e9}',
            '\u{ff}',
            '\u{100}',
            '\u{7ff}',
            '\u{800}',
            '\u{ffff}',
            '\u{10000}',
            '\u{10ffff}',
        ];
        for a in chars {
            for b in chars {
                let text: String = [a, 'x', b].iter().collect();
                assert_eq!(is_latin1(&text), text.chars().all(|c| u32::from(c) <= 0xFF), "{text:?}");
            }
        }
    }
}
