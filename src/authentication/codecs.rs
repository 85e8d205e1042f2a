//! Python's codecs as DRF's `JSONParser` uses them: `codecs.getreader(request.encoding)(stream)
//! .read()`, then `json.loads` of the text.
//!
//! `request.encoding` is the `charset` of `Content-Type` when `codecs.lookup` knows it, else
//! `DEFAULT_CHARSET` (UTF-8). [`lookup`] follows CPython 3.11's lookup exactly (its
//! normalisation, `encodings.aliases`, the codec modules), so an unknown name falls back to
//! UTF-8 as Django does. [`read`] decodes as the codec's `StreamReader` reads a whole stream
//! (an incomplete sequence at the very end is dropped; errors word Python's `UnicodeError`s)
//! for UTF-8 (also `-sig`), latin-1, ASCII, UTF-16 and UTF-32 (with and without a BOM) and 30
//! single-byte codecs (`cp1250`-`cp1258`, `iso8859_2`-`16`, `koi8_r`/`u`, `cp437`, `cp850`,
//! `cp866`, `mac_roman`, `tis_620`). Any other codec Python knows (CJK codecs, `utf_7`,
//! `base64_codec`, ...) is [`Read::NotEmulated`]: the caller leaves such a request to the origin.
//!
//! The tables in `codecs_table.rs` are generated from CPython 3.11's `encodings` package by
//! `python3 src/authentication/codecs_gen.py src/authentication/codecs_table.rs`.
//!
//! ```
//! use drf_gate::authentication::codecs::{lookup, read, Read};
//! assert_eq!(lookup("Windows-1252"), Some("cp1252"));
//! assert_eq!(lookup("x-unknown"), None);
//! assert_eq!(read(lookup("utf-16"), b"{\0}\0"), Read::Error("UTF-16 stream does not start with BOM".into()));
//! assert_eq!(read(lookup("utf-16"), b"\xff\xfe{\0}\0"), Read::Text("{}".into()));
//! assert_eq!(read(lookup("cp1252"), b"\x80"), Read::Text("\u{20ac}".into()));
//! ```

#[rustfmt::skip]
#[path = "codecs_table.rs"]
mod table;

/// What reading a whole body with a codec's `StreamReader` gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    /// The decoded text.
    Text(String),
    /// A `UnicodeError` (a `ValueError`: DRF's `JSON parse error - <this>`).
    Error(String),
    /// A codec Python has that is not emulated here.
    NotEmulated,
}

/// `encodings.normalize_encoding` after `codecs.lookup`'s lower-casing: runs of characters other
/// than ASCII letters, digits and `.` become one `_` (none at either end); non-ASCII letters and
/// digits are dropped without separating.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut punct = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '.' {
            if punct && !out.is_empty() {
                out.push('_');
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            }
            punct = false;
        } else {
            punct = true;
        }
    }
    out
}

fn module(name: &str) -> Option<&'static str> {
    table::MODULES.binary_search(&name).ok().and_then(|i| table::MODULES.get(i).copied())
}

fn alias(name: &str) -> Option<&'static str> {
    table::ALIASES.binary_search_by(|(alias, _)| alias.cmp(&name)).ok().and_then(|i| table::ALIASES.get(i)).map(|e| e.1)
}

/// `codecs.lookup(name)`: the codec module (`utf_8`, `cp1252`, ...) or `None` (`LookupError`).
///
/// ```
/// use drf_gate::authentication::codecs::lookup;
/// assert_eq!(lookup("UTF 8"), Some("utf_8"));
/// assert_eq!(lookup("latin 1"), Some("latin_1"));
/// assert_eq!(lookup("cp-1252"), None);
/// assert_eq!(lookup("aliases"), None);
/// ```
pub fn lookup(name: &str) -> Option<&'static str> {
    if name.len() > 256 {
        return None;
    }
    let normalized = normalize(name);
    let aliased = alias(&normalized).or_else(|| alias(&normalized.replace('.', "_")));
    aliased.into_iter().chain(std::iter::once(normalized.as_str())).find_map(|candidate| {
        if candidate.is_empty() || candidate.contains('.') {
            return None;
        }
        module(candidate)
    })
}

/// `codecs.getreader(codec)(stream).read()` on the whole body; `None` is UTF-8 (Django's
/// default when the charset is unknown).
pub fn read(codec: Option<&str>, data: &[u8]) -> Read {
    let codec = codec.unwrap_or("utf_8");
    match codec {
        "utf_8" => utf8(data),
        "utf_8_sig" => match data {
            [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest),
            [0xEF, 0xBB] | [0xEF] => Read::Text(String::new()),
            _ => utf8(data),
        },
        "latin_1" | "iso8859_1" | "charmap" => Read::Text(data.iter().map(|&b| char::from(b)).collect()),
        "ascii" => match data.iter().position(|b| !b.is_ascii()) {
            None => Read::Text(data.iter().map(|&b| char::from(b)).collect()),
            Some(position) => Read::Error(format!(
                "'ascii' codec can't decode byte 0x{:02x} in position {position}: ordinal not in range(128)",
                data.get(position).copied().unwrap_or(0)
            )),
        },
        "utf_16" => with_bom(data, 2, "UTF-16", utf16),
        "utf_16_le" => utf16(data, false, 0),
        "utf_16_be" => utf16(data, true, 0),
        "utf_32" => with_bom(data, 4, "UTF-32", utf32),
        "utf_32_le" => utf32(data, false, 0),
        "utf_32_be" => utf32(data, true, 0),
        "undefined" => Read::Error("undefined encoding".into()),
        other => match table::SINGLE_BYTE.iter().find(|(name, _)| *name == other) {
            Some((_, upper)) => single_byte(data, upper),
            None => Read::NotEmulated,
        },
    }
}

