//! User lookups, answered by the caller: the one protocol for sync and async callers.
//!
//! The core never blocks and never awaits. Each lookup returns a [`Lookup`]: `Found`, `NotFound`,
//! or `Pending`. On `Pending`, [`authenticate`](super::authenticate) stops and returns
//! `Err(NeedsLookup { key })`. An async caller (the JS binding, e.g. over Workers KV) awaits its
//! resolver for that [`LookupKey`], stores the answer in an [`AnswerCache`], and calls
//! `authenticate` again with the cache as resolver; earlier answers are replayed, so each call
//! gets at least one step further. Authentication is deterministic for a given request, settings
//! and `now`, so replaying is exact. A sync caller simply never answers `Pending`.
//!
//! ## Certainty
//! `NotFound` is an authoritative "no such row": it lets the edge answer `Invalid token.`, or
//! treat a session as anonymous. A store that may lag the database (a cache, a KV namespace
//! filled by a batch job) must answer [`Lookup::Unknown`] on a miss instead: authentication then
//! stops with [`Undecided::Unknown`](super::Undecided) and the request goes to the origin. A
//! method a resolver does not implement answers `Unknown`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::request::RawRequest;
use super::AuthenticationFailure;
use crate::user::UserInput;

/// The answer to one lookup.
///
/// ```
/// use drf_gate::authentication::Lookup;
/// let answer: Lookup = Lookup::NotFound;
/// assert!(matches!(answer, Lookup::NotFound));
/// ```
#[derive(Clone, Debug)]
pub enum Lookup<T = UserInput> {
    /// The user (or value) exists.
    Found(T),
    /// No such user: `DoesNotExist`, or `authenticate()` returned None.
    NotFound,
    /// Not known yet: stop, and let the caller fetch it (async).
    Pending,
    /// Not known here (a store miss that is not authoritative, an outage, a timeout): only the
    /// origin can decide, so the request is forwarded, never denied.
    Unknown,
}

/// A django-rest-knox `AuthToken` row: its user and its `expiry` (seconds since the epoch; `None`:
/// the token never expires).
///
/// ```
/// use drf_gate::authentication::KnoxToken;
/// let token: KnoxToken = serde_json::from_str(r#"{"user": {"id": 1}, "expiry": 1795315745.5}"#).unwrap();
/// assert_eq!(token.expiry, Some(1795315745.5));
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct KnoxToken {
    /// `auth_token.user`.
    pub user: UserInput,
    /// `auth_token.expiry` as seconds since the epoch, or `None` (no expiry).
    #[serde(default)]
    pub expiry: Option<f64>,
}
object_only!(KnoxToken, "struct KnoxToken");

/// A djangorestframework-api-key row (`AbstractAPIKey`): what `is_valid` reads of it. The core
/// verifies the key against `hashed_key` and compares `expiry` with `now` itself.
///
/// ```
/// use drf_gate::authentication::ApiKeyRow;
/// let row: ApiKeyRow = serde_json::from_str(r#"{"hashedKey": "sha512$$ab", "revoked": false, "expiry": null}"#).unwrap();
/// assert!(!row.revoked && row.expiry.is_none());
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKeyRow {
    /// `api_key.hashed_key` (`sha512$$<hex>`, or a legacy Django password hash).
    pub hashed_key: String,
    /// `api_key.revoked`: a revoked key is not among `get_usable_keys()`.
    #[serde(default)]
    pub revoked: bool,
    /// `api_key.expiry_date` as seconds since the epoch, or `None` (never expires).
    #[serde(default)]
    pub expiry: Option<f64>,
}
object_only!(ApiKeyRow, "struct ApiKeyRow");

/// What a project's own authentication class decided.
#[derive(Clone, Debug)]
pub enum CustomLookup {
    /// `authenticate` returned None: try the next class.
    None,
    /// `authenticate` returned `(user, auth)`.
    User(UserInput),
    /// `authenticate` raised: the chain stops with this exception.
    Failure(AuthenticationFailure),
    /// Not known yet (async).
    Pending,
    /// Not known here: the origin decides (the request is forwarded).
    Unknown,
}

