//! HTTP helpers with Django's semantics (`django.http`, `django.utils.http`): the request method,
//! query parameters, host matching. No DRF policy knowledge here.

use std::borrow::Cow;

/// Upper-cases a method as Django does (`environ["REQUEST_METHOD"].upper()`), without allocating
/// when it already is.
///
/// WSGI hands Django the method decoded as ISO-8859-1, so Python's `str.upper` only ever sees
/// U+0000..=U+00FF: those are mapped exactly (`µ` → `Μ`, `ß` → `SS`, `ÿ` → `Ÿ`). Characters
/// beyond cannot reach a DRF view and are kept as given, which keeps Unicode's case tables
/// (about 12 KB) out of the wasm.
///
/// ```
/// use drf_gate::http::normalize_method;
/// assert_eq!(normalize_method("patch"), "PATCH");
/// assert_eq!(normalize_method("straße"), "STRASSE");
/// assert_eq!(normalize_method("ÿµ"), "\u{178}\u{39c}");
/// ```
pub fn normalize_method(method: &str) -> Cow<'_, str> {
    let lower = |c: char| c.is_ascii_lowercase() || matches!(c, '\u{b5}' | '\u{df}'..='\u{f6}' | '\u{f8}'..='\u{ff}');
    if !method.chars().any(lower) {
        return Cow::Borrowed(method);
    }
    let mut out = String::with_capacity(method.len() + 1);
    for c in method.chars() {
        match c {
            'a'..='z' | '\u{e0}'..='\u{f6}' | '\u{f8}'..='\u{fe}' => {
                out.push(char::from_u32(c as u32 - 0x20).unwrap_or(c))
            }
            '\u{b5}' => out.push('\u{39c}'),
            '\u{df}' => out.push_str("SS"),
            '\u{ff}' => out.push('\u{178}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `request.query_params.get(name)` from a URL or path: the last value, `+` and `%XX` decoded.
///
/// ```
/// assert_eq!(drf_gate::http::query_parameter("/api/posts/?format=json&x=1", "format").as_deref(), Some("json"));
/// assert_eq!(drf_gate::http::query_parameter("/api/posts/", "format"), None);
/// ```
pub fn query_parameter(url: &str, name: &str) -> Option<String> {
    query_string(url).split('&').rev().find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode_query_text(key) == name).then(|| decode_query_text(value))
    })
}

/// The names of `request.query_params`' fields (`parse_qsl` with `keep_blank_values`): a field
/// without `=` is a name, an empty field none; `+` and `%XX` decoded.
///
/// ```
/// let names: Vec<String> = drf_gate::http::query_names("/api/?se%61rch=x&&page&a+b=1#f=2").collect();
/// assert_eq!(names, ["search", "page", "a b"]);
/// ```
pub fn query_names(url: &str) -> impl Iterator<Item = String> + '_ {
    query_string(url)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| decode_query_text(pair.split_once('=').map_or(pair, |(key, _)| key)))
}

/// The query string of a URL or path: after the first `?`, up to a `#`.
fn query_string(url: &str) -> &str {
    url.split_once('?').map_or("", |(_, query)| query.split('#').next().unwrap_or_default())
}

/// A name or value of a query string as `parse_qsl` decodes it (`+` is a space, a bad `%XX` is
/// kept, bytes that are not UTF-8 replaced).
fn decode_query_text(text: &str) -> String {
    String::from_utf8_lossy(&percent_decode(&text.replace('+', " "))).into_owned()
}

/// `urllib.parse.unquote_to_bytes`: each `%XX` of two hex digits as its byte, everything else
/// (a bad or signed `%+1`) kept as it is. One decoder for paths and query strings.
///
/// ```
/// # use drf_gate::http::percent_decode;
/// assert_eq!(percent_decode("/a%2Fb%zz%+f"), b"/a/b%zz%+f");
/// ```
pub fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let hex = bytes.get(index + 1..index + 3).and_then(hex_byte);
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                index += 3;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    out
}

/// Django's `is_same_domain(host, pattern)` (the host is not lower-cased).
///
/// ```
/// use drf_gate::http::is_same_domain;
/// assert!(is_same_domain("a.example.com", ".Example.com"));
/// assert!(is_same_domain("example.com", ".example.com"));
/// assert!(!is_same_domain("A.example.com", "a.example.com"));
/// assert!(!is_same_domain("x", ""));
/// ```
pub fn is_same_domain(host: &str, pattern: &str) -> bool {
    let pattern = pattern.to_lowercase();
    if pattern.is_empty() {
        return false;
    }
    (pattern.starts_with('.') && (host.ends_with(&pattern) || Some(host) == pattern.get(1..))) || pattern == host
}

/// Two hex digits as a byte: `%XX` only (`from_str_radix` would also take a sign, so `%+1`
/// became 0x01; Django, like `urllib.parse.unquote`, keeps `%+1` literal).
///
/// ```
/// # use drf_gate::http::hex_byte;
/// assert_eq!(hex_byte(b"2f"), Some(0x2f));
/// assert_eq!(hex_byte(b"+1"), None);
/// assert_eq!(hex_byte(b"-0"), None);
/// ```
pub fn hex_byte(pair: &[u8]) -> Option<u8> {
    match pair {
        [high, low] => {
            let digit = |b: &u8| (*b as char).to_digit(16);
            Some(((digit(high)? << 4) | digit(low)?) as u8)
        }
        _ => None,
    }
}

/// Python's `str.lower()` for comparisons: the full Unicode mapping in builds with the policy
/// compiler; in the browser runtime (no compiler), Latin-1's mapping plus the four characters
/// above U+00FF whose lower case is Latin-1 (Ÿ, ẞ, the Kelvin and Ångström signs), which keeps
/// Unicode's case tables (~15 KB) out of the runtime. The two agree on every comparison with a
/// Latin-1 string: any other character lower-cases to text outside Latin-1 either way. The
/// runtime refuses policies whose renderer media types leave Latin-1 (`Gate::from_compiled`).
///
/// ```
/// assert_eq!(drf_gate::http::lower("Application/JSON; Indent=4"), "application/json; indent=4");
/// assert_eq!(drf_gate::http::lower("\u{212A}\u{C9}"), "k\u{E9}");
/// ```
pub fn lower(text: &str) -> String {
    #[cfg(any(feature = "compiler", feature = "edge"))]
    {
        text.to_lowercase()
    }
    #[cfg(not(any(feature = "compiler", feature = "edge")))]
    {
        text.chars()
            .map(|c| match c {
                'A'..='Z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{DE}' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
                '\u{178}' => '\u{FF}',
                '\u{1E9E}' => '\u{DF}',
                '\u{212A}' => 'k',
                '\u{212B}' => '\u{E5}',
                _ => c,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    /// The runtime's mapping agrees with Unicode's wherever either result is Latin-1: every
    /// comparison with a Latin-1 string (media types, `q`, `indent`) comes out the same.
    #[test]
    fn lower_agrees_with_unicode_on_latin1() {
        let latin1 = |text: &str| text.chars().all(|c| c <= '\u{FF}');
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let text = c.to_string();
            let (ours, unicode) = (super::lower(&text), text.to_lowercase());
            if latin1(&ours) || latin1(&unicode) {
                assert_eq!(ours, unicode, "U+{:04X}", c as u32);
            }
        }
    }
}
