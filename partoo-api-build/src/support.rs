//! Stage 5: facts for the hand-written layer, emitted beside progenitor's code.
//!
//! - `pub mod operations`: one `Meta` per operation (progenitor's snake_case id, method, path template, and
//!   the query parameters Partoo wants comma-separated, i.e. arrays declared `style: form, explode: false`),
//!   used for tracing spans, retry decisions and query encoding.
//! - For every operation with Partoo's page envelope (query `page`; response with `page`, `max_page` and one
//!   array of items), an `impl {runtime}::pagination::PageRequest` for its builder; for every operation with
//!   a cursor (query `cursor`; response `next_cursor` and one array), an `impl …::CursorRequest`.

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote};
use serde_json::Value;

use crate::MethodInfo;
use crate::walk::{deref, resolve};

/// What the pagination detection found, for the report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pagination {
    /// `rust_name → items key` for page-numbered operations.
    pub paged: Vec<(String, String)>,
    /// `rust_name → items key` for cursor operations.
    pub cursor: Vec<(String, String)>,
}

struct OpFacts {
    csv_query: Vec<String>,
    query: Vec<String>,
    /// Names of the success schema's properties that are arrays, and whether it has page/max_page/next_cursor.
    arrays: Vec<String>,
    props: Vec<String>,
}

fn op_facts(doc: &Value) -> Vec<(String, String, OpFacts)> {
    let mut out = Vec::new();
    for (path, method, op) in crate::walk::operations(doc) {
        let mut csv_query = Vec::new();
        let mut query = Vec::new();
        for p in crate::walk::parameters(doc, path, op) {
            if p.get("in").and_then(Value::as_str) != Some("query") {
                continue;
            }
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                continue;
            };
            query.push(name.to_owned());
            let schema = p.get("schema").map(|s| deref(doc, s));
            let is_array =
                schema.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("array");
            if is_array && p.get("explode") == Some(&Value::Bool(false)) {
                csv_query.push(name.to_owned());
            }
        }
        let success = op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|r| {
                r.iter()
                    .filter(|(c, _)| c.starts_with('2'))
                    .find_map(|(_, resp)| {
                        let resp = resp
                            .get("$ref")
                            .and_then(Value::as_str)
                            .and_then(|r| resolve(doc, r))
                            .unwrap_or(resp);
                        resp.pointer("/content/application~1json/schema")
                            .map(|s| deref(doc, s))
                    })
            });
        let (mut arrays, mut props) = (Vec::new(), Vec::new());
        if let Some(success) = success {
            collect_props(doc, success, 0, &mut props, &mut arrays);
        }
        out.push((
            method.to_ascii_uppercase(),
            path.to_owned(),
            OpFacts {
                csv_query,
                query,
                arrays,
                props,
            },
        ));
    }
    out
}

/// Property names of an object schema, following `allOf` (Partoo builds envelopes as
/// `allOf: [ListResult, {items…}]`); array-typed ones also go to `arrays`.
fn collect_props(
    doc: &Value,
    schema: &Value,
    depth: usize,
    props: &mut Vec<String>,
    arrays: &mut Vec<String>,
) {
    let schema = deref(doc, schema);
    if depth > 8 {
        return;
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_props(doc, part, depth + 1, props, arrays);
    }
    for (name, s) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if props.contains(name) {
            continue;
        }
        props.push(name.clone());
        let s = deref(doc, s);
        let s = s
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
            .map_or(s, |f| deref(doc, f));
        if s.get("type").and_then(Value::as_str) == Some("array") {
            arrays.push(name.clone());
        }
    }
}

