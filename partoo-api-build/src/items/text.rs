//! Items as source text: printing them exactly as proc_macro2 prints their tokens ([`Printer`]), and
//! reading identifiers and paths back from that text ([`idents`], [`names_after`]).
//!
//! The text is what [`crate::print`] writes anyway, so a stage that searches an item's text (see
//! [`super::Item::text`]) does not pay for it twice. Reading it back is a small lexer over that one spacing:
//! string, byte-string, raw-string and character literals are skipped whole, so an identifier or path that
//! appears only in a doc comment or a string does not count, as it would not among the tokens.

use std::fmt::Write as _;

use proc_macro2::{Delimiter, Spacing, TokenTree};

use super::Item;

/// Appends `tokens` to `out` as proc_macro2 prints a stream of them: one space between two tokens, none after
/// a joint punctuation (`::`, `=>`, `'a`).
pub(super) fn write_tokens(tokens: &[TokenTree], out: &mut String) {
    let mut joint = false;
    for (i, tt) in tokens.iter().enumerate() {
        if i != 0 && !joint {
            out.push(' ');
        }
        joint = ends_joint(std::slice::from_ref(tt));
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{tt}");
    }
}

/// Whether `tokens` end with a joint punctuation (printed with no space after it).
pub(super) fn ends_joint(tokens: &[TokenTree]) -> bool {
    matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.spacing() == Spacing::Joint)
}

/// Prints items into one source text, byte for byte as printing the token stream they form would, so that a
/// block whose items a stage changed is printed from its items without being put back into tokens.
pub(crate) struct Printer {
    out: String,
    /// The last token written was a joint punctuation.
    joint: bool,
    /// Nothing was written yet in the current stream (the file, or the block being filled).
    empty: bool,
}

impl Printer {
    /// A printer with nothing written.
    pub(crate) fn new() -> Self {
        Self {
            out: String::new(),
            joint: false,
            empty: true,
        }
    }

    /// The space that separates the next token from the last one, if any.
    fn separate(&mut self) {
        if !self.empty && !self.joint {
            self.out.push(' ');
        }
        self.empty = false;
    }

    /// Writes one item.
    pub(crate) fn item(&mut self, item: &Item) {
        if item.tokens.is_empty() {
            return;
        }
        self.separate();
        item.write_to(&mut self.out);
        self.joint = item.ends_joint();
    }

    /// Writes source text that is a whole number of tokens, printed as proc_macro2 prints them, ending with a
    /// token that is not a joint punctuation.
    pub(crate) fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.separate();
        self.out.push_str(text);
        self.joint = false;
    }

    /// Writes `item` with its block (`{ … }`) filled by `fill` instead of the block it has; an item without
    /// a block is written as it is, and `fill` is not called.
    pub(crate) fn block(&mut self, item: &Item, fill: impl FnOnce(&mut Self)) {
        let Some((TokenTree::Group(g), head)) = item.tokens.split_last() else {
            return self.item(item);
        };
        if g.delimiter() != Delimiter::Brace {
            return self.item(item);
        }
        self.separate();
        write_tokens(head, &mut self.out);
        if !head.is_empty() && !ends_joint(head) {
            self.out.push(' ');
        }
        self.out.push_str("{ ");
        self.empty = true;
        self.joint = false;
        fill(self);
        if !self.empty {
            self.out.push(' ');
        }
        self.out.push('}');
        self.empty = false;
        self.joint = false;
    }

    /// The text written.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Every identifier of `text` (printed tokens), in order, literals skipped; a raw identifier keeps its
/// `r#`, as `Ident::to_string` does.
pub(super) fn idents(text: &str) -> impl Iterator<Item = &str> {
    Lexer { text, at: 0 }.filter_map(|t| match t {
        Tok::Ident(word) => Some(word),
        _ => None,
    })
}

