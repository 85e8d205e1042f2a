//! The static checker: resolves names and attributes into [`Node`]s, interns `has_perm`
//! literals, folds constant lists, and rejects what would always fail (`request.method < 3`).

use super::lexer::Pos;
use super::parser::{Arg, Expr, ExprKind};
use super::tree::{CmpOp, Const, Node, UserField};
use super::{ConditionError, Scope};
use crate::error::PolicyErrorCode;
use crate::perm_table::{PermId, PermissionTable};

/// Deepest compiled tree the checker builds; evaluation recurses at most this deep.
const MAX_TREE_DEPTH: u32 = 128;

impl UserField {
    fn ty(self) -> Ty {
        match self {
            UserField::Id => Ty::Any,
            UserField::Username => Ty::Str,
            _ => Ty::Bool,
        }
    }
}

/// Static types: what the checker knows of a value. `Any` is a JSON value or a custom field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Str,
    Int,
    Float,
    Bool,
    NoneType,
    Tuple,
    List,
    User,
    Any,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Str => "str",
            Ty::Int => "int",
            Ty::Float => "float",
            Ty::Bool => "bool",
            Ty::NoneType => "NoneType",
            Ty::Tuple => "tuple",
            Ty::List => "list",
            Ty::User => "User",
            Ty::Any => "object",
        }
    }

    fn is_number(self) -> bool {
        matches!(self, Ty::Bool | Ty::Int | Ty::Float)
    }
}

/// Why `left <op> right` always raises, if it does (`op` is an ordering).
fn ordering_error(op: CmpOp, left: Ty, right: Ty) -> Option<String> {
    let always_raises = matches!(left, Ty::NoneType | Ty::User) || matches!(right, Ty::NoneType | Ty::User);
    let compatible = left == Ty::Any
        || right == Ty::Any
        || (left.is_number() && right.is_number())
        || (left == right && matches!(left, Ty::Str | Ty::List | Ty::Tuple));
    (always_raises || !compatible).then(|| {
        format!(
            "'{}' is not supported between instances of '{}' and '{}': ordering needs two numbers, two strings, two lists or two tuples",
            op.symbol(),
            left.name(),
            right.name()
        )
    })
}

/// Why `left in right` always raises, if it does.
fn membership_error(left: Ty, right: Ty) -> Option<String> {
    match right {
        Ty::Any | Ty::List | Ty::Tuple => None,
        Ty::Str if matches!(left, Ty::Str | Ty::Any) => None,
        Ty::Str => Some(format!("'in <string>' requires a string as left operand, not '{}'", left.name())),
        _ => Some(format!(
            "argument of type '{}' is not iterable: 'in' needs a string, list, tuple or object on its right",
            right.name()
        )),
    }
}

pub(crate) struct Checker<'p> {
    pub scope: Scope,
    pub perms: &'p mut PermissionTable,
    pub depth: u32,
    /// Whether the condition mentions `obj` (directly or as `has_perm(..., obj)`).
    pub reads_object: bool,
}

fn type_error(pos: Pos, message: impl Into<String>) -> ConditionError {
    pos.error(PolicyErrorCode::TypeError, message)
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(&expr.kind, ExprKind::Name(n) if n == name)
}

/// Whether `expr` is literally `request.user`.
fn is_request_user(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Attr(base, attr) if attr == "user" && is_name(base, "request"))
}

