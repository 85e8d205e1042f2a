//! The authentication settings in the compiled form (format version 3): plain fields in a
//! length-prefixed section, so that the edge build's [`Gate::from_compiled`](crate::Gate::from_compiled)
//! runs no serde code (the JSON text of version 2 cost ~10 ms of lazy wasm compilation on every
//! cold start). Only a JWK verifying key given as a JSON object is kept as JSON text: it is key
//! material the RSA/EC key parser reads, never on the HMAC path.
//!
//! The section is written by the compiler, kept as bytes by the core build (for
//! [`Gate::to_compiled`](crate::Gate::to_compiled)), skipped by the browser runtime (which runs no
//! authentication class), and decoded then compiled by the edge build, where anything that does
//! not decode to exactly the section, or does not compile, is `corrupt_compiled_policy`.
//!
//! ```
//! # #[cfg(feature = "edge")] {
//! use drf_gate::Gate;
//! let gate = Gate::from_json(r#"{"settings": {"jwt": {"signingKey": "k", "leeway": 1.5}}, "views": {}}"#)?;
//! let bytes = gate.to_compiled();
//! assert_eq!(Gate::from_compiled(&bytes)?.to_compiled(), bytes);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "compiler")]
use super::wire::Writer;
#[cfg(feature = "edge")]
use super::wire::{Read, Reader, Sticky};
#[cfg(any(feature = "compiler", feature = "edge"))]
use crate::authentication::{AuthenticationSettings, KnoxHash, OneOrMany, UserIdKind};
#[cfg(feature = "edge")]
use crate::authentication::{
    BasicSettings, CsrfSettings, JwtSettings, KnoxSettings, RemoteUserSettings, SessionSettings, TokenSettings,
    UploadSettings,
};
#[cfg(any(feature = "compiler", feature = "edge"))]
use crate::middleware::MiddlewareSpec;
#[cfg(feature = "edge")]
use crate::middleware::{CommonSpec, CorsSpec, SecuritySpec};

/// The settings section's bytes (without its length prefix).
#[cfg(feature = "compiler")]
pub(crate) fn encode(settings: &AuthenticationSettings, middleware: Option<&MiddlewareSpec>) -> Vec<u8> {
    let mut out = Writer::default();
    out.str(&settings.token.keyword);
    out.str(&settings.basic.realm);
    let jwt = &settings.jwt;
    out.str(&jwt.algorithm);
    out.opt_str(jwt.signing_key.as_deref());
    match &jwt.verifying_key {
        None => out.u8(0),
        Some(serde_json::Value::String(pem)) => {
            out.u8(1);
            out.str(pem);
        }
        Some(other) => {
            out.u8(2);
            out.str(&other.to_string());
        }
    }
    encode_opt_one_or_many(jwt.audience.as_ref(), &mut out);
    encode_opt_one_or_many(jwt.issuer.as_ref(), &mut out);
    out.fixed(&jwt.leeway.to_bits().to_le_bytes());
    encode_opt_one_or_many(Some(&jwt.auth_header_types), &mut out);
    out.str(&jwt.auth_header_name);
    out.str(&jwt.user_id_claim);
    out.str(&jwt.user_id_field);
    out.u8(match jwt.user_id_kind {
        None => 0,
        Some(UserIdKind::Integer) => 1,
        Some(UserIdKind::Uuid) => 2,
        Some(UserIdKind::Text) => 3,
    });
    out.opt_str(jwt.token_type_claim.as_deref());
    out.opt_str(jwt.jti_claim.as_deref());
    encode_strings(&jwt.auth_token_classes, &mut out);
    out.bool(jwt.check_user_is_active);
    out.str(&jwt.realm);
    let csrf = &settings.csrf;
    out.str(&csrf.cookie_name);
    out.str(&csrf.header_name);
    encode_strings(&csrf.trusted_origins, &mut out);
    out.opt_str(csrf.cookie_domain.as_deref());
    out.bool(csrf.use_sessions);
    match &csrf.allowed_hosts {
        None => out.u8(0),
        Some(hosts) => {
            out.u8(1);
            encode_strings(hosts, &mut out);
        }
    }
    out.str(&settings.session.cookie_name);
    out.opt_str(settings.session.cookie_domain.as_deref());
    out.str(&settings.session.engine);
    out.str(&settings.remote_user.header);
    out.bool(settings.remote_user.create_unknown_user);
    let upload = &settings.upload;
    for limit in [
        upload.data_max_memory_size,
        upload.data_max_number_fields,
        upload.data_max_number_files,
        upload.file_max_memory_size,
    ] {
        match limit {
            None => out.u8(0),
            Some(limit) => {
                out.u8(1);
                out.varint(limit as u64);
            }
        }
    }
    let knox = &settings.knox;
    out.str(&knox.auth_header_prefix);
    out.u8(match knox.secure_hash_algorithm {
        KnoxHash::Sha224 => 0,
        KnoxHash::Sha256 => 1,
        KnoxHash::Sha384 => 2,
        KnoxHash::Sha512 => 3,
    });
    out.bool(knox.auto_refresh);
    out.opt_str(settings.api_key_custom_header.as_deref());
    // Version 4: the origin's middleware (docs/policy.md §6), so that an edge that loads only
    // the compiled policy renders the same headers as the JSON policy's edge.
    match middleware {
        None => out.u8(0),
        Some(spec) => {
            out.u8(1);
            encode_middleware(spec, &mut out);
        }
    }
    out.bytes
}