/// Every `X` in `first :: second :: X` in `text` (printed tokens), literals skipped.
pub(crate) fn names_after<'a>(text: &'a str, first: &str, second: &str) -> Vec<&'a str> {
    // Most items do not have the path at all: a plain search (fast) says so before the lexer (slower) runs.
    if !text.contains(&format!("{first} :: {second} ::")) {
        return Vec::new();
    }
    let tokens: Vec<Tok<'a>> = Lexer { text, at: 0 }.collect();
    let colons = |at: usize| {
        matches!(tokens.get(at), Some(Tok::Punct(b':')))
            && matches!(tokens.get(at + 1), Some(Tok::Punct(b':')))
    };
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        if *tok == Tok::Ident(first)
            && colons(i + 1)
            && tokens.get(i + 3) == Some(&Tok::Ident(second))
            && colons(i + 4)
            && let Some(Tok::Ident(name)) = tokens.get(i + 6)
        {
            out.push(*name);
        }
    }
    out
}

/// One token of printed source, as far as [`idents`] and [`names_after`] need to tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'a> {
    /// An identifier or keyword.
    Ident(&'a str),
    /// A punctuation or delimiter byte.
    Punct(u8),
    /// A literal (string, character, number), skipped whole.
    Literal,
}

/// The tokens of printed source, in order.
struct Lexer<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Tok<'a>;

    fn next(&mut self) -> Option<Tok<'a>> {
        let bytes = self.text.as_bytes();
        while bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
        let start = self.at;
        let first = *bytes.get(start)?;
        if first == b'"' {
            self.at = string_end(bytes, start + 1);
            return Some(Tok::Literal);
        }
        if first == b'\'' {
            return Some(match char_literal_end(bytes, start) {
                Some(end) => {
                    self.at = end;
                    Tok::Literal
                }
                // A lifetime or label: the quote, then its name.
                None => {
                    self.at += 1;
                    Tok::Punct(b'\'')
                }
            });
        }
        if !is_word(first) {
            self.at += 1;
            return Some(Tok::Punct(first));
        }
        self.at = word_end(bytes, start);
        let word = &self.text[start..self.at];
        if first.is_ascii_digit() {
            return Some(Tok::Literal);
        }
        // Literal prefixes (`b"…"`, `b'…'`, `c"…"`, `r"…"`, `r#"…"#`, `br"…"`) and raw identifiers.
        match (word, bytes.get(self.at)) {
            ("b" | "c", Some(b'"')) => {
                self.at = string_end(bytes, self.at + 1);
                return Some(Tok::Literal);
            }
            ("b", Some(b'\'')) => {
                if let Some(end) = char_literal_end(bytes, self.at) {
                    self.at = end;
                    return Some(Tok::Literal);
                }
            }
            ("r" | "br" | "cr", Some(b'"' | b'#')) => {
                if let Some(end) = raw_string_end(bytes, self.at) {
                    self.at = end;
                    return Some(Tok::Literal);
                }
                if word == "r" && bytes.get(self.at + 1).is_some_and(|b| is_word(*b)) {
                    self.at = word_end(bytes, self.at + 1);
                    return Some(Tok::Ident(&self.text[start..self.at]));
                }
            }
            _ => {}
        }
        Some(Tok::Ident(word))
    }
}

/// A byte of an identifier or number (any byte of a non-ASCII character counts: outside literals, only
/// identifiers have them).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Where the run of word bytes from `from` ends.
fn word_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while bytes.get(at).is_some_and(|b| is_word(*b)) {
        at += 1;
    }
    at
}

/// The end (past the closing quote) of a string literal whose contents start at `from`.
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// The end of the character literal that starts with the quote at `quote`, or `None` when the quote starts
/// a lifetime or label (`'a`, `'de`).
fn char_literal_end(bytes: &[u8], quote: usize) -> Option<usize> {
    let next = *bytes.get(quote + 1)?;
    if next == b'\\' {
        // `'\''`, `'\\'`, `'\n'`, `'\u{1f}'`: the escaped byte, then up to the closing quote.
        let close = bytes[quote + 3..].iter().position(|b| *b == b'\'')?;
        return Some(quote + 3 + close + 1);
    }
    let width = match next {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    };
    (bytes.get(quote + 1 + width) == Some(&b'\'')).then_some(quote + 2 + width)
}

