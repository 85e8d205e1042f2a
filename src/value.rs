//! The JSON value type users, objects and failure details are held in.
//!
//! Builds with the policy compiler or edge authentication (the Worker build) read JSON text with
//! serde_json and use its [`Value`] (`preserve_order`: a map keeps its keys in the order given, as
//! DRF renders a dict). The browser runtime (neither) reads no JSON text: its values come from the binary value
//! encoding (`compiled::value`), and it holds them in the small type below, with serde_json's
//! `Value` API and rules, without hashbrown, indexmap and SipHash (~11 KB of wasm).
//!
//! ```
//! use drf_gate::value::Value;
//! let value = Value::from(serde_json::json!({"id": 3, "tags": ["a"]}));
//! assert_eq!(value.get("id").and_then(Value::as_u64), Some(3));
//! ```

#[cfg(any(feature = "compiler", feature = "edge"))]
pub use serde_json::{Map, Number, Value};

#[cfg(not(any(feature = "compiler", feature = "edge")))]
pub use runtime::{Map, Value};
#[cfg(not(any(feature = "compiler", feature = "edge")))]
pub use serde_json::Number;

#[cfg(not(any(feature = "compiler", feature = "edge")))]
mod runtime {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
    use serde_json::Number;

    /// A JSON value, as serde_json's `Value` (same variants, same methods for what the crate
    /// uses).
    ///
    /// ```
    /// use drf_gate::value::Value;
    /// assert!(Value::Null.is_null());
    /// assert_eq!(Value::from("a").as_str(), Some("a"));
    /// ```
    #[derive(Clone, Debug, Default, PartialEq)]
    pub enum Value {
        /// `null`.
        #[default]
        Null,
        /// `true` or `false`.
        Bool(bool),
        /// A number: an integer within 64 bits, or a finite float.
        Number(Number),
        /// A string.
        String(String),
        /// An array.
        Array(Vec<Value>),
        /// An object.
        Object(Map<String, Value>),
    }

    /// A JSON object as serde_json's `Map` with `preserve_order`: members in the order given,
    /// a repeated key keeping its first place and its last value; lookups by a sorted index, so
    /// that building and reading a hostile object of n keys costs O(n log n), never O(n²).
    ///
    /// ```
    /// use drf_gate::value::{Map, Value};
    /// let map = Map::from_entries(vec![("b".into(), Value::from(1)), ("a".into(), Value::from(2)), ("b".into(), Value::from(3))]);
    /// assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "a"]);
    /// assert_eq!(map.get("b"), Some(&Value::from(3)));
    /// ```
    #[derive(Clone, Debug)]
    pub struct Map<K, V> {
        entries: Vec<(K, V)>,
        // Positions in `entries`, sorted by key.
        index: Vec<u32>,
    }

    impl Default for Map<String, Value> {
        fn default() -> Self {
            Map::new()
        }
    }

    impl PartialEq for Map<String, Value> {
        /// Order-insensitive, as indexmap's (serde_json's `Map` with `preserve_order`).
        fn eq(&self, other: &Self) -> bool {
            self.len() == other.len() && self.iter().all(|(key, value)| other.get(key) == Some(value))
        }
    }

    impl Map<String, Value> {
        /// An empty map.
        pub fn new() -> Self {
            Map { entries: Vec::new(), index: Vec::new() }
        }

        /// A map of `entries` in order, with serde_json's rule for a repeated key (its first
        /// place, its last value). O(n log n).
        pub fn from_entries(mut entries: Vec<(String, Value)>) -> Self {
            // By key, then by place: a repeated key is a run, its first place first.
            let keys: Vec<&str> = entries.iter().map(|entry| entry.0.as_str()).collect();
            let index = crate::perm_table::order_by_name(&keys);
            let mut dropped = vec![false; entries.len()];
            let mut repeats = false;
            let mut first = u32::MAX;
            for &at in &index {
                if first != u32::MAX && key_at(&entries, at) == key_at(&entries, first) {
                    // A later place of the run's key: its value moves to the first place.
                    let value = entries.get_mut(at as usize).map(|entry| std::mem::take(&mut entry.1));
                    if let (Some(value), Some(entry)) = (value, entries.get_mut(first as usize)) {
                        entry.1 = value;
                    }
                    if let Some(flag) = dropped.get_mut(at as usize) {
                        *flag = true;
                    }
                    repeats = true;
                } else {
                    first = at;
                }
            }
            if repeats {
                let mut flags = dropped.iter();
                entries.retain(|_| !flags.next().copied().unwrap_or(true));
                // No repeats are left: the index is made again, once.
                return Map::from_entries(entries);
            }
            Map { entries, index }
        }

        // Where `key` is in the index: found at, or to be inserted at.
        fn search(&self, key: &str) -> Result<usize, usize> {
            self.index.binary_search_by(|at| key_at(&self.entries, *at).cmp(key))
        }

        /// The value of `key`.
        pub fn get(&self, key: &str) -> Option<&Value> {
            let at = *self.index.get(self.search(key).ok()?)?;
            self.entries.get(at as usize).map(|entry| &entry.1)
        }

