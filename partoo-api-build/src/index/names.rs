//! Names typify gave that the document and the generated code disagree on: two types of one name (rustc
//! refuses them), or an inline schema given another schema's type (rustc accepts it, and the schema's own
//! fields are lost). Both are read off `mod types` right after it is split.

use std::collections::{BTreeSet, HashSet};

use proc_macro2::{Delimiter, TokenTree};
use serde_json::Value;

use crate::error::{BuildError, Location, pointer_push};
use crate::items::Item;
use crate::operation::{Case, typify_ident};
use crate::walk::for_each_schema;

/// Names typify's own code in `mod types` uses without a path (`Default::default()` in struct builders,
/// `Ok(…)` and `Err(…)` in `FromStr` and `TryFrom` impls): a type of that name there shadows the prelude's,
/// when such code is there ([`names_bare`]).
const SHADOWING: &[&str] = &["Default", "Ok", "Err"];

/// What [`check_type_names`] looks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameCheck {
    /// Two types of one name (right after generation).
    Twice,
    /// A type named like a prelude item the code of `mod types` names bare (once the struct builders left
    /// are known: without request bodies there are none, and no `Default::default()`).
    Prelude,
}

/// Refuses generated code with two types of one name in `mod types`, or a type named like a prelude item
/// typify's code there names bare ([`SHADOWING`]) when it does; neither compiles. typify makes two of one
/// name when two components have the same name in UpperCamelCase (`foo_bar`, `FooBar`), or when it names an
/// inline schema after its place (property `bar` of `Root` gives `RootBar`) and a component already has that
/// name. The error points at the components of that name.
pub(crate) fn check_type_names(
    file: &str,
    types: &[Item],
    doc: &Value,
    check: NameCheck,
) -> Result<(), BuildError> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut names = types
        .iter()
        .filter(|item| matches!(item.kind(), Some("struct" | "enum" | "type")))
        .filter_map(Item::name);
    let found = names.find(|name| match check {
        NameCheck::Twice => !seen.insert(name),
        NameCheck::Prelude => {
            SHADOWING.contains(name) && types.iter().any(|item| names_bare(item.tokens(), name))
        }
    });
    let Some(name) = found else {
        return Ok(());
    };
    let twice = check == NameCheck::Twice;
    let components: Vec<String> = crate::walk::component_schema_names(doc)
        .into_iter()
        .filter(|c| typify_ident(c, Case::Pascal) == name)
        .collect();
    let pointers: Vec<String> = components
        .iter()
        .map(|c| format!("#{}", pointer_push("/components/schemas", c)))
        .collect();
    let at = |pointer: &str| Location::Pointer(pointer[1..].to_owned());
    let (location, message) = match (pointers.as_slice(), twice) {
        ([], true) => (
            Location::Input,
            format!(
                "two inline schemas typify names after their places: each becomes the type `types::{name}`"
            ),
        ),
        ([one], true) => (
            at(one),
            format!(
                "component {one} and an inline schema typify names after its place: each becomes the type `types::{name}`"
            ),
        ),
        (many, true) => (
            at(&many[0]),
            format!(
                "components {}: each becomes the type `types::{name}`",
                many.join(", ")
            ),
        ),
        ([], false) => (
            Location::Input,
            format!(
                "an inline schema typify names after its place becomes the type `types::{name}`, which hides the prelude's `{name}`"
            ),
        ),
        (some, false) => (
            at(&some[0]),
            format!(
                "component {} becomes the type `types::{name}`, which hides the prelude's `{name}` typify's code names there",
                some.join(", ")
            ),
        ),
    };
    Err(BuildError::new(
        file,
        location,
        format!("{message}, and the generated code would not compile"),
    )
    .with_hint(
        "rename the component so that its UpperCamelCase name is its own and no prelude name (an inline \
         schema is named parent type + property name)",
    ))
}

