//! Stage `print`: the index of the generated code ([`crate::index`]) put back together with what the later
//! stages add, and printed once.

use proc_macro2::TokenStream;

use crate::index::CodeIndex;
use crate::items::{join, split};

/// What the stages after `index` add to progenitor's code.
#[derive(Default)]
pub(crate) struct Additions {
    /// Items for `mod types` (the pagination impls, where the envelopes' field types resolve).
    pub(crate) types: TokenStream,
    /// Items for `mod builder` (the builders' `pagination_client` accessors).
    pub(crate) builders: TokenStream,
    /// Top-level items, in order (`operations`, `webhook_events`).
    pub(crate) file: Vec<TokenStream>,
}

/// The whole client as Rust source, unformatted.
pub(crate) fn print(index: CodeIndex, additions: Additions) -> String {
    let CodeIndex {
        mut file,
        types_at,
        builder_at,
        mut types,
        builders,
        ..
    } = index;
    types.extend(split(additions.types));
    if let Some(at) = types_at {
        file[at].set_body(join(types));
    }
    if let Some(at) = builder_at {
        let mut inner = join(builders);
        inner.extend(additions.builders);
        file[at].set_body(inner);
    }
    for tokens in additions.file {
        file.extend(split(tokens));
    }
    join(file).to_string()
}
