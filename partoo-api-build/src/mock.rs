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
//! It also rewrites progenitor's matchers: parameter matchers expect the text the client sends
//! (`rewrite_matchers`), and each `When::new` refuses the literal paths of other operations that its template
//! would match (`/user/me` for `/user/{user_id}`, `mock/siblings.rs`).
//!
//! The emitted code expects the client's items (`types`, `builder`, …) at `{runtime}` and the `httpmock`,
//! `regex` and `serde_json` crates in scope.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::quote;

use crate::error::{BuildError, Location};
use crate::items::{self, Item};
use crate::progenitor::{guarded, locate, settings, to_openapi};
use crate::{Generated, Options};

mod ok;
mod siblings;

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
    rewrite_matchers(name, &mut operations, &runtime, generated)?;
    let mut shortcuts = Some(ok::shortcuts(&operations));
    for (at, item) in file.iter_mut().enumerate() {
        if Some(at) == operations_at {
            // The shortcuts go inside `mod operations`, where the body types' paths resolve.
            let mut body = borrow_bodies(items::join(std::mem::take(&mut operations)));
            body.extend(shortcuts.take().unwrap_or_default());
            item.set_body(body);
        } else {
            *item = Item::new(borrow_bodies(item.stream()));
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

/// Whether a query matcher's value is an array: the outermost collection its signature names is a `Vec`
/// (`Vec<HashMap<…>>`), not a map (`HashMap<String, Vec<String>>`, matched as one value).
fn is_array_matcher(f: &Item) -> bool {
    f.ident_texts()
        .find(|i| matches!(*i, "Vec" | "HashMap" | "BTreeMap"))
        == Some("Vec")
}

/// Names of the structs of progenitor's `mod operations` (`GetMyUserWhen`, `GetMyUserThen`, …).
fn wrapper_names(operations: &[Item]) -> Vec<String> {
    operations
        .iter()
        .filter(|item| item.kind() == Some("struct"))
        .filter_map(|item| item.name().map(str::to_owned))
        .collect()
}

/// progenitor's `When` matchers build the text they expect with `value.to_string()`, which is not what the
/// client sends: the client percent-encodes path values (`progenitor_client::encode_path`) and writes query
/// values with its serializer (`1.0` for the float 1, `True` for the JSON string `"True"`), and arrays have no
/// `to_string` at all. Every matcher of a path or query parameter is rewritten to call the helpers of
/// `{runtime}::mock`, which encode like the client:
///
/// - a path regex `format!(pattern, value.to_string())` gets `path_segment(&value.to_string())` (the text
///   the client puts in the path: percent-encoded, then
///   regex-escaped, so `b.42` does not match `bx42`);
/// - a scalar query matcher `self.0.query_param(name, value.to_string())` becomes
///   `query_value(self.0, name, &value)`;
/// - an array query matcher becomes `query_array(self.0, operation, name, value)` (repeated keys, or one
///   comma-separated value for the operation's `csv_query` parameters).
///
/// `When::new` also gets a `path_not` for each literal path of another operation its template matches (see
/// `mock/siblings.rs`).
///
/// A matcher of any other shape is an error naming the operation and the matcher: a progenitor upgrade that
/// changes these shapes must not leave a mock silently expecting other text than the client sends.
fn rewrite_matchers(
    file: &str,
    operations: &mut [Item],
    runtime: &syn::Path,
    generated: &Generated,
) -> Result<(), BuildError> {
    let by_wrapper: std::collections::BTreeMap<String, &crate::operation::Operation> = generated
        .operations
        .iter()
        .map(|op| (crate::operation::mock_wrapper_of(&op.rust_name, "when"), op))
        .collect();
    for wrapper in operations.iter_mut() {
        let Some((None, name)) = wrapper.impl_target() else {
            continue;
        };
        if !name.ends_with("When") {
            continue;
        }
        let name = name.to_owned();
        let Some(&op) = by_wrapper.get(&name) else {
            return Err(BuildError::new(
                file,
                Location::Input,
                format!(
                    "mock wrapper `{name}` matches no operation of the document (a bug: progenitor named \
                     it otherwise than `operation::mock_wrapper_of` does; report it with the spec)"
                ),
            ));
        };
        let Some(body) = wrapper.body().map(proc_macro2::Group::stream) else {
            continue;
        };
        let mut fns = items::split(body);
        for f in &mut fns {
            let Some(body) = f.body().map(proc_macro2::Group::stream) else {
                continue;
            };
            let matcher = format!("{name}::{}", f.name().unwrap_or("?"));
            let fail = |expected: &str| {
                BuildError::new(
                    file,
                    op.location(),
                    format!("mock matcher `{matcher}`: expected {expected}, found `{body}`"),
                )
                .with_hint(
                    "progenitor's mock code changed shape; adapt `rewrite_matchers` in \
                     partoo-api-build/src/mock.rs so the matcher expects what the client sends",
                )
            };
            let idents = idents_of(&body);
            let new_body = if idents.contains("path_matches") && idents.contains("value") {
                let segment = quote! { #runtime::mock::path_segment(&value.to_string()) };
                replace_once(&body, &|tokens| {
                    let [
                        TokenTree::Ident(m),
                        TokenTree::Punct(bang),
                        TokenTree::Group(args),
                        ..,
                    ] = tokens
                    else {
                        return None;
                    };
                    let pattern = (m == "format" && bang.as_char() == '!')
                        .then(|| literal_and_value(args))
                        .flatten()?;
                    Some((3, quote! { format!(#pattern, #segment) }))
                })
                .ok_or_else(|| fail("one path regex `format!(pattern, value.to_string())`"))?
            } else if idents.contains("query_param") && is_array_matcher(f) {
                let api_name = first_string(&body)
                    .ok_or_else(|| fail("the array parameter's name as a string literal"))?;
                let operation = &op.rust_name;
                let matcher =
                    quote! { #runtime::mock::query_array(self.0, #operation, #api_name, value) };
                if idents.contains("query_param_missing") {
                    quote! {
                        if let Some(value) = value.into() { Self(#matcher) }
                        else { Self(self.0.query_param_missing(#api_name)) }
                    }
                } else {
                    quote! { Self(#matcher) }
                }
            } else if idents.contains("query_param") {
                replace_once(&body, &|tokens| {
                    let [
                        TokenTree::Ident(this),
                        TokenTree::Punct(dot),
                        TokenTree::Literal(field),
                        TokenTree::Punct(dot2),
                        TokenTree::Ident(method),
                        TokenTree::Group(args),
                        ..,
                    ] = tokens
                    else {
                        return None;
                    };
                    let shape = this == "self"
                        && dot.as_char() == '.'
                        && field.to_string() == "0"
                        && dot2.as_char() == '.'
                        && method == "query_param";
                    let api_name = shape.then(|| literal_and_value(args)).flatten()?;
                    Some((
                        6,
                        quote! { #runtime::mock::query_value(self.0, #api_name, &value) },
                    ))
                })
                .ok_or_else(|| fail("one `self.0.query_param(name, value.to_string())`"))?
            } else {
                continue;
            };
            // The client's text, not `to_string`'s, everywhere in a query matcher.
            let left = idents_of(&new_body);
            if idents.contains("query_param")
                && (left.contains("to_string") || left.contains("query_param"))
            {
                return Err(fail("no other `to_string` or `query_param` in the matcher"));
            }
            f.set_body(new_body);
        }
        siblings::exclude(file, &mut fns, op, &generated.operations)?;
        wrapper.set_body(items::join(fns));
    }
    Ok(())
}

/// Tries a rewrite at the start of a token slice: how many tokens it replaces, and with what.
type Rewrite<'a> = &'a dyn Fn(&[TokenTree]) -> Option<(usize, TokenStream)>;

/// `stream` with the one place where `at` matches (returning how many tokens it replaces, and with what)
/// replaced, nested groups included; `None` unless `at` matches exactly once.
fn replace_once(stream: &TokenStream, at: Rewrite<'_>) -> Option<TokenStream> {
    fn walk(stream: TokenStream, at: Rewrite<'_>, count: &mut usize) -> TokenStream {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut out = TokenStream::new();
        let mut i = 0;
        while i < tokens.len() {
            if let Some((taken, replacement)) = at(&tokens[i..]) {
                *count += 1;
                out.extend(replacement);
                i += taken.max(1);
                continue;
            }
            match &tokens[i] {
                TokenTree::Group(g) => {
                    let mut group =
                        proc_macro2::Group::new(g.delimiter(), walk(g.stream(), at, count));
                    group.set_span(g.span());
                    out.extend([TokenTree::Group(group)]);
                }
                other => out.extend([other.clone()]),
            }
            i += 1;
        }
        out
    }
    let mut count = 0;
    let out = walk(stream.clone(), at, &mut count);
    (count == 1).then_some(out)
}

/// The string literal of arguments `"literal", value.to_string()` (trailing comma or not).
fn literal_and_value(args: &proc_macro2::Group) -> Option<proc_macro2::Literal> {
    if args.delimiter() != proc_macro2::Delimiter::Parenthesis {
        return None;
    }
    let mut tokens: Vec<TokenTree> = args.stream().into_iter().collect();
    if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
        tokens.pop();
    }
    let [
        TokenTree::Literal(lit),
        TokenTree::Punct(comma),
        TokenTree::Ident(value),
        TokenTree::Punct(dot),
        TokenTree::Ident(call),
        TokenTree::Group(empty),
    ] = tokens.as_slice()
    else {
        return None;
    };
    let plain = lit.to_string().starts_with('"')
        && comma.as_char() == ','
        && value == "value"
        && dot.as_char() == '.'
        && call == "to_string"
        && empty.delimiter() == proc_macro2::Delimiter::Parenthesis
        && empty.stream().is_empty();
    plain.then(|| lit.clone())
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
        let camel = crate::operation::builder_of(rust_name);
        let when = crate::operation::mock_wrapper_of(rust_name, "when");
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

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /org/{org_id}:
    get:
      operationId: getOrganization
      parameters:
        - {name: org_id, in: path, required: true, schema: {type: integer}}
        - {name: q, in: query, schema: {type: string}}
      responses:
        '200': {description: OK}
"#;

    /// `wrapper` (a `When` impl) after [`rewrite_matchers`], compacted.
    fn rewrite(wrapper: TokenStream) -> Result<String, BuildError> {
        let options = Options::default();
        let generated = crate::generate_bytes("spec.yaml", SPEC.as_bytes(), &options)
            .expect("the client generates");
        let mut items = items::split(wrapper);
        let runtime: syn::Path = syn::parse_quote!(crate);
        rewrite_matchers("spec.yaml", &mut items, &runtime, &generated)?;
        Ok(items::join(items).to_string().split_whitespace().collect())
    }

    fn located(err: &BuildError) {
        assert_eq!(
            err.location,
            Location::Operation {
                method: "GET".to_owned(),
                path: "/org/{org_id}".to_owned(),
                operation_id: Some("getOrganization".to_owned()),
            },
            "{err}"
        );
    }

    #[test]
    fn path_and_scalar_query_matchers_expect_what_the_client_sends() {
        let code = rewrite(quote! {
            impl GetOrganizationWhen {
                pub fn org_id(self, value: i64) -> Self {
                    let re = regex::Regex::new(&format!("^/org/{}$", value.to_string())).unwrap();
                    Self(self.0.path_matches(re))
                }
                pub fn q<'a, T>(self, value: T) -> Self where T: Into<Option<&'a str>> {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("q", value.to_string(),))
                    } else {
                        Self(self.0.query_param_missing("q"))
                    }
                }
            }
        })
        .expect("rewritten");
        assert!(
            code.contains("format!(\"^/org/{}$\",crate::mock::path_segment(&value.to_string()))"),
            "{code}"
        );
        assert!(
            code.contains("Self(crate::mock::query_value(self.0,\"q\",&value))"),
            "{code}"
        );
        assert!(code.contains("query_param_missing(\"q\")"), "{code}");
    }

    #[test]
    fn a_query_matcher_of_another_shape_is_a_located_error() {
        let err = rewrite(quote! {
            impl GetOrganizationWhen {
                pub fn q(self, value: &str) -> Self {
                    Self(self.0.query_param("q", value.to_owned()))
                }
            }
        })
        .expect_err("not the expected shape");
        located(&err);
        assert!(err.message.contains("`GetOrganizationWhen::q`"), "{err}");
        assert!(
            err.message.contains("query_param(name, value.to_string())"),
            "{err}"
        );
    }

    #[test]
    fn a_path_matcher_of_another_shape_is_a_located_error() {
        let err = rewrite(quote! {
            impl GetOrganizationWhen {
                pub fn org_id(self, value: i64) -> Self {
                    let re = regex::Regex::new(&format!("^/org/{}$", value)).unwrap();
                    Self(self.0.path_matches(re))
                }
            }
        })
        .expect_err("not the expected shape");
        located(&err);
        assert!(
            err.message.contains("`GetOrganizationWhen::org_id`"),
            "{err}"
        );
    }

    #[test]
    fn a_second_to_string_left_in_a_query_matcher_is_an_error() {
        let err = rewrite(quote! {
            impl GetOrganizationWhen {
                pub fn q(self, value: &str) -> Self {
                    Self(self.0.query_param("q", value.to_string()).header("x", value.to_string()))
                }
            }
        })
        .expect_err("a `to_string` is left");
        located(&err);
    }

    #[test]
    fn a_wrapper_of_no_operation_is_an_error() {
        let err = rewrite(quote! { impl NoSuchWhen { pub fn q(self) -> Self { self } } })
            .expect_err("no such operation");
        assert_eq!(err.location, Location::Input);
    }
}
