//! The JavaScript binding (wasm-bindgen). INTERFACE STUB: replaced by the npm-package work.
