//! Interning of Django permission names (`"app_label.codename"`).
//!
//! A compiled policy knows every permission it can ever ask about: the `perms_map` templates
//! resolved for each view's model, and the literals in `has_perm(...)` conditions. Each gets a
//! small integer id, so a user's permissions become a bitset and `has_perm` is one bit test.

/// The id of an interned permission name such as `blog.add_post`.
///
/// ```
/// use drf_gate::perm_table::PermissionTable;
/// let mut table = PermissionTable::default();
/// let add = table.intern("blog.add_post");
/// assert_eq!(table.get("blog.add_post"), Some(add));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermId(pub u32);

/// The id of an interned codename (the part after the dot). Object permission backends such as
/// django-guardian compare codenames only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodenameId(pub u32);

/// Every permission name a policy can ask about, each with its id.
///
/// ```
/// use drf_gate::perm_table::PermissionTable;
/// let mut table = PermissionTable::default();
/// let id = table.intern("blog.change_post");
/// assert_eq!(table.name(id), Some("blog.change_post"));
/// assert_eq!(table.codename(id), table.codename_id("change_post"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct PermissionTable {
    names: Vec<String>,
    codenames_of: Vec<CodenameId>,
    by_name: NameMap<PermId>,
    codenames: NameMap<CodenameId>,
}

/// A map from names, as a sorted `Vec` searched by bisection: the maps of a gate are small and
/// built once, and this keeps hashbrown's code out of the browser runtime's `.wasm`.
///
/// ```
/// use drf_gate::perm_table::NameMap;
/// let mut map = NameMap::default();
/// assert_eq!(map.insert("b".to_owned(), 2), None);
/// assert_eq!(map.insert("a".to_owned(), 1), None);
/// assert_eq!(map.insert("b".to_owned(), 3), Some(2));
/// assert_eq!((map.get("a"), map.get("b"), map.get("c"), map.len()), (Some(&1), Some(&3), None, 2));
/// let from: NameMap<u8> = [("x".to_owned(), 1), ("w".to_owned(), 2), ("x".to_owned(), 3)].into_iter().collect();
/// assert_eq!((from.get("x"), from.get("w"), from.len()), (Some(&3), Some(&2), 2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NameMap<V>(Vec<(String, V)>);

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap(Vec::new())
    }
}

impl<V> NameMap<V> {
    fn search(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(key, _)| key.as_str().cmp(name))
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.search(name).ok().and_then(|index| self.0.get(index)).map(|(_, value)| value)
    }

    /// Whether `name` has a value.
    pub fn contains_key(&self, name: &str) -> bool {
        self.search(name).is_ok()
    }

    /// Sets the value of `name`; returns the previous one.
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        match self.search(&name) {
            Ok(index) => self.0.get_mut(index).map(|slot| std::mem::replace(&mut slot.1, value)),
            Err(index) => {
                self.0.insert(index, (name, value));
                None
            }
        }
    }

    /// The value of `name`, set to `value` first if it has none.
    pub fn get_or_insert(&mut self, name: &str, value: V) -> V
    where
        V: Copy,
    {
        match self.search(name) {
            Ok(index) => self.0.get(index).map_or(value, |(_, found)| *found),
            Err(index) => {
                self.0.insert(index, (name.to_owned(), value));
                value
            }
        }
    }

    /// How many names have a value.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V> NameMap<V> {
    /// The entries, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(name, value)| (name, value))
    }
}

/// A JSON object, as a `BTreeMap` reads it: the last value of a repeated name wins.
impl<'de, V: serde::Deserialize<'de>> serde::Deserialize<'de> for NameMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<V>(std::marker::PhantomData<V>);
        impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Entries<V> {
            type Value = NameMap<V>;
            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = access.next_entry()? {
                    entries.push(entry);
                }
                Ok(entries.into_iter().collect())
            }
        }
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

