#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! A bad policy is rejected at load with a stable code, a JSON path, and (inside expressions or
//! the document) line and column.

use drf_gate::{Gate, PolicyError};
use serde_json::json;

fn error(policy: serde_json::Value) -> PolicyError {
    match Gate::from_value(policy) {
        Ok(_) => panic!("policy should not compile"),
        Err(err) => err,
    }
}

fn located(err: &PolicyError) -> (&str, &str, Option<u32>, Option<u32>) {
    (err.code, err.path.as_str(), err.line, err.column)
}

#[test]
fn unknown_class_points_at_the_name() {
    let err = error(json!({"views": {"posts": {"permissions": ["IsAuthenticated", "IsAuthenticated & IsOwnr"]}}}));
    assert_eq!(located(&err), ("unknown_class", "$.views.posts.permissions[1]", Some(1), Some(19)));
    assert!(err.message.contains("`IsOwnr`"), "{}", err.message);
}

#[test]
fn expression_syntax_errors_have_columns() {
    let err = error(json!({"permissions": ["IsAuthenticated &"]}));
    assert_eq!(located(&err), ("syntax_error", "$.permissions[0]", Some(1), Some(18)));
    let err = error(json!({"permissions": ["(IsAuthenticated | IsAdminUser"]}));
    assert_eq!(located(&err), ("syntax_error", "$.permissions[0]", Some(1), Some(31)));
    assert!(err.message.contains("not closed"), "{}", err.message);
    let err = error(json!({"permissions": ["IsAuthenticated or IsAdminUser"]}));
    assert_eq!(located(&err), ("syntax_error", "$.permissions[0]", Some(1), Some(17)));
    assert!(err.message.contains("use `|`"), "{}", err.message);
}

#[test]
fn cycles_are_named() {
    let err = error(json!({"classes": {"A": {"base": "B"}, "B": {"base": "A"}}}));
    assert_eq!(err.code, "cycle");
    assert!(err.message.contains("A -> B -> A"), "{}", err.message);
    let err = error(json!({"classes": {"Loop": {"expression": "IsAuthenticated | Loop"}}}));
    assert_eq!(located(&err), ("cycle", "$.classes.Loop.expression", Some(1), Some(19)));
}

#[test]
fn unknown_keys_and_wrong_types_are_rejected_with_their_path() {
    let err = error(json!({"views": {"posts": {"permisions": []}}}));
    assert_eq!(located(&err), ("invalid_policy", "$.views.posts.permisions", None, None));
    assert!(err.message.contains("unknown field `permisions`"), "{}", err.message);
    let err = error(json!({"views": {"posts": {"actions": {"list": {"methods": "GET"}}}}}));
    assert_eq!(err.path, "$.views.posts.actions.list.methods");
}

#[test]
fn invalid_json_reports_line_and_column() {
    let err = Gate::from_json("{\n  \"views\": {,}\n}").unwrap_err();
    assert_eq!((err.code, err.line, err.column), ("invalid_json", Some(2), Some(13)));
}

#[test]
fn django_model_permissions_need_a_model() {
    let err = error(json!({"views": {"root": {"permissions": ["DjangoModelPermissions"]}}}));
    assert_eq!(located(&err), ("missing_model", "$.views.root.permissions[0]", Some(1), Some(1)));
    // DRF's API root sets _ignore_model_permissions and has no queryset: that is fine.
    assert!(Gate::from_value(json!({"views": {"root": {"permissions": ["DjangoModelPermissions"], "ignoreModelPermissions": true, "actions": ["list"]}}})).is_ok());
}

#[test]
fn perms_map_templates_are_checked() {
    let err = error(json!({
        "classes": {"P": {"base": "DjangoModelPermissions", "permsMap": {"GET": ["%(app)s.view"]}}},
        "views": {"w": {"model": "a.W", "permissions": ["P"]}}
    }));
    assert_eq!(located(&err), ("invalid_perms_map", "$.classes.P.permsMap.GET", None, None));
    let err = error(json!({"classes": {"P": {"permsMap": {}}}}));
    assert_eq!(err.code, "invalid_perms_map");
}

#[test]
fn authentication_classes_are_resolved() {
    let err = error(json!({"authentication": ["token", "oauth"]}));
    assert_eq!(located(&err), ("unknown_authentication_class", "$.authentication[1]", None, None));
    let err = error(json!({"authenticationClasses": {"Custom": {}}}));
    assert_eq!(err.path, "$.authenticationClasses.Custom");
    assert!(Gate::from_value(
        json!({"authentication": ["Custom"], "authenticationClasses": {"Custom": {"wwwAuthenticate": null}}})
    )
    .is_ok());
}

#[test]
fn actions_are_checked() {
    let err = error(json!({"views": {"posts": {"actions": {"publish": {"methods": ["POST"]}}}}}));
    assert_eq!(located(&err), ("invalid_policy", "$.views.posts.actions.publish", None, None));
    let err = error(json!({"views": {"posts": {"actions": {"publish": {"detail": true, "methods": ["HEAD"]}}}}}));
    assert_eq!(err.path, "$.views.posts.actions.publish.methods[0]");
    let err = error(json!({"views": {"posts": {"actions": {"list": {"authentication": ["token"]}}}}}));
    assert_eq!(err.path, "$.views.posts.actions.list.authentication");
}

#[test]
fn compositions_cannot_be_bases_or_have_bodies() {
    let err = error(
        json!({"classes": {"Either": {"expression": "IsAdminUser | IsAuthenticated"}, "Sub": {"base": "Either"}}}),
    );
    assert_eq!(err.path, "$.classes.Sub.base");
    let err = error(json!({"classes": {"Either": {"expression": "IsAdminUser", "message": "x"}}}));
    assert_eq!(err.path, "$.classes.Either");
}

#[test]
fn routes_name_known_views() {
    let err = error(json!({"views": {"posts": {}}, "routes": [{"pattern": "/api/x/", "view": "nope"}]}));
    assert_eq!(located(&err), ("unknown_view", "$.routes[0].view", None, None));
}

#[test]
fn multi_line_expressions_report_the_line() {
    let err = error(json!({"permissions": ["IsAdminUser |\n Foo"]}));
    assert_eq!(located(&err), ("unknown_class", "$.permissions[0]", Some(2), Some(2)));
    let err = error(json!({"permissions": ["(IsAdminUser |\n  IsAuthenticated"]}));
    assert_eq!(located(&err), ("syntax_error", "$.permissions[0]", Some(2), Some(18)));
}
