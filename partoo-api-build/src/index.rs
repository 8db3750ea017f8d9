//! Stage `index`: progenitor's tokens cut into items once, right after generation, and the facts later stages
//! need read off them once: `mod types` and `mod builder` located and split, the operation methods of
//! `impl Client` listed, and each operation builder's `send()` success and error types and setter types read
//! (at the token level, without parsing). Every later stage works on this index; [`crate::print`] puts it
//! back together.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::items::{Item, print_tokens, return_type_of, split};

mod names;
pub(crate) use names::{NameCheck, check_inline_types, check_type_names, inline_objects};

/// The generated client, split once.
pub(crate) struct CodeIndex {
    /// The top-level items. `mod types` and `mod builder` are left with empty bodies here: their items are
    /// [`CodeIndex::types`] and [`CodeIndex::builders`], which stages change, and [`crate::print`] prints
    /// them in their place.
    pub(crate) file: Vec<Item>,
    /// Where `mod types` is in `file`.
    pub(crate) types_at: Option<usize>,
    /// Where `mod builder` is in `file`.
    pub(crate) builder_at: Option<usize>,
    /// The items of `mod types`.
    pub(crate) types: Vec<Item>,
    /// The items of `mod builder` (the operation builders and their impls).
    pub(crate) builders: Vec<Item>,
    /// The operation methods of the client, read from the code alone (see [`operation_methods`]).
    pub(crate) client_methods: Vec<String>,
    /// Builder name → what its `send()` and setters declare.
    sends: BTreeMap<String, SendFacts>,
}

/// What one operation builder declares.
pub(crate) struct SendFacts {
    /// The success type of `send()`'s `Result<ResponseValue<S>, E>`, compact (`types::Org`, `()`).
    pub(crate) success: String,
    /// Its error type `E`, compact (`Error<types::PartooError>`).
    pub(crate) error: String,
    /// `(setter, T)` for each setter bounded by `V: TryInto<T>`; `T` as printed tokens.
    setters: Vec<(String, String)>,
}

impl SendFacts {
    /// The type the setter `name` converts into, as printed tokens.
    pub(crate) fn setter(&self, name: &str) -> Option<&str> {
        self.setters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, ty)| ty.as_str())
    }
}

impl CodeIndex {
    /// Splits progenitor's `tokens` and reads the facts.
    pub(crate) fn new(tokens: TokenStream) -> Self {
        let mut file = split(tokens);
        let types_at = file.iter().position(|item| item.is("mod", "types"));
        let builder_at = file.iter().position(|item| item.is("mod", "builder"));
        let mut body_of = |at: Option<usize>| {
            at.and_then(|at| file[at].take_body())
                .map(split)
                .unwrap_or_default()
        };
        let types = body_of(types_at);
        let builders = body_of(builder_at);
        let client_methods = operation_methods(&file);
        let mut sends = BTreeMap::new();
        for imp in &builders {
            let Some((ty, true)) = imp.impl_self() else {
                continue;
            };
            let Some(body) = imp.body() else {
                continue;
            };
            // Copied once (proc_macro2 lends a group's tokens only as a copy), read twice.
            let body: Vec<TokenTree> = body.stream().into_iter().collect();
            if let Some(facts) = send_facts(&body) {
                sends.entry(ty.to_owned()).or_insert(facts);
            }
        }
        Self {
            file,
            types_at,
            builder_at,
            types,
            builders,
            client_methods,
            sends,
        }
    }

    /// What builder `name` declares, if the code has it with a `send` method.
    pub(crate) fn send(&self, name: &str) -> Option<&SendFacts> {
        self.sends.get(name)
    }
}

/// The facts of a builder's inherent impl body, if it has `fn send(…) -> …`.
fn send_facts(body: &[TokenTree]) -> Option<SendFacts> {
    let ret = return_type_of(body, "send")?;
    let compact: String = ret.split_whitespace().collect();
    let (success, error) = split_result(&compact);
    Some(SendFacts {
        success,
        error,
        setters: setters(body),
    })
}

/// `Result<ResponseValue<S>,E>` (compact, a trailing comma allowed) → `(S, E)`; anything else →
/// `(whole, "")`.
fn split_result(compact: &str) -> (String, String) {
    let Some(rest) = compact.strip_prefix("Result<ResponseValue<") else {
        return (compact.to_owned(), String::new());
    };
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth == 0 => {
                let error = rest[i..]
                    .strip_prefix(">,")
                    .and_then(|e| e.strip_suffix('>'))
                    .map(|e| e.strip_suffix(',').unwrap_or(e))
                    .unwrap_or_default();
                return (rest[..i].to_owned(), error.to_owned());
            }
            '>' => depth -= 1,
            _ => {}
        }
    }
    (compact.to_owned(), String::new())
}

