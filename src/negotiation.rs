//! `rest_framework/negotiation.py` and the renderer side of `JSONRenderer`: which renderer a
//! request's `Accept` header (or `?format=`) selects. DRF negotiates before authentication, so a
//! request it cannot satisfy is a 406 whatever its credentials; `application/json; indent=4`
//! makes DRF indent the body.

use crate::pystr::{decimal_value, py_strip};

/// A renderer class, as far as negotiation needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renderer {
    /// `media_type`.
    pub media_type: String,
    /// `format` (`?format=json`).
    pub format: String,
    /// Whether drf-gate renders it (`JSONRenderer`); others are rendered by the server.
    pub json: bool,
}

/// `DEFAULT_RENDERER_CLASSES` (DRF: JSON, then the browsable API).
pub const DEFAULT_RENDERERS: [&str; 2] = ["JSONRenderer", "BrowsableAPIRenderer"];

/// A built-in renderer by DRF class name (or dotted path).
///
/// ```
/// let json = drf_gate::negotiation::builtin_renderer("rest_framework.renderers.JSONRenderer").unwrap();
/// assert_eq!((json.media_type.as_str(), json.format.as_str(), json.json), ("application/json", "json", true));
/// ```
pub fn builtin_renderer(name: &str) -> Option<Renderer> {
    let short = name.rsplit('.').next().unwrap_or(name);
    let (media_type, format) = match short {
        "JSONRenderer" => ("application/json", "json"),
        "BrowsableAPIRenderer" => ("text/html", "api"),
        "TemplateHTMLRenderer" | "StaticHTMLRenderer" => ("text/html", "html"),
        "AdminRenderer" => ("text/html", "admin"),
        "HTMLFormRenderer" => ("text/html", "form"),
        "MultiPartRenderer" => ("multipart/form-data; boundary=BoUnDaRyStRiNg", "multipart"),
        _ => return None,
    };
    Some(Renderer { media_type: media_type.to_owned(), format: format.to_owned(), json: short == "JSONRenderer" })
}

/// What negotiation selected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Negotiated {
    /// `JSONRenderer`, with `indent` from the accepted media type's parameters.
    Json {
        /// `indent` (1–8), or none: compact.
        indent: Option<u8>,
    },
    /// Another renderer (HTML, ...): only the server renders that.
    Other,
    /// No renderer satisfies `Accept`: `NotAcceptable` (406).
    NotAcceptable,
    /// `?format=` names no renderer: `Http404`.
    UnknownFormat,
    /// DRF itself would fail (a header too long to parse): the server answers.
    ServerError,
}

/// How Python fails on a media type: `ValueError` (DRF's `_MediaType` catches it: the type
/// matches nothing), `TypeError` (not caught: the server's 500), or a codec this crate does
/// not emulate (the server answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(any(feature = "compiler", feature = "edge")), allow(dead_code))] // the runtime meets neither error
pub(crate) enum ParseError {
    /// `ValueError` (an RFC 2231 charset `codecs.lookup` refuses).
    Value,
    /// `TypeError` (RFC 2231 sections with and without numbers).
    Type,
    /// A codec this build does not emulate.
    NotEmulated,
}

/// A parameter value on its way through `email.utils.decode_params`: a plain value, or an
/// RFC 2231 one with its charset and language.
enum ParamValue {
    Plain(String),
    #[cfg(any(feature = "compiler", feature = "edge"))]
    Extended {
        charset: Option<String>,
        text: String,
    },
}

/// One RFC 2231 section: its number (digits without leading zeros; none for `name*`), its
/// text, and whether it is %-encoded (`name*` / `name*0*`).
#[cfg(any(feature = "compiler", feature = "edge"))]
type Continuation = (Option<String>, String, bool);