/// User lookups. Every method a caller does not implement answers [`Lookup::Unknown`] (the
/// safe default: the origin decides), so a caller implements only what its classes need.
///
/// ```
/// use drf_gate::authentication::{Lookup, Resolver};
/// use drf_gate::user::UserInput;
/// struct Tokens;
/// impl Resolver for Tokens {
///     fn token(&self, key: &str) -> Lookup {
///         if key == "abc" { Lookup::Found(UserInput { id: Some(1.into()), ..Default::default() }) }
///         else { Lookup::NotFound }
///     }
/// }
/// assert!(matches!(Tokens.token("abc"), Lookup::Found(_)));
/// ```
pub trait Resolver {
    /// `Token.objects.select_related('user').get(key=key).user`.
    fn token(&self, _key: &str) -> Lookup {
        Lookup::Unknown
    }
    /// `django.contrib.auth.authenticate(username=..., password=...)`: `Found` only for a
    /// correct password. An inactive user found here is treated as `ModelBackend` treats it
    /// (`Invalid username/password.`).
    fn basic(&self, _username: &str, _password: &str) -> Lookup {
        Lookup::Unknown
    }
    /// The user of a session (`request.user` after `AuthenticationMiddleware`).
    fn session(&self, _session_key: &str) -> Lookup {
        Lookup::Unknown
    }
    /// The CSRF secret stored in a session (`CSRF_USE_SESSIONS = True` only).
    fn session_csrf_secret(&self, _session_key: &str) -> Lookup<String> {
        Lookup::Unknown
    }
    /// `User.objects.get(**{field: id})` (simplejwt's `USER_ID_FIELD` / claim value).
    fn user_by_id(&self, _field: &str, _id: &Value) -> Lookup {
        Lookup::Unknown
    }
    /// `RemoteUserBackend.authenticate(remote_user=name)` (it may create the user).
    fn remote_user(&self, _name: &str) -> Lookup {
        Lookup::Unknown
    }
    /// django-rest-knox: the `AuthToken` row whose `digest` (the hex hash of the token, knox's
    /// primary key) is `digest` and whose `token_key` (the token's first 15 characters) is
    /// `token_key`, with its user and expiry. `NotFound` only when no such row exists.
    fn knox_token(&self, _digest: &str, _token_key: &str) -> Lookup<KnoxToken> {
        Lookup::Unknown
    }
    /// djangorestframework-api-key (a permission-stage lookup, asked only when DRF evaluates a
    /// `HasAPIKey` class): the row of `model` (its label, `app_label.ModelName`) whose `prefix`
    /// equals `prefix` exactly, as the database's `prefix=` lookup matches it, revoked or not.
    /// `NotFound` only when no such row exists.
    fn api_key(&self, _model: &str, _prefix: &str) -> Lookup<ApiKeyRow> {
        Lookup::Unknown
    }
    /// A custom class's `authenticate(request)`.
    fn custom(&self, _class_name: &str, _request: &RawRequest) -> CustomLookup {
        CustomLookup::Unknown
    }
}

/// Which lookup is missing: the key an async caller resolves and caches.
///
/// ```
/// use drf_gate::authentication::LookupKey;
/// let key = LookupKey::Token { key: "abc".into() };
/// assert_eq!(serde_json::to_string(&key).unwrap(), r#"{"kind":"token","key":"abc"}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum LookupKey {
    /// [`Resolver::token`].
    Token {
        /// The token key.
        key: String,
    },
    /// [`Resolver::basic`].
    Basic {
        /// The decoded user id.
        username: String,
        /// The decoded password.
        password: String,
    },
    /// [`Resolver::session`].
    Session {
        /// The session cookie value.
        session_key: String,
    },
    /// [`Resolver::session_csrf_secret`].
    SessionCsrfSecret {
        /// The session cookie value.
        session_key: String,
    },
    /// [`Resolver::user_by_id`].
    UserById {
        /// `USER_ID_FIELD`.
        field: String,
        /// The claim value, as JSON text (so keys compare exactly).
        id: String,
    },
    /// [`Resolver::remote_user`].
    RemoteUser {
        /// The `REMOTE_USER` value.
        name: String,
    },
    /// [`Resolver::knox_token`].
    KnoxToken {
        /// The token's digest (hex).
        digest: String,
        /// The token's first 15 characters.
        token_key: String,
    },
    /// [`Resolver::api_key`].
    ApiKey {
        /// The API key model's label (`rest_framework_api_key.APIKey`).
        model: String,
        /// The key's prefix (the text before its first `.`).
        prefix: String,
    },
    /// [`Resolver::custom`].
    Custom {
        /// The class name.
        class_name: String,
    },
}

