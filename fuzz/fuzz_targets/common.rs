#![allow(dead_code)]
// Shared helpers for the fuzz targets.
use drf_gate::authentication::*;
use drf_gate::user::UserInput;

pub struct Everyone;
impl Resolver for Everyone {
    fn token(&self, _key: &str) -> Lookup {
        Lookup::Found(UserInput { is_active: true, ..Default::default() })
    }
    fn basic(&self, _u: &str, _p: &str) -> Lookup {
        Lookup::Found(UserInput { is_active: true, ..Default::default() })
    }
    fn session(&self, _k: &str) -> Lookup {
        Lookup::Found(UserInput { is_active: true, ..Default::default() })
    }
    fn user_by_id(&self, _f: &str, _id: &serde_json::Value) -> Lookup {
        Lookup::Found(UserInput { is_active: true, ..Default::default() })
    }
}

/// Bytes as a latin-1 header value (what a real request can carry).
pub fn latin1(data: &[u8]) -> String {
    data.iter().map(|&b| char::from(b)).collect()
}

pub fn all_classes(settings: &CompiledSettings) -> Vec<Authenticator> {
    ["basic", "token", "jwt", "jwtStateless", "session", "remoteUser"]
        .iter()
        .map(|name| Authenticator::new(*name, settings.builtin_class(name).unwrap_or(AuthenticationClass::Session)))
        .collect()
}

pub fn hs_settings() -> Option<CompiledSettings> {
    let settings: AuthenticationSettings = serde_json::from_str(
        r#"{"jwt": {"signingKey": "s3cret-key", "audience": "api", "leeway": 5},
        "csrf": {"trustedOrigins": ["https://*.example.com"], "allowedHosts": [".example.com"]}}"#,
    )
    .ok()?;
    CompiledSettings::compile(&settings).ok()
}
