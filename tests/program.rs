#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! `can` programs (src/compiled/program.rs): every program answer, where it answers, equals
//! `Gate::can_resolved`, over policies that reach every lowering and many users and objects; what
//! the lowering does not cover answers "ask" (the caller then asks wasm).
//!
//! `run` below is a line-by-line mirror of pkg/src/program.js over JSON objects (the conformance
//! replay checks the JS interpreter itself against DRF's answers).

use drf_gate::compiled::program::{cmp, ops, Program};
use drf_gate::user::{User, UserInput};
use drf_gate::Gate;
use serde_json::{json, Value};

const ASK: u8 = 2;

struct Facts {
    bits: Vec<u8>,
    /// None: ask; Some(Null): no id.
    id: Option<Value>,
    username: String,
}

fn facts(gate: &Gate, user: &User) -> Facts {
    let [flags, kind, id, username] = gate.subject_facts(user);
    let bits = flags.bytes().map(|b| b - b'0').collect();
    let id = match kind.as_str() {
        "n" => Some(Value::Null),
        "i" => Some(json!(id.parse::<f64>().unwrap())),
        "s" => Some(Value::String(id)),
        _ => None,
    };
    Facts { bits, id, username }
}

fn node(p: &Program, at: usize, f: &Facts, obj: Option<&Value>) -> u8 {
    let code = &p.code;
    match code[at] {
        ops::FALSE => 0,
        ops::TRUE => 1,
        ops::FACT => f.bits.get(code[at + 2] as usize).copied().unwrap_or(ASK),
        ops::AND | ops::OR => {
            let stop = u8::from(code[at] == ops::AND);
            let end = at + code[at + 1] as usize;
            let mut i = at + 2;
            while i < end {
                let r = node(p, i, f, obj);
                if r != stop {
                    return r;
                }
                i += code[i + 1] as usize;
            }
            stop
        }
        ops::NOT => match node(p, at + 2, f, obj) {
            ASK => ASK,
            r => 1 - r,
        },
        ops::TRUTHY => value(p, at + 2, f, obj).map_or(ASK, |v| u8::from(truthy(&v))),
        ops::CMP => {
            let Some(a) = value(p, at + 3, f, obj) else { return ASK };
            let Some(b) = value(p, at + 3 + code[at + 4] as usize, f, obj) else { return ASK };
            compare(code[at + 2], &a, &b)
        }
        ops::USER_EQ | ops::USER_NE => {
            let Some(v) = value(p, at + 2, f, obj) else { return ASK };
            if code[at] == ops::USER_NE && f.bits[5] != 0 {
                return 0;
            }
            let r = user_equals(&v, f);
            if code[at] == ops::USER_NE && r != ASK {
                1 - r
            } else {
                r
            }
        }
        _ => ASK,
    }
}

