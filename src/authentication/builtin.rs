//! The built-in authentication classes (DRF's `authentication.py` and simplejwt's): one table, read
//! to resolve a name, alias or dotted path, to configure the class, and to list the built-ins in
//! error messages.

/// Which built-in class an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Session,
    Basic,
    Token,
    Jwt,
    JwtStateless,
    RemoteUser,
    Knox,
}

/// One built-in authentication class.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinAuthentication {
    /// The DRF class name, canonical (`TokenAuthentication`).
    pub name: &'static str,
    /// The short alias policies may use (`token`).
    pub alias: &'static str,
    /// Other class names that resolve to it (simplejwt's `JWTTokenUserAuthentication`).
    pub other_names: &'static [&'static str],
    /// The module the class is imported from.
    pub module: &'static str,
    #[cfg_attr(not(feature = "compiler"), allow(dead_code))]
    pub(crate) kind: Kind,
}

const DRF: &str = "rest_framework.authentication";
const SIMPLEJWT: &str = "rest_framework_simplejwt.authentication";
const KNOX: &str = "knox.auth";

const fn entry(name: &'static str, alias: &'static str, module: &'static str, kind: Kind) -> BuiltinAuthentication {
    BuiltinAuthentication { name, alias, other_names: &[], module, kind }
}

/// The built-in classes, in the order messages list them.
///
/// ```
/// use drf_gate::authentication::builtin::BUILTINS;
/// assert_eq!(BUILTINS.iter().map(|class| class.alias).collect::<Vec<_>>(),
///     ["session", "basic", "token", "jwt", "jwtStateless", "remoteUser", "knox"]);
/// ```
pub const BUILTINS: [BuiltinAuthentication; 7] = [
    entry("SessionAuthentication", "session", DRF, Kind::Session),
    entry("BasicAuthentication", "basic", DRF, Kind::Basic),
    entry("TokenAuthentication", "token", DRF, Kind::Token),
    entry("JWTAuthentication", "jwt", SIMPLEJWT, Kind::Jwt),
    BuiltinAuthentication {
        name: "JWTStatelessUserAuthentication",
        alias: "jwtStateless",
        other_names: &["JWTTokenUserAuthentication"],
        module: SIMPLEJWT,
        kind: Kind::JwtStateless,
    },
    entry("RemoteUserAuthentication", "remoteUser", DRF, Kind::RemoteUser),
    // django-rest-knox's class is also called `TokenAuthentication`: by path, `knox.auth.TokenAuthentication`.
    entry("KnoxTokenAuthentication", "knox", KNOX, Kind::Knox),
];

/// The built-in class a short name (a class name or an alias, no module) is.
pub(crate) fn by_short_name(short: &str) -> Option<&'static BuiltinAuthentication> {
    BUILTINS.iter().find(|class| class.name == short || class.alias == short || class.other_names.contains(&short))
}

/// The canonical DRF class name of a built-in authentication class, from its name, alias or
/// dotted path; other names are returned as written (without a built-in module's prefix).
///
/// ```
/// use drf_gate::authentication::canonical_authentication_name;
/// assert_eq!(canonical_authentication_name("token"), "TokenAuthentication");
/// assert_eq!(canonical_authentication_name("rest_framework_simplejwt.authentication.JWTAuthentication"), "JWTAuthentication");
/// assert_eq!(canonical_authentication_name("ApiKeyAuthentication"), "ApiKeyAuthentication");
/// assert_eq!(canonical_authentication_name("knox.auth.TokenAuthentication"), "KnoxTokenAuthentication");
/// ```
pub fn canonical_authentication_name(name: &str) -> &str {
    if name == "knox.auth.TokenAuthentication" {
        return "KnoxTokenAuthentication";
    }
    let last = [DRF, SIMPLEJWT]
        .iter()
        .find_map(|module| name.strip_prefix(module).and_then(|rest| rest.strip_prefix('.')))
        .unwrap_or(name);
    by_short_name(last).map_or(last, |class| class.name)
}

/// The built-ins as error messages offer them: `SessionAuthentication, ... (or session, ...)`.
///
/// ```
/// assert!(drf_gate::authentication::builtin::expected().starts_with("SessionAuthentication, BasicAuthentication"));
/// ```
pub fn expected() -> String {
    let names: Vec<&str> = BUILTINS.iter().map(|class| class.name).collect();
    let aliases: Vec<&str> = BUILTINS.iter().map(|class| class.alias).collect();
    format!("{} (or {})", names.join(", "), aliases.join(", "))
}
