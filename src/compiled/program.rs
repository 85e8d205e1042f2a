//! `can` as a program: each target of a compiled policy (view, action or method, with or without
//! an object) lowered into a small flat program that `pkg/src/program.js` evaluates in JS against
//! a subject's facts ([`Gate::subject_facts`], computed once in wasm) and the object's fields.
//!
//! The lowering follows [`crate::views::View::dispatch`] step by step (`check_permissions`, the
//! handler lookup, the queryset, `check_object_permissions`, `OR` re-running `has_permission`),
//! and lowers only what JS can decide exactly. Everything else is `ASK`: the program then answers
//! "ask wasm" and the caller takes the wasm path. Results are three-valued (false, true, ask):
//! `AND`/`OR`/`NOT` keep DRF's order, and an `ASK` met on the way is the whole answer, so a place
//! where Python could raise (a missing attribute, an unorderable pair, a permission class that
//! raises) is always `ASK`, never guessed. The request's method and action are known per target,
//! so conditions over them are folded here by the condition evaluator itself.
//!
//! # Encoding
//! A program is `Vec<i32>` plus a text table. A node is `[op, size, operands...]`, `size` being
//! the node's whole length in words. Boolean nodes: `FALSE`, `TRUE`, `ASK`, `FACT k`,
//! `AND children...`, `OR children...`, `NOT child`, `TRUTHY value`, `CMP cmp value value`,
//! `USER_EQ value`, `USER_NE value` (`value == request.user` with drf-gate's user rule). Value
//! nodes: `V_CONST tag args` (tag 0 None, 1 False, 2 True, 3 a number: its f64 bits as low and
//! high word, 4 a string: text `arg`), `V_OBJ n text...` (`obj.a.b`), `V_USER_ID`, `V_USERNAME`, `V_FACT k`.
//!
//! Facts (indices of `FACT`/`V_FACT`): 0 authenticated, 1 anonymous, 2 active, 3 staff,
//! 4 superuser, 5 token user, then `has_perm(p)` for every permission `p` of the table, then
//! `has_perm(p, obj)` (2: depends on the object, ask).
//!
//! ```
//! # #[cfg(feature = "compiler")] {
//! use drf_gate::compiled::program::{ops, Program};
//! let gate = drf_gate::Gate::from_json(r#"{"permissions": ["IsAuthenticatedOrReadOnly"], "views": {"posts": {}}}"#)?;
//! let list = gate.resolve("posts", "list", false)?;
//! assert_eq!(gate.program(&list, false).code, [ops::TRUE, 2]);
//! let create = gate.resolve("posts", "create", false)?;
//! assert_eq!(gate.program(&create, false).code, [ops::FACT, 3, 0]);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// The lowering runs in the compiler only (compiled policies carry their programs).
#![cfg_attr(not(feature = "compiler"), allow(dead_code, unused_imports))]

use crate::value::Value;

pub use super::stored::Program;
use super::stored::{StoredEntry, StoredPrograms, StoredTarget};
use crate::condition::eval::{self, Value as PyValue};
use crate::condition::tree::{CmpOp, Node as Cond, UserField};
use crate::condition::{Environment, Scope};
use crate::gate::{Gate, ResolvedTarget};
use crate::perm_table::PermId;
use crate::permissions::{Check, Node, PermsMap, SAFE_METHODS};
use crate::user::User;

/// The opcodes (shared with `pkg/src/program.js`).
pub mod ops {
    /// False.
    pub const FALSE: i32 = 0;
    /// True.
    pub const TRUE: i32 = 1;
    /// Ask wasm.
    pub const ASK: i32 = 2;
    /// A fact of the subject (0, 1, or 2: ask).
    pub const FACT: i32 = 3;
    /// All children, in order; the first that is not true is the answer.
    pub const AND: i32 = 4;
    /// Any child, in order; the first that is not false is the answer.
    pub const OR: i32 = 5;
    /// Negation (ask stays ask).
    pub const NOT: i32 = 6;
    /// Python's `bool(value)`.
    pub const TRUTHY: i32 = 7;
    /// A comparison (see [`super::cmp`]) of two values.
    pub const CMP: i32 = 8;
    /// `value == request.user`.
    pub const USER_EQ: i32 = 9;
    /// `value != request.user`.
    pub const USER_NE: i32 = 10;
    /// `check`'s steps in DRF's order (the root of a check program only): the answer is the
    /// index of the first step that is not true (the number of steps: all passed), or ask.
    pub const STEPS: i32 = 11;
    /// A constant.
    pub const V_CONST: i32 = 20;
    /// `obj.<path>`.
    pub const V_OBJ: i32 = 21;
    /// `request.user.id`.
    pub const V_USER_ID: i32 = 22;
    /// `request.user.username`.
    pub const V_USERNAME: i32 = 23;
    /// A fact as a bool.
    pub const V_FACT: i32 = 24;
}