impl Checker<'_> {
    pub(crate) fn check(&mut self, expr: &Expr) -> Result<(Node, Ty), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_TREE_DEPTH {
            return Err(expr.pos.error(
                PolicyErrorCode::SyntaxError,
                format!("expression nested too deeply (more than {MAX_TREE_DEPTH} levels)"),
            ));
        }
        let result = self.check_inner(expr);
        self.depth = self.depth.saturating_sub(1);
        result
    }

    fn check_inner(&mut self, expr: &Expr) -> Result<(Node, Ty), ConditionError> {
        Ok(match &expr.kind {
            ExprKind::Int(value) => (Node::Const(Const::Int(*value)), Ty::Int),
            ExprKind::Float(value) => (Node::Const(Const::Float(*value)), Ty::Float),
            ExprKind::Str(text) => (Node::Const(Const::Str(text.as_str().into())), Ty::Str),
            ExprKind::Bool(value) => (Node::Const(Const::Bool(*value)), Ty::Bool),
            ExprKind::None => (Node::Const(Const::None), Ty::NoneType),
            ExprKind::Name(name) => self.check_name(name, expr.pos)?,
            ExprKind::Attr(..) => self.check_attr(expr)?,
            ExprKind::Call(callee, args) => self.check_call(callee, args, expr.pos)?,
            ExprKind::List(items) => {
                let nodes = self.check_items(items)?;
                (fold(nodes, Const::List, Node::List), Ty::List)
            }
            ExprKind::Tuple(items) => {
                let nodes = self.check_items(items)?;
                (fold(nodes, Const::Tuple, Node::Tuple), Ty::Tuple)
            }
            ExprKind::Neg(operand) => {
                let negated = match self.check(operand)?.0 {
                    Node::Const(Const::Int(value)) => value.checked_neg().map(|v| (Const::Int(v), Ty::Int)),
                    Node::Const(Const::Bool(value)) => Some((Const::Int(-i128::from(value)), Ty::Int)),
                    Node::Const(Const::Float(value)) => Some((Const::Float(-value), Ty::Float)),
                    _ => return Err(type_error(expr.pos, "unary minus is only supported before a number literal")),
                };
                let (value, ty) = negated.ok_or_else(|| type_error(expr.pos, "integer literal too large"))?;
                (Node::Const(value), ty)
            }
            ExprKind::Not(operand) => (Node::Not(Box::new(self.check(operand)?.0)), Ty::Bool),
            ExprKind::And(operands) | ExprKind::Or(operands) => {
                let mut nodes = Vec::with_capacity(operands.len());
                let mut ty = None;
                for operand in operands {
                    let (node, operand_ty) = self.check(operand)?;
                    nodes.push(node);
                    // `and`/`or` return an operand: the type is known only if all agree.
                    ty = match ty {
                        None => Some(operand_ty),
                        Some(t) if t == operand_ty => Some(t),
                        Some(_) => Some(Ty::Any),
                    };
                }
                let nodes = nodes.into_boxed_slice();
                let node = if matches!(expr.kind, ExprKind::And(_)) { Node::And(nodes) } else { Node::Or(nodes) };
                (node, ty.unwrap_or(Ty::Any))
            }
            ExprKind::Compare(first, rest) => {
                let (first_node, mut left_ty) = self.check(first)?;
                let mut compiled = Vec::with_capacity(rest.len());
                for (op, op_pos, operand) in rest {
                    let (node, right_ty) = self.check(operand)?;
                    let problem = match op {
                        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => ordering_error(*op, left_ty, right_ty),
                        CmpOp::In | CmpOp::NotIn => membership_error(left_ty, right_ty),
                        CmpOp::Eq | CmpOp::Ne | CmpOp::Is | CmpOp::IsNot => None,
                    };
                    if let Some(message) = problem {
                        return Err(type_error(*op_pos, message));
                    }
                    compiled.push((*op, node));
                    left_ty = right_ty;
                }
                (Node::Compare(Box::new(first_node), compiled.into_boxed_slice()), Ty::Bool)
            }
        })
    }

    fn check_items(&mut self, items: &[Expr]) -> Result<Vec<Node>, ConditionError> {
        items.iter().map(|item| self.check(item).map(|(node, _)| node)).collect()
    }

    fn check_name(&mut self, name: &str, pos: Pos) -> Result<(Node, Ty), ConditionError> {
        Ok(match name {
            "obj" => match self.scope {
                Scope::Object => {
                    self.reads_object = true;
                    (Node::Obj { path: Vec::new() }, Ty::Any)
                }
                Scope::View => {
                    return Err(pos.error(
                        PolicyErrorCode::UnknownName,
                        "obj is only available in hasObjectPermission, not in hasPermission",
                    ))
                }
            },
            "SAFE_METHODS" => {
                let methods = ["GET", "HEAD", "OPTIONS"].map(|m| Const::Str(m.into()));
                (Node::Const(Const::Tuple(Box::new(methods))), Ty::Tuple)
            }
            "request" | "view" => {
                let attributes = if name == "request" { "request.method or request.user" } else { "view.action" };
                return Err(type_error(pos, format!("{name} cannot be used as a value: use {attributes}")));
            }
            _ => {
                let hint = match name {
                    "true" => " (did you mean True?)",
                    "false" => " (did you mean False?)",
                    "null" | "none" | "nil" | "undefined" => " (did you mean None?)",
                    "user" => " (did you mean request.user?)",
                    "method" => " (did you mean request.method?)",
                    "action" => " (did you mean view.action?)",
                    _ => "",
                };
                return Err(pos.error(
                    PolicyErrorCode::UnknownName,
                    format!(
                        "unknown name '{name}'{hint}: expected request, view, obj, SAFE_METHODS, True, False or None"
                    ),
                ));
            }
        })
    }

    fn check_attr(&mut self, expr: &Expr) -> Result<(Node, Ty), ConditionError> {
        // Walk the chain `base.a.b.c` iteratively: long chains must not deepen the recursion.
        let mut chain = Vec::new();
        let mut innermost = expr;
        while let ExprKind::Attr(base, name) = &innermost.kind {
            if is_builtin_base(base) {
                break;
            }
            chain.push((name.as_str(), innermost.pos));
            innermost = base;
        }
        let (mut node, mut ty) = match &innermost.kind {
            ExprKind::Attr(base, name) => self.check_builtin_attr(base, name, innermost.pos)?,
            _ => self.check(innermost)?,
        };
        for (name, pos) in chain.into_iter().rev() {
            (node, ty) = attribute_of(node, ty, name, pos)?;
        }
        Ok((node, ty))
    }

    /// `request.<name>`, `view.<name>` or `request.user.<name>`: resolved at compile time.
    fn check_builtin_attr(&self, base: &Expr, name: &str, pos: Pos) -> Result<(Node, Ty), ConditionError> {
        if is_name(base, "request") {
            return match name {
                "method" => Ok((Node::Method, Ty::Str)),
                "user" => Ok((Node::User, Ty::User)),
                _ => Err(pos.error(
                    PolicyErrorCode::UnknownName,
                    format!("request has no attribute '{name}' in conditions: expected method or user"),
                )),
            };
        }
        if is_name(base, "view") {
            return match name {
                "action" => Ok((Node::Action, Ty::Any)),
                _ => Err(pos.error(
                    PolicyErrorCode::UnknownName,
                    format!("view has no attribute '{name}' in conditions: expected action"),
                )),
            };
        }
        if is_request_user(base) {
            if matches!(name, "has_perm" | "has_perms") {
                return Err(type_error(pos, format!("{name} must be called: request.user.{name}(...)")));
            }
            return Ok(match UserField::from_name(name) {
                Some(field) => (Node::UserField(field), field.ty()),
                None => (Node::UserAttr { name: name.into(), path: Vec::new() }, Ty::Any),
            });
        }
        Err(type_error(pos, format!("'{name}' is not an attribute of request, view or request.user")))
    }

    fn check_call(&mut self, callee: &Expr, args: &[Arg], pos: Pos) -> Result<(Node, Ty), ConditionError> {
        let method = match &callee.kind {
            ExprKind::Attr(base, name) if is_request_user(base) => name.as_str(),
            _ => "",
        };
        let (first_keyword, many) = match method {
            "has_perm" => ("perm", false),
            "has_perms" => ("perm_list", true),
            "" => {
                return Err(type_error(
                    pos,
                    "only request.user.has_perm(...) and request.user.has_perms(...) can be called",
                ))
            }
            field if UserField::from_name(field).is_some() => {
                return Err(type_error(
                    pos,
                    format!("{field} is a property, not a method: write request.user.{field} without ()"),
                ))
            }
            _ => {
                return Err(type_error(
                    pos,
                    format!("request.user.{method} cannot be called: only has_perm(...) and has_perms(...) can"),
                ))
            }
        };
        // Django's signatures: has_perm(perm, obj=None), has_perms(perm_list, obj=None).
        let mut perm_arg = None;
        let mut obj_arg = None;
        for (index, arg) in args.iter().enumerate() {
            let slot = match (arg.keyword.as_deref(), index) {
                (None, 0) => &mut perm_arg,
                (None, 1) => &mut obj_arg,
                (Some(k), _) if k == first_keyword => &mut perm_arg,
                (Some("obj"), _) => &mut obj_arg,
                (None, _) => {
                    return Err(type_error(
                        arg.value.start,
                        format!("{method}() takes at most 2 arguments: ({first_keyword}, obj)"),
                    ))
                }
                (Some(k), _) => {
                    return Err(type_error(
                        arg.value.start,
                        format!("{method}() got an unexpected keyword argument '{k}'"),
                    ))
                }
            };
            if slot.is_some() {
                return Err(type_error(arg.value.start, format!("{method}() got multiple values for one argument")));
            }
            *slot = Some(&arg.value);
        }
        let Some(perm_arg) = perm_arg else {
            return Err(type_error(pos, format!("{method}() is missing its {first_keyword} argument")));
        };
        let with_object = match obj_arg {
            None => false,
            Some(expr) if matches!(expr.kind, ExprKind::None) => false,
            Some(expr) if is_name(expr, "obj") => {
                // Reject `obj` outside hasObjectPermission with the usual message.
                self.check_name("obj", expr.pos)?;
                true
            }
            Some(expr) => {
                return Err(type_error(expr.start, format!("the second argument of {method}() must be obj (or None)")))
            }
        };
        let node = if many {
            let items =
                match &perm_arg.kind {
                    ExprKind::List(items) | ExprKind::Tuple(items) => items,
                    _ => return Err(type_error(
                        perm_arg.start,
                        "has_perms() expects a list of permission names, like ['blog.add_post', 'blog.change_post']",
                    )),
                };
            let mut perms = Vec::with_capacity(items.len());
            for item in items {
                perms.push(self.intern(item, method)?);
            }
            Node::HasPerms { perms: perms.into_boxed_slice(), with_object }
        } else {
            Node::HasPerm { perm: self.intern(perm_arg, method)?, with_object }
        };
        Ok((node, Ty::Bool))
    }

    fn intern(&mut self, expr: &Expr, method: &str) -> Result<PermId, ConditionError> {
        match &expr.kind {
            ExprKind::Str(name) => Ok(self.perms.intern(name)),
            _ => Err(type_error(
                expr.start,
                format!("{method}() expects permission names as string literals, like 'blog.change_post'"),
            )),
        }
    }
}

