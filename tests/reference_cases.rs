#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! The rows of `docs/drf-semantics.md` §7.3 that need no raw credentials, each as observed on
//! DRF 3.18.3 (the conformance suite re-checks them, and thousands more, against real DRF).

mod common;

use common::*;
use serde_json::json;

fn widget_policy(authentication: serde_json::Value, permissions: serde_json::Value) -> serde_json::Value {
    json!({
        "authentication": authentication,
        "permissions": permissions,
        "classes": {
            "CustomMsg": {"base": "IsAdminUser", "message": "Custom msg"},
            "DictMsg": {"base": "IsAdminUser", "message": {"error": "nope", "why": ["a", "b"]}},
            "First": {"base": "IsAdminUser", "message": "first"},
            "Second": {"base": "IsAdminUser", "message": "second"},
            "ViewObjectPermissions": {
                "base": "DjangoObjectPermissions",
                "permsMap": {
                    "GET": ["%(app_label)s.view_%(model_name)s"],
                    "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
                    "HEAD": ["%(app_label)s.view_%(model_name)s"],
                    "POST": ["%(app_label)s.add_%(model_name)s"],
                    "PUT": ["%(app_label)s.change_%(model_name)s"],
                    "PATCH": ["%(app_label)s.change_%(model_name)s"],
                    "DELETE": ["%(app_label)s.delete_%(model_name)s"]
                }
            }
        },
        "views": {
            "widgets": {"model": "testapp.Widget"},
            "readonly": {"model": "testapp.Widget", "actions": ["list"]}
        }
    })
}

fn user() -> serde_json::Value {
    json!({"id": 2, "username": "u"})
}

#[test]
fn row_01_anonymous_with_basic_first_is_401_with_realm() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["IsAuthenticated"])));
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list"})), outcome(401, NOT_AUTHENTICATED, BASIC));
}

#[test]
fn row_14_session_first_turns_not_authenticated_into_403() {
    let gate = gate(widget_policy(json!(["session", "basic"]), json!(["IsAuthenticated"])));
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list"})), outcome(403, NOT_AUTHENTICATED, None));
}

#[test]
fn row_17_no_authentication_classes_gives_permission_denied() {
    let gate = gate(widget_policy(json!([]), json!(["IsAuthenticated"])));
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list"})), outcome(403, PERMISSION_DENIED, None));
}

#[test]
fn rows_18_19_custom_message_only_when_authenticated() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["CustomMsg"])));
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "user": user()})),
        outcome(403, r#"{"detail":"Custom msg"}"#, None)
    );
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list"})), outcome(401, NOT_AUTHENTICATED, BASIC));
}

#[test]
fn row_20_composed_entries_lose_the_message() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["CustomMsg | IsAdminUser"])));
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "user": user()})),
        outcome(403, PERMISSION_DENIED, None)
    );
}

#[test]
fn row_21_dict_message_is_the_whole_body() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["DictMsg"])));
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "user": user()})),
        outcome(403, r#"{"error":"nope","why":["a","b"]}"#, None)
    );
}

#[test]
fn row_22_first_failing_entry_wins() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["First", "Second"])));
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "user": user()})),
        outcome(403, r#"{"detail":"first"}"#, None)
    );
}

#[test]
fn row_23_is_admin_user_reads_is_staff_only() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["IsAdminUser"])));
    let superuser = json!({"id": 1, "isSuperuser": true, "isStaff": false});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "user": superuser})),
        outcome(403, PERMISSION_DENIED, None)
    );
}

#[test]
fn row_24_is_authenticated_or_read_only() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["IsAuthenticatedOrReadOnly"])));
    for method in ["GET", "HEAD", "OPTIONS"] {
        assert_eq!(decide(&gate, json!({"view": "widgets", "method": method})), allowed(), "{method}");
    }
    assert_eq!(decide(&gate, json!({"view": "widgets", "method": "POST"})), outcome(401, NOT_AUTHENTICATED, BASIC));
}

#[test]
fn row_25_not_is_authenticated() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["~IsAuthenticated"])));
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list"})), allowed());
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "user": user()})),
        outcome(403, PERMISSION_DENIED, None)
    );
}

