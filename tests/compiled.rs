#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! The compiled policy: the same decisions as the JSON policy it came from, and every damaged
//! file refused with a clear error (never misread, never a panic).

use drf_gate::compiled::{FORMAT_VERSION, HEADER_LEN, MAGIC};
use drf_gate::{Context, Gate};
use serde_json::{json, Value};

/// A policy that reaches every part of the format: conditions of every node kind, messages,
/// model permissions, object permissions, custom actions and routes, authentication overrides,
/// renderers, URL routes and settings.
fn rich_policy() -> Value {
    json!({
        "authentication": ["session", "token", "jwt"],
        "permissions": ["IsAuthenticatedOrReadOnly"],
        "authenticationClasses": {
            "ApiKey": {"wwwAuthenticate": "ApiKey"},
            "Bearerish": {"base": "token", "keyword": "Bearer"}
        },
        "settings": {"jwt": {"signingKey": "secret", "leeway": 2.5, "audience": ["a", "b"]},
                     "csrf": {"trustedOrigins": ["https://*.example.com"]}},
        "classes": {
            "IsOwner": {"hasObjectPermission": "request.method in SAFE_METHODS or obj.owner == request.user",
                        "message": "Not yours.", "code": "not_owner"},
            "Weird": {"hasPermission": "request.user.is_staff and view.action not in ('destroy', 'x') or 1.5 < 2 < 3 and [1, 'a', None, True] != []",
                      "hasObjectPermission": "(obj.meta or obj.owner).x is not None or request.user.team.id == obj.team or request.user.has_perm('blog.special', obj) or request.user.has_perms(['blog.a', 'blog.b']) or obj.id in [1, 2, 3] or not obj.flags.hidden",
                      "message": {"error": "weird", "list": [1, 2]}},
            "Editors": {"base": "DjangoModelPermissions", "permsMap": {"GET": [], "POST": ["%(app_label)s.add_%(model_name)s"], "DELETE": ["%(app_label)s.nuke_%(model_name)s", "%(app_label)s.delete_%(model_name)s"]}},
            "OwnerOrAdmin": {"expression": "IsOwner | IsAdminUser"}
        },
        "views": {
            "posts": {
                "model": "blog.Post",
                "permissions": ["IsAuthenticatedOrReadOnly", "OwnerOrAdmin & ~Weird | DjangoObjectPermissions"],
                "actions": {
                    "list": {}, "create": {}, "retrieve": {}, "update": {}, "partial_update": {}, "destroy": {},
                    "publish": {"detail": true, "methods": ["POST"], "permissions": ["IsAdminUser"],
                                "authentication": ["ApiKey", "session"]},
                    "drafts": {"detail": false, "methods": ["GET", "POST"], "route": "drafts"},
                    "metadata": {"permissions": ["IsAuthenticated"]}
                }
            },
            "comments": {
                "model": "blog.Comment",
                "authentication": ["Bearerish"],
                "permissions": ["Editors", "Weird"],
                "renderers": ["JSONRenderer"]
            },
            "open": {"authentication": [], "permissions": ["AllowAny"], "httpMethodNames": ["get", "options"]},
            "mine": {"permissions": ["IsOwner"], "actions": ["retrieve", "destroy"]}
        },
        "routes": [
            {"pattern": "/api/posts/", "view": "posts"},
            {"pattern": "/api/posts/{pk}/", "view": "posts", "detail": true},
            {"pattern": "/api/posts/{pk}/publish/", "view": "posts", "action": "publish"},
            {"pattern": "/api/comments/", "view": "comments"},
            {"pattern": "/open", "view": "open"}
        ]
    })
}

fn policies() -> Vec<Value> {
    let blog = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/blog/policy.json")).unwrap();
    vec![
        rich_policy(),
        serde_json::from_str(&blog).unwrap(),
        json!({}),
        json!({"views": {"posts": {}}}),
        json!({"permissions": ["IsAuthenticated & (IsAdminUser | ~IsAuthenticatedOrReadOnly)"], "views": {"a": {}, "b": {"model": "x.Y", "permissions": ["DjangoModelPermissionsOrAnonReadOnly"]}}}),
    ]
}

fn compile(policy: &Value) -> Gate {
    Gate::from_value(policy.clone()).unwrap_or_else(|err| panic!("policy failed to compile: {err}"))
}