#[cfg(feature = "compiler")]
fn encode_middleware(spec: &MiddlewareSpec, out: &mut Writer) {
    encode_strings(&spec.classes, out);
    encode_strings(&spec.transparent, out);
    match &spec.allowed_hosts {
        None => out.u8(0),
        Some(hosts) => {
            out.u8(1);
            encode_strings(hosts, out);
        }
    }
    out.str(&spec.default_charset);
    let security = &spec.security;
    out.varint(security.hsts_seconds);
    out.bool(security.hsts_include_subdomains);
    out.bool(security.hsts_preload);
    out.bool(security.content_type_nosniff);
    out.opt_str(security.referrer_policy.as_deref());
    out.opt_str(security.cross_origin_opener_policy.as_deref());
    out.bool(security.ssl_redirect);
    match &security.proxy_ssl_header {
        None => out.u8(0),
        Some((name, value)) => {
            out.u8(1);
            out.str(name);
            out.str(value);
        }
    }
    out.str(&spec.x_frame_options);
    out.bool(spec.session_save_every_request);
    out.bool(spec.common.append_slash);
    out.bool(spec.common.prepend_www);
    out.bool(spec.common.disallowed_user_agents);
    match &spec.cors {
        None => out.u8(0),
        Some(cors) => {
            out.u8(1);
            encode_strings(&cors.allowed_origins, out);
            encode_strings(&cors.allowed_origin_regexes, out);
            out.bool(cors.allow_all_origins);
            out.bool(cors.allow_credentials);
            encode_strings(&cors.allow_headers, out);
            encode_strings(&cors.allow_methods, out);
            encode_strings(&cors.expose_headers, out);
            match cors.preflight_max_age {
                None => out.u8(0),
                Some(age) => {
                    out.u8(1);
                    out.varint(age);
                }
            }
            out.str(&cors.urls_regex);
            out.bool(cors.allow_private_network);
            out.bool(cors.signal_receivers);
        }
    }
}

#[cfg(feature = "compiler")]
fn encode_strings(strings: &[String], out: &mut Writer) {
    out.usize(strings.len());
    for string in strings {
        out.str(string);
    }
}

/// `None` 0, one string 1, a list 2.
#[cfg(feature = "compiler")]
fn encode_opt_one_or_many(value: Option<&OneOrMany>, out: &mut Writer) {
    match value {
        None => out.u8(0),
        Some(OneOrMany::One(one)) => {
            out.u8(1);
            out.str(one);
        }
        Some(OneOrMany::Many(many)) => {
            out.u8(2);
            encode_strings(many, out);
        }
    }
}

