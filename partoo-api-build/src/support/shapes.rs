//! What the support stage reads off generated types and builders: the shape of a type (`Vec`, `Option`, the
//! standard library's or a component's), a struct's fields, whether a builder derives `Clone`.

use proc_macro2::{Ident, TokenStream};
use quote::ToTokens;

/// The type arguments of a path type whose last segment is `last` (`Result<A, B>` → `[A, B]`).
pub(crate) fn generic_args(ty: &syn::Type, last: &str) -> Option<Vec<syn::Type>> {
    match ty {
        syn::Type::Path(p) => generic_args_of_path(&p.path, last),
        _ => None,
    }
}

pub(super) fn generic_args_of_path(path: &syn::Path, last: &str) -> Option<Vec<syn::Type>> {
    let seg = path.segments.last().filter(|s| s.ident == last)?;
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => Some(
            a.args
                .iter()
                .filter_map(|g| match g {
                    syn::GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

pub(super) fn last_segment(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// A primitive or a path into `std`/`core` (`i64`, `::std::num::NonZeroU64`), not a generated type.
pub(super) fn is_std_path(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    p.qself.is_none()
        && (p.path.segments.len() == 1
            || p.path
                .segments
                .first()
                .is_some_and(|s| s.ident == "std" || s.ident == "core"))
}

/// Whether the builder struct `name` of `mod builder` derives `Clone`.
pub(super) fn derives_clone(builders: &[crate::items::Item], name: &str) -> bool {
    let Some(item) = builders.iter().find(|item| item.is("struct", name)) else {
        return false;
    };
    let (attrs, _) = crate::items::outer_attrs(item.tokens());
    attrs.iter().any(|(_, group)| {
        let mut tokens = group.stream().into_iter();
        matches!(tokens.next(), Some(proc_macro2::TokenTree::Ident(d)) if d == "derive")
            && matches!(tokens.next(), Some(proc_macro2::TokenTree::Group(list))
                if list.stream().into_iter().any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "Clone")))
    })
}

/// Whether `ty` is the standard library's `name` (`::std::vec::Vec<…>`), spelled with its crate: in
/// `mod types`, a bare `Vec` or `String` is a component of that name.
pub(super) fn is_std_named(ty: &syn::Type, name: &str) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    p.qself.is_none()
        && p.path.segments.len() > 1
        && p.path
            .segments
            .first()
            .is_some_and(|s| s.ident == "std" || s.ident == "core" || s.ident == "alloc")
        && last_segment(ty) == name
}

/// `Vec<T>` or `Option<Vec<T>>`, the shapes `IntoItems` takes (the standard library's, not components named
/// `Vec` or `Option`).
pub(super) fn is_vec_or_optional_vec(ty: &syn::Type) -> bool {
    is_std_named(ty, "Vec")
        || (is_std_named(ty, "Option")
            && generic_args(ty, "Option")
                .and_then(|args| args.into_iter().next())
                .is_some_and(|inner| is_std_named(&inner, "Vec")))
}

/// A type's tokens without spaces: `Error < types :: PartooError >` → `Error<types::PartooError>`.
pub(super) fn compact(ty: &syn::Type) -> String {
    ty.to_token_stream()
        .to_string()
        .split_whitespace()
        .collect()
}

/// The fields of the generated struct `ty` of `types`, read off its tokens (once per paginated operation):
/// `(attributes, name, type)`, each field's type as its tokens. Parsing the whole struct with syn, doc
/// comments included, to read two fields was most of this stage's time; only the types used are parsed.
pub(super) fn generated_struct(types: &[crate::items::Item], ty: &str) -> Option<Vec<Field>> {
    use proc_macro2::{Delimiter, TokenTree};
    let item = types.iter().find(|item| item.is("struct", ty))?;
    // A tuple or unit struct has no named field, as syn would say.
    let Some(body) = item.body() else {
        return Some(Vec::new());
    };
    let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut fields = Vec::new();
    let mut rest = tokens.as_slice();
    while !rest.is_empty() {
        let (found, after) = crate::items::outer_attrs(rest);
        let attrs = found.into_iter().map(|(_, g)| g.clone()).collect();
        rest = after;
        if let [TokenTree::Ident(vis), after @ ..] = rest
            && vis == "pub"
        {
            rest = after;
            if let [TokenTree::Group(g), after @ ..] = rest
                && g.delimiter() == Delimiter::Parenthesis
            {
                rest = after;
            }
        }
        let [TokenTree::Ident(name), TokenTree::Punct(colon), after @ ..] = rest else {
            return None;
        };
        if colon.as_char() != ':' {
            return None;
        }
        // The type runs to the next comma outside `<…>`.
        let mut depth = 0usize;
        let len = after
            .iter()
            .position(|t| match t {
                TokenTree::Punct(p) if p.as_char() == '<' => {
                    depth += 1;
                    false
                }
                TokenTree::Punct(p) if p.as_char() == '>' => {
                    depth = depth.saturating_sub(1);
                    false
                }
                TokenTree::Punct(p) => p.as_char() == ',' && depth == 0,
                _ => false,
            })
            .unwrap_or(after.len());
        fields.push(Field {
            attrs,
            name: name.clone(),
            ty: after[..len].iter().cloned().collect(),
        });
        rest = after.get(len + 1..).unwrap_or_default();
    }
    Some(fields)
}

/// A field of a generated struct, as [`generated_struct`] reads it.
pub(super) struct Field {
    /// Its attributes' groups (`[serde(rename = "x")]`).
    attrs: Vec<proc_macro2::Group>,
    name: Ident,
    ty: TokenStream,
}

/// `(field ident, field type)` of the field of `fields` that (de)serializes as `key`; its type parsed.
pub(super) fn struct_field(fields: &[Field], key: &str) -> Option<(Ident, syn::Type)> {
    let quoted = format!("\"{key}\"");
    let is_serde = |g: &proc_macro2::Group| matches!(g.stream().into_iter().next(), Some(proc_macro2::TokenTree::Ident(i)) if i == "serde");
    let field = fields.iter().find(|f| {
        f.name == key
            || f.attrs
                .iter()
                .any(|a| is_serde(a) && a.to_string().contains(&quoted))
    })?;
    let ty = syn::parse2::<syn::Type>(field.ty.clone()).ok()?;
    Some((field.name.clone(), ty))
}
