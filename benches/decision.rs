#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
//! ns per decision on compiled policies of different shapes (issue: decision core).
//! Run with `cargo bench --bench decision`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use drf_gate::user::{User, UserInput};
use drf_gate::Gate;
use serde_json::{json, Value};

fn compile(policy: Value) -> Gate {
    match Gate::from_value(policy) {
        Ok(gate) => gate,
        Err(err) => panic!("{err}"),
    }
}

fn user(gate: &Gate, value: Value) -> User {
    match serde_json::from_value::<UserInput>(value) {
        Ok(input) => gate.compile_user(&input),
        Err(err) => panic!("{err}"),
    }
}

fn shapes(c: &mut Criterion) {
    // 1. IsAuthenticatedOrReadOnly, anonymous read and write.
    let gate = compile(json!({"permissions": ["IsAuthenticatedOrReadOnly"], "views": {"posts": {}}}));
    let anonymous = User::anonymous();
    c.bench_function("can/IsAuthenticatedOrReadOnly/anonymous GET", |b| {
        b.iter(|| gate.can(black_box(&anonymous), "posts", "list", None))
    });
    c.bench_function("can/IsAuthenticatedOrReadOnly/anonymous POST (denied)", |b| {
        b.iter(|| gate.can(black_box(&anonymous), "posts", "create", None))
    });

    // 2. IsAuthenticated & (IsOwner | IsAdminUser) at object level.
    let gate = compile(json!({
        "classes": {"IsOwner": {"hasObjectPermission": "obj.owner == request.user"}},
        "permissions": ["IsAuthenticated & (IsOwner | IsAdminUser)"],
        "views": {"posts": {"model": "blog.Post"}}
    }));
    let owner = user(&gate, json!({"id": 3}));
    let other = user(&gate, json!({"id": 4}));
    let post = json!({"id": 7, "owner": 3, "title": "Hello"});
    c.bench_function("can/IsAuthenticated & (IsOwner | IsAdminUser)/owner destroy", |b| {
        b.iter(|| gate.can(black_box(&owner), "posts", "destroy", Some(&post)))
    });
    c.bench_function("can/IsAuthenticated & (IsOwner | IsAdminUser)/other destroy (denied)", |b| {
        b.iter(|| gate.can(black_box(&other), "posts", "destroy", Some(&post)))
    });

    // 3. DjangoModelPermissions, user holding 50 permissions.
    let mut views = serde_json::Map::new();
    let mut perms = Vec::new();
    for index in 0..13 {
        views.insert(format!("model{index}"), json!({"model": format!("app.Model{index}")}));
        for action in ["add", "change", "delete", "view"] {
            perms.push(format!("app.{action}_model{index}"));
        }
    }
    let gate = compile(json!({"permissions": ["DjangoModelPermissions"], "views": views}));
    perms.truncate(50);
    let holder = user(&gate, json!({"id": 5, "permissions": perms}));
    c.bench_function("can/DjangoModelPermissions/50 perms POST", |b| {
        b.iter(|| gate.can(black_box(&holder), "model12", "create", None))
    });

    // 4. A 200-view policy.
    let mut views = serde_json::Map::new();
    for index in 0..200 {
        views.insert(format!("view{index}"), json!({"model": format!("app.Model{index}"), "permissions": ["IsAuthenticated", "DjangoModelPermissions | IsAdminUser"]}));
    }
    let gate = compile(json!({"views": views}));
    let staff = user(&gate, json!({"id": 6, "isStaff": true}));
    c.bench_function("can/200 views/staff update", |b| {
        b.iter(|| gate.can(black_box(&staff), "view137", "update", None))
    });

    // Full check from a parsed context (user compiled per call).
    let gate = compile(
        json!({"authentication": ["token"], "permissions": ["IsAuthenticatedOrReadOnly"], "views": {"posts": {"model": "blog.Post"}}}),
    );
    let context: drf_gate::Context = match serde_json::from_value(json!({"view": "posts", "action": "create"})) {
        Ok(context) => context,
        Err(err) => panic!("{err}"),
    };
    c.bench_function("check/parsed context/anonymous POST (401)", |b| {
        b.iter(|| gate.check(black_box(&context)).map(|d| d.status))
    });
    let text = r#"{"view":"posts","action":"update","user":{"id":3,"permissions":["blog.change_post"]},"object":{"id":7,"owner":3}}"#;
    c.bench_function("check_json/context text/user update", |b| {
        b.iter(|| gate.check_json(black_box(text)).map(|d| d.status))
    });
}

criterion_group!(benches, shapes);
criterion_main!(benches);