fn users() -> Vec<Value> {
    vec![
        Value::Null,
        json!({"id": 3}),
        json!({"id": 4, "isStaff": true}),
        json!({"id": 5, "isSuperuser": true}),
        json!({"id": 3, "isActive": false, "isSuperuser": true}),
        json!({"id": 3, "permissions": ["blog.add_post", "blog.change_post", "blog.delete_post", "blog.nuke_comment", "blog.delete_comment", "blog.add_comment", "blog.a", "blog.b"],
               "objectPermissions": ["view_post", "special"], "attributes": {"team": {"id": 9}}}),
        json!({"id": "3", "tokenUser": true}),
    ]
}

fn objects() -> Vec<Option<Value>> {
    vec![
        None,
        Some(Value::Null),
        Some(json!({"id": 1, "owner": 3, "team": 9, "flags": {"hidden": false}})),
        Some(json!({"id": 7, "owner": 4, "meta": {"x": null}, "team": 1, "flags": {"hidden": true}})),
        Some(json!({"id": 8, "owner": {"id": 3}, "flags": {}})),
    ]
}

/// Every decision of `gate`, as text, over a grid of contexts.
fn decisions(gate: &Gate) -> Vec<String> {
    let mut out = Vec::new();
    let views: Vec<String> = gate.view_names().map(str::to_owned).collect();
    for view in &views {
        let mut targets: Vec<(Option<String>, Option<String>)> =
            gate.actions(view).unwrap().map(|a| (Some(a.to_owned()), None)).collect();
        for method in ["GET", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "HEAD"] {
            targets.push((None, Some(method.to_owned())));
        }
        for (action, method) in &targets {
            for user in users() {
                for object in objects() {
                    for accept in [None, Some("application/json; indent=2"), Some("image/png")] {
                        for authentication in [None, Some(json!({"failed": {"detail": "Bad.", "code": "x"}}))] {
                            let mut context = json!({"view": view, "user": user, "trace": true});
                            if let Some(action) = action {
                                context["action"] = json!(action);
                            }
                            if let Some(method) = method {
                                context["method"] = json!(method);
                            }
                            if let Some(object) = &object {
                                context["object"] = object.clone();
                            }
                            if let Some(accept) = accept {
                                context["accept"] = json!(accept);
                            }
                            if let Some(authentication) = &authentication {
                                context["authentication"] = authentication.clone();
                            }
                            let decided = match gate.check_value(context) {
                                Ok(decision) => format!("{decision:?}"),
                                Err(err) => format!("error {err:?}"),
                            };
                            out.push(decided);
                        }
                    }
                }
            }
        }
    }
    for path in ["/api/posts/", "/api/posts/7/", "/api/posts/7/publish/", "/api/comments/", "/open", "/open/", "/x"] {
        out.push(format!("{:?}", gate.route(path)));
    }
    out
}

/// A few contexts per view and action of `gate` (the full grid is too slow to run per forged
/// file): every action and two methods, with a user, an object and an `Accept`, and bare with a
/// trace. Typed once, so a forged gate with the same views and actions reuses them.
fn sample_contexts(gate: &Gate) -> Vec<Context> {
    let mut out = Vec::new();
    let user = json!({"id": 3, "permissions": ["blog.add_post"], "attributes": {"team": {"id": 9}}});
    let object = json!({"id": 1, "owner": 3, "team": 9, "flags": {"hidden": false}});
    for (view, actions) in listing(gate) {
        for action in actions.iter().map(String::as_str).chain(["GET", "OPTIONS"]) {
            for context in [
                json!({"view": view, "action": action, "user": user, "object": object, "accept": "application/json; indent=2"}),
                json!({"view": view, "method": action, "trace": true}),
            ] {
                out.push(serde_json::from_value(context).unwrap());
            }
        }
    }
    out
}

/// Every view of `gate` with its actions, in order.
fn listing(gate: &Gate) -> Vec<(String, Vec<String>)> {
    gate.view_names()
        .map(|view| (view.to_owned(), gate.actions(view).map(|a| a.map(str::to_owned).collect()).unwrap_or_default()))
        .collect()
}

/// Decides `contexts` (and two routes) with `gate`: whatever decodes must decide without
/// panicking. The decisions themselves are not compared (a forged gate may decide anything).
fn decide_samples(gate: &Gate, contexts: &[Context]) {
    for context in contexts {
        let _ = gate.check(context);
    }
    for path in ["/api/posts/7/", "/open"] {
        let _ = gate.route(path);
    }
}

