//! Bad input: every case returns a located `BuildError`, never panics, and is fast.

use partoo_api_build::load::{MAX_SPEC_BYTES, parse};
use partoo_api_build::{BuildError, Location, Options, generate_bytes, generate_path};

/// A valid spec (3.0, one operation) that the truncation tests cut.
const VALID: &str = r#"openapi: 3.0.3
info:
  title: "Partoo REST API"
  version: v2
paths:
  /org:
    get:
      operationId: listOrgs
      responses:
        '200':
          description: "The organizations of the caller"
          content:
            application/json:
              schema: {type: object}
"#;

fn err(name: &str, bytes: &[u8]) -> BuildError {
    match generate_bytes(name, bytes, &Options::default()) {
        Ok(out) => panic!(
            "{name}: expected an error, generated {} methods",
            out.method_count
        ),
        Err(e) => {
            assert_eq!(e.file, name);
            e
        }
    }
}

fn assert_text(e: &BuildError) -> (usize, usize) {
    match e.location {
        Location::Text { line, column } => {
            assert!(line >= 1 && column >= 1, "{e}");
            (line, column)
        }
        ref other => panic!("expected a text location, got {other:?}: {e}"),
    }
}

#[test]
fn the_valid_fixture_generates() {
    let out =
        generate_bytes("valid.yaml", VALID.as_bytes(), &Options::default()).expect("valid spec");
    assert_eq!(out.method_count, 1);
}

#[test]
fn not_yaml() {
    let e = err("bad.yaml", b"openapi: 3.0.3\npaths: {}\nkey: [unclosed\n");
    assert_text(&e);
    assert!(e.message.starts_with("invalid YAML:"), "{e}");
}

#[test]
fn html_page() {
    let e = err(
        "login.html",
        b"\n<!DOCTYPE html>\n<html><body>Please log in</body></html>\n",
    );
    assert_eq!(e.location, Location::Text { line: 2, column: 1 });
    assert!(e.message.contains("HTML"), "{e}");
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("login")));
    assert!(
        e.to_string()
            .starts_with("login.html:2:1: this is an HTML or XML page"),
        "{e}"
    );
}

#[test]
fn truncated_yaml_in_a_quoted_string() {
    let cut = VALID.find("The organizations").expect("marker") + 5;
    let e = err("cut.yaml", &VALID.as_bytes()[..cut]);
    let (line, _) = assert_text(&e);
    assert!(line >= 11, "line {line} is before the cut: {e}");
    assert!(e.message.starts_with("invalid YAML:"), "{e}");
}

#[test]
fn truncated_json_in_a_quoted_string() {
    let json = serde_json::to_string_pretty(
        &serde_norway::from_str::<serde_json::Value>(VALID).expect("yaml"),
    )
    .expect("json");
    let cut = json.find("Partoo REST").expect("marker") + 3;
    let e = err("cut.json", &json.as_bytes()[..cut]);
    let (line, _) = assert_text(&e);
    assert_eq!(line, json[..cut].lines().count());
    assert!(e.message.contains("EOF while parsing a string"), "{e}");
}

#[test]
fn truncated_in_the_middle_of_a_line() {
    let cut = VALID.find("operationId").expect("marker") + 4;
    // `    get:\n      oper` is a plain scalar where a mapping was: the document shape is wrong.
    let e = err("cut.yaml", &VALID.as_bytes()[..cut]);
    assert!(!matches!(e.location, Location::Input), "unlocated: {e}");
}

#[test]
fn swagger_2() {
    let e = err(
        "swagger.yaml",
        b"info: {title: t}\nswagger: \"2.0\"\npaths: {}\n",
    );
    assert_eq!(e.location, Location::Text { line: 2, column: 1 });
    assert!(e.message.contains("Swagger 2.0"), "{e}");
    assert!(e.hint.is_some());
}

