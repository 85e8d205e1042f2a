//! A compiled condition in the compiled policy's byte form (see [`crate::compiled`]).
//!
//! Trees are read with an explicit depth budget: a forged file cannot nest deeper than the
//! checker ever builds, so neither decoding nor evaluation can exhaust the stack.

use super::tree::{CmpOp, Const, Node, UserField};
use super::{Condition, Scope};
#[cfg(feature = "compiler")]
use crate::compiled::wire::Writer;
use crate::compiled::wire::{Reader, Sticky};
use crate::perm_table::PermId;

/// Deeper than anything the checker builds (its limit is 128), and shallow enough to recurse.
const MAX_DEPTH: u32 = 160;

const CMP_OPS: [CmpOp; 10] = [
    CmpOp::Eq,
    CmpOp::Ne,
    CmpOp::Lt,
    CmpOp::Le,
    CmpOp::Gt,
    CmpOp::Ge,
    CmpOp::In,
    CmpOp::NotIn,
    CmpOp::Is,
    CmpOp::IsNot,
];

const USER_FIELDS: [UserField; 7] = [
    UserField::Id,
    UserField::Username,
    UserField::IsActive,
    UserField::IsStaff,
    UserField::IsSuperuser,
    UserField::IsAuthenticated,
    UserField::IsAnonymous,
];

#[cfg(feature = "compiler")]
impl Condition {
    pub(crate) fn encode(&self, out: &mut Writer) {
        out.str(&self.source);
        out.u8(match self.scope {
            Scope::View => 0,
            Scope::Object => 1,
        });
        out.bool(self.reads_object);
        encode_node(&self.root, out);
    }
}

impl Condition {
    /// Reads a condition; `perm_count` bounds the permission ids it may name. After a failure
    /// (kept by the [`Sticky`] reader) the rest reads as defaults.
    pub(crate) fn decode(d: &mut Sticky<'_, '_>, perm_count: usize) -> Condition {
        let source = d.string();
        let scope = match d.u8() {
            0 => Scope::View,
            1 => Scope::Object,
            _ => {
                d.fail("an unknown condition scope");
                Scope::View
            }
        };
        let reads_object = d.bool();
        let root = decode_node(d, perm_count, 0);
        Condition { source, scope, reads_object, root }
    }

    /// The object paths evaluation may read (`obj.owner` is `["owner"]`); `None` when it may read
    /// the object as a whole (`obj` compared, iterated, or passed to `has_perm`).
    pub fn object_paths(&self) -> Option<Vec<Vec<String>>> {
        let mut paths = Vec::new();
        collect_paths(&self.root, &mut paths, false).then_some(paths)
    }

    /// Adds to `out` every object path evaluation may read, counting `has_perm(..., obj)` as a
    /// read of `pk` and `id` (the object backend keys its grants by them); `false` when it may
    /// read the object as a whole.
    ///
    /// ```
    /// use drf_gate::condition::{Condition, Scope};
    /// let mut perms = Default::default();
    /// let owner = Condition::compile("obj.owner == request.user or request.user.has_perm('blog.change_post', obj)", Scope::Object, &mut perms).unwrap();
    /// let mut paths = Vec::new();
    /// assert!(owner.collect_object_reads(&mut paths));
    /// assert_eq!(paths, [["owner"], ["pk"], ["id"]]);
    /// let whole = Condition::compile("obj == request.user", Scope::Object, &mut perms).unwrap();
    /// assert!(!whole.collect_object_reads(&mut paths));
    /// ```
    pub fn collect_object_reads(&self, out: &mut Vec<Vec<String>>) -> bool {
        collect_paths(&self.root, out, true)
    }
}

fn push_path(out: &mut Vec<Vec<String>>, path: Vec<String>) {
    if !out.contains(&path) {
        out.push(path);
    }
}