/// Comparison operators of `CMP`.
pub mod cmp {
    /// `==`.
    pub const EQ: i32 = 0;
    /// `!=`.
    pub const NE: i32 = 1;
    /// `<`.
    pub const LT: i32 = 2;
    /// `<=`.
    pub const LE: i32 = 3;
    /// `>`.
    pub const GT: i32 = 4;
    /// `>=`.
    pub const GE: i32 = 5;
    /// `is`.
    pub const IS: i32 = 6;
    /// `is not`.
    pub const IS_NOT: i32 = 7;
}

const AUTHENTICATED: u32 = 0;
const ANONYMOUS: u32 = 1;
const ACTIVE: u32 = 2;
const STAFF: u32 = 3;
const SUPERUSER: u32 = 4;
const TOKEN_USER: u32 = 5;
const FIRST_PERM: u32 = 6;

/// Integers JS numbers hold exactly.
const MAX_SAFE_INTEGER: i128 = (1 << 53) - 1;

/// Whether `code` is one well-formed boolean node over `texts` texts (what a compiled policy's
/// program must be): known ops, sizes that add up, text indices in range, bounded depth.
pub(crate) fn well_formed(code: &[i32], texts: usize) -> bool {
    fn node(code: &[i32], texts: usize, boolean: bool, depth: u32) -> Option<usize> {
        let op = *code.first()?;
        let size = usize::try_from(*code.get(1)?).ok().filter(|size| (2..=code.len()).contains(size))?;
        let args = code.get(2..size)?;
        let text = |at: &i32| usize::try_from(*at).is_ok_and(|at| at < texts);
        let children = |mut rest: &[i32], count: Option<usize>, boolean: bool| -> Option<()> {
            let mut seen = 0;
            while !rest.is_empty() && depth > 0 {
                let used = node(rest, texts, boolean, depth - 1)?;
                rest = rest.get(used..)?;
                seen += 1;
            }
            (rest.is_empty() && count.is_none_or(|count| count == seen)).then_some(())
        };
        let ok = match (boolean, op) {
            (true, ops::FALSE | ops::TRUE | ops::ASK) => args.is_empty(),
            (true, ops::FACT) | (false, ops::V_FACT) => args.len() == 1,
            (true, ops::AND | ops::OR) => children(args, None, true).is_some() && !args.is_empty(),
            (true, ops::NOT) => children(args, Some(1), true).is_some(),
            (true, ops::TRUTHY | ops::USER_EQ | ops::USER_NE) => children(args, Some(1), false).is_some(),
            (true, ops::CMP) => args.split_first().is_some_and(|(cmp, values)| {
                (cmp::EQ..=cmp::IS_NOT).contains(cmp) && children(values, Some(2), false).is_some()
            }),
            (false, ops::V_CONST) => match args {
                [0..=2, 0] | [3, _, _] => true,
                [4, at] => text(at),
                _ => false,
            },
            (false, ops::V_OBJ) => args
                .split_first()
                .is_some_and(|(n, path)| usize::try_from(*n) == Ok(path.len()) && path.iter().all(text)),
            (false, ops::V_USER_ID | ops::V_USERNAME) => args.is_empty(),
            _ => false,
        };
        ok.then_some(size)
    }
    node(code, texts, true, 64) == Some(code.len())
}

/// A boolean node, before folding into code.
#[derive(Clone, Debug, PartialEq)]
enum P {
    False,
    True,
    Ask,
    Fact(u32),
    And(Vec<P>),
    Or(Vec<P>),
    Not(Box<P>),
    Truthy(V),
    Cmp(i32, V, V),
    UserEq(V),
    UserNe(V),
}

/// A value node.
#[derive(Clone, Debug, PartialEq)]
enum V {
    None,
    Bool(bool),
    Number(f64),
    Str(String),
    Obj(Vec<String>),
    UserId,
    Username,
    Fact(u32),
}

/// `AND`, folded: true children dropped, nothing after a false one.
fn and(children: Vec<P>) -> P {
    let mut kept = Vec::new();
    for child in children {
        match child {
            P::True => {}
            P::And(inner) => kept.extend(inner),
            P::False | P::Ask => {
                if kept.is_empty() {
                    return child;
                }
                kept.push(child);
                break;
            }
            other => kept.push(other),
        }
    }
    match kept.len() {
        0 => P::True,
        1 => kept.pop().unwrap_or(P::Ask),
        _ => P::And(kept),
    }
}

/// `OR`, folded: false children dropped, nothing after a true one.
fn or(children: Vec<P>) -> P {
    let mut kept = Vec::new();
    for child in children {
        match child {
            P::False => {}
            P::Or(inner) => kept.extend(inner),
            P::True | P::Ask => {
                if kept.is_empty() {
                    return child;
                }
                kept.push(child);
                break;
            }
            other => kept.push(other),
        }
    }
    match kept.len() {
        0 => P::False,
        1 => kept.pop().unwrap_or(P::Ask),
        _ => P::Or(kept),
    }
}

