//! Compact JSON text of any `Serialize` value, byte for byte what `serde_json::to_string` writes
//! (same escapes, same number formats), into a `String` with no `std::io` writer: the browser
//! runtime renders decisions with it, so serde_json's serializer, its error type and std::io's
//! error texts are not linked (bench/notes.md, size table). A unit test compares it with
//! serde_json on decisions and on values with every escape.
//!
//! ```ignore
//! assert_eq!(crate::json_writer::to_string(&serde_json::json!({"a": [1, "\n"]})), Ok(r#"{"a":[1,"\n"]}"#.to_owned()));
//! ```

use std::fmt::{self, Display};

use crate::text::Piece;

use serde::ser::{self, Serialize};

/// The value cannot be written as JSON (a map key that is not a string, an `f32`, or a
/// `Serialize` impl's own error). No text: the caller names the failure.
#[derive(Debug)]
pub(crate) struct WriteError;

impl Display for WriteError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("not writable as JSON")
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: Display>(_message: T) -> Self {
        WriteError
    }
}

/// Compact JSON text of `value`, as `serde_json::to_string`.
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, WriteError> {
    let mut out = String::new();
    value.serialize(Writer { out: &mut out })?;
    Ok(out)
}

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

struct Writer<'o> {
    out: &'o mut String,
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

/// An `i128`/`u128` in decimal, as serde_json writes it (no `core::fmt`).
fn write_wide(out: &mut String, negative: bool, mut value: u128) {
    if negative {
        out.push('-');
    }
    let mut digits = [0u8; 39];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (value % 10) as u8;
        }
        value /= 10;
        if value == 0 || start == 0 {
            break;
        }
    }
    for digit in digits.iter().skip(start) {
        out.push(char::from(*digit));
    }
}

/// A sequence, map or struct being written: `first` until its first element.
struct Compound<'o> {
    out: &'o mut String,
    first: bool,
    /// `}` closes a variant's wrapping object after the inner `]` or `}`.
    close_variant: bool,
}

impl<'o> Compound<'o> {
    fn open(out: &'o mut String, bracket: char, close_variant: bool) -> Self {
        out.push(bracket);
        Compound { out, first: true, close_variant }
    }

    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.comma();
        value.serialize(Writer { out: self.out })
    }

    /// A map key: only strings, as serde_json's default (any other key fails closed).
    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        self.comma();
        let start = self.out.len();
        key.serialize(Writer { out: self.out })?;
        if self.out.as_bytes().get(start) != Some(&b'"') {
            return Err(WriteError);
        }
        self.out.push(':');
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), WriteError> {
        self.comma();
        write_str(self.out, name);
        self.out.push(':');
        value.serialize(Writer { out: self.out })
    }

    fn close(self, bracket: char) -> Result<(), WriteError> {
        self.out.push(bracket);
        if self.close_variant {
            self.out.push('}');
        }
        Ok(())
    }
}

impl<'o> Writer<'o> {
    /// `{"variant":` before a variant's content (serde_json's externally tagged form).
    fn variant(self, variant: &str) -> &'o mut String {
        self.out.push('{');
        write_str(self.out, variant);
        self.out.push(':');
        self.out
    }
}

