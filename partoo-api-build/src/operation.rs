//! Stage `operation`: one [`Operation`] record per operation of the normalised document, built once in two
//! halves, from the document (read through [`crate::walk`]; `from_document`, which runs beside progenitor)
//! and from the index of the generated code (stage `index`; `complete`), then shared by every later
//! consumer: the method count check, the support code, the mocks, the API surface file
//! and [`crate::MethodInfo`] for the crate's users.

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use crate::error::{BuildError, Location};
use crate::index::CodeIndex;

/// One operation of the normalised document, with what the generated code made of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// Upper-case HTTP method (`GET`).
    pub method: String,
    /// Path template (`/org/{org_id}`).
    pub path: String,
    /// operationId after normalisation.
    pub operation_id: String,
    /// progenitor's method on `Client` (snake_case of the operationId): `get_org`.
    pub rust_name: String,
    /// progenitor's operation builder in `mod builder` (UpperCamelCase of the operationId): `GetOrg`.
    pub builder: String,
    /// The parameters that apply (the path item's, then the operation's own), in document order.
    pub parameters: Vec<Parameter>,
    /// Whether the operation takes a request body.
    pub has_body: bool,
    /// The type the builder's `body` setter converts into (compact text), when it has one.
    pub body_type: Option<String>,
    /// Whether the document marks the operation deprecated.
    pub deprecated: bool,
    /// The success type of the builder's `send()` as compact text (`types::Org`, `()`, `ByteStream`), or
    /// `?` when the generated code has no such builder.
    pub success_type: String,
    /// The error type of `send()`'s `Result` as compact text (`Error<types::PartooError>`), when found.
    pub error_type: Option<String>,
    /// The 2xx statuses progenitor's code takes as a success, as inclusive ranges (`201` → 201..=201, `2XX`
    /// and `default` → 200..=299; 200..=299 when the operation documents no success response at all).
    pub success_statuses: Vec<(u16, u16)>,
    /// Query parameters Partoo wants as one comma-separated value (arrays with `explode: false`).
    pub csv_query: Vec<String>,
    /// The `default` of the `page` query parameter (its schema's, else the parameter's own), if any.
    pub page_default: Option<Value>,
    /// Property names of the JSON success body's schema (through `allOf`), first declaration first.
    pub success_properties: Vec<String>,
    /// Those of [`Operation::success_properties`] that are arrays.
    pub success_arrays: Vec<String>,
}

/// One parameter of an [`Operation`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parameter {
    /// Its name in the API (`org_id`).
    pub name: String,
    /// Where it goes: `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether the document marks it required.
    pub required: bool,
    /// The builder's setter for it: the parameter's name in snake case, with progenitor's `_` suffix when
    /// that is a Rust keyword (`type` → `type_`); `None` when the generated builder has no such setter.
    pub setter: Option<String>,
    /// The type its builder setter converts into (`V: TryInto<T>` → `T`, compact text), when the generated
    /// builder has a setter of that name.
    pub setter_type: Option<String>,
}

impl Parameter {
    /// The parameter as the API surface file writes it: `name: in[, required]`.
    pub fn describe(&self) -> String {
        let required = if self.required { ", required" } else { "" };
        format!("{}: {}{required}", self.name, self.location)
    }
}

impl Operation {
    /// Where errors about this operation point: its method, path and operationId.
    pub fn location(&self) -> Location {
        Location::Operation {
            method: self.method.clone(),
            path: self.path.clone(),
            operation_id: Some(self.operation_id.clone()),
        }
    }

    /// Whether the operation has a query parameter `name`.
    pub fn has_query(&self, name: &str) -> bool {
        self.query(name).is_some()
    }

    /// The operation's query parameter `name`, if it has one.
    pub fn query(&self, name: &str) -> Option<&Parameter> {
        self.parameters
            .iter()
            .find(|p| p.location == "query" && p.name == name)
    }

    /// The summary the crate has always exposed as [`Generated::methods`](crate::Generated::methods).
    pub fn method_info(&self) -> MethodInfo {
        MethodInfo {
            method: self.method.clone(),
            path: self.path.clone(),
            operation_id: self.operation_id.clone(),
            rust_name: self.rust_name.clone(),
            parameters: self.parameters.iter().map(Parameter::describe).collect(),
            has_body: self.has_body,
            success_type: self.success_type.clone(),
            deprecated: self.deprecated,
        }
    }
}

