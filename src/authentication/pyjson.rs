//! Python's `json.loads` (CPython 3.11 C scanner): what it accepts, and its exact error text.
//!
//! DRF's `JSONParser` turns every `ValueError` into `ParseError('JSON parse error - %s')`, so a
//! malformed body in a session-authenticated POST is answered with Python's own message, e.g.
//! `Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`. Positions
//! count code points. Covered: every message of the scanner (`Expecting value`, `Expecting
//! property name enclosed in double quotes`, `Expecting ':' delimiter`, `Expecting ','
//! delimiter`, `Unterminated string starting at`, `Invalid control character at`,
//! `Invalid \escape`, `Invalid \uXXXX escape`, `Extra data`, the UTF-8 BOM message), DRF's
//! `Out of range float values are not JSON compliant: 'NaN'`, and the 4300-digit integer limit.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

/// A Python value as `json.loads` builds it.
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An `int` (saturated to the i128 range; JSON integers beyond it compare the same way).
    Int(i128),
    /// A `float` (may be `nan`/`inf` from `NaN`/`Infinity`).
    Float(f64),
    /// A `str` (a lone surrogate escape becomes U+FFFD).
    Str(String),
    /// A `list`.
    List(Vec<PyValue>),
    /// A `dict`, in insertion order; a repeated key keeps its first position and last value.
    Dict(Vec<(String, PyValue)>),
}

impl PyValue {
    /// `d.get(key)` for a dict.
    pub fn get(&self, key: &str) -> Option<&PyValue> {
        match self {
            PyValue::Dict(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            PyValue::None => false,
            PyValue::Bool(b) => *b,
            PyValue::Int(i) => *i != 0,
            PyValue::Float(f) => *f != 0.0,
            PyValue::Str(s) => !s.is_empty(),
            PyValue::List(l) => !l.is_empty(),
            PyValue::Dict(d) => !d.is_empty(),
        }
    }

    /// Whether [`PyValue::to_json`] keeps every int of this value exact: a JSON number holds
    /// an int of the i64 or u64 range; beyond it (`2**64`, `-2**63 - 1`, `10**30`) the int
    /// becomes a float, which Python would compare, look up or print differently.
    ///
    /// ```
    /// use drf_gate::authentication::pyjson::PyValue;
    /// assert!(PyValue::Int(18_446_744_073_709_551_615).is_exact_in_json());
    /// assert!(!PyValue::List(vec![PyValue::Int(1 << 64)]).is_exact_in_json());
    /// assert!(!PyValue::Float(f64::INFINITY).is_exact_in_json());
    /// assert!(!PyValue::Str("\u{FFFD}".into()).is_exact_in_json()); // maybe "\ud800"
    /// ```
    pub fn is_exact_in_json(&self) -> bool {
        match self {
            PyValue::Int(i) => i64::try_from(*i).is_ok() || u64::try_from(*i).is_ok(),
            // inf and nan (`1e400`, `NaN`) have no JSON form ([`PyValue::to_json`] gives null).
            PyValue::Float(f) => f.is_finite(),
            // U+FFFD may stand for a lone surrogate Python keeps (a database cannot encode it).
            PyValue::Str(s) => !s.contains('\u{FFFD}'),
            PyValue::List(items) => items.iter().all(PyValue::is_exact_in_json),
            PyValue::Dict(items) => items.iter().all(|(_, value)| value.is_exact_in_json()),
            _ => true,
        }
    }

    /// JSON text of this value with every int written in full (`18446744073709551617`, where
    /// [`PyValue::to_json`] gives a float), e.g. to name a lookup the edge leaves to the origin.
    /// Ints beyond the i128 range are saturated at parsing, so their text is the bound.
    ///
    /// ```
    /// use drf_gate::authentication::pyjson::PyValue;
    /// assert_eq!(PyValue::Int((1 << 64) + 1).exact_json_text(), "18446744073709551617");
    /// assert_eq!(PyValue::Str("7".into()).exact_json_text(), r#""7""#);
    /// ```
    pub fn exact_json_text(&self) -> String {
        match self {
            PyValue::Int(i) => i.to_string(),
            PyValue::List(items) => {
                let items: Vec<String> = items.iter().map(PyValue::exact_json_text).collect();
                format!("[{}]", items.join(","))
            }
            PyValue::Dict(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|(key, value)| format!("{}:{}", Value::from(key.as_str()), value.exact_json_text()))
                    .collect();
                format!("{{{}}}", items.join(","))
            }
            other => other.to_json().to_string(),
        }
    }