/// Whether `tokens` (nested groups included) name `name` as the start of a path or a call, without a path
/// before it: `Default::default()`, `Ok(…)`; not `::std::result::Result::Ok(…)` nor `#[derive(Default)]`.
fn names_bare(tokens: &[TokenTree], name: &str) -> bool {
    tokens.iter().enumerate().any(|(at, token)| match token {
        TokenTree::Group(g) => names_bare(&g.stream().into_iter().collect::<Vec<_>>(), name),
        TokenTree::Ident(id) if id == name => {
            let after_path = at > 0 && matches!(&tokens[at - 1], TokenTree::Punct(p) if p.as_char() == ':');
            let called = matches!(tokens.get(at + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
            let path = matches!(tokens.get(at + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
            !after_path && (called || path)
        }
        _ => false,
    })
}

/// The inline objects of a document [`check_inline_types`] checks, each as its JSON pointer and its names key
/// (and the components' type names)
/// ([`schema_names`]): its own `properties` (and `required`), no `allOf`, `oneOf` or `anyOf`, not a member of
/// such a list (typify merges those, or may inline them), not a component (a component always gets a type
/// of its own), and in a place progenitor makes types of ([`is_typed`]). It reads only the document, so the
/// pipeline runs it on its second thread while progenitor runs, on a copy (the walk lends schemas mutably).
pub(crate) fn inline_objects(doc: &mut Value) -> InlineObjects {
    let components = crate::walk::component_schema_names(doc)
        .iter()
        .map(|c| typify_ident(c, Case::Pascal))
        .collect();
    let mut found = Vec::new();
    for_each_schema(doc, &mut |ptr, schema| {
        let Some(obj) = schema.as_object() else {
            return;
        };
        let (mut properties, mut composed) = (false, false);
        for key in obj.keys() {
            match key.len() {
                5 => composed |= matches!(key.as_str(), "allOf" | "oneOf" | "anyOf"),
                10 => properties |= key == "properties",
                _ => {}
            }
        }
        if !properties || composed {
            return;
        }
        let names = schema_names(obj);
        if names.is_empty() {
            return;
        }
        let pointer = ptr.to_string();
        if is_typed(&pointer) && !is_component(&pointer) && !is_member(&pointer) {
            found.push((pointer, names));
        }
    });
    InlineObjects {
        objects: found,
        components,
    }
}

/// What [`inline_objects`] found in a document.
pub(crate) struct InlineObjects {
    /// Each inline object's JSON pointer and its names key.
    objects: Vec<(String, String)>,
    /// The type names typify gives the components.
    components: HashSet<String>,
}

/// Refuses an inline object schema that has no generated struct with its fields. typify names an inline
/// schema after its place (property `bar2` of `Root` gives `RootBar2`, and so does `bar_2`); when a second
/// inline schema gets a name already taken, typify gives it the first one's type without a word, and the
/// fields of the second are lost on decoding. Each object of `inline` ([`inline_objects`]) must find a struct
/// in `types`, other than a component's, whose JSON names are exactly its names.
pub(crate) fn check_inline_types(
    file: &str,
    types: &[Item],
    inline: &InlineObjects,
) -> Result<(), BuildError> {
    // The structs of inline schemas: a component's own type is never given to one.
    let components = &inline.components;
    // Each struct's JSON names, sorted and joined by a line break, as the schema side is: one string per
    // schema to look up.
    let structs: HashSet<String> = types
        .iter()
        .filter(|item| item.kind() == Some("struct"))
        .filter(|item| item.name().is_some_and(|n| !components.contains(n)))
        .filter_map(json_names)
        .map(|names| names.join("\n"))
        .collect();
    let lost = inline
        .objects
        .iter()
        .find(|(_, names)| !structs.contains(names));
    let Some((pointer, names)) = lost else {
        return Ok(());
    };
    Err(BuildError::at_pointer(
        file,
        pointer,
        format!(
            "this inline object (properties {}) has no generated type of its own: typify named it like \
             another inline schema and gave it that schema's type, so its own fields would be lost",
            names.replace('\n', ", ")
        ),
    )
    .with_hint(
        "typify names an inline schema after its parent type and its property (`bar2` and `bar_2` of `Root` \
         are both `RootBar2`): move one of them to a component, or give it a `title` of its own",
    ))
}

/// The names typify makes fields of, `properties` and `required`, sorted, once each, joined by a line break
/// (the form of the keys of the struct set).
fn schema_names(obj: &serde_json::Map<String, Value>) -> String {
    let mut names: Vec<&str> = obj
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .collect();
    names.extend(
        obj.get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str),
    );
    names.sort_unstable();
    names.dedup();
    names.join("\n")
}

/// Whether progenitor makes types of the schemas at `pointer`: component schemas, and in operations the
/// parameters and the JSON or form bodies (a body of another media type is bytes, with no type).
fn is_typed(pointer: &str) -> bool {
    if pointer.starts_with("/components/schemas/") {
        return true;
    }
    let Some(in_paths) = pointer.strip_prefix("/paths/") else {
        return false;
    };
    match in_paths.split_once("/content/") {
        Some((_, rest)) => {
            let media = rest
                .split('/')
                .next()
                .unwrap_or_default()
                .replace("~1", "/");
            media == "application/json"
                || media.ends_with("+json")
                || media == "application/x-www-form-urlencoded"
        }
        None => in_paths.contains("/parameters/"),
    }
}

/// `/components/schemas/<name>` itself.
fn is_component(pointer: &str) -> bool {
    pointer
        .strip_prefix("/components/schemas/")
        .is_some_and(|rest| !rest.contains('/'))
}

/// A member of an `allOf`, `oneOf` or `anyOf` list (`…/oneOf/2`): merged into its parent's type, or perhaps
/// a variant of it.
fn is_member(pointer: &str) -> bool {
    let Some((list, index)) = pointer.rsplit_once('/') else {
        return false;
    };
    index.parse::<usize>().is_ok()
        && ["/allOf", "/oneOf", "/anyOf"]
            .iter()
            .any(|l| list.ends_with(l))
}

/// The JSON names of a struct's named fields, sorted: each field's `#[serde(rename = "…")]` or its
/// identifier (`r#` dropped); a `#[serde(flatten)]` field (typify's `extra` map) has none. `None` for a
/// tuple or unit struct.
fn json_names(item: &Item) -> Option<Vec<String>> {
    let tokens: Vec<TokenTree> = item.body()?.stream().into_iter().collect();
    let mut names = Vec::new();
    let (mut rename, mut flatten) = (None, false);
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(attr)) = tokens.get(i + 1) {
                    read_serde(attr, &mut rename, &mut flatten);
                }
                i += 2;
            }
            TokenTree::Ident(id) if id == "pub" => {
                i += 1;
                // `pub(crate)`
                if matches!(tokens.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                {
                    i += 1;
                }
            }
            TokenTree::Ident(id) => {
                let field = id.to_string();
                let field = field.strip_prefix("r#").unwrap_or(&field).to_owned();
                if !flatten {
                    names.push(rename.take().unwrap_or(field));
                }
                (rename, flatten) = (None, false);
                // The type runs to the next `,` outside `<…>`.
                let mut depth = 0usize;
                i += 1;
                while let Some(t) = tokens.get(i) {
                    i += 1;
                    match t {
                        TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                        TokenTree::Punct(p) if p.as_char() == '>' => {
                            depth = depth.saturating_sub(1)
                        }
                        TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => break,
                        _ => {}
                    }
                }
            }
            _ => i += 1,
        }
    }
    names.sort();
    Some(names)
}