fn collect_paths(node: &Node, out: &mut Vec<Vec<String>>, perm_object: bool) -> bool {
    match node {
        Node::Obj { path } => {
            if path.is_empty() {
                return false;
            }
            push_path(out, path.iter().map(|part| part.to_string()).collect());
            true
        }
        Node::HasPerm { with_object, .. } | Node::HasPerms { with_object, .. } => {
            if *with_object && perm_object {
                push_path(out, vec!["pk".to_owned()]);
                push_path(out, vec!["id".to_owned()]);
                return true;
            }
            !with_object
        }
        Node::GetAttr(inner, _) | Node::Not(inner) => collect_paths(inner, out, perm_object),
        Node::List(items) | Node::Tuple(items) | Node::And(items) | Node::Or(items) => {
            items.iter().all(|item| collect_paths(item, out, perm_object))
        }
        Node::Compare(first, rest) => {
            collect_paths(first, out, perm_object) && rest.iter().all(|(_, item)| collect_paths(item, out, perm_object))
        }
        Node::Const(_) | Node::Method | Node::Action | Node::User | Node::UserField(_) | Node::UserAttr { .. } => true,
    }
}

#[cfg(feature = "compiler")]
fn encode_strs(parts: &[Box<str>], out: &mut Writer) {
    out.usize(parts.len());
    for part in parts {
        out.str(part);
    }
}

#[cfg(feature = "compiler")]
fn encode_nodes(nodes: &[Node], out: &mut Writer) {
    out.usize(nodes.len());
    for node in nodes {
        encode_node(node, out);
    }
}

#[cfg(feature = "compiler")]
fn encode_node(node: &Node, out: &mut Writer) {
    match node {
        Node::Const(value) => {
            out.u8(0);
            encode_const(value, out);
        }
        Node::Method => out.u8(1),
        Node::Action => out.u8(2),
        Node::User => out.u8(3),
        Node::UserField(field) => {
            out.u8(4);
            out.u8(USER_FIELDS.iter().position(|f| f == field).unwrap_or_default() as u8);
        }
        Node::UserAttr { name, path } => {
            out.u8(5);
            out.str(name);
            encode_strs(path, out);
        }
        Node::Obj { path } => {
            out.u8(6);
            encode_strs(path, out);
        }
        Node::GetAttr(inner, name) => {
            out.u8(7);
            encode_node(inner, out);
            out.str(name);
        }
        Node::HasPerm { perm, with_object } => {
            out.u8(8);
            out.varint(u64::from(perm.0));
            out.bool(*with_object);
        }
        Node::HasPerms { perms, with_object } => {
            out.u8(9);
            out.usize(perms.len());
            for perm in perms.iter() {
                out.varint(u64::from(perm.0));
            }
            out.bool(*with_object);
        }
        Node::List(items) => {
            out.u8(10);
            encode_nodes(items, out);
        }
        Node::Tuple(items) => {
            out.u8(11);
            encode_nodes(items, out);
        }
        Node::Not(inner) => {
            out.u8(12);
            encode_node(inner, out);
        }
        Node::And(items) => {
            out.u8(13);
            encode_nodes(items, out);
        }
        Node::Or(items) => {
            out.u8(14);
            encode_nodes(items, out);
        }
        Node::Compare(first, rest) => {
            out.u8(15);
            encode_node(first, out);
            out.usize(rest.len());
            for (op, item) in rest.iter() {
                out.u8(CMP_OPS.iter().position(|o| o == op).unwrap_or_default() as u8);
                encode_node(item, out);
            }
        }
    }
}

#[cfg(feature = "compiler")]
fn encode_const(value: &Const, out: &mut Writer) {
    match value {
        Const::None => out.u8(0),
        Const::Bool(value) => {
            out.u8(1);
            out.bool(*value);
        }
        Const::Int(value) => {
            out.u8(2);
            out.fixed(&value.to_le_bytes());
        }
        Const::Float(value) => {
            out.u8(3);
            out.fixed(&value.to_bits().to_le_bytes());
        }
        Const::Str(value) => {
            out.u8(4);
            out.str(value);
        }
        Const::List(items) | Const::Tuple(items) => {
            out.u8(if matches!(value, Const::List(_)) { 5 } else { 6 });
            out.usize(items.len());
            for item in items.iter() {
                encode_const(item, out);
            }
        }
    }
}

fn decode_str(d: &mut Sticky<'_, '_>) -> Box<str> {
    Box::from(d.opt(Reader::str).unwrap_or_default())
}