/// `(fn name, T)` for every `fn` of the block (but `send`) whose signature bounds a parameter by
/// `TryInto<T>`: progenitor's setters, `pub fn page<V>(mut self, value: V) -> Self where V: TryInto<i64>`.
fn setters(tokens: &[TokenTree]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut current: Option<String> = None;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Ident(f) if f == "fn" => {
                current = match tokens.get(i + 1) {
                    Some(TokenTree::Ident(name)) if name != "send" => Some(name.to_string()),
                    _ => None,
                };
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => current = None,
            TokenTree::Ident(t) if t == "TryInto" => {
                let opens =
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '<');
                if let (true, Some(name)) = (opens, current.take()) {
                    let mut depth = 0usize;
                    let mut len = 0;
                    for t in &tokens[i + 2..] {
                        if let TokenTree::Punct(p) = t {
                            match p.as_char() {
                                '<' => depth += 1,
                                '>' if depth == 0 => break,
                                '>' => depth -= 1,
                                _ => {}
                            }
                        }
                        len += 1;
                    }
                    out.push((name, print_tokens(&tokens[i + 2..i + 2 + len])));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The operation methods of the generated client, read from the code alone: every `fn` of an inherent
/// `impl Client` block whose first parameter is `&self` (progenitor's constructors `new` and
/// `new_with_client` take none; trait impls such as `ClientInfo` are not inherent). Independent of the
/// document's operation list, so that the count check compares two sources.
fn operation_methods(file: &[Item]) -> Vec<String> {
    let mut names = Vec::new();
    for item in file {
        if item.impl_self() != Some(("Client", true)) {
            continue;
        }
        let Some(body) = item.body() else { continue };
        let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
        for w in tokens.windows(3) {
            let (TokenTree::Ident(f), TokenTree::Ident(name), TokenTree::Group(params)) =
                (&w[0], &w[1], &w[2])
            else {
                continue;
            };
            if f != "fn" || params.delimiter() != Delimiter::Parenthesis {
                continue;
            }
            let head: Vec<String> = params
                .stream()
                .into_iter()
                .take(2)
                .map(|t| t.to_string())
                .collect();
            if head == ["&", "self"] {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::CodeIndex;

    #[test]
    fn the_index_reads_methods_sends_and_setters_once() {
        let index = CodeIndex::new(quote! {
            pub struct Client { baseurl: String }
            impl Client {
                pub fn new(baseurl: &str) -> Self { todo() }
                pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self { todo() }
            }
            impl ClientInfo<()> for Client {
                fn baseurl(&self) -> &str { &self.baseurl }
            }
            impl Client {
                pub fn get_business(&self) -> builder::GetBusiness<'_> { builder::GetBusiness::new(self) }
                pub fn search_businesses(&self) -> builder::SearchBusinesses<'_> { todo() }
            }
            impl Other {
                pub fn not_a_client_method(&self) {}
            }
            pub mod types { pub struct Page { pub items: Vec<String> } }
            pub mod builder {
                pub struct SearchBusinesses<'a> { client: &'a super::Client }
                impl<'a> SearchBusinesses<'a> {
                    pub fn page<V>(mut self, value: V) -> Self
                    where V: std::convert::TryInto<::std::num::NonZeroU64>, { todo() }
                    pub fn tags<V>(mut self, value: V) -> Self
                    where V: std::convert::TryInto<::std::vec::Vec<types::Tag>>, { todo() }
                    pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<types::PartooError>,> { todo() }
                }
            }
        });
        assert_eq!(index.client_methods, ["get_business", "search_businesses"]);
        assert_eq!(index.types.len(), 1);
        assert_eq!(index.builders.len(), 2);
        let send = index.send("SearchBusinesses").expect("indexed");
        assert_eq!(send.success, "types::Page");
        assert_eq!(send.error, "Error<types::PartooError>");
        let compact = |s: Option<&str>| s.map(|s| s.replace(' ', ""));
        assert_eq!(
            compact(send.setter("page")).as_deref(),
            Some("::std::num::NonZeroU64")
        );
        assert_eq!(
            compact(send.setter("tags")).as_deref(),
            Some("::std::vec::Vec<types::Tag>")
        );
        assert!(send.setter("send").is_none());
        assert!(index.send("GetBusiness").is_none());
    }
}
