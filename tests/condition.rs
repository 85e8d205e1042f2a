#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! The condition language through the public API, with the conditions of the policy docs.

use drf_gate::condition::{Condition, Environment, Scope};
use drf_gate::perm_table::{PermId, PermissionTable};
use drf_gate::user::{User, UserInput};
use serde_json::{json, Value};

struct Request<'t> {
    method: &'static str,
    action: Option<&'static str>,
    user: User,
    object: Option<Value>,
    table: &'t PermissionTable,
}

impl Environment for Request<'_> {
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
        self.object.as_ref()
    }
    fn has_perm(&self, perm: PermId, with_object: bool) -> bool {
        self.user.has_perm(perm, if with_object { self.object.as_ref() } else { None }, self.table)
    }
}

fn user(value: Value, table: &PermissionTable) -> User {
    match serde_json::from_value::<UserInput>(value) {
        Ok(input) => User::compile(&input, table),
        Err(_) => User::anonymous(),
    }
}

/// Compiles every condition first (interning their permissions), then evaluates each for
/// `users` on one request shape.
fn decide(
    sources: &[(&str, Scope)],
    method: &'static str,
    action: Option<&'static str>,
    users: &[Value],
    object: Value,
) -> Result<Vec<Vec<Result<bool, String>>>, String> {
    let mut table = PermissionTable::default();
    let conditions = sources
        .iter()
        .map(|(source, scope)| Condition::compile(source, *scope, &mut table))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("{err:?}"))?;
    Ok(users
        .iter()
        .map(|spec| {
            let request = Request {
                method,
                action,
                user: if spec.is_null() { User::anonymous() } else { user(spec.clone(), &table) },
                object: Some(object.clone()),
                table: &table,
            };
            conditions.iter().map(|c| c.evaluate(&request).map_err(|e| e.message)).collect()
        })
        .collect())
}

#[test]
fn documented_conditions() -> Result<(), String> {
    let sources = [
        ("request.method in SAFE_METHODS or obj.owner == request.user", Scope::Object),
        ("request.user.is_authenticated and request.user.email_verified", Scope::View),
        ("request.user.has_perm('blog.publish_post')", Scope::View),
        ("request.user.has_perm('blog.change_post', obj)", Scope::Object),
        ("request.user.has_perms(['blog.add_post', 'blog.change_post'])", Scope::View),
        ("view.action == 'publish'", Scope::View),
        ("obj.status in ('draft', 'review') and obj.owner.id == request.user.id", Scope::Object),
    ];
    let users = [
        Value::Null,
        json!({"id": 3, "isActive": true, "permissions": ["blog.publish_post", "blog.add_post", "blog.change_post"],
               "objectPermissions": ["blog.change_post"], "attributes": {"email_verified": true}}),
        json!({"id": 4, "isActive": true, "attributes": {"email_verified": false}}),
        json!({"id": 5, "isActive": true, "isSuperuser": true, "attributes": {}}),
    ];
    let object = json!({"id": 7, "owner": {"id": 3, "username": "ann"}, "status": "review"});
    let got = decide(&sources, "POST", Some("publish"), &users, object)?;
    let error = |message: &str| Err(message.to_owned());
    let expected = vec![
        vec![Ok(false), Ok(false), Ok(false), Ok(false), Ok(false), Ok(true), Ok(false)],
        vec![Ok(true), Ok(true), Ok(true), Ok(true), Ok(true), Ok(true), Ok(true)],
        vec![Ok(false), Ok(false), Ok(false), Ok(false), Ok(false), Ok(true), Ok(false)],
        vec![
            Ok(false),
            error("AttributeError: 'User' object has no attribute 'email_verified'"),
            Ok(true),
            Ok(true),
            Ok(true),
            Ok(true),
            Ok(false),
        ],
    ];
    assert_eq!(got, expected);
    Ok(())
}

#[test]
fn conditions_are_shareable_and_reusable() -> Result<(), String> {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Condition>();
    let mut table = PermissionTable::default();
    let condition = Condition::compile("request.user.is_staff or view.action is None", Scope::View, &mut table)
        .map_err(|err| err.message)?;
    assert!(!condition.reads_object());
    for (is_staff, action, expected) in [(true, Some("list"), true), (false, None, true), (false, Some("list"), false)]
    {
        let request = Request {
            method: "GET",
            action,
            user: user(json!({"id": 1, "isStaff": is_staff}), &table),
            object: None,
            table: &table,
        };
        assert_eq!(condition.evaluate(&request), Ok(expected));
    }
    Ok(())
}
