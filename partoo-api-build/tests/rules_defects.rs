//! Documents that used to make a rule panic, overflow the stack or silently do nothing: each now gives a
//! located `BuildError` (or the intended change).

mod common;

use common::{at, change, run, run_err, yaml};
use partoo_api_build::{Location, Options};
use serde_json::json;

/// A spec whose only content is `components.schemas`, given as YAML indented by 4 spaces.
fn schemas(body: &str) -> serde_json::Value {
    yaml(&format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{body}"
    ))
}

fn pointer(e: &partoo_api_build::BuildError) -> &str {
    match &e.location {
        Location::Pointer(p) => p,
        other => panic!("expected a pointer, got {other:?}: {e}"),
    }
}

/// Defect 1: `properties` that is not a mapping, on a discriminator base or on a mapped child, was indexed
/// (`props[prop] = …`) and serde_json panicked.
#[test]
fn discriminator_with_misshapen_properties_is_a_located_error() {
    let base = schemas(
        r"
    Pet:
      type: object
      properties: []
      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat'}}
    Cat:
      allOf: [{$ref: '#/components/schemas/Pet'}]
",
    );
    let e = run_err(base, &["discriminator_unions"]);
    assert_eq!(pointer(&e), "/components/schemas/Pet/properties", "{e}");
    assert!(e.message.contains("must be a mapping"), "{e}");

    let child = schemas(
        r"
    Pet:
      type: object
      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat'}}
    Cat:
      type: object
      properties: oops
",
    );
    let e = run_err(child, &["discriminator_unions"]);
    assert_eq!(pointer(&e), "/components/schemas/Cat/properties", "{e}");
}

/// Stack of the thread the long chain is inlined on: the 64 links the limit allows take about 320 KiB at
/// opt-level 0 (some 5 KiB a link); 10,000 unlimited links would take some 50 MB and abort.
const STACK: usize = 512 * 1024;

/// `A0: {$ref: A1}`, …, `A{depth-1}: {$ref: A{depth}}`, `A{depth}: {type: string}`, used by a property.
fn alias_chain(depth: usize) -> serde_json::Value {
    let mut schemas = serde_json::Map::new();
    schemas.insert(
        "Holder".into(),
        json!({"type": "object", "properties": {"x": {"$ref": "#/components/schemas/A0"}}}),
    );
    for i in 0..depth {
        let next = format!("#/components/schemas/A{}", i + 1);
        schemas.insert(format!("A{i}"), json!({ "$ref": next }));
    }
    schemas.insert(format!("A{depth}"), json!({"type": "string"}));
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    })
}

/// Defect 2: inlining a chain of aliases recursed once per link, with no limit: 10,000 links overflowed the
/// stack and aborted the process. Run on a small stack, so that the test fails (aborts) without the limit.
#[test]
fn a_long_alias_chain_is_a_located_error_not_a_stack_overflow() {
    let doc = alias_chain(10_000);
    let e = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || run_err(doc, &["primitive_aliases"]))
        .expect("thread")
        .join()
        .expect("no panic");
    assert_eq!(pointer(&e), "/components/schemas/A0", "{e}");
    assert!(e.message.contains("more than 64"), "{e}");
    // A short chain is still inlined.
    let (doc, _) = run(alias_chain(20), &["primitive_aliases"]);
    assert_eq!(
        at(&doc, "/components/schemas/Holder/properties/x"),
        &json!({"type": "string"})
    );
}

/// Defect 3: `discriminator_unions` made cycles `ref_cycles` (which runs before it) could not see: the base
/// became `oneOf [$ref Cat]` while `Cat` reached the base through another schema, or through itself.
#[test]
fn a_union_that_reaches_its_base_again_is_a_located_error() {
    let through_parent = schemas(
        r"
    Pet:
      type: object
      properties: {kind: {type: string}}
      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat'}}
    Feline:
      allOf: [{$ref: '#/components/schemas/Pet'}, {type: object, properties: {claws: {type: boolean}}}]
    Cat:
      allOf: [{$ref: '#/components/schemas/Feline'}, {type: object, properties: {lives: {type: integer}}}]
",
    );
    let e = run_err(through_parent, &["ref_cycles", "discriminator_unions"]);
    assert_eq!(pointer(&e), "/components/schemas/Pet/discriminator", "{e}");
    assert!(e.message.contains("Pet → Cat → Feline → Pet"), "{e}");

    let itself = schemas(
        r"
    Pet:
      type: object
      properties: {kind: {type: string}}
      discriminator:
        propertyName: kind
        mapping: {pet: '#/components/schemas/Pet', cat: '#/components/schemas/Cat'}
    Cat:
      allOf: [{$ref: '#/components/schemas/Pet'}]
",
    );
    let e = run_err(itself, &["ref_cycles", "discriminator_unions"]);
    assert_eq!(pointer(&e), "/components/schemas/Pet/discriminator", "{e}");
    assert!(e.message.contains("Pet → Pet"), "{e}");

    // The whole pipeline refuses it too (typify overflowed the stack on it).
    let spec = serde_json::to_vec(&schemas(
        r"
    Pet:
      type: object
      properties: {kind: {type: string}}
      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat'}}
    Feline:
      allOf: [{$ref: '#/components/schemas/Pet'}]
    Cat:
      allOf: [{$ref: '#/components/schemas/Feline'}]
",
    ))
    .unwrap();
    let Err(e) = partoo_api_build::generate_bytes("pet.json", &spec, &Options::default()) else {
        panic!("expected an error");
    };
    assert_eq!(pointer(&e), "/components/schemas/Pet/discriminator", "{e}");
}