/// A JSON object in name order, as a `BTreeMap` writes it.
impl<V: serde::Serialize> serde::Serialize for NameMap<V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// The last value of each name wins, as inserting them in order would (O(n log n)).
impl<V> FromIterator<(String, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut slots: Vec<Option<(String, V)>> = iter.into_iter().map(Some).collect();
        let names: Vec<&str> = slots.iter().map(|slot| slot.as_ref().map_or("", |(name, _)| name.as_str())).collect();
        let order = order_by_name(&names);
        // Of a run of equal names (in given order), the last.
        let mut last = Vec::with_capacity(order.len());
        for (place, at) in order.iter().enumerate() {
            let name = names.get(*at as usize);
            if order.get(place + 1).is_none_or(|next| names.get(*next as usize) != name) {
                last.push(*at);
            }
        }
        let mut entries = Vec::with_capacity(last.len());
        for at in last {
            entries.extend(slots.get_mut(at as usize).and_then(Option::take));
        }
        NameMap(entries)
    }
}

/// The indices of `names` by name, then by place (equal names keep their given order). Sorts
/// `u32`s, not entries, with one closure: one copy of std's sort (a heapsort in a std built for
/// size) for every caller, the runtime's JSON map included.
///
/// ```
/// assert_eq!(drf_gate::perm_table::order_by_name(&["b", "a", "b", "a"]), [1, 3, 0, 2]);
/// ```
pub fn order_by_name(names: &[&str]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_unstable_by(|a, b| names.get(*a as usize).cmp(&names.get(*b as usize)).then(a.cmp(b)));
    order
}

/// The codename of a permission name: Django's `perm.split(".", 1)[1]`, or the whole name.
pub fn codename_part(name: &str) -> &str {
    match name.split_once('.') {
        Some((_, codename)) => codename,
        None => name,
    }
}

impl PermissionTable {
    /// Returns the id of `name`, adding it if it is new.
    pub fn intern(&mut self, name: &str) -> PermId {
        if let Some(id) = self.by_name.get(name) {
            return *id;
        }
        let id = PermId(self.names.len() as u32);
        let codename = codename_part(name);
        let next_codename = CodenameId(self.codenames.len() as u32);
        let codename_id = self.codenames.get_or_insert(codename, next_codename);
        self.names.push(name.to_owned());
        self.codenames_of.push(codename_id);
        self.by_name.insert(name.to_owned(), id);
        id
    }

    /// The id of `name`, if the policy ever asks about it.
    pub fn get(&self, name: &str) -> Option<PermId> {
        self.by_name.get(name).copied()
    }

    /// The name behind an id.
    pub fn name(&self, id: PermId) -> Option<&str> {
        self.names.get(id.0 as usize).map(String::as_str)
    }

    /// The codename id of a permission id.
    pub fn codename(&self, id: PermId) -> Option<CodenameId> {
        self.codenames_of.get(id.0 as usize).copied()
    }

    /// The id of a codename (`"change_post"`), if the policy ever asks about it.
    pub fn codename_id(&self, codename: &str) -> Option<CodenameId> {
        self.codenames.get(codename).copied()
    }

    /// How many permission names are interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no permission is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// How many codenames are interned.
    pub fn codename_count(&self) -> usize {
        self.codenames.len()
    }
}

/// A fixed-size set of small ids, one bit each.
///
/// ```
/// use drf_gate::perm_table::BitSet;
/// let mut set = BitSet::with_capacity(70);
/// set.insert(65);
/// assert!(set.contains(65));
/// assert!(!set.contains(3));
/// assert!(!set.contains(10_000));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    /// An empty set able to hold ids below `capacity`.
    pub fn with_capacity(capacity: usize) -> Self {
        BitSet { words: vec![0; capacity.div_ceil(64)] }
    }

    /// Adds `id`; ids beyond the capacity are ignored (the policy never asks about them).
    pub fn insert(&mut self, id: u32) {
        if let Some(word) = self.words.get_mut((id / 64) as usize) {
            *word |= 1u64 << (id % 64);
        }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: u32) -> bool {
        self.words.get((id / 64) as usize).is_some_and(|word| word & (1u64 << (id % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::NameMap;

    /// Collecting equals inserting in order (the last value of a name wins), on inputs with many
    /// repeated names, for every length up to 200.
    #[test]
    fn collect_is_insertion_in_order() {
        let mut seed: u32 = 7;
        for len in 0..200usize {
            let items: Vec<(String, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (format!("n{}", (seed >> 16) % (len as u32 / 3 + 1)), i)
                })
                .collect();
            let mut inserted = NameMap::default();
            for (name, value) in items.clone() {
                inserted.insert(name, value);
            }
            let collected: NameMap<usize> = items.into_iter().collect();
            assert_eq!(collected.0, inserted.0, "length {len}");
        }
    }
}
