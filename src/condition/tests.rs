//! The case table in `testdata/cases.json` is shared with `testdata/python_oracle.py`, which
//! checks every expected value against real Python.

use serde_json::{json, Value};

use super::{Condition, ConditionError, Environment, EvalError, Scope, MAX_SOURCE_LEN};
use crate::perm_table::{PermId, PermissionTable};
use crate::user::{User, UserInput};

const CASES: &str = include_str!("testdata/cases.json");

struct TestEnv<'t> {
    method: String,
    action: Option<String>,
    user: User,
    object: Option<Value>,
    table: &'t PermissionTable,
}

impl Environment for TestEnv<'_> {
    fn method(&self) -> &str {
        &self.method
    }
    fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }
    fn user(&self) -> &User {
        &self.user
    }
    fn object(&self) -> Option<&Value> {
        self.object.as_ref()
    }
    fn has_perm(&self, perm: PermId, with_object: bool) -> bool {
        let obj = if with_object { self.object.as_ref() } else { None };
        self.user.has_perm(perm, obj, self.table)
    }
}

fn env<'t>(spec: &Value, object: Option<&Value>, table: &'t PermissionTable) -> TestEnv<'t> {
    let user = match spec.get("user") {
        Some(Value::Null) | None => User::anonymous(),
        Some(input) => {
            let input: UserInput = serde_json::from_value(input.clone()).unwrap_or_default();
            User::compile(&input, table)
        }
    };
    TestEnv {
        method: spec.get("method").and_then(Value::as_str).unwrap_or("GET").to_owned(),
        action: spec.get("action").and_then(Value::as_str).map(str::to_owned),
        user,
        object: object.cloned(),
        table,
    }
}

fn cases() -> Value {
    serde_json::from_str(CASES).unwrap_or(Value::Null)
}

fn run(
    source: &str,
    scope: Scope,
    env_spec: &Value,
    object: Option<&Value>,
) -> Result<Result<bool, EvalError>, ConditionError> {
    let mut table = PermissionTable::default();
    let condition = Condition::compile(source, scope, &mut table)?;
    let env = env(env_spec, object, &table);
    Ok(condition.evaluate(&env))
}