#[test]
fn compiled_policies_decide_exactly_as_their_json() {
    for policy in policies() {
        let gate = compile(&policy);
        let bytes = gate.to_compiled();
        let loaded = Gate::from_compiled(&bytes).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(decisions(&gate), decisions(&loaded));
        // Encoding is deterministic and survives a second trip.
        assert_eq!(loaded.to_compiled(), bytes);
        assert_eq!(compile(&policy).to_compiled(), bytes);
    }
}

#[test]
fn the_rich_policy_exercises_the_decisions_it_is_meant_to() {
    let gate = Gate::from_compiled(&compile(&rich_policy()).to_compiled()).unwrap();
    let all = decisions(&gate).join("\n");
    for needle in [
        "status: 401",
        "status: 403",
        "status: 404",
        "status: 405",
        "status: 406",
        "status: 500",
        "Not yours.",
        "allowed: true",
    ] {
        assert!(all.contains(needle), "no decision contains {needle}");
    }
}

#[test]
fn the_header_says_what_it_is() {
    let bytes = compile(&rich_policy()).to_compiled();
    assert_eq!(&bytes[..8], &MAGIC);
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), FORMAT_VERSION);
    assert_eq!(u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize, bytes.len() - HEADER_LEN);
}

#[test]
fn another_version_is_incompatible() {
    let mut bytes = compile(&rich_policy()).to_compiled();
    // Version 2 carried the authentication settings as JSON text: refused, never misread.
    // Version 3 carried no middleware: refused too (an edge would have dropped its headers).
    // Version 6 carried no session engine nor createUnknownUser (a miss would have been anonymous).
    for version in [0u16, 1, 2, 3, 4, 5, 6, FORMAT_VERSION + 1, u16::MAX] {
        bytes[8..10].copy_from_slice(&version.to_le_bytes());
        let err = Gate::from_compiled(&bytes).unwrap_err();
        assert_eq!(err.code, "incompatible_compiled_policy");
        assert!(err.message.contains(&format!("format version {version}")), "{}", err.message);
    }
}

/// Every authentication setting away from its default, in every form the format distinguishes.
fn settings_policies() -> Vec<Value> {
    let jwk = json!({"kty": "EC", "crv": "P-256", "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"});
    vec![
        json!({"settings": {
            "token": {"keyword": "Bearer"},
            "basic": {"realm": "realm \u{e9}"},
            "jwt": {"algorithm": "HS512", "signingKey": "s\u{e9}cret", "audience": "one", "issuer": ["a", "b"],
                    "leeway": 0.1, "authHeaderTypes": "JWT", "authHeaderName": "HTTP_X_TOKEN", "userIdClaim": "sub",
                    "userIdField": "uuid", "userIdKind": "uuid", "tokenTypeClaim": null, "jtiClaim": null,
                    "authTokenClasses": ["AccessToken", "rest_framework_simplejwt.tokens.SlidingToken"],
                    "checkUserIsActive": false, "realm": "jwt"},
            "csrf": {"cookieName": "c", "headerName": "HTTP_X_C", "trustedOrigins": ["https://a.example", "https://*.b.example"],
                     "cookieDomain": ".example", "useSessions": true, "allowedHosts": ["a.example", ".b.example"]},
            "session": {"cookieName": "s", "cookieDomain": ".example", "engine": "django.contrib.sessions.backends.signed_cookies"},
            "remoteUser": {"header": "HTTP_X_USER", "createUnknownUser": true},
            "upload": {"dataMaxMemorySize": null, "dataMaxNumberFields": 0, "dataMaxNumberFiles": 4294967295u64, "fileMaxMemorySize": 7},
            "knox": {"authHeaderPrefix": "Knox", "secureHashAlgorithm": "sha224", "autoRefresh": true},
            "apiKeyCustomHeader": "HTTP_X_API_KEY"
        }, "views": {"posts": {}}}),
        json!({"settings": {"jwt": {"algorithm": "ES256", "verifyingKey": jwk}}, "views": {}}),
        json!({"settings": {"jwt": {"algorithm": "ES256", "verifyingKey": jwk.to_string()}, "csrf": {"allowedHosts": []}}, "views": {}}),
        json!({"settings": {"jwt": {"algorithm": "HS256", "signingKey": "k", "leeway": -3}}, "views": {}}),
        json!({"settings": {"jwt": {"signingKey": "k", "userIdKind": "integer"}}, "views": {}}),
        json!({"settings": {"jwt": {"signingKey": "k", "userIdField": "pk", "userIdKind": "text"}}, "views": {}}),
        json!({"settings": {"jwt": {"authHeaderTypes": []}}, "views": {}}),
    ]
}