/// An answer an async caller stores for a [`LookupKey`].
///
/// JSON: `{"user": {...}}`, `{"notFound": true}` (authoritative: no such row), `{"unknown": true}`
/// (not known here: the request is forwarded), `{"secret": "..."}` or
/// `{"failure": {"detail": "...", "code": "..."}}` (custom classes only), `{"none": true}`
/// (custom classes: `authenticate` returned None), `{"knoxToken": {"user": {...}, "expiry": ...}}`
/// (django-rest-knox lookups only; a bare `{"user": ...}` is not enough there, since the expiry
/// decides, and is treated as not known), `{"apiKey": {"hashedKey": "...", "revoked": false,
/// "expiry": ...}}` (djangorestframework-api-key lookups only; anything else but `notFound` is
/// treated as not known).
///
/// ```
/// use drf_gate::authentication::Answer;
/// let answer: Answer = serde_json::from_str(r#"{"unknown": true}"#).unwrap();
/// assert!(matches!(answer, Answer::Unknown(true)));
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Answer {
    /// The user.
    User(UserInput),
    /// No such user (the store is authoritative).
    NotFound(bool),
    /// Not known here: forward the request.
    Unknown(bool),
    /// A session's CSRF secret.
    Secret(String),
    /// A custom class raised.
    Failure(AuthenticationFailure),
    /// A custom class returned None.
    None(bool),
    /// A django-rest-knox token row (`{"knoxToken": {"user": {...}, "expiry": 1795315745.5}}`).
    KnoxToken(KnoxToken),
    /// A djangorestframework-api-key row (`{"apiKey": {"hashedKey": "sha512$$...", "revoked": false, "expiry": null}}`).
    ApiKey(ApiKeyRow),
}

/// A [`Resolver`] replaying stored answers and answering `Pending` for the rest.
///
/// ```
/// use drf_gate::authentication::{AnswerCache, Answer, Lookup, LookupKey, Resolver};
/// let mut cache = AnswerCache::default();
/// assert!(matches!(cache.token("abc"), Lookup::Pending));
/// cache.insert(LookupKey::Token { key: "abc".into() }, Answer::NotFound(true));
/// assert!(matches!(cache.token("abc"), Lookup::NotFound));
/// ```
#[derive(Clone, Debug, Default)]
pub struct AnswerCache {
    answers: BTreeMap<LookupKey, Answer>,
}

impl AnswerCache {
    /// Stores an answer.
    pub fn insert(&mut self, key: LookupKey, answer: Answer) {
        self.answers.insert(key, answer);
    }

    /// The key of the one stored answer; `None` when there are none or several.
    ///
    /// ```
    /// use drf_gate::authentication::{Answer, AnswerCache, LookupKey};
    /// let mut cache = AnswerCache::default();
    /// let key = LookupKey::Token { key: "abc".into() };
    /// cache.insert(key.clone(), Answer::NotFound(true));
    /// assert_eq!(cache.sole_key(), Some(&key));
    /// ```
    pub fn sole_key(&self) -> Option<&LookupKey> {
        match self.answers.len() {
            1 => self.answers.keys().next(),
            _ => None,
        }
    }

    /// The one stored answer with its key; `None` when there are none or several.
    ///
    /// ```
    /// use drf_gate::authentication::{Answer, AnswerCache, LookupKey};
    /// let mut cache = AnswerCache::default();
    /// cache.insert(LookupKey::Token { key: "abc".into() }, Answer::NotFound(true));
    /// assert!(matches!(cache.sole(), Some((_, Answer::NotFound(true)))));
    /// ```
    pub fn sole(&self) -> Option<(&LookupKey, &Answer)> {
        match self.answers.len() {
            1 => self.answers.iter().next(),
            _ => None,
        }
    }