/// One generated client method, for the count check and the API surface file (a summary of an
/// [`Operation`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodInfo {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// operationId after normalisation.
    pub operation_id: String,
    /// The Rust method on `Client`.
    pub rust_name: String,
    /// Parameters as `name: in[, required]`.
    pub parameters: Vec<String>,
    /// Whether the operation takes a request body.
    pub has_body: bool,
    /// The success type of `send()`, e.g. `types::CreateOrganizationResponse`, or `()`.
    pub success_type: String,
    /// Whether the document marks the operation deprecated.
    pub deprecated: bool,
}

/// The case of a name [`progenitor_ident`] or [`typify_ident`] makes.
#[derive(Clone, Copy)]
pub(crate) enum Case {
    /// `snake_case`: methods, setters and struct fields.
    Snake,
    /// `UpperCamelCase`: builders and types.
    Pascal,
}

/// The identifier progenitor 0.15.1 makes of a name from the document, so the records agree with the code:
/// the name in `case`, every character that cannot continue an identifier read as a word break (`'` dropped);
/// `_` in front when the first character cannot start one (`123abc` → `_123abc`); `x` when nothing is left;
/// `_` behind a keyword (`type` → `type_`). `+1` and `-1` are `plus1` and `minus1`.
fn progenitor_ident(input: &str, case: Case) -> String {
    ident(input, case, "_")
}

/// The identifier typify 0.8.0 makes of a name from the document (a struct field of a property, a type of a
/// component): as [`progenitor_ident`], except that a name whose first character cannot start an identifier
/// gets the case's `x` in front (`1st` → `x1st`, `2ndEvent` → `X2ndEvent`), where progenitor puts `_`.
pub(crate) fn typify_ident(input: &str, case: Case) -> String {
    let x = match case {
        Case::Snake => "x",
        Case::Pascal => "X",
    };
    ident(input, case, x)
}

/// The shared rule of [`progenitor_ident`] and [`typify_ident`]; `lead` goes in front of a name that cannot
/// start an identifier.
fn ident(input: &str, case: Case, lead: &str) -> String {
    if already_in_case(input, case) {
        return input.to_owned();
    }
    cased(input, case, lead)
}

/// Whether `input` is its own identifier in `case`, told without heck (the build script runs unoptimised,
/// and most names of a document are plain): ASCII, and for snake case lower-case words joined by single
/// `_`, for UpperCamelCase letters and digits starting upper-case, each later upper-case letter right after a
/// lower-case one (`APIKey` is `ApiKey`, `A1A` is `A1a`); never a keyword. A test compares it with heck on every short name.
fn already_in_case(input: &str, case: Case) -> bool {
    let bytes = input.as_bytes();
    let shaped = match case {
        Case::Snake => {
            bytes.first().is_some_and(u8::is_ascii_lowercase)
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
                && !input.ends_with('_')
                && !input.contains("__")
        }
        Case::Pascal => {
            bytes.first().is_some_and(u8::is_ascii_uppercase)
                && bytes.iter().all(u8::is_ascii_alphanumeric)
                && !bytes
                    .windows(2)
                    .any(|w| w[1].is_ascii_uppercase() && !w[0].is_ascii_lowercase())
        }
    };
    shaped && !is_keyword(input)
}

/// [`ident`] through heck.
fn cased(input: &str, case: Case, lead: &str) -> String {
    let to_case = |text: &str| match case {
        Case::Snake => text.to_snake_case(),
        Case::Pascal => text.to_upper_camel_case(),
    };
    let out = match input {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => to_case(
            &input
                .replace('\'', "")
                .replace(|c: char| !unicode_ident::is_xid_continue(c), "-"),
        ),
    };
    let out = match out.chars().next() {
        None => to_case("x"),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => format!("{lead}{out}"),
    };
    if is_keyword(&out) {
        format!("{out}_")
    } else {
        out
    }
}

/// progenitor's client method and operation builder for an operationId: `getOrg` → (`get_org`, `GetOrg`).
pub(crate) fn method_and_builder(operation_id: &str) -> (String, String) {
    let method = progenitor_ident(operation_id, Case::Snake);
    (method.clone(), builder_of(&method))
}