fn utf8(data: &[u8]) -> Read {
    match super::pyjson::decode_utf8_stream(data) {
        Ok(text) => Read::Text(text),
        Err(message) => Read::Error(message),
    }
}

/// `bytes.decode(codec, errors)` on a whole `bytes` (not a stream: an incomplete sequence at
/// the end is an error) for UTF-8, latin-1, ASCII and the single-byte codecs; `errors` is
/// `"replace"` (each undecodable byte U+FFFD) when `replace`, else `"strict"` (`Some(None)` on
/// failure). `None`: a codec not emulated here (UTF-16/32, `utf_8_sig`, CJK codecs, ...).
///
/// ```
/// use drf_gate::authentication::codecs::{decode, lookup};
/// assert_eq!(decode(lookup("ascii"), b"a\xe9", true), Some(Some("a\u{fffd}".into())));
/// assert_eq!(decode(lookup("ascii"), b"a\xe9", false), Some(None));
/// assert_eq!(decode(lookup("cp1252"), b"\x80\x81", true), Some(Some("\u{20ac}\u{fffd}".into())));
/// assert_eq!(decode(None, b"\xc3", true), Some(Some("\u{fffd}".into())));
/// assert_eq!(decode(lookup("utf-16"), b"a\0", true), None);
/// ```
pub fn decode(codec: Option<&str>, data: &[u8], replace: bool) -> Option<Option<String>> {
    let table = |byte: u8| -> Option<Option<char>> {
        match codec.unwrap_or("utf_8") {
            "latin_1" | "iso8859_1" => Some(Some(char::from(byte))),
            "ascii" => Some(byte.is_ascii().then(|| char::from(byte))),
            other => {
                let (_, upper) = table::SINGLE_BYTE.iter().find(|(name, _)| *name == other)?;
                Some(match byte.checked_sub(128) {
                    None => Some(char::from(byte)),
                    Some(high) => {
                        upper.get(usize::from(high)).filter(|&&u| u != 0xFFFF).and_then(|&u| char::from_u32(u.into()))
                    }
                })
            }
        }
    };
    if matches!(codec, None | Some("utf_8")) {
        return Some(match std::str::from_utf8(data) {
            Ok(text) => Some(text.to_owned()),
            Err(_) if replace => Some(String::from_utf8_lossy(data).into_owned()),
            Err(_) => None,
        });
    }
    table(b'a')?;
    let mut out = String::with_capacity(data.len());
    for &byte in data {
        match table(byte).flatten() {
            Some(c) => out.push(c),
            None if replace => out.push('\u{fffd}'),
            None => return Some(None),
        }
    }
    Some(Some(out))
}

fn single_byte(data: &[u8], upper: &[u16; 128]) -> Read {
    let mut out = String::with_capacity(data.len());
    for (position, &byte) in data.iter().enumerate() {
        let decoded = match byte.checked_sub(128) {
            None => Some(char::from(byte)),
            Some(high) => {
                upper.get(usize::from(high)).filter(|&&u| u != 0xFFFF).and_then(|&u| char::from_u32(u.into()))
            }
        };
        match decoded {
            Some(c) => out.push(c),
            None => {
                return Read::Error(format!(
                "'charmap' codec can't decode byte 0x{byte:02x} in position {position}: character maps to <undefined>"
            ))
            }
        }
    }
    Read::Text(out)
}

/// `utf_16`/`utf_32`'s `StreamReader`: a BOM picks the order (and is dropped); without one the
/// data is decoded little-endian first (its errors win), then refused for the missing BOM.
fn with_bom(data: &[u8], unit: usize, label: &str, decode: impl Fn(&[u8], bool, usize) -> Read) -> Read {
    let (le, be): (&[u8], &[u8]) =
        if unit == 2 { (&[0xFF, 0xFE], &[0xFE, 0xFF]) } else { (&[0xFF, 0xFE, 0, 0], &[0, 0, 0xFE, 0xFF]) };
    if let Some(rest) = data.strip_prefix(le) {
        return decode(rest, false, unit);
    }
    if let Some(rest) = data.strip_prefix(be) {
        return decode(rest, true, unit);
    }
    match decode(data, false, 0) {
        // Python refuses once it decoded a unit (`consumed >= 2`): some text came out.
        Read::Text(text) if !text.is_empty() => Read::Error(format!("{label} stream does not start with BOM")),
        other => other,
    }
}

