//! A mock's path regex must not take another operation's literal path for a parameter value.
//!
//! progenitor's `When::new` matches an operation's path template as a regex with `[^/]*` for each parameter:
//! `/user/{user_id}` becomes `^/user/[^/]*$`, which also matches `/user/me` and `/user/search`, paths that
//! Partoo (like any router) gives to other operations. A test mocking `get_user` then silently answered
//! `get_my_user` with its body. Every `When::new` gets one `path_not(path)` per literal path of another
//! operation with the same method that its template matches, in the pass of `rewrite_matchers` over the
//! wrapper's functions.
//!
//! Only literal siblings are excluded: a template that overlaps another template (`/a/{x}/b` and `/a/b/{y}`)
//! would need a negated regex, which httpmock lacks; Partoo's spec has no such pair.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;

use crate::error::BuildError;
use crate::items::Item;
use crate::operation::Operation;

/// The literal paths of `all`'s other operations with `op`'s method that `op`'s template matches: the same
/// number of segments, each equal to the template's or standing where it has a parameter.
pub(crate) fn literal_siblings<'a>(op: &Operation, all: &'a [Operation]) -> Vec<&'a str> {
    let template: Vec<&str> = op.path.split('/').collect();
    all.iter()
        .filter(|other| other.method.eq_ignore_ascii_case(&op.method) && other.path != op.path)
        .filter(|other| !other.path.contains('{'))
        .filter(|other| {
            let segments: Vec<&str> = other.path.split('/').collect();
            segments.len() == template.len()
                && template.iter().zip(&segments).all(|(t, s)| {
                    t == s || (t.starts_with('{') && t.ends_with('}') && !s.is_empty())
                })
        })
        .map(|other| other.path.as_str())
        .collect()
}

/// Adds `.path_not(path)` for each of [`literal_siblings`] of `op` to `fns`' `fn new` (the functions of
/// `op`'s `When` wrapper), whose body progenitor writes as `Self(inner.method(..).path_matches(..))`; any
/// other shape is an error naming the operation.
pub(super) fn exclude(
    file: &str,
    fns: &mut [Item],
    op: &Operation,
    all: &[Operation],
) -> Result<(), BuildError> {
    let siblings = literal_siblings(op, all);
    if siblings.is_empty() {
        return Ok(());
    }
    let fail = |found: &str| {
        BuildError::new(
            file,
            op.location(),
            format!(
                "mock `When::new`: expected `Self(inner.method(..).path_matches(..))`, found `{found}`"
            ),
        )
        .with_hint(
            "progenitor's mock code changed shape; adapt partoo-api-build/src/mock/siblings.rs so that \
             the mock still refuses the paths of other operations",
        )
    };
    let new = fns
        .iter_mut()
        .find(|f| f.is("fn", "new"))
        .ok_or_else(|| fail("no `fn new`"))?;
    let stream = new.body().map(Group::stream).unwrap_or_default();
    let tokens: Vec<TokenTree> = stream.clone().into_iter().collect();
    let [TokenTree::Ident(this), TokenTree::Group(args)] = tokens.as_slice() else {
        return Err(fail(&stream.to_string()));
    };
    let inner = args.stream();
    if this != "Self"
        || args.delimiter() != Delimiter::Parenthesis
        || !Item::new(inner.clone()).idents().contains("path_matches")
    {
        return Err(fail(&stream.to_string()));
    }
    let mut excluded = inner;
    excluded.extend(siblings.iter().map(|path| quote! { .path_not(#path) }));
    let body: TokenStream = quote! { Self(#excluded) };
    new.set_body(body);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items;
    use crate::{Generated, Options};

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /user/{user_id}:
    get:
      operationId: getUser
      parameters: [{name: user_id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: ok}}
  /user/me:
    get: {operationId: getMe, responses: {'204': {description: ok}}}
  /user/search:
    post: {operationId: searchUsers, responses: {'204': {description: ok}}}
  /user/me/settings:
    get: {operationId: getSettings, responses: {'204': {description: ok}}}
"#;

    fn generated() -> Generated {
        crate::generate_bytes("spec.yaml", SPEC.as_bytes(), &Options::default())
            .expect("the client generates")
    }

    fn op<'a>(generated: &'a Generated, builder: &str) -> &'a Operation {
        generated
            .operations
            .iter()
            .find(|op| op.builder == builder)
            .expect("operation")
    }

    #[test]
    fn only_literal_paths_of_the_same_method_and_shape_are_siblings() {
        let generated = generated();
        let all = &generated.operations;
        // `/user/search` is a POST, `/user/me/settings` one segment longer.
        assert_eq!(
            literal_siblings(op(&generated, "GetUser"), all),
            ["/user/me"]
        );
        // A literal path matches no other operation's literal path.
        assert!(literal_siblings(op(&generated, "GetMe"), all).is_empty());
    }

    #[test]
    fn the_mock_of_a_template_refuses_its_literal_siblings() {
        let generated = generated();
        let code = crate::mock::httpmock("spec.yaml", &generated, &Options::default())
            .expect("mocks generate");
        let code: String = code.split_whitespace().collect();
        assert!(
            code.contains(".path_matches(regex::Regex::new(\"^/user/[^/]*$\").unwrap()).path_not(\"/user/me\"))"),
            "{code}"
        );
        assert_eq!(code.matches("path_not").count(), 1, "{code}");
    }

    #[test]
    fn a_new_of_another_shape_is_a_located_error() {
        let generated = generated();
        let mut fns = items::split(quote! {
            pub fn new(inner: ::httpmock::When) -> Self { let x = inner; Self(x) }
        });
        let err = exclude(
            "spec.yaml",
            &mut fns,
            op(&generated, "GetUser"),
            &generated.operations,
        )
        .expect_err("not progenitor's shape");
        assert_eq!(err.location, op(&generated, "GetUser").location(), "{err}");
        assert!(err.message.contains("When::new"), "{err}");
    }
}
