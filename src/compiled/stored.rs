//! The `can` programs a compiled policy carries (lowered by the compiler, [`super::program`]),
//! kept apart from the lowering so that [`crate::gate::Gate`] can hold them without the gate and
//! the lowering importing each other.

#[cfg(feature = "compiler")]
use std::collections::BTreeMap;

/// A lowered target: the code and its texts (names of object members, string and number
/// constants).
///
/// ```
/// let program = drf_gate::compiled::program::Program { code: vec![0, 2], texts: Vec::new() };
/// assert_eq!(program.code.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Program {
    /// The nodes, flat.
    pub code: Vec<i32>,
    /// Texts the code refers to by index.
    pub texts: Vec<String>,
}

/// The programs of a compiled policy: distinct programs once, and which target runs which; and
/// the object fields a target that calls `get_object()` may read (`Gate::object_reads`).
#[derive(Clone, Debug, Default)]
pub(crate) struct StoredPrograms {
    pub(crate) pool: Vec<Program>,
    pub(crate) entries: Vec<StoredEntry>,
    pub(crate) object_reads: Option<Vec<Vec<String>>>,
    /// `entries` by target (the first of a repeated one), so that `get` is a lookup: a policy
    /// of thousands of views stores tens of thousands of entries, and a scan per target made
    /// compiling it quadratic (and the runtime's first `can` of each target linear in the
    /// policy).
    /// (Only in the compiler: the browser runtime and the Worker build scan, once per target in
    /// the runtime, whose JS keeps each program; the map costs their .wasm ~2-2.5 KB gzip.)
    #[cfg(feature = "compiler")]
    by_target: BTreeMap<(bool, StoredTarget), usize>,
}

/// A target as stored: the indices and method of a `gate::ResolvedTarget`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StoredTarget {
    pub(crate) view: usize,
    pub(crate) route: usize,
    pub(crate) action: Option<usize>,
    pub(crate) method: String,
}

/// One target's program in [`StoredPrograms`].
#[derive(Clone, Debug)]
pub(crate) struct StoredEntry {
    pub(crate) target: StoredTarget,
    pub(crate) with_object: bool,
    /// Index into the pool.
    pub(crate) program: usize,
}

impl StoredPrograms {
    /// No entries yet, over the programs `pool` (entries name them by index).
    pub(crate) fn with_pool(pool: Vec<Program>) -> Self {
        Self { pool, ..Self::default() }
    }

    /// The program stored for a target, if any.
    pub(crate) fn get(&self, target: &StoredTarget, with_object: bool) -> Option<&Program> {
        #[cfg(feature = "compiler")]
        let entry = self.entries.get(*self.by_target.get(&(with_object, target.clone()))?)?;
        #[cfg(not(feature = "compiler"))]
        let entry = self.entries.iter().find(|entry| entry.with_object == with_object && entry.target == *target)?;
        self.pool.get(entry.program)
    }

    /// Adds an entry (a target already stored keeps its first program, as `get` reads it).
    pub(crate) fn push(&mut self, entry: StoredEntry) {
        #[cfg(feature = "compiler")]
        self.by_target.entry((entry.with_object, entry.target.clone())).or_insert(self.entries.len());
        self.entries.push(entry);
    }
}
