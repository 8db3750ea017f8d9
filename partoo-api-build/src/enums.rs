//! Stage `enums`: open string enums.
//!
//! typify emits closed enums, so one value Partoo adds to a list (`status: succeeded`, a new feature name)
//! makes the whole response fail to decode. Every plain string enum of `mod types` is rewritten here to carry
//! an extra `Unknown(String)` variant that keeps the value, with hand-emitted `Serialize`/`Deserialize`,
//! `Display`, `FromStr` (infallible), `From<&str>`/`From<String>` and `as_str()`. Discriminator tag enums
//! stay closed (see `rules::compat::TAG_DOC_PREFIX`).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};

use crate::items::{Item, outer_attrs};

use crate::rules::TAG_DOC_PREFIX;

use template::{Template, UNKNOWN};

mod template;

/// Traits whose typify impls are replaced by ours.
const REPLACED_TRAITS: [&str; 4] = ["Display", "FromStr", "TryFrom", "Serialize"];

/// Rewrites the string enums of `types`; returns how many were opened, and their impls as printed source
/// text for `mod types` (see [`Template`]).
///
/// Enums are read and rewritten at the token level, not parsed with syn: typify writes them in one shape
/// (attributes, `pub enum Name`, a block of unit variants with their own attributes), and parsing a hundred
/// and forty of them, then printing the syntax trees back, was most of this stage. An enum in any other
/// shape (a variant with fields or an explicit discriminant) is not a string enum and stays as it is.
pub(crate) fn open_enums(types: &mut Vec<Item>) -> (usize, String) {
    let mut opened = BTreeSet::new();
    let template = Template::new();
    let mut reused = Reused::new();
    let mut extra = String::new();
    for item in types.iter_mut() {
        if item.kind() != Some("enum") {
            continue;
        }
        let Some(plain) = PlainEnum::read(item.tokens()) else {
            continue;
        };
        if plain.is_tag_enum() {
            continue;
        }
        let values = plain.values();
        opened.insert(plain.name.to_string());
        let (tokens, unknown) = plain.open(&values, &mut reused);
        template.fill(&mut extra, plain.name, &unknown, &values);
        *item = Item::new(tokens);
    }
    types.retain(|item| !is_replaced_impl(item, &opened));
    (opened.len(), extra)
}

/// An enum of unit variants, read off its tokens.
struct PlainEnum<'a> {
    /// The enum's attributes: `#` and its `[…]`, with the attribute's name (`doc`, `derive`, `serde`).
    attrs: Vec<Attr<'a>>,
    /// What follows the attributes up to the name: `pub enum`.
    head: &'a [TokenTree],
    name: &'a Ident,
    /// The block's span, kept on the rewritten block.
    span: Span,
    variants: Vec<PlainVariant>,
}

/// One attribute: `#` and its bracket group.
struct Attr<'a> {
    pound: &'a TokenTree,
    group: &'a Group,
    /// The group printed (`[doc = "…"]`).
    text: String,
}

/// One unit variant: its attributes (as in [`Attr`], owned: the block's tokens come as a copy), its name and
/// the comma after it, if any.
struct PlainVariant {
    attrs: Vec<(TokenTree, Group, String)>,
    ident: Ident,
    comma: Option<TokenTree>,
}

impl<'a> PlainEnum<'a> {
    /// The enum in `tokens`, if it is attributes, `… enum Name` and a block of unit variants.
    fn read(tokens: &'a [TokenTree]) -> Option<Self> {
        let (TokenTree::Group(body), before) = tokens.split_last()? else {
            return None;
        };
        if body.delimiter() != Delimiter::Brace {
            return None;
        }
        let (attrs, rest) = outer_attrs(before);
        let attrs = attrs
            .into_iter()
            .map(|(pound, group)| Attr {
                pound,
                group,
                text: group.to_string(),
            })
            .collect();
        let [head @ .., TokenTree::Ident(kw), TokenTree::Ident(name)] = rest else {
            return None;
        };
        if kw != "enum" {
            return None;
        }
        let inner: Vec<TokenTree> = body.stream().into_iter().collect();
        let variants = read_variants(&inner)?;
        Some(Self {
            attrs,
            head: &rest[..head.len() + 1],
            name,
            span: body.span(),
            variants,
        })
    }