    fn user(&self, key: LookupKey) -> Lookup {
        Self::user_answer(self.answers.get(&key))
    }

    fn user_answer(answer: Option<&Answer>) -> Lookup {
        match answer {
            None => Lookup::Pending,
            Some(Answer::User(user)) => Lookup::Found(user.clone()),
            Some(Answer::Unknown(_)) => Lookup::Unknown,
            Some(_) => Lookup::NotFound,
        }
    }
}

/// Whether a record answered for `User.objects.get(id=<claim>)` is the row the claim names: the
/// row's pk IS an integer claim, so a record whose integer id differs was not found by that
/// lookup. The usual cause is JavaScript: a pk beyond 2^53 read with `JSON.parse` (a KV store's
/// `"json"` type) comes back rounded, e.g. `9007199254740993` as `9007199254740992`, which is
/// another user. Such a record is not known here (the origin decides); the caller answers the
/// exact id as a `BigInt`. Other fields, string or float claims, and records without an id are
/// not compared (Django coerces those; the store answers for them).
///
/// ```
/// use drf_gate::authentication::{Answer, AnswerCache, Lookup, LookupKey, Resolver};
/// use drf_gate::user::UserInput;
/// let claim = serde_json::json!(9007199254740993u64);
/// let mut cache = AnswerCache::default();
/// let rounded = UserInput { id: Some(serde_json::json!(9007199254740992u64)), ..Default::default() };
/// cache.insert(LookupKey::UserById { field: "id".into(), id: claim.to_string() }, Answer::User(rounded));
/// assert!(matches!(cache.user_by_id("id", &claim), Lookup::Unknown));
/// ```
/// A claim's JSON text, the `id` of its [`LookupKey::UserById`] (`id.to_string()`), an integer
/// written without serde_json's serializer (the same digits: both write integers with `itoa`).
///
/// ```ignore
/// assert_eq!(id_text(&serde_json::json!(7)), "7");
/// ```
pub(crate) fn id_text(id: &Value) -> String {
    match id {
        Value::Number(number) => match (number.as_u64(), number.as_i64()) {
            (Some(unsigned), _) => unsigned.to_string(),
            (None, Some(signed)) => signed.to_string(),
            _ => id.to_string(),
        },
        _ => id.to_string(),
    }
}

fn same_pk(field: &str, claim: &Value, answered: Option<&Value>) -> bool {
    if field != "id" && field != "pk" {
        return true;
    }
    match (claim, answered) {
        (Value::Number(claim), Some(Value::Number(answered))) if claim.is_i64() || claim.is_u64() => {
            claim.as_i64() == answered.as_i64() && claim.as_u64() == answered.as_u64()
        }
        _ => true,
    }
}

