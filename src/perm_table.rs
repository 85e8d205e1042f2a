//! Interning of Django permission names (`"app_label.codename"`).
//!
//! A compiled policy knows every permission it can ever ask about: the `perms_map` templates
//! resolved for each view's model, and the literals in `has_perm(...)` conditions. Each gets a
//! small integer id, so a user's permissions become a bitset and `has_perm` is one bit test.

use std::collections::HashMap;

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
    by_name: HashMap<String, PermId>,
    codenames: HashMap<String, CodenameId>,
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
        let codename_id = *self.codenames.entry(codename.to_owned()).or_insert(next_codename);
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
