//! Stage `support`: facts for the hand-written layer, emitted beside progenitor's code, from the
//! [`Operation`] records.
//!
//! - `pub mod operations`: one `Meta` per operation (progenitor's snake_case id, method, path template, and
//!   the query parameters Partoo wants comma-separated, i.e. arrays declared `style: form, explode: false`),
//!   used for tracing spans, retry decisions and query encoding.
//! - For every operation with Partoo's page envelope (query `page`; response with `page`, `max_page` and one
//!   array of items), an `impl {runtime}::pagination::PageRequest` for its builder; for every operation with
//!   a cursor (query `cursor`; response `next_cursor` and one array), an `impl …::CursorRequest`. Each impl
//!   names its operation (`OPERATION`, for the runtime's errors); a page impl also carries `FIRST_PAGE`, the
//!   `default` of the `page` parameter in the normalised document (1 when it has none).
//! - For the builder of each such operation, an inherent `pagination_client()` (emitted inside `mod builder`,
//!   the only place its private `client` field is visible), through which the runtime reads the client's
//!   pagination settings; a cursor builder also has `pagination_cursor()`, the cursor the caller set, which
//!   the stream counts as already followed.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use crate::Operation;

mod shapes;
pub(crate) use shapes::generic_args;
use shapes::{
    compact, derives_clone, generated_struct, is_std_named, is_std_path, is_vec_or_optional_vec,
    last_segment, struct_field,
};

/// What the pagination detection found, for the report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pagination {
    /// `rust_name → items key` for page-numbered operations.
    pub paged: Vec<(String, String)>,
    /// `rust_name → items key` for cursor operations.
    pub cursor: Vec<(String, String)>,
    /// `rust_name → reason` for operations shaped like a page or cursor envelope whose generated items do not
    /// fit the runtime's traits (no impl is emitted for them; the build reports each one).
    pub left_out: Vec<(String, String)>,
    /// `rust_name → first page` for page-numbered operations whose streams do not start at page 1 (the
    /// `page` parameter's `default`).
    pub first_pages: Vec<(String, i64)>,
    /// `rust_name → note` for what the build could not use as is (a `page` default that is not an integer:
    /// the stream starts at 1); the build reports each one.
    pub notes: Vec<(String, String)>,
}

/// What the stage emits.
pub(crate) struct Emitted {
    /// The top-level `pub mod operations`.
    pub(crate) operations: TokenStream,
    /// The pagination impls, for `mod types` (where the envelopes' field types resolve).
    pub(crate) page_impls: TokenStream,
    /// The builders' `pagination_client` (and `pagination_cursor`) accessors, for `mod builder`.
    pub(crate) accessors: TokenStream,
}

/// The stage: [`emit`], what it could not do added to `notes` (one line per operation).
pub(crate) fn stage(
    operations: &[Operation],
    types: &[crate::items::Item],
    builders: &[crate::items::Item],
    runtime: &syn::Path,
    notes: &mut Vec<String>,
) -> (Emitted, Pagination) {
    let (ops, page_impls, accessors, pagination) = emit(operations, types, builders, runtime);
    notes.extend(
        pagination
            .left_out
            .iter()
            .map(|(op, why)| format!("{op}: no pagination support ({why})")),
    );
    notes.extend(
        pagination
            .notes
            .iter()
            .map(|(op, note)| format!("{op}: {note}")),
    );
    // Not parsed here: what the stage emits has a fixed shape whose holes are literals, identifiers and types
    // syn already parsed, so it parses whatever the spec; parsing it on every build was two thirds of this
    // stage. The crate's own build and the test `emitted_code_parses` (tests/support.rs, both kinds of
    // stream) check the shape.
    let emitted = Emitted {
        operations: ops,
        page_impls,
        accessors,
    };
    (emitted, pagination)
}