/// The settings and the origin's middleware, compiled as the JSON policy's are.
#[cfg(feature = "edge")]
pub(crate) type Decoded = (crate::authentication::CompiledSettings, Option<crate::middleware::Middleware>);

/// Decodes the section (the whole of `input`) and compiles it, as the JSON policy's settings and
/// middleware are compiled.
///
/// Through a [`Sticky`] reader, as the rest of the policy: the first failure is reported once,
/// at the same offset as leaving there would (one drop path instead of one per field: less code
/// that V8 compiles at `new Gate(policy.gate)` on every cold isolate).
#[cfg(feature = "edge")]
pub(crate) fn decode(input: &mut Reader<'_>) -> Read<Decoded> {
    let start = input.corrupt("settings that do not compile");
    let mut d = Sticky::new(input);
    let settings = decode_settings(&mut d);
    let middleware_at = d.input.corrupt("middleware that does not compile");
    let spec = match d.u8() {
        0 => None,
        1 => Some(decode_middleware(&mut d)),
        _ => {
            d.fail("an unknown middleware form");
            None
        }
    };
    d.check()?;
    if !d.input.is_empty() {
        return Err(d.input.corrupt("trailing bytes after the settings"));
    }
    let middleware = match &spec {
        Some(spec) => Some(crate::middleware::Middleware::compile(spec, &settings).map_err(|_| middleware_at)?),
        None => None,
    };
    if let Some(what) = missing_verifier(&settings.jwt.algorithm, settings.jwt.verifying_key.is_some()) {
        return Err(d.input.corrupt(what));
    }
    let mut settings = crate::authentication::CompiledSettings::compile_owned(settings).map_err(|_| start)?;
    settings.proxy_ssl_header = spec.and_then(|spec| spec.security.proxy_ssl_header);
    Ok((settings, middleware))
}

/// Refusals of a build without a JWT verifier the policy's key needs (the Worker build,
/// `drf-gate/worker`, verifies HS* only): an intact policy this build cannot run, refused at load
/// with [`PolicyErrorCode::InvalidSettings`](crate::error::PolicyErrorCode), never misread.
#[cfg(feature = "edge")]
pub(crate) const NEEDS_RSA: &str = "RS256/384/512 JWT keys need a build with RSA verification (feature `jwt-rsa`; in JS: `drf-gate`, not `drf-gate/worker`, which verifies HS256/384/512 only)";
/// Like [`NEEDS_RSA`], for an ES256 key.
#[cfg(feature = "edge")]
pub(crate) const NEEDS_ES256: &str = "ES256 JWT keys need a build with P-256 verification (feature `jwt-es256`; in JS: `drf-gate`, not `drf-gate/worker`, which verifies HS256/384/512 only)";
/// Like [`NEEDS_RSA`], for an ES384 key.
#[cfg(feature = "edge")]
pub(crate) const NEEDS_ES384: &str = "ES384 JWT keys need a build with P-384 verification (feature `jwt-es384`; in JS: `drf-gate`, not `drf-gate/worker`, which verifies HS256/384/512 only)";

/// Which refusal applies to `algorithm` with a verifying key (or `None`: this build verifies it).
/// Without a key no build verifies anything (the JWT classes cannot run), so all load it alike.
#[cfg(feature = "edge")]
fn missing_verifier(algorithm: &str, has_key: bool) -> Option<&'static str> {
    if !has_key {
        return None;
    }
    match algorithm {
        "RS256" | "RS384" | "RS512" if !cfg!(feature = "jwt-rsa") => Some(NEEDS_RSA),
        "ES256" if !cfg!(feature = "jwt-es256") => Some(NEEDS_ES256),
        "ES384" if !cfg!(feature = "jwt-es384") => Some(NEEDS_ES384),
        _ => None,
    }
}