impl<'o> ser::Serializer for Writer<'o> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Compound<'o>;
    type SerializeTuple = Compound<'o>;
    type SerializeTupleStruct = Compound<'o>;
    type SerializeTupleVariant = Compound<'o>;
    type SerializeMap = Compound<'o>;
    type SerializeStruct = Compound<'o>;
    type SerializeStructVariant = Compound<'o>;

    fn serialize_bool(self, value: bool) -> Result<(), WriteError> {
        self.out.push_str(if value { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, value: i8) -> Result<(), WriteError> {
        self.serialize_i64(i64::from(value))
    }
    fn serialize_i16(self, value: i16) -> Result<(), WriteError> {
        self.serialize_i64(i64::from(value))
    }
    fn serialize_i32(self, value: i32) -> Result<(), WriteError> {
        self.serialize_i64(i64::from(value))
    }
    fn serialize_i64(self, value: i64) -> Result<(), WriteError> {
        value.push_to(self.out);
        Ok(())
    }
    fn serialize_i128(self, value: i128) -> Result<(), WriteError> {
        write_wide(self.out, value < 0, value.unsigned_abs());
        Ok(())
    }
    fn serialize_u8(self, value: u8) -> Result<(), WriteError> {
        self.serialize_u64(u64::from(value))
    }
    fn serialize_u16(self, value: u16) -> Result<(), WriteError> {
        self.serialize_u64(u64::from(value))
    }
    fn serialize_u32(self, value: u32) -> Result<(), WriteError> {
        self.serialize_u64(u64::from(value))
    }
    fn serialize_u64(self, value: u64) -> Result<(), WriteError> {
        value.push_to(self.out);
        Ok(())
    }
    fn serialize_u128(self, value: u128) -> Result<(), WriteError> {
        write_wide(self.out, false, value);
        Ok(())
    }
    /// serde_json writes an `f32` with `f32` digits; nothing the runtime renders has one.
    fn serialize_f32(self, _value: f32) -> Result<(), WriteError> {
        Err(WriteError)
    }
    /// Finite: serde_json's shortest form (the same formatter as `Number`'s `Display`); else `null`.
    fn serialize_f64(self, value: f64) -> Result<(), WriteError> {
        match serde_json::Number::from_f64(value) {
            Some(number) => number.push_to(self.out),
            None => self.out.push_str("null"),
        }
        Ok(())
    }
    fn serialize_char(self, value: char) -> Result<(), WriteError> {
        let mut buffer = [0; 4];
        self.serialize_str(value.encode_utf8(&mut buffer))
    }
    fn serialize_str(self, value: &str) -> Result<(), WriteError> {
        write_str(self.out, value);
        Ok(())
    }
    fn serialize_bytes(self, value: &[u8]) -> Result<(), WriteError> {
        let mut seq = Compound::open(self.out, '[', false);
        for byte in value {
            seq.element(byte)?;
        }
        seq.close(']')
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WriteError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), WriteError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        let out = self.variant(variant);
        value.serialize(Writer { out: &mut *out })?;
        out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'o>, WriteError> {
        Ok(Compound::open(self.out, '[', false))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'o>, WriteError> {
        Ok(Compound::open(self.out, '[', false))
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'o>, WriteError> {
        Ok(Compound::open(self.out, '[', false))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'o>, WriteError> {
        Ok(Compound::open(self.variant(variant), '[', true))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'o>, WriteError> {
        Ok(Compound::open(self.out, '{', false))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'o>, WriteError> {
        Ok(Compound::open(self.out, '{', false))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'o>, WriteError> {
        Ok(Compound::open(self.variant(variant), '{', true))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close(']')
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close(']')
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close(']')
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.element(value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close(']')
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        self.key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        value.serialize(Writer { out: self.out })
    }
    fn end(self) -> Result<(), WriteError> {
        self.close('}')
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), WriteError> {
        self.field(name, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close('}')
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), WriteError> {
        self.field(name, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.close('}')
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde_json::json;

    use super::to_string;

    fn same<T: Serialize + ?Sized>(value: &T) {
        let expected = serde_json::to_string(value).unwrap();
        assert_eq!(to_string(value).ok(), Some(expected));
    }

    #[test]
    fn objects_as_serde_json_writes_their_map() {
        let every_control: String = (0u8..0x20).map(char::from).chain("\"\\é\u{2028}😀".chars()).collect();
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

    #[test]
    fn values_as_serde_json_writes_them() {
        let every_control: String = (0u8..0x20).map(char::from).collect();
        same(&json!(null));
        same(&json!({"a": [1, -2, 3.5, 1e300, -0.0, 0.1, 1e-7, 123456789012345678u64, i64::MIN, true, false, null]}));
        same(&json!({"\"quoted\\": "\u{7f}é😀\u{2028}", "": {}, "x": [], "c": every_control}));
        same(&json!([[[{"deep": [{"er": "s"}]}]]]));
        same(&json!(f64::MAX));
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        New(u8),
        Tuple(u8, &'static str),
        Struct { a: Option<u8>, b: char },
    }

    #[derive(Serialize)]
    struct Wrapper(Vec<Shape>, (), Option<()>);

    #[test]
    fn serde_shapes_as_serde_json_writes_them() {
        same(&Wrapper(
            vec![Shape::Unit, Shape::New(1), Shape::Tuple(2, "t"), Shape::Struct { a: None, b: '\n' }],
            (),
            Some(()),
        ));
        same(&std::collections::BTreeMap::from([("k", vec![1u16, 2]), ("j", vec![])]));
        same(&b"bytes"[..]);
        same(&f64::NAN);
        for wide in [0i128, -1, 7, i128::MIN, i128::MAX, i128::from(i64::MIN) - 1] {
            same(&wide);
        }
        same(&u128::MAX);
        same(&[u64::MAX, 0, 10]);
        same(&[i64::MIN, -9, 0]);
    }

    #[cfg(feature = "compiler")]
    #[test]
    fn decisions_as_serde_json_writes_them() {
        let gate = crate::Gate::from_json(
            r#"{"authentication": ["token", "session"], "permissions": ["IsAuthenticatedOrReadOnly"],
                "views": {"posts": {"model": "blog.Post"}}}"#,
        )
        .unwrap();
        for context in [
            r#"{"view": "posts", "action": "create"}"#,
            r#"{"view": "posts", "action": "list", "trace": true}"#,
            r#"{"view": "posts", "action": "create", "user": {"id": 3}, "trace": true, "accept": "text/html"}"#,
            r#"{"view": "posts", "method": "PUT", "detail": true, "user": {"id": 3}, "trace": true}"#,
            r#"{"view": "posts", "action": "create", "accept": "application/xml"}"#,
        ] {
            same(&gate.check_json(context).unwrap());
        }
    }
}
