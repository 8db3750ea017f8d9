//! The pipeline is one ordered list of named stages (`Stage::ALL`): each is a module of the crate, times
//! itself under its own name in `Generated::timings`, and the README's data-flow diagram lists them in order.

use partoo_api_build::{Options, Stage, generate_bytes};

const SPEC: &str = r"
openapi: 3.0.3
info: {title: t, version: v2}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200': {description: ok}
";

fn names() -> Vec<&'static str> {
    Stage::ALL.iter().map(|s| s.name()).collect()
}

#[test]
fn timings_name_every_stage_in_order() {
    let out = generate_bytes("spec.yaml", SPEC.as_bytes(), &Options::default()).expect("generates");
    let timed: Vec<&str> = out.timings.iter().map(|(stage, _)| *stage).collect();
    assert_eq!(timed, names());
}

#[test]
fn every_stage_is_a_module_of_its_own() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for name in names() {
        let file = src.join(format!("{name}.rs"));
        let dir = src.join(name).join("mod.rs");
        assert!(
            file.is_file() || dir.is_file(),
            "stage `{name}` has no src/{name}.rs or src/{name}/mod.rs"
        );
    }
}

#[test]
fn the_readme_data_flow_lists_the_stages_in_order() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let line = names().join(" ▶ ");
    assert!(
        readme.lines().any(|l| l.trim() == line),
        "README.md's data flow should have the line `{line}`"
    );
}
