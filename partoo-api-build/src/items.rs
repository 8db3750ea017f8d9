//! Generated code as a list of items kept as tokens.
//!
//! progenitor hands back one token stream of about 1.5 MB. Parsing all of it with syn, to change a few hundred
//! items, then printing the syntax tree back, was two thirds of the build script's time. Here the stream is cut
//! into items at the token level (attributes, keyword, name, body), which costs a walk over the tokens; only
//! the items a later stage rewrites are parsed with syn, one at a time.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use text::write_tokens;
pub(crate) use text::{Printer, names_after};

mod text;

/// Keywords that start an item; the first one found after attributes and visibility names the item's kind.
const KINDS: [&str; 13] = [
    "struct",
    "enum",
    "union",
    "impl",
    "mod",
    "fn",
    "trait",
    "use",
    "const",
    "static",
    "type",
    "extern",
    "macro_rules",
];

/// One item: its tokens, from its first attribute to its closing `}` or `;`, and what its head says (read
/// once, when the item is made: stages ask for every item's kind, name or impl target several times).
///
/// Its source text is printed at most once: a stage that searches an item reads [`Item::text`], which keeps
/// the text for [`crate::print`]. Searching the text is how a stage looks inside nested groups: proc_macro2
/// lends a group's tokens only as a copy, and copying every builder to search it was a third of a run.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    tokens: Vec<TokenTree>,
    head: Head,
    text: OnceCell<String>,
    /// For a trait impl, the trait as printed tokens (printed when a stage first asks).
    trait_text: OnceCell<String>,
}

/// What an item's head says, read by [`Head::read`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Head {
    /// The keyword (one of [`KINDS`]).
    kind: Option<&'static str>,
    /// The identifier right after the keyword.
    name: Option<String>,
    /// For an `impl` block: where the trait is among the tokens (`None` for an inherent impl) and the self
    /// type's name.
    target: Option<(Option<std::ops::Range<usize>>, String)>,
}

/// Cuts a stream of items (a file, or a module's body) into items.
///
/// An item ends with its `;` or, for items whose body is a block (struct, enum, union, impl, mod, fn, trait,
/// macro), with that `{ … }` group. Inner attributes (`#![…]`) come out as items of their own, so the
/// order of everything is kept.
pub(crate) fn split(stream: TokenStream) -> Vec<Item> {
    let mut items = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut kind: Option<String> = None;
    let mut iter = stream.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let ends = match &tt {
            TokenTree::Punct(p) if p.as_char() == ';' => true,
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                kind.as_deref()
                    .is_some_and(|k| !matches!(k, "use" | "const" | "static" | "type" | "extern"))
                    || kind.is_none()
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket && kind.is_none() => {
                // `#![…]` (inner attribute): `#`, `!`, then this group.
                let inner = current.len() >= 2
                    && matches!(&current[current.len() - 1], TokenTree::Punct(p) if p.as_char() == '!')
                    && matches!(&current[current.len() - 2], TokenTree::Punct(p) if p.as_char() == '#');
                inner && current.len() == 2
            }
            TokenTree::Ident(i) if kind.is_none() || kind.as_deref() == Some("const") => {
                let text = i.to_string();
                // `const fn` is a function, whose block ends it.
                if kind.is_none() && KINDS.contains(&text.as_str()) || text == "fn" {
                    kind = Some(text);
                }
                false
            }
            _ => false,
        };
        current.push(tt);
        if ends {
            // `const X: T = T { … };` and `macro! { … };`: the `;` after a block belongs to the item.
            if matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
                && matches!(kind.as_deref(), Some("const" | "static") | None)
                && let Some(semi) = iter.next()
            {
                current.push(semi);
            }
            items.push(Item::from_tokens(std::mem::take(&mut current)));
            kind = None;
        }
    }
    if !current.is_empty() {
        items.push(Item::from_tokens(current));
    }
    items
}

/// The tokens of `items`, in order.
pub(crate) fn join(items: Vec<Item>) -> TokenStream {
    items.into_iter().flat_map(|i| i.tokens).collect()
}

impl Item {
    /// An item from tokens already known to form one.
    pub(crate) fn new(tokens: TokenStream) -> Self {
        Self::from_tokens(tokens.into_iter().collect())
    }

    fn from_tokens(tokens: Vec<TokenTree>) -> Self {
        let head = Head::read(&tokens);
        Self {
            tokens,
            head,
            text: OnceCell::new(),
            trait_text: OnceCell::new(),
        }
    }

