//! # drf-gate
//!
//! Django REST Framework's request decision — authentication outcome, permission classes,
//! object permissions, and the exact response DRF renders — as a small, panic-free Rust core.
//!
//! The core is plain Rust. The only module that touches JavaScript is the wasm binding,
//! compiled for `wasm32` targets.

pub mod authentication;
pub mod condition;
pub mod perm_table;
pub mod user;

#[cfg(target_arch = "wasm32")]
mod wasm;