/// UTF-16 without BOM handling, `final=False`; `offset` shifts error positions (a BOM read).
fn utf16(data: &[u8], big: bool, offset: usize) -> Read {
    let name = if big { "utf-16-be" } else { "utf-16-le" };
    let unit = |i: usize| -> Option<u32> {
        let pair = data.get(i..i + 2)?;
        let (a, b) = (u32::from(*pair.first()?), u32::from(*pair.get(1)?));
        Some(if big { (a << 8) | b } else { (b << 8) | a })
    };
    let error = |at: usize, reason: &str| {
        Read::Error(format!(
            "'{name}' codec can't decode bytes in position {}-{}: {reason}",
            at + offset,
            at + offset + 1
        ))
    };
    let mut out = String::with_capacity(data.len() / 2);
    let mut i = 0;
    while let Some(code) = unit(i) {
        match code {
            0xD800..=0xDBFF => match unit(i + 2) {
                None => break, // incomplete at the end: left for a later read that never comes
                Some(low @ 0xDC00..=0xDFFF) => {
                    out.push(char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{FFFD}'));
                    i += 4;
                }
                Some(_) => return error(i, "illegal UTF-16 surrogate"),
            },
            0xDC00..=0xDFFF => return error(i, "illegal encoding"),
            _ => {
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                i += 2;
            }
        }
    }
    Read::Text(out)
}

/// UTF-32 without BOM handling, `final=False`.
fn utf32(data: &[u8], big: bool, offset: usize) -> Read {
    let name = if big { "utf-32-be" } else { "utf-32-le" };
    let mut out = String::with_capacity(data.len() / 4);
    for (index, chunk) in data.chunks_exact(4).enumerate() {
        let mut bytes = [0u8; 4];
        bytes.copy_from_slice(chunk);
        let code = if big { u32::from_be_bytes(bytes) } else { u32::from_le_bytes(bytes) };
        let at = index * 4 + offset;
        let reason = match code {
            0xD800..=0xDFFF => "code point in surrogate code point range(0xd800, 0xe000)",
            0x110000.. => "code point not in range(0x110000)",
            _ => {
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                continue;
            }
        };
        return Read::Error(format!("'{name}' codec can't decode bytes in position {at}-{}: {reason}", at + 3));
    }
    Read::Text(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_follows_python() {
        for (name, expected) in [
            ("utf-8", Some("utf_8")),
            ("UTF8", Some("utf_8")),
            ("utf--8", Some("utf_8")),
            ("  utf-8", Some("utf_8")),
            ("utf\u{e9}8", Some("utf_8")),
            ("Utf.8", None),
            ("u t f 8", None),
            ("ISO_8859-1:1987", Some("latin_1")),
            ("8859", Some("latin_1")),
            ("utf-16le", Some("utf_16_le")),
            ("mbcs", None),
            ("oem", None),
            ("base64", Some("base64_codec")),
            ("", None),
        ] {
            assert_eq!(lookup(name), expected, "{name:?}");
        }
    }

    #[test]
    fn streams_read_as_python_does() {
        let cases: [(&str, &[u8], Read); 10] = [
            (
                "utf-16",
                b"\xff\xfe{\x00\x00\xd8}\x00",
                Read::Error("'utf-16-le' codec can't decode bytes in position 4-5: illegal UTF-16 surrogate".into()),
            ),
            (
                "utf-16",
                b"\xfe\xff\x00{\xdc\x00",
                Read::Error("'utf-16-be' codec can't decode bytes in position 4-5: illegal encoding".into()),
            ),
            ("utf-16", b"{", Read::Text(String::new())),
            (
                "utf-16",
                b"\x00\xd8a\x00",
                Read::Error("'utf-16-le' codec can't decode bytes in position 0-1: illegal UTF-16 surrogate".into()),
            ),
            ("utf-16-le", b"{\x00\x00\xd8", Read::Text("{".into())),
            ("utf-32", b"{\x00\x00\x00", Read::Error("UTF-32 stream does not start with BOM".into())),
            (
                "utf-32",
                b"\xff\xfe\x00\x00{\x00\x00\x00\x00\x00\x11\x00",
                Read::Error(
                    "'utf-32-le' codec can't decode bytes in position 8-11: code point not in range(0x110000)".into(),
                ),
            ),
            ("utf-32", b"\x00\x00\xfe\xff\x00\x00\x00{", Read::Text("{".into())),
            (
                "cp1252",
                b"{\"a\x81",
                Read::Error(
                    "'charmap' codec can't decode byte 0x81 in position 3: character maps to <undefined>".into(),
                ),
            ),
            (
                "utf-8-sig",
                b"\xef\xbb\xbf{\xff",
                Read::Error("'utf-8' codec can't decode byte 0xff in position 1: invalid start byte".into()),
            ),
        ];
        for (codec, data, expected) in cases {
            assert_eq!(read(lookup(codec), data), expected, "{codec} {data:?}");
        }
        assert_eq!(read(lookup("shift_jis"), b"{}"), Read::NotEmulated);
    }
}
