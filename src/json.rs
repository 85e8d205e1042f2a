//! JSON input with error paths. Text is parsed once into a [`Json`] tree, then read into the
//! typed forms (policy, context, user) by a deserializer that knows where it is, so an error
//! names its place (`$.views.posts.permissions[1]`).
//!
//! One deserializer type for every input keeps the wasm small: each typed form is compiled once,
//! against `&Json`, instead of once per source with a path-tracking wrapper around each. A
//! [`Json`] object keeps every entry in order, duplicates included, so a duplicate field is
//! still refused where serde refuses it (`duplicate field`) and a free-form value still keeps
//! the last one, as reading the text directly would.
//!
//! ```
//! use drf_gate::json::{from_json, Json};
//! let json = Json::parse(r#"{"id": 3, "isStaff": "yes"}"#).unwrap();
//! let err = from_json::<drf_gate::user::UserInput>(&json).unwrap_err();
//! assert_eq!(err.path("$.user"), "$.user.isStaff");
//! assert_eq!(err.message(), r#"invalid type: string "yes", expected a boolean"#);
//! ```

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::{Number, Value};

/// A parsed JSON value. Objects keep every entry in document order, duplicates included.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it (`u64`, `i64` or `f64`).
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's entries, in order.
    Object(Vec<(String, Json)>),
}

pub use crate::limits::MAX_JSON_VALUES;

impl Json {
    /// Parses JSON text (serde_json's parser and messages). Text after the value is not read;
    /// see [`Json::parse_document`].
    ///
    /// # Errors
    /// A [`SyntaxError`] with serde_json's message, line and column, and the path of the value
    /// being read (`$.views.?` where a key was expected), as a typed read of the text names it.
    pub fn parse(text: &str) -> Result<Json, SyntaxError> {
        Json::parse_from(&mut serde_json::Deserializer::from_str(text))
    }

    /// Parses JSON text that must hold exactly one value; more text after it is a
    /// [`SyntaxError`] whose [`SyntaxError::trailing`] is true.
    pub fn parse_document(text: &str) -> Result<Json, SyntaxError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let json = Json::parse_from(&mut deserializer)?;
        deserializer.end().map_err(|error| SyntaxError { segments: Vec::new(), error, trailing: true })?;
        Ok(json)
    }

    fn parse_from(
        deserializer: &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>,
    ) -> Result<Json, SyntaxError> {
        let trail = RefCell::new(Vec::new());
        let entered = Cell::new(false);
        let values = Cell::new(0);
        JsonSeed { trail: &trail, entered: &entered, values: &values }
            .deserialize(deserializer)
            .map_err(|error| SyntaxError { segments: trail.into_inner(), error, trailing: false })
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(flag) => Json::Bool(flag),
            Value::Number(number) => Json::Number(number),
            Value::String(text) => Json::String(text),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(map.into_iter().map(|(key, value)| (key, Json::from(value))).collect()),
        }
    }
}

/// JSON text that is not JSON.
#[derive(Debug)]
pub struct SyntaxError {
    segments: Vec<Segment>,
    error: serde_json::Error,
    trailing: bool,
}

impl SyntaxError {
    /// serde_json's message, without its ` at line L column C` suffix.
    pub fn message(&self) -> String {
        without_position(&self.error)
    }

    /// The path of the value being read, under `prefix`.
    pub fn path(&self, prefix: &str) -> String {
        render_path(prefix, &self.segments)
    }

    /// 1-based line and column in the text.
    pub fn position(&self) -> (u32, u32) {
        (u32::try_from(self.error.line()).unwrap_or(u32::MAX), u32::try_from(self.error.column()).unwrap_or(u32::MAX))
    }

    /// Whether the value was fine and more text followed it.
    pub fn trailing(&self) -> bool {
        self.trailing
    }
}

/// Builds a [`Json`] from serde_json's parser. On an error, each level adds its segment to
/// `trail` as the error passes up (innermost first): the key or index when the error is inside
/// that entry's value (`entered`), `?` where a key was expected.
struct JsonSeed<'t> {
    trail: &'t RefCell<Vec<Segment>>,
    entered: &'t Cell<bool>,
    /// Values read so far (see [`MAX_JSON_VALUES`]).
    values: &'t Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for JsonSeed<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        self.entered.set(true);
        let values = self.values.get().saturating_add(1);
        if values > MAX_JSON_VALUES {
            return Err(de::Error::custom(format_args!("more than {MAX_JSON_VALUES} JSON values")));
        }
        self.values.set(values);
        deserializer.deserialize_any(JsonVisitor { trail: self.trail, values: self.values })
    }
}

struct JsonVisitor<'t> {
    trail: &'t RefCell<Vec<Segment>>,
    values: &'t Cell<usize>,
}

impl JsonVisitor<'_> {
    fn push(&self, segment: Segment) {
        if let Ok(mut trail) = self.trail.try_borrow_mut() {
            trail.push(segment);
        }
    }
}

