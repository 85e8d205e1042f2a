//! JSON text as `serde_json::to_string` writes it (same escapes), into a `String` with no
//! `std::io` writer: the browser runtime's `route` and `permissionsFor` answers, so serde_json's
//! serializer, its error type and std::io's error texts are not linked (bench/notes.md, size
//! table). Decisions cross as integers (`Decision::pack_whole`), not as JSON. A unit test
//! compares it with serde_json on every escape.
//!
//! ```ignore
//! assert_eq!(crate::json_writer::object(&[("a", "\n")], |out, v| crate::json_writer::write_str(out, v)), r#"{"a":"\n"}"#);
//! ```

/// Compact JSON text of an object of `(key, value)` members, `value` written by `write`, as
/// serde_json writes a `Map` collected from them (a repeated key keeps its first place and its
/// last value): no `Map` or `Value` built for it.
///
/// ```ignore
/// let text = crate::json_writer::object(&[("a", true), ("b", false)], |out, v| out.push_str(if *v { "true" } else { "false" }));
/// assert_eq!(text, r#"{"a":true,"b":false}"#);
/// ```
pub(crate) fn object<V>(members: &[(&str, V)], mut write: impl FnMut(&mut String, &V)) -> String {
    let mut out = String::from("{");
    for (at, (key, _)) in members.iter().enumerate() {
        if members.iter().take(at).any(|(earlier, _)| earlier == key) {
            continue;
        }
        let Some((_, value)) = members.iter().rev().find(|(later, _)| later == key) else { continue };
        if out.len() > 1 {
            out.push(',');
        }
        write_str(&mut out, key);
        out.push(':');
        write(&mut out, value);
    }
    out.push('}');
    out
}

/// serde_json's escapes: `"`, `\`, and the control characters (short forms for five of them).
pub(crate) fn write_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let byte = c as usize;
                out.push_str("\\u00");
                out.push(char::from(*HEX.get(byte >> 4).unwrap_or(&b'0')));
                out.push(char::from(*HEX.get(byte & 15).unwrap_or(&b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn objects_as_serde_json_writes_their_map() {
        let every_control: String = (0u8..0x20).map(char::from).chain("\"\\é\u{2028}😀\u{7f}".chars()).collect();
        let cases: [Vec<(&str, &str)>; 4] = [
            vec![],
            vec![("pk", "7")],
            vec![("a", "1"), ("b", &every_control), ("a", "2"), (&every_control, "x"), ("b", "3")],
            vec![("", ""), ("", "")],
        ];
        for members in cases {
            let map: serde_json::Map<String, serde_json::Value> =
                members.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
            let text = super::object(&members, |out, value| super::write_str(out, value));
            assert_eq!(text, serde_json::to_string(&map).unwrap(), "{members:?}");
        }
    }
}