#[test]
fn evaluation_table_matches_python() {
    let data = cases();
    let list = data.get("cases").and_then(Value::as_array).cloned().unwrap_or_default();
    assert!(list.len() > 200, "the case table did not load");
    let mut failures = Vec::new();
    for case in &list {
        let (Some(source), Some(env_name), Some(expected)) =
            (case.get(0).and_then(Value::as_str), case.get(1).and_then(Value::as_str), case.get(2))
        else {
            failures.push(format!("malformed case {case}"));
            continue;
        };
        let env_spec = data.pointer(&format!("/envs/{env_name}")).cloned().unwrap_or(Value::Null);
        let got = match run(source, Scope::Object, &env_spec, data.get("object")) {
            Err(err) => json!(format!("compile error {err:?}")),
            Ok(Ok(result)) => json!(result),
            Ok(Err(_)) => json!("error"),
        };
        if &got != expected {
            failures.push(format!("{source:?} in {env_name}: got {got}, expected {expected}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn compile_error_table() {
    let data = cases();
    let list = data.get("compile_errors").and_then(Value::as_array).cloned().unwrap_or_default();
    assert!(list.len() > 50, "the compile error table did not load");
    let mut failures = Vec::new();
    for case in &list {
        let source = case.get(0).and_then(Value::as_str).unwrap_or_default();
        let scope = if case.get(1).and_then(Value::as_str) == Some("object") { Scope::Object } else { Scope::View };
        let expected = (
            case.get(2).and_then(Value::as_str).unwrap_or_default(),
            case.get(3).and_then(Value::as_u64).unwrap_or_default(),
            case.get(4).and_then(Value::as_u64).unwrap_or_default(),
        );
        match Condition::compile(source, scope, &mut PermissionTable::default()) {
            Ok(_) => failures.push(format!("{source:?} compiled; expected {expected:?}")),
            Err(err) => {
                let got = (err.code.as_str(), u64::from(err.line), u64::from(err.column));
                if got != expected || err.message.is_empty() {
                    failures.push(format!("{source:?}: got {got:?} ({}), expected {expected:?}", err.message));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

fn compile_err(source: &str, scope: Scope) -> ConditionError {
    match Condition::compile(source, scope, &mut PermissionTable::default()) {
        // Never a condition error's code: every assertion on it fails.
        Ok(_) => ConditionError {
            code: crate::error::PolicyErrorCode::InvalidPolicy,
            message: format!("{source:?} compiled; expected an error"),
            line: 0,
            column: 0,
        },
        Err(err) => err,
    }
}

fn eval_err(source: &str, env_spec: Value, object: Option<Value>) -> String {
    match run(source, Scope::Object, &env_spec, object.as_ref()) {
        Ok(Err(err)) => err.message,
        other => format!("no evaluation error: {other:?}"),
    }
}

#[test]
fn messages_say_what_was_expected() {
    let cases = [
        ("a && b", "use 'and'"),
        ("a || b", "use 'or'"),
        ("!a", "use 'not'"),
        ("request.method = 'GET'", "use '=='"),
        ("obj.owner == request.user", "obj is only available in hasObjectPermission"),
        ("request.data", "expected method or user"),
        ("view.detail", "expected action"),
        ("request.method < 3", "'<' is not supported between instances of 'str' and 'int'"),
        ("'a' in 3", "argument of type 'int' is not iterable"),
        ("request.method.lower", "'str' object has no attribute 'lower'"),
        ("request.user.is_authenticated()", "is a property, not a method"),
        ("request.user.has_perm(request.method)", "string literals"),
        ("request.user.has_perms('a.b')", "list of permission names"),
        ("true", "did you mean True?"),
        ("(request.method == 'GET'", "'(' was never closed"),
        ("'abc", "unterminated string literal"),
        ("request.method == 'GET' request", "expected an operator"),
        ("1 if True else 0", "conditional expressions are not supported"),
    ];
    for (source, needle) in cases {
        let err = compile_err(source, Scope::View);
        assert!(err.message.contains(needle), "{source:?}: {:?} lacks {needle:?}", err.message);
    }
}

#[test]
fn evaluation_errors_read_like_python() {
    let ann = json!({"method": "GET", "action": null, "user": {"id": 3, "attributes": {}}});
    let anon = json!({"method": "GET", "action": null, "user": null});
    let obj = json!({"owner": 3, "status": "draft", "meta": {}});
    assert_eq!(
        eval_err("obj.status < 1", ann.clone(), Some(obj.clone())),
        "TypeError: '<' not supported between instances of 'str' and 'int'"
    );
    assert_eq!(
        eval_err("obj.owner.id == 3", ann.clone(), Some(obj.clone())),
        "AttributeError: 'int' object has no attribute 'id'"
    );
    assert_eq!(
        eval_err("obj.missing", ann.clone(), Some(obj.clone())),
        "AttributeError: 'dict' object has no attribute 'missing'"
    );
    assert_eq!(
        eval_err("request.user.email_verified", ann.clone(), Some(obj.clone())),
        "AttributeError: 'User' object has no attribute 'email_verified'"
    );
    assert_eq!(
        eval_err("request.user.email_verified", anon.clone(), Some(obj.clone())),
        "AttributeError: 'AnonymousUser' object has no attribute 'email_verified'"
    );
    assert_eq!(
        eval_err("obj.owner in obj.status", ann.clone(), Some(obj.clone())),
        "TypeError: 'in <string>' requires string as left operand, not int"
    );
    assert_eq!(eval_err("obj.meta in obj.meta", ann.clone(), Some(obj.clone())), "TypeError: unhashable type: 'dict'");
    assert_eq!(
        eval_err("1 in obj.owner", ann.clone(), Some(obj.clone())),
        "TypeError: argument of type 'int' is not iterable"
    );
    assert_eq!(eval_err("obj.owner", ann, None), "NameError: obj is not available (no object was given)");
}

#[test]
fn view_scope_conditions_evaluate_without_an_object() {
    let spec = json!({"method": "POST", "action": "create", "user": {"id": 1, "attributes": {"email_verified": true}}});
    let source = "request.user.is_authenticated and request.user.email_verified and view.action == 'create'";
    assert_eq!(run(source, Scope::View, &spec, None), Ok(Ok(true)));
}

#[test]
fn has_perm_literals_are_interned_at_compile_time() {
    let mut table = PermissionTable::default();
    let source = "request.user.has_perm('blog.publish_post') or request.user.has_perms(['blog.add_post', 'blog.publish_post'], obj)";
    let condition = Condition::compile(source, Scope::Object, &mut table);
    assert!(condition.is_ok());
    assert_eq!(table.len(), 2);
    assert!(table.get("blog.publish_post").is_some() && table.get("blog.add_post").is_some());
}

/// An environment that records the `has_perm` calls it answers.
struct Recorder {
    user: User,
    calls: std::cell::RefCell<Vec<(PermId, bool)>>,
}

impl Environment for Recorder {
    fn method(&self) -> &str {
        "POST"
    }
    fn action(&self) -> Option<&str> {
        None
    }
    fn user(&self) -> &User {
        &self.user
    }
    fn object(&self) -> Option<&Value> {
        None
    }
    fn has_perm(&self, perm: PermId, with_object: bool) -> bool {
        self.calls.borrow_mut().push((perm, with_object));
        true
    }
}

fn compiled(source: &str, scope: Scope, table: &mut PermissionTable) -> Result<Condition, String> {
    Condition::compile(source, scope, table).map_err(|err| format!("{source:?} does not compile: {err:?}"))
}

#[test]
fn has_perm_passes_interned_ids_and_with_object() -> Result<(), String> {
    let mut table = PermissionTable::default();
    let other = table.intern("x.y");
    let source = "request.user.has_perm('blog.a') and request.user.has_perm('blog.b', obj) and request.user.has_perms(['x.y'], None)";
    let condition = compiled(source, Scope::Object, &mut table)?;
    let env = Recorder { user: User::anonymous(), calls: Default::default() };
    assert_eq!(condition.evaluate(&env), Ok(true));
    let (a, b) = (table.get("blog.a"), table.get("blog.b"));
    assert!(a.is_some() && b.is_some() && a != b);
    assert_eq!(env.calls.into_inner(), vec![(a.unwrap_or(other), false), (b.unwrap_or(other), true), (other, false)]);
    Ok(())
}

#[test]
fn chained_comparison_evaluates_each_operand_once_and_short_circuits() -> Result<(), String> {
    let mut table = PermissionTable::default();
    // The recorder answers True: False < True <= True holds, then True < True fails.
    let chain = compiled(
        "False < request.user.has_perm('a.b') <= True < request.user.has_perm('c.d')",
        Scope::View,
        &mut table,
    )?;
    let env = Recorder { user: User::anonymous(), calls: Default::default() };
    assert_eq!(chain.evaluate(&env), Ok(false));
    assert_eq!(env.calls.borrow().len(), 2, "each operand runs exactly once");
    let stop = compiled("True < request.user.has_perm('a.b') < request.user.has_perm('c.d')", Scope::View, &mut table)?;
    let env = Recorder { user: User::anonymous(), calls: Default::default() };
    assert_eq!(stop.evaluate(&env), Ok(false));
    assert_eq!(env.calls.borrow().len(), 1, "the chain stops at the first false link");
    let or = compiled("request.user.has_perm('a.b') or request.user.has_perm('c.d')", Scope::View, &mut table)?;
    let env = Recorder { user: User::anonymous(), calls: Default::default() };
    assert_eq!(or.evaluate(&env), Ok(true));
    assert_eq!(env.calls.borrow().len(), 1, "or stops at the first truthy operand");
    Ok(())
}

#[test]
fn hostile_input_is_rejected_not_overflowing() {
    let deep = format!("{}True{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(compile_err(&deep, Scope::View).code, "syntax_error");
    let nested = format!("{}True{}", "(".repeat(1000), ")".repeat(1000));
    let err = compile_err(&nested, Scope::View);
    assert!(err.message.contains("too long") || err.message.contains("nested too deeply"), "{err:?}");
    let nots = format!("{}True", "not ".repeat(500));
    assert!(compile_err(&nots, Scope::View).message.contains("nested too deeply"));
    let lists = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    assert!(compile_err(&lists, Scope::View).message.contains("nested too deeply"));
    let minus = format!("{}1", "-".repeat(200));
    assert!(compile_err(&minus, Scope::View).message.contains("nested too deeply"));
    let calls = format!("request.user.has_perm({}'a.b'{})", "(".repeat(100), ")".repeat(100));
    assert!(compile_err(&calls, Scope::View).message.contains("nested too deeply"));
    let attrs = format!("obj{}", ".a".repeat(1000));
    assert!(compile_err(&attrs, Scope::Object).message.contains("too many attributes"));
    let long = format!("True{}", " or True".repeat(MAX_SOURCE_LEN / 8));
    assert!(compile_err(&long, Scope::View).message.contains("too long"));
    // 60 levels are fine.
    let fine = format!("{}True{}", "(".repeat(60), ")".repeat(60));
    assert!(Condition::compile(&fine, Scope::View, &mut PermissionTable::default()).is_ok());
    // A flat chain of 400 `or`s is not nesting.
    let flat = format!("False{}", " or False".repeat(400));
    assert!(Condition::compile(&flat, Scope::View, &mut PermissionTable::default()).is_ok());
}

#[test]
fn hostile_input_fits_a_small_stack() {
    // Unoptimised frames are several times larger than release (wasm) frames; a wasm stack is 1 MiB.
    let inputs = [
        format!("{}True{}", "(".repeat(1000), ")".repeat(1000)),
        format!("{}True", "not ".repeat(500)),
        format!("{}1{}", "[".repeat(500), "]".repeat(500)),
        format!("request.user.has_perms([{}'a.b'{}])", "(".repeat(200), ")".repeat(200)),
        format!("obj{}", ".a".repeat(1500)),
        format!("{}True", "-".repeat(2000)),
        format!("{} == 1", "(1 == ".repeat(600)),
    ];
    for input in inputs {
        let outcome = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || Condition::compile(&input, Scope::Object, &mut PermissionTable::default()).map(|_| ()))
            .map(|handle| handle.join());
        assert!(matches!(outcome, Ok(Ok(Err(_)))), "{outcome:?}");
    }
}

#[test]
fn lines_and_columns_count_characters() {
    let err = compile_err("request.method == 'é' and\n  obj.x", Scope::View);
    assert_eq!((err.code.as_str(), err.line, err.column), ("unknown_name", 2, 3));
    let err = compile_err("'é' < 1", Scope::View);
    assert_eq!((err.line, err.column), (1, 5));
}

#[test]
fn every_error_position_is_inside_the_source() {
    // A cheap fuzz: every prefix of some conditions either compiles or points inside it.
    let sources = [
        "request.method in SAFE_METHODS or obj.owner == request.user",
        "request.user.has_perm('blog.change_post', obj) and obj.status in ('draft', 'review')",
        "(obj.a, [1, 2.5e3, None], 'x\\n') != () and not view.action is None",
    ];
    for source in sources {
        for (end, _) in source.char_indices() {
            let prefix = source.get(..end).unwrap_or_default();
            if let Err(err) = Condition::compile(prefix, Scope::Object, &mut PermissionTable::default()) {
                let lines: Vec<&str> = prefix.split('\n').collect();
                let line_len = lines.get(err.line as usize - 1).map_or(0, |l| l.chars().count());
                assert!(err.line >= 1 && err.column >= 1, "{prefix:?}: {err:?}");
                assert!(err.column as usize <= line_len + 1, "{prefix:?}: {err:?}");
            }
        }
    }
}

#[test]
fn source_and_scope_are_kept() -> Result<(), String> {
    let condition = compiled("obj.public", Scope::Object, &mut PermissionTable::default())?;
    assert_eq!(condition.source(), "obj.public");
    assert_eq!(condition.scope(), Scope::Object);
    Ok(())
}

#[test]
fn random_token_soup_never_panics() {
    // A deterministic fuzz: random sequences of language fragments compile or fail cleanly, and
    // whatever compiles evaluates to a value or an error.
    const PIECES: &[&str] = &[
        "request",
        ".",
        "method",
        "user",
        "obj",
        "view",
        "action",
        "owner",
        "id",
        "(",
        ")",
        "[",
        "]",
        ",",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        " in ",
        " not ",
        " is ",
        " and ",
        " or ",
        "SAFE_METHODS",
        "True",
        "None",
        "0",
        "-",
        "1.5",
        "'GET'",
        "\"x\"",
        "has_perm",
        "has_perms",
        "'a.b'",
        "=",
        "is_staff",
        "'",
        "\\",
        "#",
        "\n",
        "é",
        "&&",
        "{",
    ];
    let data = cases();
    let env_spec = data.pointer("/envs/ann").cloned().unwrap_or(Value::Null);
    let object = data.get("object").cloned();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut compiled = 0;
    for _ in 0..20_000 {
        let mut source = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for _ in 0..(state % 12) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            source.push_str(PIECES.get((state % PIECES.len() as u64) as usize).copied().unwrap_or(""));
        }
        for scope in [Scope::View, Scope::Object] {
            if let Ok(Ok(_) | Err(_)) = run(&source, scope, &env_spec, object.as_ref()) {
                compiled += 1;
            }
        }
    }
    assert!(compiled > 100, "the fuzz compiled only {compiled} conditions");
}

/// serde_json reads an integer beyond 64 bits as a rounded float; Python's json.loads keeps it
/// exact. Comparisons the lost digits decide are undecidable; the others are Python's.
#[test]
fn integers_beyond_64_bits_are_compared_only_where_rounding_cannot_matter() {
    let object: Value =
        serde_json::from_str(r#"{"wide": 18446744073709551617, "negwide": -10000000000000000001, "f": 1e19, "below": -9223372036854775809, "min": -9223372036854775808}"#)
            .unwrap_or(Value::Null);
    let env_spec: Value =
        serde_json::from_str(r#"{"method": "GET", "user": {"id": 3, "attributes": {"level": 18446744073709551617}}}"#)
            .unwrap_or(Value::Null);
    let undecidable = |result: &Result<Result<bool, EvalError>, ConditionError>| matches!(result, Ok(Err(error)) if error.message.starts_with("Undecidable"));
    for source in [
        "obj.wide == 18446744073709551616",
        "obj.wide <= 18446744073709551616",
        "obj.wide != 18446744073709551617",
        "obj.negwide < -10000000000000000000",
        "obj.wide in [1, 18446744073709551616]",
        "obj.wide is 18446744073709551616.0",
        "[obj.wide] == [18446744073709551617]",
        "18446744073709551616 == request.user.level",
        // Read as exactly -2^63 (conditions oracle, seeds 166 and 170).
        "obj.below == -9223372036854775809",
        "obj.below == -9223372036854775808",
        "obj.below == obj.min",
    ] {
        let result = run(source, Scope::Object, &env_spec, Some(&object));
        assert!(undecidable(&result), "{source}: {result:?}");
    }
    for (source, expected) in [
        ("obj.wide > 7", true),
        ("obj.wide == 7", false),
        ("obj.wide == '18446744073709551617'", false),
        ("obj.wide is None", false),
        ("not obj.wide", false),
        ("obj.negwide < 0", true),
        ("obj.wide in [1, 2]", false),
        ("obj.wide > 1e300", false),
        // Written as a float within 64 bits: a Python float, compared exactly.
        ("obj.f == 10000000000000000000", true),
        ("obj.min == -9223372036854775808", true),
        ("obj.below < 0", true),
    ] {
        let result = run(source, Scope::Object, &env_spec, Some(&object));
        assert!(matches!(result, Ok(Ok(got)) if got == expected), "{source}: {result:?}");
    }
    let result = run("obj.wide < 'x'", Scope::Object, &env_spec, Some(&object));
    assert!(matches!(&result, Ok(Err(error)) if error.message.starts_with("TypeError")), "{result:?}");
}

/// Two JSON containers are two Python objects, empty ones too (conditions oracle, seed 79:
/// `obj.c is obj.a` with both `[]` was allowed; Python answers False). The same field read
/// twice is one object.
#[test]
fn distinct_empty_containers_are_not_identical() {
    let object: Value = serde_json::from_str(r#"{"a": [], "c": [], "d": {}, "e": {}}"#).unwrap_or(Value::Null);
    let env_spec = json!({"method": "GET", "user": null});
    for (source, expected) in [
        ("obj.c is obj.a", false),
        ("obj.c is not obj.a", true),
        ("obj.d is obj.e", false),
        ("obj.c is obj.c", true),
        ("obj.d is obj.d", true),
        ("obj.c == obj.a", true),
    ] {
        let result = run(source, Scope::Object, &env_spec, Some(&object));
        assert!(matches!(result, Ok(Ok(got)) if got == expected), "{source}: {result:?}");
    }
}

/// A JSON number without a fraction may have been a float (`JSON.stringify(1.0)` is `1`, and the
/// package's typed paths see a JS number): `is` between equal small ints is left to the server
/// (conditions oracle through the package, seed 79: `-0 is not request.user.level` with a level
/// of `-0.0` read as `0`). Numbers that differ are never one object.
#[test]
fn is_between_equal_numbers_is_left_to_the_server() {
    let object: Value = serde_json::from_str(r#"{"one": 1, "zero": 0, "f": 1.0}"#).unwrap_or(Value::Null);
    let env_spec = json!({"method": "GET", "user": {"id": 3, "attributes": {"level": 0}}});
    let undecidable = |result: &Result<Result<bool, EvalError>, ConditionError>| matches!(result, Ok(Err(error)) if error.message.starts_with("Undecidable"));
    for source in ["obj.one is 1", "obj.zero is not request.user.level", "obj.one is obj.one", "-0 is obj.zero"] {
        let result = run(source, Scope::Object, &env_spec, Some(&object));
        assert!(undecidable(&result), "{source}: {result:?}");
    }
    for (source, expected) in
        [("obj.one is 2", false), ("obj.one is not 0", true), ("obj.f is 1", false), ("obj.one is True", false)]
    {
        let result = run(source, Scope::Object, &env_spec, Some(&object));
        assert!(matches!(result, Ok(Ok(got)) if got == expected), "{source}: {result:?}");
    }
}