fn not(child: P) -> P {
    match child {
        P::True => P::False,
        P::False => P::True,
        P::Ask => P::Ask,
        P::Not(inner) => *inner,
        other => P::Not(Box::new(other)),
    }
}

/// What is known per target: the request as the checks read it.
struct Known<'g> {
    gate: &'g Gate,
    method: &'g str,
    safe: bool,
    action: Option<&'g str>,
    ignore_model_permissions: bool,
}

/// The environment of a condition part that reads only the method, the action and constants.
struct Static<'a> {
    method: &'a str,
    action: Option<&'a str>,
    user: User,
}

impl Environment for Static<'_> {
    fn method(&self) -> &str {
        self.method
    }
    fn action(&self) -> Option<&str> {
        self.action
    }
    fn user(&self) -> &User {
        &self.user
    }
    fn object(&self) -> Option<&Value> {
        None
    }
    fn has_perm(&self, _: PermId, _: bool) -> bool {
        false
    }
}

/// Whether a condition part reads nothing but the method, the action and constants.
fn is_static(node: &Cond) -> bool {
    match node {
        Cond::Const(_) | Cond::Method | Cond::Action => true,
        Cond::List(items) | Cond::Tuple(items) | Cond::And(items) | Cond::Or(items) => items.iter().all(is_static),
        Cond::Not(inner) => is_static(inner),
        Cond::Compare(first, rest) => is_static(first) && rest.iter().all(|(_, node)| is_static(node)),
        _ => false,
    }
}

