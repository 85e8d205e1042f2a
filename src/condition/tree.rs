//! The compiled condition tree: what the checker builds, the compiled policy carries and
//! evaluation reads. No parsing here: the runtime build has this without the compiler.

use crate::perm_table::PermId;

/// A literal value, owned by the compiled condition and borrowed by evaluation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Const {
    None,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(Box<str>),
    List(Box<[Const]>),
    Tuple(Box<[Const]>),
}

/// The built-in fields of `request.user`, resolved at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UserField {
    /// `id` and `pk`.
    Id,
    Username,
    IsActive,
    IsStaff,
    IsSuperuser,
    IsAuthenticated,
    IsAnonymous,
}

impl UserField {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "id" | "pk" => UserField::Id,
            "username" => UserField::Username,
            "is_active" => UserField::IsActive,
            "is_staff" => UserField::IsStaff,
            "is_superuser" => UserField::IsSuperuser,
            "is_authenticated" => UserField::IsAuthenticated,
            "is_anonymous" => UserField::IsAnonymous,
            _ => return None,
        })
    }
}

/// A compiled condition: names resolved, permissions interned, constants folded.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Const(Const),
    /// `request.method`.
    Method,
    /// `view.action`.
    Action,
    /// `request.user` as a value.
    User,
    UserField(UserField),
    /// `request.user.<name>.<path...>`: a custom attribute.
    UserAttr {
        name: Box<str>,
        path: Vec<Box<str>>,
    },
    /// `obj.<path...>`.
    Obj {
        path: Vec<Box<str>>,
    },
    /// An attribute of a computed value (`(obj.a or obj.b).c`).
    GetAttr(Box<Node>, Box<str>),
    HasPerm {
        perm: PermId,
        with_object: bool,
    },
    HasPerms {
        perms: Box<[PermId]>,
        with_object: bool,
    },
    List(Box<[Node]>),
    Tuple(Box<[Node]>),
    Not(Box<Node>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Compare(Box<Node>, Box<[(CmpOp, Node)]>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

impl CmpOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
        }
    }
}
