//! The support code emitted beside progenitor's: pagination impls take their types from the generated items,
//! and operations whose items do not fit are left out with a report line instead of breaking the build.

use partoo_api_build::{Options, generate_bytes};

const SPEC: &str = r"
openapi: 3.1.0
info: {title: t, version: v2}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  count: {type: integer}
                  things: {type: array, items: {type: string}}
  /messages:
    get:
      operationId: listMessages
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  next_cursor: {type: [string, 'null']}
                  messages: {type: array, items: {type: object}}
  /pairs:
    get:
      operationId: listPairs
      parameters:
        - {name: page, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  left: {type: array, items: {type: string}}
                  right: {type: array, items: {type: string}}
  /named:
    get:
      operationId: listNamed
      parameters:
        - {name: page, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  page: {type: integer}
                  max_page: {type: integer}
                  names: {type: array, items: {type: string}}
";

fn compact(code: &str) -> String {
    code.split_whitespace().collect()
}

#[test]
fn pagination_impls_follow_the_generated_types() {
    let out = generate_bytes("support.yaml", SPEC.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("does not generate: {e}"));
    let code = compact(&out.code);
    // No error response is declared: errors still decode as PartooError, so the impls fit.
    assert!(
        code.contains("Result<ResponseValue<types::ListThingsResponse>,Error<types::PartooError>"),
        "send of listThings does not fail with PartooError"
    );
    // `minimum: 1` made the page parameter a NonZeroU64: the impl converts through PageNumber.
    assert!(code.contains("V:std::convert::TryInto<::std::num::NonZeroU64>"));
    assert!(code.contains("self.page(crate::pagination::PageNumber(page))"));
    assert_eq!(
        out.pagination.paged,
        [("list_things".to_owned(), "things".to_owned())]
    );
    assert_eq!(
        out.pagination.cursor,
        [("list_messages".to_owned(), "messages".to_owned())]
    );
    let left_out: Vec<(&str, &str)> = out
        .pagination
        .left_out
        .iter()
        .map(|(op, why)| (op.as_str(), why.as_str()))
        .collect();
    assert_eq!(
        left_out,
        [
            (
                "list_named",
                "the `page` parameter is `::std::string::String`, not one of i64, i32, u64, u32, NonZeroU64, NonZeroU32, f64"
            ),
            (
                "list_pairs",
                "the response has several arrays (left, right)"
            ),
        ]
    );
    for (op, _) in &out.pagination.left_out {
        assert!(
            out.report
                .notes
                .iter()
                .any(|n| n.starts_with(&format!("{op}: no pagination support"))),
            "no report line for {op}: {:?}",
            out.report.notes
        );
    }
    assert!(!code.contains("forsuper::builder::ListPairs<'a>"));
    assert!(!code.contains("forsuper::builder::ListNamed<'a>"));
}
