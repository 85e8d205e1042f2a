#![no_main]
//! Python-compatible JSON scanning and UTF-8 stream decoding.
use drf_gate::authentication::pyjson::{decode_utf8_stream, loads, loads_bytes, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = loads_bytes(data);
    if let Ok(text) = decode_utf8_stream(data) {
        let _ = loads(&text, LoadOptions { strict_constants: true });
    }
});
