//! Stage `print`: the index of the generated code ([`crate::index`]) put back together with what the later
//! stages add, and printed once.
//!
//! The items are printed one by one into one string ([`Printer`]), each block the index split (`mod types`,
//! `mod builder`) from its items, never rebuilt as tokens; the text is byte for byte what printing the whole
//! token stream would give. An item a stage already printed (to search it) is not printed again.

use proc_macro2::TokenStream;

use crate::index::CodeIndex;
use crate::items::{Printer, split};

/// What the stages after `index` add to progenitor's code.
#[derive(Default)]
pub(crate) struct Additions {
    /// Source text for `mod types`, after its items and before [`Additions::types`] (the opened enums'
    /// impls, see [`crate::enums`]).
    pub(crate) types_text: String,
    /// Items for `mod types` (the pagination impls, where the envelopes' field types resolve).
    pub(crate) types: TokenStream,
    /// Items for `mod builder` (the builders' `pagination_client` and `pagination_cursor` accessors).
    pub(crate) builders: TokenStream,
    /// Top-level items, in order (`operations`, `webhook_events`).
    pub(crate) file: Vec<TokenStream>,
}

/// The whole client as Rust source, unformatted.
pub(crate) fn print(index: CodeIndex, additions: Additions) -> String {
    let CodeIndex {
        file,
        types_at,
        builder_at,
        types,
        builders,
        ..
    } = index;
    let types_tail = split(additions.types);
    let builders_tail = split(additions.builders);
    let mut out = Printer::new();
    for (at, item) in file.iter().enumerate() {
        if Some(at) == types_at {
            out.block(item, |out| {
                types.iter().for_each(|i| out.item(i));
                out.text(&additions.types_text);
                types_tail.iter().for_each(|i| out.item(i));
            });
        } else if Some(at) == builder_at {
            out.block(item, |out| {
                builders
                    .iter()
                    .chain(&builders_tail)
                    .for_each(|i| out.item(i));
            });
        } else {
            out.item(item);
        }
    }
    for tokens in additions.file {
        split(tokens).iter().for_each(|i| out.item(i));
    }
    out.finish()
}