impl Known<'_> {
    fn fact_perm(&self, perm: PermId, with_object: bool) -> u32 {
        let count = self.gate.table.len() as u32;
        FIRST_PERM + perm.0 + if with_object { count } else { 0 }
    }

    /// Django's `has_perms(perms, obj)`: never for a TokenUser, else every `has_perm`.
    fn has_perms(&self, perms: &[PermId], with_object: bool) -> P {
        let mut all = vec![not(P::Fact(TOKEN_USER))];
        all.extend(perms.iter().map(|perm| P::Fact(self.fact_perm(*perm, with_object))));
        and(all)
    }

    /// `has_permission` of a bound expression.
    fn has_permission(&self, node: &Node) -> P {
        match node {
            Node::Leaf { class, perms } => match self.gate.classes.get(*class) {
                Some(class) => self.check(&class.has_permission, perms.as_deref(), false),
                None => P::Ask,
            },
            Node::And(left, right) => and(vec![self.has_permission(left), self.has_permission(right)]),
            Node::Or(left, right) => or(vec![self.has_permission(left), self.has_permission(right)]),
            Node::Not(inner) => not(self.has_permission(inner)),
        }
    }

    /// `has_object_permission` of a bound expression (`OR` re-runs each side's
    /// `has_permission` first).
    fn has_object_permission(&self, node: &Node) -> P {
        match node {
            Node::Leaf { class, perms } => match self.gate.classes.get(*class) {
                Some(class) => self.check(&class.has_object_permission, perms.as_deref(), true),
                None => P::Ask,
            },
            Node::And(left, right) => and(vec![self.has_object_permission(left), self.has_object_permission(right)]),
            Node::Or(left, right) => or(vec![
                and(vec![self.has_permission(left), self.has_object_permission(left)]),
                and(vec![self.has_permission(right), self.has_object_permission(right)]),
            ]),
            Node::Not(inner) => not(self.has_object_permission(inner)),
        }
    }

    /// `permissions::run_check`, lowered.
    fn check(&self, check: &Check, perms: Option<&PermsMap>, with_object: bool) -> P {
        let required = |method: &str| {
            perms.and_then(|map| map.entries.iter().find(|(key, _)| key == method).map(|(_, perms)| &**perms))
        };
        match check {
            Check::AllowAll => P::True,
            Check::IsAuthenticated => P::Fact(AUTHENTICATED),
            Check::IsAdminUser => P::Fact(STAFF),
            Check::IsAuthenticatedOrReadOnly if self.safe => P::True,
            Check::IsAuthenticatedOrReadOnly => P::Fact(AUTHENTICATED),
            Check::DjangoModelPermissions => {
                let rest = if self.ignore_model_permissions {
                    P::True
                } else {
                    // No perms_map, or a method it lacks: DRF raises.
                    required(self.method).map_or(P::Ask, |required| self.has_perms(required, false))
                };
                if perms.is_none_or(|map| map.authenticated_users_only) {
                    and(vec![P::Fact(AUTHENTICATED), rest])
                } else {
                    rest
                }
            }
            Check::DjangoObjectPermissions if with_object => {
                let Some(needed) = required(self.method) else { return P::Ask };
                // Without the permission DRF raises (404) unless the user may read the object.
                let otherwise = match (self.safe, required("GET")) {
                    (false, Some(read)) => and(vec![or(vec![self.has_perms(read, true), P::Ask]), P::False]),
                    _ => P::Ask,
                };
                or(vec![self.has_perms(needed, true), otherwise])
            }
            Check::DjangoObjectPermissions => P::Ask,
            // Decided by a looked-up key row: wasm answers.
            Check::HasApiKey(_) => P::Ask,
            Check::Condition(index) => match self.gate.conditions.get(*index) {
                Some(condition) if with_object || condition.scope() == Scope::View => {
                    self.truth(condition.root(), with_object)
                }
                _ => P::Ask,
            },
        }
    }

    /// A static part, evaluated by the condition evaluator itself (`None`: it raises).
    fn evaluate<T>(&self, node: &Cond, then: impl FnOnce(&PyValue<'_>) -> T) -> Option<T> {
        let env = Static { method: self.method, action: self.action, user: User::anonymous() };
        eval::eval(node, &env).ok().map(|value| then(&value))
    }

    /// A condition part in a truth context (`bool(part)`).
    fn truth(&self, node: &Cond, has_object: bool) -> P {
        if is_static(node) {
            return match self.evaluate(node, |value| eval::truthy(value).ok()).flatten() {
                Some(true) => P::True,
                Some(false) => P::False,
                None => P::Ask,
            };
        }
        match node {
            Cond::User => P::True,
            Cond::UserField(field) => match field {
                UserField::IsActive => P::Fact(ACTIVE),
                UserField::IsStaff => P::Fact(STAFF),
                UserField::IsSuperuser => P::Fact(SUPERUSER),
                UserField::IsAuthenticated => P::Fact(AUTHENTICATED),
                UserField::IsAnonymous => P::Fact(ANONYMOUS),
                UserField::Id => P::Truthy(V::UserId),
                UserField::Username => P::Truthy(V::Username),
            },
            Cond::Obj { path } if has_object => P::Truthy(V::Obj(path.iter().map(|name| name.to_string()).collect())),
            Cond::HasPerm { with_object: true, .. } if !has_object => P::False,
            Cond::HasPerm { perm, with_object } => P::Fact(self.fact_perm(*perm, *with_object)),
            Cond::HasPerms { perms, with_object } => {
                if *with_object && !has_object {
                    and(vec![not(P::Fact(TOKEN_USER)), if perms.is_empty() { P::True } else { P::False }])
                } else {
                    self.has_perms(perms, *with_object)
                }
            }
            Cond::Not(inner) => not(self.truth(inner, has_object)),
            Cond::And(items) => and(items.iter().map(|item| self.truth(item, has_object)).collect()),
            Cond::Or(items) => or(items.iter().map(|item| self.truth(item, has_object)).collect()),
            Cond::Compare(first, rest) => match rest.as_ref() {
                [(op, second)] => self.compare(first, *op, second, has_object),
                _ => P::Ask,
            },
            _ => P::Ask,
        }
    }

    fn compare(&self, left: &Cond, op: CmpOp, right: &Cond, has_object: bool) -> P {
        let user_side = match (left, right) {
            (Cond::User, Cond::User) => return P::Ask,
            (Cond::User, other) | (other, Cond::User) => Some(other),
            _ => None,
        };
        if let Some(other) = user_side {
            let Some(value) = self.value(other, has_object) else { return P::Ask };
            return match op {
                CmpOp::Eq => P::UserEq(value),
                CmpOp::Ne => P::UserNe(value),
                _ => P::Ask,
            };
        }
        let Some(a) = self.value(left, has_object) else { return P::Ask };
        let code = match op {
            CmpOp::Eq => cmp::EQ,
            CmpOp::Ne => cmp::NE,
            CmpOp::Lt => cmp::LT,
            CmpOp::Le => cmp::LE,
            CmpOp::Gt => cmp::GT,
            CmpOp::Ge => cmp::GE,
            CmpOp::Is => cmp::IS,
            CmpOp::IsNot => cmp::IS_NOT,
            CmpOp::In | CmpOp::NotIn => {
                // Membership in a constant list or tuple of scalars: `==` with each, in order.
                let Some(items) = self.constant_items(right) else { return P::Ask };
                if items.is_empty() {
                    return P::Ask; // the left side must still be evaluated (it may raise)
                }
                let found = or(items.into_iter().map(|item| P::Cmp(cmp::EQ, a.clone(), item)).collect());
                return if op == CmpOp::In { found } else { not(found) };
            }
        };
        match self.value(right, has_object) {
            Some(b) => P::Cmp(code, a, b),
            None => P::Ask,
        }
    }

    /// The scalar items of a static list or tuple.
    fn constant_items(&self, node: &Cond) -> Option<Vec<V>> {
        if !is_static(node) {
            return None;
        }
        let env = Static { method: self.method, action: self.action, user: User::anonymous() };
        let value = eval::eval(node, &env).ok()?;
        let items = match &value {
            PyValue::List(items) | PyValue::Tuple(items) => items,
            _ => return None,
        };
        let mut out = Vec::new();
        for index in 0.. {
            match items.get(index) {
                Some(item) => out.push(scalar(&item)?),
                None => break,
            }
        }
        Some(out)
    }

    /// A condition part as a value JS reads exactly (`None`: not lowered).
    fn value(&self, node: &Cond, has_object: bool) -> Option<V> {
        if is_static(node) {
            return self.evaluate(node, scalar).flatten();
        }
        match node {
            Cond::UserField(field) => Some(match field {
                UserField::Id => V::UserId,
                UserField::Username => V::Username,
                UserField::IsActive => V::Fact(ACTIVE),
                UserField::IsStaff => V::Fact(STAFF),
                UserField::IsSuperuser => V::Fact(SUPERUSER),
                UserField::IsAuthenticated => V::Fact(AUTHENTICATED),
                UserField::IsAnonymous => V::Fact(ANONYMOUS),
            }),
            Cond::Obj { path } if has_object => Some(V::Obj(path.iter().map(|name| name.to_string()).collect())),
            Cond::HasPerm { perm, with_object } if has_object || !*with_object => {
                Some(V::Fact(self.fact_perm(*perm, *with_object)))
            }
            _ => None,
        }
    }
}