    /// As JSON (non-finite floats become null; ints beyond i64/u64 become floats).
    pub fn to_json(&self) -> Value {
        match self {
            PyValue::None => Value::Null,
            PyValue::Bool(b) => Value::Bool(*b),
            PyValue::Int(i) => {
                if let Ok(small) = i64::try_from(*i) {
                    Value::Number(small.into())
                } else if let Ok(big) = u64::try_from(*i) {
                    Value::Number(big.into())
                } else {
                    Number::from_f64(*i as f64).map_or(Value::Null, Value::Number)
                }
            }
            PyValue::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            PyValue::Str(s) => Value::String(s.clone()),
            PyValue::List(items) => Value::Array(items.iter().map(PyValue::to_json).collect()),
            PyValue::Dict(items) => {
                let mut map = Map::new();
                for (k, v) in items {
                    map.insert(k.clone(), v.to_json());
                }
                Value::Object(map)
            }
        }
    }
}

/// Why `json.loads` raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// A `ValueError` with this text (`str(exc)`).
    Value(String),
    /// `RecursionError` (nesting deeper than [`MAX_DEPTH`]): not a `ValueError`.
    Recursion,
}

/// Nesting depth at which CPython's scanner hits the recursion limit inside a DRF request
/// (approximate: measured with the reference stack; it depends on the server's stack depth).
pub const MAX_DEPTH: usize = 900;

/// Nesting depths where whether CPython's scanner raises `RecursionError` depends on the
/// server's stack (the recursion limit, 1000, less the frames below `json.loads`: the oracle's
/// DRF parses 920 levels and fails at 940; a server with more middleware fails sooner). From
/// the end of this range the scanner fails on any server with the default recursion limit.
pub const UNCERTAIN_DEPTH: std::ops::Range<usize> = 500..1000;