    /// The item as source text, spaced exactly as proc_macro2 prints it (printed once, then kept).
    pub(crate) fn text(&self) -> &str {
        self.text.get_or_init(|| print_tokens(&self.tokens))
    }

    /// Appends the item's source text to `out`: the kept text if a stage printed it, else printed straight
    /// into `out`.
    fn write_to(&self, out: &mut String) {
        match self.text.get() {
            Some(text) => out.push_str(text),
            None => write_tokens(&self.tokens, out),
        }
    }

    /// Whether the item ends with a joint punctuation (no space after it when printed).
    fn ends_joint(&self) -> bool {
        text::ends_joint(&self.tokens)
    }

    /// The item's tokens.
    pub(crate) fn stream(&self) -> TokenStream {
        self.tokens.iter().cloned().collect()
    }

    /// The item's tokens, borrowed.
    pub(crate) fn tokens(&self) -> &[TokenTree] {
        &self.tokens
    }

    /// The item's kind: its keyword.
    pub(crate) fn kind(&self) -> Option<&'static str> {
        self.head.kind
    }

    /// The name after the item's keyword (`struct Name`, `mod name`), if there is one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.head.name.as_deref()
    }

    /// Whether the item is `kind` named `name` (`("mod", "types")`, `("struct", "Business")`).
    pub(crate) fn is(&self, kind: &str, name: &str) -> bool {
        self.head.kind == Some(kind) && self.head.name.as_deref() == Some(name)
    }

    /// The block that ends the item (`{ … }`), if it has one.
    pub(crate) fn body(&self) -> Option<&Group> {
        match self.tokens.last() {
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => Some(g),
            _ => None,
        }
    }

    /// Replaces the block that ends the item.
    pub(crate) fn set_body(&mut self, stream: TokenStream) {
        if let Some(TokenTree::Group(old)) = self.tokens.last_mut()
            && old.delimiter() == Delimiter::Brace
        {
            let mut group = Group::new(Delimiter::Brace, stream);
            group.set_span(old.span());
            *old = group;
            self.text = OnceCell::new();
        }
    }

    /// Takes the block that ends the item, leaving `{ }` in its place. The block's tokens come out as they
    /// are, without the copy that [`Group::stream`] makes of a group that lives on: splitting a large block
    /// (`mod types`) then moves its tokens instead of copying them.
    pub(crate) fn take_body(&mut self) -> Option<TokenStream> {
        let Some(TokenTree::Group(old)) = self.tokens.last_mut() else {
            return None;
        };
        if old.delimiter() != Delimiter::Brace {
            return None;
        }
        let mut empty = Group::new(Delimiter::Brace, TokenStream::new());
        empty.set_span(old.span());
        let old = std::mem::replace(old, empty);
        self.text = OnceCell::new();
        // `old` is dropped on return, so the stream is the tokens' only owner.
        Some(old.stream())
    }

    /// For an `impl` block: the self type's name, and whether the impl is inherent (no trait). Unlike
    /// [`Item::impl_target`], this prints nothing: most impls are looked at only for their self type.
    pub(crate) fn impl_self(&self) -> Option<(&str, bool)> {
        let (tr, ty) = self.head.target.as_ref()?;
        Some((ty.as_str(), tr.is_none()))
    }

    /// For an `impl` block: `(trait, self type)` as text; the trait is `None` for an inherent impl.
    ///
    /// Only plain self types are recognised: `impl … for Name {` and `impl<…> Name<…> {`.
    pub(crate) fn impl_target(&self) -> Option<(Option<&str>, &str)> {
        let (tr, ty) = self.head.target.as_ref()?;
        let tr = tr.as_ref().map(|range| {
            self.trait_text
                .get_or_init(|| print_tokens(&self.tokens[range.clone()]))
                .as_str()
        });
        Some((tr, ty.as_str()))
    }

    /// Every identifier in the item, nested groups included (read from [`Item::text`]).
    pub(crate) fn idents(&self) -> BTreeSet<String> {
        self.ident_texts().map(str::to_owned).collect()
    }

    /// Every identifier in the item, in order, repeats included, borrowed from [`Item::text`].
    pub(crate) fn ident_texts(&self) -> impl Iterator<Item = &str> {
        text::idents(self.text())
    }
}