/// Defect 4: a mapping value may be a bare schema name (`cat: Cat`); it built no union at all.
#[test]
fn discriminator_mapping_to_a_bare_schema_name() {
    let spec = |target: &str| {
        schemas(&format!(
            r"
    Pet:
      type: object
      properties: {{kind: {{type: string}}}}
      discriminator: {{propertyName: kind, mapping: {{cat: {target}}}}}
    Cat:
      allOf: [{{$ref: '#/components/schemas/Pet'}}, {{type: object, properties: {{lives: {{type: integer}}}}}}]
"
        ))
    };
    let (bare, report) = run(spec("Cat"), &["discriminator_unions"]);
    let (full, _) = run(
        spec("'#/components/schemas/Cat'"),
        &["discriminator_unions"],
    );
    assert_eq!(bare, full);
    assert_eq!(
        at(&bare, "/components/schemas/Pet/oneOf/0"),
        &json!({"$ref": "#/components/schemas/Cat"})
    );
    change(&report, "discriminator_unions", "/components/schemas/Cat");

    let e = run_err(spec("Dog"), &["discriminator_unions"]);
    assert_eq!(
        pointer(&e),
        "/components/schemas/Pet/discriminator/mapping/cat",
        "{e}"
    );
    assert!(e.message.contains("Dog"), "{e}");
}

/// Defect 5: component names holding `/` or `~` were compared and rebuilt unescaped (or escaped twice).
#[test]
fn discriminator_unions_escape_component_names() {
    let doc = schemas(
        r"
    Field/Base:
      type: object
      properties: {type: {type: string}}
      discriminator: {propertyName: type}
    Text~Field:
      allOf: [{$ref: '#/components/schemas/Field~1Base'}, {type: object, properties: {value: {type: string}}}]
    Number/Field:
      type: object
      properties: {value: {type: number}}
    Mapped:
      type: object
      properties: {type: {type: string}}
      discriminator: {propertyName: type, mapping: {n: '#/components/schemas/Number~1Field'}}
",
    );
    let (doc, report) = run(doc, &["discriminator_unions"]);
    assert_eq!(
        at(&doc, "/components/schemas/Field~1Base/oneOf/0"),
        &json!({"$ref": "#/components/schemas/Text~0Field"})
    );
    let inlined = at(&doc, "/components/schemas/Text~0Field/allOf/0");
    assert_eq!(inlined["properties"]["type"]["enum"], json!(["Text~Field"]));
    change(
        &report,
        "discriminator_unions",
        "/components/schemas/Text~0Field",
    );
    assert_eq!(
        at(&doc, "/components/schemas/Mapped/oneOf/0"),
        &json!({"$ref": "#/components/schemas/Number~1Field"})
    );
    let tag = at(&doc, "/components/schemas/Number~1Field/properties/type");
    assert_eq!(tag["enum"], json!(["n"]));
    change(
        &report,
        "discriminator_unions",
        "/components/schemas/Number~1Field",
    );
}

/// Defect 5: a path parameter component whose key holds `/` was referenced with the key unescaped.
#[test]
fn declared_path_parameters_escape_the_component_key() {
    let doc = yaml(
        r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /org/{org_id}:
    get:
      operationId: getOrg
      responses: {'200': {description: ok}}
components:
  parameters:
    org/id: {name: org_id, in: path, required: true, schema: {type: integer}}
",
    );
    let (doc, _) = run(doc, &["path_parameters"]);
    let params = at(&doc, "/paths/~1org~1{org_id}/get/parameters");
    assert!(
        params
            .as_array()
            .unwrap()
            .contains(&json!({"$ref": "#/components/parameters/org~1id"})),
        "{params:#}"
    );
}

/// Defect 5: an alias whose name holds `/` was removed but never inlined (its refs compared escaped against
/// the raw name), leaving a `$ref` to nowhere.
#[test]
fn aliases_with_escaped_names_are_inlined() {
    let doc = schemas(
        r"
    Holder:
      type: object
      properties: {city: {$ref: '#/components/schemas/Business~1City'}}
    Business/City: {type: string}
",
    );
    let (doc, _) = run(doc, &["primitive_aliases"]);
    assert_eq!(
        at(&doc, "/components/schemas/Holder/properties/city"),
        &json!({"type": "string"})
    );
}

/// Defect 5: `ref_cycles` followed refs by their escaped name (`A~1B`) among raw keys (`A/B`), so a cycle
/// through a name holding `/` went unseen.
#[test]
fn ref_cycles_follow_escaped_names() {
    let doc = schemas(
        r"
    A/B: {allOf: [{$ref: '#/components/schemas/C'}]}
    C: {$ref: '#/components/schemas/A~1B'}
",
    );
    let e = run_err(doc, &["ref_cycles"]);
    assert_eq!(pointer(&e), "/components/schemas/A~1B", "{e}");
    assert!(e.message.contains("A/B → C → A/B"), "{e}");
}
