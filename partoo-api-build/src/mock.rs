//! Typed `httpmock` mocks of the API, generated from the same normalised document as the client.
//!
//! progenitor's `Generator::httpmock` gives a `MockServerExt` trait (one method per operation, named like the
//! client's methods) and, in `mod operations`, a `When`/`Then` wrapper per operation with typed parameter
//! matchers and typed response bodies. Beside it this module emits the glue the hand-written helpers of
//! `{runtime}::mock` need:
//!
//! - `impl {runtime}::mock::WhenExt` / `ThenExt` for every wrapper (the API-key matcher, Partoo error bodies);
//! - `impl {runtime}::mock::PagedOperation` for the `When` of every page-numbered operation, whose page and
//!   item types are the ones of the operation's `PageRequest` impl, so a list of items can be served as pages.
//!
//! The emitted code expects the client's items (`types`, `builder`, …) at `{runtime}` and the `httpmock`,
//! `regex` and `serde_json` crates in scope.

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::error::{BuildError, Location};
use crate::items::{self, Item};
use crate::progenitor::{guarded, locate, settings, to_openapi};
use crate::{Generated, Options};

/// Generates the mock extension for `generated` (a successful run on the spec `name` with `options`).
///
/// Returns Rust source, unformatted. A progenitor failure is narrowed to the schema or operation that causes
/// it, like the client's.
pub fn httpmock(
    name: &str,
    generated: &Generated,
    options: &Options,
) -> Result<String, BuildError> {
    let runtime = options.runtime_path(name)?;
    let doc = &generated.normalised;
    let spec = to_openapi(name, doc)?;
    let crate_path = options.runtime.as_str();
    let run = |spec: &openapiv3::OpenAPI| {
        let settings = settings(options);
        guarded(|| ::progenitor::Generator::new(&settings).httpmock(spec, crate_path))
    };
    let tokens = match run(&spec) {
        Ok(tokens) => tokens,
        Err(whole) => {
            let error = locate(name, doc, &|s| run(s).map(drop)).unwrap_or_else(|| {
                BuildError::new(name, Location::Input, whole).with_hint(
                    "no single schema or operation reproduces it alone; report it with the spec attached",
                )
            });
            return Err(BuildError {
                message: format!("mock generation: {}", error.message),
                ..error
            });
        }
    };
    // Split once: the top-level items, and the wrappers of `mod operations`.
    let mut file = items::split(tokens);
    check_methods(name, &file, generated)?;
    let operations_at = file.iter().position(|item| item.is("mod", "operations"));
    let mut operations = operations_at
        .and_then(|at| file[at].body())
        .map(|body| items::split(body.stream()))
        .unwrap_or_default();
    let wrappers = wrapper_names(&operations);
    match_arrays(&mut operations, &runtime, generated);
    let mut shortcuts = Some(ok_shortcuts(&operations));
    let rewrite = |tokens: TokenStream| escape_path_values(borrow_bodies(tokens));
    for (at, item) in file.iter_mut().enumerate() {
        if Some(at) == operations_at {
            // The shortcuts go inside `mod operations`, where the body types' paths resolve.
            let mut body = rewrite(items::join(std::mem::take(&mut operations)));
            body.extend(shortcuts.take().unwrap_or_default());
            item.set_body(body);
        } else {
            *item = Item::new(rewrite(item.stream()));
        }
    }
    let code = items::join(file);
    let glue = glue(&runtime, &wrappers, generated);
    // The glue is ours and small: parse it so that a mistake in it is reported here, not by rustc.
    syn::parse2::<syn::File>(glue.clone()).map_err(|e| {
        BuildError::new(
            name,
            Location::Input,
            format!("mock glue code does not parse: {e}"),
        )
    })?;
    let mut code = code;
    code.extend(glue);
    Ok(code.to_string())
}

/// Every operation must have its `MockServerExt` method, named like the client's (the same check as the
/// client's methods: none missing, none extra, no duplicate).
fn check_methods(name: &str, file: &[Item], generated: &Generated) -> Result<(), BuildError> {
    let found: Vec<String> = file
        .iter()
        .filter(|item| item.is("trait", "MockServerExt"))
        .filter_map(Item::body)
        .flat_map(|body| items::fn_names(&body.stream()))
        .collect();
    crate::operation::check_methods(name, "MockServerExt", &generated.operations, &found).map(drop)
}

