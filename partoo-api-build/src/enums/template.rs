//! The opened enums' impls as text: [`impls`] printed once per run with marker names, and filled per enum.

use proc_macro2::{Ident, Span};
use quote::quote;

use super::impls;

/// [`impls`] printed once per run with marker names, cut at the markers, and filled per enum: printing the
/// same impls again for each of a hundred enums (building the tokens, then printing them) was most of this
/// stage. The text is byte for byte what printing [`impls`]' tokens for that enum gives (a test holds it).
pub(super) struct Template(Vec<Piece>);

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
pub(super) const NAME: &str = "__OpenEnumName__";
pub(super) const UNKNOWN: &str = "__OpenEnumUnknown__";
const VARIANT: &str = "__OpenEnumVariant__";
const WIRE: &str = "__open_enum_wire__";

impl Template {
    pub(super) fn new() -> Self {
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
    pub(super) fn fill(
        &self,
        out: &mut String,
        name: &Ident,
        unknown: &Ident,
        values: &[(Ident, String)],
    ) {
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