    /// Whether a doc comment marks it as a discriminator tag (these stay closed: see
    /// `rules::compat::TAG_DOC_PREFIX`).
    fn is_tag_enum(&self) -> bool {
        self.attrs
            .iter()
            .any(|a| attr_name(&a.text) == "doc" && a.text.contains(TAG_DOC_PREFIX))
    }

    /// `(variant, wire value)`: the value is the variant's `#[serde(rename = "…")]`, or, without one, its name
    /// (typify writes no rename when the value already is a Rust name: Partoo's `Open`/`Closed`).
    fn values(&self) -> Vec<(Ident, String)> {
        self.variants
            .iter()
            .map(|v| {
                let renamed = v
                    .attrs
                    .iter()
                    .filter(|(_, _, text)| attr_name(text) == "serde")
                    .find_map(|(_, group, _)| serde_rename(group));
                (
                    v.ident.clone(),
                    renamed.unwrap_or_else(|| v.ident.to_string()),
                )
            })
            .collect()
    }

    /// The enum's tokens with the derives that no longer hold (`Copy`) or that are implemented by hand
    /// (serde) dropped, its serde attributes and its variants' dropped, and a catch-all variant added; and
    /// that variant's name. The tokens are what syn printed when this stage parsed the enum.
    fn open(&self, values: &[(Ident, String)], reused: &mut Reused) -> (TokenStream, Ident) {
        let mut out = TokenStream::new();
        for attr in &self.attrs {
            match attr_name(&attr.text) {
                "serde" => {}
                "derive" => out.extend(reused.derive(attr)),
                _ => out.extend([attr.pound.clone(), TokenTree::Group(attr.group.clone())]),
            }
        }
        out.extend(self.head.iter().cloned());
        out.extend([TokenTree::Ident(self.name.clone())]);
        let mut body = TokenStream::new();
        for v in &self.variants {
            for (pound, group, text) in &v.attrs {
                if attr_name(text) != "serde" {
                    body.extend([pound.clone(), TokenTree::Group(group.clone())]);
                }
            }
            body.extend([TokenTree::Ident(v.ident.clone())]);
            body.extend(v.comma.clone());
        }
        if self.variants.last().is_some_and(|v| v.comma.is_none()) {
            body.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
        }
        let taken: BTreeSet<String> = values.iter().map(|(i, _)| i.to_string()).collect();
        let unknown = ["Unknown", "UnknownValue", "Unrecognized"]
            .into_iter()
            .find(|n| !taken.contains(*n))
            .map_or_else(
                || Ident::new("UnknownValueOfThisEnum", Span::call_site()),
                |n| Ident::new(n, Span::call_site()),
            );
        let mut variant = reused.unknown.clone();
        variant.ident = unknown.clone();
        variant.to_tokens(&mut body);
        let mut block = Group::new(Delimiter::Brace, body);
        block.set_span(self.span);
        out.extend([TokenTree::Group(block)]);
        (out, unknown)
    }
}

/// The variants of an enum's block, if every one is attributes, a name and an optional comma (the last).
fn read_variants(tokens: &[TokenTree]) -> Option<Vec<PlainVariant>> {
    let mut variants = Vec::new();
    let mut rest = tokens;
    while !rest.is_empty() {
        let (attrs, after) = outer_attrs(rest);
        let [TokenTree::Ident(ident), after @ ..] = after else {
            return None;
        };
        let (comma, after) = match after {
            [comma @ TokenTree::Punct(p), after @ ..] if p.as_char() == ',' => {
                (Some(comma.clone()), after)
            }
            [] => (None, after),
            _ => return None,
        };
        let attrs = attrs
            .into_iter()
            .map(|(pound, group)| (pound.clone(), group.clone(), group.to_string()))
            .collect();
        variants.push(PlainVariant {
            attrs,
            ident: ident.clone(),
            comma,
        });
        rest = after;
    }
    (!variants.is_empty()).then_some(variants)
}