impl<'de> Visitor<'de> for JsonVisitor<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        Ok(Number::from_f64(value).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        loop {
            let entered = Cell::new(false);
            match access.next_element_seed(JsonSeed { trail: self.trail, entered: &entered, values: self.values }) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Json::Array(items)),
                Err(error) => {
                    if entered.get() {
                        self.push(Segment::Index(items.len()));
                    }
                    return Err(error);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        loop {
            let key = match access.next_key::<String>() {
                Ok(Some(key)) => key,
                Ok(None) => return Ok(Json::Object(entries)),
                Err(error) => {
                    self.push(Segment::Unknown);
                    return Err(error);
                }
            };
            let entered = Cell::new(false);
            match access.next_value_seed(JsonSeed { trail: self.trail, entered: &entered, values: self.values }) {
                Ok(value) => entries.push((key, value)),
                Err(error) => {
                    if entered.get() {
                        self.push(Segment::Key(key));
                    }
                    return Err(error);
                }
            }
        }
    }
}

/// Reads a typed form from a [`Json`] tree.
///
/// # Errors
/// A [`PathError`]: serde's message (worded as serde_json words it) and where it is.
pub fn from_json<'de, T: Deserialize<'de>>(json: &'de Json) -> Result<T, PathError> {
    T::deserialize(json)
}

/// Parses JSON text and reads a typed form from it.
///
/// # Errors
/// An [`InputError`]: the text is not JSON, or not of the form's shape.
pub fn from_text<T: de::DeserializeOwned>(text: &str) -> Result<T, InputError> {
    let json = Json::parse(text).map_err(InputError::Syntax)?;
    from_json(&json).map_err(InputError::Typed)
}

/// Why JSON text could not be read as a typed form.
#[derive(Debug)]
pub enum InputError {
    /// Not JSON.
    Syntax(SyntaxError),
    /// JSON of the wrong shape.
    Typed(PathError),
}

impl InputError {
    /// What is wrong, without a position in the text (the path says where).
    pub fn message(&self) -> String {
        match self {
            InputError::Syntax(error) => error.message(),
            InputError::Typed(error) => error.message.clone(),
        }
    }

    /// The JSON path of the culprit, under `prefix`.
    pub fn path(&self, prefix: &str) -> String {
        match self {
            InputError::Syntax(error) => error.path(prefix),
            InputError::Typed(error) => error.path(prefix),
        }
    }
}

/// serde_json's message without its ` at line L column C` suffix.
pub(crate) fn without_position(error: &serde_json::Error) -> String {
    let mut message = error.to_string();
    if let Some(position) = message.rfind(" at line ") {
        message.truncate(position);
    }
    message
}

/// A typed read failed: what serde said, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    /// Innermost first: each level adds its own segment as the error passes up.
    segments: Vec<Segment>,
    message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    /// Where a key was expected.
    Unknown,
}

/// `prefix` then the segments, outermost first: `.key`, `[index]`, `.?`.
fn render_path(prefix: &str, innermost_first: &[Segment]) -> String {
    let mut out = String::from(prefix);
    for segment in innermost_first.iter().rev() {
        match segment {
            Segment::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Segment::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

impl PathError {
    /// What is wrong (serde's message, as serde_json words it).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON path of the culprit, under `prefix`: `$` and `a.b[0]` give `$.a.b[0]`.
    pub fn path(&self, prefix: &str) -> String {
        render_path(prefix, &self.segments)
    }

    fn at_key(mut self, key: &str) -> Self {
        self.segments.push(Segment::Key(key.to_owned()));
        self
    }

    fn at_index(mut self, index: usize) -> Self {
        self.segments.push(Segment::Index(index));
        self
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.message, self.path("$"))
    }
}

impl std::error::Error for PathError {}

impl de::Error for PathError {
    #[cold]
    fn custom<T: fmt::Display>(message: T) -> Self {
        PathError { segments: Vec::new(), message: message.to_string() }
    }

    #[cold]
    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::custom(format_args!("invalid type: {}, expected {}", JsonUnexpected(unexpected), expected))
    }

    #[cold]
    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::custom(format_args!("invalid value: {}, expected {}", JsonUnexpected(unexpected), expected))
    }
}

/// serde's `Unexpected` as serde_json words it: `null`, and floats in its own format.
struct JsonUnexpected<'a>(Unexpected<'a>);

// Spelled out rather than delegated to serde's `Display`, whose float arm would link core's
// float formatting into the wasm for nothing.
impl fmt::Display for JsonUnexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(flag) => write!(f, "boolean `{flag}`"),
            Unexpected::Unsigned(value) => write!(f, "integer `{value}`"),
            Unexpected::Signed(value) => write!(f, "integer `{value}`"),
            Unexpected::Float(value) => match Number::from_f64(value) {
                Some(number) => write!(f, "floating point `{number}`"),
                None => f.write_str("floating point"),
            },
            Unexpected::Char(ch) => write!(f, "character `{ch}`"),
            Unexpected::Str(text) => write!(f, "string {text:?}"),
            Unexpected::Bytes(_) => f.write_str("byte array"),
            Unexpected::Unit => f.write_str("null"),
            Unexpected::Option => f.write_str("Option value"),
            Unexpected::NewtypeStruct => f.write_str("newtype struct"),
            Unexpected::Seq => f.write_str("sequence"),
            Unexpected::Map => f.write_str("map"),
            Unexpected::Enum => f.write_str("enum"),
            Unexpected::UnitVariant => f.write_str("unit variant"),
            Unexpected::NewtypeVariant => f.write_str("newtype variant"),
            Unexpected::TupleVariant => f.write_str("tuple variant"),
            Unexpected::StructVariant => f.write_str("struct variant"),
            Unexpected::Other(other) => f.write_str(other),
        }
    }
}

