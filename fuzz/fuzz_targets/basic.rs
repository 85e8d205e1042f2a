#![no_main]
//! Python base64 decoding and Basic credential splitting.
use drf_gate::authentication::basic::decode_credentials;
use drf_gate::authentication::pybase64::{b64decode, base64url_decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = b64decode(data);
    let _ = base64url_decode(data);
    if let Some((user, password)) = decode_credentials(data) {
        assert!(!user.contains(':'));
        let _ = password;
    }
});
