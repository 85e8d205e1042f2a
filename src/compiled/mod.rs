//! The compiled policy: a compact, versioned binary form of a compiled [`Gate`], written by the
//! compiler ([`Gate::to_compiled`]) and loaded by a runtime that has no policy compiler, no
//! condition-language parser and no JSON reader ([`Gate::from_compiled`]).
//!
//! ```text
//! offset  size  field
//! 0       8     magic  b"DRFGATE\x01"
//! 8       2     format version (u16, little endian): FORMAT_VERSION
//! 10      4     payload length (u32, little endian)
//! 14      8     FNV-1a 64 of the payload (u64, little endian)
//! 22      n     payload: the permission table, classes, conditions, views (routes, actions,
//!               permission lists, authentication lists, precomputed bodies and `Allow`
//!               headers), URL routes, the authentication settings (version 3: plain fields in
//!               a length-prefixed section, no JSON; decoded by the edge build only; version 4:
//!               with the origin's middleware; version 5: route parameters with Django's
//!               converter, view flags with `throttled`; version 6: simplejwt's
//!               `USER_ID_FIELD` kind; version 7: `SESSION_ENGINE` and
//!               `create_unknown_user`; version 8: a view's filter parameters), and the
//!               `can` programs of every target (version 2: lowered by the compiler, so the
//!               runtime has no lowering)
//! ```
//!
//! Decoding is total: bounds-checked reads, counts bounded by the bytes left, indices checked
//! against what they index, trees read with a depth budget. A file of another format version is
//! refused as `incompatible_compiled_policy`; anything else that does not decode (a truncated,
//! corrupted or foreign file) as `corrupt_compiled_policy`. Neither is ever misread.
//!
//! ```
//! # #[cfg(feature = "compiler")] {
//! use drf_gate::Gate;
//! let gate = Gate::from_json(r#"{"permissions": ["IsAuthenticatedOrReadOnly"], "views": {"posts": {}}}"#)?;
//! let bytes = gate.to_compiled();
//! let loaded = Gate::from_compiled(&bytes)?;
//! let anonymous = drf_gate::user::User::anonymous();
//! assert!(!loaded.can(&anonymous, "posts", "create", None)?);
//! let err = Gate::from_compiled(&bytes[..bytes.len() - 1]).unwrap_err();
//! assert_eq!(err.code, "corrupt_compiled_policy");
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[macro_use]
pub mod program;
pub(crate) mod settings;
pub(crate) mod stored;
pub mod value;
pub(crate) mod wire;

#[cfg(any(feature = "compiler", feature = "edge"))]
use crate::authentication::AuthenticationClass;
use crate::authentication::Authenticator;
use crate::condition::Condition;
use crate::error::{PolicyError, PolicyErrorCode};
use crate::gate::Gate;
use crate::negotiation::Renderer;
use crate::perm_table::{PermId, PermissionTable};
use crate::permissions::{Check, Node, PermissionClass, PermsMap};
use crate::routing::{ParameterForm, Segment};
use crate::text::cat;
#[cfg(feature = "compiler")]
use crate::views::ModelMeta;
use crate::views::{Action, AuthenticationList, Entry, Route, RouteKind, View};
#[cfg(feature = "compiler")]
use wire::Writer;
use wire::{Corrupt, Read, Reader, Sticky};

/// The first bytes of every compiled policy.
pub const MAGIC: [u8; 8] = *b"DRFGATE\x01";
/// The format this build writes and the only one it reads.
pub const FORMAT_VERSION: u16 = 8;
/// Magic, version, payload length, checksum.
pub const HEADER_LEN: usize = 22;
/// Permission expressions nest at most 64 levels when compiled; a little slack, no more.
const MAX_NODE_DEPTH: u32 = 80;

fn corrupt(error: &Corrupt) -> PolicyError {
    // An intact policy whose JWT key this build cannot verify: a settings error, not corruption.
    #[cfg(feature = "edge")]
    if [settings::NEEDS_RSA, settings::NEEDS_ES256, settings::NEEDS_ES384].contains(&error.what) {
        return PolicyError::new(PolicyErrorCode::InvalidSettings, "$.settings.jwt.algorithm", error.what);
    }
    PolicyError::new(
        PolicyErrorCode::CorruptCompiledPolicy,
        cat!('@', error.offset + HEADER_LEN),
        cat!("the compiled policy is corrupt: ", error.what, " at byte ", error.offset + HEADER_LEN),
    )
}