/// A Python scalar JS holds exactly: None, a bool, a finite float, an int within 2^53, a str.
fn scalar(value: &PyValue<'_>) -> Option<V> {
    Some(match value {
        PyValue::None => V::None,
        PyValue::Bool(b) => V::Bool(*b),
        // Through i64: no i128-to-float conversion code in the runtime.
        PyValue::Int(i) if i.abs() <= MAX_SAFE_INTEGER => V::Number(i64::try_from(*i).ok()? as f64),
        PyValue::Float(f) if f.is_finite() => V::Number(*f),
        PyValue::Str(s) => V::Str((*s).to_owned()),
        _ => return None,
    })
}

/// Writes nodes as `[op, size, operands...]`.
#[derive(Default)]
struct Writer {
    program: Program,
}

impl Writer {
    fn text(&mut self, text: &str) -> i32 {
        if let Some(at) = self.program.texts.iter().position(|known| known == text) {
            return at as i32;
        }
        self.program.texts.push(text.to_owned());
        self.program.texts.len() as i32 - 1
    }

    /// Starts a node (op, a size patched by [`Writer::end`]); returns where it starts.
    fn start(&mut self, op: i32) -> usize {
        self.program.code.push(op);
        self.program.code.push(0);
        self.program.code.len() - 2
    }

    fn end(&mut self, start: usize) {
        let size = (self.program.code.len() - start) as i32;
        if let Some(slot) = self.program.code.get_mut(start + 1) {
            *slot = size;
        }
    }

    /// A node of `op` and plain operands.
    fn leaf(&mut self, op: i32, operands: &[i32]) {
        let start = self.start(op);
        self.program.code.extend_from_slice(operands);
        self.end(start);
    }

    fn boolean(&mut self, node: &P) {
        match node {
            P::False => self.leaf(ops::FALSE, &[]),
            P::True => self.leaf(ops::TRUE, &[]),
            P::Ask => self.leaf(ops::ASK, &[]),
            P::Fact(k) => self.leaf(ops::FACT, &[*k as i32]),
            P::And(children) | P::Or(children) => {
                let start = self.start(if matches!(node, P::And(_)) { ops::AND } else { ops::OR });
                for child in children {
                    self.boolean(child);
                }
                self.end(start);
            }
            P::Not(child) => {
                let start = self.start(ops::NOT);
                self.boolean(child);
                self.end(start);
            }
            P::Cmp(op, a, b) => {
                let start = self.start(ops::CMP);
                self.program.code.push(*op);
                self.value(a);
                self.value(b);
                self.end(start);
            }
            P::Truthy(value) | P::UserEq(value) | P::UserNe(value) => {
                let start = self.start(match node {
                    P::Truthy(_) => ops::TRUTHY,
                    P::UserEq(_) => ops::USER_EQ,
                    _ => ops::USER_NE,
                });
                self.value(value);
                self.end(start);
            }
        }
    }

    fn value(&mut self, value: &V) {
        match value {
            V::None => self.leaf(ops::V_CONST, &[0, 0]),
            V::Bool(b) => self.leaf(ops::V_CONST, &[1 + i32::from(*b), 0]),
            // The f64's bits (low, high word): exact, and no float formatting in the runtime.
            V::Number(n) => {
                let bits = n.to_bits();
                self.leaf(ops::V_CONST, &[3, bits as u32 as i32, (bits >> 32) as u32 as i32]);
            }
            V::Str(s) => {
                let at = self.text(s);
                self.leaf(ops::V_CONST, &[4, at]);
            }
            V::Obj(path) => {
                let start = self.start(ops::V_OBJ);
                self.program.code.push(path.len() as i32);
                for name in path {
                    let at = self.text(name);
                    self.program.code.push(at);
                }
                self.end(start);
            }
            V::UserId => self.leaf(ops::V_USER_ID, &[]),
            V::Username => self.leaf(ops::V_USERNAME, &[]),
            V::Fact(k) => self.leaf(ops::V_FACT, &[*k as i32]),
        }
    }
}

