#![no_main]
//! Request bodies in any charset: Python's codec lookup and stream decoding, then the JSON,
//! form and multipart parsers behind the CSRF check (input: content type, 0xFF, body).
use drf_gate::authentication::codecs::{lookup, read};
use drf_gate::authentication::session::request_post_token;
use drf_gate::authentication::RawRequest;
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.iter().position(|&b| b == 0xFF) {
        Some(at) => (common::latin1(&data[..at]), &data[at + 1..]),
        None => ("application/json; charset=utf-16".to_string(), data),
    };
    let _ = read(lookup(&content_type), body);
    let Ok(request) = RawRequest::new("POST").header("Content-Type", &content_type) else { return };
    let _ = request_post_token(&request.body(body));
});
