#![no_main]
//! Session + CSRF with fuzzed Origin, Referer, Host, cookie, token header and form body.
use drf_gate::authentication::*;
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some(settings) = common::hs_settings() else { return };
    let mut parts = data.split(|&b| b == 0xFF);
    let mut next = || common::latin1(parts.next().unwrap_or(&[]));
    let (origin, referer, host, cookie, token, content_type) = (next(), next(), next(), next(), next(), next());
    let body = next();
    let flags = data.first().copied().unwrap_or(0);
    let method = ["POST", "PUT", "DELETE", "PATCH"][usize::from(flags % 4)];
    let mut request = RawRequest::new(method).secure(flags & 4 != 0).host(&host);
    for (name, value, on) in [
        ("Origin", &origin, flags & 8 != 0),
        ("Referer", &referer, true),
        ("X-CSRFToken", &token, flags & 16 != 0),
        ("Content-Type", &content_type, true),
        ("Cookie", &format!("sessionid=s; {cookie}"), true),
    ] {
        if on {
            let Ok(r) = request.clone().header(name, value) else { return };
            request = r;
        }
    }
    let request = request.body(&body.chars().map(|c| c as u8).collect::<Vec<u8>>());
    let classes = [Authenticator::new("session", AuthenticationClass::Session)];
    let _ = authenticate(&request, &classes, &settings, &common::Everyone, 1.7e9);
    let _ = request::parse_cookie(&cookie);
    let _ = urlsplit::urlsplit(&referer).map(|p| p.geturl());
});
