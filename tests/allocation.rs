#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
#![allow(unsafe_code)] // a counting global allocator
//! A decision on a compiled policy allocates nothing it does not return.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use drf_gate::user::{User, UserInput};
use drf_gate::Gate;
use serde_json::json;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(run: impl Fn()) -> usize {
    run(); // warm up lazily initialised state
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    run();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

#[test]
fn decisions_do_not_allocate() {
    let gate = Gate::from_value(json!({
        "authentication": ["token", "session"],
        "permissions": ["IsAuthenticatedOrReadOnly", "DjangoObjectPermissions | IsAdminUser"],
        "classes": {"Msg": {"base": "IsAdminUser", "message": {"error": "no"}}},
        "views": {
            "posts": {"model": "blog.Post"},
            "admin": {"model": "blog.Post", "permissions": ["Msg"]}
        }
    }))
    .unwrap();
    let input: UserInput = serde_json::from_value(
        json!({"id": 3, "permissions": ["blog.change_post"], "objectPermissions": ["change_post"]}),
    )
    .unwrap();
    let user = gate.compile_user(&input);
    let anonymous = User::anonymous();
    let post = json!({"id": 7, "owner": 3});

    assert_eq!(allocations_during(|| assert!(gate.can(&user, "posts", "partial_update", Some(&post)).unwrap())), 0);
    assert_eq!(allocations_during(|| assert!(!gate.can(&anonymous, "posts", "create", None).unwrap())), 0);
    assert_eq!(allocations_during(|| assert!(!gate.can(&user, "admin", "list", None).unwrap())), 0);
    assert_eq!(allocations_during(|| assert!(gate.can(&user, "posts", "GET", None).unwrap())), 0);
}
