//! The `partoo` command line, generated from the same normalised document and builders as the client.
//!
//! For every operation this module emits a clap subcommand named like the client's method in kebab case
//! (`search_businesses` → `search-businesses`), one flag per parameter (kebab case of the parameter's name, the
//! spec's description as help, required when the spec says so, repeatable and comma-separated when the builder's
//! setter takes a `Vec`), `--body FILE|-` for a request body (JSON decoded into the setter's type, or the file's
//! bytes as they are when the setter takes progenitor's raw `reqwest::Body`, as for `application/octet-stream`),
//! and `--all`/`--max-items` on paginated operations. Errors about an operation are located at it (method,
//! path, operationId).
//! Beside the commands it emits `dispatch`, which calls the typed builder: each flag value is converted to the
//! setter's type `T` read off the generated builder (`V: TryInto<T>`), so the compiler checks every call.
//!
//! With `--all`, a page-numbered operation starts at `--page` when it is given (read as the `page` setter's
//! type), as a cursor operation starts at `--cursor`.
//!
//! The emitted code expects, at `{runtime}::cli`, the hand-written runtime: `flag::<T>`, `flags::<T>`,
//! `body::<T>`, `raw_body`, `text_body`, `first_page::<T>`, `once`, `bytes`, `items`, `wants_all`, `Out` and `Failure`, plus
//! `{runtime}::{Client, Paginate, PaginateCursor}` and the `clap` crate.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToKebabCase, ToSnakeCase};
use proc_macro2::{Ident, Span};
use quote::quote;
use serde_json::Value;
use syn::visit_mut::VisitMut;

use crate::error::{BuildError, Location};
use crate::support::generic_args;
use crate::{Generated, Options};

/// Flags every paginated or body-taking subcommand may have, and the runtime's global flags (`global_args` in
/// partoo-api's `cli/config.rs`, which every subcommand inherits: clap panics on two arguments of one name); a
/// parameter with one of these names is refused. A test of partoo-api checks that every global flag is here.
pub const RESERVED_FLAGS: [&str; 11] = [
    "body",
    "all",
    "max-items",
    "help",
    "verbose",
    "api-key",
    "environment",
    "base-url",
    "rate-limit",
    "max-pages",
    "max-body",
];

/// Subcommands of the hand-written runtime, and clap's own `help`; an operation named like one is refused
/// (clap panics on two subcommands of one name).
const HAND_WRITTEN: [&str; 3] = ["webhooks", "completions", "help"];