/// The deepest nesting of `[` and `{` in the text `json.loads(data)` reads (see [`loads_bytes`]),
/// outside strings; 0 for data that does not decode.
///
/// ```
/// use drf_gate::authentication::pyjson::nesting_depth;
/// assert_eq!(nesting_depth(br#"{"a":[[1],{"b":"[[["}]}"#), 3);
/// assert_eq!(nesting_depth(b"[\0[\0]\0]\0"), 2); // UTF-16-LE
/// ```
pub fn nesting_depth(data: &[u8]) -> usize {
    let text = match detect_encoding(data) {
        (Encoding::Utf8, rest) => decode_utf8_surrogatepass(rest),
        (Encoding::Utf16 { big }, rest) => decode_wide_surrogatepass(rest, 2, big),
        (Encoding::Utf32 { big }, rest) => decode_wide_surrogatepass(rest, 4, big),
    };
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for c in text.as_deref().unwrap_or("").chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') | (false, _, '"') => in_string = !in_string,
            (false, _, '[' | '{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Options of `json.loads`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// DRF's `strict_constant`: `NaN`, `Infinity`, `-Infinity` raise.
    pub strict_constants: bool,
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    options: LoadOptions,
    depth: usize,
    /// Build the value (`loads`), or only check the text (`validate`: containers stay empty,
    /// so a body of any shape costs no memory beyond its text).
    build: bool,
}

enum Fail {
    /// `JSONDecodeError(msg, doc, pos)`, pos in bytes here.
    At(&'static str, usize),
    /// `StopIteration(pos)`: becomes "Expecting value".
    Stop(usize),
    /// Any other `ValueError`.
    Other(String),
    Recursion,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn hex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_ws) {
            i += 1;
        }
        i
    }

    fn starts(&self, i: usize, word: &str) -> bool {
        self.bytes.get(i..).is_some_and(|rest| rest.starts_with(word.as_bytes()))
    }

    fn scan_once(&mut self, i: usize) -> Result<(PyValue, usize), Fail> {
        let Some(c) = self.at(i) else { return Err(Fail::Stop(i)) };
        match c {
            b'"' => return self.scan_string(i + 1).map(|(s, end)| (PyValue::Str(s), end)),
            b'{' | b'[' => {
                if self.depth >= MAX_DEPTH {
                    return Err(Fail::Recursion);
                }
                self.depth += 1;
                let result = if c == b'{' { self.parse_object(i + 1) } else { self.parse_array(i + 1) };
                self.depth -= 1;
                return result;
            }
            // The C scanner needs one more character after the literal than the word's length
            // minus one, i.e. `idx + len - 1 < length`: the same as "the whole word is there".
            b'n' if self.starts(i, "null") => return Ok((PyValue::None, i + 4)),
            b't' if self.starts(i, "true") => return Ok((PyValue::Bool(true), i + 4)),
            b'f' if self.starts(i, "false") => return Ok((PyValue::Bool(false), i + 5)),
            b'N' if self.starts(i, "NaN") => return self.constant("NaN", f64::NAN, i),
            b'I' if self.starts(i, "Infinity") => return self.constant("Infinity", f64::INFINITY, i),
            b'-' if self.starts(i, "-Infinity") => return self.constant("-Infinity", f64::NEG_INFINITY, i),
            _ => {}
        }
        self.match_number(i)
    }

    fn constant(&self, name: &str, value: f64, i: usize) -> Result<(PyValue, usize), Fail> {
        if self.options.strict_constants {
            return Err(Fail::Other(format!("Out of range float values are not JSON compliant: '{name}'")));
        }
        Ok((PyValue::Float(value), i + name.len()))
    }

    fn match_number(&self, start: usize) -> Result<(PyValue, usize), Fail> {
        let digit = |i: usize| self.at(i).is_some_and(|b| b.is_ascii_digit());
        let mut i = start;
        if self.at(i) == Some(b'-') {
            i += 1;
            if self.at(i).is_none() {
                return Err(Fail::Stop(start));
            }
        }
        match self.at(i) {
            Some(b'1'..=b'9') => {
                i += 1;
                while digit(i) {
                    i += 1;
                }
            }
            Some(b'0') => i += 1,
            _ => return Err(Fail::Stop(start)),
        }
        let int_end = i;
        let mut is_float = false;
        if self.at(i) == Some(b'.') && digit(i + 1) {
            is_float = true;
            i += 2;
            while digit(i) {
                i += 1;
            }
        }
        if matches!(self.at(i), Some(b'e' | b'E')) && self.at(i + 1).is_some() {
            let e_start = i;
            i += 1;
            if matches!(self.at(i), Some(b'-' | b'+')) && self.at(i + 1).is_some() {
                i += 1;
            }
            while digit(i) {
                i += 1;
            }
            if i > 0 && self.at(i - 1).is_some_and(|b| b.is_ascii_digit()) {
                is_float = true;
            } else {
                i = e_start;
            }
        }
        let literal = self.text.get(start..i).unwrap_or("0");
        if is_float {
            return Ok((PyValue::Float(literal.parse::<f64>().unwrap_or(f64::NAN)), i));
        }
        let digits = literal.trim_start_matches('-');
        if digits.len() > 4300 {
            return Err(Fail::Other(format!(
                "Exceeds the limit (4300 digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
                digits.len()
            )));
        }
        let negative = literal.starts_with('-');
        let mut value: i128 = 0;
        for b in digits.bytes() {
            value = value.saturating_mul(10).saturating_add(i128::from(b - b'0'));
        }
        debug_assert!(int_end == i);
        Ok((PyValue::Int(if negative { -value } else { value }), i))
    }

    /// `scanstring`: `i` is just after the opening quote.
    fn scan_string(&self, i: usize) -> Result<(String, usize), Fail> {
        let begin = i.saturating_sub(1);
        let mut out = String::new();
        let mut end = i;
        loop {
            let mut next = end;
            let mut found = None;
            while let Some(b) = self.at(next) {
                if b == b'"' || b == b'\\' {
                    found = Some(b);
                    break;
                }
                if b <= 0x1f {
                    return Err(Fail::At("Invalid control character at", next));
                }
                next += 1;
            }
            out.push_str(self.text.get(end..next).unwrap_or(""));
            match found {
                Some(b'"') => return Ok((out, next + 1)),
                Some(_) => {}
                None => return Err(Fail::At("Unterminated string starting at", begin)),
            }
            next += 1; // the backslash
            let Some(c) = self.at(next) else { return Err(Fail::At("Unterminated string starting at", begin)) };
            if c != b'u' {
                end = next + 1;
                let decoded = match c {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return Err(Fail::At("Invalid \\escape", end - 2)),
                };
                out.push(decoded);
                continue;
            }
            next += 1;
            end = next + 4;
            if end >= self.bytes.len() {
                return Err(Fail::At("Invalid \\uXXXX escape", next - 1));
            }
            let read4 = |from: usize| -> Option<u32> {
                let mut value = 0u32;
                for k in from..from + 4 {
                    value = (value << 4) | hex(self.at(k)?)?;
                }
                Some(value)
            };
            let Some(mut code) = read4(next) else { return Err(Fail::At("Invalid \\uXXXX escape", end - 5)) };
            if (0xD800..0xDC00).contains(&code)
                && end + 6 < self.bytes.len()
                && self.at(end) == Some(b'\\')
                && self.at(end + 1) == Some(b'u')
            {
                let Some(low) = read4(end + 2) else { return Err(Fail::At("Invalid \\uXXXX escape", end + 1)) };
                if (0xDC00..0xE000).contains(&low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    end += 6;
                }
            }
            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
        }
    }

    fn parse_object(&mut self, i: usize) -> Result<(PyValue, usize), Fail> {
        let mut items: Vec<(String, PyValue)> = Vec::new();
        // Key -> position in `items`: a repeated key keeps its first position and takes the last
        // value (a dict), found in O(1) so 10^5 keys cost linear time, not quadratic.
        let mut positions: HashMap<String, usize> = HashMap::new();
        let mut i = self.skip_ws(i);
        if self.at(i) != Some(b'}') {
            loop {
                if self.at(i) != Some(b'"') {
                    return Err(Fail::At("Expecting property name enclosed in double quotes", i));
                }
                let (key, next) = self.scan_string(i + 1)?;
                i = self.skip_ws(next);
                if self.at(i) != Some(b':') {
                    return Err(Fail::At("Expecting ':' delimiter", i));
                }
                i = self.skip_ws(i + 1);
                let (value, next) = self.scan_once(i)?;
                if !self.build {
                    // validate: nothing kept.
                } else if let Some(slot) = positions.get(&key).and_then(|&at| items.get_mut(at)) {
                    slot.1 = value;
                } else {
                    positions.insert(key.clone(), items.len());
                    items.push((key, value));
                }
                i = self.skip_ws(next);
                if self.at(i) == Some(b'}') {
                    break;
                }
                if self.at(i) != Some(b',') {
                    return Err(Fail::At("Expecting ',' delimiter", i));
                }
                i = self.skip_ws(i + 1);
            }
        }
        Ok((PyValue::Dict(items), i + 1))
    }

    fn parse_array(&mut self, i: usize) -> Result<(PyValue, usize), Fail> {
        let mut items = Vec::new();
        let mut i = self.skip_ws(i);
        if self.at(i) != Some(b']') {
            loop {
                let (value, next) = self.scan_once(i)?;
                if self.build {
                    items.push(value);
                }
                i = self.skip_ws(next);
                if self.at(i) == Some(b']') {
                    break;
                }
                if self.at(i) != Some(b',') {
                    return Err(Fail::At("Expecting ',' delimiter", i));
                }
                i = self.skip_ws(i + 1);
            }
        }
        Ok((PyValue::List(items), i + 1))
    }
}