/// The name of a printed attribute group: `[serde (rename = "x")]` → `serde`.
fn attr_name(text: &str) -> &str {
    let inner = text.strip_prefix('[').unwrap_or(text);
    let end = inner
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    &inner[..end]
}

/// The value of `rename = "…"` in a `[serde(…)]` group.
fn serde_rename(group: &Group) -> Option<String> {
    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
    let Some(TokenTree::Group(args)) = inner.get(1) else {
        return None;
    };
    let args: Vec<TokenTree> = args.stream().into_iter().collect();
    args.windows(3).find_map(|w| match w {
        [
            TokenTree::Ident(key),
            TokenTree::Punct(eq),
            TokenTree::Literal(lit),
        ] if key == "rename" && eq.as_char() == '=' => match syn::Lit::new(lit.clone()) {
            syn::Lit::Str(s) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

fn is_replaced_impl(item: &Item, opened: &BTreeSet<String>) -> bool {
    // The self type first: printing the trait of each of a thousand impls to look at a few is not free.
    if !item
        .impl_self()
        .is_some_and(|(name, inherent)| !inherent && opened.contains(name))
    {
        return false;
    }
    let Some((Some(trait_text), _)) = item.impl_target() else {
        return false;
    };
    // `:: std :: convert :: TryFrom < & str >` → `TryFrom`.
    let last = trait_text
        .split('<')
        .next()
        .and_then(|path| path.rsplit("::").next())
        .unwrap_or("")
        .trim();
    REPLACED_TRAITS.contains(&last)
}

/// What [`PlainEnum::open`] builds once and reuses from one enum to the next: typify gives nearly every enum
/// the same `derive` list, and every opened enum the same catch-all variant but for its name.
struct Reused {
    /// The catch-all variant, named [`UNKNOWN`] until it is given the enum's.
    unknown: syn::Variant,
    /// A `derive` attribute's group as printed → the tokens of the attribute that replaces it.
    derives: BTreeMap<String, TokenStream>,
}

impl Reused {
    fn new() -> Self {
        let unknown = Ident::new(UNKNOWN, Span::call_site());
        Self {
            unknown: syn::parse_quote! {
                /// A value this version of the client does not know; Partoo added it after the spec was vendored.
                #unknown(::std::string::String)
            },
            derives: BTreeMap::new(),
        }
    }

    /// The `derive` attribute without `Copy` and the serde derives (parsed with syn once per distinct list).
    fn derive(&mut self, attr: &Attr<'_>) -> TokenStream {
        if let Some(done) = self.derives.get(&attr.text) {
            return done.clone();
        }
        let tokens: TokenStream = [attr.pound.clone(), TokenTree::Group(attr.group.clone())]
            .into_iter()
            .collect();
        let mut kept = Vec::new();
        let parsed = syn::parse::Parser::parse2(syn::Attribute::parse_outer, tokens.clone());
        let Ok([parsed]) = parsed.as_deref() else {
            return tokens;
        };
        let _ = parsed.parse_nested_meta(|meta| {
            let last = meta
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            if !["Copy", "Serialize", "Deserialize"].contains(&last.as_str()) {
                kept.push(meta.path.clone());
            }
            Ok(())
        });
        let done = quote!(#[derive(#(#kept),*)]);
        self.derives.insert(attr.text.clone(), done.clone());
        done
    }
}

/// The impls of an opened enum `name` whose variants are `idents`, on the wire `wires`, and whose catch-all
/// variant is `unknown`.
fn impls(name: &Ident, unknown: &Ident, idents: &[&Ident], wires: &[&str]) -> TokenStream {
    quote! {
        impl #name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    Self::#unknown(value) => value.as_str(),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        // `Self::Err` would be ambiguous beside a variant `Err` (a value `err`).
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, ::std::convert::Infallible> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#idents,)*
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }
        impl ::std::convert::From<&::std::string::String> for #name {
            fn from(value: &::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value))
            }
        }
    }
}