impl Head {
    /// Reads an item's head: the first keyword after the attributes (`#[…]`, doc comments), the identifier
    /// after it, and for an impl its trait and self type.
    fn read(tokens: &[TokenTree]) -> Self {
        let mut start = 0;
        while matches!(tokens.get(start), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
            let bang =
                matches!(tokens.get(start + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
            start += if bang { 3 } else { 2 };
        }
        let found = tokens
            .iter()
            .enumerate()
            .skip(start)
            .find_map(|(i, tt)| match tt {
                TokenTree::Ident(id) => KINDS.iter().find(|k| id == *k).map(|k| (i, *k)),
                _ => None,
            });
        let Some((at, kind)) = found else {
            return Self::default();
        };
        let name = match tokens.get(at + 1) {
            Some(TokenTree::Ident(n)) => Some(n.to_string()),
            _ => None,
        };
        let target = if kind == "impl" {
            tokens
                .len()
                .checked_sub(1)
                .filter(|end| at < *end)
                .and_then(|end| impl_target(&tokens[at + 1..end], at + 1))
        } else {
            None
        };
        Self {
            kind: Some(kind),
            name,
            target,
        }
    }
}

/// `(trait, self type)` of an impl whose head (between `impl` and its block) is `head`, found at `offset`
/// among the item's tokens; the trait as the range of its tokens there (printed only when asked for: most
/// impls are never asked).
fn impl_target(
    head: &[TokenTree],
    offset: usize,
) -> Option<(Option<std::ops::Range<usize>>, String)> {
    let generics = head.len() - skip_generics(head).len();
    let head = &head[generics..];
    let start = offset + generics;
    let for_at = head
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "for"));
    match for_at {
        Some(at) => {
            let self_name = path_name(&head[at + 1..])?;
            Some((Some(start..start + at), self_name))
        }
        None => Some((None, path_name(head)?)),
    }
}

/// The last segment of the type path that starts `tokens` (`super :: X` → `X`, `Foo < 'a >` → `Foo`).
fn path_name(tokens: &[TokenTree]) -> Option<String> {
    tokens
        .iter()
        .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == '<'))
        .filter_map(|t| match t {
            TokenTree::Ident(id) => Some(id.to_string()),
            _ => None,
        })
        .last()
}

/// `head` without a leading `<…>` generics list.
fn skip_generics(head: &[TokenTree]) -> &[TokenTree] {
    if !matches!(head.first(), Some(TokenTree::Punct(p)) if p.as_char() == '<') {
        return head;
    }
    let mut depth = 0usize;
    for (i, t) in head.iter().enumerate() {
        if let TokenTree::Punct(p) = t {
            match p.as_char() {
                '<' => depth += 1,
                '>' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return &head[i + 1..];
                    }
                }
                _ => {}
            }
        }
    }
    head
}