/// `JSONDecodeError.__str__`: `msg: line L column C (char P)`, positions in code points.
fn decode_error(text: &str, msg: &str, byte_pos: usize) -> String {
    let before = text.get(..byte_pos).unwrap_or(text);
    let pos = before.chars().count();
    let lineno = before.matches('\n').count() + 1;
    let colno = match before.rfind('\n') {
        Some(nl) => before.get(nl + 1..).map_or(0, |tail| tail.chars().count()) + 1,
        None => pos + 1,
    };
    format!("{msg}: line {lineno} column {colno} (char {pos})")
}

/// `json.loads(text)` on a `str`.
///
/// ```
/// use drf_gate::authentication::pyjson::{loads, JsonError, LoadOptions};
/// let err = loads("{'a': 1}", LoadOptions::default()).unwrap_err();
/// assert_eq!(err, JsonError::Value("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)".into()));
/// assert!(loads(" [1, 2.5, \"x\"] ", LoadOptions::default()).is_ok());
/// ```
pub fn loads(text: &str, options: LoadOptions) -> Result<PyValue, JsonError> {
    scan(text, options, true)
}

/// Whether `json.loads(text)` succeeds, and its error if not, without building the value: what
/// DRF's `JSONParser` does with a body the CSRF check reads (the data itself is not used), in
/// memory independent of the document's shape.
///
/// ```
/// use drf_gate::authentication::pyjson::{validate, JsonError, LoadOptions};
/// assert_eq!(validate(r#"{"a": [1, 2], "a": 3}"#, LoadOptions::default()), Ok(()));
/// assert_eq!(validate("[1,]", LoadOptions::default()), Err(JsonError::Value("Expecting value: line 1 column 4 (char 3)".into())));
/// ```
pub fn validate(text: &str, options: LoadOptions) -> Result<(), JsonError> {
    scan(text, options, false).map(|_| ())
}

