//! Stage after generation: trim typify's struct builders (`types::builder::*`).
//!
//! progenitor's builder interface makes typify emit a builder per struct (`types::Org::builder().name(..)`),
//! which operation builders use for `body_map`. On Partoo's spec they were 47 % of the generated code, and
//! so a large share of the client's compile time, though only request bodies are ever built. By default the
//! builders of the types request bodies are made of are kept ([`keep_request_builders`]); with
//! `struct_builders: false` all go ([`strip`]): bodies are then struct literals (or deserialized), `body_map`
//! is gone, and an operation with a body fails with `InvalidRequest("body was not set …")` when `.body(..)`
//! was not called.

use std::collections::{BTreeMap, BTreeSet};

use quote::ToTokens;
use syn::visit_mut::VisitMut;

use crate::items::Item;

/// Drops `pub mod builder { … }` (with its attributes) from progenitor's `mod types` as soon as progenitor
/// returns: the module is most of the tokens, and every later stage would otherwise walk it.
pub(crate) fn drop_module_tokens(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, TokenTree};
    let top: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(top.len());
    let mut i = 0;
    while i < top.len() {
        let is_types = matches!((&top[i], top.get(i + 1)), (TokenTree::Ident(m), Some(TokenTree::Ident(t))) if m == "mod" && t == "types");
        if is_types && let Some(TokenTree::Group(body)) = top.get(i + 2) {
            out.push(top[i].clone());
            out.push(top[i + 1].clone());
            let inner = without_builder_module(body.stream());
            let mut group = Group::new(body.delimiter(), inner);
            group.set_span(body.span());
            out.push(TokenTree::Group(group));
            i += 3;
            continue;
        }
        out.push(top[i].clone());
        i += 1;
    }
    out.into_iter().collect()
}

fn without_builder_module(stream: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::TokenTree;
    let items: Vec<TokenTree> = stream.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(items.len());
    let mut i = 0;
    while i < items.len() {
        let found = matches!(
            (&items[i], items.get(i + 1), items.get(i + 2), items.get(i + 3)),
            (TokenTree::Ident(p), Some(TokenTree::Ident(m)), Some(TokenTree::Ident(b)), Some(TokenTree::Group(_)))
                if p == "pub" && m == "mod" && b == "builder"
        );
        if found {
            // Remove the attributes (`# [...]`) just before it.
            while out.len() >= 2
                && matches!(&out[out.len() - 1], TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Bracket)
                && matches!(&out[out.len() - 2], TokenTree::Punct(p) if p.as_char() == '#')
            {
                out.truncate(out.len() - 2);
            }
            i += 4;
            continue;
        }
        out.push(items[i].clone());
        i += 1;
    }
    out.into_iter().collect()
}

/// Keeps typify's struct builders only for the types request bodies are made of (the body types the operation
/// builders of `file` refer to, and every type those reach); drops the others from `types`. Returns how many
/// builders were dropped.
///
/// Response types are read, not built: their builders were three quarters of the builder code, and the
/// builders of request types are what `body_map` and `types::X::builder()` are for.
pub(crate) fn keep_request_builders(file: &[Item], types: &mut Vec<Item>) -> usize {
    use crate::items::{fn_names, join, names_after, split};
    let Some(ops) = file.iter().find(|item| item.is("mod", "builder")) else {
        return 0;
    };
    let Some(ops_body) = ops.body().map(proc_macro2::Group::stream) else {
        return 0;
    };
    let defined: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .filter(|(_, item)| matches!(item.kind().as_deref(), Some("struct" | "enum")))
        .filter_map(|(i, item)| item.name().map(|n| (n, i)))
        .collect();
    let mut keep = BTreeSet::new();
    let mut todo: Vec<String> = names_after(&ops_body, "types", "builder")
        .into_iter()
        .collect();
    while let Some(name) = todo.pop() {
        if !keep.insert(name.clone()) {
            continue;
        }
        if let Some(&at) = defined.get(&name) {
            todo.extend(
                types[at]
                    .idents()
                    .into_iter()
                    .filter(|id| defined.contains_key(id) && !keep.contains(id)),
            );
        }
    }
    let Some(at) = types.iter().position(|item| item.is("mod", "builder")) else {
        return 0;
    };
    let Some(body) = types[at].body().map(proc_macro2::Group::stream) else {
        return 0;
    };
    let mut dropped = BTreeSet::new();
    let kept: Vec<Item> = split(body)
        .into_iter()
        .filter(|item| {
            let name = match item.kind().as_deref() {
                Some("struct") => item.name(),
                Some("impl") => item.impl_target().map(|(_, n)| n),
                _ => None,
            };
            match name {
                Some(n) if !keep.contains(&n) => {
                    dropped.insert(n);
                    false
                }
                _ => true,
            }
        })
        .collect();
    types[at].set_body(join(kept));
    // `impl X { pub fn builder() -> builder::X { … } }` goes with the builder.
    let mut out = Vec::with_capacity(types.len());
    for item in types.drain(..) {
        let owner_dropped = matches!(item.impl_target(), Some((None, n)) if dropped.contains(&n));
        let fns = item
            .body()
            .map(|b| fn_names(&b.stream()))
            .unwrap_or_default();
        if !owner_dropped || !fns.iter().any(|f| f == "builder") {
            out.push(item);
        } else if fns.len() > 1 {
            match syn::parse2::<syn::ItemImpl>(item.stream()) {
                Ok(mut imp) => {
                    imp.items.retain(
                        |it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"),
                    );
                    out.push(Item::new(imp.to_token_stream()));
                }
                Err(_) => out.push(item),
            }
        }
    }
    *types = out;
    dropped.len()
}