        /// Whether `key` is a member.
        pub fn contains_key(&self, key: &str) -> bool {
            self.search(key).is_ok()
        }

        /// Sets `key` (in its place if present, else last); returns the value it replaced.
        pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
            match self.search(&key) {
                Ok(found) => {
                    let at = *self.index.get(found)?;
                    self.entries.get_mut(at as usize).map(|entry| std::mem::replace(&mut entry.1, value))
                }
                Err(slot) => {
                    self.index.insert(slot, self.entries.len() as u32);
                    self.entries.push((key, value));
                    None
                }
            }
        }

        /// How many members.
        pub fn len(&self) -> usize {
            self.entries.len()
        }

        /// Whether there are none.
        pub fn is_empty(&self) -> bool {
            self.entries.is_empty()
        }

        /// The members in order.
        pub fn iter(&self) -> Iter<'_> {
            self.entries.iter().map(pair)
        }

        /// The keys in order.
        pub fn keys(&self) -> impl Iterator<Item = &String> {
            self.entries.iter().map(|entry| &entry.0)
        }

        /// The values in order.
        pub fn values(&self) -> impl Iterator<Item = &Value> {
            self.entries.iter().map(|entry| &entry.1)
        }
    }

    fn key_at(entries: &[(String, Value)], at: u32) -> &str {
        entries.get(at as usize).map_or("", |entry| entry.0.as_str())
    }

    fn pair(entry: &(String, Value)) -> (&String, &Value) {
        (&entry.0, &entry.1)
    }

    /// The members of a [`Map`] in order.
    pub type Iter<'a> =
        std::iter::Map<std::slice::Iter<'a, (String, Value)>, fn(&'a (String, Value)) -> (&'a String, &'a Value)>;

    impl<'a> IntoIterator for &'a Map<String, Value> {
        type Item = (&'a String, &'a Value);
        type IntoIter = Iter<'a>;
        fn into_iter(self) -> Iter<'a> {
            self.iter()
        }
    }

    impl FromIterator<(String, Value)> for Map<String, Value> {
        fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
            Map::from_entries(iter.into_iter().collect())
        }
    }

    impl Value {
        /// Whether this is `null`.
        pub fn is_null(&self) -> bool {
            matches!(self, Value::Null)
        }

        /// Whether this is a string.
        pub fn is_string(&self) -> bool {
            matches!(self, Value::String(_))
        }

        /// Whether this is a number.
        pub fn is_number(&self) -> bool {
            matches!(self, Value::Number(_))
        }

        /// The boolean, if one.
        pub fn as_bool(&self) -> Option<bool> {
            match self {
                Value::Bool(flag) => Some(*flag),
                _ => None,
            }
        }

        /// The string, if one.
        pub fn as_str(&self) -> Option<&str> {
            match self {
                Value::String(text) => Some(text),
                _ => None,
            }
        }

        /// The number as an `i64`, if it is an integer that fits.
        pub fn as_i64(&self) -> Option<i64> {
            match self {
                Value::Number(number) => number.as_i64(),
                _ => None,
            }
        }

        /// The number as a `u64`, if it is an integer that fits.
        pub fn as_u64(&self) -> Option<u64> {
            match self {
                Value::Number(number) => number.as_u64(),
                _ => None,
            }
        }

        /// The number as an `f64`, if a number.
        pub fn as_f64(&self) -> Option<f64> {
            match self {
                Value::Number(number) => number.as_f64(),
                _ => None,
            }
        }

        /// The items, if an array.
        pub fn as_array(&self) -> Option<&Vec<Value>> {
            match self {
                Value::Array(items) => Some(items),
                _ => None,
            }
        }

        /// The members, if an object.
        pub fn as_object(&self) -> Option<&Map<String, Value>> {
            match self {
                Value::Object(map) => Some(map),
                _ => None,
            }
        }

        /// The member `key` of an object.
        pub fn get(&self, key: &str) -> Option<&Value> {
            self.as_object()?.get(key)
        }
    }

    impl From<bool> for Value {
        fn from(flag: bool) -> Self {
            Value::Bool(flag)
        }
    }

    impl From<i64> for Value {
        fn from(number: i64) -> Self {
            Value::Number(number.into())
        }
    }

    impl From<i32> for Value {
        fn from(number: i32) -> Self {
            Value::Number(number.into())
        }
    }

    impl From<u64> for Value {
        fn from(number: u64) -> Self {
            Value::Number(number.into())
        }
    }

    impl From<String> for Value {
        fn from(text: String) -> Self {
            Value::String(text)
        }
    }

    impl From<&str> for Value {
        fn from(text: &str) -> Self {
            Value::String(text.to_owned())
        }
    }

    impl From<Map<String, Value>> for Value {
        fn from(map: Map<String, Value>) -> Self {
            Value::Object(map)
        }
    }

    impl From<Vec<Value>> for Value {
        fn from(items: Vec<Value>) -> Self {
            Value::Array(items)
        }
    }

    /// serde_json's value, member for member (tests and native callers build values with
    /// `serde_json::json!`).
    impl From<serde_json::Value> for Value {
        fn from(value: serde_json::Value) -> Self {
            match value {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Bool(flag) => Value::Bool(flag),
                serde_json::Value::Number(number) => Value::Number(number),
                serde_json::Value::String(text) => Value::String(text),
                serde_json::Value::Array(items) => Value::Array(items.into_iter().map(Value::from).collect()),
                serde_json::Value::Object(map) => {
                    Value::Object(map.into_iter().map(|(key, value)| (key, Value::from(value))).collect())
                }
            }
        }
    }

    impl Serialize for Value {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self {
                Value::Null => serializer.serialize_unit(),
                Value::Bool(flag) => serializer.serialize_bool(*flag),
                Value::Number(number) => number.serialize(serializer),
                Value::String(text) => serializer.serialize_str(text),
                Value::Array(items) => {
                    let mut seq = serializer.serialize_seq(Some(items.len()))?;
                    for item in items {
                        seq.serialize_element(item)?;
                    }
                    seq.end()
                }
                Value::Object(map) => map.serialize(serializer),
            }
        }
    }

    impl Serialize for Map<String, Value> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut out = serializer.serialize_map(Some(self.len()))?;
            for (key, value) in self {
                out.serialize_entry(key, value)?;
            }
            out.end()
        }
    }

    // Read the way serde_json's `Value` reads itself (derived readers of the crate's input types
    // need it; the browser runtime reads no JSON text, so none of this is in its wasm).
    struct ValueVisitor;

    impl<'de> Visitor<'de> for ValueVisitor {
        type Value = Value;

        fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str("any valid JSON value")
        }
        fn visit_bool<E>(self, flag: bool) -> Result<Value, E> {
            Ok(Value::Bool(flag))
        }
        fn visit_i64<E>(self, number: i64) -> Result<Value, E> {
            Ok(Value::from(number))
        }
        fn visit_u64<E>(self, number: u64) -> Result<Value, E> {
            Ok(Value::from(number))
        }
        fn visit_f64<E>(self, number: f64) -> Result<Value, E> {
            Ok(Number::from_f64(number).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, text: &str) -> Result<Value, E> {
            Ok(Value::from(text))
        }
        fn visit_string<E>(self, text: String) -> Result<Value, E> {
            Ok(Value::String(text))
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
            Deserialize::deserialize(deserializer)
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = map.next_entry::<String, Value>()? {
                entries.push(entry);
            }
            Ok(Value::Object(Map::from_entries(entries)))
        }
    }

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
            deserializer.deserialize_any(ValueVisitor)
        }
    }

    impl<'de> Deserialize<'de> for Map<String, Value> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            match Value::deserialize(deserializer)? {
                Value::Object(map) => Ok(map),
                _ => Err(serde::de::Error::custom("invalid type, expected a map")),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
        use super::*;

        // serde_json with `preserve_order` is the reference: same order, same values.
        fn same(members: &[(&str, i64)]) {
            let ours = Map::from_entries(members.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect());
            let mut theirs = serde_json::Map::new();
            for (k, v) in members {
                theirs.insert((*k).to_owned(), serde_json::Value::from(*v));
            }
            let ours_pairs: Vec<_> = ours.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let theirs_pairs: Vec<_> = theirs.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect();
            assert_eq!(ours_pairs, theirs_pairs, "{members:?}");
            for (k, _) in members {
                assert_eq!(ours.get(k), theirs.get(*k).cloned().map(Value::from).as_ref());
            }
            assert_eq!(ours.get("absent"), None);
            // One by one, too.
            let mut inserted = Map::new();
            for (k, v) in members {
                inserted.insert((*k).to_owned(), Value::from(*v));
            }
            assert_eq!(inserted.iter().collect::<Vec<_>>(), ours.iter().collect::<Vec<_>>());
        }

        #[test]
        fn maps_follow_serde_json_preserve_order() {
            same(&[]);
            same(&[("a", 1)]);
            same(&[("b", 1), ("a", 2), ("b", 3)]);
            same(&[("x", 1), ("x", 2), ("x", 3), ("a", 4), ("x", 5), ("", 6), ("a", 7)]);
            let many: Vec<(String, i64)> = (0..500).map(|i| (format!("k{}", (i * 7919) % 97), i)).collect();
            let many: Vec<(&str, i64)> = many.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            same(&many);
        }

        #[test]
        fn converted_values_equal_and_serialize_as_serde_json() {
            let json = serde_json::json!({"b": [1, -2, 2.5, null, true, "x\n"], "a": {"z": {}, "y": []}});
            let ours = Value::from(json.clone());
            assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&json).unwrap());
            let mut reordered = Map::new();
            reordered.insert("a".into(), ours.get("a").cloned().unwrap());
            reordered.insert("b".into(), ours.get("b").cloned().unwrap());
            assert_eq!(Value::Object(reordered), ours, "equality ignores order, as indexmap's");
            let read: Value = serde_json::from_str(r#"{"k": 1, "j": 2, "k": 3}"#).unwrap();
            assert_eq!(serde_json::to_string(&read).unwrap(), r#"{"k":3,"j":2}"#);
        }
    }
}
