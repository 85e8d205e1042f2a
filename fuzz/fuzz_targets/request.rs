#![no_main]
//! Whole raw requests through `Gate::check_request` (routing, negotiation, every
//! authentication class, the CSRF check and body parsing, permissions), as a Worker sends them.
//! Input: method, path, then `Name: value` header lines, a blank line, and the body.
use drf_gate::authentication::{RawRequest, RawRequestInput};
use drf_gate::edge::{EdgeOutcome, RequestTarget};
use drf_gate::Gate;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
#[path = "common.rs"]
mod common;

const POLICY: &str = r#"{
  "authentication": ["basic", "token", "jwt", "session"],
  "permissions": ["IsAuthenticatedOrReadOnly"],
  "settings": {"jwt": {"signingKey": "s3cret-key"}, "csrf": {"trustedOrigins": ["https://*.example.com"], "allowedHosts": [".example.com"]}},
  "views": {"posts": {"model": "blog.post", "permissions": ["IsAuthenticated & DjangoModelPermissions"]}, "open": {"permissions": ["AllowAny"], "authentication": ["session"]}},
  "routes": [{"pattern": "/api/posts/", "view": "posts"}, {"pattern": "/api/posts/{pk}/", "view": "posts", "detail": true},
             {"pattern": "/open/", "view": "open"}]
}"#;

fn gate() -> Option<&'static Gate> {
    static GATE: OnceLock<Option<Gate>> = OnceLock::new();
    GATE.get_or_init(|| Gate::from_json(POLICY).ok()).as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(gate) = gate() else { return };
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (data.get(..at).unwrap_or_default(), data.get(at + 2..).unwrap_or_default()),
        None => (data, &[][..]),
    };
    let head = common::latin1(head);
    let mut lines = head.split('\n');
    let method = lines.next().unwrap_or("GET").to_string();
    let path = lines.next().unwrap_or("/").to_string();
    let mut input =
        RawRequestInput { method, url: Some(format!("https://api.example.com{path}")), ..Default::default() };
    for line in lines {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        input.headers.insert(name.to_string(), value.trim_start().to_string());
    }
    input.body = Some(String::from_utf8_lossy(body).into_owned());
    let Ok(request) = RawRequest::from_input(input) else { return };
    let outcome = gate.check_request(&request, &RequestTarget::default(), &common::Everyone, 1.7e9);
    if let Ok(EdgeOutcome::Decided(decision, _)) = outcome {
        let _ = serde_json::to_string(&decision);
    }
});