#[cfg(feature = "edge")]
fn decode_middleware(d: &mut Sticky<'_, '_>) -> MiddlewareSpec {
    let classes = d.strings();
    let transparent = d.strings();
    let allowed_hosts = match d.u8() {
        0 => None,
        1 => Some(d.strings()),
        _ => {
            d.fail("an unknown ALLOWED_HOSTS form");
            None
        }
    };
    let default_charset = d.string();
    let security = SecuritySpec {
        hsts_seconds: d.varint(),
        hsts_include_subdomains: d.bool(),
        hsts_preload: d.bool(),
        content_type_nosniff: d.bool(),
        referrer_policy: d.opt_string(),
        cross_origin_opener_policy: d.opt_string(),
        ssl_redirect: d.bool(),
        proxy_ssl_header: match d.u8() {
            0 => None,
            1 => Some((d.string(), d.string())),
            _ => {
                d.fail("an unknown SECURE_PROXY_SSL_HEADER form");
                None
            }
        },
    };
    let x_frame_options = d.string();
    let session_save_every_request = d.bool();
    let common = CommonSpec { append_slash: d.bool(), prepend_www: d.bool(), disallowed_user_agents: d.bool() };
    let cors = match d.u8() {
        0 => None,
        1 => Some(CorsSpec {
            allowed_origins: d.strings(),
            allowed_origin_regexes: d.strings(),
            allow_all_origins: d.bool(),
            allow_credentials: d.bool(),
            allow_headers: d.strings(),
            allow_methods: d.strings(),
            expose_headers: d.strings(),
            preflight_max_age: match d.u8() {
                0 => None,
                1 => Some(d.varint()),
                _ => {
                    d.fail("an unknown CORS_PREFLIGHT_MAX_AGE form");
                    None
                }
            },
            urls_regex: d.string(),
            allow_private_network: d.bool(),
            signal_receivers: d.bool(),
        }),
        _ => {
            d.fail("an unknown CORS form");
            None
        }
    };
    MiddlewareSpec {
        classes,
        transparent,
        allowed_hosts,
        default_charset,
        security,
        x_frame_options,
        session_save_every_request,
        common,
        cors,
    }
}