impl Gate {
    /// The program of a target from [`Gate::resolve`]: what [`Gate::can_resolved`] answers,
    /// lowered for `pkg/src/program.js` (see the module docs). `with_object`: an object is given
    /// (the object stage runs); without one, an action that calls `get_object()` is allowed by
    /// the view stage alone, as `can` answers it.
    ///
    /// ```
    /// use drf_gate::compiled::program::ops;
    /// let gate = drf_gate::Gate::from_json(r#"{"classes": {"IsOwner": {"hasObjectPermission": "obj.owner == request.user"}},
    ///   "permissions": ["IsOwner"], "views": {"posts": {}}}"#).unwrap();
    /// let destroy = gate.resolve("posts", "destroy", true).unwrap();
    /// let program = gate.program(&destroy, true);
    /// assert_eq!(program.code, [ops::USER_EQ, 6, ops::V_OBJ, 4, 1, 0]);
    /// assert_eq!(program.texts, ["owner"]);
    /// ```
    pub fn program(&self, target: &ResolvedTarget, with_object: bool) -> Program {
        // A compiled policy carries its programs (lowered by the compiler): the runtime has no
        // lowering. A target it does not list (an unusual method) asks wasm.
        if let Some(stored) =
            self.programs.as_ref().and_then(|stored| stored.get(&StoredTarget::of(target), with_object))
        {
            return stored.clone();
        }
        #[cfg(feature = "compiler")]
        {
            self.lowered_program(target, with_object)
        }
        #[cfg(not(feature = "compiler"))]
        {
            Program { code: vec![ops::ASK, 2], texts: Vec::new() }
        }
    }

    /// [`Gate::program`] by the lowering (the compiler's side).
    #[cfg(feature = "compiler")]
    fn lowered_program(&self, target: &ResolvedTarget, with_object: bool) -> Program {
        let mut writer = Writer::default();
        writer.boolean(&self.lower(target, with_object));
        writer.program
    }