/// Django 5.2's `parse_header_parameters`: without `;` the stripped, lower-cased line; else
/// `email.message.Message().get_params()` on it (`_parseparam`, `decode_params`: RFC 2231
/// continuations and charsets), an unknown charset being a `ValueError`. The one reading of
/// media types: `Accept` here, the request's `Content-Type` and multipart part headers in
/// `authentication::session`.
pub(crate) fn parse_header_parameters(line: &str) -> Result<(String, Vec<(String, String)>), ParseError> {
    if line.is_empty() {
        return Ok((String::new(), Vec::new()));
    }
    if !line.contains(';') {
        return Ok((crate::http::lower(py_strip(line)), Vec::new()));
    }
    let mut parts = parse_params(line).into_iter();
    let key = crate::http::lower(&parts.next().map(|(name, _)| name).unwrap_or_default());
    // `decode_params`: plain parameters in order, then the RFC 2231 ones by first appearance.
    let mut plain: Vec<(String, ParamValue)> = Vec::new();
    #[cfg(any(feature = "compiler", feature = "edge"))]
    let mut extended: Vec<(String, Vec<Continuation>)> = Vec::new();
    // Where each name is in `extended` / `params`: a lookup, not a scan (a line of many names).
    #[cfg(any(feature = "compiler", feature = "edge"))]
    let mut extended_at: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (name, value) in parts {
        let value = email_unquote(&value).into_owned();
        match rfc2231_continuation(&name) {
            // The browser runtime leaves RFC 2231 parameters (charsets, continuations) to the
            // server: the edge and core builds decode them.
            #[cfg(not(any(feature = "compiler", feature = "edge")))]
            Some(_) => return Err(ParseError::NotEmulated),
            #[cfg(any(feature = "compiler", feature = "edge"))]
            Some((base, number)) => {
                let encoded = name.ends_with('*');
                match extended_at.get(base).and_then(|at| extended.get_mut(*at)) {
                    Some((_, continuations)) => continuations.push((number, value, encoded)),
                    None => {
                        extended_at.insert(base.to_owned(), extended.len());
                        extended.push((base.to_owned(), vec![(number, value, encoded)]));
                    }
                }
            }
            // `'"%s"' % quote(value)`, which `get_params` unquotes: the value itself (`quote`
            // escapes every `\` and `"`, so `unquote`'s two replacements undo it exactly).
            None => plain.push((name, ParamValue::Plain(value))),
        }
    }
    #[cfg(any(feature = "compiler", feature = "edge"))]
    for (name, mut continuations) in extended {
        // `continuations.sort()`: (number, value, encoded); None against an int is a TypeError.
        let numbered = continuations.iter().filter(|(number, ..)| number.is_some()).count();
        if numbered != 0 && numbered != continuations.len() {
            return Err(ParseError::Type);
        }
        continuations.sort_by(|a, b| {
            let by_number = match (&a.0, &b.0) {
                (Some(x), Some(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
                _ => std::cmp::Ordering::Equal,
            };
            by_number.then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2))
        });
        let mut joined = String::new();
        let mut is_extended = false;
        for (_, text, encoded) in &continuations {
            if *encoded {
                // `urllib.parse.unquote(s, encoding="latin-1")`: each `%XX` becomes U+00XX.
                joined.push_str(&percent_decode_latin1(text));
                is_extended = true;
            } else {
                joined.push_str(text);
            }
        }
        let value = if is_extended {
            let quoted = email_quote(&joined);
            // `decode_rfc2231`: `s.split("'", 2)`; fewer than three parts: no charset.
            let mut pieces = quoted.splitn(3, '\'');
            match (pieces.next(), pieces.next(), pieces.next()) {
                (Some(charset), Some(_language), Some(text)) => {
                    ParamValue::Extended { charset: Some(charset.to_owned()), text: crate::text::cat!('"', text, '"') }
                }
                _ => ParamValue::Extended { charset: None, text: crate::text::cat!('"', quoted, '"') },
            }
        } else {
            // `'"%s"' % quote(joined)`, unquoted by `get_params`: `joined` (as a plain value).
            ParamValue::Plain(joined)
        };
        plain.push((name, value));
    }
    // `get_params` unquotes; Django skips empty names, checks the charset, collapses, and keeps
    // the last value of a name (in the dict's first-insertion order).
    let mut params: Vec<(String, String)> = Vec::new();
    #[cfg(any(feature = "compiler", feature = "edge"))]
    let mut params_at: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (name, value) in plain {
        if name.is_empty() {
            continue;
        }
        // The browser runtime has only plain values (it leaves RFC 2231 to the server).
        #[cfg_attr(not(any(feature = "compiler", feature = "edge")), allow(clippy::infallible_destructuring_match))]
        let value = match value {
            ParamValue::Plain(text) => text,
            #[cfg(any(feature = "compiler", feature = "edge"))]
            ParamValue::Extended { charset, text } => {
                collapse_rfc2231_value(charset.as_deref(), &email_unquote(&text))?
            }
        };
        #[cfg(any(feature = "compiler", feature = "edge"))]
        let slot = params_at.get(&name).and_then(|at| params.get_mut(*at));
        // The browser runtime scans: a map would cost its .wasm ~2 KB gzip, and its lines are
        // the page's own, not a client's.
        #[cfg(not(any(feature = "compiler", feature = "edge")))]
        let slot = params.iter_mut().find(|(existing, _)| *existing == name);
        match slot {
            Some(slot) => slot.1 = value,
            None => {
                #[cfg(any(feature = "compiler", feature = "edge"))]
                params_at.insert(name.clone(), params.len());
                params.push((name, value));
            }
        }
    }
    Ok((key, params))
}

