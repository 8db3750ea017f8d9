//! Stage 3: the normalised document → progenitor → Rust items, with panics and errors turned into located
//! errors, then the method count check.

use std::panic::{AssertUnwindSafe, catch_unwind};

use heck::ToSnakeCase;
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TypeImpl};
use serde_json::{Value, json};

use crate::error::{BuildError, Location, pointer_push};
use crate::rules::TIMESTAMP_SCHEMA;
use crate::walk::METHODS;

/// Deserializes the normalised document into openapiv3's model, naming the JSON pointer that does not fit.
pub(crate) fn to_openapi(file: &str, doc: &Value) -> Result<openapiv3::OpenAPI, BuildError> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(doc).map_err(|e| {
        let pointer: String = e
            .path()
            .iter()
            .map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                serde_path_to_error::Segment::Map { key } => pointer_push("", key),
                serde_path_to_error::Segment::Enum { variant } => pointer_push("", variant),
                serde_path_to_error::Segment::Unknown => "/?".to_owned(),
            })
            .collect();
        BuildError::at_pointer(file, &pointer, format!("does not fit the OpenAPI 3.0 model after normalisation: {}", e.inner()))
            .with_hint("a normalisation rule is missing for this construct; add one in partoo-api-build/src/rules")
    })
}

pub(crate) fn settings(options: &crate::Options) -> GenerationSettings {
    let mut s = GenerationSettings::new();
    if let Some(inner) = options
        .inner_type
        .as_deref()
        .and_then(|t| t.parse::<proc_macro2::TokenStream>().ok())
    {
        s.with_inner_type(inner);
    }
    s.with_interface(InterfaceStyle::Builder).with_replacement(
        TIMESTAMP_SCHEMA,
        &options.timestamp_type,
        [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
    );
    s
}

/// The panic message, cut to its first lines: typify's `todo!`s dump whole schemas in `Debug` form.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    let full = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".to_owned());
    let mut short: String = full.lines().take(4).collect::<Vec<_>>().join(" ");
    if short.len() > 400 {
        let cut = (0..=400)
            .rev()
            .find(|i| short.is_char_boundary(*i))
            .unwrap_or(0);
        short.truncate(cut);
        short.push_str(" …");
    }
    short
}

/// Runs one progenitor entry point; an error or a panic becomes an `Err` with its message.
pub(crate) fn guarded<T>(call: impl FnOnce() -> Result<T, progenitor::Error>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("progenitor error: {e}")),
        Err(payload) => Err(format!("progenitor panicked: {}", panic_text(payload))),
    }
}

/// Runs progenitor's client generation once.
fn run(
    spec: &openapiv3::OpenAPI,
    options: &crate::Options,
) -> Result<proc_macro2::TokenStream, String> {
    let settings = settings(options);
    guarded(|| Generator::new(&settings).generate_tokens(spec))
}

/// Generates tokens for the whole document; on failure, narrows the failure to one schema or operation.
pub(crate) fn generate_tokens(
    file: &str,
    doc: &Value,
    options: &crate::Options,
) -> Result<proc_macro2::TokenStream, BuildError> {
    let spec = to_openapi(file, doc)?;
    let whole = match run(&spec, options) {
        Ok(tokens) => return Ok(tokens),
        Err(msg) => msg,
    };
    Err(
        locate(file, doc, &|s| run(s, options).map(drop)).unwrap_or_else(|| {
            BuildError::new(file, Location::Input, whole).with_hint(
            "no single schema or operation reproduces it alone; report it with the spec attached",
        )
        }),
    )
}

/// Tries each component schema alone, then each operation alone, and reports the first for which `run` fails.
pub(crate) fn locate(
    file: &str,
    doc: &Value,
    run: &dyn Fn(&openapiv3::OpenAPI) -> Result<(), String>,
) -> Option<BuildError> {
    let mut empty = doc.clone();
    empty["paths"] = json!({});
    let names: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    // Schemas are converted before any operation, so a bad one fails everything: find it first.
    if let Err(msg) = to_openapi(file, &empty)
        .map_err(|e| e.message)
        .and_then(|s| run(&s))
    {
        for name in &names {
            let mut one = empty.clone();
            one["components"]["schemas"] = json!({});
            copy_closure(doc, name, &mut one);
            if let Err(m) = to_openapi(file, &one)
                .map_err(|e| e.message)
                .and_then(|s| run(&s))
            {
                return Some(BuildError::at_pointer(
                    file,
                    &pointer_push("/components/schemas", name),
                    m,
                ));
            }
        }
        return Some(BuildError::at_pointer(file, "/components/schemas", msg));
    }
    let mut found = None;
    for (path, method, op) in crate::walk::operations(doc) {
        let path = path.to_owned();
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut one = doc.clone();
        let mut item = doc["paths"][&path].clone();
        if let Some(obj) = item.as_object_mut() {
            obj.retain(|k, _| k == method || !METHODS.contains(&k.as_str()));
        }
        one["paths"] = json!({ path.clone(): item });
        if let Err(m) = to_openapi(file, &one)
            .map_err(|e| e.message)
            .and_then(|s| run(&s))
        {
            found = Some(BuildError::new(
                file,
                Location::Operation {
                    method: method.to_ascii_uppercase(),
                    path,
                    operation_id: id,
                },
                m,
            ));
            break;
        }
    }
    found
}