/// progenitor's httpmock wrapper of a client method, `kind` being `when` or `then`: `get_org` → `GetOrgWhen`.
/// Named from `{method}-{kind}`, not from the builder: `self_` (operationId `self`) has the builder `Self_`
/// and the wrapper `SelfWhen`.
pub(crate) fn mock_wrapper_of(method: &str, kind: &str) -> String {
    progenitor_ident(&format!("{method}-{kind}"), Case::Pascal)
}

/// progenitor's operation builder for a client method: `get_org` → `GetOrg`, `_123abc` → `_123abc`.
pub(crate) fn builder_of(method: &str) -> String {
    progenitor_ident(method, Case::Pascal)
}

/// Whether progenitor and typify write `name` with a `_` behind it ([`RUST_KEYWORDS`]).
pub(crate) fn is_keyword(name: &str) -> bool {
    RUST_KEYWORDS.contains(&name)
}

/// The words progenitor (through typify) does not take as identifiers: Rust's keywords, reserved words, `gen`
/// and `_`.
const RUST_KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Methods every operation builder (and its mock `When`) already has, or that the support code adds: a
/// parameter whose setter would take one of these names gives code that does not compile.
const BUILDER_METHODS: &[&str] = &[
    "new",
    "send",
    "into_inner",
    "pagination_client",
    "pagination_cursor",
];

/// Variables progenitor 0.15.1's `send()` declares under a fixed name before it reads the parameters' values:
/// a parameter of that Rust name is shadowed (a query parameter `header_map` would be sent as the request's
/// header map), and the code does not compile. progenitor makes its `url`, `request`, `response`, `result`
/// and `client` variables unique (`_url`, …), but not this one.
const SEND_LOCALS: &[&str] = &["header_map"];

/// The builder methods of an operation with a request body, which [`BUILDER_METHODS`] get besides.
const BODY_METHODS: &[&str] = &["body", "body_map"];

/// The operations of the normalised document, in document order, from the document alone (names,
/// parameters, statuses, success properties): this needs nothing progenitor makes, so the pipeline runs it
/// beside progenitor. What the generated code says (setters, body, success and error types) is left for
/// [`complete`].
pub(crate) fn from_document(doc: &Value) -> Vec<Operation> {
    crate::walk::operations(doc)
        .into_iter()
        .map(|(path, method, op)| {
            let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
            let operation_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let (rust_name, builder) = method_and_builder(&operation_id);
            let mut csv_query = Vec::new();
            let mut page_default = None;
            let mut parameters = Vec::new();
            for p in crate::walk::parameters(doc, path, op) {
                let name = text(p, "name").unwrap_or_else(|| "?".to_owned());
                let location = text(p, "in").unwrap_or_else(|| "?".to_owned());
                if location == "query" && p.get("name").is_some() {
                    let schema = p.get("schema").map(|s| crate::walk::deref(doc, s));
                    if name == "page" {
                        page_default = schema
                            .and_then(|s| s.get("default"))
                            .or_else(|| p.get("default"))
                            .cloned();
                    }
                    let is_array =
                        schema.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("array");
                    if is_array && p.get("explode") == Some(&Value::Bool(false)) {
                        csv_query.push(name.clone());
                    }
                }
                // The setter's name (progenitor's, also with a `_` when that is a keyword), checked
                // against the code by `complete`.
                parameters.push(Parameter {
                    required: p.get("required") == Some(&Value::Bool(true)),
                    setter: Some(progenitor_ident(&name, Case::Snake)),
                    setter_type: None,
                    name,
                    location,
                });
            }
            let (mut success_properties, mut success_arrays) = (Vec::new(), Vec::new());
            if let Some(schema) = crate::walk::json_success_schema(doc, op) {
                for (name, s) in crate::walk::properties(doc, schema) {
                    if success_properties.iter().any(|p| p == name) {
                        continue;
                    }
                    success_properties.push(name.to_owned());
                    let s = crate::walk::unwrap_single_all_of(doc, s);
                    if s.get("type").and_then(Value::as_str) == Some("array") {
                        success_arrays.push(name.to_owned());
                    }
                }
            }
            Operation {
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
                operation_id,
                rust_name,
                builder,
                parameters,
                has_body: op.contains_key("requestBody"),
                body_type: None,
                deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
                success_type: "?".to_owned(),
                error_type: None,
                success_statuses: success_statuses(op),
                csv_query,
                page_default,
                success_properties,
                success_arrays,
            }
        })
        .collect()
}