#[test]
fn settings_survive_the_compiled_form_exactly() {
    let mut loaded_count = 0;
    for policy in settings_policies() {
        let gate = match Gate::from_value(policy.clone()) {
            Ok(gate) => gate,
            // A policy the compiler refuses (an empty AUTH_HEADER_TYPES) has no compiled form.
            Err(err) => {
                assert_eq!(err.path, "$.settings.jwt.authHeaderTypes", "{err}");
                continue;
            }
        };
        let bytes = gate.to_compiled();
        let loaded = Gate::from_compiled(&bytes).unwrap_or_else(|err| panic!("{policy}: {err}"));
        assert_eq!(loaded.to_compiled(), bytes, "{policy}");
        // The settings as the edge reads them (the core build has no authentication settings API).
        #[cfg(feature = "edge")]
        assert_eq!(
            serde_json::to_value(loaded.authentication_settings()).unwrap(),
            serde_json::to_value(gate.authentication_settings()).unwrap(),
            "{policy}"
        );
        loaded_count += 1;
    }
    assert_eq!(loaded_count, 6);
}

/// The origin's middleware (format 4), every field away from its default, survives the compiled
/// form exactly: an edge that loads only the compiled policy renders the same headers.
#[cfg(feature = "edge")]
#[test]
fn middleware_survives_the_compiled_form_exactly() {
    let policies = [
        json!({"views": {}, "middleware": {
            "classes": ["django.middleware.security.SecurityMiddleware", "corsheaders.middleware.CorsMiddleware",
                        "x.Custom", "django.middleware.clickjacking.XFrameOptionsMiddleware"],
            "transparent": ["x.Custom", "y.Other"],
            "allowedHosts": ["api.example.com", ".b.example"],
            "defaultCharset": "latin-1",
            "security": {"hstsSeconds": 31536000u64, "hstsIncludeSubdomains": true, "hstsPreload": true,
                         "contentTypeNosniff": false, "referrerPolicy": null, "crossOriginOpenerPolicy": "unsafe-none",
                         "sslRedirect": true, "proxySslHeader": ["HTTP_X_FORWARDED_PROTO", "https"]},
            "xFrameOptions": "SAMEORIGIN",
            "sessionSaveEveryRequest": true,
            "common": {"appendSlash": false, "prependWww": true, "disallowedUserAgents": true},
            "cors": {"allowedOrigins": ["https://app.example.com"], "allowedOriginRegexes": ["^https://.*$"],
                     "allowAllOrigins": true, "allowCredentials": true, "allowHeaders": ["x-a"], "allowMethods": ["GET"],
                     "exposeHeaders": ["x-b", "x-c"], "preflightMaxAge": null, "urlsRegex": "^/api/.*$",
                     "allowPrivateNetwork": true, "signalReceivers": true}
        }}),
        json!({"views": {}, "middleware": {"classes": [], "allowedHosts": [], "cors": {"preflightMaxAge": 0}}}),
        json!({"views": {}, "middleware": {"classes": []}}),
        json!({"views": {}}),
    ];
    for policy in policies {
        let gate = Gate::from_value(policy.clone()).unwrap();
        let bytes = gate.to_compiled();
        let loaded = Gate::from_compiled(&bytes).unwrap_or_else(|err| panic!("{policy}: {err}"));
        assert_eq!(loaded.to_compiled(), bytes, "{policy}");
        assert_eq!(format!("{:?}", loaded.middleware_spec()), format!("{:?}", gate.middleware_spec()), "{policy}");
        assert_eq!(loaded.middleware_spec().is_some(), policy.get("middleware").is_some());
    }
}

