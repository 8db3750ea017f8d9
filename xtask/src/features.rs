//! `cargo xtask features [--check]`: the tag features of `partoo-api/Cargo.toml`, one per tag of
//! `openapi/partoo.yaml` (see `partoo_api_build::select`), written between two marker lines. With `--check`
//! nothing is written and a difference is an error; a plain `cargo test` runs the same check.

use std::path::Path;

use partoo_api_build::select::spec_tags;

use crate::flags::{Flags, root};

/// First line of the generated block.
const BEGIN: &str =
    "# --- tag features: written by `cargo xtask features` from openapi/partoo.yaml ---";
/// Last line of the generated block.
const END: &str = "# --- end of tag features ---";

pub(crate) fn run(flags: Flags) -> Result<(), String> {
    flags.only(&["check", "root"])?;
    let root = root(&flags);
    let manifest = root.join("partoo-api/Cargo.toml");
    let current = read(&manifest)?;
    let wanted = rewrite(&current, &block(&root.join("openapi/partoo.yaml"))?)
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
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
    crate::codegen::write_atomic(&manifest, wanted.as_bytes())?;
    println!("wrote the tag features of {}", manifest.display());
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The features block for the spec at `spec`: the umbrella `all-tags`, then one feature per tag.
pub(crate) fn block(spec: &Path) -> Result<String, String> {
    let doc = partoo_api_build::load::load_path(spec).map_err(|e| e.to_string())?;
    let tags = spec_tags(&doc);
    let mut features: Vec<(String, String)> = tags.into_iter().map(|(tag, f)| (f, tag)).collect();
    features.sort();
    features.dedup_by(|a, b| a.0 == b.0);
    let mut out = format!("{BEGIN}\n");
    out.push_str("# Every tag's operations (on by default); without it, only the enabled tags' operations.\n");
    let names: Vec<String> = features.iter().map(|(f, _)| format!("\"{f}\"")).collect();
    out.push_str(&format!("all-tags = [{}]\n", names.join(", ")));
    for (feature, tag) in &features {
        out.push_str(&format!("# tag \"{tag}\"\n{feature} = []\n"));
    }
    out.push_str(END);
    Ok(out)
}

/// `manifest` with the text between (and including) the marker lines replaced by `block`.
fn rewrite(manifest: &str, block: &str) -> Result<String, String> {
    let start = manifest
        .find(BEGIN)
        .ok_or_else(|| format!("no line `{BEGIN}` in [features]"))?;
    let end = manifest[start..]
        .find(END)
        .map(|at| start + at + END.len())
        .ok_or_else(|| format!("no line `{END}` after `{BEGIN}`"))?;
    Ok(format!("{}{block}{}", &manifest[..start], &manifest[end..]))
}

/// The tags of `doc` (a spec, raw or normalised) that have no feature in the manifest at `manifest`, as
/// `Tag (feature `tag`)`; `sync-spec` reports them.
pub(crate) fn missing_features(
    doc: &serde_json::Value,
    manifest: &Path,
) -> Result<Vec<String>, String> {
    let text = read(manifest)?;
    Ok(spec_tags(doc)
        .into_iter()
        .filter(|(_, f)| !text.lines().any(|l| l.starts_with(&format!("{f} = "))))
        .map(|(tag, f)| format!("{tag} (feature `{f}`)"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use partoo_api_build::select::tag_feature;

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
        let wanted = block(&root.join("openapi/partoo.yaml")).expect("spec loads");
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
        let block = block(&spec).expect("block");
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
}