/// HTTP methods progenitor 0.15.1 emits a call for that `reqwest::Client` does not have (it has `get`, `put`,
/// `post`, `delete`, `head` and `patch`): a client with such an operation would not compile.
const UNCALLABLE_METHODS: [&str; 2] = ["OPTIONS", "TRACE"];

/// Refuses the first operation whose method the generated client could not call ([`UNCALLABLE_METHODS`]).
pub(crate) fn check_http_methods(file: &str, operations: &[Operation]) -> Result<(), BuildError> {
    match operations
        .iter()
        .find(|op| UNCALLABLE_METHODS.contains(&op.method.as_str()))
    {
        Some(op) => Err(BuildError::new(
            file,
            op.location(),
            format!(
                "{} operations are not supported: progenitor's code calls `reqwest::Client::{}`, which \
                 does not exist, so the client would not compile",
                op.method,
                op.method.to_lowercase()
            ),
        )
        .with_hint("remove the operation from the spec, or add a rule that drops it")),
        None => Ok(()),
    }
}

/// Refuses an operation with two parameters of one Rust name (`page_size` and `pageSize`, or a path and a
/// query parameter both named `id`): progenitor gives them one builder setter and one struct field twice, and
/// the client would not compile. The wire names cannot be changed to fit, so the error names both.
pub(crate) fn check_parameter_names(
    file: &str,
    operations: &[Operation],
) -> Result<(), BuildError> {
    for op in operations {
        let mut seen: Vec<(&str, &Parameter)> = Vec::new();
        for p in &op.parameters {
            let rust = p.setter.as_deref().unwrap_or_default();
            if BUILDER_METHODS.contains(&rust) || (op.has_body && BODY_METHODS.contains(&rust)) {
                return Err(BuildError::new(
                    file,
                    op.location(),
                    format!(
                        "parameter `{}` ({}) would get the setter `{rust}`, a method the operation's builder \
                         (or its mock) already has, and the code would not compile; rename it in the spec or \
                         add a rule that drops it",
                        p.name, p.location
                    ),
                ));
            }
            if SEND_LOCALS.contains(&rust) {
                return Err(BuildError::new(
                    file,
                    op.location(),
                    format!(
                        "parameter `{}` ({}) would be the Rust variable `{rust}`, which progenitor's `send()` \
                         also declares (for the request's headers) and which hides the parameter: the code \
                         would not compile; rename it in the spec or add a rule that drops it",
                        p.name, p.location
                    ),
                ));
            }
            if let Some((_, first)) = seen.iter().find(|(name, _)| *name == rust) {
                return Err(BuildError::new(
                    file,
                    op.location(),
                    format!(
                        "parameters `{}` ({}) and `{}` ({}) both become `{rust}` in Rust, which progenitor \
                         emits twice; rename one in the spec or add a rule that drops it",
                        first.name, first.location, p.name, p.location
                    ),
                ));
            }
            seen.push((rust, p));
        }
    }
    Ok(())
}

/// Completes each record of [`from_document`] with what its builder declares in the generated code (`?` for
/// the success type of an operation without one).
pub(crate) fn complete(operations: &mut [Operation], index: &CodeIndex) {
    for op in operations {
        let send = index.send(&op.builder);
        for p in &mut op.parameters {
            let snake = p.setter.take().unwrap_or_default();
            (p.setter, p.setter_type) = send
                .and_then(|s| {
                    [snake.clone(), format!("{snake}_")]
                        .into_iter()
                        .find_map(|n| s.setter(&n).map(|ty| (n, ty.to_owned())))
                })
                .unzip();
        }
        op.body_type = send.and_then(|s| s.setter("body")).map(str::to_owned);
        op.success_type = send.map_or_else(|| "?".to_owned(), |s| s.success.clone());
        op.error_type = send
            .filter(|s| !s.error.is_empty())
            .map(|s| s.error.clone());
    }
}

/// The 2xx statuses progenitor's status match takes as a success for `op`'s responses.
fn success_statuses(op: &serde_json::Map<String, Value>) -> Vec<(u16, u16)> {
    let codes: Vec<&String> = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|r| r.keys().collect())
        .unwrap_or_default();
    let mut statuses: Vec<(u16, u16)> = codes
        .iter()
        .filter_map(|code| success_range(code))
        .collect();
    // Without any success response (`101` counts as one), progenitor adds a `2XX` of its own.
    if statuses.is_empty() && !codes.iter().any(|c| *c == "101") {
        statuses.push((200, 299));
    }
    statuses
}

