#![no_main]
//! Signed JWTs: the input's header and claims (split at the first 0xFF) are base64url-encoded
//! and signed with the policy's HS256 key, so every token passes the signature check and the
//! fuzzer reaches the header, claims, expiry, audience and user-id logic.
use drf_gate::authentication::*;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
#[path = "common.rs"]
mod common;

fn b64url(data: &[u8]) -> String {
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

fuzz_target!(|data: &[u8]| {
    let Some(settings) = common::hs_settings() else { return };
    let (header, claims) = match data.iter().position(|&b| b == 0xFF) {
        Some(at) => (data[..at].to_vec(), data[at + 1..].to_vec()),
        // Mostly claims: a valid header, so the claims logic is reached.
        None => (br#"{"alg":"HS256","typ":"JWT"}"#.to_vec(), data.to_vec()),
    };
    let signing_input = format!("{}.{}", b64url(&header), b64url(&claims));
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(b"s3cret-key") else { return };
    mac.update(signing_input.as_bytes());
    let token = format!("{signing_input}.{}", b64url(&mac.finalize().into_bytes()));
    let Ok(request) = RawRequest::new("GET").header("Authorization", &format!("Bearer {token}")) else { return };
    for name in ["jwt", "jwtStateless"] {
        let classes = [Authenticator::new(name, settings.builtin_class(name).unwrap_or(AuthenticationClass::Session))];
        let _ = authenticate(&request, &classes, &settings, &common::Everyone, 1.7e9);
    }
});
