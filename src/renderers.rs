//! DRF's `JSONRenderer`, byte for byte.
//!
//! DRF renders with `json.dumps(data, ensure_ascii=False, allow_nan=False,
//! separators=(',', ':'))`, then escapes U+2028 and U+2029. Before rendering, every leaf of an
//! exception's detail went through `force_str` (`_get_error_details`), so numbers, booleans and
//! `None` inside a message become strings (`5` → `"5"`, `true` → `"True"`).

use crate::text::cat;
use crate::value::Value;

/// Appends `text` as a JSON string exactly as Python's `json.dumps(..., ensure_ascii=False)`
/// followed by DRF's U+2028/U+2029 escaping.
///
/// ```
/// let mut out = String::new();
/// drf_gate::renderers::write_json_string(&mut out, "Method \"FOO\" not allowed.\u{2028}é");
/// assert_eq!(out, r#""Method \"FOO\" not allowed.\u2028é""#);
/// ```
pub fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let code = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX.get(code >> 4).copied().unwrap_or(b'0')));
                out.push(char::from(HEX.get(code & 0xf).copied().unwrap_or(b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The body DRF's default exception handler renders for an exception detail: a string (or any
/// scalar) becomes `{"detail": ...}`; a list or dict is the whole body.
///
/// ```
/// use serde_json::json;
/// use drf_gate::renderers::render_detail;
/// assert_eq!(render_detail(&json!("Not found.")), r#"{"detail":"Not found."}"#);
/// assert_eq!(render_detail(&json!({"error": "nope", "n": 5, "ok": true})), r#"{"error":"nope","n":"5","ok":"True"}"#);
/// assert_eq!(render_detail(&json!(["a", null])), r#"["a","None"]"#);
/// ```
pub fn render_detail(detail: &Value) -> String {
    let mut out = String::new();
    match detail {
        Value::Array(_) | Value::Object(_) => write_error_details(&mut out, detail),
        scalar => {
            out.push_str("{\"detail\":");
            write_error_details(&mut out, scalar);
            out.push('}');
        }
    }
    out
}

/// The body of a detail that is a plain string: `{"detail":"<text>"}`.
///
/// ```
/// assert_eq!(drf_gate::renderers::render_detail_text("Ça"), r#"{"detail":"Ça"}"#);
/// ```
pub fn render_detail_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 13);
    out.push_str("{\"detail\":");
    write_json_string(&mut out, text);
    out.push('}');
    out
}

/// Writes a detail after `_get_error_details`: containers recurse, every leaf is `force_str`-ed.
fn write_error_details(out: &mut String, value: &Value) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_error_details(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (index, (key, item)) in map.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_json_string(out, key);
                out.push(':');
                write_error_details(out, item);
            }
            out.push('}');
        }
        Value::String(text) => write_json_string(out, text),
        Value::Bool(true) => write_json_string(out, "True"),
        Value::Bool(false) => write_json_string(out, "False"),
        Value::Null => write_json_string(out, "None"),
        Value::Number(number) => {
            let text = if number.is_i64() || number.is_u64() {
                cat!(number)
            } else {
                python_float_repr(number.as_f64().unwrap_or(0.0))
            };
            write_json_string(out, &text);
        }
    }
}

/// Python's `repr(float)`: shortest round-trip digits, scientific notation when the decimal
/// exponent is below -4 or at least 16 (`1e+16`, `1e-05`), otherwise fixed with a `.0` for
/// whole numbers.
///
/// ```
/// use drf_gate::renderers::python_float_repr;
/// assert_eq!(python_float_repr(1.5), "1.5");
/// assert_eq!(python_float_repr(2.0), "2.0");
/// assert_eq!(python_float_repr(1e16), "1e+16");
/// assert_eq!(python_float_repr(1e15), "1000000000000000.0");
/// assert_eq!(python_float_repr(0.0001), "0.0001");
/// assert_eq!(python_float_repr(0.00001), "1e-05");
/// assert_eq!(python_float_repr(-1.25e-7), "-1.25e-07");
/// // A tie at 17 digits (the value is ...562.25): Python rounds half to even.
/// assert_eq!(python_float_repr(1658206780088562.2), "1658206780088562.2");
/// ```
pub fn python_float_repr(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // The shortest round-trip digits, like Python's repr, from serde_json's float formatter
    // (already in the binary; core's `{:e}` would add its own). It writes `d.ddd`, `ddd.d` or
    // `d.ddde-N`: one pass reads its significant digits and the decimal exponent of the first.
    let mut buffer = zmij::Buffer::new();
    let (mut digits, mut whole, mut leading, mut exponent) = (String::new(), 0i32, 0i32, 0i32);
    let (mut in_fraction, mut in_exponent, mut negative_exponent) = (false, false, false);
    for byte in crate::text::float_text(&mut buffer, value.abs()).bytes() {
        match byte {
            b'.' => in_fraction = true,
            b'e' | b'E' => in_exponent = true,
            b'-' => negative_exponent = true,
            b'0'..=b'9' if in_exponent => exponent = exponent * 10 + i32::from(byte - b'0'),
            b'0'..=b'9' => {
                whole += i32::from(!in_fraction);
                if digits.is_empty() && byte == b'0' {
                    leading += 1;
                } else {
                    digits.push(char::from(byte));
                }
            }
            _ => {}
        }
    }
    let digits = match digits.trim_end_matches('0') {
        "" => "0",
        digits => digits,
    };
    let exponent = if negative_exponent { -exponent } else { exponent } + whole - 1 - leading;
    let mut out = String::from(if value < 0.0 { "-" } else { "" });
    if !(-4..16).contains(&exponent) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push_str(if exponent < 0 { "e-" } else { "e+" });
        if exponent.abs() < 10 {
            out.push('0');
        }
        crate::text::push_u64(&mut out, u64::from(exponent.unsigned_abs()));
        return out;
    }
    // Digits before the decimal point: none (`0.000ddd`), some, or all of them and zeros.
    let point = exponent + 1;
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..point.unsigned_abs() {
            out.push('0');
        }
        out.push_str(digits);
        return out;
    }
    let point = point.unsigned_abs() as usize;
    match (digits.get(..point), digits.get(point..)) {
        (Some(whole), Some(fraction)) if !fraction.is_empty() => {
            out.push_str(whole);
            out.push('.');
            out.push_str(fraction);
        }
        _ => {
            out.push_str(digits);
            for _ in digits.len()..point {
                out.push('0');
            }
            out.push_str(".0");
        }
    }
    out
}