impl Resolver for AnswerCache {
    fn token(&self, key: &str) -> Lookup {
        self.user(LookupKey::Token { key: key.into() })
    }
    fn basic(&self, username: &str, password: &str) -> Lookup {
        self.user(LookupKey::Basic { username: username.into(), password: password.into() })
    }
    fn session(&self, session_key: &str) -> Lookup {
        self.user(LookupKey::Session { session_key: session_key.into() })
    }
    fn session_csrf_secret(&self, session_key: &str) -> Lookup<String> {
        match self.answers.get(&LookupKey::SessionCsrfSecret { session_key: session_key.into() }) {
            None => Lookup::Pending,
            Some(Answer::Secret(secret)) => Lookup::Found(secret.clone()),
            Some(Answer::Unknown(_)) => Lookup::Unknown,
            Some(_) => Lookup::NotFound,
        }
    }
    fn user_by_id(&self, field: &str, id: &Value) -> Lookup {
        // The key's equality without building the key (no copy of the field); a request holds
        // one or two answers (a JSON input's `answers` at most a scan of its own length).
        let text = id_text(id);
        let answer = self.answers.iter().find_map(|(key, answer)| match key {
            LookupKey::UserById { field: stored, id: stored_id } if stored == field && *stored_id == text => {
                Some(answer)
            }
            _ => None,
        });
        match Self::user_answer(answer) {
            Lookup::Found(user) if !same_pk(field, id, user.id.as_ref()) => Lookup::Unknown,
            lookup => lookup,
        }
    }
    fn remote_user(&self, name: &str) -> Lookup {
        self.user(LookupKey::RemoteUser { name: name.into() })
    }
    fn knox_token(&self, digest: &str, token_key: &str) -> Lookup<KnoxToken> {
        match self.answers.get(&LookupKey::KnoxToken { digest: digest.into(), token_key: token_key.into() }) {
            None => Lookup::Pending,
            Some(Answer::KnoxToken(token)) => Lookup::Found(token.clone()),
            Some(Answer::NotFound(_)) => Lookup::NotFound,
            Some(_) => Lookup::Unknown,
        }
    }
    fn api_key(&self, model: &str, prefix: &str) -> Lookup<ApiKeyRow> {
        match self.answers.get(&LookupKey::ApiKey { model: model.into(), prefix: prefix.into() }) {
            None => Lookup::Pending,
            Some(Answer::ApiKey(row)) => Lookup::Found(row.clone()),
            Some(Answer::NotFound(_)) => Lookup::NotFound,
            Some(_) => Lookup::Unknown,
        }
    }
    fn custom(&self, class_name: &str, _request: &RawRequest) -> CustomLookup {
        match self.answers.get(&LookupKey::Custom { class_name: class_name.into() }) {
            None => CustomLookup::Pending,
            Some(Answer::User(user)) => CustomLookup::User(user.clone()),
            Some(Answer::Failure(failure)) => CustomLookup::Failure(failure.clone()),
            Some(Answer::Unknown(_)) => CustomLookup::Unknown,
            Some(_) => CustomLookup::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{id_text, Answer, AnswerCache, Lookup, LookupKey, Resolver};
    use crate::user::UserInput;
    use serde_json::{json, Value};

    #[test]
    fn user_by_id_finds_the_answer_of_its_exact_key() {
        // Answers under several fields and ids (a claim's JSON text: 7, "7", 7.0 differ), and
        // other kinds of keys with the same strings; each query must find its own key's answer.
        let mut cache = AnswerCache::default();
        let keys = [("id", json!(7)), ("id", json!("7")), ("pk", json!(7)), ("id", json!(7.0)), ("uuid", json!("a"))];
        for (n, (field, id)) in keys.iter().enumerate() {
            let user = UserInput { username: Some(format!("user{n}")), ..Default::default() };
            cache.insert(LookupKey::UserById { field: (*field).into(), id: id_text(id) }, Answer::User(user));
        }
        cache.insert(LookupKey::Token { key: "7".into() }, Answer::NotFound(true));
        for (n, (field, id)) in keys.iter().enumerate() {
            match cache.user_by_id(field, id) {
                Lookup::Found(user) => assert_eq!(user.username, Some(format!("user{n}")), "{field} {id}"),
                _ => panic!("{field} {id}: not found"),
            }
        }
        assert!(matches!(cache.user_by_id("id", &json!(8)), Lookup::Pending));
        assert!(matches!(cache.user_by_id("username", &json!(7)), Lookup::Pending));
        cache.insert(LookupKey::UserById { field: "id".into(), id: "8".into() }, Answer::NotFound(true));
        assert!(matches!(cache.user_by_id("id", &json!(8)), Lookup::NotFound));
    }

    #[test]
    fn id_text_is_the_claims_json_text() {
        for text in [
            "0",
            "7",
            "-1",
            "-0",
            "1.0",
            "1e3",
            "4294967296",
            "9007199254740993",
            "18446744073709551615",
            "-9223372036854775808",
            "18446744073709551616",
            "\"7\"",
            "null",
            "true",
            "[1]",
            "{\"a\":1}",
        ] {
            let Ok(value) = serde_json::from_str::<Value>(text) else { continue };
            assert_eq!(id_text(&value), value.to_string(), "{text}");
        }
    }
}