/// Copies schema `name` and everything it references into `out`'s components.
fn copy_closure(doc: &Value, name: &str, out: &mut Value) {
    for (n, schema) in crate::walk::schema_closure(doc, name) {
        out["components"]["schemas"][n] = schema.clone();
    }
}

/// One generated client method, for the count check and the API surface file.
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

/// Lists the operations of the normalised document with the method name progenitor gives each.
pub(crate) fn operations(doc: &Value) -> Vec<MethodInfo> {
    crate::walk::operations(doc)
        .into_iter()
        .map(|(path, method, op)| {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let parameters = crate::walk::parameters(doc, path, op)
                .into_iter()
                .map(|p| {
                    let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
                    let place = p.get("in").and_then(Value::as_str).unwrap_or("?");
                    let req = if p.get("required") == Some(&json!(true)) {
                        ", required"
                    } else {
                        ""
                    };
                    format!("{name}: {place}{req}")
                })
                .collect();
            MethodInfo {
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
                rust_name: id.to_snake_case(),
                operation_id: id,
                parameters,
                has_body: op.contains_key("requestBody"),
                success_type: String::new(),
                deprecated: op.get("deprecated") == Some(&json!(true)),
            }
        })
        .collect()
}

/// Names of the methods of `impl Client` blocks, and the success type of each builder's `send()`.
pub(crate) fn inspect(
    file: &[crate::items::Item],
) -> (Vec<String>, std::collections::BTreeMap<String, String>) {
    use crate::items::{fn_names, return_type_of, split};
    let mut methods = Vec::new();
    let mut success = std::collections::BTreeMap::new();
    for item in file {
        let Some(body) = item.body().map(proc_macro2::Group::stream) else {
            continue;
        };
        if item
            .impl_target()
            .is_some_and(|(tr, ty)| tr.is_none() && ty == "Client")
        {
            methods.extend(fn_names(&body));
        } else if item.is("mod", "builder") {
            for imp in split(body) {
                let Some((None, ty)) = imp.impl_target() else {
                    continue;
                };
                let ret = imp.body().and_then(|b| return_type_of(&b.stream(), "send"));
                if let Some(ret) = ret {
                    success.insert(ty, success_of(&ret));
                }
            }
        }
    }
    (methods, success)
}

/// `Result < ResponseValue < types :: X > , Error < … > >` → `types::X`.
fn success_of(ret: &str) -> String {
    let compact: String = ret.split_whitespace().collect();
    compact
        .strip_prefix("Result<ResponseValue<")
        .and_then(|rest| {
            let mut depth = 0usize;
            for (i, c) in rest.char_indices() {
                match c {
                    '<' => depth += 1,
                    '>' if depth == 0 => return Some(rest[..i].to_owned()),
                    '>' => depth -= 1,
                    _ => {}
                }
            }
            None
        })
        .unwrap_or(compact)
}

/// The operation methods of the generated client, read from the code alone: every `fn` of an inherent
/// `impl Client` block whose first parameter is `&self` (progenitor's constructors `new` and
/// `new_with_client` take none; trait impls such as `ClientInfo` are not inherent). Independent of the
/// document's operation list, so that the count check below compares two sources.
pub(crate) fn operation_methods(file: &[crate::items::Item]) -> Vec<String> {
    use proc_macro2::{Delimiter, TokenTree};
    let mut names = Vec::new();
    for item in file {
        if !item
            .impl_target()
            .is_some_and(|(tr, ty)| tr.is_none() && ty == "Client")
        {
            continue;
        }
        let Some(body) = item.body() else { continue };
        let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
        for w in tokens.windows(3) {
            let (TokenTree::Ident(f), TokenTree::Ident(name), TokenTree::Group(params)) =
                (&w[0], &w[1], &w[2])
            else {
                continue;
            };
            if f != "fn" || params.delimiter() != Delimiter::Parenthesis {
                continue;
            }
            let head: Vec<String> = params
                .stream()
                .into_iter()
                .take(2)
                .map(|t| t.to_string())
                .collect();
            if head == ["&", "self"] {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// Compares the operations of the document with the methods found in the generated code (`what` names where:
/// `client` for `impl Client`, `MockServerExt` for the mocks): an operation without its method, a method no
/// operation asked for, or a duplicate is an error naming them. Returns the number of methods found.
pub(crate) fn check_methods(
    file: &str,
    what: &str,
    operations: &[MethodInfo],
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
    use quote::quote;

    use super::{MethodInfo, check_methods, operation_methods};
    use crate::items::split;

    fn op(name: &str) -> MethodInfo {
        MethodInfo {
            method: "GET".into(),
            path: format!("/{name}"),
            operation_id: name.into(),
            rust_name: name.into(),
            parameters: Vec::new(),
            has_body: false,
            success_type: String::new(),
            deprecated: false,
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn operation_methods_are_read_from_the_code_only() {
        let file = split(quote! {
            pub struct Client { baseurl: String }
            impl Client {
                pub fn new(baseurl: &str) -> Self { todo() }
                pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self { todo() }
            }
            impl ClientInfo<()> for Client {
                fn baseurl(&self) -> &str { &self.baseurl }
            }
            impl Client {
                pub fn get_business(&self) -> builder::GetBusiness<'_> { builder::GetBusiness::new(self) }
                pub fn search_businesses(&self) -> builder::SearchBusinesses<'_> { todo() }
            }
            impl Other {
                pub fn not_a_client_method(&self) {}
            }
        });
        assert_eq!(
            operation_methods(&file),
            names(&["get_business", "search_businesses"])
        );
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
