//! Stage `enums`: open string enums.
//!
//! typify emits closed enums, so one value Partoo adds to a list (`status: succeeded`, a new feature name)
//! makes the whole response fail to decode. Every plain string enum of `mod types` is rewritten here to carry
//! an extra `Unknown(String)` variant that keeps the value, with hand-emitted `Serialize`/`Deserialize`,
//! `Display`, `FromStr` (infallible), `From<&str>`/`From<String>` and `as_str()`. Discriminator tag enums
//! stay closed (see `rules::compat::TAG_DOC_PREFIX`).

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{Attribute, Fields, ItemEnum, LitStr};

use crate::items::Item;

use crate::rules::TAG_DOC_PREFIX;

/// Traits whose typify impls are replaced by ours.
const REPLACED_TRAITS: [&str; 4] = ["Display", "FromStr", "TryFrom", "Serialize"];

/// Rewrites the string enums of `types`; returns how many were opened.
pub(crate) fn open_enums(types: &mut Vec<Item>) -> usize {
    let mut opened = BTreeSet::new();
    let mut extra = Vec::new();
    for item in types.iter_mut() {
        if item.kind() != Some("enum") {
            continue;
        }
        let Ok(mut e) = syn::parse2::<ItemEnum>(item.stream()) else {
            continue;
        };
        let Some(values) = string_values(&e) else {
            continue;
        };
        if doc_text(&e.attrs).contains(TAG_DOC_PREFIX) {
            continue;
        }
        opened.insert(e.ident.to_string());
        extra.push(open(&mut e, &values));
        *item = Item::new(e.to_token_stream());
    }
    types.retain(|item| !is_replaced_impl(item, &opened));
    let n = opened.len();
    for tokens in extra {
        types.extend(crate::items::split(tokens));
    }
    n
}

/// `(variant, wire value)` pairs if every variant is a unit variant: the value is its `#[serde(rename = "…")]`,
/// or, without one, the variant's name (typify writes no rename when the value already is a Rust name:
/// Partoo's `Open`/`Closed`, `Text`/`Image`).
fn string_values(e: &ItemEnum) -> Option<Vec<(Ident, String)>> {
    if e.variants.is_empty() {
        return None;
    }
    e.variants
        .iter()
        .map(|v| {
            if !matches!(v.fields, Fields::Unit) {
                return None;
            }
            let value = v
                .attrs
                .iter()
                .find_map(serde_rename)
                .unwrap_or_else(|| v.ident.to_string());
            Some((v.ident.clone(), value))
        })
        .collect()
}

fn serde_rename(attr: &Attribute) -> Option<String> {
    if !attr.path().is_ident("serde") {
        return None;
    }
    let mut found = None;
    let _ = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("rename") {
            found = Some(meta.value()?.parse::<LitStr>()?.value());
        }
        Ok(())
    });
    found
}

fn doc_text(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .map(|a| a.to_token_stream().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_replaced_impl(item: &Item, opened: &BTreeSet<String>) -> bool {
    let Some((Some(trait_text), self_name)) = item.impl_target() else {
        return false;
    };
    // `:: std :: convert :: TryFrom < & str >` → `TryFrom`.
    let last = trait_text
        .split('<')
        .next()
        .and_then(|path| path.rsplit("::").next())
        .unwrap_or("")
        .trim();
    opened.contains(self_name) && REPLACED_TRAITS.contains(&last)
}

fn open(e: &mut ItemEnum, values: &[(Ident, String)]) -> TokenStream {
    let name = e.ident.clone();
    // Drop derives that no longer hold (Copy) or that we implement by hand (serde).
    for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let mut kept = Vec::new();
        let _ = attr.parse_nested_meta(|meta| {
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
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    e.attrs.retain(|a| !a.path().is_ident("serde"));
    for v in e.variants.iter_mut() {
        v.attrs.retain(|a| !a.path().is_ident("serde"));
    }
    let taken: BTreeSet<String> = values.iter().map(|(i, _)| i.to_string()).collect();
    let unknown = ["Unknown", "UnknownValue", "Unrecognized"]
        .into_iter()
        .find(|n| !taken.contains(*n))
        .map_or_else(
            || Ident::new("UnknownValueOfThisEnum", Span::call_site()),
            |n| Ident::new(n, Span::call_site()),
        );
    e.variants.push(syn::parse_quote! {
        /// A value this version of the client does not know; Partoo added it after the spec was vendored.
        #unknown(::std::string::String)
    });
    let idents: Vec<&Ident> = values.iter().map(|(i, _)| i).collect();
    let wires: Vec<&String> = values.iter().map(|(_, w)| w).collect();
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
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
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