fn scan(text: &str, options: LoadOptions, build: bool) -> Result<PyValue, JsonError> {
    if text.starts_with('\u{feff}') {
        return Err(JsonError::Value(decode_error(text, "Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)));
    }
    let mut scanner = Scanner { text, bytes: text.as_bytes(), options, depth: 0, build };
    let start = scanner.skip_ws(0);
    let result = scanner.scan_once(start).and_then(|(value, end)| {
        let end = scanner.skip_ws(end);
        if end != text.len() {
            return Err(Fail::At("Extra data", end));
        }
        Ok(value)
    });
    result.map_err(|fail| match fail {
        Fail::At(msg, pos) => JsonError::Value(decode_error(text, msg, pos)),
        Fail::Stop(pos) => JsonError::Value(decode_error(text, "Expecting value", pos)),
        Fail::Other(message) => JsonError::Value(message),
        Fail::Recursion => JsonError::Recursion,
    })
}

/// `json.loads(data)` on `bytes`, as PyJWT calls it: `data.decode(json.detect_encoding(data),
/// "surrogatepass")`, then `json.loads` of the text. `detect_encoding` reads UTF-8 (an initial
/// BOM dropped: `utf-8-sig`), and UTF-16 and UTF-32 by their BOM or by where the first bytes are
/// NUL; a signed token whose claims are UTF-16 text is as valid to PyJWT as a UTF-8 one.
///
/// ```
/// use drf_gate::authentication::pyjson::{loads_bytes, PyValue};
/// assert!(matches!(loads_bytes(b"{}"), Ok(PyValue::Dict(_))));
/// assert!(matches!(loads_bytes(b"{\0}\0"), Ok(PyValue::Dict(_)))); // UTF-16-LE, no BOM
/// assert!(matches!(loads_bytes(b"\xff\xfe\0\0{\0\0\0}\0\0\0"), Ok(PyValue::Dict(_)))); // UTF-32 BOM
/// assert!(loads_bytes(b"{\0}").is_err()); // UTF-16-LE, truncated
/// ```
pub fn loads_bytes(data: &[u8]) -> Result<PyValue, JsonError> {
    let refuse = || JsonError::Value("codec can't decode".into());
    let text = match detect_encoding(data) {
        (Encoding::Utf8, rest) => decode_utf8_surrogatepass(rest),
        (Encoding::Utf16 { big }, rest) => decode_wide_surrogatepass(rest, 2, big),
        (Encoding::Utf32 { big }, rest) => decode_wide_surrogatepass(rest, 4, big),
    }
    .ok_or_else(refuse)?;
    loads(&text, LoadOptions::default())
}

/// The codecs `json.detect_encoding` picks (`big`: big-endian).
enum Encoding {
    Utf8,
    Utf16 { big: bool },
    Utf32 { big: bool },
}

/// `json.detect_encoding(data)`, and the data after the BOM its codec drops (`utf-8-sig`,
/// `utf-16`, `utf-32` drop one; `utf-16-le` and the others read a BOM as U+FEFF).
fn detect_encoding(data: &[u8]) -> (Encoding, &[u8]) {
    use Encoding::{Utf16, Utf32, Utf8};
    for (bom, encoding) in [
        (&[0, 0, 0xFE, 0xFF][..], Utf32 { big: true }),
        (&[0xFF, 0xFE, 0, 0][..], Utf32 { big: false }),
        (&[0xFE, 0xFF][..], Utf16 { big: true }),
        (&[0xFF, 0xFE][..], Utf16 { big: false }),
        (&[0xEF, 0xBB, 0xBF][..], Utf8),
    ] {
        if let Some(rest) = data.strip_prefix(bom) {
            return (encoding, rest);
        }
    }
    let encoding = match *data {
        [0, b1, _, _, ..] => {
            if b1 != 0 {
                Utf16 { big: true }
            } else {
                Utf32 { big: true }
            }
        }
        [_, 0, b2, b3, ..] => {
            if b2 != 0 || b3 != 0 {
                Utf16 { big: false }
            } else {
                Utf32 { big: false }
            }
        }
        [0, _] => Utf16 { big: true },
        [_, 0] => Utf16 { big: false },
        _ => Utf8,
    };
    (encoding, data)
}

/// `data.decode("utf-16-le"/"utf-16-be"/"utf-32-le"/"utf-32-be", "surrogatepass")` (`unit`: 2 or
/// 4 bytes): a lone surrogate passes (as U+FFFD, as in [`loads`]); a truncated unit or a code
/// point past U+10FFFF raises (`None`).
fn decode_wide_surrogatepass(data: &[u8], unit: usize, big: bool) -> Option<String> {
    let mut out = String::with_capacity(data.len() / unit);
    let read = |i: usize| -> Option<u32> {
        let bytes = data.get(i..i + unit)?;
        Some(if big {
            bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
        } else {
            bytes.iter().rev().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
        })
    };
    let mut i = 0;
    while i < data.len() {
        let code = read(i)?;
        i += unit;
        if unit == 2 && (0xD800..0xDC00).contains(&code) {
            if let Some(low @ 0xDC00..=0xDFFF) = read(i) {
                out.push(char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{FFFD}'));
                i += unit;
                continue;
            }
        }
        if code > 0x10FFFF {
            return None;
        }
        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
    }
    Some(out)
}

/// UTF-8 with `surrogatepass`: encoded surrogates (ED A0..BF xx) are accepted (as U+FFFD).
fn decode_utf8_surrogatepass(data: &[u8]) -> Option<String> {
    match std::str::from_utf8(data) {
        Ok(text) => Some(text.to_string()),
        Err(_) => {
            let mut out = String::with_capacity(data.len());
            let mut rest = data;
            while !rest.is_empty() {
                match std::str::from_utf8(rest) {
                    Ok(text) => {
                        out.push_str(text);
                        break;
                    }
                    Err(error) => {
                        let (valid, tail) = rest.split_at(error.valid_up_to());
                        out.push_str(std::str::from_utf8(valid).ok()?);
                        match tail {
                            [0xED, b1, b2, ..] if (0xA0..=0xBF).contains(b1) && (0x80..=0xBF).contains(b2) => {
                                out.push('\u{FFFD}');
                                rest = tail.get(3..)?;
                            }
                            _ => return None,
                        }
                    }
                }
            }
            Some(out)
        }
    }
}

/// Python's UTF-8 decoding error text (`'utf-8' codec can't decode byte 0xff in position 0:
/// invalid start byte`) for `data`, or the decoded text. Like `codecs.StreamReader.read()`, an
/// incomplete sequence at the very end is silently dropped.
pub fn decode_utf8_stream(data: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(data) {
        Ok(text) => Ok(text.to_string()),
        Err(error) => {
            let start = error.valid_up_to();
            let valid = std::str::from_utf8(data.get(..start).unwrap_or(&[])).unwrap_or("").to_string();
            match error.error_len() {
                None => Ok(valid),
                Some(len) => {
                    let first = data.get(start).copied().unwrap_or(0);
                    let reason = if (0x80..=0xC1).contains(&first) || first >= 0xF5 {
                        "invalid start byte"
                    } else {
                        "invalid continuation byte"
                    };
                    if len == 1 {
                        Err(format!("'utf-8' codec can't decode byte 0x{first:02x} in position {start}: {reason}"))
                    } else {
                        Err(format!(
                            "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
                            start + len - 1
                        ))
                    }
                }
            }
        }
    }
}

/// The fast path of [`loads_bytes`] for the claims simplejwt writes: one flat object of ASCII
/// keys and values (strings without escapes or control characters, integers of at most 18
/// digits, `true`, `false`, `null`), JSON whitespace between tokens, no repeated key. `None` for
/// anything else (floats, nesting, escapes, non-ASCII, a BOM, malformed text): the caller then
/// runs the exact emulation, which also gives Python's error. On what it accepts it builds the
/// value [`loads_bytes`] builds (tests/jwt_fast_path.rs compares them on every JWT vector and on
/// random and mutated documents).
///
/// ```
/// use drf_gate::authentication::pyjson::{loads_bytes, loads_bytes_fast};
/// let claims = br#"{"token_type":"access","exp":1700000300,"user_id":1,"admin":false}"#;
/// assert_eq!(loads_bytes_fast(claims), loads_bytes(claims).ok());
/// assert_eq!(loads_bytes_fast(br#"{"exp": 1.5}"#), None); // a float: the exact path decides
/// ```
pub fn loads_bytes_fast(data: &[u8]) -> Option<PyValue> {
    let ws = |mut i: usize| {
        while data.get(i).copied().is_some_and(is_ws) {
            i += 1;
        }
        i
    };
    // A string without escapes: printable ASCII other than `"` and `\`.
    let string = |i: usize| -> Option<(String, usize)> {
        let mut end = i;
        loop {
            match data.get(end).copied()? {
                b'"' => break,
                b'\\' => return None,
                0x20..=0x7e => end += 1,
                _ => return None,
            }
        }
        let text = std::str::from_utf8(data.get(i..end)?).ok()?;
        Some((text.to_string(), end + 1))
    };
    let mut items: Vec<(String, PyValue)> = Vec::with_capacity(8);
    let mut i = ws(0);
    if data.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(i + 1);
    if data.get(i) == Some(&b'}') {
        return (ws(i + 1) == data.len()).then_some(PyValue::Dict(items));
    }
    loop {
        if data.get(i) != Some(&b'"') {
            return None;
        }
        let (key, next) = string(i + 1)?;
        if items.iter().any(|(k, _)| *k == key) {
            return None;
        }
        i = ws(next);
        if data.get(i) != Some(&b':') {
            return None;
        }
        i = ws(i + 1);
        let (value, next) = match data.get(i).copied()? {
            b'"' => string(i + 1).map(|(s, end)| (PyValue::Str(s), end))?,
            b't' if data.get(i..i + 4) == Some(&b"true"[..]) => (PyValue::Bool(true), i + 4),
            b'f' if data.get(i..i + 5) == Some(&b"false"[..]) => (PyValue::Bool(false), i + 5),
            b'n' if data.get(i..i + 4) == Some(&b"null"[..]) => (PyValue::None, i + 4),
            b'-' | b'0'..=b'9' => {
                let negative = data.get(i) == Some(&b'-');
                let start = if negative { i + 1 } else { i };
                let mut end = start;
                while data.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
                let digits = data.get(start..end)?;
                // No leading zero, at most 18 digits (exact in i64), and not a float.
                if digits.is_empty() || digits.len() > 18 || (digits.len() > 1 && digits.first() == Some(&b'0')) {
                    return None;
                }
                if matches!(data.get(end), Some(b'.' | b'e' | b'E')) {
                    return None;
                }
                let magnitude = digits.iter().fold(0i128, |n, d| n * 10 + i128::from(d - b'0'));
                (PyValue::Int(if negative { -magnitude } else { magnitude }), end)
            }
            _ => return None,
        };
        items.push((key, value));
        i = ws(next);
        match data.get(i) {
            Some(b',') => i = ws(i + 1),
            Some(b'}') => return (ws(i + 1) == data.len()).then_some(PyValue::Dict(items)),
            _ => return None,
        }
    }
}