/// `email.utils.rfc2231_continuation` (`^(?P<name>\w+)\*((?P<num>[0-9]+)\*?)?$`, ASCII): the
/// name and the continuation number (its digits without leading zeros).
fn rfc2231_continuation(name: &str) -> Option<(&str, Option<String>)> {
    let star = name.find('*')?;
    let base = name.get(..star)?;
    if base.is_empty() || !base.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let rest = name.get(star + 1..)?;
    if rest.is_empty() {
        return Some((base, None));
    }
    let digits = rest.strip_suffix('*').unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some((base, Some(if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() })))
}

/// `email.utils.quote`: `\` and `"` escaped.
#[cfg(any(feature = "compiler", feature = "edge"))]
fn email_quote(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `email.utils.unquote`: one level of `"..."` (unescaped) or `<...>`.
fn email_unquote(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() > 1 {
        if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            return std::borrow::Cow::Owned(replace_pair(&replace_pair(inner, *b"\\\\", '\\'), *b"\\\"", '"'));
        }
        if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
            return std::borrow::Cow::Borrowed(inner);
        }
    }
    std::borrow::Cow::Borrowed(text)
}

/// `%XX` sequences (either case) of the ASCII runs as U+00XX; everything else kept.
#[cfg(any(feature = "compiler", feature = "edge"))]
fn percent_decode_latin1(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        let hex = text.get(at + 1..at + 3).and_then(|pair| crate::http::hex_byte(pair.as_bytes()));
        match (c, hex) {
            ('%', Some(byte)) => {
                out.push(char::from(byte));
                chars.next();
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// `collapse_rfc2231_value(value)` after Django's charset check: the text's characters as bytes
/// (`raw-unicode-escape`) decoded with the charset (`us-ascii` when none), errors replaced.
#[cfg(any(feature = "compiler", feature = "edge"))]
fn collapse_rfc2231_value(charset: Option<&str>, text: &str) -> Result<String, ParseError> {
    let codec = match charset {
        None => Some("ascii"),
        // `''`: no check, then `str(raw, '')` is a LookupError: the text, unquoted once more.
        Some("") => return Ok(email_unquote(text).into_owned()),
        Some(name) => codec_module(name)?,
    };
    let Some(codec) = codec else { return Err(ParseError::Value) };
    let mut raw = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(byte) => raw.push(byte),
            Err(_) if u32::from(c) <= 0xFFFF => raw.extend(format!("\\u{:04x}", u32::from(c)).bytes()),
            Err(_) => raw.extend(format!("\\U{:08x}", u32::from(c)).bytes()),
        }
    }
    match codec {
        "utf_8" => Ok(String::from_utf8_lossy(&raw).into_owned()),
        "latin_1" | "iso8859_1" => Ok(raw.iter().map(|&b| char::from(b)).collect()),
        "ascii" => Ok(raw.iter().map(|&b| if b.is_ascii() { char::from(b) } else { '\u{fffd}' }).collect()),
        _ => Err(ParseError::NotEmulated),
    }
}

/// `codecs.lookup(name)`'s codec module: `Ok(None)` for an unknown name (`LookupError`),
/// `Err` where this build cannot tell.
#[cfg(any(feature = "compiler", feature = "edge"))]
fn codec_module(name: &str) -> Result<Option<&'static str>, ParseError> {
    // The edge build has Python's lookup (aliases, normalisation); the others know a few
    // spellings and leave any other name to the server.
    #[cfg(feature = "edge")]
    {
        Ok(crate::authentication::codecs::lookup(name))
    }
    #[cfg(not(feature = "edge"))]
    {
        match crate::http::lower(name).as_str() {
            "utf-8" | "utf8" | "utf_8" => Ok(Some("utf_8")),
            "latin-1" | "latin1" | "latin_1" | "iso-8859-1" => Ok(Some("latin_1")),
            "ascii" | "us-ascii" => Ok(Some("ascii")),
            _ => Err(ParseError::NotEmulated),
        }
    }
}