/// In a block's tokens, the text of the return type of `fn name(…) -> T {`, if such a function is there.
pub(crate) fn return_type_of(tokens: &[TokenTree], name: &str) -> Option<String> {
    let at = tokens.windows(3).position(|w| {
        matches!(&w[0], TokenTree::Ident(f) if f == "fn")
            && matches!(&w[1], TokenTree::Ident(n) if n == name)
            && matches!(&w[2], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
    })?;
    let rest = &tokens[at + 3..];
    let arrow = matches!(rest.first(), Some(TokenTree::Punct(p)) if p.as_char() == '-')
        && matches!(rest.get(1), Some(TokenTree::Punct(p)) if p.as_char() == '>');
    if !arrow {
        return None;
    }
    let len = rest[2..]
        .iter()
        .take_while(|t| !matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
        .count();
    Some(print_tokens(&rest[2..2 + len]))
}

/// `tokens` printed as proc_macro2 prints them, without copying them into a stream first.
pub(crate) fn print_tokens(tokens: &[TokenTree]) -> String {
    let mut out = String::new();
    write_tokens(tokens, &mut out);
    out
}

/// Names of the functions defined directly in a block (`fn name`), in order.
pub(crate) fn fn_names(block: &TokenStream) -> Vec<String> {
    let tokens: Vec<TokenTree> = block.clone().into_iter().collect();
    tokens
        .windows(2)
        .filter_map(|w| match (&w[0], &w[1]) {
            (TokenTree::Ident(f), TokenTree::Ident(n)) if f == "fn" => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// Parses code a stage emitted itself (small), so that a mistake in it is reported here, naming the spec
/// `file`, rather than by rustc in the user's build.
pub(crate) fn check_parses(file: &str, tokens: &TokenStream) -> Result<(), crate::BuildError> {
    syn::parse2::<syn::File>(tokens.clone())
        .map(drop)
        .map_err(|e| {
            crate::BuildError::new(
                file,
                crate::Location::Input,
                format!("support code does not parse: {e}"),
            )
        })
}

/// The outer attributes (`#` and `[…]`) that start `tokens`, and what follows them.
pub(crate) fn outer_attrs(tokens: &[TokenTree]) -> (Vec<(&TokenTree, &Group)>, &[TokenTree]) {
    let mut attrs = Vec::new();
    let mut rest = tokens;
    while let [pound @ TokenTree::Punct(p), TokenTree::Group(g), after @ ..] = rest
        && p.as_char() == '#'
        && g.delimiter() == Delimiter::Bracket
    {
        attrs.push((pound, g));
        rest = after;
    }
    (attrs, rest)
}

/// Whether `first :: second` appears anywhere in `tokens`, nested groups included.
pub(crate) fn mentions_path(tokens: &[TokenTree], first: &str, second: &str) -> bool {
    let colon = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == ':');
    tokens.iter().enumerate().any(|(i, t)| match t {
        TokenTree::Group(g) => {
            let inner: Vec<TokenTree> = g.stream().into_iter().collect();
            mentions_path(&inner, first, second)
        }
        TokenTree::Ident(id) if id == first => matches!(
            &tokens[i + 1..],
            [a, b, TokenTree::Ident(mid), ..] if colon(a) && colon(b) && mid == second
        ),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn items_are_cut_at_their_end() {
        let items = split(quote! {
            #![allow(unused)]
            use a::b;
            /// Doc.
            #[derive(Debug)]
            pub struct A { x: u8 }
            pub struct B(u8);
            const C: A = A { x: 1 };
            impl<'a> ::std::fmt::Display for A { fn fmt(&self) {} }
            impl<'a> Builder<'a> { pub async fn send(self) -> Result<ResponseValue<types::A>, E> { todo!() } }
            pub mod types { pub enum E { X } }
            macro_rules! m { () => {} }
        });
        let kinds: Vec<Option<&str>> = items.iter().map(Item::kind).collect();
        let want = [
            None,
            Some("use"),
            Some("struct"),
            Some("struct"),
            Some("const"),
            Some("impl"),
            Some("impl"),
            Some("mod"),
            Some("macro_rules"),
        ];
        assert_eq!(kinds, want);
        assert!(items[2].is("struct", "A"));
        assert!(items[7].is("mod", "types"));
        assert_eq!(
            items[5].impl_target(),
            Some((Some(":: std :: fmt :: Display"), "A"))
        );
        assert_eq!(items[6].impl_target(), Some((None, "Builder")));
        let from = split(quote! { impl ::std::convert::From<X> for super::X {} });
        assert_eq!(from[0].impl_target().map(|t| t.1), Some("X"));
        let body = items[6].body().map(Group::stream).unwrap_or_default();
        assert_eq!(fn_names(&body), ["send"]);
        assert_eq!(
            return_type_of(&body.into_iter().collect::<Vec<_>>(), "send")
                .map(|t| t.replace(' ', "")),
            Some("Result<ResponseValue<types::A>,E>".to_owned())
        );
        assert!(mentions_path(items[6].tokens(), "types", "A"));
        assert!(!mentions_path(items[6].tokens(), "types", "B"));
        let joined = join(items.clone()).to_string();
        assert!(joined.starts_with("# ! [allow (unused)] use a :: b ;"));
    }

    #[test]
    fn the_head_is_read_once_when_the_item_is_made() {
        let items = split(quote! {
            #[doc = "x"] pub const fn f() {}
            impl<T> Trait<T> for super::Name<T> { fn g() {} }
        });
        assert_eq!(
            items[0].head,
            Head {
                kind: Some("const"),
                name: Some("fn".to_owned()),
                target: None
            }
        );
        assert_eq!(items[1].impl_target(), Some((Some("Trait < T >"), "Name")));
        // The head outlives a new body, and a bare `impl` has no target rather than a panic.
        let mut item = items[1].clone();
        item.set_body(quote! {});
        assert_eq!(item.head, items[1].head);
        let bare = Item::new(quote! { impl });
        assert_eq!(bare.kind(), Some("impl"));
        assert_eq!(bare.impl_target(), None);
    }

    #[test]
    fn a_body_can_be_replaced() {
        let mut items = split(quote! { pub mod types { pub struct A; } });
        items[0].set_body(quote! { pub struct B; });
        assert_eq!(join(items).to_string(), "pub mod types { pub struct B ; }");
    }
}
