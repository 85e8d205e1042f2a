//! # drf-gate
//!
//! Django REST Framework's request decision — authentication outcome, permission classes,
//! object permissions, and the exact response DRF renders — as a small, panic-free Rust core.
//!
//! ```
//! use drf_gate::Gate;
//! let gate = Gate::from_json(r#"{
//!   "authentication": ["token", "session"],
//!   "permissions": ["IsAuthenticatedOrReadOnly"],
//!   "views": {"posts": {"model": "blog.Post"}}
//! }"#)?;
//! let decision = gate.check_json(r#"{"view": "posts", "action": "create"}"#)?;
//! assert_eq!(decision.status, 401);
//! assert_eq!(decision.body, r#"{"detail":"Authentication credentials were not provided."}"#);
//! assert_eq!(decision.www_authenticate(), Some("Token"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The map follows DRF's modules: [`permissions`] (`permissions.py`), [`views`]-level dispatch
//! (`views.py`), [`exceptions`], [`renderers`], [`authentication`]. The only module that
//! touches JavaScript is the wasm binding, compiled for `wasm32` targets.
//!
//! Feature `edge` (default) adds edge authentication: `Gate::check_request` runs the
//! authentication classes on a raw request (JWT, session + CSRF, ...). Without it the crate is
//! the core a browser needs, with no crypto: `--no-default-features` builds the small wasm.

#![forbid(unsafe_code)]

// First: its `object_only!` is used by the modules below.
#[macro_use]
mod json_object;
pub mod authentication;
#[cfg(feature = "compiler")]
pub mod compile;
#[macro_use]
pub mod compiled;
pub mod condition;
pub mod context;
pub mod decision;
#[cfg(feature = "edge")]
pub mod edge;
pub mod error;
pub mod exceptions;
pub mod gate;
pub mod http;
// The browser runtime's JSON writer (the unit tests compare it with serde_json on every build).
#[cfg(any(feature = "compiler", feature = "edge"))]
pub mod json;
#[cfg(any(test, all(target_arch = "wasm32", not(any(feature = "compiler", feature = "edge")))))]
pub(crate) mod json_writer;
pub mod limits;
pub mod middleware;
pub mod negotiation;
pub mod perm_table;
#[cfg(feature = "compiler")]
pub mod permission_expr;
pub mod permissions;
#[cfg(feature = "compiler")]
pub mod policy;
pub mod pystr;
pub mod renderers;
pub mod routing;
pub mod text;
#[macro_use]
#[cfg_attr(drf_gate_can_only, allow(unused_macros))]
pub mod typed_check;
pub mod user;
pub mod value;
pub mod views;

pub use context::Context;
pub use decision::Decision;
pub use error::{ContextError, PolicyError};
pub use gate::Gate;

#[cfg(all(target_arch = "wasm32", any(feature = "compiler", feature = "edge")))]
mod wasm;
#[cfg(all(target_arch = "wasm32", not(any(feature = "compiler", feature = "edge"))))]
mod wasm_runtime;

/// The browser runtime's allocator: O(1) size classes, a few hundred bytes instead of dlmalloc's
/// ~7 KB (bench/notes.md, size table).
#[cfg(all(target_arch = "wasm32", not(any(feature = "compiler", feature = "edge"))))]
#[global_allocator]
static ALLOCATOR: drf_gate_alloc::SizeClasses = drf_gate_alloc::SizeClasses::new();