/// Reads `serde(rename = "…")` and `serde(flatten)` from an attribute's `[…]`.
fn read_serde(attr: &proc_macro2::Group, rename: &mut Option<String>, flatten: &mut bool) {
    let mut outer = attr.stream().into_iter();
    let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(args))) = (outer.next(), outer.next())
    else {
        return;
    };
    if name != "serde" {
        return;
    }
    let args: Vec<TokenTree> = args.stream().into_iter().collect();
    for (at, token) in args.iter().enumerate() {
        let TokenTree::Ident(key) = token else {
            continue;
        };
        if key == "flatten" {
            *flatten = true;
        } else if key == "rename"
            && let Some(TokenTree::Literal(lit)) = args.get(at + 2)
        {
            let lit = lit.to_string();
            // Most names need no unescaping; syn reads the others.
            *rename = match lit.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
                Some(plain) if !plain.contains('\\') => Some(plain.to_owned()),
                _ => syn::parse_str::<syn::LitStr>(&lit).ok().map(|l| l.value()),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_component, is_member, is_typed, json_names};
    use crate::items::Item;

    #[test]
    fn json_names_follow_renames_and_skip_flattened_maps() {
        let item = Item::new(quote::quote! {
            #[derive(Clone)]
            pub struct Root {
                #[serde(rename = "fooBar", default, skip_serializing_if = "::std::option::Option::is_none")]
                pub a: i64,
                #[serde(rename = "a\"b")]
                pub foo_bar: ::std::option::Option<::std::collections::HashMap<String, i64>>,
                #[doc = "x"]
                pub r#type: String,
                #[serde(flatten)]
                pub extra: ::std::collections::HashMap<String, String>,
                pub(crate) id: i64,
            }
        });
        assert_eq!(json_names(&item).unwrap(), ["a\"b", "fooBar", "id", "type"]);
        assert_eq!(
            json_names(&Item::new(quote::quote! { pub struct N(pub String); })),
            None
        );
    }

    #[test]
    fn only_places_progenitor_types_are_checked() {
        assert!(is_typed("/components/schemas/A/properties/b"));
        assert!(is_typed(
            "/paths/~1x/get/responses/2XX/content/application~1json/schema"
        ));
        assert!(is_typed(
            "/paths/~1x/get/responses/2XX/content/application~1problem+json/schema"
        ));
        assert!(is_typed(
            "/paths/~1y/post/requestBody/content/application~1x-www-form-urlencoded/schema"
        ));
        assert!(is_typed("/paths/~1x/get/parameters/0/schema"));
        assert!(!is_typed(
            "/paths/~1x/get/responses/2XX/content/application~1xml/schema"
        ));
        assert!(!is_typed(
            "/components/responses/401/content/application~1json/schema"
        ));
    }

    #[test]
    fn components_and_variants_are_told_apart() {
        assert!(is_component("/components/schemas/Root"));
        assert!(!is_component("/components/schemas/Root/properties/bar"));
        assert!(is_member("/components/schemas/U/oneOf/1"));
        assert!(is_member("/components/schemas/U/allOf/0"));
        assert!(!is_member("/components/schemas/U/oneOf/1/properties/a"));
        assert!(!is_member("/components/schemas/R/properties/oneOf"));
    }
}