    /// Every target `can` resolves to without an unusual method (each action and each method of
    /// RFC 9110 or of the view's routes, with and without an object), with its program: what a
    /// compiled policy stores.
    #[cfg(feature = "compiler")]
    pub(crate) fn stored_programs(&self) -> StoredPrograms {
        const METHODS: [&str; 8] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];
        let mut stored = StoredPrograms::default();
        stored.object_reads = self.policy_object_reads();
        // The distinct programs, each once in the pool (a lookup, not a scan of the pool).
        let mut pooled: std::collections::BTreeMap<Program, usize> = std::collections::BTreeMap::new();
        for view in &self.views {
            let handled = view.routes.iter().flat_map(|route| route.handled.iter().map(String::as_str));
            let names: Vec<&str> =
                view.actions.iter().map(|action| action.name.as_str()).chain(METHODS).chain(handled).collect();
            for name in names {
                for with_object in [false, true] {
                    let Ok(target) = self.resolve(&view.name, name, with_object) else { continue };
                    if stored.get(&StoredTarget::of(&target), with_object).is_some() {
                        continue;
                    }
                    let program = self.lowered_program(&target, with_object);
                    // Not stored: a target the store does not list asks wasm anyway.
                    if program.code == [ops::ASK, 2] {
                        continue;
                    }
                    let index = *pooled.entry(program).or_insert_with_key(|program| {
                        stored.pool.push(program.clone());
                        stored.pool.len() - 1
                    });
                    stored.push(StoredEntry { target: StoredTarget::of(&target), with_object, program: index });
                }
            }
        }
        stored
    }

    /// `check`'s program of a target from [`Gate::resolve_check`]: the steps of
    /// [`Gate::program`]'s lowering, each kept apart under one `STEPS` node, so that JS learns
    /// which step decides (the first that is not true) and not only whether all pass. For one
    /// target and one user the decision depends on the object only through that step: two
    /// objects with the same answer get the same decision (`pkg/src/gate.js` keys its memo on
    /// it). `with_object`: the object is given (the object stage runs).
    ///
    /// ```
    /// use drf_gate::compiled::program::ops;
    /// let gate = drf_gate::Gate::from_json(r#"{"classes": {"IsOwner": {"hasObjectPermission": "obj.owner == request.user"}},
    ///   "permissions": ["IsAuthenticated", "IsOwner"], "views": {"posts": {}}}"#).unwrap();
    /// let destroy = gate.resolve_check("posts", "destroy", true).unwrap();
    /// let program = gate.check_program(&destroy, true);
    /// // IsAuthenticated, IsOwner.has_permission (true: folded), IsAuthenticated's object check
    /// // (true), IsOwner's object check.
    /// assert_eq!(
    ///     program.code,
    ///     [ops::STEPS, 15, ops::FACT, 3, 0, ops::TRUE, 2, ops::TRUE, 2, ops::USER_EQ, 6, ops::V_OBJ, 4, 1, 0]
    /// );
    /// ```
    pub fn check_program(&self, target: &ResolvedTarget, with_object: bool) -> Program {
        let mut writer = Writer::default();
        let start = writer.start(ops::STEPS);
        for step in self.lowered(target, with_object, |steps| steps, || vec![P::False]) {
            writer.boolean(&step);
        }
        writer.end(start);
        writer.program
    }

    fn lower(&self, target: &ResolvedTarget, with_object: bool) -> P {
        self.lowered(target, with_object, and, || P::False)
    }

    /// The steps of a target in DRF's order, given to `finish`: `has_permission` per entry,
    /// then (when the method has no handler) a false step, or (with an object, for an action
    /// calling `get_object()`) the queryset and `has_object_permission` per entry. `missing`:
    /// not a target of this gate. Generic: `can`'s lowering (`and` of the steps) and `check`'s
    /// steps share it.
    fn lowered<T>(
        &self,
        target: &ResolvedTarget,
        with_object: bool,
        finish: impl FnOnce(Vec<P>) -> T,
        missing: impl FnOnce() -> T,
    ) -> T {
        let Some(view) = self.views.get(target.view) else { return missing() };
        let Some(route) = view.routes.get(target.route) else { return missing() };
        let action = target.action.and_then(|index| view.actions.get(index));
        let method = target.method.as_str();
        let permissions = match action {
            Some(action) => action.permissions,
            None if method == "OPTIONS" => route.options_permissions,
            None => route.permissions,
        };
        let known = Known {
            gate: self,
            method,
            safe: SAFE_METHODS.contains(&method),
            action: action.map(|action| action.name.as_str()).or(if method == "OPTIONS" {
                Some("metadata")
            } else {
                None
            }),
            ignore_model_permissions: view.ignore_model_permissions,
        };
        let entries = view.permission_lists.get(permissions).map_or(&[][..], Vec::as_slice);
        let mut steps: Vec<P> = entries.iter().map(|entry| known.has_permission(&entry.node)).collect();
        if !route.handled.iter().any(|handled| handled == method) {
            steps.push(P::False);
            return finish(steps);
        }
        let Some(action) = action else { return finish(steps) };
        if !action.get_object || !with_object {
            return finish(steps);
        }
        if let Some(queryset) = view.queryset {
            steps.push(match self.conditions.get(queryset) {
                Some(condition) => known.truth(condition.root(), true),
                None => P::Ask,
            });
        }
        steps.extend(entries.iter().map(|entry| known.has_object_permission(&entry.node)));
        finish(steps)
    }

    /// How many permissions the policy names: `subject_facts` gives two digits for each, after
    /// the six flags.
    ///
    /// ```
    /// # #[cfg(feature = "compiler")] {
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    /// assert_eq!(gate.permission_count(), 0);
    /// # }
    /// ```
    pub fn permission_count(&self) -> u32 {
        self.table.len() as u32
    }

    /// A subject's facts for programs: `[flags, id kind, id, username]`. `flags` has one digit
    /// per fact (`0`, `1`, or `2`: ask); the id kind is `n` (None), `i` (an int JS holds
    /// exactly, in decimal), `s` (a str) or `x` (anything else: ask).
    ///
    /// ```
    /// # #[cfg(feature = "compiler")] {
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    /// let user = gate.compile_user(&serde_json::from_str(r#"{"id": 3, "isStaff": true}"#).unwrap());
    /// assert_eq!(gate.subject_facts(&user), ["101100", "i", "3", ""]);
    /// assert_eq!(gate.subject_facts(&drf_gate::user::User::anonymous()), ["010000", "n", "", ""]);
    /// # }
    /// ```
    pub fn subject_facts(&self, user: &User) -> [String; 4] {
        let digit = |fact: bool| if fact { b'1' } else { b'0' };
        let mut flags: Vec<u8> = [
            user.is_authenticated(),
            user.is_anonymous(),
            user.is_active(),
            user.is_staff(),
            user.is_superuser(),
            user.is_token_user(),
        ]
        .into_iter()
        .map(digit)
        .collect();
        let count = self.permission_count();
        for perm in 0..count {
            flags.push(digit(user.has_perm(PermId(perm), None, &self.table)));
        }
        // Object permissions by pk depend on the object (unless has_perm answers before them).
        let by_pk = user.object_permissions_by_pk()
            && user.is_authenticated()
            && user.is_active()
            && !user.is_token_user()
            && !user.is_superuser();
        let probe = Value::Null;
        for perm in 0..count {
            flags.push(if by_pk { b'2' } else { digit(user.has_perm(PermId(perm), Some(&probe), &self.table)) });
        }
        let (kind, id) = match user.id() {
            None | Some(Value::Null) => ("n", String::new()),
            Some(Value::String(text)) => ("s", text.clone()),
            Some(Value::Number(number)) => match number.as_i64() {
                Some(int) if i128::from(int).abs() <= MAX_SAFE_INTEGER => ("i", crate::text::cat!(int)),
                _ => ("x", String::new()),
            },
            Some(_) => ("x", String::new()),
        };
        // ASCII digits only: always UTF-8.
        let flags = String::from_utf8(flags).unwrap_or_default();
        [flags, kind.to_owned(), id, user.username().to_owned()]
    }
}