/// Emits the `operations` module (first), the pagination impls (second, to be placed inside `mod types`,
/// where the field types of the page envelopes resolve) and the builders' `pagination_client` accessors
/// (third, to be placed inside `mod builder`); returns them with what was detected.
///
/// Every type the impls mention is read off the generated items (the operation's setter and `send` types,
/// from the index, and the envelope's fields in `types`); an operation whose items do not fit is left out and
/// said so in [`Pagination::left_out`], so the emitted code compiles whatever the spec.
fn emit(
    operations: &[Operation],
    types: &[crate::items::Item],
    builders: &[crate::items::Item],
    runtime: &syn::Path,
) -> (TokenStream, TokenStream, TokenStream, Pagination) {
    let mut metas = Vec::new();
    let mut impls = Vec::new();
    let mut accessors = Vec::new();
    let mut found = Pagination::default();
    for m in operations {
        let (id, method, path) = (&m.rust_name, &m.method, &m.path);
        let csv = &m.csv_query;
        let (lows, highs): (Vec<u16>, Vec<u16>) = m.success_statuses.iter().copied().unzip();
        // The success body's decoder, typed from the generated success type (`types::…` resolves through
        // the `use` below); none when the operation has no typed body.
        // `ByteStream` (a success body that is not JSON) has nothing to decode, and is no name in scope here.
        let typed = m.success_type != "()" && !crate::cli::is_byte_stream(&m.success_type);
        let decode = match syn::parse_str::<syn::Type>(&m.success_type) {
            Ok(ty) if typed => {
                quote! { ::std::option::Option::Some(decode::<#ty>) }
            }
            _ => quote! { ::std::option::Option::None },
        };
        metas.push(quote! {
            Meta {
                id: #id, method: #method, path: #path, csv_query: &[#(#csv),*],
                success_statuses: &[#((#lows, #highs)),*], decode_success: #decode,
            }
        });
        let has = |p: &str| m.success_properties.iter().any(|x| x == p);
        let kind = if m.has_query("page") && has("page") && has("max_page") {
            Kind::Page
        } else if m.has_query("cursor") && has("next_cursor") {
            Kind::Cursor
        } else {
            continue;
        };
        let first_page = match (kind, first_page(m.page_default.as_ref())) {
            (Kind::Cursor, _) => 1,
            (Kind::Page, Ok(page)) => page,
            (Kind::Page, Err(note)) => {
                found.notes.push((m.rust_name.clone(), note));
                1
            }
        };
        match page_impl(m, kind, first_page, types, builders, runtime) {
            Ok((tokens, items_key, cursor_field)) => {
                if first_page != 1 {
                    found.first_pages.push((m.rust_name.clone(), first_page));
                }
                let builder = Ident::new(&m.builder, Span::call_site());
                // A cursor builder also tells the cursor the caller set, so the stream counts it as followed.
                let cursor = cursor_field.map(|field| {
                    quote! {
                        /// The cursor set on this request, if any (for the pagination runtime's checks).
                        pub(crate) fn pagination_cursor(&self) -> ::std::option::Option<::std::string::String> {
                            self.#field.as_ref().ok().and_then(|c| #runtime::pagination::text(c))
                        }
                    }
                });
                accessors.push(quote! {
                    impl<'a> #builder<'a> {
                        /// The client this request is sent with (for the pagination runtime's settings).
                        pub(crate) fn pagination_client(&self) -> &'a super::Client {
                            self.client
                        }
                        #cursor
                    }
                });
                let list = match kind {
                    Kind::Page => &mut found.paged,
                    Kind::Cursor => &mut found.cursor,
                };
                list.push((m.rust_name.clone(), items_key));
                impls.push(tokens);
            }
            Err(why) => found.left_out.push((m.rust_name.clone(), why)),
        }
    }
    let mut by_id: Vec<(&str, usize)> = operations
        .iter()
        .enumerate()
        .map(|(at, m)| (m.rust_name.as_str(), at))
        .collect();
    by_id.sort_unstable();
    let (sorted_ids, sorted_at): (Vec<&str>, Vec<usize>) = by_id.into_iter().unzip();
    let tokens = quote! {
        /// Facts about each operation of the spec, for tracing, retries and query encoding.
        pub mod operations {
            /// One operation (no `PartialEq`: function pointers do not compare meaningfully; compare `id`s).
            #[derive(Clone, Copy, Debug)]
            pub struct Meta {
                /// progenitor's operation id (the Rust method name).
                pub id: &'static str,
                /// Upper-case HTTP method.
                pub method: &'static str,
                /// Path template, e.g. `/org/{org_id}`.
                pub path: &'static str,
                /// Query parameters sent as one comma-separated value (`style: form, explode: false` arrays).
                pub csv_query: &'static [&'static str],
                /// The 2xx statuses the spec documents for this operation, as inclusive ranges (`2XX` and
                /// `default` are 200..=299). Another 2xx is answered as `Error::UnexpectedSuccess`, with its
                /// body.
                pub success_statuses: &'static [(u16, u16)],
                /// Decodes a success body into the operation's success type (and drops it); `None` when the
                /// operation has no JSON success body. Lets tests check the spec's examples against the types.
                pub decode_success: ::std::option::Option<fn(&[u8]) -> ::std::result::Result<(), ::serde_json::Error>>,
            }
            use super::types;
            fn decode<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> ::std::result::Result<(), ::serde_json::Error> {
                ::serde_json::from_slice::<T>(body).map(|_| ())
            }
            /// Every operation, in spec order.
            pub static ALL: &[Meta] = &[#(#metas),*];
            /// `(id, index in ALL)`, sorted by id: the hooks look an operation up twice per request.
            static BY_ID: &[(&str, usize)] = &[#((#sorted_ids, #sorted_at)),*];
            /// The operation with progenitor id `id`.
            pub fn find(id: &str) -> ::std::option::Option<&'static Meta> {
                let at = BY_ID.binary_search_by(|(k, _)| (*k).cmp(id)).ok()?;
                ALL.get(BY_ID[at].1)
            }
        }
    };
    (
        tokens,
        quote! { #(#impls)* },
        quote! { #(#accessors)* },
        found,
    )
}

/// The page a stream starts at, from the `page` parameter's `default`: 1 without one; an integer (or an
/// integral number) as is; anything else is a note, and the stream starts at 1.
fn first_page(default: Option<&Value>) -> Result<i64, String> {
    let Some(default) = default else {
        return Ok(1);
    };
    let integral = default.as_i64().or_else(|| {
        default
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    integral.ok_or_else(|| {
        format!(
            "the `page` parameter's default {default} is not an integer: streams start at page 1"
        )
    })
}

#[derive(Clone, Copy)]
enum Kind {
    Page,
    Cursor,
}

/// Integer types a generated `page` setter may take; the runtime's `PageNumber` converts into each.
const PAGE_NUMBER_TYPES: [&str; 7] = [
    "i64",
    "i32",
    "u64",
    "u32",
    "NonZeroU64",
    "NonZeroU32",
    "f64",
];

/// progenitor's constructors, `Client::new` and `Client::new_with_client`, are public. Through them a caller
/// would get a client without `ClientBuilder::build`'s checks (https only, the redirect policy that keeps the
/// API key on its origin, the TLS set-up), and `Client::new` panics without a process-wide TLS provider. This
/// makes both `pub(crate)`: the hand-written layer still builds its client with `new_with_client`.
///
/// Fails, naming what is missing, when the generated `impl Client` does not have both as `pub fn`: a
/// progenitor that generated other constructors would otherwise leave them public without a word.
pub(crate) fn seal_constructors(file: &mut [crate::items::Item]) -> Result<(), String> {
    use proc_macro2::{Delimiter, Group, TokenTree};
    const NAMES: [&str; 2] = ["new", "new_with_client"];
    let mut sealed = Vec::new();
    for item in file.iter_mut() {
        if item.impl_self() != Some(("Client", true)) {
            continue;
        }
        let Some(body) = item.body() else { continue };
        let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
        let is = |at: usize, text: &str| matches!(tokens.get(at), Some(TokenTree::Ident(i)) if i == text);
        let mut out = Vec::with_capacity(tokens.len() + 2);
        let before = sealed.len();
        for (at, token) in tokens.iter().enumerate() {
            out.push(token.clone());
            let name = NAMES.iter().find(|name| is(at + 2, name));
            if let Some(name) = name.filter(|_| is(at, "pub") && is(at + 1, "fn")) {
                let krate = TokenTree::Ident(Ident::new("crate", Span::call_site()));
                out.push(TokenTree::Group(Group::new(
                    Delimiter::Parenthesis,
                    krate.into(),
                )));
                sealed.push(*name);
            }
        }
        if sealed.len() > before {
            item.set_body(out.into_iter().collect());
        }
    }
    let missing: Vec<&str> = NAMES.into_iter().filter(|n| !sealed.contains(n)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "progenitor's `impl Client` has no `pub fn {}`: the constructors to make crate-private were not found \
             (a progenitor version with other constructors needs `support::seal_constructors` updated)",
            missing.join("`, `pub fn ")
        ))
    }
}

/// The `PageRequest` / `CursorRequest` impl of one operation, its items key and (for a cursor) the builder's
/// field holding the cursor, or why it cannot have one.
fn page_impl(
    m: &Operation,
    kind: Kind,
    first_page: i64,
    types: &[crate::items::Item],
    builders: &[crate::items::Item],
    runtime: &syn::Path,
) -> Result<(TokenStream, String, Option<Ident>), String> {
    let items_key = match m.success_arrays.as_slice() {
        [key] => key.clone(),
        [] => return Err("the response has no array of items".to_owned()),
        keys => {
            return Err(format!(
                "the response has several arrays ({})",
                keys.join(", ")
            ));
        }
    };
    let builder_name = &m.builder;
    // progenitor derives `Clone` for a builder unless a field is a `reqwest::Body` (an octet-stream or text
    // body); the page streams send the request again for each page.
    if !derives_clone(builders, builder_name) {
        return Err(format!(
            "builder `{builder_name}` is not `Clone` (its request body is a `reqwest::Body`), and a page \
             stream sends the request again for each page"
        ));
    }
    let error = m
        .error_type
        .as_deref()
        .ok_or_else(|| format!("no generated builder `{builder_name}` with a `send` method"))?;
    if error != "Error<types::PartooError>" {
        return Err(format!(
            "`send` fails with `{error}`, not `Error<types::PartooError>`"
        ));
    }
    let page_ty = &m.success_type;
    let (page_ty, envelope) = page_ty
        .strip_prefix("types::")
        .and_then(|name| Some((name, generated_struct(types, name)?)))
        .ok_or_else(|| format!("the success type `{page_ty}` is not a generated struct"))?;
    let field = |key: &str| {
        struct_field(&envelope, key)
            .ok_or_else(|| format!("`types::{page_ty}` has no field for `{key}`"))
    };
    let (items_ident, items_ty) = field(&items_key)?;
    if !is_vec_or_optional_vec(&items_ty) {
        return Err(format!(
            "`{page_ty}.{items_ident}` is `{}`, not a `Vec` or an optional `Vec`",
            compact(&items_ty)
        ));
    }
    // The setter of a query parameter (also the name of the builder's field for it) and its type.
    let setter = |name: &str| {
        m.query(name)
            .and_then(|p| {
                let ty = syn::parse_str::<syn::Type>(p.setter_type.as_deref()?).ok()?;
                Some((Ident::new(p.setter.as_deref()?, Span::call_site()), ty))
            })
            .ok_or_else(|| format!("builder `{builder_name}` has no `{name}` setter"))
    };
    let builder_ident = Ident::new(builder_name, Span::call_site());
    let page_ident = Ident::new(page_ty, Span::call_site());
    let operation = &m.rust_name;
    // The envelope's `count` (the collection's size), when it has one; the trait's default says `None`.
    let count = field("count").ok().map(|(count_field, _)| {
        quote! {
            fn count(page: &Self::Page) -> ::std::option::Option<i64> {
                #runtime::pagination::number(&page.#count_field)
            }
        }
    });
    let common = quote! {
        const OPERATION: &'static str = #operation;
        type Page = #page_ident;
        type Item = <#items_ty as #runtime::pagination::IntoItems>::Item;
        fn send_page(self) -> impl ::std::future::Future<Output = ::std::result::Result<super::ResponseValue<Self::Page>, super::Error<PartooError>>> + ::std::marker::Send + 'a {
            self.send()
        }
        fn into_items(page: Self::Page) -> ::std::vec::Vec<Self::Item> {
            #runtime::pagination::IntoItems::into_items(page.#items_ident)
        }
        fn client(&self) -> ::std::option::Option<&'a super::Client> {
            ::std::option::Option::Some(self.pagination_client())
        }
        #count
    };
    let (tokens, cursor_field) = match kind {
        Kind::Page => {
            let (_, param) = setter("page")?;
            let last = last_segment(&param);
            if !PAGE_NUMBER_TYPES.contains(&last.as_str()) || !is_std_path(&param) {
                return Err(format!(
                    "the `page` parameter is `{}`, not one of {}",
                    compact(&param),
                    PAGE_NUMBER_TYPES.join(", ")
                ));
            }
            let (page_field, _) = field("page")?;
            let first = proc_macro2::Literal::i64_unsuffixed(first_page);
            let (max_field, _) = field("max_page")?;
            (
                quote! {
                    impl<'a> #runtime::pagination::PageRequest<'a> for super::builder::#builder_ident<'a> {
                        const FIRST_PAGE: i64 = #first;
                        #common
                        fn with_page(self, page: i64) -> Self {
                            self.page(#runtime::pagination::PageNumber(page))
                        }
                        fn page_numbers(page: &Self::Page) -> (::std::option::Option<i64>, ::std::option::Option<i64>) {
                            (#runtime::pagination::number(&page.#page_field), #runtime::pagination::number(&page.#max_field))
                        }
                    }
                },
                None,
            )
        }
        Kind::Cursor => {
            let (cursor_setter, param) = setter("cursor")?;
            if !is_std_named(&param, "String") {
                return Err(format!(
                    "the `cursor` parameter is `{}`, not a `String`",
                    compact(&param)
                ));
            }
            let (cursor_field, _) = field("next_cursor")?;
            (
                quote! {
                    impl<'a> #runtime::pagination::CursorRequest<'a> for super::builder::#builder_ident<'a> {
                        #common
                        fn with_cursor(self, cursor: ::std::string::String) -> Self { self.#cursor_setter(cursor) }
                        fn first_cursor(&self) -> ::std::option::Option<::std::string::String> {
                            self.pagination_cursor()
                        }
                        fn next_cursor(page: &Self::Page) -> ::std::option::Option<::std::string::String> {
                            #runtime::pagination::text(&page.#cursor_field)
                        }
                    }
                },
                Some(cursor_setter),
            )
        }
    };
    Ok((tokens, items_key, cursor_field))
}
