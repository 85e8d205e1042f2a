#![no_main]
//! Any Authorization header through every class, one after another.
use drf_gate::authentication::*;
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some(settings) = common::hs_settings() else { return };
    let Ok(request) = RawRequest::new("GET").header("Authorization", &common::latin1(data)) else { return };
    for class in common::all_classes(&settings) {
        let _ = authenticate(&request, std::slice::from_ref(&class), &settings, &common::Everyone, 1.7e9);
    }
});