#[test]
fn every_truncation_is_refused() {
    for policy in policies() {
        let bytes = compile(&policy).to_compiled();
        for len in 0..bytes.len() {
            let err = Gate::from_compiled(&bytes[..len]).unwrap_err();
            assert_eq!(err.code, "corrupt_compiled_policy", "truncated to {len}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert_eq!(Gate::from_compiled(&padded).unwrap_err().code, "corrupt_compiled_policy");
    }
}

#[test]
fn every_bit_flip_is_refused() {
    let bytes = compile(&rich_policy()).to_compiled();
    let mut damaged = bytes.clone();
    for index in 0..bytes.len() {
        for bit in 0..8 {
            damaged[index] ^= 1 << bit;
            let err = Gate::from_compiled(&damaged).unwrap_err();
            let expected =
                if (8..10).contains(&index) { "incompatible_compiled_policy" } else { "corrupt_compiled_policy" };
            assert_eq!(err.code, expected, "bit {bit} of byte {index}");
            damaged[index] ^= 1 << bit;
        }
    }
    assert!(Gate::from_compiled(&damaged).is_ok());
}

/// FNV-1a (the header's checksum) as a running state: `fnv(state, bytes)` continues `state`.
fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Wraps a forged payload in a valid header (its checksum is `hash`), so the payload decoder
/// itself is tested.
fn forge_with(payload: &[u8], hash: u64) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&hash.to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

fn forge(payload: &[u8]) -> Vec<u8> {
    forge_with(payload, fnv(FNV_START, payload))
}

#[test]
fn forged_payloads_with_a_valid_checksum_are_refused_not_misread() {
    let original = compile(&rich_policy());
    let bytes = original.to_compiled();
    let payload = &bytes[HEADER_LEN..];
    // The checksum state after each prefix: a forged file's checksum continues from the state
    // before its first changed byte (the checker still hashes all of it).
    let mut states = Vec::with_capacity(payload.len() + 1);
    states.push(FNV_START);
    for byte in payload {
        states.push(fnv(*states.last().unwrap(), &[*byte]));
    }
    assert_eq!(forge_with(payload, states[payload.len()]), bytes);
    // Every truncation and every byte value at each position, re-checksummed: the decoder alone
    // must refuse (or decode something consistent), never panic.
    for len in 0..payload.len() {
        assert_eq!(
            Gate::from_compiled(&forge_with(&payload[..len], states[len])).unwrap_err().code,
            "corrupt_compiled_policy"
        );
    }
    let listed = listing(&original);
    let contexts = sample_contexts(&original);
    // Positions split between the cores: this test is its binary's long pole.
    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(8);
    let chunk = payload.len().div_ceil(workers);
    let loaded: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..payload.len())
            .step_by(chunk)
            .map(|first| {
                let (states, listed, contexts) = (&states, &listed, &contexts);
                scope.spawn(move || {
                    let mut damaged = payload.to_vec();
                    let mut loaded = 0;
                    for index in first..(first + chunk).min(payload.len()) {
                        let original = payload[index];
                        for value in [0u8, 0xff, original ^ 1] {
                            damaged[index] = value;
                            let hash = fnv(fnv(states[index], &[value]), &payload[index + 1..]);
                            if let Ok(gate) = Gate::from_compiled(&forge_with(&damaged, hash)) {
                                // Whatever decodes must still decide without panicking: the
                                // original's contexts while the views and actions are the same.
                                if listing(&gate) == *listed {
                                    decide_samples(&gate, contexts);
                                } else {
                                    decide_samples(&gate, &sample_contexts(&gate));
                                }
                                loaded += 1;
                            }
                        }
                        damaged[index] = original;
                    }
                    loaded
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().unwrap()).sum()
    });
    assert!(loaded > 0);
}

#[test]
fn hostile_nesting_and_counts_are_bounded() {
    // A permission table claiming 4 billion names, and a view list of absurd length.
    for payload in [vec![0xff, 0xff, 0xff, 0xff, 0x0f], vec![0, 0, 0, 0xff, 0xff, 0x03]] {
        assert_eq!(Gate::from_compiled(&forge(&payload)).unwrap_err().code, "corrupt_compiled_policy");
    }
    // One condition whose tree is `not not not ...` a million levels deep.
    let mut payload = vec![0, 1, 0, 0, 0];
    payload.extend(std::iter::repeat_n(12u8, 1_000_000));
    payload.push(1);
    let err = Gate::from_compiled(&forge(&payload)).unwrap_err();
    assert_eq!(err.code, "corrupt_compiled_policy");
    assert!(err.message.contains("nested too deep"), "{}", err.message);
}

#[test]
fn not_a_compiled_policy() {
    for bytes in [&b""[..], b"DRFGATE", b"{\"views\": {}}", &[0u8; 64]] {
        let err = Gate::from_compiled(bytes).unwrap_err();
        assert_eq!(err.code, "corrupt_compiled_policy");
    }
}

#[test]
fn the_runtime_fixture_is_up_to_date() {
    let policy = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/blog/policy.json")).unwrap();
    let bytes = Gate::from_json(&policy).unwrap().to_compiled();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/blog.gate");
    if std::env::var_os("DRF_GATE_BLESS").is_some() {
        std::fs::write(path, &bytes).unwrap();
    }
    let fixture = std::fs::read(path).unwrap_or_default();
    assert!(fixture == bytes, "tests/fixtures/blog.gate is stale: run DRF_GATE_BLESS=1 cargo test --test compiled");
}