/// Success responses are `2XX` ranges after normalisation, so progenitor's `Then` has
/// `success(status, &body)` and no `ok(&body)`: every such wrapper gets `ok(body)`, a 200 with the same type.
fn ok_shortcuts(operations: &[Item]) -> TokenStream {
    let mut out = TokenStream::new();
    for wrapper in operations {
        let Some((None, name)) = wrapper.impl_target() else {
            continue;
        };
        if !name.ends_with("Then") {
            continue;
        }
        let Some(body) = wrapper.body().map(proc_macro2::Group::stream) else {
            continue;
        };
        let fns = items::split(body);
        if fns.iter().any(|f| f.is("fn", "ok")) {
            continue;
        }
        let Some(success) = fns.iter().find(|f| f.is("fn", "success")) else {
            continue;
        };
        let Ok(success) = syn::parse2::<syn::ImplItemFn>(success.stream()) else {
            continue;
        };
        let ty = Ident::new(name, Span::call_site());
        let inputs: Vec<&syn::FnArg> = success.sig.inputs.iter().collect();
        let shortcut = match inputs.as_slice() {
            [_, _] => quote! {
                /// A `200 OK` (shortcut for `success(200)`).
                pub fn ok(self) -> Self { self.success(200) }
            },
            [_, _, syn::FnArg::Typed(value)] => {
                let value_ty = &value.ty;
                quote! {
                    /// A `200 OK` with this body (shortcut for `success(200, value)`).
                    pub fn ok(self, value: #value_ty) -> Self { self.success(200, value) }
                }
            }
            _ => continue,
        };
        out.extend(quote! { impl #ty { #shortcut } });
    }
    out
}

/// Names of the structs of progenitor's `mod operations` (`GetMyUserWhen`, `GetMyUserThen`, …).
fn wrapper_names(operations: &[Item]) -> Vec<String> {
    operations
        .iter()
        .filter(|item| item.kind() == Some("struct"))
        .filter_map(|item| item.name().map(str::to_owned))
        .collect()
}

/// progenitor matches a query parameter with `value.to_string()`, which arrays lack: Partoo's array filters get
/// `{runtime}::mock::query_array`, which matches the encoding the client sends (repeated keys, or one
/// comma-separated value for the operation's `csv_query` parameters).
fn match_arrays(operations: &mut [Item], runtime: &syn::Path, generated: &Generated) {
    let by_builder: std::collections::BTreeMap<&str, &str> = generated
        .operations
        .iter()
        .map(|op| (op.builder.as_str(), op.rust_name.as_str()))
        .collect();
    for wrapper in operations.iter_mut() {
        let Some((None, name)) = wrapper.impl_target() else {
            continue;
        };
        let Some(&operation) = name
            .strip_suffix("When")
            .and_then(|camel| by_builder.get(camel))
        else {
            continue;
        };
        let Some(body) = wrapper.body().map(proc_macro2::Group::stream) else {
            continue;
        };
        let mut fns = items::split(body);
        let mut changed = false;
        for f in &mut fns {
            let Some(body) = f.body().map(proc_macro2::Group::stream) else {
                continue;
            };
            let body_idents = idents_of(&body);
            if !f.idents().contains("Vec") || !body_idents.contains("query_param") {
                continue;
            }
            let Some(api_name) = first_string(&body) else {
                continue;
            };
            let matcher =
                quote! { #runtime::mock::query_array(self.0, #operation, #api_name, value) };
            let new_body = if body_idents.contains("query_param_missing") {
                quote! {
                    if let Some(value) = value.into() { Self(#matcher) }
                    else { Self(self.0.query_param_missing(#api_name)) }
                }
            } else {
                quote! { Self(#matcher) }
            };
            f.set_body(new_body);
            changed = true;
        }
        if changed {
            wrapper.set_body(items::join(fns));
        }
    }
}

/// typify passes the types it believes `Copy` (string enums, before we opened them) by value, and progenitor
/// hands that value to httpmock's `json_body_obj(&T)`: every `json_body_obj(value)` becomes
/// `json_body_obj(&value)`, which also serializes when `value` is already a reference.
fn borrow_bodies(stream: TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    let mut out = Vec::new();
    let mut after_call = false;
    for tt in stream {
        let tt = match tt {
            TokenTree::Group(g) => {
                let plain_value =
                    g.delimiter() == Delimiter::Parenthesis && g.stream().to_string() == "value";
                let inner = if after_call && plain_value {
                    quote! { &value }
                } else {
                    borrow_bodies(g.stream())
                };
                let mut group = Group::new(g.delimiter(), inner);
                group.set_span(g.span());
                TokenTree::Group(group)
            }
            other => other,
        };
        after_call = matches!(&tt, TokenTree::Ident(i) if i == "json_body_obj");
        out.push(tt);
    }
    out.into_iter().collect()
}

/// progenitor matches a path parameter with a regular expression built as `format!(pattern, value.to_string())`,
/// the value unescaped: `b.42` would also match `bx42`, and `a(b` would not compile as a pattern. The value is
/// escaped (`regex::escape`) in every `format!` whose arguments end that way (the only ones of the mock code).
fn escape_path_values(stream: TokenStream) -> TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    for (at, tt) in tokens.iter().enumerate() {
        let TokenTree::Group(g) = tt else {
            out.push(tt.clone());
            continue;
        };
        let is_format = at >= 2
            && g.delimiter() == Delimiter::Parenthesis
            && matches!(&tokens[at - 1], TokenTree::Punct(p) if p.as_char() == '!')
            && matches!(&tokens[at - 2], TokenTree::Ident(i) if i == "format");
        let inner = match is_format.then(|| escaped_value(g.stream())).flatten() {
            Some(args) => args,
            None => escape_path_values(g.stream()),
        };
        let mut group = Group::new(g.delimiter(), inner);
        group.set_span(g.span());
        out.push(TokenTree::Group(group));
    }
    out.into_iter().collect()
}

/// `pattern, value.to_string()` (trailing comma or not) → `pattern, regex::escape(&value.to_string())`.
fn escaped_value(args: TokenStream) -> Option<TokenStream> {
    use proc_macro2::TokenTree;
    let mut tokens: Vec<TokenTree> = args.into_iter().collect();
    if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
        tokens.pop();
    }
    let at = tokens.len().checked_sub(4)?;
    let call = &tokens[at..];
    let plain = matches!(&call[0], TokenTree::Ident(i) if i == "value")
        && matches!(&call[1], TokenTree::Punct(p) if p.as_char() == '.')
        && matches!(&call[2], TokenTree::Ident(i) if i == "to_string")
        && matches!(&call[3], TokenTree::Group(g) if g.stream().is_empty());
    if !plain {
        return None;
    }
    let mut out: TokenStream = tokens[..at].iter().cloned().collect();
    out.extend(quote! { regex::escape(&value.to_string()) });
    Some(out)
}

/// Every identifier of a token stream, nested groups included.
fn idents_of(stream: &TokenStream) -> std::collections::BTreeSet<String> {
    items::Item::new(stream.clone()).idents()
}

/// The first string literal of a token stream, nested groups included, without its quotes.
fn first_string(stream: &TokenStream) -> Option<String> {
    stream.clone().into_iter().find_map(|tt| match tt {
        proc_macro2::TokenTree::Literal(lit) => {
            let text = lit.to_string();
            text.strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .map(str::to_owned)
        }
        proc_macro2::TokenTree::Group(g) => first_string(&g.stream()),
        _ => None,
    })
}

/// The trait impls tying progenitor's wrappers to the hand-written helpers.
fn glue(runtime: &syn::Path, wrappers: &[String], generated: &Generated) -> TokenStream {
    let mut out = TokenStream::new();
    for name in wrappers {
        let (trait_name, inner) = if name.ends_with("When") {
            ("WhenExt", "When")
        } else if name.ends_with("Then") {
            ("ThenExt", "Then")
        } else {
            continue;
        };
        let ty = Ident::new(name, Span::call_site());
        let trait_ident = Ident::new(trait_name, Span::call_site());
        let inner = Ident::new(inner, Span::call_site());
        out.extend(quote! {
            impl #runtime::mock::#trait_ident for operations::#ty {
                fn from_httpmock(inner: ::httpmock::#inner) -> Self { Self::new(inner) }
                fn into_httpmock(self) -> ::httpmock::#inner { self.into_inner() }
            }
        });
    }
    for (rust_name, items_key) in &generated.pagination.paged {
        let camel = rust_name.to_upper_camel_case();
        let when = format!("{camel}When");
        if !wrappers.contains(&when) {
            continue;
        }
        let when = Ident::new(&when, Span::call_site());
        let builder = Ident::new(&camel, Span::call_site());
        let request = quote! {
            <#runtime::builder::#builder<'static> as #runtime::pagination::PageRequest<'static>>
        };
        out.extend(quote! {
            impl #runtime::mock::PagedOperation for operations::#when {
                type Page = #request::Page;
                type Item = #request::Item;
                const ITEMS_KEY: &'static str = #items_key;
                const FIRST_PAGE: i64 = #request::FIRST_PAGE;
            }
        });
    }
    out
}
