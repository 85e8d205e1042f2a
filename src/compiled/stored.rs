//! The `can` programs a compiled policy carries (lowered by the compiler, [`super::program`]),
//! kept apart from the lowering so that [`crate::gate::Gate`] can hold them without the gate and
//! the lowering importing each other.

/// A lowered target: the code and its texts (names of object members, string and number
/// constants).
///
/// ```
/// let program = drf_gate::compiled::program::Program { code: vec![0, 2], texts: Vec::new() };
/// assert_eq!(program.code.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
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
}

/// A target as stored: the indices and method of a `gate::ResolvedTarget`.
#[derive(Clone, Debug, PartialEq)]
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
    /// The program stored for a target, if any.
    pub(crate) fn get(&self, target: &StoredTarget, with_object: bool) -> Option<&Program> {
        let entry = self.entries.iter().find(|entry| entry.with_object == with_object && entry.target == *target)?;
        self.pool.get(entry.program)
    }
}