/// Generates the command-line glue for `generated` (a successful run on the spec `name` with `options`).
///
/// Returns Rust source, unformatted: `fn commands() -> Vec<clap::Command>` and `async fn dispatch(..)`.
pub fn cli(name: &str, generated: &Generated, options: &Options) -> Result<String, BuildError> {
    let fail = |message: String| BuildError::new(name, Location::Input, message);
    let runtime = options.runtime_path(name)?;
    let doc = &generated.normalised;
    let paged: BTreeSet<&str> = generated
        .pagination
        .paged
        .iter()
        .map(|(op, _)| op.as_str())
        .collect();
    let cursor: BTreeSet<&str> = generated
        .pagination
        .cursor
        .iter()
        .map(|(op, _)| op.as_str())
        .collect();
    let mut commands = Vec::new();
    let mut arms = Vec::new();
    // The records were built from the same walk of the same document: the two lists pair up in order.
    let documented = crate::walk::operations(doc);
    if documented.len() != generated.operations.len() {
        return Err(fail(format!(
            "{} operations in the document, {} records",
            documented.len(),
            generated.operations.len()
        )));
    }
    for ((path, method, op), info) in documented.into_iter().zip(&generated.operations) {
        // Errors about this operation name it by method, path and operationId, as the document has them.
        let fail = |message: String| {
            BuildError::new(
                name,
                Location::Operation {
                    method: method.to_ascii_uppercase(),
                    path: path.to_owned(),
                    operation_id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                },
                message,
            )
        };
        if info.path != path || !info.method.eq_ignore_ascii_case(method) {
            return Err(fail(format!(
                "the operation records are not in document order (record: {} {})",
                info.method, info.path
            )));
        }
        let rust_name = info.rust_name.as_str();
        let builder = info.builder.as_str();
        let command = rust_name.to_kebab_case();
        if HAND_WRITTEN.contains(&command.as_str()) {
            return Err(fail(format!(
                "subcommand `{command}` would hide the command line's own `{command}`"
            )));
        }
        let mut args = Vec::new();
        let mut sets = Vec::new();
        let params = crate::walk::parameters(doc, path, op);
        if params.len() != info.parameters.len() {
            return Err(fail(format!(
                "{} parameters in the document, {} in its record",
                params.len(),
                info.parameters.len()
            )));
        }
        // Flag → parameter: two parameters of one flag (`don't` and `don_t` are both `--don-t`) would make
        // clap panic when the command line starts.
        let mut flags: BTreeMap<String, &str> = BTreeMap::new();
        for (param, record) in params.into_iter().zip(&info.parameters) {
            let pname = record.name.as_str();
            let flag = pname.to_kebab_case();
            if RESERVED_FLAGS.contains(&flag.as_str()) {
                return Err(fail(format!(
                    "parameter `{pname}` would be flag `--{flag}`, which the command line reserves"
                )));
            }
            if let Some(first) = flags.insert(flag.clone(), pname) {
                return Err(fail(format!(
                    "parameters `{first}` and `{pname}` would both be flag `--{flag}`"
                )));
            }
            let (Some(setter), Some(ty)) = (&record.setter, &record.setter_type) else {
                return Err(fail(format!(
                    "parameter `{pname}` has no setter on `{builder}`"
                )));
            };
            let ty = parse_type(ty).map_err(|e| fail(format!("`{pname}`: {e}")))?;
            let required = param.get("required") == Some(&Value::Bool(true));
            let help = describe(doc, param);
            let value_name = pname.to_snake_case().to_uppercase();
            let setter = Ident::new(setter, Span::call_site());
            let many = generic_args(&ty, "Vec").and_then(|a| a.into_iter().next());
            let action = if many.is_some() {
                quote! { .action(::clap::ArgAction::Append).value_delimiter(',') }
            } else {
                quote! { .action(::clap::ArgAction::Set) }
            };
            // A path parameter is one segment: `""`, `.` or `..` would change the request's path instead.
            // Another whose schema lists its values (each, for a list) takes only those: the enums of the
            // client accept any string (`Unknown`), which would send a typo as it is.
            let segment = if record.location == "path" {
                Some(quote! { .value_parser(#runtime::cli::path_segment) })
            } else {
                enum_values(doc, param).map(|values| {
                    quote! { .value_parser(::clap::builder::PossibleValuesParser::new([#(#values),*])) }
                })
            };
            // `.allow_negative_numbers`: in `--page -1`, `-1` is the flag's value, not an unknown short flag.
            args.push(quote! {
                .arg(::clap::Arg::new(#flag).long(#flag).value_name(#value_name).help(#help)
                    .required(#required).allow_negative_numbers(true) #action #segment)
            });
            let convert = match many {
                Some(inner) => {
                    let inner = rooted(inner, &runtime);
                    quote! { #runtime::cli::flags::<#inner>(m, #flag)? }
                }
                None => {
                    let ty = rooted(ty, &runtime);
                    quote! { #runtime::cli::flag::<#ty>(m, #flag)? }
                }
            };
            sets.push(quote! {
                let b = match #convert { Some(v) => b.#setter(v), None => b };
            });
        }
        if info.has_body {
            let required = op
                .get("requestBody")
                .map(|rb| crate::walk::deref(doc, rb))
                .and_then(|rb| rb.get("required"))
                == Some(&Value::Bool(true));
            let ty = info
                .body_type
                .as_deref()
                .ok_or_else(|| fail("request body but no `body` setter".to_owned()))
                .and_then(|ty| parse_type(ty).map_err(|e| fail(format!("body: {e}"))))?;
            // `body<B: TryInto<reqwest::Body>>` (`application/octet-stream`): no JSON to decode, the file's bytes
            // go as they are (`Vec<u8>: Into<reqwest::Body>`). A `String` body of a `text/*` media type is the
            // file's text. Any other body is JSON, decoded and checked.
            let (help, read) = if is_raw_bytes(&ty) {
                (
                    "The request body as raw bytes, from a file or `-` for standard input; sent as it is, not \
                     read as JSON",
                    quote! { #runtime::cli::raw_body(m)? },
                )
            } else if is_text_media(doc, op) && is_string(&ty) {
                (
                    "The request body as text (UTF-8), from a file or `-` for standard input; sent as it is, \
                     not read as JSON",
                    quote! { #runtime::cli::text_body(m)? },
                )
            } else {
                let ty = rooted(ty, &runtime);
                (
                    "The request body as JSON, from a file or `-` for standard input; checked against the \
                     request type before anything is sent",
                    quote! { #runtime::cli::body::<#ty>(m)? },
                )
            };
            args.push(quote! {
                .arg(::clap::Arg::new("body").long("body").value_name("FILE|-").help(#help)
                    .required(#required).action(::clap::ArgAction::Set))
            });
            sets.push(quote! {
                let b = match #read { Some(v) => b.body(v), None => b };
            });
        }
        let pages = paged.contains(rust_name) || cursor.contains(rust_name);
        if pages {
            args.push(quote! {
                .arg(::clap::Arg::new("all").long("all")
                    .help("Follow every page and print one item a line (JSON lines), as they arrive")
                    .action(::clap::ArgAction::SetTrue))
                .arg(::clap::Arg::new("max-items").long("max-items").value_name("N")
                    .help("With --all: stop after N items")
                    .requires("all")
                    .value_parser(::clap::value_parser!(u64)))
            });
        }
        let about = about(op, info.deprecated);
        let long = op
            .get("description")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| quote! { .long_about(#d) });
        commands.push(quote! {
            ::clap::Command::new(#command).about(#about) #long #(#args)*
        });
        let method_ident = Ident::new(rust_name, Span::call_site());
        let verb = info.method.as_str();
        let call = if paged.contains(rust_name) {
            // `--all --page N` starts the stream at page N: `with_page(first)` would overwrite the flag.
            let page = info
                .query("page")
                .and_then(|p| Some((p.name.to_kebab_case(), p.setter_type.as_deref()?)))
                .ok_or_else(|| fail("paginated, but no `page` setter".to_owned()))?;
            let (page_flag, page_ty) = page;
            let page_ty = parse_type(page_ty)
                .map(|ty| rooted(ty, &runtime))
                .map_err(|e| fail(format!("`page`: {e}")))?;
            quote! {
                if #runtime::cli::wants_all(m) {
                    let stream = match #runtime::cli::first_page::<#page_ty>(m, #page_flag)? {
                        Some(first) => #runtime::Paginate::pages(b).start_at(first).raw_items(),
                        None => #runtime::Paginate::raw_items(b),
                    };
                    #runtime::cli::items(stream, m, out).await
                } else {
                    #runtime::cli::once(b.send(), out).await
                }
            }
        } else if cursor.contains(rust_name) {
            quote! {
                if #runtime::cli::wants_all(m) {
                    #runtime::cli::items(#runtime::PaginateCursor::cursor_raw_items(b), m, out).await
                } else {
                    #runtime::cli::once(b.send(), out).await
                }
            }
        } else if is_byte_stream(&info.success_type) {
            // A success body of another media type than JSON: progenitor's `ByteStream`, printed as it comes.
            quote! { #runtime::cli::bytes(b.send(), out).await }
        } else {
            quote! { #runtime::cli::once(b.send(), out).await }
        };
        // Each arm is its own boxed future: one small state machine per operation instead of a single one
        // with 150 variants, which compiles much faster.
        arms.push(quote! {
            #command => ::std::boxed::Box::pin(async move {
                let b = client.#method_ident();
                #(#sets)*
                out.request(#verb, #path);
                #call
            }).await,
        });
    }
    let tokens = quote! {
        /// One subcommand per operation of the spec, in the document's order.
        pub(crate) fn commands() -> ::std::vec::Vec<::clap::Command> {
            ::std::vec![ #(#commands),* ]
        }

        /// Runs the operation of subcommand `op` with the flags in `m`, printing to `out`.
        pub(crate) async fn dispatch(
            client: &#runtime::Client,
            op: &str,
            m: &::clap::ArgMatches,
            out: &mut #runtime::cli::Out,
        ) -> ::std::result::Result<(), #runtime::cli::Failure> {
            match op {
                #(#arms)*
                other => ::std::result::Result::Err(#runtime::cli::Failure::usage(
                    ::std::format!("unknown operation `{other}`"),
                )),
            }
        }
    };
    syn::parse2::<syn::File>(tokens.clone())
        .map_err(|e| fail(format!("command-line code does not parse: {e}")))?;
    Ok(tokens.to_string())
}

/// `[Tag] summary`, with `(deprecated)` in front when the spec says so.
fn about(op: &serde_json::Map<String, Value>, deprecated: bool) -> String {
    let tag = op
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_str);
    let summary = op
        .get("summary")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    let mut about = String::new();
    if deprecated {
        about.push_str("(deprecated) ");
    }
    if let Some(tag) = tag {
        about.push_str(&format!("[{tag}] "));
    }
    about.push_str(summary.lines().next().unwrap_or(""));
    about.trim_end().to_owned()
}

/// The parameter's description, else its schema's, else where it goes (`query parameter `city``).
fn describe(doc: &Value, param: &Value) -> String {
    let place = param.get("in").and_then(Value::as_str).unwrap_or("?");
    let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
    param
        .get("description")
        .or_else(|| {
            param
                .get("schema")
                .map(|s| crate::walk::deref(doc, s))
                .and_then(|s| s.get("description"))
        })
        .and_then(Value::as_str)
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| format!("{place} parameter `{name}`"))
}

/// The values a parameter's schema (or, for an array, its items' schema) lists, when they are all strings
/// a flag can carry.
fn enum_values(doc: &Value, param: &Value) -> Option<Vec<String>> {
    let schema = crate::walk::deref(doc, param.get("schema")?);
    let schema = match schema.get("items") {
        Some(items) if schema.get("type").and_then(Value::as_str) == Some("array") => {
            crate::walk::deref(doc, items)
        }
        _ => schema,
    };
    let values: Vec<String> = schema
        .get("enum")?
        .as_array()?
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<_>>()?;
    // An empty value, or one with the list delimiter, could not be typed as a flag value: no restriction.
    let usable = !values.is_empty() && values.iter().all(|v| !v.is_empty() && !v.contains(','));
    usable.then_some(values)
}

/// Makes a builder's type usable outside `mod builder`: `types::X` → `{runtime}::types::X`.
fn rooted(mut ty: syn::Type, runtime: &syn::Path) -> syn::Type {
    struct Root<'r>(&'r syn::Path);
    impl VisitMut for Root<'_> {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if path.leading_colon.is_none()
                && path.segments.len() > 1
                && path.segments.first().is_some_and(|s| s.ident == "types")
            {
                let mut rooted = self.0.clone();
                rooted.segments.extend(path.segments.iter().cloned());
                *path = rooted;
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    Root(runtime).visit_type_mut(&mut ty);
    ty
}

/// Whether a `body` setter's type is progenitor's raw body (`reqwest::Body`, for `application/octet-stream`),
/// which takes bytes rather than a value decoded from JSON.
fn is_raw_bytes(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    p.qself.is_none() && names == ["reqwest", "Body"]
}

/// Whether a success type is progenitor's `ByteStream` (a body of a media type other than JSON), which it
/// names bare; a component `ByteStream` is `types::ByteStream`.
pub(crate) fn is_byte_stream(success_type: &str) -> bool {
    success_type == "ByteStream"
}

/// Whether an operation's request body is of a `text/*` media type (the one `request_bodies` kept).
fn is_text_media(doc: &Value, op: &serde_json::Map<String, Value>) -> bool {
    op.get("requestBody")
        .map(|rb| crate::walk::deref(doc, rb))
        .and_then(|rb| rb.get("content"))
        .and_then(Value::as_object)
        .is_some_and(|content| content.keys().any(|media| media.starts_with("text/")))
}

/// Whether a setter's type is `String` (progenitor's type for a text body).
fn is_string(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_none()))
}

/// A type the operation record holds as printed tokens, back as a `syn::Type`.
fn parse_type(text: &str) -> Result<syn::Type, String> {
    syn::parse_str(text).map_err(|e| format!("type `{text}` does not parse: {e}"))
}