/// Strips the struct builders from `types` and their uses from the operation builders of `file`; returns how
/// many `builder()` functions were removed. Only the items that change are parsed.
pub(crate) fn strip(file: &mut [Item], types: &mut Vec<Item>) -> usize {
    let mut removed = 0;
    types.retain(|item| !item.is("mod", "builder"));
    let mut kept = Vec::with_capacity(types.len());
    for item in types.drain(..) {
        let inherent = matches!(item.impl_target(), Some((None, _)));
        let has_builder = item.body().is_some_and(|b| {
            crate::items::fn_names(&b.stream())
                .iter()
                .any(|n| n == "builder")
        });
        let parsed = (inherent && has_builder)
            .then(|| syn::parse2::<syn::ItemImpl>(item.stream()).ok())
            .flatten();
        let Some(mut imp) = parsed else {
            kept.push(item);
            continue;
        };
        let before = imp.items.len();
        imp.items
            .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
        removed += before - imp.items.len();
        if !imp.items.is_empty() {
            kept.push(Item::new(imp.to_token_stream()));
        }
    }
    *types = kept;
    let Some(ops) = file.iter_mut().find(|item| item.is("mod", "builder")) else {
        return removed;
    };
    let Some(body) = ops.body().map(proc_macro2::Group::stream) else {
        return removed;
    };
    let mut items = crate::items::split(body);
    for item in &mut items {
        // Only operations with a body refer to the struct builders; the rest are left as tokens.
        if !crate::items::mentions_path(&item.stream(), "types", "builder") {
            continue;
        }
        match item.kind().as_deref() {
            Some("struct") => {
                let Ok(mut s) = syn::parse2::<syn::ItemStruct>(item.stream()) else {
                    continue;
                };
                for field in s.fields.iter_mut() {
                    retarget(&mut field.ty);
                }
                *item = Item::new(s.to_token_stream());
            }
            Some("impl") => {
                let Ok(mut imp) = syn::parse2::<syn::ItemImpl>(item.stream()) else {
                    continue;
                };
                imp.items.retain(|it| match it {
                    syn::ImplItem::Fn(f) => !mentions_struct_builder(&f.sig.to_token_stream()),
                    _ => true,
                });
                UnsetBody.visit_item_impl_mut(&mut imp);
                *item = Item::new(imp.to_token_stream());
            }
            _ => {}
        }
    }
    ops.set_body(crate::items::join(items));
    removed
}

fn mentions_struct_builder(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.to_string().contains("types :: builder ::")
}

/// `Result<types::builder::X, String>` → `Result<types::X, String>`.
fn retarget(ty: &mut syn::Type) {
    let text = ty.to_token_stream().to_string();
    if text.contains("types :: builder ::")
        && let Ok(new) =
            syn::parse_str::<syn::Type>(&text.replace("types :: builder ::", "types ::"))
    {
        *ty = new;
    }
}

/// In an operation builder's `new`, the body (initialised from the struct builder's `Default`) starts as
/// "not set" instead.
struct UnsetBody;

impl VisitMut for UnsetBody {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        if f.sig.ident != "new" {
            return;
        }
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
    }

    fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
        for field in e.fields.iter_mut() {
            let is_body = matches!(&field.member, syn::Member::Named(n) if n == "body");
            let defaulted = field
                .expr
                .to_token_stream()
                .to_string()
                .contains("Default :: default");
            if is_body && defaulted {
                field.expr =
                    syn::parse_quote!(Err("body was not set: call `.body(..)`".to_string()));
            }
        }
    }
}