#[test]
fn openapi_4() {
    let e = err("v4.yaml", b"openapi: 4.0.0\npaths: {}\n");
    assert_eq!(e.location, Location::Text { line: 1, column: 1 });
    assert_eq!(
        e.message,
        "OpenAPI 4.0.0 is not supported; this pipeline reads 3.0.x and 3.1.x"
    );
    let e = err("v4.json", br#"{"paths": {}, "openapi": 4}"#);
    assert!(e.message.contains("must be a string"), "{e}");
}

#[test]
fn openapi_missing() {
    let e = err("none.yaml", b"info: {title: t, version: '1'}\npaths: {}\n");
    assert_eq!(e.location, Location::Pointer(String::new()));
    assert!(e.message.contains("no `openapi`"), "{e}");
    assert!(
        e.to_string().starts_with("none.yaml#/: no `openapi`"),
        "{e}"
    );
}

#[test]
fn paths_missing_or_not_a_mapping() {
    let e = err(
        "nopaths.yaml",
        b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\n",
    );
    assert_eq!(e.location, Location::Pointer(String::new()));
    assert!(e.message.contains("no `paths`"), "{e}");
    let e = err("listpaths.yaml", b"openapi: 3.1.0\npaths:\n  - /org\n");
    assert_eq!(e.location, Location::Text { line: 2, column: 1 });
    assert_eq!(e.message, "`paths` must be a mapping, found a sequence");
}

#[test]
fn ref_to_nowhere_names_the_pointer_of_the_ref() {
    let spec = VALID.replace(
        "schema: {type: object}",
        "schema: {$ref: '#/components/schemas/Org'}",
    );
    let e = err("dangling.yaml", spec.as_bytes());
    assert_eq!(
        e.location,
        Location::Pointer("/paths/~1org/get/responses/200/content/application~1json/schema".into())
    );
    assert!(e.message.contains("#/components/schemas/Org"), "{e}");
}

#[test]
fn recursive_alias_refs_name_the_cycle() {
    let spec = format!(
        "{VALID}components:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B:\n      allOf: [{{$ref: '#/components/schemas/A'}}]\n"
    );
    let e = err("cycle.yaml", spec.as_bytes());
    assert_eq!(
        e.location,
        Location::Pointer("/components/schemas/A".into())
    );
    assert!(e.message.contains("A → B → A"), "{e}");
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let mut bomb = String::from(
        "openapi: 3.0.3\npaths: {}\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        bomb.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    let start = std::time::Instant::now();
    let e = err("bomb.yaml", bomb.as_bytes());
    assert!(start.elapsed().as_secs() < 2, "took {:?}", start.elapsed());
    assert!(e.message.contains("repetition limit exceeded"), "{e}");
    assert!(e.message.starts_with("invalid YAML:"), "{e}");
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let yaml = format!(
        "openapi: 3.0.3\npaths: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = err("deep.yaml", yaml.as_bytes());
    assert!(e.message.starts_with("invalid YAML:"), "{e}");
    let json = format!(
        "{{\"openapi\": \"3.0.3\", \"paths\": {}{}}}",
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    );
    let e = err("deep.json", json.as_bytes());
    assert_text(&e);
    assert!(e.message.contains("recursion limit exceeded"), "{e}");
}

#[test]
fn flow_depth_guard_locates_the_first_bracket_too_deep() {
    let yaml = format!(
        "openapi: 3.0.3\npaths: {}{}\n",
        "[".repeat(500),
        "]".repeat(500)
    );
    let e = err("deep.yaml", yaml.as_bytes());
    // `paths: ` is 7 columns; the 129th `[` is the first one refused.
    assert_eq!(
        e.location,
        Location::Text {
            line: 2,
            column: 8 + 128
        }
    );
    assert!(e.message.contains("nested more than 128 deep"), "{e}");
}

#[test]
fn flow_depth_guard_is_not_fooled_by_a_quote_in_a_block_scalar() {
    let yaml = format!(
        "openapi: 3.0.3\ninfo:\n  description: |\n    \"an unterminated quote in text\npaths: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let start = std::time::Instant::now();
    let e = err("hidden.yaml", yaml.as_bytes());
    assert!(start.elapsed().as_secs() < 2, "took {:?}", start.elapsed());
    assert_eq!(
        e.location,
        Location::Text {
            line: 5,
            column: 8 + 128
        }
    );
}

#[test]
fn flow_depth_guard_ignores_brackets_in_text_quotes_and_comments() {
    let opens = "[".repeat(200);
    let doc = format!(
        "openapi: 3.0.3\n# {opens}\ninfo:\n  title: it's {opens} in plain text\n  description: '{opens} quoted, it''s'\n  \
         summary: \"{opens} \\\" escaped\"\n  x-deep: {}{}\npaths: {{}}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    let value =
        parse("ok.yaml", doc.as_bytes()).expect("brackets outside flow context are not nesting");
    assert!(
        value["info"]["title"]
            .as_str()
            .is_some_and(|t| t.ends_with("in plain text"))
    );
    assert!(
        value["info"]["summary"]
            .as_str()
            .is_some_and(|t| t.ends_with("\" escaped"))
    );
}

#[test]
fn a_100_mb_input_is_refused_before_parsing() {
    let big = vec![b' '; 100 * 1024 * 1024];
    let e = err("big.yaml", &big);
    assert_eq!(e.location, Location::Input);
    assert!(
        e.message
            .contains(&format!("over the {MAX_SPEC_BYTES}-byte limit")),
        "{e}"
    );
    assert!(e.message.contains("104857600 bytes"), "{e}");
}

#[test]
fn a_100_mb_file_is_refused_before_reading() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_input_100mb.yaml");
    let file = std::fs::File::create(&path).expect("create temp file");
    file.set_len(100 * 1024 * 1024).expect("sparse file");
    drop(file);
    let result = generate_path(&path, &Options::default());
    std::fs::remove_file(&path).expect("remove temp file");
    let e = result.expect_err("a 100 MB file must be refused");
    assert_eq!(e.location, Location::Input);
    assert!(
        e.message.contains(&format!(
            "104857600 bytes, over the {MAX_SPEC_BYTES}-byte limit"
        )),
        "{e}"
    );
    assert_eq!(e.file, path.display().to_string());
}

#[test]
fn a_missing_file_is_an_input_error() {
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_input_does_not_exist.yaml");
    let e = generate_path(&path, &Options::default()).expect_err("no such file");
    assert_eq!(e.location, Location::Input);
    assert!(e.message.starts_with("cannot open"), "{e}");
}

#[test]
fn invalid_utf8_names_the_line_and_column() {
    let e = err(
        "latin1.yaml",
        b"openapi: 3.0.3\ninfo: {title: Caf\xe9}\npaths: {}\n",
    );
    assert_eq!(
        e.location,
        Location::Text {
            line: 2,
            column: 18
        }
    );
    assert_eq!(e.message, "the file is not valid UTF-8");
}

#[test]
fn empty_and_blank_files() {
    for (name, bytes) in [
        ("empty.yaml", &b""[..]),
        ("blank.yaml", b" \n\t\n"),
        ("bom.yaml", b"\xef\xbb\xbf\n"),
    ] {
        let e = err(name, bytes);
        assert_eq!(e.location, Location::Input, "{name}");
        assert_eq!(e.message, "the file is empty", "{name}");
    }
}

#[test]
fn non_mapping_roots() {
    for (name, bytes, found) in [
        (
            "list.yaml",
            &b"- openapi: 3.0.3\n- paths: {}\n"[..],
            "a sequence",
        ),
        ("list.json", b"[{\"openapi\": \"3.0.3\"}]", "a sequence"),
        ("scalar.yaml", b"just some text\n", "a string"),
        ("null.yaml", b"~\n", "null"),
    ] {
        let e = err(name, bytes);
        assert_eq!(e.location, Location::Pointer(String::new()), "{name}");
        assert_eq!(
            e.message,
            format!("expected a mapping at the top of the document, found {found}"),
            "{name}"
        );
    }
}

#[test]
fn parse_alone_refuses_the_same_inputs() {
    assert!(parse("x.yaml", b"").is_err());
    assert!(parse("x.yaml", b"swagger: '2.0'\n").is_err());
    assert!(parse("x.yaml", VALID.as_bytes()).is_ok());
}

/// Shapes that fit YAML but not OpenAPI must come back as located errors, not as panics inside a rule.
#[test]
fn misshapen_documents_are_located_errors() {
    let cases: [(&str, String); 6] = [
        ("components-list", format!("{VALID}components: [1, 2]\n")),
        (
            "schemas-list",
            VALID.replace("'200':", "'400': {description: bad, content: {application/json: {schema: {}}}}\n        '200':")
                + "components:\n  schemas: [1]\n",
        ),
        ("media-string", VALID.replace("application/json:\n              schema: {type: object}", "application/json: oops")),
        ("responses-string", VALID.replace("responses:", "responses: oops\n      x-was:")),
        ("operation-list", VALID.replace("    get:\n", "    get: []\n    x-get:\n")),
        ("path-string", "openapi: 3.0.3\npaths:\n  /org: oops\n".to_owned()),
    ];
    for (name, spec) in cases {
        let result =
            std::panic::catch_unwind(|| generate_bytes(name, spec.as_bytes(), &Options::default()));
        let Ok(result) = result else {
            panic!("{name} panicked")
        };
        let e = result
            .err()
            .unwrap_or_else(|| panic!("{name}: expected an error"));
        assert!(
            !matches!(e.location, Location::Input),
            "{name}: unlocated error: {e}"
        );
    }
}

/// Two parameters whose names differ only in case or punctuation (`page_size`, `page-size`, `pageSize`) get
/// one builder setter and one struct field from progenitor: a client that does not compile. Refused, naming
/// the operation and both parameters.
#[test]
fn two_parameters_with_one_rust_name_are_refused_naming_both() {
    let spec = VALID.replace(
        "      operationId: listOrgs\n",
        "      operationId: listOrgs\n      parameters:\n        - {name: page_size, in: query, schema: {type: integer}}\n        - {name: pageSize, in: query, schema: {type: integer}}\n",
    );
    let e = err("dup.yaml", spec.as_bytes());
    assert_eq!(
        e.location,
        Location::Operation {
            method: "GET".into(),
            path: "/org".into(),
            operation_id: Some("listOrgs".into())
        },
        "{e}"
    );
    assert!(
        e.message.contains("`page_size`")
            && e.message.contains("`pageSize`")
            && e.message.contains("page_size"),
        "{e}"
    );
    // A path and a query parameter of one name clash the same way.
    let spec = VALID.replace("  /org:\n", "  /org/{id}:\n").replace(
        "      operationId: listOrgs\n",
        "      operationId: listOrgs\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: integer}}\n        - {name: id, in: query, schema: {type: integer}}\n",
    );
    let e = err("dup.yaml", spec.as_bytes());
    assert!(e.message.contains("`id`"), "{e}");
}

/// openapiv3 buffers path items, operations and components (their extensions are flattened), so its own
/// path for a parameter without `schema` or `content` stops at `/paths`; the error must name the parameter.
#[test]
fn a_parameter_without_schema_is_located_at_the_parameter() {
    let with = |at_path: &str, at_op: &str, components: &str| {
        VALID.replace(
            "  /org:\n    get:\n",
            &format!("  /org:\n{at_path}    get:\n{at_op}"),
        ) + components
    };
    let cases = [
        (
            with(
                "",
                "      parameters:\n        - {name: q, in: query, schema: {type: string}}\n        - {name: r, in: query}\n",
                "",
            ),
            "/paths/~1org/get/parameters/1",
        ),
        (
            with("    parameters:\n      - {name: q, in: query}\n", "", ""),
            "/paths/~1org/parameters/0",
        ),
        (
            with(
                "",
                "      parameters:\n        - $ref: '#/components/parameters/Q'\n",
                "components:\n  parameters:\n    Q: {name: q, in: query}\n",
            ),
            "/components/parameters/Q",
        ),
    ];
    for (spec, pointer) in cases {
        let e = err("p.yaml", spec.as_bytes());
        assert_eq!(
            e.location,
            Location::Pointer(pointer.to_owned()),
            "{e}\n{spec}"
        );
        assert!(e.message.contains("ParameterSchemaOrContent"), "{e}");
    }
}

#[test]
fn a_key_given_twice_in_one_mapping_is_refused_at_the_second() {
    // Before, the later value silently replaced the earlier: here, every operation vanished.
    let json = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
"paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}},
"paths": {}}"#;
    let e = err("dup.json", json.as_bytes());
    assert_eq!(assert_text(&e).0, 3, "{e}");
    assert!(
        e.message
            .contains("key `paths` is given twice in one mapping"),
        "{e}"
    );

    let yaml = VALID.replace(
        "      operationId: listOrgs\n",
        "      operationId: listOrgs\n      operationId: listOrganizations\n",
    );
    let e = err("dup.yaml", yaml.as_bytes());
    // At the second key, not at the start of its mapping (where serde_norway places the error).
    assert_eq!(assert_text(&e), (9, 7), "{e}");
    assert!(
        e.message.ends_with(
            "key `operationId` is given twice in one mapping (the second would silently replace the \
             first) (the mapping starts at line 8)"
        ),
        "{e}"
    );
    // A flow mapping is located at its start.
    let e = err(
        "flow.yaml",
        VALID
            .replace("{type: object}", "{type: object, type: string}")
            .as_bytes(),
    );
    assert!(e.message.contains("key `type` is given twice"), "{e}");
    assert_eq!(assert_text(&e).0, 14, "{e}");
    // The same key in two mappings is no repeat.
    generate_bytes("ok.yaml", VALID.as_bytes(), &Options::default()).expect("valid");
}

#[test]
fn a_control_character_is_located_at_its_line() {
    // serde_norway placed it at 1:1, whatever its line.
    let yaml = VALID.replace("  version: v2", "  version: v\u{0}2");
    let e = err("nul.yaml", yaml.as_bytes());
    assert_eq!(assert_text(&e), (4, 13), "{e}");
    assert!(e.message.contains("control character U+0000"), "{e}");
}