#[test]
fn rows_26_to_31_django_model_permissions() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["DjangoModelPermissions"])));
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list"})), outcome(401, NOT_AUTHENTICATED, BASIC));
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list", "user": user()})), allowed());
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "create", "user": user()})),
        outcome(403, PERMISSION_DENIED, None)
    );
    let adder = json!({"id": 3, "permissions": ["testapp.add_widget"]});
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "create", "user": adder})), allowed());
    let changer = json!({"id": 4, "permissions": ["testapp.change_widget"]});
    let object = json!({"id": 1, "owner": 4});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "partial_update", "user": changer, "object": object})),
        allowed()
    );
    let superuser = json!({"id": 1, "isSuperuser": true});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "destroy", "user": superuser, "object": object})),
        allowed()
    );
    let inactive_superuser = json!({"id": 1, "isSuperuser": true, "isActive": false});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "destroy", "user": inactive_superuser, "object": object})),
        outcome(403, PERMISSION_DENIED, None)
    );
}

#[test]
fn rows_32_33_unknown_method_raises_405_inside_the_permission_check_after_authentication() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["DjangoModelPermissions"])));
    for method in ["FOO", "TRACE"] {
        let body = format!(r#"{{"detail":"Method \"{method}\" not allowed."}}"#);
        assert_eq!(
            decide(&gate, json!({"view": "widgets", "method": method, "user": user()})),
            outcome(405, &body, None)
        );
    }
    assert_eq!(decide(&gate, json!({"view": "widgets", "method": "FOO"})), outcome(401, NOT_AUTHENTICATED, BASIC));
}

#[test]
fn row_34_permissions_run_before_the_handler_lookup() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["DjangoModelPermissions"])));
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "method": "PUT", "detail": false, "user": user()})),
        outcome(403, PERMISSION_DENIED, None)
    );
    let changer = json!({"id": 4, "permissions": ["testapp.change_widget"]});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "method": "PUT", "detail": false, "user": changer})),
        outcome(405, r#"{"detail":"Method \"PUT\" not allowed."}"#, None)
    );
}

#[test]
fn row_35_lookup_miss_names_the_model() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["DjangoModelPermissions"])));
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "retrieve", "user": user(), "object": null})),
        outcome(404, r#"{"detail":"No Widget matches the given query."}"#, None)
    );
}

#[test]
fn row_37_model_permissions_or_anon_read_only() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["DjangoModelPermissionsOrAnonReadOnly"])));
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list"})), allowed());
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "create"})), outcome(401, NOT_AUTHENTICATED, BASIC));
}

#[test]
fn rows_38_to_42_django_object_permissions_404_versus_403() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["ViewObjectPermissions"])));
    let model_perms = json!(["testapp.view_widget", "testapp.change_widget", "testapp.delete_widget"]);
    let object = json!({"id": 1});
    let with = |object_perms: serde_json::Value| json!({"id": 5, "permissions": model_perms, "objectPermissions": object_perms});
    let not_found = r#"{"detail":"Not found."}"#;
    assert_eq!(
        decide(
            &gate,
            json!({"view": "widgets", "action": "retrieve", "user": with(json!(["view_widget"])), "object": object})
        ),
        allowed()
    );
    assert_eq!(
        decide(
            &gate,
            json!({"view": "widgets", "action": "retrieve", "user": with(json!(["change_widget"])), "object": object})
        ),
        outcome(404, not_found, None)
    );
    assert_eq!(
        decide(
            &gate,
            json!({"view": "widgets", "action": "destroy", "user": with(json!(["view_widget"])), "object": object})
        ),
        outcome(403, PERMISSION_DENIED, None)
    );
    assert_eq!(
        decide(
            &gate,
            json!({"view": "widgets", "action": "destroy", "user": with(json!(["change_widget"])), "object": object})
        ),
        outcome(404, not_found, None)
    );
    let no_model_perms = json!({"id": 6, "objectPermissions": ["view_widget"]});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "retrieve", "user": no_model_perms, "object": object})),
        outcome(403, PERMISSION_DENIED, None)
    );
}

#[test]
fn row_45_not_denies_every_object() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["~IsAuthenticated"])));
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "retrieve", "object": {"id": 1}})),
        outcome(401, NOT_AUTHENTICATED, BASIC)
    );
    assert_eq!(decide(&gate, json!({"view": "widgets", "action": "list"})), allowed());
}

