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

/// Rewrites the string enums of `types`; returns how many were opened, and their impls as printed source
/// text for `mod types` (see [`Template`]).
pub(crate) fn open_enums(types: &mut Vec<Item>) -> (usize, String) {
    let mut opened = BTreeSet::new();
    let template = Template::new();
    let mut reused = Reused::new();
    let mut extra = String::new();
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
        let unknown = open(&mut e, &values, &mut reused);
        template.fill(&mut extra, &e.ident, &unknown, &values);
        *item = Item::new(e.to_token_stream());
    }
    types.retain(|item| !is_replaced_impl(item, &opened));
    (opened.len(), extra)
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

/// What [`open`] builds once and reuses from one enum to the next: typify gives nearly every enum the same
/// `derive` list, and every opened enum the same catch-all variant but for its name.
struct Reused {
    /// The catch-all variant, named [`UNKNOWN`] until [`open`] names it.
    unknown: syn::Variant,
    /// A `derive` attribute as printed → the one that replaces it.
    derives: std::collections::BTreeMap<String, Attribute>,
}

impl Reused {
    fn new() -> Self {
        let unknown = Ident::new(UNKNOWN, Span::call_site());
        Self {
            unknown: syn::parse_quote! {
                /// A value this version of the client does not know; Partoo added it after the spec was vendored.
                #unknown(::std::string::String)
            },
            derives: std::collections::BTreeMap::new(),
        }
    }

    /// `derive` without the derives that no longer hold (`Copy`) or that are implemented by hand (serde).
    fn derive(&mut self, attr: &Attribute) -> Attribute {
        let key = attr.to_token_stream().to_string();
        if let Some(done) = self.derives.get(&key) {
            return done.clone();
        }
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
        let done: Attribute = syn::parse_quote!(#[derive(#(#kept),*)]);
        self.derives.insert(key, done.clone());
        done
    }
}

/// Rewrites the enum itself: derives that no longer hold dropped, serde attributes dropped, a catch-all
/// variant added; returns that variant's name.
fn open(e: &mut ItemEnum, values: &[(Ident, String)], reused: &mut Reused) -> Ident {
    for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        *attr = reused.derive(attr);
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
    let mut variant = reused.unknown.clone();
    variant.ident = unknown.clone();
    e.variants.push(variant);
    unknown
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

/// [`impls`] printed once per run with marker names, cut at the markers, and filled per enum: printing the
/// same impls again for each of a hundred enums (building the tokens, then printing them) was most of this
/// stage. The text is byte for byte what printing [`impls`]' tokens for that enum gives (a test holds it).
struct Template(Vec<Piece>);

/// A piece of the [`Template`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    /// Text kept as is.
    Text(String),
    /// The enum's name.
    Name,
    /// Its catch-all variant.
    Unknown,
    /// One arm per variant, each the arm printed with the markers and cut at them, joined by a space.
    Arms(Vec<Piece>),
    /// In an arm: the variant.
    Variant,
    /// In an arm: the wire value, as a string literal.
    Wire,
}

/// The marker names; they are not valid in a spec's enum (typify's names are camel case, without `__`).
const NAME: &str = "__OpenEnumName__";
const UNKNOWN: &str = "__OpenEnumUnknown__";
const VARIANT: &str = "__OpenEnumVariant__";
const WIRE: &str = "__open_enum_wire__";

impl Template {
    fn new() -> Self {
        let ident = |name: &str| Ident::new(name, Span::call_site());
        let (variant, wire) = (ident(VARIANT), WIRE);
        let text = impls(&ident(NAME), &ident(UNKNOWN), &[&variant], &[wire]).to_string();
        // The two `match`es: `Self::V => "v",` in `as_str`, `"v" => Self::V,` in `From<&str>`.
        let arms = [
            quote! { Self::#variant => #wire, },
            quote! { #wire => Self::#variant, },
        ]
        .map(|arm| arm.to_string());
        let wire_text = proc_macro2::Literal::string(WIRE).to_string();
        let arm_markers = [
            (VARIANT.to_owned(), Piece::Variant),
            (wire_text, Piece::Wire),
        ];
        let mut markers: Vec<(String, Piece)> = arms
            .iter()
            .map(|arm| (arm.clone(), Piece::Arms(cut(arm, &arm_markers))))
            .collect();
        markers.push((NAME.to_owned(), Piece::Name));
        markers.push((UNKNOWN.to_owned(), Piece::Unknown));
        Self(cut(&text, &markers))
    }

    /// Appends the impls of enum `name` to `out` (after a space when `out` is not empty).
    fn fill(&self, out: &mut String, name: &Ident, unknown: &Ident, values: &[(Ident, String)]) {
        if !out.is_empty() {
            out.push(' ');
        }
        let (name, unknown) = (name.to_string(), unknown.to_string());
        let values: Vec<(String, String)> = values
            .iter()
            .map(|(v, w)| (v.to_string(), proc_macro2::Literal::string(w).to_string()))
            .collect();
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Name => out.push_str(&name),
                Piece::Unknown => out.push_str(&unknown),
                Piece::Arms(arm) => {
                    for (i, (variant, wire)) in values.iter().enumerate() {
                        if i > 0 {
                            out.push(' ');
                        }
                        for piece in arm {
                            match piece {
                                Piece::Variant => out.push_str(variant),
                                Piece::Wire => out.push_str(wire),
                                Piece::Text(text) => out.push_str(text),
                                _ => {}
                            }
                        }
                    }
                }
                Piece::Variant | Piece::Wire => {}
            }
        }
    }
}

/// `text` cut at every occurrence of each marker, into text pieces and the marker's piece.
fn cut(text: &str, markers: &[(String, Piece)]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some((at, (marker, piece))) = markers
        .iter()
        .filter_map(|m| rest.find(m.0.as_str()).map(|at| (at, m)))
        .min_by_key(|(at, _)| *at)
    {
        pieces.push(Piece::Text(rest[..at].to_owned()));
        pieces.push(piece.clone());
        rest = &rest[at + marker.len()..];
    }
    pieces.push(Piece::Text(rest.to_owned()));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_prints_what_the_tokens_print() {
        let ident = |name: &str| Ident::new(name, Span::call_site());
        let values = vec![
            (ident("Open"), "open".to_owned()),
            (
                Ident::new_raw("Type", Span::call_site()),
                "a \"quoted\" \\ value".to_owned(),
            ),
            (ident("Closed"), "Closed".to_owned()),
        ];
        let (name, unknown) = (ident("Status"), ident("Unknown"));
        let mut out = String::new();
        Template::new().fill(&mut out, &name, &unknown, &values);
        let idents: Vec<&Ident> = values.iter().map(|(i, _)| i).collect();
        let wires: Vec<&str> = values.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(out, impls(&name, &unknown, &idents, &wires).to_string());
        // A second enum is separated from the first as two token streams would be.
        Template::new().fill(&mut out, &name, &unknown, &values[..1]);
        let one = impls(&name, &unknown, &idents[..1], &wires[..1]);
        assert!(out.ends_with(&format!("}} {one}")));
    }
}
