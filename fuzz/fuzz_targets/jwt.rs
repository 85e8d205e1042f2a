#![no_main]
//! Raw tokens (and token-shaped inputs built from three fuzzed segments) through JWT auth.
use drf_gate::authentication::jwt::{decode_segment, get_raw_token};
use drf_gate::authentication::*;
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some(settings) = common::hs_settings() else { return };
    let _ = decode_segment(data);
    let _ = get_raw_token(data, &["Bearer".to_string()]);
    let classes = [Authenticator::new("jwt", settings.builtin_class("jwt").unwrap_or(AuthenticationClass::Session))];
    // As-is, and as base64url(header).base64url(payload).sig from thirds of the input.
    let third = data.len() / 3;
    let (a, rest) = data.split_at(third);
    let (b, c) = rest.split_at(third);
    let enc = |x: &[u8]| drf_gate_b64url(x);
    for token in [common::latin1(data), format!("{}.{}.{}", enc(a), enc(b), common::latin1(c))] {
        if let Ok(request) = RawRequest::new("GET").header("Authorization", &format!("Bearer {token}")) {
            let _ = authenticate(&request, &classes, &settings, &common::Everyone, 1.7e9);
        }
    }
});

fn drf_gate_b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}
