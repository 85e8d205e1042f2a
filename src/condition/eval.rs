//! Evaluation with Python's semantics over borrowed values: reading `request.method`, a user
//! field, a JSON scalar or a constant tuple allocates nothing.

use crate::text::cat;
use std::cmp::Ordering;

use crate::value::{Map, Value as Json};

use super::tree::{CmpOp, Const, Node, UserField};
use super::{Environment, EvalError};
use crate::user::User;

/// A Python value during evaluation, borrowing from the condition, the environment or the object.
#[derive(Clone, Debug)]
pub(crate) enum Value<'a> {
    None,
    Bool(bool),
    Int(i128),
    Float(f64),
    /// A JSON number read as a float that may have been an integer beyond 64 bits: serde_json
    /// reads `18446744073709551617` as 2^64, where Python's `json.loads` keeps the exact int.
    /// Its exact value is within 2^-52 of it (relative): comparing it with a number that near is
    /// undecidable, any other comparison is the float's.
    WideNumber(f64),
    Str(&'a str),
    List(Items<'a>),
    Tuple(Items<'a>),
    /// A JSON object: a Python dict whose keys are also read as attributes.
    Dict(&'a Map<String, Json>),
    User(&'a User),
}

/// The items of a list or tuple.
#[derive(Clone, Debug)]
pub(crate) enum Items<'a> {
    /// The `Vec` itself, not a slice: its address is the list's identity for `is` (every empty
    /// slice shares one dangling address, so `[] is []` would read as one list).
    Json(&'a Vec<Json>),
    Const(&'a [Const]),
    /// A list literal with computed items (`[obj.a, obj.b]`): the only allocating case.
    Owned(Vec<Value<'a>>),
}

impl<'a> Items<'a> {
    fn len(&self) -> usize {
        match self {
            Items::Json(items) => items.len(),
            Items::Const(items) => items.len(),
            Items::Owned(items) => items.len(),
        }
    }

    pub(crate) fn get(&self, index: usize) -> Option<Value<'a>> {
        match self {
            Items::Json(items) => items.get(index).map(from_json),
            Items::Const(items) => items.get(index).map(from_const),
            Items::Owned(items) => items.get(index).cloned(),
        }
    }

    fn any(&self, mut predicate: impl FnMut(&Value<'a>) -> bool) -> bool {
        match self {
            Items::Json(items) => items.iter().any(|item| predicate(&from_json(item))),
            Items::Const(items) => items.iter().any(|item| predicate(&from_const(item))),
            Items::Owned(items) => items.iter().any(predicate),
        }
    }

    /// `any` with a predicate that may raise: the first error stops it, as in Python.
    fn try_any(&self, mut predicate: impl FnMut(&Value<'a>) -> Result<bool, EvalError>) -> Result<bool, EvalError> {
        for index in 0..self.len() {
            if let Some(item) = self.get(index) {
                if predicate(&item)? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

pub(crate) fn from_json(value: &Json) -> Value<'_> {
    match value {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i128::from(i)),
            (None, Some(u)) => Value::Int(i128::from(u)),
            _ => float_from_json(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Str(s),
        Json::Array(items) => Value::List(Items::Json(items)),
        Json::Object(map) => Value::Dict(map),
    }
}

/// serde_json reads an integer literal as a float only outside [-2^63, 2^64), and one just
/// below -2^63 rounds to exactly -2^63 (`-9223372036854775809` is read as -2^63): a whole float
/// outside (-2^63, 2^64) may be such an int. A float written as a float inside that range
/// (`1e18`) is a Python float too.
fn float_from_json(float: f64) -> Value<'static> {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if float.fract() == 0.0 && (float <= -TWO_POW_63 || float >= 2.0 * TWO_POW_63) {
        Value::WideNumber(float)
    } else {
        Value::Float(float)
    }
}

fn from_const(value: &Const) -> Value<'_> {
    match value {
        Const::None => Value::None,
        Const::Bool(b) => Value::Bool(*b),
        Const::Int(i) => Value::Int(*i),
        Const::Float(f) => Value::Float(*f),
        Const::Str(s) => Value::Str(s),
        Const::List(items) => Value::List(Items::Const(items)),
        Const::Tuple(items) => Value::Tuple(Items::Const(items)),
    }
}

/// Python's `type(value).__name__`.
fn type_name(value: &Value<'_>) -> &'static str {
    match value {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        // Only named in a TypeError, which an int and a float raise alike.
        Value::WideNumber(_) => "int",
        Value::Str(_) => "str",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        Value::Dict(_) => "dict",
        Value::User(user) if user.is_anonymous() => "AnonymousUser",
        Value::User(_) => "User",
    }
}

fn error(message: String) -> EvalError {
    EvalError { message }
}

/// What Python answers but a JSON context does not tell: the server decides (status 500 here,
/// forwarded at the edge). A JSON object is a related model instance (`obj.owner.id`) or a
/// `JSONField` dict, whose truthiness when empty and `in` differ; and `is` between equal values
/// other than None, True and False depends on how the server made them.
fn undecidable(what: &str) -> EvalError {
    error(cat!("Undecidable here: ", what))
}

/// Python's `bool(value)`.
pub(crate) fn truthy(value: &Value<'_>) -> Result<bool, EvalError> {
    Ok(match value {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::WideNumber(_) => true,
        Value::Str(s) => !s.is_empty(),
        Value::List(items) | Value::Tuple(items) => items.len() != 0,
        Value::Dict(map) if map.is_empty() => {
            return Err(undecidable("an empty object is true as a model instance, false as a dict"))
        }
        Value::Dict(_) => true,
        // Model instances and AnonymousUser define neither __bool__ nor __len__.
        Value::User(_) => true,
    })
}

enum Num {
    Int(i128),
    Float(f64),
}

fn number(value: &Value<'_>) -> Option<Num> {
    match value {
        Value::Bool(b) => Some(Num::Int(i128::from(*b))),
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Float(f) | Value::WideNumber(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

/// Exact int-float comparison, as Python does it (no rounding of the int to a float).
fn compare_int_float(int: i128, float: f64) -> Option<Ordering> {
    const TWO_POW_127: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if float.is_nan() {
        return None;
    }
    if float >= TWO_POW_127 {
        return Some(Ordering::Less);
    }
    if float < -TWO_POW_127 {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    // |whole| < 2^127, so the cast is exact.
    match int.cmp(&(whole as i128)) {
        Ordering::Equal => (whole).partial_cmp(&float),
        other => Some(other),
    }
}

fn compare_numbers(left: &Num, right: &Num) -> Option<Ordering> {
    match (left, right) {
        (Num::Int(a), Num::Int(b)) => Some(a.cmp(b)),
        (Num::Float(a), Num::Float(b)) => a.partial_cmp(b),
        (Num::Int(a), Num::Float(b)) => compare_int_float(*a, *b),
        (Num::Float(a), Num::Int(b)) => compare_int_float(*b, *a).map(Ordering::reverse),
    }
}

/// A number that may be an int beyond 64 bits, next to a number so near that the digits
/// serde_json did not keep decide the comparison.
fn wide_number_compared(left: &Value<'_>, right: &Value<'_>) -> Result<(), EvalError> {
    let near = |wide: f64, other: &Value<'_>| {
        let other = match number(other) {
            Some(Num::Int(int)) => int as f64,
            Some(Num::Float(float)) => float,
            None => return false,
        };
        // The exact int is within half an ulp of `wide`; `int as f64` rounds by as much again.
        (other - wide).abs() <= wide.abs() * f64::EPSILON * 2.0
    };
    match (left, right) {
        (Value::WideNumber(wide), other) | (other, Value::WideNumber(wide)) if near(*wide, other) => {
            Err(undecidable("a JSON integer beyond 64 bits, read rounded"))
        }
        _ => Ok(()),
    }
}

/// Python's `left == right`, with drf-gate's rule for `request.user` (see the module docs).
pub(crate) fn equals(left: &Value<'_>, right: &Value<'_>) -> Result<bool, EvalError> {
    wide_number_compared(left, right)?;
    if let (Some(a), Some(b)) = (number(left), number(right)) {
        return Ok(compare_numbers(&a, &b) == Some(Ordering::Equal));
    }
    Ok(match (left, right) {
        (Value::User(a), Value::User(b)) => std::ptr::eq(*a, *b),
        // simplejwt's TokenUser only equals another TokenUser: next to a model instance, None or a
        // number, both sides' __eq__ answer NotImplemented and Python falls back to identity.
        (Value::User(user), other) | (other, Value::User(user)) => !user.is_token_user() && user_equals(user, other)?,
        (Value::None, Value::None) => true,
        (Value::Str(a), Value::Str(b)) => a == b,
        (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
            if a.len() != b.len() {
                return Ok(false);
            }
            for i in 0..a.len() {
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) if equals(&x, &y)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        // A JSON object is a model instance (equal by pk, Django's Model.__eq__) or a dict (equal
        // by content): only the same object is certainly equal to itself.
        (Value::Dict(a), Value::Dict(b)) if std::ptr::eq(*a, *b) => true,
        (Value::Dict(_), Value::Dict(_)) => {
            return Err(undecidable("`==` between two objects (model instances compare by pk, dicts by content)"))
        }
        _ => false,
    })
}

fn is_token_user(value: &Value<'_>) -> bool {
    matches!(value, Value::User(user) if user.is_token_user())
}

/// `other == request.user`: an anonymous user, or one without a pk, equals nothing else; an
/// object equals the user when its `id` (or `pk`) does; a number or string is a foreign key.
fn user_equals(user: &User, other: &Value<'_>) -> Result<bool, EvalError> {
    if user.is_anonymous() {
        return Ok(false);
    }
    let user_id = match user.id().map(from_json) {
        None | Some(Value::None) => return Ok(false),
        Some(id) => id,
    };
    match other {
        Value::Dict(map) => match map.get("id").or_else(|| map.get("pk")) {
            Some(id) if !matches!(id, Json::Object(_)) => equals(&from_json(id), &user_id),
            _ => Ok(false),
        },
        Value::Int(_) | Value::Float(_) | Value::WideNumber(_) | Value::Str(_) => equals(other, &user_id),
        _ => Ok(false),
    }
}

/// Python's `left is right`: the singletons None, True and False, the user, and the same JSON
/// container. Values that differ (or differ in type) are never identical; other equal values
/// may or may not be one object: undecidable. Equal small ints too: CPython caches -5..=256, but
/// a JSON number without a fraction may stand for a float (`JSON.stringify(1.0)` and a JS value
/// in the package's typed paths both give `1`), and `1.0 is 1` is False.
fn identical(left: &Value<'_>, right: &Value<'_>) -> Result<bool, EvalError> {
    Ok(match (left, right) {
        (Value::None, Value::None) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::User(a), Value::User(b)) => std::ptr::eq(*a, *b),
        (Value::Dict(a), Value::Dict(b)) => std::ptr::eq(*a, *b),
        (Value::List(Items::Json(a)), Value::List(Items::Json(b))) => std::ptr::eq(*a, *b),
        (Value::WideNumber(_), _) | (_, Value::WideNumber(_)) => {
            wide_number_compared(left, right)?;
            false
        }
        (Value::Int(_), Value::Int(_))
        | (Value::Float(_), Value::Float(_))
        | (Value::Str(_), Value::Str(_))
        | (Value::Tuple(_), Value::Tuple(_))
        | (Value::List(_), Value::List(_))
            if equals(left, right)? =>
        {
            return Err(undecidable("`is` between two equal values"))
        }
        _ => false,
    })
}

fn ordering_result(op: CmpOp, ordering: Option<Ordering>) -> bool {
    // NaN compares False with everything.
    ordering.is_some_and(|o| match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        _ => o != Ordering::Less,
    })
}

/// Python's `<`, `<=`, `>`, `>=`; incompatible types raise TypeError.
fn order(op: CmpOp, left: &Value<'_>, right: &Value<'_>) -> Result<bool, EvalError> {
    wide_number_compared(left, right)?;
    if let (Some(a), Some(b)) = (number(left), number(right)) {
        return Ok(ordering_result(op, compare_numbers(&a, &b)));
    }
    match (left, right) {
        (Value::Str(a), Value::Str(b)) => Ok(ordering_result(op, Some(a.cmp(b)))),
        (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
            // Lexicographic: the first differing items decide, else the lengths.
            for i in 0..a.len().min(b.len()) {
                if let (Some(x), Some(y)) = (a.get(i), b.get(i)) {
                    if !equals(&x, &y)? {
                        return order(op, &x, &y);
                    }
                }
            }
            Ok(ordering_result(op, Some(a.len().cmp(&b.len()))))
        }
        _ => Err(error(cat!(
            "TypeError: '",
            op.symbol(),
            "' not supported between instances of '",
            type_name(left),
            "' and '",
            type_name(right),
            '\''
        ))),
    }
}

fn hashable(value: &Value<'_>) -> bool {
    match value {
        Value::List(_) | Value::Dict(_) => false,
        Value::Tuple(items) => !items.any(|item| !hashable(item)),
        _ => true,
    }
}

/// Python's `item in container`.
fn contains(container: &Value<'_>, item: &Value<'_>) -> Result<bool, EvalError> {
    match container {
        Value::Str(haystack) => match item {
            Value::Str(needle) => Ok(str_contains(haystack, needle)),
            _ => Err(error(cat!("TypeError: 'in <string>' requires string as left operand, not ", type_name(item)))),
        },
        Value::List(items) | Value::Tuple(items) => items.try_any(|element| equals(item, element)),
        // A key of a dict, a TypeError for a model instance; an unhashable item raises in both.
        Value::Dict(_) if !hashable(item) => Err(error(cat!("TypeError: unhashable type: '", type_name(item), '\''))),
        Value::Dict(_) => Err(undecidable("`in` an object (a model instance raises, a dict has keys)")),
        _ => Err(error(cat!("TypeError: argument of type '", type_name(container), "' is not iterable"))),
    }
}

/// `needle in haystack` for two strings: Knuth-Morris-Pratt over the UTF-8 bytes (a match of
/// whole UTF-8 sequences is a match of characters). Linear time like `str::contains`, without
/// linking its two-way searcher (~2 KB) into the browser runtime.
pub(crate) fn str_contains(haystack: &str, needle: &str) -> bool {
    let pattern = needle.as_bytes();
    if pattern.is_empty() {
        return true;
    }
    // border[i]: the length of the longest proper prefix of pattern[..=i] that is also its suffix.
    let mut border = vec![0usize; pattern.len()];
    let mut matched = 0;
    for (index, byte) in pattern.iter().enumerate().skip(1) {
        while matched > 0 && pattern.get(matched) != Some(byte) {
            matched = border.get(matched - 1).copied().unwrap_or(0);
        }
        if pattern.get(matched) == Some(byte) {
            matched += 1;
        }
        if let Some(slot) = border.get_mut(index) {
            *slot = matched;
        }
    }
    let mut matched = 0;
    for byte in haystack.as_bytes() {
        while matched > 0 && pattern.get(matched) != Some(byte) {
            matched = border.get(matched - 1).copied().unwrap_or(0);
        }
        if pattern.get(matched) == Some(byte) {
            matched += 1;
            if matched == pattern.len() {
                return true;
            }
        }
    }
    false
}

fn compare(op: CmpOp, left: &Value<'_>, right: &Value<'_>) -> Result<bool, EvalError> {
    match op {
        CmpOp::Eq => equals(left, right),
        // TokenUser.__ne__ is `not self.__eq__(other)`, and `not NotImplemented` is False: with a
        // TokenUser on either side, `!=` is False.
        CmpOp::Ne => Ok(!is_token_user(left) && !is_token_user(right) && !equals(left, right)?),
        CmpOp::In => contains(right, left),
        CmpOp::NotIn => contains(right, left).map(|found| !found),
        CmpOp::Is => identical(left, right),
        CmpOp::IsNot => identical(left, right).map(|same| !same),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => order(op, left, right),
    }
}

fn no_attribute(owner: &str, name: &str) -> EvalError {
    error(cat!("AttributeError: '", owner, "' object has no attribute '", name, '\''))
}

/// `value.name` on a runtime value: JSON objects expose their keys.
fn get_attr<'a>(value: &Value<'a>, name: &str) -> Result<Value<'a>, EvalError> {
    match value {
        Value::Dict(map) => map.get(name).map(from_json).ok_or_else(|| no_attribute("dict", name)),
        Value::User(user) => match UserField::from_name(name) {
            Some(field) => Ok(user_field(user, field)),
            None => user_attribute(user, name),
        },
        other => Err(no_attribute(type_name(other), name)),
    }
}

fn follow<'a>(mut value: Value<'a>, path: &[Box<str>]) -> Result<Value<'a>, EvalError> {
    for name in path {
        value = get_attr(&value, name)?;
    }
    Ok(value)
}

fn user_field(user: &User, field: UserField) -> Value<'_> {
    match field {
        UserField::Id => user.id().map_or(Value::None, from_json),
        UserField::Username => Value::Str(user.username()),
        UserField::IsActive => Value::Bool(user.is_active()),
        UserField::IsStaff => Value::Bool(user.is_staff()),
        UserField::IsSuperuser => Value::Bool(user.is_superuser()),
        UserField::IsAuthenticated => Value::Bool(user.is_authenticated()),
        UserField::IsAnonymous => Value::Bool(user.is_anonymous()),
    }
}

fn user_attribute<'a>(user: &'a User, name: &str) -> Result<Value<'a>, EvalError> {
    user.attribute(name).map(from_json).ok_or_else(|| no_attribute(type_name(&Value::User(user)), name))
}

/// Evaluates a compiled node. Recursion is bounded by the checker's tree depth.
pub(crate) fn eval<'a>(node: &'a Node, env: &'a dyn Environment) -> Result<Value<'a>, EvalError> {
    Ok(match node {
        Node::Const(value) => from_const(value),
        Node::Method => Value::Str(env.method()),
        Node::Action => env.action().map_or(Value::None, Value::Str),
        Node::User => Value::User(env.user()),
        Node::UserField(field) => user_field(env.user(), *field),
        Node::UserAttr { name, path } => follow(user_attribute(env.user(), name)?, path)?,
        Node::Obj { path } => {
            let object =
                env.object().ok_or_else(|| error("NameError: obj is not available (no object was given)".into()))?;
            follow(from_json(object), path)?
        }
        Node::GetAttr(base, name) => get_attr(&eval(base, env)?, name)?,
        Node::HasPerm { perm, with_object } => Value::Bool(env.has_perm(*perm, *with_object)),
        Node::HasPerms { perms, with_object } => Value::Bool(
            // simplejwt's TokenUser answers False even for an empty list.
            !env.user().is_token_user() && perms.iter().all(|perm| env.has_perm(*perm, *with_object)),
        ),
        Node::List(items) => Value::List(Items::Owned(eval_items(items, env)?)),
        Node::Tuple(items) => Value::Tuple(Items::Owned(eval_items(items, env)?)),
        Node::Not(operand) => Value::Bool(!truthy(&eval(operand, env)?)?),
        Node::And(operands) => short_circuit(operands, env, false)?,
        Node::Or(operands) => short_circuit(operands, env, true)?,
        Node::Compare(first, rest) => {
            let mut left = eval(first, env)?;
            for (op, operand) in rest.iter() {
                // Each operand is evaluated once, and only while the chain holds.
                let right = eval(operand, env)?;
                if !compare(*op, &left, &right)? {
                    return Ok(Value::Bool(false));
                }
                left = right;
            }
            Value::Bool(true)
        }
    })
}

fn eval_items<'a>(items: &'a [Node], env: &'a dyn Environment) -> Result<Vec<Value<'a>>, EvalError> {
    items.iter().map(|item| eval(item, env)).collect()
}

/// `and` (stop at the first falsy operand) or `or` (stop at the first truthy one), returning
/// the operand itself, as Python does.
fn short_circuit<'a>(operands: &'a [Node], env: &'a dyn Environment, stop_when: bool) -> Result<Value<'a>, EvalError> {
    let mut last = Value::None;
    for operand in operands {
        last = eval(operand, env)?;
        if truthy(&last)? == stop_when {
            break;
        }
    }
    Ok(last)
}
