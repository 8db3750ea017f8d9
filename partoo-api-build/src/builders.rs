//! Stage `builders`: trim typify's struct builders (`types::builder::*`).
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

use crate::index::CodeIndex;
use crate::items::Item;

/// The stage: [`keep_request_builders`] with `struct_builders` ([`crate::Options::struct_builders`]), else
/// [`strip`].
pub(crate) fn trim(struct_builders: bool, index: &mut CodeIndex) {
    if !struct_builders {
        strip(&mut index.builders, &mut index.types);
    } else if index.builder_at.is_some() {
        // Without a `mod builder` (no operation builders at all) nothing says which to keep: keep them all.
        keep_request_builders(&index.builders, &mut index.types);
    }
}

/// Keeps typify's struct builders only for the types request bodies are made of (the body types the operation
/// builders (`mod builder`'s items) refer to, and every type those reach); drops the others from `types`.
///
/// Response types are read, not built: their builders were three quarters of the builder code, and the
/// builders of request types are what `body_map` and `types::X::builder()` are for.
fn keep_request_builders(builders: &[Item], types: &mut Vec<Item>) {
    use crate::items::{join, names_after, split};
    let defined: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .filter(|(_, item)| matches!(item.kind(), Some("struct" | "enum")))
        .filter_map(|(i, item)| item.name().map(|n| (n.to_owned(), i)))
        .collect();
    let mut keep = BTreeSet::new();
    // An operation builder refers to a struct builder through its `body` field, so its struct names them
    // all: its impls (ten times the text) are not searched.
    let mut todo: Vec<String> = builders
        .iter()
        .filter(|item| item.kind() == Some("struct"))
        .flat_map(|item| names_after(item.text(), "types", "builder"))
        .map(str::to_owned)
        .collect();
    while let Some(name) = todo.pop() {
        if !keep.insert(name.clone()) {
            continue;
        }
        if let Some(&at) = defined.get(&name) {
            todo.extend(
                types[at]
                    .ident_texts()
                    .filter(|id| defined.contains_key(*id) && !keep.contains(*id))
                    .map(str::to_owned),
            );
        }
    }
    let Some(at) = types.iter().position(|item| item.is("mod", "builder")) else {
        return;
    };
    let Some(body) = types[at].take_body() else {
        return;
    };
    let mut dropped = BTreeSet::new();
    let kept: Vec<Item> = split(body)
        .into_iter()
        .filter(|item| {
            let name = match item.kind() {
                Some("struct") => item.name(),
                Some("impl") => item.impl_self().map(|(n, _)| n),
                _ => None,
            };
            match name {
                Some(n) if !keep.contains(n) => {
                    dropped.insert(n.to_owned());
                    false
                }
                _ => true,
            }
        })
        .collect();
    types[at].set_body(join(kept));
    // `impl X { pub fn builder() -> builder::X { … } }` goes with the builder.
    *types = types
        .drain(..)
        .filter_map(|item| match item.impl_self() {
            Some((owner, true)) if dropped.contains(owner) => without_builder_fn(item),
            _ => Some(item),
        })
        .collect();
}

/// Strips the struct builders from `types` and their uses from the operation builders (`mod builder`'s items). Only the
/// items that change are parsed.
fn strip(builders: &mut [Item], types: &mut Vec<Item>) {
    types.retain(|item| !item.is("mod", "builder"));
    *types = types.drain(..).filter_map(without_builder_fn).collect();
    for item in builders.iter_mut() {
        // Only operations with a body refer to the struct builders; the rest are left as tokens.
        if !crate::items::mentions_path(item.tokens(), "types", "builder") {
            continue;
        }
        match item.kind() {
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
                    syn::ImplItem::Fn(f) => {
                        let sig: Vec<_> = f.sig.to_token_stream().into_iter().collect();
                        !crate::items::mentions_path(&sig, "types", "builder")
                    }
                    _ => true,
                });
                UnsetBody.visit_item_impl_mut(&mut imp);
                *item = Item::new(imp.to_token_stream());
            }
            _ => {}
        }
    }
}

/// `item` without its `fn builder()` when it is an inherent impl that has one (parsed for that); `None`
/// when nothing is left of it.
fn without_builder_fn(item: Item) -> Option<Item> {
    let inherent = matches!(item.impl_self(), Some((_, true)));
    let members = item
        .body()
        .map(|b| crate::items::split(b.stream()))
        .unwrap_or_default();
    let is_builder = |m: &Item| m.kind() == Some("fn") && m.name() == Some("builder");
    if !(inherent && members.iter().any(is_builder)) {
        return Some(item);
    }
    // typify's usual `impl X { pub fn builder() -> builder::X { … } }`: nothing is left, no need to parse it.
    if members.iter().all(is_builder) {
        return None;
    }
    let Ok(mut imp) = syn::parse2::<syn::ItemImpl>(item.stream()) else {
        return Some(item);
    };
    imp.items
        .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
    (!imp.items.is_empty()).then(|| Item::new(imp.to_token_stream()))
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
