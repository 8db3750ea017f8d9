//! `ok(&body)`, a shortcut for `success(200, ..)` on every operation's `Then`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::items::{self, Item};

/// Success responses are `2XX` ranges after normalisation, so progenitor's `Then` has
/// `success(status, &body)` and no `ok(&body)`: every such wrapper gets `ok(&body)`, a 200 with the same type.
pub(super) fn shortcuts(operations: &[Item]) -> TokenStream {
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
            // By reference, as every `ok` (`then.ok(&user)`), also where typify passes the type by value.
            [_, _, syn::FnArg::Typed(value)] if matches!(*value.ty, syn::Type::Reference(_)) => {
                let value_ty = &value.ty;
                quote! {
                    /// A `200 OK` with this body (shortcut for `success(200, value)`).
                    pub fn ok(self, value: #value_ty) -> Self { self.success(200, value) }
                }
            }
            [_, _, syn::FnArg::Typed(value)] => {
                let value_ty = &value.ty;
                quote! {
                    /// A `200 OK` with this body (shortcut for `success(200, value.clone())`).
                    pub fn ok(self, value: &#value_ty) -> Self {
                        self.success(200, ::std::clone::Clone::clone(value))
                    }
                }
            }
            _ => continue,
        };
        out.extend(quote! { impl #ty { #shortcut } });
    }
    out
}