/// The end of the raw string whose `#`s or opening quote start at `from`, or `None` if there is none.
fn raw_string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let hashes = bytes[from..].iter().take_while(|b| **b == b'#').count();
    if bytes.get(from + hashes) != Some(&b'"') {
        return None;
    }
    let mut at = from + hashes + 1;
    while at < bytes.len() {
        if bytes[at] == b'"'
            && bytes[at + 1..]
                .iter()
                .take(hashes)
                .filter(|b| **b == b'#')
                .count()
                == hashes
        {
            return Some(at + 1 + hashes);
        }
        at += 1;
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use quote::quote;

    use super::super::{Item, split};
    use super::*;

    /// What the token-level reading gives, to compare the text-level one with.
    fn token_idents(tokens: proc_macro2::TokenStream, out: &mut BTreeSet<String>) {
        for t in tokens {
            match t {
                TokenTree::Ident(id) => {
                    out.insert(id.to_string());
                }
                TokenTree::Group(g) => token_idents(g.stream(), out),
                _ => {}
            }
        }
    }

    #[test]
    fn identifiers_are_read_back_as_the_tokens_have_them() {
        let item = Item::new(quote! {
            /// A doc naming `Business` and "types::builder::Fake".
            #[serde(rename = "r#x", default = "b")]
            pub struct S<'de> {
                r#type: &'de str,
                c: char,
                q: [u8; 2],
                n: f64,
            }
            const X: (char, char, char, &[u8], &str, u32) =
                ('a', '\'', '\u{e9}', b"b\"q", r#"raw "Hidden" here"#, 1_000u32);
            fn f<'a>(x: &'a str) -> f64 { 'outer: loop { break 'outer 1.5e3 } }
        });
        let mut want = BTreeSet::new();
        token_idents(item.stream(), &mut want);
        assert_eq!(item.idents(), want);
        assert!(item.idents().contains("r#type") && !item.idents().contains("Hidden"));
        assert!(!item.idents().contains("Business"));
    }

    #[test]
    fn the_printer_prints_as_proc_macro2_does() {
        let stream = quote! {
            #![allow(unused)]
            pub mod types { pub struct A<'a>(&'a str); impl X for A<'_> { fn f() -> u8 { 'x' as u8 } } }
            pub mod empty {}
            const C: A = A { x: 1 };
            m! { a => b };
            x::y!();
        };
        let items = split(stream.clone());
        let mut printer = Printer::new();
        for item in &items {
            if item.is("mod", "types") {
                let inner = split(
                    item.body()
                        .map(proc_macro2::Group::stream)
                        .unwrap_or_default(),
                );
                printer.block(item, |p| inner.iter().for_each(|i| p.item(i)));
            } else if item.is("mod", "empty") {
                printer.block(item, |_| {});
            } else {
                printer.item(item);
            }
        }
        assert_eq!(printer.finish(), stream.to_string());
        let mut replaced = Printer::new();
        replaced.block(&items[1], |p| p.text("struct B ;"));
        replaced.item(&items[2]);
        assert_eq!(
            replaced.finish(),
            "pub mod types { struct B ; } pub mod empty { }"
        );
    }

    #[test]
    fn paths_are_found_in_code_not_in_docs() {
        let item = Item::new(quote! {
            /// Uses types::builder::Doc.
            fn f(b: Result<types::builder::A, S>, c: types::builder::B) -> types::C { "types :: builder :: D" }
        });
        assert_eq!(names_after(item.text(), "types", "builder"), ["A", "B"]);
    }
}