/// A list or tuple of constants becomes one constant, so evaluating it allocates nothing.
fn fold(nodes: Vec<Node>, constant: fn(Box<[Const]>) -> Const, dynamic: fn(Box<[Node]>) -> Node) -> Node {
    if nodes.iter().all(|node| matches!(node, Node::Const(_))) {
        let values: Vec<Const> = nodes
            .into_iter()
            .filter_map(|node| match node {
                Node::Const(value) => Some(value),
                _ => None,
            })
            .collect();
        Node::Const(constant(values.into_boxed_slice()))
    } else {
        dynamic(nodes.into_boxed_slice())
    }
}

/// Whether `base.<name>` is a built-in attribute: `request`, `view` or `request.user`.
fn is_builtin_base(base: &Expr) -> bool {
    is_name(base, "request") || is_name(base, "view") || is_request_user(base)
}

/// `node.name` where `node` is not a built-in object: JSON keys, read at evaluation time.
fn attribute_of(node: Node, ty: Ty, name: &str, pos: Pos) -> Result<(Node, Ty), ConditionError> {
    match ty {
        Ty::Any | Ty::User => {}
        _ => {
            return Err(type_error(
                pos,
                format!(
                    "'{}' object has no attribute '{name}': only obj, request.user and their fields have attributes",
                    ty.name()
                ),
            ))
        }
    }
    Ok((
        match node {
            Node::Obj { mut path } => {
                path.push(name.into());
                Node::Obj { path }
            }
            Node::UserAttr { name: field, mut path } => {
                path.push(name.into());
                Node::UserAttr { name: field, path }
            }
            other => Node::GetAttr(Box::new(other), name.into()),
        },
        Ty::Any,
    ))
}
