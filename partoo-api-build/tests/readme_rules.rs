//! The README's rule table names every rule, in order, so the documentation cannot drift from the code.

#[test]
fn readme_lists_every_rule_in_order() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let listed: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .filter(|name| {
            partoo_api_build::rules::RULES
                .iter()
                .any(|r| r.name == *name)
        })
        .collect();
    let rules: Vec<&str> = partoo_api_build::rules::RULES
        .iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(listed, rules, "update the rule table in README.md");
}