fn value(p: &Program, at: usize, f: &Facts, obj: Option<&Value>) -> Option<Value> {
    let code = &p.code;
    match code[at] {
        ops::V_CONST => match code[at + 2] {
            0 => Some(Value::Null),
            1 => Some(json!(false)),
            2 => Some(json!(true)),
            3 => Some(json!(f64::from_bits(u64::from(code[at + 3] as u32) | (u64::from(code[at + 4] as u32) << 32)))),
            4 => Some(json!(p.texts[code[at + 3] as usize])),
            _ => None,
        },
        ops::V_OBJ => {
            let mut v = obj?;
            for i in 0..code[at + 2] as usize {
                v = v.as_object()?.get(&p.texts[code[at + 3 + i] as usize])?;
            }
            match v {
                Value::Number(n) => {
                    let x = n.as_f64()?;
                    // JS holds a JSON integer beyond 2^53 only approximately.
                    if x.fract() == 0.0 && x.abs() > 9_007_199_254_740_991.0 {
                        return None;
                    }
                    Some(json!(x))
                }
                Value::Array(_) | Value::Object(_) => None,
                other => Some(other.clone()),
            }
        }
        ops::V_USER_ID => f.id.clone(),
        ops::V_USERNAME => Some(json!(f.username)),
        ops::V_FACT => match f.bits.get(code[at + 2] as usize) {
            Some(0) => Some(json!(false)),
            Some(1) => Some(json!(true)),
            _ => None,
        },
        _ => None,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn equals(a: &Value, b: &Value) -> u8 {
    match (a, b) {
        (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Number(_))
        | (Value::Number(_), Value::Bool(_)) => u8::from(number(a) == number(b)),
        _ => u8::from(a == b),
    }
}

fn user_equals(v: &Value, f: &Facts) -> u8 {
    if f.bits[5] != 0 || f.bits[1] != 0 {
        return 0;
    }
    match &f.id {
        None => ASK,
        Some(Value::Null) => 0,
        Some(id) => match v {
            Value::Number(_) | Value::String(_) => equals(v, id),
            _ => 0,
        },
    }
}

fn compare(op: i32, a: &Value, b: &Value) -> u8 {
    match op {
        cmp::EQ => equals(a, b),
        cmp::NE => 1 - equals(a, b),
        cmp::LT | cmp::LE | cmp::GT | cmp::GE => {
            let ordering = match (number(a), number(b), a, b) {
                (Some(x), Some(y), _, _) => x.partial_cmp(&y),
                (_, _, Value::String(x), Value::String(y)) => Some(x.cmp(y)),
                _ => return ASK,
            };
            let Some(o) = ordering else { return 0 };
            u8::from(match op {
                cmp::LT => o.is_lt(),
                cmp::LE => o.is_le(),
                cmp::GT => o.is_gt(),
                _ => o.is_ge(),
            })
        }
        cmp::IS | cmp::IS_NOT => {
            let same = matches!((a, b), (Value::Null, Value::Null)) || (a.is_boolean() && a == b);
            u8::from((op == cmp::IS) == same)
        }
        _ => ASK,
    }
}

fn policy() -> Value {
    json!({
        "authentication": ["session"],
        "permissions": ["IsAuthenticatedOrReadOnly", "IsOwnerOrReadOnly | IsAdminUser"],
        "classes": {
            "IsOwnerOrReadOnly": {"hasObjectPermission": "request.method in SAFE_METHODS or obj.owner == request.user"},
            "NotOwner": {"hasObjectPermission": "obj.owner != request.user"},
            "Public": {"hasObjectPermission": "obj.public and not obj.archived or obj.status in ('draft', 'review')"},
            "Counted": {"hasObjectPermission": "obj.count > 3 or obj.count <= -1 or obj.title >= 'm' or obj.flag is None or obj.flag is not True"},
            "ById": {"hasObjectPermission": "obj.author.id == request.user.id or request.user.username == obj.author_name"},
            "Perms": {"hasPermission": "request.user.has_perm('blog.publish_post') or request.user.has_perms(['blog.a', 'blog.b'])",
                      "hasObjectPermission": "request.user.has_perm('blog.change_post', obj)"},
            "Flags": {"hasPermission": "request.user.is_active and not request.user.is_anonymous or request.user.is_superuser == 1"},
            "Action": {"hasPermission": "view.action == 'publish' or request.method == 'GET' or request.user.is_staff"},
            "Custom": {"hasPermission": "request.user.team == 'red'"},
            "Raises": {"hasObjectPermission": "obj.count < 'x'"},
            "Editors": {"base": "DjangoModelPermissions"},
            "Chained": {"hasObjectPermission": "1 < obj.count < 10"}
        },
        "views": {
            "posts": {"model": "blog.Post", "actions": ["list", "create", "retrieve", "update", "partial_update", "destroy"]},
            "mixed": {"model": "blog.Post",
                      "permissions": ["NotOwner | Public", "Counted | ById", "Perms | Flags", "Action"],
                      "actions": {"list": {}, "retrieve": {}, "update": {}, "destroy": {},
                                  "publish": {"detail": true, "methods": ["POST"]}}},
            "models": {"model": "blog.Post", "permissions": ["Editors", "DjangoObjectPermissions"],
                       "actions": ["list", "create", "retrieve", "update", "destroy"]},
            "filtered": {"model": "blog.Post", "queryset": "obj.published or obj.owner == request.user",
                         "permissions": ["IsAuthenticated"], "actions": ["list", "retrieve", "destroy"]},
            "custom": {"model": "blog.Post", "permissions": ["Custom", "Raises", "Chained"], "actions": ["list", "retrieve", "destroy"]}
        }
    })
}

fn users() -> Vec<Option<Value>> {
    vec![
        None,
        Some(json!({"id": 3, "username": "ann"})),
        Some(json!({"id": 4, "username": "bob", "isStaff": true})),
        Some(json!({"id": 5, "isSuperuser": true})),
        Some(json!({"id": 3, "isActive": false})),
        Some(json!({"id": 3, "tokenUser": true})),
        Some(json!({"id": "3", "username": "str"})),
        Some(json!({"username": "noid"})),
        Some(json!({"id": 3.0})),
        Some(json!({"id": 9007199254740993u64})),
        Some(
            json!({"id": 3, "permissions": ["blog.publish_post", "blog.add_post", "blog.change_post", "blog.delete_post"]}),
        ),
        Some(
            json!({"id": 3, "permissions": ["blog.a", "blog.b"], "objectPermissions": ["blog.change_post", "blog.delete_post"]}),
        ),
        Some(json!({"id": 3, "objectPermissions": {"7": ["blog.change_post", "blog.view_post"]}})),
        Some(json!({"id": 3, "attributes": {"team": "red"}})),
    ]
}

fn objects() -> Vec<Value> {
    let mut out = vec![
        json!({"id": 7, "owner": 3, "public": true, "archived": false, "status": "draft", "count": 4, "title": "z", "flag": null,
               "author": {"id": 3}, "author_name": "ann", "published": true}),
        json!({"id": 8, "owner": 4, "public": false, "status": "live", "count": -1, "title": "a", "flag": true,
               "author": {"id": "3"}, "author_name": "bob", "published": false}),
    ];
    let base = out[0].clone();
    for key in base.as_object().unwrap().keys() {
        for next in [
            json!(null),
            json!("3"),
            json!(3),
            json!(true),
            json!(1.5),
            json!({"id": 3}),
            json!([3]),
            json!(""),
            json!(0),
        ] {
            let mut variant = base.clone();
            variant[key] = next;
            out.push(variant);
        }
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove(key);
        out.push(missing);
    }
    out
}

/// Every answer a program gives equals the core's; returns (answered, asked).
fn replay(gate: &Gate) -> (usize, usize) {
    let users: Vec<User> = users()
        .into_iter()
        .map(|u| match u {
            None => User::anonymous(),
            Some(u) => gate.compile_user(&serde_json::from_value::<UserInput>(u).unwrap()),
        })
        .collect();
    let objects = objects();
    let (mut answered, mut asked) = (0, 0);
    for view in gate.view_names().collect::<Vec<_>>() {
        let mut names: Vec<String> = gate.actions(view).unwrap().map(str::to_owned).collect();
        names.extend(["GET", "DELETE", "OPTIONS", "PURGE"].map(str::to_owned));
        for name in &names {
            for with_object in [false, true] {
                let target = gate.resolve(view, name, with_object).unwrap();
                let program = gate.program(&target, with_object);
                for user in &users {
                    let f = facts(gate, user);
                    let cases: Vec<Option<&Value>> =
                        if with_object { objects.iter().map(Some).collect() } else { vec![None] };
                    for object in cases {
                        let got = node(&program, 0, &f, object);
                        if got == ASK {
                            asked += 1;
                            continue;
                        }
                        answered += 1;
                        let want = gate.can_resolved(user, &target, object);
                        assert_eq!(
                            got == 1,
                            want,
                            "{view} {name} with_object={with_object} user={user:?} object={object:?}\nprogram {program:?}"
                        );
                    }
                }
            }
        }
    }
    (answered, asked)
}

#[test]
fn programs_agree_with_the_core_wherever_they_answer() {
    let gate = Gate::from_value(policy()).unwrap();
    let (answered, asked) = replay(&gate);
    assert!(answered > 2 * asked, "answered {answered}, asked {asked}");
    assert!(asked > 0);
    // The compiled policy lowers alike.
    let loaded = Gate::from_compiled(&gate.to_compiled()).unwrap();
    assert_eq!(replay(&loaded), (answered, asked));
}

#[test]
fn compiled_policies_carry_the_lowered_programs() {
    let gate = Gate::from_value(policy()).unwrap();
    let loaded = Gate::from_compiled(&gate.to_compiled()).unwrap();
    for view in gate.view_names() {
        let mut names: Vec<String> = gate.actions(view).unwrap().map(str::to_owned).collect();
        names.extend(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PURGE"].map(str::to_owned));
        for name in &names {
            for with_object in [false, true] {
                let lowered = gate.program(&gate.resolve(view, name, with_object).unwrap(), with_object);
                let stored = loaded.program(&loaded.resolve(view, name, with_object).unwrap(), with_object);
                assert_eq!(stored, lowered, "{view} {name} with_object={with_object}");
            }
        }
    }
}

#[test]
fn what_the_lowering_does_not_cover_asks() {
    let gate = Gate::from_value(policy()).unwrap();
    // A custom user attribute, an unorderable comparison, a chained comparison.
    for name in ["list", "retrieve"] {
        let target = gate.resolve("custom", name, true).unwrap();
        assert_eq!(gate.program(&target, true).code, [ops::ASK, 2], "{name}");
    }
    // Object permissions given per pk depend on the object: ask.
    let user = gate.compile_user(
        &serde_json::from_value(
            json!({"id": 3, "permissions": ["blog.change_post"], "objectPermissions": {"7": ["blog.change_post"]}}),
        )
        .unwrap(),
    );
    let target = gate.resolve("models", "update", true).unwrap();
    let program = gate.program(&target, true);
    assert_eq!(node(&program, 0, &facts(&gate, &user), Some(&json!({"id": 7}))), ASK);
    // An id JS cannot hold exactly.
    let user = gate.compile_user(&serde_json::from_value(json!({"id": 9007199254740993u64})).unwrap());
    let target = gate.resolve("posts", "destroy", true).unwrap();
    assert_eq!(node(&gate.program(&target, true), 0, &facts(&gate, &user), Some(&json!({"owner": 1}))), ASK);
}

#[test]
fn object_independent_targets_do_not_read_the_object() {
    let gate = Gate::from_value(policy()).unwrap();
    for name in ["list", "create"] {
        let target = gate.resolve("posts", name, true).unwrap();
        let program = gate.program(&target, true);
        assert!(!program.code.contains(&ops::V_OBJ), "{name}: {program:?}");
    }
    let target = gate.resolve("posts", "destroy", true).unwrap();
    // IsAuthenticatedOrReadOnly, then obj.owner == request.user or is_staff.
    let program = gate.program(&target, true);
    assert_eq!(program.code[0], ops::AND);
    assert_eq!(program.texts, ["owner"]);
}
