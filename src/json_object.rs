//! The one rule for every struct callers send as JSON: it is read from a JSON object only.
//!
//! serde's derive reads a struct from a list too, field by field in declaration order: `[]` was
//! an active user with no flags, `["posts", "list"]` the context of `posts`' `list`, a store's row
//! of values (D1's `raw()`) a user by position. A struct derives `Deserialize` with
//! `#[serde(remote = "Self")]` and gets its `Deserialize` (and, with `serialize`, its
//! `Serialize`) from [`object_only!`], which asks the deserializer for a map: a list is
//! `invalid type: sequence, expected struct <Name>`, as the browser runtime's reader
//! (`compiled::value`) says.

/// `Deserialize` (and optionally `Serialize`) for a struct deriving them with
/// `#[serde(remote = "Self")]`: a JSON object only.
///
/// ```ignore
/// #[derive(serde::Deserialize)]
/// #[serde(remote = "Self")]
/// struct Row { id: u32 }
/// object_only!(Row, "struct Row");
/// assert!(serde_json::from_str::<Row>("[1]").is_err());
/// ```
macro_rules! object_only {
    ($ty:ident, $expecting:literal) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Fields;
                impl<'de> serde::de::Visitor<'de> for Fields {
                    type Value = $ty;
                    fn expecting(&self, formatter: &mut core::fmt::Formatter) -> core::fmt::Result {
                        formatter.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<$ty, A::Error> {
                        $ty::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    }
                }
                deserializer.deserialize_map(Fields)
            }
        }
    };
    ($ty:ident, $expecting:literal, serialize) => {
        object_only!($ty, $expecting);
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $ty::serialize(self, serializer)
            }
        }
    };
}