#[test]
fn rows_46_47_401_beats_405_and_405_sends_allow() {
    let gate = gate(widget_policy(json!(["basic"]), json!(["IsAuthenticated"])));
    assert_eq!(decide(&gate, json!({"view": "readonly", "method": "POST"})), outcome(401, NOT_AUTHENTICATED, BASIC));
    let gate = drf_gate::Gate::from_value(widget_policy(json!(["basic"]), json!(["AllowAny"]))).unwrap();
    let decision = gate.check_value(json!({"view": "readonly", "method": "POST"})).unwrap();
    assert_eq!((decision.status, &*decision.body), (405, r#"{"detail":"Method \"POST\" not allowed."}"#));
    assert_eq!(decision.allow, "GET, HEAD, OPTIONS");
}

#[test]
fn token_user_has_no_model_permissions_even_for_reads() {
    let gate = gate(widget_policy(json!(["jwtStateless"]), json!(["DjangoModelPermissions"])));
    let token_user = json!({"id": 9, "tokenUser": true, "isStaff": true});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "user": token_user})),
        outcome(403, PERMISSION_DENIED, None)
    );
}

#[test]
fn authentication_failures_render_their_detail() {
    let gate = gate(widget_policy(json!(["token", "basic"]), json!(["AllowAny"])));
    let failed = json!({"failed": {"detail": "Invalid username/password."}});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "authentication": failed})),
        outcome(401, r#"{"detail":"Invalid username/password."}"#, Some("Token"))
    );
    let csrf = json!({"failed": {"exception": "PermissionDenied", "detail": "CSRF Failed: CSRF token missing."}});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "create", "authentication": csrf})),
        outcome(403, r#"{"detail":"CSRF Failed: CSRF token missing."}"#, None)
    );
    let gate = common::gate(widget_policy(json!(["session", "jwt"]), json!(["AllowAny"])));
    let jwt = json!({"failed": {"detail": {"detail": "Given token not valid for any token type", "code": "token_not_valid", "messages": [{"token_class": "AccessToken", "token_type": "access", "message": "Token is expired"}]}}});
    assert_eq!(
        decide(&gate, json!({"view": "widgets", "action": "list", "authentication": jwt})),
        outcome(
            403,
            r#"{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is expired"}]}"#,
            None
        )
    );
}

#[test]
fn rows_48_content_negotiation_runs_before_authentication() {
    let json_only = json!({"authentication": ["basic"], "permissions": ["IsAuthenticated"], "renderers": ["JSONRenderer"], "views": {"widgets": {}}});
    let gate = gate(json_only);
    let decide_accept = |accept: &str| decide(&gate, json!({"view": "widgets", "action": "list", "accept": accept}));
    assert_eq!(
        decide_accept("text/html"),
        outcome(406, r#"{"detail":"Could not satisfy the request Accept header."}"#, None)
    );
    assert_eq!(decide_accept(""), outcome(406, r#"{"detail":"Could not satisfy the request Accept header."}"#, None));
    assert_eq!(
        decide_accept("application/json; indent=4"),
        outcome(401, "{\n    \"detail\": \"Authentication credentials were not provided.\"\n}", BASIC)
    );
    assert_eq!(decide_accept("text/html, */*; q=0.8"), outcome(401, NOT_AUTHENTICATED, BASIC));
    // With the browsable API (DRF's default renderers), HTML is the server's to render.
    let gate = common::gate(
        json!({"authentication": ["basic"], "permissions": ["IsAuthenticated"], "views": {"widgets": {}}}),
    );
    let decision = gate.check_value(json!({"view": "widgets", "action": "list", "accept": "text/html"})).unwrap();
    assert!(!decision.allowed && !decision.respond());
    let decision = gate.check_value(json!({"view": "widgets", "action": "list"})).unwrap();
    assert!(decision.respond());
    assert!(decision.headers().any(|header| header == ("Vary", "Accept")));
    // A 406 is rendered by the first renderer (`finalize_response`'s `force=True`): JSON here...
    let decision = gate.check_value(json!({"view": "widgets", "action": "list", "accept": "application/xml"})).unwrap();
    assert_eq!((decision.status, decision.respond()), (406, true));
    // ...the browsable API's HTML page when it comes first (edge:negotiation, a DRF 500 in the
    // oracle, which has no templates): the server's to render.
    let html_first = json!({"authentication": ["basic"], "permissions": ["IsAuthenticated"],
                            "renderers": ["BrowsableAPIRenderer", "JSONRenderer"], "views": {"widgets": {}}});
    let gate = common::gate(html_first);
    for accept in ["application/xml", "", "json"] {
        let decision = gate.check_value(json!({"view": "widgets", "action": "list", "accept": accept})).unwrap();
        assert_eq!((decision.status, decision.respond()), (406, false), "{accept}");
    }
}