fn decode_strs(d: &mut Sticky<'_, '_>) -> Vec<Box<str>> {
    let count = d.count();
    let mut parts = Vec::with_capacity(count);
    for _ in 0..count {
        parts.push(decode_str(d));
    }
    parts
}

fn decode_perm(d: &mut Sticky<'_, '_>, perm_count: usize) -> PermId {
    let index = d.index(perm_count);
    u32::try_from(index).map(PermId).unwrap_or_else(|_| {
        d.fail("a permission id out of range");
        PermId(0)
    })
}

fn decode_nodes(d: &mut Sticky<'_, '_>, perm_count: usize, depth: u32) -> Box<[Node]> {
    let count = d.count();
    let mut nodes = Vec::with_capacity(count);
    for _ in 0..count {
        nodes.push(decode_node(d, perm_count, depth));
    }
    nodes.into_boxed_slice()
}

// After a failure every tag reads 0 (a `None` constant), so recursion ends there.
fn decode_node(d: &mut Sticky<'_, '_>, perm_count: usize, depth: u32) -> Node {
    if depth > MAX_DEPTH {
        d.fail("a condition nested too deep");
    }
    let next = depth + 1;
    match d.u8() {
        0 => Node::Const(decode_const(d, next)),
        1 => Node::Method,
        2 => Node::Action,
        3 => Node::User,
        4 => {
            let field = USER_FIELDS.get(usize::from(d.u8())).copied();
            Node::UserField(field.unwrap_or_else(|| {
                d.fail("an unknown user field");
                UserField::Id
            }))
        }
        5 => Node::UserAttr { name: decode_str(d), path: decode_strs(d) },
        6 => Node::Obj { path: decode_strs(d) },
        7 => {
            let inner = decode_node(d, perm_count, next);
            Node::GetAttr(Box::new(inner), decode_str(d))
        }
        8 => Node::HasPerm { perm: decode_perm(d, perm_count), with_object: d.bool() },
        9 => {
            let count = d.count();
            let mut perms = Vec::with_capacity(count);
            for _ in 0..count {
                perms.push(decode_perm(d, perm_count));
            }
            Node::HasPerms { perms: perms.into_boxed_slice(), with_object: d.bool() }
        }
        10 => Node::List(decode_nodes(d, perm_count, next)),
        11 => Node::Tuple(decode_nodes(d, perm_count, next)),
        12 => Node::Not(Box::new(decode_node(d, perm_count, next))),
        13 => Node::And(decode_nodes(d, perm_count, next)),
        14 => Node::Or(decode_nodes(d, perm_count, next)),
        15 => {
            let first = decode_node(d, perm_count, next);
            let count = d.count();
            let mut rest = Vec::with_capacity(count);
            for _ in 0..count {
                let op = CMP_OPS.get(usize::from(d.u8())).copied().unwrap_or_else(|| {
                    d.fail("an unknown comparison");
                    CmpOp::Eq
                });
                rest.push((op, decode_node(d, perm_count, next)));
            }
            Node::Compare(Box::new(first), rest.into_boxed_slice())
        }
        _ => {
            d.fail("an unknown condition node");
            Node::Method
        }
    }
}

fn decode_const(d: &mut Sticky<'_, '_>, depth: u32) -> Const {
    if depth > MAX_DEPTH {
        d.fail("a constant nested too deep");
    }
    match d.u8() {
        0 => Const::None,
        1 => Const::Bool(d.bool()),
        2 => Const::Int(i128::from_le_bytes(d.opt(Reader::array::<16>).unwrap_or_default())),
        3 => Const::Float(f64::from_bits(u64::from_le_bytes(d.opt(Reader::array::<8>).unwrap_or_default()))),
        4 => Const::Str(decode_str(d)),
        tag @ (5 | 6) => {
            let count = d.count();
            let mut items = Vec::with_capacity(count);
            for _ in 0..count {
                items.push(decode_const(d, depth + 1));
            }
            let items = items.into_boxed_slice();
            if tag == 5 {
                Const::List(items)
            } else {
                Const::Tuple(items)
            }
        }
        _ => {
            d.fail("an unknown constant");
            Const::None
        }
    }
}
