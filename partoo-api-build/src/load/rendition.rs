//! The JSON rendition of a YAML spec: `openapi/partoo.yaml` → `openapi/partoo.json`, what the build script reads.
//!
//! Parsing 330 kB of YAML took about 45 ms of every build script run: serde_norway is libyaml translated to Rust,
//! and build scripts are compiled at opt-level 0. serde_json reads the same document as compact JSON in about
//! 4 ms. So `cargo xtask lock` and `cargo xtask sync-spec` write, beside the YAML, its rendition: the document
//! as [`crate::load::parse`] reads it, printed by serde_json, so reading it back gives the same value.
//!
//! The rendition's first line names the YAML it was made from: `{"rendition_of":"partoo.yaml","size":N,
//! "fnv1a64":"…"}` (the YAML's byte count and [`fingerprint`]); the second line is the document. [`read`] uses
//! the rendition only when that line matches the YAML's bytes as they are now; a YAML edited by hand after the
//! rendition was written is read itself, and the caller is told ([`Route::Stale`]): `cargo test` fails on a stale
//! rendition (xtask's lock check) and the build script prints a warning, so the slow path is never silent.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{BuildError, Location};

/// How [`read`] obtained the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// From the YAML itself: no rendition beside it, or the file is not YAML.
    Yaml,
    /// From the JSON rendition, whose first line matches the YAML.
    Rendition,
    /// From the YAML itself, because the rendition beside it was made from other bytes.
    Stale,
}

/// Where the rendition of `spec` lives: the same name with the extension `.json`.
pub fn rendition_path(spec: &Path) -> PathBuf {
    spec.with_extension("json")
}

/// Whether `path` names a YAML file (`.yaml` / `.yml`), the only kind that gets a rendition.
fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// 64-bit FNV-1a of `bytes`, as 16 hex digits: a change detector, not a security check (the lock holds the
/// spec's SHA-256). It costs under a millisecond on the spec at opt-level 0, where SHA-256 took about 6 ms.
pub fn fingerprint(bytes: &[u8]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = bytes
        .iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME));
    format!("{hash:016x}")
}

/// The first line of the rendition of `yaml` (named `file_name`).
fn header(file_name: &str, yaml: &[u8]) -> String {
    serde_json::json!({
        "rendition_of": file_name,
        "size": yaml.len(),
        "fnv1a64": fingerprint(yaml),
    })
    .to_string()
}

/// The rendition of the YAML `yaml` (named `file_name` in messages and in the first line): parsed with
/// [`crate::load::parse`], so a document that does not load has no rendition.
pub fn render(file_name: &str, yaml: &[u8]) -> Result<String, BuildError> {
    let doc = crate::load::parse(file_name, yaml)?;
    Ok(format!("{}\n{doc}\n", header(file_name, yaml)))
}

/// Reads the spec at `spec` (capped like [`crate::load::load_path`]) through its rendition when there is a
/// current one, else through the YAML parser.
pub fn read(spec: &Path) -> Result<(Value, Route), BuildError> {
    let (name, bytes) = crate::load::read_spec(spec)?;
    if !is_yaml(spec) {
        return crate::load::parse(&name, &bytes).map(|doc| (doc, Route::Yaml));
    }
    let json_path = rendition_path(spec);
    let Ok(json) = crate::load::read_capped(&json_path, crate::load::MAX_SPEC_BYTES * 2) else {
        return crate::load::parse(&name, &bytes).map(|doc| (doc, Route::Yaml));
    };
    let file_name = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (first, document) = match json.iter().position(|b| *b == b'\n') {
        Some(at) => (&json[..at], &json[at + 1..]),
        None => (&json[..], &[][..]),
    };
    if first != header(&file_name, &bytes).as_bytes() {
        return crate::load::parse(&name, &bytes).map(|doc| (doc, Route::Stale));
    }
    serde_json::from_slice(document)
        .map(|doc| (doc, Route::Rendition))
        .map_err(|e| {
            BuildError::new(
                json_path.display().to_string(),
                Location::Text {
                    line: e.line() + 1,
                    column: e.column(),
                },
                // The location above says where; serde_json's own text would count lines from the second.
                format!(
                    "the rendition of {file_name} is not valid JSON ({:?} error)",
                    e.classify()
                ),
            )
            .with_hint("rewrite it: `cargo xtask lock`")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str =
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-on: on\nx-n: 010\n";

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rendition-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("spec.yaml")
    }

    /// Removes the scratch directory of a test that passed; a failed one leaves its files to look at.
    fn done(spec: &Path) {
        if let Some(dir) = spec.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    #[test]
    fn a_current_rendition_is_read_and_gives_the_yaml_value() {
        let spec = scratch("current");
        std::fs::write(&spec, YAML).unwrap();
        assert_eq!(read(&spec).unwrap().1, Route::Yaml, "no rendition yet");
        std::fs::write(
            rendition_path(&spec),
            render("spec.yaml", YAML.as_bytes()).unwrap(),
        )
        .unwrap();
        let (doc, route) = read(&spec).unwrap();
        assert_eq!(route, Route::Rendition);
        assert_eq!(
            doc,
            crate::load::parse("spec.yaml", YAML.as_bytes()).unwrap()
        );
        done(&spec);
    }

    #[test]
    fn a_rendition_of_other_bytes_is_not_used() {
        let spec = scratch("stale");
        std::fs::write(
            rendition_path(&spec),
            render("spec.yaml", YAML.as_bytes()).unwrap(),
        )
        .unwrap();
        let edited = YAML.replace("title: t", "title: edited");
        std::fs::write(&spec, &edited).unwrap();
        let (doc, route) = read(&spec).unwrap();
        assert_eq!(route, Route::Stale);
        assert_eq!(doc["info"]["title"], "edited", "the YAML wins");
        done(&spec);
    }

    #[test]
    fn a_broken_rendition_with_a_matching_header_is_an_error_naming_it() {
        let spec = scratch("broken");
        std::fs::write(&spec, YAML).unwrap();
        let good = render("spec.yaml", YAML.as_bytes()).unwrap();
        let cut = &good[..good.len() - 10];
        std::fs::write(rendition_path(&spec), cut).unwrap();
        let err = read(&spec).unwrap_err().to_string();
        assert!(err.contains("spec.json:2:"), "{err}");
        assert!(err.contains("cargo xtask lock"), "{err}");
        done(&spec);
    }

    #[test]
    fn the_fingerprint_is_fnv1a_64() {
        // Reference values of the FNV-1a 64-bit function.
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
        assert_eq!(fingerprint(b"a"), "af63dc4c8601ec8c");
        assert_eq!(fingerprint(b"foobar"), "85944171f73967e8");
    }
}