impl Json {
    fn invalid_type(&self, expected: &dyn de::Expected) -> PathError {
        de::Error::invalid_type(self.unexpected(), expected)
    }

    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Json::Null => Unexpected::Unit,
            Json::Bool(flag) => Unexpected::Bool(*flag),
            Json::Number(number) => match (number.as_u64(), number.as_i64()) {
                (Some(value), _) => Unexpected::Unsigned(value),
                (None, Some(value)) => Unexpected::Signed(value),
                _ => Unexpected::Float(number.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(text) => Unexpected::Str(text),
            Json::Array(_) => Unexpected::Seq,
            Json::Object(_) => Unexpected::Map,
        }
    }
}

impl<'de> Deserializer<'de> for &'de Json {
    type Error = PathError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(flag) => visitor.visit_bool(*flag),
            Json::Number(number) => match (number.as_u64(), number.as_i64()) {
                (Some(value), _) => visitor.visit_u64(value),
                (None, Some(value)) => visitor.visit_i64(value),
                _ => visitor.visit_f64(number.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(text) => visitor.visit_borrowed_str(text),
            Json::Array(items) => {
                let mut access = Items { items: items.iter(), index: 0 };
                let value = visitor.visit_seq(&mut access)?;
                match access.items.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(items.len(), &"fewer elements in array")),
                }
            }
            Json::Object(entries) => visitor.visit_map(Entries { entries: entries.iter(), value: None }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self {
            Json::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, PathError> {
        visitor.visit_newtype_struct(self)
    }

    // serde_json's parser checks the token each form needs; a mismatch is `invalid type`.
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self {
            Json::Bool(flag) => visitor.visit_bool(*flag),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self {
            Json::String(text) => visitor.visit_borrowed_str(text),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self {
            Json::Null => visitor.visit_unit(),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self {
            Json::Array(_) => self.deserialize_any(visitor),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self {
            Json::Object(_) => self.deserialize_any(visitor),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathError> {
        match self {
            Json::Array(_) | Json::Object(_) => self.deserialize_any(visitor),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathError> {
        match self {
            Json::String(variant) => visitor.visit_enum(Variant { variant, value: None }),
            // `{"variant": content}`: serde_json reads the first entry, then wants the `}`.
            Json::Object(entries) => match entries.split_first() {
                Some(((variant, value), [])) => visitor.visit_enum(Variant { variant, value: Some(value) }),
                Some(((variant, value), _)) => {
                    visitor.visit_enum(Variant { variant, value: Some(value) })?;
                    Err(de::Error::custom("expected value"))
                }
                None => Err(de::Error::custom("expected value")),
            },
            _ => Err(de::Error::custom("expected value")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit_struct tuple
        tuple_struct
    }
}

/// An array's items; an error inside one names its index.
struct Items<'de> {
    items: std::slice::Iter<'de, Json>,
    index: usize,
}

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = PathError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, PathError> {
        let Some(item) = self.items.next() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        seed.deserialize(item).map(Some).map_err(|error| error.at_index(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An object's entries; an error in a key or its value names the key.
struct Entries<'de> {
    entries: std::slice::Iter<'de, (String, Json)>,
    value: Option<(&'de str, &'de Json)>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = PathError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, PathError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some((key, value));
        seed.deserialize(BorrowedStrDeserializer::<PathError>::new(key)).map(Some).map_err(|error| error.at_key(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, PathError> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("value is missing"));
        };
        seed.deserialize(value).map_err(|error| error.at_key(key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum: `"variant"`, or `{"variant": content}`. An error in the content names the variant.
struct Variant<'de> {
    variant: &'de str,
    value: Option<&'de Json>,
}

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = PathError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), PathError> {
        let variant = seed.deserialize(BorrowedStrDeserializer::<PathError>::new(self.variant))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'de> {
    type Error = PathError;

    fn unit_variant(self) -> Result<(), PathError> {
        match self.value {
            None => Ok(()),
            Some(value) => <()>::deserialize(value).map_err(|error| error.at_key(self.variant)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, PathError> {
        match self.value {
            Some(value) => seed.deserialize(value).map_err(|error| error.at_key(self.variant)),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"newtype variant")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, PathError> {
        match self.value {
            Some(value) => value.deserialize_any(visitor).map_err(|error| error.at_key(self.variant)),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathError> {
        match self.value {
            Some(value) => value.deserialize_any(visitor).map_err(|error| error.at_key(self.variant)),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"struct variant")),
        }
    }
}
