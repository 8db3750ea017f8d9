//! Names from the document that typify turns into one Rust name: two fields of one struct, or two types of
//! `mod types`. progenitor generates such code without a word and rustc refuses it, so the pipeline refuses
//! the spec first, naming the place. Each spec here gave a client that did not compile before the check.

use partoo_api_build::{Location, Options, generate_bytes};

/// A spec whose one operation returns `#/components/schemas/Root`, with `schemas` (YAML, indented four
/// spaces) as its components.
fn spec(schemas: &str) -> String {
    format!(
        "openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /x:
    get:
      operationId: getX
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Root'
components:
  schemas:
{schemas}"
    )
}

/// The error for `schemas`, which must be refused at `pointer` with a message that contains `wanted`.
fn refused(schemas: &str, pointer: &str, wanted: &[&str]) {
    let err = match generate_bytes("x.yaml", spec(schemas).as_bytes(), &Options::default()) {
        Ok(_) => panic!("generated:\n{schemas}"),
        Err(e) => e,
    };
    assert_eq!(
        err.location,
        Location::Pointer(pointer.to_owned()),
        "{err}\n{schemas}"
    );
    let text = err.to_string();
    for w in wanted {
        assert!(text.contains(w), "no `{w}` in: {text}");
    }
}

#[test]
fn properties_equal_after_snake_case_are_refused() {
    refused(
        "    Root:
      type: object
      properties:
        fooBar: {type: string}
        foo_bar: {type: string}
",
        "/components/schemas/Root",
        &[
            "property `fooBar` and property `foo_bar`",
            "Rust field `foo_bar`",
            "rename one of them",
        ],
    );
}

#[test]
fn a_keyword_and_its_escaped_form_are_refused() {
    refused(
        "    Root:
      type: object
      properties:
        type: {type: string}
        type_: {type: string}
",
        "/components/schemas/Root",
        &["Rust field `type_`"],
    );
}

#[test]
fn a_required_name_without_a_property_is_a_field() {
    refused(
        "    Root:
      type: object
      required: [foo_bar]
      properties:
        fooBar: {type: string}
",
        "/components/schemas/Root",
        &["property `fooBar` and property `foo_bar`"],
    );
}

#[test]
fn a_property_extra_beside_an_additional_properties_schema_is_refused() {
    refused(
        "    Root:
      type: object
      properties:
        extra: {type: string}
      additionalProperties: {type: string}
",
        "/components/schemas/Root",
        &[
            "property `extra` and `additionalProperties`",
            "Rust field `extra`",
        ],
    );
}

#[test]
fn properties_of_all_of_parts_are_merged_then_checked() {
    refused(
        "    Root:
      allOf:
        - $ref: '#/components/schemas/A'
        - $ref: '#/components/schemas/B'
    A:
      type: object
      properties:
        fooBar: {type: string}
    B:
      type: object
      properties:
        foo_bar: {type: integer}
",
        "/components/schemas/Root",
        &["property `fooBar` and property `foo_bar`"],
    );
}

#[test]
fn an_inline_object_is_checked_where_it_sits() {
    refused(
        "    Root:
      type: object
      properties:
        inner:
          type: object
          properties:
            fooBar: {type: string}
            foo_bar: {type: string}
",
        "/components/schemas/Root/properties/inner",
        &["Rust field `foo_bar`"],
    );
}

#[test]
fn components_equal_in_upper_camel_case_are_refused() {
    refused(
        "    Root:
      type: object
      properties:
        a: {$ref: '#/components/schemas/foo_bar'}
        b: {$ref: '#/components/schemas/FooBar'}
    foo_bar:
      type: object
      properties:
        x: {type: string}
    FooBar:
      type: object
      properties:
        y: {type: integer}
",
        "/components/schemas/FooBar",
        &[
            "#/components/schemas/FooBar, #/components/schemas/foo_bar",
            "the type `types::FooBar`",
        ],
    );
}

#[test]
fn an_inline_schema_named_like_a_component_is_refused() {
    // typify names the object under `Root.bar` `RootBar`, the name of a component.
    refused(
        "    Root:
      type: object
      properties:
        bar:
          type: object
          properties:
            x: {type: string}
        other: {$ref: '#/components/schemas/RootBar'}
    RootBar:
      type: object
      required: [y]
      properties:
        y: {type: integer}
",
        "/components/schemas/RootBar",
        &[
            "component #/components/schemas/RootBar and an inline schema",
            "`types::RootBar`",
        ],
    );
}

#[test]
fn distinct_names_generate() {
    let schemas = "    Root:
      type: object
      required: [id]
      properties:
        fooBar: {type: string}
        foo_baz: {type: string}
        type: {type: string}
        '1st': {type: string}
      additionalProperties: {type: string}
";
    let out = generate_bytes("x.yaml", spec(schemas).as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let compact: String = out.code.split_whitespace().collect();
    for field in ["foo_bar", "foo_baz", "type_", "x1st", "id", "extra"] {
        assert!(
            compact.contains(&format!("pub{field}:")),
            "no field {field}"
        );
    }
}

#[test]
fn an_inline_object_given_another_ones_type_is_refused() {
    // `bar2` and `bar_2` are distinct fields, but typify names both inline objects `RootBar2`, and gave the
    // second the first one's type (its `y` was lost on decoding, and the client compiled).
    refused(
        "    Root:
      type: object
      properties:
        bar2:
          type: object
          properties:
            x: {type: string}
        bar_2:
          type: object
          required: [y]
          properties:
            y: {type: integer}
",
        "/components/schemas/Root/properties/bar_2",
        &["properties y", "no generated type of its own", "title"],
    );
}

#[test]
fn inline_objects_of_one_name_and_one_shape_share_their_type() {
    let schemas = "    Root:
      type: object
      properties:
        bar2:
          type: object
          properties:
            x: {type: string}
        bar_2:
          type: object
          properties:
            x: {type: string}
        list:
          type: array
          items:
            type: object
            properties:
              fooBar: {type: string}
";
    let out = generate_bytes("x.yaml", spec(schemas).as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.code.contains("pub struct RootBar2"), "no RootBar2");
}