/// Emits the `operations` module (first) and the pagination impls (second, to be placed inside `mod types`,
/// where the field types of the page envelopes resolve); returns them with what was detected.
pub(crate) fn emit(
    doc: &Value,
    methods: &[MethodInfo],
    types: &[crate::items::Item],
    runtime: &str,
) -> (TokenStream, TokenStream, Pagination) {
    let runtime: syn::Path = syn::parse_str(runtime).unwrap_or_else(|_| syn::parse_quote!(crate));
    let facts = op_facts(doc);
    let mut metas = Vec::new();
    let mut impls = Vec::new();
    let mut found = Pagination::default();
    for m in methods {
        let Some((_, _, f)) = facts
            .iter()
            .find(|(meth, path, _)| *meth == m.method && *path == m.path)
        else {
            continue;
        };
        let (id, method, path) = (&m.rust_name, &m.method, &m.path);
        let csv = &f.csv_query;
        metas.push(
            quote! { Meta { id: #id, method: #method, path: #path, csv_query: &[#(#csv),*] } },
        );
        let has = |p: &str| f.props.iter().any(|x| x == p);
        let kind = if f.query.iter().any(|q| q == "page") && has("page") && has("max_page") {
            Some(("page", "PageRequest"))
        } else if f.query.iter().any(|q| q == "cursor") && has("next_cursor") {
            Some(("cursor", "CursorRequest"))
        } else {
            None
        };
        let Some((param, trait_name)) = kind else {
            continue;
        };
        let [items_key] = f.arrays.as_slice() else {
            continue;
        };
        let Some(page_ty) = m.success_type.strip_prefix("types::") else {
            continue;
        };
        let Some(field) = struct_field(types, page_ty, items_key) else {
            continue;
        };
        let field_ident = &field.0;
        let field_ty = &field.1;
        let builder = Ident::new(&m.rust_name.to_upper_camel_case(), Span::call_site());
        let page_ident = Ident::new(page_ty, Span::call_site());
        let trait_ident = Ident::new(trait_name, Span::call_site());
        let common = quote! {
            type Page = #page_ident;
            type Item = <#field_ty as #runtime::pagination::IntoItems>::Item;
            fn send_page(self) -> impl ::std::future::Future<Output = ::std::result::Result<super::ResponseValue<Self::Page>, super::Error<PartooError>>> + Send + 'a {
                self.send()
            }
            fn into_items(page: Self::Page) -> ::std::vec::Vec<Self::Item> {
                #runtime::pagination::IntoItems::into_items(page.#field_ident)
            }
        };
        let specific = if param == "page" {
            found.paged.push((m.rust_name.clone(), items_key.clone()));
            quote! {
                fn with_page(self, page: i64) -> Self { self.page(page) }
                fn page_numbers(page: &Self::Page) -> (::std::option::Option<i64>, ::std::option::Option<i64>) {
                    (#runtime::pagination::number(&page.page), #runtime::pagination::number(&page.max_page))
                }
            }
        } else {
            found.cursor.push((m.rust_name.clone(), items_key.clone()));
            quote! {
                fn with_cursor(self, cursor: ::std::string::String) -> Self { self.cursor(cursor) }
                fn next_cursor(page: &Self::Page) -> ::std::option::Option<::std::string::String> {
                    #runtime::pagination::text(&page.next_cursor)
                }
            }
        };
        impls.push(quote! {
            impl<'a> #runtime::pagination::#trait_ident<'a> for super::builder::#builder<'a> {
                #common
                #specific
            }
        });
    }
    let tokens = quote! {
        /// Facts about each operation of the spec, for tracing, retries and query encoding.
        pub mod operations {
            /// One operation.
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            pub struct Meta {
                /// progenitor's operation id (the Rust method name).
                pub id: &'static str,
                /// Upper-case HTTP method.
                pub method: &'static str,
                /// Path template, e.g. `/org/{org_id}`.
                pub path: &'static str,
                /// Query parameters sent as one comma-separated value (`style: form, explode: false` arrays).
                pub csv_query: &'static [&'static str],
            }
            /// Every operation, in spec order.
            pub static ALL: &[Meta] = &[#(#metas),*];
            /// The operation with progenitor id `id`.
            pub fn find(id: &str) -> ::std::option::Option<&'static Meta> {
                ALL.iter().find(|m| m.id == id)
            }
        }
    };
    (tokens, quote! { #(#impls)* }, found)
}

/// `(field ident, field type)` of the field of struct `ty` in `types` that (de)serializes as `key`.
fn struct_field(types: &[crate::items::Item], ty: &str, key: &str) -> Option<(Ident, syn::Type)> {
    let item = types.iter().find(|item| item.is("struct", ty))?;
    let s = syn::parse2::<syn::ItemStruct>(item.stream()).ok()?;
    s.fields.iter().find_map(|f| {
        let ident = f.ident.clone()?;
        let renamed = f.attrs.iter().any(|a| {
            a.path().is_ident("serde")
                && a.to_token_stream()
                    .to_string()
                    .contains(&format!("\"{key}\""))
        });
        (ident == key || renamed).then(|| (ident, f.ty.clone()))
    })
}