fn header_error(message: impl Into<String>) -> PolicyError {
    PolicyError::new(PolicyErrorCode::CorruptCompiledPolicy, "@0", message)
}

#[cfg(feature = "compiler")]
impl Gate {
    /// The compiled form of this policy, for [`Gate::from_compiled`] (a browser runtime without
    /// the compiler, or a faster start).
    ///
    /// ```
    /// let gate = drf_gate::Gate::from_json(r#"{"views": {"posts": {}}}"#).unwrap();
    /// let bytes = gate.to_compiled();
    /// assert_eq!(&bytes[..8], &drf_gate::compiled::MAGIC);
    /// ```
    pub fn to_compiled(&self) -> Vec<u8> {
        let mut out = Writer::default();
        encode_gate(self, &mut out);
        let payload = out.bytes;
        let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&wire::checksum(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        bytes
    }
}

impl Gate {
    /// Loads a compiled policy made by [`Gate::to_compiled`] (or `drf-gate compile`).
    ///
    /// # Errors
    /// `incompatible_compiled_policy` for another format version; `corrupt_compiled_policy` for
    /// anything that is not an intact compiled policy (its `path` is `@<byte offset>`).
    ///
    /// ```
    /// let err = drf_gate::Gate::from_compiled(b"{\"views\": {}}").unwrap_err();
    /// assert_eq!(err.code, "corrupt_compiled_policy");
    /// ```
    pub fn from_compiled(bytes: &[u8]) -> Result<Gate, PolicyError> {
        let payload = check_header(bytes)?;
        let mut input = Reader::new(payload);
        let gate = decode_gate(&mut input).map_err(|error| corrupt(&error))?;
        if !input.is_empty() {
            return Err(corrupt(&input.corrupt("trailing bytes after the policy")));
        }
        #[cfg(not(any(feature = "compiler", feature = "edge")))]
        if let Some(renderer) = gate
            .views
            .iter()
            .flat_map(|view| &view.renderers)
            .map(|r| &r.media_type)
            .find(|media_type| media_type.chars().any(|c| c > '\u{FF}'))
        {
            // The runtime's case mapping (`http::lower`) is exact against Latin-1 only.
            return Err(PolicyError::new(
                PolicyErrorCode::IncompatibleCompiledPolicy,
                "@0",
                cat!("the renderer media type ", renderer, " is not Latin-1: load the JSON policy with drf-gate/web"),
            ));
        }
        Ok(gate)
    }
}

/// Checks magic, version, length and checksum; returns the payload.
fn check_header(bytes: &[u8]) -> Result<&[u8], PolicyError> {
    let magic = bytes.get(..MAGIC.len());
    if magic != Some(&MAGIC[..]) {
        return Err(header_error("not a drf-gate compiled policy (its first bytes are not DRFGATE\\x01)"));
    }
    let field = |range: std::ops::Range<usize>| {
        bytes.get(range).ok_or_else(|| header_error("the compiled policy is truncated inside its header"))
    };
    let version = u16::from_le_bytes(<[u8; 2]>::try_from(field(8..10)?).unwrap_or_default());
    if version != FORMAT_VERSION {
        return Err(PolicyError::new(
            PolicyErrorCode::IncompatibleCompiledPolicy,
            "@8",
            cat!(
                "the compiled policy has format version ",
                version,
                concat!("; this drf-gate (", env!("CARGO_PKG_VERSION"), ") reads version ",),
                FORMAT_VERSION,
                ": compile the policy again with this version"
            ),
        ));
    }
    let length = u32::from_le_bytes(<[u8; 4]>::try_from(field(10..14)?).unwrap_or_default()) as usize;
    let sum = u64::from_le_bytes(<[u8; 8]>::try_from(field(14..22)?).unwrap_or_default());
    let payload = bytes.get(HEADER_LEN..).unwrap_or_default();
    if payload.len() != length {
        return Err(header_error(cat!(
            "the compiled policy is ",
            bytes.len(),
            " bytes long where its header says ",
            HEADER_LEN + length,
            ": truncated or padded"
        )));
    }
    if wire::checksum(payload) != sum {
        return Err(header_error("the compiled policy's checksum does not match: the file is corrupt"));
    }
    Ok(payload)
}

// ---- encoding -------------------------------------------------------------------------------

#[cfg(feature = "compiler")]
fn encode_gate(gate: &Gate, out: &mut Writer) {
    out.usize(gate.table.len());
    for id in 0..gate.table.len() {
        out.str(gate.table.name(PermId(id as u32)).unwrap_or_default());
    }
    out.usize(gate.conditions.len());
    for condition in &gate.conditions {
        condition.encode(out);
    }
    out.usize(gate.classes.len());
    for class in &gate.classes {
        encode_class(class, out);
    }
    out.usize(gate.views.len());
    for view in &gate.views {
        encode_view(view, out);
    }
    out.usize(gate.routes.len());
    for route in &gate.routes {
        out.usize(route.segments.len());
        for segment in &route.segments {
            match segment {
                Segment::Literal(text) => {
                    out.u8(0);
                    out.str(text);
                }
                Segment::Parameter(name, form) => {
                    out.u8(form.wire_kind());
                    out.str(name);
                }
            }
        }
        out.bool(route.trailing_slash);
        out.str(&route.view);
        out.bool(route.detail);
        out.opt_str(route.action.as_deref());
    }
    out.bytes(&gate.settings_wire);
    encode_programs(&gate.stored_programs(), out);
}

#[cfg(feature = "compiler")]
fn encode_programs(stored: &stored::StoredPrograms, out: &mut Writer) {
    out.usize(stored.pool.len());
    for program in &stored.pool {
        out.usize(program.code.len());
        for word in &program.code {
            // Zigzag: small negative words stay short.
            out.varint(u64::from(((*word << 1) ^ (*word >> 31)) as u32));
        }
        out.usize(program.texts.len());
        for text in &program.texts {
            out.str(text);
        }
    }
    // The methods once; entries name them by index.
    let mut methods: Vec<&str> = Vec::new();
    let mut method_index: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for entry in &stored.entries {
        method_index.entry(&entry.target.method).or_insert_with(|| {
            methods.push(&entry.target.method);
            methods.len() - 1
        });
    }
    out.usize(methods.len());
    for method in &methods {
        out.str(method);
    }
    out.usize(stored.entries.len());
    for entry in &stored.entries {
        out.usize(entry.target.view);
        out.usize(entry.target.route);
        out.usize(entry.target.action.map_or(0, |action| action + 1));
        out.usize(method_index.get(entry.target.method.as_str()).copied().unwrap_or_default());
        out.bool(entry.with_object);
        out.usize(entry.program);
    }
    match &stored.object_reads {
        None => out.u8(0),
        Some(paths) => {
            out.u8(1);
            out.usize(paths.len());
            for path in paths {
                out.usize(path.len());
                for name in path {
                    out.str(name);
                }
            }
        }
    }
}

#[cfg(feature = "compiler")]
fn encode_check(check: &Check, out: &mut Writer) {
    match check {
        Check::AllowAll => out.u8(0),
        Check::IsAuthenticated => out.u8(1),
        Check::IsAdminUser => out.u8(2),
        Check::IsAuthenticatedOrReadOnly => out.u8(3),
        Check::DjangoModelPermissions => out.u8(4),
        Check::DjangoObjectPermissions => out.u8(5),
        Check::Condition(index) => {
            out.u8(6);
            out.usize(*index);
        }
        Check::HasApiKey(check) => {
            out.u8(7);
            out.str(&check.model);
            out.str(&check.keyword);
        }
    }
}

#[cfg(feature = "compiler")]
fn encode_class(class: &PermissionClass, out: &mut Writer) {
    out.str(&class.name);
    encode_check(&class.has_permission, out);
    encode_check(&class.has_object_permission, out);
    out.opt_str(class.message_body.as_deref());
    out.opt_str(class.code.as_deref());
    out.usize(class.perms_map.len());
    for (method, templates) in &class.perms_map {
        out.str(method);
        out.usize(templates.len());
        for template in templates {
            out.str(template);
        }
    }
    out.bool(class.authenticated_users_only);
}

#[cfg(feature = "compiler")]
fn encode_node(node: &Node, out: &mut Writer) {
    match node {
        Node::Leaf { class, perms } => {
            out.u8(0);
            out.usize(*class);
            match perms {
                None => out.u8(0),
                Some(map) => {
                    out.u8(1);
                    out.usize(map.entries.len());
                    for (method, ids) in &map.entries {
                        out.str(method);
                        out.usize(ids.len());
                        for id in ids.iter() {
                            out.varint(u64::from(id.0));
                        }
                    }
                    out.bool(map.authenticated_users_only);
                }
            }
        }
        Node::And(left, right) | Node::Or(left, right) => {
            out.u8(if matches!(node, Node::And(..)) { 1 } else { 2 });
            encode_node(left, out);
            encode_node(right, out);
        }
        Node::Not(inner) => {
            out.u8(3);
            encode_node(inner, out);
        }
    }
}

/// The authentication class tags of the format: the one table the encoder and both decoders
/// (the browser runtime's skips what it does not keep) read; `the_class_tags_are_the_encoders`
/// checks both decoders against the encoder.
mod class_tag {
    pub const SESSION: u8 = 0;
    pub const BASIC: u8 = 1;
    pub const TOKEN: u8 = 2;
    pub const JWT: u8 = 3;
    pub const REMOTE_USER: u8 = 4;
    pub const CUSTOM: u8 = 5;
    pub const KNOX: u8 = 6;
}

#[cfg(feature = "compiler")]
fn encode_authenticator(authenticator: &Authenticator, out: &mut Writer) {
    out.str(&authenticator.name);
    match &authenticator.class {
        AuthenticationClass::Session => out.u8(class_tag::SESSION),
        AuthenticationClass::Basic { realm } => {
            out.u8(class_tag::BASIC);
            out.str(realm);
        }
        AuthenticationClass::Token { keyword } => {
            out.u8(class_tag::TOKEN);
            out.str(keyword);
        }
        AuthenticationClass::Jwt { stateless, header_type, realm } => {
            out.u8(class_tag::JWT);
            out.bool(*stateless);
            out.str(header_type);
            out.str(realm);
        }
        AuthenticationClass::RemoteUser => out.u8(class_tag::REMOTE_USER),
        AuthenticationClass::Custom { name, www_authenticate } => {
            out.u8(class_tag::CUSTOM);
            out.str(name);
            out.opt_str(www_authenticate.as_deref());
        }
        AuthenticationClass::Knox { prefix } => {
            out.u8(class_tag::KNOX);
            out.str(prefix);
        }
    }
}

#[cfg(feature = "compiler")]
fn encode_view(view: &View, out: &mut Writer) {
    out.str(&view.name);
    out.usize(view.renderers.len());
    for renderer in &view.renderers {
        out.str(&renderer.media_type);
        out.str(&renderer.format);
        out.bool(renderer.json);
    }
    match &view.model {
        None => out.u8(0),
        Some(model) => {
            out.u8(1);
            out.str(&model.app_label);
            out.str(&model.object_name);
            out.str(&model.model_name);
        }
    }
    out.str(&view.no_match_body);
    // Flags: 1 `_ignore_model_permissions` (what every version wrote as a bool), 2 throttled,
    // 4 filter parameters follow.
    let filtered = !view.filter_params.is_empty();
    out.u8(u8::from(view.ignore_model_permissions) | (u8::from(view.throttled) << 1) | (u8::from(filtered) << 2));
    match view.queryset {
        None => out.u8(0),
        Some(condition) => {
            out.u8(1);
            out.usize(condition);
        }
    }
    if filtered {
        out.usize(view.filter_params.len());
        for name in &view.filter_params {
            out.str(name);
        }
    }
    out.usize(view.permission_lists.len());
    for list in &view.permission_lists {
        out.usize(list.len());
        for entry in list {
            out.str(&entry.source);
            encode_node(&entry.node, out);
            match entry.single_class {
                None => out.u8(0),
                Some(class) => {
                    out.u8(1);
                    out.usize(class);
                }
            }
        }
    }
    out.usize(view.authentication_lists.len());
    for list in &view.authentication_lists {
        out.usize(list.classes.len());
        for authenticator in &list.classes {
            encode_authenticator(authenticator, out);
        }
        out.opt_str(list.header.as_deref());
    }
    out.usize(view.routes.len());
    for route in &view.routes {
        out.u8(match route.kind {
            RouteKind::List => 0,
            RouteKind::Detail => 1,
            RouteKind::Extra => 2,
        });
        out.usize(route.handlers.len());
        for (method, action) in &route.handlers {
            out.str(method);
            out.usize(*action);
        }
        out.usize(route.handled.len());
        for method in &route.handled {
            out.str(method);
        }
        out.str(&route.allow);
        out.usize(route.permissions);
        out.usize(route.options_permissions);
        out.usize(route.authentication);
        out.opt_str(route.group.as_deref());
    }
    out.usize(view.actions.len());
    for action in &view.actions {
        out.str(&action.name);
        out.usize(action.route);
        out.usize(action.methods.len());
        for method in &action.methods {
            out.str(method);
        }
        out.bool(action.get_object);
        out.usize(action.permissions);
    }
}

// ---- decoding -------------------------------------------------------------------------------
//
// Through a [`Sticky`] reader: reads return defaults after the first failure, which is reported
// once, before the gate is built (the same error, at the same offset, as leaving at the first
// failure; much smaller code than a drop path per field).

fn decode_gate(input: &mut Reader<'_>) -> Read<Gate> {
    let mut d = Sticky::new(input);
    let mut table = PermissionTable::default();
    let count = d.count();
    for _ in 0..count {
        let before = table.len();
        if let Some(name) = d.opt(Reader::str) {
            table.intern(name);
            if table.len() != before + 1 {
                d.fail("a permission listed twice");
            }
        }
    }
    let count = d.count();
    let mut conditions = Vec::with_capacity(count);
    for _ in 0..count {
        conditions.push(Condition::decode(&mut d, table.len()));
    }
    let count = d.count();
    let mut classes = Vec::with_capacity(count);
    for _ in 0..count {
        classes.push(decode_class(&mut d, conditions.len()));
    }
    let count = d.count();
    let mut views = Vec::with_capacity(count);
    let mut view_index = crate::perm_table::NameMap::default();
    for index in 0..count {
        let view = decode_view(&mut d, classes.len(), conditions.len(), table.len());
        if view_index.insert(view.name.clone(), index).is_some() {
            d.fail("a view listed twice");
        }
        views.push(view);
    }
    let count = d.count();
    let mut routes = Vec::with_capacity(count);
    for _ in 0..count {
        let segment_count = d.count();
        let mut segments = Vec::with_capacity(segment_count);
        for _ in 0..segment_count {
            let kind = d.u8();
            let form = ParameterForm::from_wire_kind(kind);
            if kind != 0 && form.is_none() {
                d.fail("an unknown route segment");
            }
            let text = d.string();
            segments.push(match form {
                Some(form) => Segment::Parameter(text, form),
                None => Segment::Literal(text),
            });
        }
        let trailing_slash = d.bool();
        let view = d.string();
        if !view_index.contains_key(&view) {
            d.fail("a route to an unknown view");
        }
        routes.push(crate::routing::Route { segments, trailing_slash, view, detail: d.bool(), action: d.opt_string() });
    }
    // Only the edge build decodes (and compiles) the settings; the compiler keeps their bytes
    // to write them back; the browser runtime skips them.
    #[cfg_attr(not(feature = "edge"), allow(unused_mut, unused_variables))]
    let mut section = d.opt(Reader::section).unwrap_or_default();
    #[cfg(feature = "compiler")]
    let settings_wire = section.rest().to_vec();
    #[cfg(feature = "edge")]
    let (settings, middleware) = {
        d.check()?;
        settings::decode(&mut section)?
    };
    let programs = decode_programs(&mut d, &views);
    d.check()?;
    Ok(Gate {
        table,
        classes,
        conditions,
        views,
        view_index,
        routes,
        #[cfg(feature = "edge")]
        settings,
        #[cfg(feature = "compiler")]
        settings_wire,
        #[cfg(feature = "edge")]
        middleware,
        programs: Some(programs),
    })
}

fn decode_programs(d: &mut Sticky<'_, '_>, views: &[View]) -> stored::StoredPrograms {
    let count = d.count();
    let mut pool = Vec::with_capacity(count);
    for _ in 0..count {
        let words = d.count();
        let mut code = Vec::with_capacity(words);
        for _ in 0..words {
            let word =
                d.opt(|input| u32::try_from(input.varint()?).map_err(|_| input.corrupt("a program word too large")));
            let word = word.unwrap_or_default();
            code.push(((word >> 1) as i32) ^ -((word & 1) as i32));
        }
        let texts = d.strings();
        if !program::well_formed(&code, texts.len()) {
            d.fail("a malformed can program");
        }
        pool.push(program::Program { code, texts });
    }
    let methods = d.strings();
    let count = d.count();
    let mut stored = stored::StoredPrograms::with_pool(pool);
    for _ in 0..count {
        let view_index = d.index(views.len());
        let (route_count, action_count) = views.get(view_index).map_or((0, 0), |v| (v.routes.len(), v.actions.len()));
        let route = d.index(route_count);
        let action = match d.index(action_count + 1) {
            0 => None,
            action => Some(action - 1),
        };
        let method = d.index(methods.len());
        let method = methods.get(method).cloned().unwrap_or_default();
        let with_object = d.bool();
        let program = d.index(stored.pool.len());
        let target = stored::StoredTarget { view: view_index, route, action, method };
        stored.push(stored::StoredEntry { target, with_object, program });
    }
    stored.object_reads = if d.bool() {
        let count = d.count();
        let mut paths = Vec::with_capacity(count);
        for _ in 0..count {
            paths.push(d.strings());
        }
        Some(paths)
    } else {
        None
    };
    stored
}

fn decode_check(d: &mut Sticky<'_, '_>, condition_count: usize) -> Check {
    match d.u8() {
        0 => Check::AllowAll,
        1 => Check::IsAuthenticated,
        2 => Check::IsAdminUser,
        3 => Check::IsAuthenticatedOrReadOnly,
        4 => Check::DjangoModelPermissions,
        5 => Check::DjangoObjectPermissions,
        6 => Check::Condition(d.index(condition_count)),
        7 => Check::HasApiKey(Box::new(crate::permissions::api_key::ApiKeyCheck {
            model: d.string(),
            keyword: d.string(),
        })),
        _ => {
            d.fail("an unknown permission check");
            Check::AllowAll
        }
    }
}

fn decode_class(d: &mut Sticky<'_, '_>, condition_count: usize) -> PermissionClass {
    let name = d.string();
    let has_permission = decode_check(d, condition_count);
    let has_object_permission = decode_check(d, condition_count);
    let message_body = d.opt_string();
    let code = d.opt_string();
    let count = d.count();
    // Only the compiler keeps `perms_map` (to write it back): entries carry it resolved.
    #[cfg(feature = "compiler")]
    let mut perms_map = Vec::with_capacity(count);
    for _ in 0..count {
        #[cfg(feature = "compiler")]
        perms_map.push((d.string(), d.strings()));
        #[cfg(not(feature = "compiler"))]
        {
            d.skip_str();
            d.skip_strings();
        }
    }
    #[cfg_attr(not(feature = "compiler"), allow(unused_variables))]
    let authenticated_users_only = d.bool();
    PermissionClass {
        name,
        has_permission,
        has_object_permission,
        message_body,
        code,
        #[cfg(feature = "compiler")]
        perms_map,
        #[cfg(feature = "compiler")]
        authenticated_users_only,
    }
}

fn decode_node(d: &mut Sticky<'_, '_>, class_count: usize, perm_count: usize, depth: u32) -> Node {
    if depth > MAX_NODE_DEPTH {
        d.fail("a permission expression nested too deep");
    }
    let tag = d.u8();
    match tag {
        1..=3 => {
            // After a failure, `u8` reads 0: a leaf, so the recursion ends.
            let left = Box::new(decode_node(d, class_count, perm_count, depth + 1));
            if tag == 3 {
                return Node::Not(left);
            }
            let right = Box::new(decode_node(d, class_count, perm_count, depth + 1));
            if tag == 1 {
                Node::And(left, right)
            } else {
                Node::Or(left, right)
            }
        }
        _ => {
            if tag != 0 {
                d.fail("an unknown permission expression");
            }
            let class = d.index(class_count);
            let perms = if d.bool() {
                let count = d.count();
                let mut entries = Vec::with_capacity(count);
                for _ in 0..count {
                    let method = d.string();
                    let id_count = d.count();
                    let mut ids = Vec::with_capacity(id_count);
                    for _ in 0..id_count {
                        let id = d.index(perm_count);
                        match u32::try_from(id) {
                            Ok(id) => ids.push(PermId(id)),
                            Err(_) => d.fail("a permission id out of range"),
                        }
                    }
                    entries.push((method, ids.into_boxed_slice()));
                }
                Some(Box::new(PermsMap::new(entries, d.bool())))
            } else {
                None
            };
            Node::Leaf { class, perms }
        }
    }
}

/// The browser runtime keeps the name only (see [`Authenticator::class`]); the class is read
/// and checked all the same.
/// The browser runtime keeps the name only (see [`Authenticator::class`]); the class is read
/// and checked all the same.
#[cfg(not(any(feature = "compiler", feature = "edge")))]
fn decode_authenticator(d: &mut Sticky<'_, '_>) -> Authenticator {
    let name = d.string();
    skip_class(d);
    Authenticator { name }
}

/// Reads and checks one authentication class, keeping none of it.
#[cfg(any(all(test, feature = "compiler"), not(any(feature = "compiler", feature = "edge"))))]
fn skip_class(d: &mut Sticky<'_, '_>) {
    use class_tag::{BASIC, CUSTOM, JWT, KNOX, REMOTE_USER, SESSION, TOKEN};
    match d.u8() {
        SESSION | REMOTE_USER => {}
        BASIC | TOKEN | KNOX => d.skip_str(),
        JWT => {
            d.bool();
            d.skip_str();
            d.skip_str();
        }
        CUSTOM => {
            d.skip_str();
            if d.bool() {
                d.skip_str();
            }
        }
        _ => d.fail("an unknown authentication class"),
    }
}

#[cfg(any(feature = "compiler", feature = "edge"))]
fn decode_authenticator(d: &mut Sticky<'_, '_>) -> Authenticator {
    let name = d.string();
    let class = match d.u8() {
        class_tag::SESSION => AuthenticationClass::Session,
        class_tag::BASIC => AuthenticationClass::Basic { realm: d.string() },
        class_tag::TOKEN => AuthenticationClass::Token { keyword: d.string() },
        class_tag::JWT => AuthenticationClass::Jwt { stateless: d.bool(), header_type: d.string(), realm: d.string() },
        class_tag::REMOTE_USER => AuthenticationClass::RemoteUser,
        class_tag::CUSTOM => AuthenticationClass::Custom { name: d.string(), www_authenticate: d.opt_string() },
        class_tag::KNOX => AuthenticationClass::Knox { prefix: d.string() },
        _ => {
            d.fail("an unknown authentication class");
            AuthenticationClass::Session
        }
    };
    Authenticator { name, class }
}

fn decode_view(d: &mut Sticky<'_, '_>, class_count: usize, condition_count: usize, perm_count: usize) -> View {
    let name = d.string();
    let count = d.count();
    let mut renderers = Vec::with_capacity(count);
    for _ in 0..count {
        renderers.push(Renderer { media_type: d.string(), format: d.string(), json: d.bool() });
    }
    if renderers.is_empty() {
        d.fail("a view without renderers");
    }
    // The model only resolves `perms_map` in the compiler: other builds skip it.
    #[cfg(feature = "compiler")]
    let model = if d.bool() {
        Some(ModelMeta { app_label: d.string(), object_name: d.string(), model_name: d.string() })
    } else {
        None
    };
    #[cfg(not(feature = "compiler"))]
    if d.bool() {
        for _ in 0..3 {
            d.skip_str();
        }
    }
    let no_match_body = d.string();
    let flags = d.u8();
    if flags > 7 {
        d.fail("unknown view flags");
    }
    let (ignore_model_permissions, throttled) = (flags & 1 != 0, flags & 2 != 0);
    let queryset = if d.bool() { Some(d.index(condition_count)) } else { None };
    // The browser runtime never reads a request's URL.
    #[cfg(any(feature = "compiler", feature = "edge"))]
    let filter_params = if flags & 4 != 0 { d.strings() } else { Vec::new() };
    #[cfg(not(any(feature = "compiler", feature = "edge")))]
    if flags & 4 != 0 {
        d.skip_strings();
    }
    let count = d.count();
    let mut permission_lists = Vec::with_capacity(count);
    for _ in 0..count {
        let entry_count = d.count();
        let mut entries = Vec::with_capacity(entry_count);
        for _ in 0..entry_count {
            let source = d.string();
            let node = decode_node(d, class_count, perm_count, 0);
            let single_class = if d.bool() { Some(d.index(class_count)) } else { None };
            entries.push(Entry { source, node, single_class });
        }
        permission_lists.push(entries);
    }
    let count = d.count();
    let mut authentication_lists = Vec::with_capacity(count);
    for _ in 0..count {
        let class_count = d.count();
        let mut classes = Vec::with_capacity(class_count);
        for _ in 0..class_count {
            classes.push(decode_authenticator(d));
        }
        authentication_lists.push(AuthenticationList { classes, header: d.opt_string() });
    }
    let (list_count, auth_count) = (permission_lists.len(), authentication_lists.len());
    let route_count = d.count();
    let mut routes = Vec::with_capacity(route_count);
    let mut handler_targets = Vec::new();
    for _ in 0..route_count {
        let kind = match d.u8() {
            0 => RouteKind::List,
            1 => RouteKind::Detail,
            2 => RouteKind::Extra,
            _ => {
                d.fail("an unknown route kind");
                RouteKind::List
            }
        };
        let count = d.count();
        let mut handlers = Vec::with_capacity(count);
        for _ in 0..count {
            let method = d.string();
            let action = d.usize();
            handler_targets.push(action);
            handlers.push((method, action));
        }
        let handled = d.strings();
        let allow = d.string();
        routes.push(Route {
            kind,
            handlers,
            handled,
            allow,
            permissions: d.index(list_count),
            options_permissions: d.index(list_count),
            authentication: d.index(auth_count),
            #[cfg(feature = "compiler")]
            group: d.opt_string(),
        });
        #[cfg(not(feature = "compiler"))]
        if d.bool() {
            d.skip_str();
        }
    }
    let count = d.count();
    let mut actions = Vec::with_capacity(count);
    for _ in 0..count {
        actions.push(Action {
            name: d.string(),
            route: d.index(routes.len()),
            methods: d.strings(),
            get_object: d.bool(),
            permissions: d.index(list_count),
        });
    }
    if handler_targets.iter().any(|action| *action >= actions.len()) {
        d.fail("a route handler naming an unknown action");
    }
    View {
        name,
        renderers,
        #[cfg(feature = "compiler")]
        model,
        no_match_body,
        ignore_model_permissions,
        throttled,
        queryset,
        #[cfg(any(feature = "compiler", feature = "edge"))]
        filter_params,
        routes,
        actions,
        permission_lists,
        authentication_lists,
    }
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::*;

    /// Every class the encoder writes, both decoders read to its end: the compiler's back to
    /// itself, the browser runtime's skip (which keeps none of it) over exactly its bytes.
    #[test]
    fn the_class_tags_are_the_encoders() {
        let text = || "x".to_owned();
        let classes = [
            AuthenticationClass::Session,
            AuthenticationClass::Basic { realm: text() },
            AuthenticationClass::Token { keyword: text() },
            AuthenticationClass::Jwt { stateless: true, header_type: text(), realm: text() },
            AuthenticationClass::RemoteUser,
            AuthenticationClass::Custom { name: text(), www_authenticate: None },
            AuthenticationClass::Custom { name: text(), www_authenticate: Some(text()) },
            AuthenticationClass::Knox { prefix: text() },
        ];
        for class in classes {
            let authenticator = Authenticator { name: text(), class: class.clone() };
            let mut out = Writer::default();
            encode_authenticator(&authenticator, &mut out);
            let mut input = Reader::new(&out.bytes);
            let mut d = Sticky::new(&mut input);
            d.string();
            skip_class(&mut d);
            assert!(
                d.check().is_ok() && input.is_empty(),
                "{class:?}: the runtime's skip is not what the encoder wrote"
            );
            let mut input = Reader::new(&out.bytes);
            let mut d = Sticky::new(&mut input);
            assert_eq!(decode_authenticator(&mut d).class, class);
            assert!(d.check().is_ok() && input.is_empty());
        }
    }
}