/// `email.message._parseparam(line)` and `_get_params_preserve`'s split of each part:
/// `;`-separated fields (a `;` inside an odd number of unescaped quotes does not separate);
/// a field with `=` is its name stripped and lower-cased and its value stripped (split at the
/// first `=`), any other is the stripped field as a name with the value "". Python joins the
/// pair with `=`, strips the join and splits it again at the first `=`: the same pair, as
/// neither the stripped name (which holds no `=`) nor the stripped value gains a `=` or a space
/// at the seam.
fn parse_params(line: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    // Python's `s = ';' + line`, then each round drops the leading `;`.
    let mut s = line;
    loop {
        let mut end = s.find(';');
        // The `"` and `\"` of `s[..e]`, counted as `e` moves on (Python counts them again
        // from the start for each `;`: quadratic in a field of many `;` after an open quote).
        let (mut counted, mut quotes, mut escaped) = (0, 0usize, 0usize);
        while let Some(e) = end {
            let bytes = s.as_bytes();
            for at in counted..e {
                if bytes.get(at) == Some(&b'"') {
                    quotes += 1;
                    // `\"` cannot overlap itself: counting windows is `head.count('\\"')`.
                    if at > 0 && bytes.get(at - 1) == Some(&b'\\') {
                        escaped += 1;
                    }
                }
            }
            counted = e;
            if e > 0 && quotes.saturating_sub(escaped) % 2 == 1 {
                end = s.get(e + 1..).and_then(|tail| tail.find(';')).map(|next| next + e + 1);
            } else {
                break;
            }
        }
        let end = end.unwrap_or(s.len());
        let field = s.get(..end).unwrap_or_default();
        parts.push(match field.split_once('=') {
            Some((name, value)) => (crate::http::lower(py_strip(name)), py_strip(value).to_owned()),
            None => (py_strip(field).to_owned(), String::new()),
        });
        match s.get(end..).and_then(|rest| rest.strip_prefix(';')) {
            Some(rest) => s = rest,
            None => break,
        }
    }
    parts
}

/// DRF's `_MediaType`.
#[derive(Debug)]
struct MediaType<'t> {
    orig: &'t str,
    main_type: String,
    sub_type: String,
    params: Vec<(String, String)>,
}