#[cfg(feature = "edge")]
fn decode_settings(d: &mut Sticky<'_, '_>) -> AuthenticationSettings {
    let token = TokenSettings { keyword: d.string() };
    let basic = BasicSettings { realm: d.string() };
    let algorithm = d.string();
    let signing_key = d.opt_string();
    let verifying_key = match d.u8() {
        0 => None,
        1 => Some(serde_json::Value::String(d.string())),
        // A JWK object (its JSON text); a string is written as form 1, never here.
        2 => d.opt(|input| {
            let at = input.corrupt("a verifying key that is not a JSON object");
            match serde_json::from_str(input.str()?) {
                Ok(value @ serde_json::Value::Object(_)) => Ok(value),
                _ => Err(at),
            }
        }),
        _ => {
            d.fail("an unknown verifying key form");
            None
        }
    };
    let audience = decode_opt_one_or_many(d);
    let issuer = decode_opt_one_or_many(d);
    let leeway = f64::from_bits(u64::from_le_bytes(d.opt(Reader::array::<8>).unwrap_or_default()));
    let auth_header_types = decode_opt_one_or_many(d).unwrap_or_else(|| {
        d.fail("no AUTH_HEADER_TYPES");
        OneOrMany::Many(Vec::new())
    });
    let jwt = JwtSettings {
        algorithm,
        signing_key,
        verifying_key,
        audience,
        issuer,
        leeway,
        auth_header_types,
        auth_header_name: d.string(),
        user_id_claim: d.string(),
        user_id_field: d.string(),
        user_id_kind: match d.u8() {
            0 => None,
            1 => Some(UserIdKind::Integer),
            2 => Some(UserIdKind::Uuid),
            3 => Some(UserIdKind::Text),
            _ => {
                d.fail("an unknown USER_ID_FIELD kind");
                None
            }
        },
        token_type_claim: d.opt_string(),
        jti_claim: d.opt_string(),
        auth_token_classes: d.strings(),
        check_user_is_active: d.bool(),
        realm: d.string(),
    };
    let csrf = CsrfSettings {
        cookie_name: d.string(),
        header_name: d.string(),
        trusted_origins: d.strings(),
        cookie_domain: d.opt_string(),
        use_sessions: d.bool(),
        allowed_hosts: if d.bool() { Some(d.strings()) } else { None },
    };
    let session = SessionSettings { cookie_name: d.string(), cookie_domain: d.opt_string(), engine: d.string() };
    let remote_user = RemoteUserSettings { header: d.string(), create_unknown_user: d.bool() };
    let upload = UploadSettings {
        data_max_memory_size: decode_limit(d),
        data_max_number_fields: decode_limit(d),
        data_max_number_files: decode_limit(d),
        file_max_memory_size: decode_limit(d),
    };
    let knox = KnoxSettings {
        auth_header_prefix: d.string(),
        secure_hash_algorithm: match d.u8() {
            0 => KnoxHash::Sha224,
            1 => KnoxHash::Sha256,
            2 => KnoxHash::Sha384,
            3 => KnoxHash::Sha512,
            _ => {
                d.fail("an unknown knox hash");
                KnoxHash::Sha224
            }
        },
        auto_refresh: d.bool(),
    };
    let api_key_custom_header = d.opt_string();
    AuthenticationSettings { token, basic, jwt, csrf, session, remote_user, upload, knox, api_key_custom_header }
}

#[cfg(feature = "edge")]
fn decode_opt_one_or_many(d: &mut Sticky<'_, '_>) -> Option<OneOrMany> {
    match d.u8() {
        0 => None,
        1 => Some(OneOrMany::One(d.string())),
        2 => Some(OneOrMany::Many(d.strings())),
        _ => {
            d.fail("an unknown string-or-list form");
            None
        }
    }
}

#[cfg(feature = "edge")]
fn decode_limit(d: &mut Sticky<'_, '_>) -> Option<usize> {
    if !d.bool() {
        return None;
    }
    d.opt(|input| {
        let at = input.corrupt("a limit too large for this platform");
        usize::try_from(input.varint()?).map_err(|_| at)
    })
}

#[cfg(all(test, feature = "edge"))]
mod tests {
    use super::*;

    #[test]
    fn a_key_this_build_cannot_verify_is_refused_as_a_settings_error() {
        // HS* keys, and any algorithm without a key, load in every edge build.
        for algorithm in ["HS256", "HS384", "HS512"] {
            assert_eq!(missing_verifier(algorithm, true), None);
        }
        for algorithm in ["RS256", "ES256", "ES384"] {
            assert_eq!(missing_verifier(algorithm, false), None);
        }
        let rsa = if cfg!(feature = "jwt-rsa") { None } else { Some(NEEDS_RSA) };
        for algorithm in ["RS256", "RS384", "RS512"] {
            assert_eq!(missing_verifier(algorithm, true), rsa);
        }
        assert_eq!(missing_verifier("ES256", true), if cfg!(feature = "jwt-es256") { None } else { Some(NEEDS_ES256) });
        assert_eq!(missing_verifier("ES384", true), if cfg!(feature = "jwt-es384") { None } else { Some(NEEDS_ES384) });
        // Reported as what it is, where it is: not a corrupt file.
        for what in [NEEDS_RSA, NEEDS_ES256, NEEDS_ES384] {
            let error = super::super::corrupt(&super::super::wire::Corrupt { offset: 7, what });
            assert_eq!(error.code, "invalid_settings");
            assert_eq!(error.path, "$.settings.jwt.algorithm");
            assert!(error.message.contains("drf-gate/worker"));
        }
    }
}