/// The `can` program bindings (`program`, `programTexts`, `subjectFacts`), once for every
/// build's `GateCore` (a struct with `inner: Rc<Gate>` and `targets: RefCell<Vec<ResolvedTarget>>`,
/// a `SubjectCore` with `gate: Rc<Gate>` and `user: User`, in a module with
/// `context_error(&ContextError) -> JsValue`).
#[cfg(target_arch = "wasm32")]
macro_rules! program_bindings {
    () => {
        #[wasm_bindgen]
        impl GateCore {
            /// A target's `can` program.
            fn lowered(&self, target: u32, with_object: bool) -> Result<$crate::compiled::program::Program, JsValue> {
                let invalid = |message: &str| {
                    context_error(&$crate::ContextError::new(
                        $crate::error::ContextErrorCode::InvalidContext,
                        "$",
                        message,
                    ))
                };
                let targets = self.targets.try_borrow().map_err(|_| invalid("re-entrant call"))?;
                let target = targets.get(target as usize).ok_or_else(|| invalid("unknown target"))?;
                Ok(self.inner.program(target, with_object))
            }

            /// The `can` program of a target id (`pkg/src/program.js`): its code; its texts are
            /// `programTexts(target, withObject)`.
            ///
            /// ```js
            /// const code = core.program(core.target("posts", "destroy", true), true);
            /// ```
            pub fn program(&self, target: u32, with_object: bool) -> Result<Vec<i32>, JsValue> {
                Ok(self.lowered(target, with_object)?.code)
            }

            /// The texts a target's program names by index (member names, string constants).
            ///
            /// ```js
            /// const texts = core.programTexts(core.target("posts", "destroy", true), true);
            /// ```
            #[wasm_bindgen(js_name = programTexts)]
            pub fn program_texts(&self, target: u32, with_object: bool) -> Result<Vec<String>, JsValue> {
                Ok(self.lowered(target, with_object)?.texts)
            }

            /// A subject's facts for programs (`[flags, id kind, id, username]`, see
            /// `Gate::subject_facts`).
            ///
            /// ```js
            /// const [flags, idKind, id, username] = core.subjectFacts(handle);
            /// ```
            #[wasm_bindgen(js_name = subjectFacts)]
            pub fn subject_facts(&self, subject: &SubjectCore) -> Result<Vec<String>, JsValue> {
                if !Rc::ptr_eq(&subject.gate, &self.inner) {
                    return Err(context_error(&$crate::ContextError::new(
                        $crate::error::ContextErrorCode::InvalidContext,
                        "$.user",
                        "this Subject was made by another Gate",
                    )));
                }
                Ok(self.inner.subject_facts(&subject.user).into())
            }

            /// How many permissions the policy names (`subjectFacts` gives two digits for each):
            /// what `pkg/src/program.js` `plainUserFacts` needs to make a plain user's facts in JS.
            ///
            /// ```js
            /// const count = core.permissionCount();
            /// ```
            #[wasm_bindgen(js_name = permissionCount)]
            pub fn permission_count(&self) -> u32 {
                self.inner.permission_count()
            }

            /// The facts `subjectFacts` gives, of a user in the binary value encoding
            /// (`pkg/src/value.js`; `null` is the anonymous user) without making a Subject: one
            /// crossing, and the same small decoder in every build (no serde on a first `can`).
            /// Not in the browser runtime (size): its JS makes a Subject for the call instead.
            ///
            /// ```js
            /// const [flags, idKind, id, username] = core.userFacts(encodeValue({ id: 3 }));
            /// ```
            #[cfg(any(feature = "compiler", feature = "edge"))]
            #[wasm_bindgen(js_name = userFacts)]
            pub fn user_facts(&self, user: &[u8]) -> Result<Vec<String>, JsValue> {
                let user = match $crate::compiled::value::decode_user(user, "$.user")
                    .map_err(|error| context_error(&error))?
                {
                    Some(input) => self.inner.compile_user(&input),
                    None => $crate::user::User::anonymous(),
                };
                Ok(self.inner.subject_facts(&user).into())
            }
        }
    };
}

impl StoredTarget {
    /// The stored form of a resolved target.
    fn of(target: &ResolvedTarget) -> Self {
        StoredTarget { view: target.view, route: target.route, action: target.action, method: target.method.clone() }
    }
}