impl<'t> MediaType<'t> {
    /// `_MediaType(text)`: a `ValueError` leaves an empty type that matches nothing.
    fn parse(text: &'t str) -> Result<MediaType<'t>, ParseError> {
        let (full_type, params) = match parse_header_parameters(text) {
            Ok(parsed) => parsed,
            Err(ParseError::Value) => (String::new(), Vec::new()),
            Err(other) => return Err(other),
        };
        let (main_type, sub_type) = match full_type.split_once('/') {
            Some((main, sub)) => (main.to_owned(), sub.to_owned()),
            None => (full_type, String::new()),
        };
        Ok(MediaType { orig: text, main_type, sub_type, params })
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// `precedence`: `*/*` 0, `type/*` 1, full type 2, full type with parameters 3.
    fn precedence(&self) -> u8 {
        if self.main_type == "*" {
            0
        } else if self.sub_type == "*" {
            1
        } else if self.params.is_empty() || (self.params.len() == 1 && self.param("q").is_some()) {
            2
        } else {
            3
        }
    }

    /// `self.match(other)`: does this (the renderer's) media type satisfy `other`?
    fn matches(&self, other: &MediaType<'_>) -> bool {
        for (key, value) in &self.params {
            if key != "q" && other.param(key) != Some(value.as_str()) {
                return false;
            }
        }
        if self.sub_type != "*" && other.sub_type != "*" && other.sub_type != self.sub_type {
            return false;
        }
        if self.main_type != "*" && other.main_type != "*" && other.main_type != self.main_type {
            return false;
        }
        true
    }
}

/// `text.replace(pattern, with)` for a two-byte ASCII pattern: leftmost, non-overlapping, as
/// `str::replace` (whose substring searcher the browser runtime does without).
fn replace_pair(text: &str, pattern: [u8; 2], with: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.as_bytes().windows(2).position(|pair| pair == pattern) {
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push(with);
        rest = rest.get(at + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Python's `int()` on a string: surrounding whitespace, a sign, decimal digits (any script)
/// with single `_` between them.
fn python_int(text: &str) -> Option<i64> {
    let text = py_strip(text);
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.as_bytes().windows(2).any(|pair| pair == b"__")
    {
        return None;
    }
    let mut value: i64 = 0;
    for ch in digits.chars().filter(|c| *c != '_') {
        let digit = decimal_value(ch)?;
        value = value.saturating_mul(10).saturating_add(i64::from(digit));
    }
    Some(if negative { -value } else { value })
}

/// `DefaultContentNegotiation.get_accept_list`: past 8192 characters the header is cut after
/// its last `,` within them; tokens stripped, empty ones and those over 256 characters
/// skipped, at most 64.
fn accept_list(header: &str) -> Vec<&str> {
    let header = match header.char_indices().nth(8192) {
        Some((limit, _)) => match header.get(..limit).and_then(|head| head.rfind(',')) {
            Some(comma) => header.get(..=comma).unwrap_or_default(),
            None => "",
        },
        None => header,
    };
    let mut tokens = Vec::new();
    for token in header.split(',') {
        let token = py_strip(token);
        if token.is_empty() || token.chars().count() > 256 {
            continue;
        }
        tokens.push(token);
        if tokens.len() >= 64 {
            break;
        }
    }
    tokens
}

/// `JSONRenderer.get_indent(accepted_media_type)`: the `indent` parameter as `int()` reads it,
/// clamped to 0..=8, 0 as none; any error is no indent.
fn indent_of(accepted: &str) -> Result<Option<u8>, ParseError> {
    // `parse_header_parameters` raising here is not caught (`get_indent` suppresses errors of
    // `int(params['indent'])` only): the server's 500, or this build cannot tell.
    let (_, params) = parse_header_parameters(accepted)?;
    let indent = params.iter().find(|(key, _)| key == "indent").and_then(|(_, value)| python_int(value));
    Ok(indent.and_then(|indent| u8::try_from(indent.clamp(0, 8)).ok().filter(|n| *n > 0)))
}

/// `DefaultContentNegotiation.select_renderer`, then `JSONRenderer.get_indent`.
///
/// ```
/// use drf_gate::negotiation::{builtin_renderer, negotiate, Negotiated};
/// let renderers = vec![builtin_renderer("JSONRenderer").unwrap()];
/// assert_eq!(negotiate(&renderers, None, None), Negotiated::Json { indent: None });
/// assert_eq!(negotiate(&renderers, Some("text/html"), None), Negotiated::NotAcceptable);
/// assert_eq!(negotiate(&renderers, Some("application/json; indent=4"), None), Negotiated::Json { indent: Some(4) });
/// assert_eq!(negotiate(&renderers, Some("*/*;indent=20"), None), Negotiated::Json { indent: Some(8) });
/// assert_eq!(negotiate(&renderers, None, Some("xml")), Negotiated::UnknownFormat);
/// ```
pub fn negotiate(renderers: &[Renderer], accept: Option<&str>, format: Option<&str>) -> Negotiated {
    // No `Accept` and no `?format=` (most edge requests): the loop below with `*/*`, which
    // every renderer type satisfies unless it has parameters other than `q`; without the
    // loop's allocations.
    if accept.is_none() && format.is_none_or(str::is_empty) {
        for renderer in renderers {
            // Without `;` a type has no parameters.
            if renderer.media_type.contains(';') {
                let Ok(renderer_type) = MediaType::parse(&renderer.media_type) else {
                    return Negotiated::ServerError;
                };
                if renderer_type.params.iter().any(|(key, _)| key != "q") {
                    continue;
                }
            }
            return if renderer.json { Negotiated::Json { indent: None } } else { Negotiated::Other };
        }
        return if renderers.is_empty() { Negotiated::UnknownFormat } else { Negotiated::NotAcceptable };
    }
    // `?format=`: the renderers of that format only (none: `Http404`, before `Accept` is read).
    let of_format = |renderer: &&Renderer| format.is_none_or(|format| format.is_empty() || renderer.format == format);
    if !renderers.iter().any(|renderer| of_format(&renderer)) {
        return Negotiated::UnknownFormat;
    }
    let mut accepted: Vec<MediaType<'_>> = Vec::new();
    for token in accept_list(accept.unwrap_or("*/*")) {
        match MediaType::parse(token) {
            Ok(media_type) => accepted.push(media_type),
            Err(_) => return Negotiated::ServerError,
        }
    }
    let mut renderer_types = Vec::new();
    for renderer in renderers.iter().filter(of_format) {
        match MediaType::parse(&renderer.media_type) {
            Ok(media_type) => renderer_types.push((renderer, media_type)),
            Err(_) => return Negotiated::ServerError,
        }
    }
    for precedence in [3u8, 2, 1, 0] {
        // A set in DRF (the accepted types of this precedence): which of its media types is tried
        // first follows string hashes, which differ per server process.
        for (renderer, renderer_type) in &renderer_types {
            let mut matching = accepted
                .iter()
                .filter(|wanted| wanted.precedence() == precedence && renderer_type.matches(wanted))
                .peekable();
            if matching.peek().is_none() {
                continue;
            }
            if !renderer.json {
                return Negotiated::Other;
            }
            let mut indents = matching.map(|wanted| {
                if renderer_type.precedence() > wanted.precedence() {
                    // `*/*; indent=4`: the renderer's type with the accepted parameters.
                    let mut full = renderer.media_type.clone();
                    for (key, value) in &wanted.params {
                        full.push(';');
                        full.push_str(key);
                        full.push('=');
                        full.push_str(value);
                    }
                    indent_of(&full)
                } else {
                    indent_of(wanted.orig)
                }
            });
            // Two media types that would render differently: the answer depends on the
            // server process's hash seed, which only the server knows. One whose parameters
            // `get_indent` cannot parse again (a value that held a `;`, re-joined unquoted):
            // the server's 500, or not emulated here.
            let Some(Ok(first)) = indents.next() else { return Negotiated::ServerError };
            return if indents.all(|indent| indent == Ok(first)) {
                Negotiated::Json { indent: first }
            } else {
                Negotiated::ServerError
            };
        }
    }
    Negotiated::NotAcceptable
}

/// Re-renders a compact JSON body as `json.dumps(data, indent=n, separators=(',', ': '))`.
///
/// ```
/// assert_eq!(drf_gate::negotiation::indent_body(r#"{"detail":"x","a":[]}"#, 2),
///            "{\n  \"detail\": \"x\",\n  \"a\": []\n}");
/// ```
pub fn indent_body(compact: &str, indent: u8) -> String {
    // Works on the text (bodies are compact JSON the crate rendered): numbers and escapes are
    // kept exactly as rendered, and no JSON parser is needed at run time.
    let indent = usize::from(indent);
    let mut out = String::with_capacity(compact.len() * 2);
    let pad = |out: &mut String, level: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', indent * level));
    };
    let mut level = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = compact.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    chars.next();
                    out.push(c);
                    out.push(close);
                } else {
                    out.push(c);
                    level += 1;
                    pad(&mut out, level);
                }
            }
            '}' | ']' => {
                level = level.saturating_sub(1);
                pad(&mut out, level);
                out.push(c);
            }
            ',' => {
                out.push(',');
                pad(&mut out, level);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `parse_params` against `email.message._parseparam` as Python writes it (the quotes of
    /// `s[:end]` counted again from the start for each `;`), on every string of up to 7
    /// characters over `;`, `"`, `\`, `=`, `a`.
    #[test]
    fn parse_params_counts_quotes_as_python() {
        fn python(line: &str) -> Vec<(String, String)> {
            let mut parts = Vec::new();
            let mut s = line;
            loop {
                let mut end = s.find(';');
                while let Some(e) = end {
                    let head = &s.as_bytes()[..e];
                    let escaped = head.windows(2).filter(|pair| pair == b"\\\"").count();
                    let quotes = head.iter().filter(|byte| **byte == b'"').count() - escaped;
                    if e > 0 && quotes % 2 == 1 {
                        end = s[e + 1..].find(';').map(|next| next + e + 1);
                    } else {
                        break;
                    }
                }
                let end = end.unwrap_or(s.len());
                let field = &s[..end];
                parts.push(match field.split_once('=') {
                    Some((name, value)) => (crate::http::lower(py_strip(name)), py_strip(value).to_owned()),
                    None => (py_strip(field).to_owned(), String::new()),
                });
                match s[end..].strip_prefix(';') {
                    Some(rest) => s = rest,
                    None => break,
                }
            }
            parts
        }
        let alphabet = [";", "\"", "\\", "=", "a"];
        let mut texts = vec![String::new()];
        let mut checked = 0;
        for _ in 0..7 {
            texts = texts.iter().flat_map(|text| alphabet.iter().map(move |c| format!("{text}{c}"))).collect();
            for text in &texts {
                assert_eq!(parse_params(text), python(text), "{text:?}");
                checked += 1;
            }
        }
        assert!(checked > 90_000);
    }

    /// A header line of many `;` after an open quote, and one of many distinct parameter
    /// names: linear. Both were quadratic (the quotes counted again for each `;`; each name
    /// looked up by a scan): the first line alone took over 5 minutes (limit here: 10 s).
    #[test]
    fn long_parameter_lines_cost_linear_time() {
        let started = std::time::Instant::now();
        let open = format!("text/plain; a=\"{}", ";".repeat(400_000));
        let (key, params) = parse_header_parameters(&open).unwrap();
        assert_eq!(key, "text/plain");
        assert_eq!(params, [("a".to_owned(), format!("\"{}", ";".repeat(400_000)))]);
        // The browser runtime looks names up by a scan (see `parse_header_parameters`).
        #[cfg(any(feature = "compiler", feature = "edge"))]
        {
            let names: String = (0..30_000).map(|i| format!("; p{i}=1; x{i}*=a")).collect();
            let (_, params) = parse_header_parameters(&format!("text/plain{names}")).unwrap();
            assert_eq!(params.len(), 60_000);
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
    }

    /// Accepted parameters re-joined unquoted for `get_indent` (a value that held a `;`):
    /// real DRF 3.18 (`python -m oracle.negotiation --worker`, hash seeds 1-3) answered 500;
    /// "json:7" or "json" by hash seed (the browser runtime, which leaves RFC 2231 to the
    /// server, used to answer "json" here); and "json".
    #[test]
    fn indent_parameters_parsed_again_leave_errors_to_the_server() {
        let renderers = [builtin_renderer("JSONRenderer").unwrap()];
        let negotiated = |accept: &str| negotiate(&renderers, Some(accept), None);
        assert_eq!(negotiated(r#"*/*;x="a; indent*=bogus''4""#), Negotiated::ServerError);
        assert_eq!(negotiated(r#" */*, */json;;INDENT="4; indent*=07; Q="3""#), Negotiated::ServerError);
        assert_eq!(negotiated(r#"application/json;x="a; indent*=bogus''4""#), Negotiated::Json { indent: None });
    }

    /// Every string over a small alphabet (ASCII, a backslash, a quote, a two-byte and a
    /// three-byte character) up to length 5: the same as `str::replace` and `str::contains`.
    #[test]
    fn replace_pair_and_python_int_match_std() {
        let alphabet = ["\\", "\"", "a", "_", "é", "€", "1"];
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last.iter().flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}"))).collect();
            texts.extend(last.iter().cloned());
        }
        assert!(texts.len() > 10_000);
        for text in &texts {
            assert_eq!(replace_pair(text, *b"\\\\", '\\'), text.replace("\\\\", "\\"), "{text:?}");
            assert_eq!(replace_pair(text, *b"\\\"", '"'), text.replace("\\\"", "\""), "{text:?}");
            if text.contains("__") {
                assert_eq!(python_int(text), None, "{text:?}");
            }
        }
        assert_eq!(python_int("1_0"), Some(10));
        assert_eq!(python_int("1__0"), None);
    }

    /// `needle in haystack` (the condition language's) agrees with `str::contains` on every pair
    /// of short strings over a small alphabet, periodic patterns included.
    #[test]
    fn str_contains_matches_std() {
        let alphabet = ["a", "b", "é", "€"];
        let mut strings = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..6 {
            last = last.iter().flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}"))).collect();
            strings.extend(last.iter().cloned());
        }
        let needles: Vec<&String> = strings.iter().filter(|s| s.chars().count() <= 3).collect();
        for haystack in &strings {
            for needle in &needles {
                assert_eq!(
                    crate::condition::eval::str_contains(haystack, needle),
                    haystack.contains(needle.as_str()),
                    "{needle:?} in {haystack:?}"
                );
            }
        }
        assert!(crate::condition::eval::str_contains(&"ab".repeat(1000), &("ab".repeat(300) + "a")));
        assert!(!crate::condition::eval::str_contains(&"a".repeat(1000), &("a".repeat(300) + "b")));
    }

    /// Django 5.2's `email.message`-based parameters and DRF 3.18's Accept limits (checked
    /// against DRF by `conformance/oracle/negotiation.py`).
    #[test]
    fn drf_3_18_accept_rules() {
        let json = vec![builtin_renderer("JSONRenderer").unwrap_or_else(|| Renderer {
            media_type: String::new(),
            format: String::new(),
            json: false,
        })];
        let indent = |accept: &str| negotiate(&json, Some(accept), None);
        // RFC 2231: charsets, continuations (sorted by number), `<...>` unquoted. The browser
        // runtime leaves every RFC 2231 parameter to the server (its 500 here: "the server
        // answers"); the core build knows a few charset spellings, the edge build Python's lookup.
        #[cfg(any(feature = "compiler", feature = "edge"))]
        {
            assert_eq!(indent("application/json; indent*=utf-8''%36"), Negotiated::Json { indent: Some(6) });
            assert_eq!(indent("application/json; indent*=utf-8''%D9%A3"), Negotiated::Json { indent: Some(3) });
            assert_eq!(
                indent("application/json; indent*1=5; indent*0*=utf-8''%34"),
                Negotiated::Json { indent: Some(8) }
            );
            // Mixed numbered and unnumbered continuations: a TypeError, the server's 500.
            assert_eq!(indent("application/json; indent*=a; indent*0=b"), Negotiated::ServerError);
        }
        #[cfg(not(any(feature = "compiler", feature = "edge")))]
        assert_eq!(indent("application/json; indent*=utf-8''%36"), Negotiated::ServerError);
        assert_eq!(indent("application/json; indent=<4>"), Negotiated::Json { indent: Some(4) });
        // An unknown charset is a ValueError: the media type matches nothing (the edge build has
        // Python's codec lookup; the others cannot tell an unknown name from an alias).
        #[cfg(feature = "edge")]
        assert_eq!(indent("application/json; indent*=bogus''6"), Negotiated::NotAcceptable);
        #[cfg(not(feature = "edge"))]
        assert_eq!(indent("application/json; indent*=bogus''6"), Negotiated::ServerError);
        // Empty tokens are skipped; none left is a 406.
        assert_eq!(indent(""), Negotiated::NotAcceptable);
        assert_eq!(indent(" , ,"), Negotiated::NotAcceptable);
        // Tokens over 256 characters are skipped, at most 64 are read.
        let long = format!("application/json; x={}", "y".repeat(240));
        assert_eq!(indent(&format!("{long}, text/html")), Negotiated::NotAcceptable);
        let many = vec!["text/plain"; 64].join(",") + ",application/json";
        assert_eq!(indent(&many), Negotiated::NotAcceptable);
        // Past 8192 characters the header ends at its last comma within them.
        let padded = vec!["text/plain; x=".to_owned() + &"y".repeat(200); 40].join(",") + ",application/json";
        assert_eq!(indent(&padded), Negotiated::NotAcceptable);
        // Two media types of one precedence that render differently: DRF's set order decides.
        assert_eq!(indent("application/json; indent=2, application/json; indent=6"), Negotiated::ServerError);
        assert_eq!(
            indent("application/json; indent=2, application/json; indent=2 "),
            Negotiated::Json { indent: Some(2) }
        );
    }

    /// Without `Accept`, negotiation is DRF's `*/*`: the shortcut answers as the full parse does.
    #[test]
    fn no_accept_is_star_star() {
        let renderer = |media_type: &str, format: &str, json: bool| Renderer {
            media_type: media_type.to_owned(),
            format: format.to_owned(),
            json,
        };
        let long = "a/b".to_owned() + &" ".repeat(10_001);
        let lists = [
            vec![renderer("application/json", "json", true), renderer("text/html", "api", false)],
            vec![renderer("text/html", "api", false), renderer("application/json", "json", true)],
            vec![
                renderer("multipart/form-data; boundary=x", "multipart", false),
                renderer("application/json", "json", true),
            ],
            vec![renderer("application/json; q=0.5", "json", true)],
            vec![renderer("application/json; Q=1", "json", true)],
            vec![renderer("application/json; indent=4", "json", true), renderer("text/html", "api", false)],
            vec![renderer("application/json; a=\"x;y\"", "json", true)],
            vec![renderer("application/json;", "json", true)],
            vec![renderer("application/json; q", "json", true)],
            vec![renderer(&long, "json", true), renderer("application/json", "json", true)],
            vec![renderer(&(long.clone() + ";"), "json", true), renderer("application/json", "json", true)],
            vec![renderer("", "json", true)],
            vec![renderer("weird", "json", false)],
            vec![],
        ];
        for renderers in &lists {
            for format in [None, Some(""), Some("json"), Some("api"), Some("xml")] {
                assert_eq!(
                    negotiate(renderers, None, format),
                    negotiate(renderers, Some("*/*"), format),
                    "{renderers:?} {format:?}"
                );
            }
        }
    }
}