/// The 2xx statuses a response key covers in progenitor's status match: `201` → 201..=201, `2XX` and
/// `default` (matched as `_`) → 200..=299; none for other keys.
fn success_range(code: &str) -> Option<(u16, u16)> {
    match code {
        "2XX" | "2xx" | "default" => Some((200, 299)),
        _ => code
            .parse::<u16>()
            .ok()
            .filter(|c| (200..300).contains(c))
            .map(|c| (c, c)),
    }
}

/// Compares the operations with the methods found in the generated code (`what` names where: `client` for
/// `impl Client`, `MockServerExt` for the mocks): an operation without its method, a method no operation
/// asked for, or a duplicate is an error naming them. Returns the number of methods found.
pub(crate) fn check_methods(
    file: &str,
    what: &str,
    operations: &[Operation],
    found: &[String],
) -> Result<usize, BuildError> {
    use std::collections::BTreeSet;
    let wanted: BTreeSet<&str> = operations.iter().map(|m| m.rust_name.as_str()).collect();
    let have: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    let missing: Vec<String> = operations
        .iter()
        .filter(|m| !have.contains(m.rust_name.as_str()))
        .map(|m| format!("{} {} ({})", m.method, m.path, m.rust_name))
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "{} operations have no {what} method: {}",
            missing.len(),
            missing.join(", ")
        ));
    }
    let extra: Vec<&str> = have.difference(&wanted).copied().collect();
    if !extra.is_empty() {
        problems.push(format!(
            "{} {what} methods match no operation: {}",
            extra.len(),
            extra.join(", ")
        ));
    }
    if problems.is_empty() && found.len() != operations.len() {
        problems.push(format!(
            "{} operations but {} {what} methods (a name is generated twice)",
            operations.len(),
            found.len()
        ));
    }
    if problems.is_empty() {
        Ok(found.len())
    } else {
        Err(BuildError::new(file, Location::Input, problems.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::{Case, Operation, already_in_case, cased, check_methods};

    /// The shortcut of `ident` gives what heck gives, on every name of up to five characters over letters of
    /// both cases, a digit and `_` (and on a few keywords and longer names).
    #[test]
    fn names_already_in_case_are_what_heck_makes_of_them() {
        let alphabet = ['a', 'b', 'A', 'B', '1', '_'];
        let mut names = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(last.iter().cloned());
        }
        names.extend(
            [
                "type",
                "Self",
                "self_",
                "BusinessId",
                "ApiKeys2",
                "APIKey",
                "org_id_2",
                "x1st",
                "Ipv6Net",
            ]
            .map(str::to_owned),
        );
        for name in &names {
            for case in [Case::Snake, Case::Pascal] {
                if already_in_case(name, case) {
                    assert_eq!(&cased(name, case, "x"), name, "{name}");
                }
            }
        }
        assert!(
            already_in_case("org_id", Case::Snake) && already_in_case("BusinessId", Case::Pascal)
        );
    }

    fn op(name: &str) -> Operation {
        Operation {
            method: "GET".into(),
            path: format!("/{name}"),
            operation_id: name.into(),
            rust_name: name.into(),
            builder: name.into(),
            parameters: Vec::new(),
            has_body: false,
            body_type: None,
            deprecated: false,
            success_type: String::new(),
            error_type: None,
            success_statuses: Vec::new(),
            csv_query: Vec::new(),
            page_default: None,
            success_properties: Vec::new(),
            success_arrays: Vec::new(),
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_count_check_fails_on_any_disagreement() {
        let ops = [op("a"), op("b")];
        assert_eq!(
            check_methods("t", "client", &ops, &names(&["a", "b"])).unwrap(),
            2
        );
        let err = check_methods("t", "client", &ops, &names(&["a"])).unwrap_err();
        assert!(
            err.message
                .contains("1 operations have no client method: GET /b (b)"),
            "{err}"
        );
        let err = check_methods("t", "client", &ops, &names(&["a", "b", "c"])).unwrap_err();
        assert!(
            err.message
                .contains("1 client methods match no operation: c"),
            "{err}"
        );
        let err = check_methods("t", "client", &ops, &names(&["a", "b", "b"])).unwrap_err();
        assert!(
            err.message.contains("2 operations but 3 client methods"),
            "{err}"
        );
    }
}
