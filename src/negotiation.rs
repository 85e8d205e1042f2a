//! `rest_framework/negotiation.py` and the renderer side of `JSONRenderer`: which renderer a
//! request's `Accept` header (or `?format=`) selects. DRF negotiates before authentication, so a
//! request it cannot satisfy is a 406 whatever its credentials; `application/json; indent=4`
//! makes DRF indent the body.

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

/// Django's `parse_header_parameters`: the lower-cased main value and its parameters.
fn parse_header_parameters(line: &str) -> Option<(String, Vec<(String, String)>)> {
    if line.chars().count() > 10_000 {
        return None; // Django: ValueError (value too long), which DRF does not catch.
    }
    let mut parts = parse_params(line).into_iter();
    let key = crate::http::lower(&parts.next().unwrap_or_default());
    let mut params: Vec<(String, String)> = Vec::new();
    for part in parts {
        let Some(equals) = part.find('=') else { continue };
        let mut name = crate::http::lower(part.get(..equals).unwrap_or_default().trim());
        if let Some(stripped) = name.strip_suffix('*') {
            name = stripped.to_owned();
        }
        let mut value = part.get(equals + 1..).unwrap_or_default().trim().to_owned();
        if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
            let inner = value.get(1..value.len() - 1).unwrap_or_default();
            value = replace_pair(&replace_pair(inner, *b"\\\\", '\\'), *b"\\\"", '"');
        }
        match params.iter_mut().find(|(existing, _)| *existing == name) {
            Some(slot) => slot.1 = value,
            None => params.push((name, value)),
        }
    }
    Some((key, params))
}

/// Django's `_parseparam` over `";" + line`: `;`-separated parts, quotes respected.
fn parse_params(line: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = format!(";{line}");
    while let Some(stripped) = rest.strip_prefix(';') {
        let s = stripped.to_owned();
        let mut end = s.find(';');
        while let Some(e) = end {
            let head = s.get(..e).unwrap_or_default();
            // `\"` cannot overlap itself: counting windows is `head.count('\\"')`.
            let escaped = head.as_bytes().windows(2).filter(|pair| pair == b"\\\"").count();
            let quotes = head.matches('"').count().saturating_sub(escaped);
            if e > 0 && quotes % 2 == 1 {
                end = s.get(e + 1..).and_then(|tail| tail.find(';')).map(|next| next + e + 1);
            } else {
                break;
            }
        }
        let end = end.unwrap_or(s.len());
        parts.push(s.get(..end).unwrap_or_default().trim().to_owned());
        rest = s.get(end..).unwrap_or_default().to_owned();
    }
    parts
}

/// DRF's `_MediaType`.
struct MediaType {
    main_type: String,
    sub_type: String,
    params: Vec<(String, String)>,
}

impl MediaType {
    fn parse(text: &str) -> Option<MediaType> {
        let (full_type, params) = parse_header_parameters(text)?;
        let (main_type, sub_type) = match full_type.split_once('/') {
            Some((main, sub)) => (main.to_owned(), sub.to_owned()),
            None => (full_type, String::new()),
        };
        Some(MediaType { main_type, sub_type, params })
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
    fn matches(&self, other: &MediaType) -> bool {
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

/// Python's `int()` on a string: surrounding whitespace, a sign, digits with single `_`.
fn python_int(text: &str) -> Option<i64> {
    let text = text.trim();
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
        let digit = ch.to_digit(10)?;
        value = value.saturating_mul(10).saturating_add(i64::from(digit));
    }
    Some(if negative { -value } else { value })
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
            // Without `;` a type has no parameters, and parses unless it is too long.
            let plain = renderer.media_type.len() <= 10_000 && !renderer.media_type.contains(';');
            if !plain {
                let Some(renderer_type) = MediaType::parse(&renderer.media_type) else {
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
    let filtered: Vec<&Renderer> = match format {
        Some(format) if !format.is_empty() => renderers.iter().filter(|r| r.format == format).collect(),
        _ => renderers.iter().collect(),
    };
    if filtered.is_empty() {
        return Negotiated::UnknownFormat;
    }
    let header = accept.unwrap_or("*/*");
    let mut accepted: Vec<(u8, &str, MediaType)> = Vec::new();
    for token in header.split(',') {
        let token = token.trim();
        let Some(media_type) = MediaType::parse(token) else { return Negotiated::ServerError };
        accepted.push((media_type.precedence(), token, media_type));
    }
    for precedence in [3u8, 2, 1, 0] {
        let group: Vec<&(u8, &str, MediaType)> = accepted.iter().filter(|(p, ..)| *p == precedence).collect();
        if group.is_empty() {
            continue;
        }
        for renderer in &filtered {
            let Some(renderer_type) = MediaType::parse(&renderer.media_type) else { return Negotiated::ServerError };
            for (_, _, wanted) in &group {
                if renderer_type.matches(wanted) {
                    if !renderer.json {
                        return Negotiated::Other;
                    }
                    // The accepted type's parameters travel either way (`*/*; indent=4`).
                    let indent =
                        wanted.param("indent").and_then(python_int).map(|n| n.clamp(0, 8) as u8).filter(|n| *n > 0);
                    return Negotiated::Json { indent };
                }
            }
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
