//! `openapi/partoo.lock`: what `openapi/partoo.yaml` was produced from, and facts to detect drift
//! (sha256, size, versions, operation count). `cargo xtask lock` rewrites it, the surface file and the spec's
//! JSON rendition (`partoo.json`, what the build script reads) from the current files; `sync-spec` writes them
//! with the fetch source; [`check`] (run by `cargo test` and `sync-spec --check`) fails when spec, lock,
//! surface file and rendition disagree.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::flags::{Flags, root};

/// The lock file's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Lock {
    /// Facts about the spec file.
    pub(crate) spec: SpecFacts,
    /// Where it came from.
    pub(crate) source: Source,
}

/// Facts about the spec file, all derived from its bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SpecFacts {
    /// File name inside `openapi/`.
    pub(crate) file: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub(crate) sha256: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// The document's `openapi` field.
    pub(crate) openapi: String,
    /// The document's `info.version`.
    pub(crate) info_version: String,
    /// Number of operations.
    pub(crate) operations: usize,
    /// Summary line of the normalisation report.
    pub(crate) report: String,
}

/// Provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Source {
    /// Whether `partoo.yaml` is our restatement or a document fetched from upstream as is.
    pub(crate) kind: SpecKind,
    /// URL or description of the origin.
    pub(crate) origin: String,
    /// When it was fetched or produced (UTC, RFC 3339).
    pub(crate) fetched_at: String,
}

/// What kind of document `openapi/partoo.yaml` is; it decides which checks `spec-check` applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SpecKind {
    /// Written by this project from facts of Partoo's API (`cargo xtask lock --origin …`): the prose must be
    /// ours, so the copied-prose rule applies.
    Restatement,
    /// Partoo's own document, vendored verbatim by `cargo xtask sync-spec` (origin = its URL or path; the
    /// sha256 and `fetched_at` of the lock pin it): its prose is Partoo's, by definition.
    Upstream,
}

/// Paths of the files that must agree.
pub(crate) struct OpenapiDir {
    pub(crate) spec: PathBuf,
    /// The spec's JSON rendition, what the build script reads (`partoo_api_build::load::rendition`).
    pub(crate) rendition: PathBuf,
    pub(crate) lock: PathBuf,
    pub(crate) surface: PathBuf,
    pub(crate) names: PathBuf,
}

impl OpenapiDir {
    /// The files inside an `openapi/` folder.
    pub(crate) fn new(dir: &Path) -> Self {
        Self {
            spec: dir.join("partoo.yaml"),
            rendition: dir.join("partoo.json"),
            lock: dir.join("partoo.lock"),
            surface: dir.join("partoo.api.md"),
            names: dir.join("names.yaml"),
        }
    }

    /// The files `sync-spec` and `lock` write (the name table is edited by hand).
    pub(crate) fn written(&self) -> [&Path; 4] {
        [&self.spec, &self.rendition, &self.lock, &self.surface]
    }
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Derives the spec facts from bytes that went through the pipeline.
pub(crate) fn facts(
    file: &str,
    bytes: &[u8],
    generated: &partoo_api_build::Generated,
) -> Result<SpecFacts, String> {
    let doc = partoo_api_build::load::parse(file, bytes).map_err(|e| e.to_string())?;
    let text = |p: &str| {
        doc.pointer(p)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    Ok(SpecFacts {
        file: file.to_owned(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        openapi: text("/openapi"),
        info_version: text("/info/version"),
        operations: generated.methods.len(),
        report: generated.report.summary_line(),
    })
}

/// The JSON rendition of the spec bytes `bytes` (`openapi/partoo.json`).
pub(crate) fn rendition(bytes: &[u8]) -> Result<String, String> {
    partoo_api_build::load::rendition::render("partoo.yaml", bytes).map_err(|e| e.to_string())
}

/// Renders the lock as commented TOML.
pub(crate) fn render(lock: &Lock) -> Result<String, String> {
    let body = toml::to_string(lock).map_err(|e| e.to_string())?;
    Ok(format!(
        "# Written by `cargo xtask sync-spec` (or `cargo xtask lock`); checked by `cargo test`.\n# Do not edit by hand.\n\n{body}"
    ))
}

/// Reads a lock file.
pub(crate) fn read(path: &Path) -> Result<Lock, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Each field of `locked` that differs from `now`, as `name: locked "…", file has "…"`.
fn differing_fields(locked: &SpecFacts, now: &SpecFacts) -> Vec<String> {
    let fields = |f: &SpecFacts| {
        [
            ("file", f.file.clone()),
            ("sha256", f.sha256.clone()),
            ("size", f.size.to_string()),
            ("openapi", f.openapi.clone()),
            ("info_version", f.info_version.clone()),
            ("operations", f.operations.to_string()),
            ("report", f.report.clone()),
        ]
    };
    fields(locked)
        .into_iter()
        .zip(fields(now))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, a), (_, b))| format!("{name}: locked {a:?}, file has {b:?}"))
        .collect()
}

/// Checks that spec, lock and surface file agree; the error says which command fixes it.
pub(crate) fn check(dir: &OpenapiDir) -> Result<(), String> {
    let bytes = std::fs::read(&dir.spec).map_err(|e| format!("{}: {e}", dir.spec.display()))?;
    let lock = read(&dir.lock)?;
    let generated = crate::codegen::generate(&dir.spec, &dir.names)?;
    let file = dir
        .spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let now = facts(&file, &bytes, &generated)?;
    let mut problems = Vec::new();
    let differing = differing_fields(&lock.spec, &now);
    if !differing.is_empty() {
        problems.push(format!(
            "{} does not match {}:\n    {}",
            dir.lock.display(),
            dir.spec.display(),
            differing.join("\n    ")
        ));
    }
    let surface = partoo_api_build::surface_markdown(&generated);
    let on_disk = std::fs::read_to_string(&dir.surface).unwrap_or_default();
    if surface != on_disk {
        problems.push(format!("{} is stale", dir.surface.display()));
    }
    let rendition = rendition(&bytes)?;
    if std::fs::read_to_string(&dir.rendition).ok().as_ref() != Some(&rendition) {
        problems.push(format!(
            "{} is stale or missing (the build script then reads the YAML, about 40 ms slower)",
            dir.rendition.display()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n  fix: run `cargo xtask lock` after editing the spec by hand, or `cargo xtask sync-spec` to refresh it",
            problems.join("\n")
        ))
    }
}

/// The options of this task (see [`crate::flags::Spec`]).
pub(crate) const FLAGS: crate::flags::Spec = crate::flags::Spec {
    values: &["origin", "root"],
    switches: &[],
};

/// `cargo xtask lock [--origin TEXT] [--root DIR]`: rewrites lock and surface from the current spec. A new
/// `--origin` marks the spec as a restatement (a hand-made document; `sync-spec` writes upstream locks);
/// without it the previous source, kind included, is kept.
pub(crate) fn run(flags: Flags) -> Result<(), String> {
    let dir = OpenapiDir::new(&root(&flags).join("openapi"));
    crate::sync_spec::clean_leftovers(&dir)?;
    let bytes = std::fs::read(&dir.spec).map_err(|e| format!("{}: {e}", dir.spec.display()))?;
    let generated = crate::codegen::generate(&dir.spec, &dir.names)?;
    // No lock yet is fine with --origin; a lock that exists but does not parse is an error of its own.
    let previous = if dir.lock.exists() {
        match read(&dir.lock) {
            Ok(lock) => Some(lock),
            Err(e) if flags.value("origin").is_some() => {
                eprintln!("note: the previous lock does not parse and is replaced: {e}");
                None
            }
            Err(e) => {
                return Err(format!(
                    "{e}\n  fix: repair the lock, or replace it with `cargo xtask lock --origin \"where the spec comes from\"`"
                ));
            }
        }
    } else {
        None
    };
    let source = match (flags.value("origin"), previous) {
        (Some(origin), _) => Source {
            kind: SpecKind::Restatement,
            origin: origin.to_owned(),
            fetched_at: now_utc(),
        },
        (None, Some(prev)) => prev.source,
        (None, None) => {
            return Err("no lock yet: give --origin \"where the spec comes from\"".to_owned());
        }
    };
    let lock = Lock {
        spec: facts("partoo.yaml", &bytes, &generated)?,
        source,
    };
    // Every output is computed before anything is written, and the three files are replaced together.
    let lock = render(&lock)?;
    let surface = partoo_api_build::surface_markdown(&generated);
    let rendition = rendition(&bytes)?;
    crate::files::write_files_atomically(&[
        (dir.lock.as_path(), lock.as_bytes()),
        (dir.surface.as_path(), surface.as_bytes()),
        (dir.rendition.as_path(), rendition.as_bytes()),
    ])?;
    println!(
        "wrote {}, {} and {}",
        dir.lock.display(),
        dir.surface.display(),
        dir.rendition.display()
    );
    println!("{}", generated.counts_line());
    Ok(())
}

/// The current UTC time as RFC 3339 (seconds), without a date crate.
pub(crate) fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_from_epoch(secs)
}

/// `secs` since the Unix epoch as RFC 3339 UTC, second precision (`2026-11-30T09:01:57Z`).
fn utc_from_epoch(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed() -> OpenapiDir {
        OpenapiDir::new(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi"))
    }

    #[test]
    fn committed_spec_lock_and_surface_agree() {
        if let Err(e) = check(&committed()) {
            panic!("{e}");
        }
    }

    #[test]
    fn check_fails_when_the_spec_changes_without_the_lock() {
        let (root, dir) = scratch("check");
        let from = committed();
        check(&dir).unwrap();
        let mut spec = std::fs::read_to_string(&dir.spec).unwrap();
        spec.push_str("\n# an edit\n");
        std::fs::write(&dir.spec, spec).unwrap();
        let err = check(&dir).unwrap_err();
        assert!(
            err.contains("does not match") && err.contains("cargo xtask lock"),
            "{err}"
        );
        std::fs::copy(&from.spec, &dir.spec).unwrap();
        std::fs::write(&dir.surface, "stale").unwrap();
        let err = check(&dir).unwrap_err();
        assert!(err.contains("partoo.api.md is stale"), "{err}");
        std::fs::copy(&from.surface, &dir.surface).unwrap();
        std::fs::remove_file(&dir.rendition).unwrap();
        let err = check(&dir).unwrap_err();
        assert!(
            err.contains("partoo.json is stale or missing") && err.contains("cargo xtask lock"),
            "{err}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A scratch root with a copy of the committed `openapi/`, for the test `name`.
    fn scratch(name: &str) -> (PathBuf, OpenapiDir) {
        let root = std::env::temp_dir().join(format!("xtask-lock-{name}-{}", std::process::id()));
        let tmp = root.join("openapi");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&tmp).unwrap();
        let from = committed();
        for (src, name) in [
            (&from.spec, "partoo.yaml"),
            (&from.rendition, "partoo.json"),
            (&from.lock, "partoo.lock"),
            (&from.surface, "partoo.api.md"),
            (&from.names, "names.yaml"),
        ] {
            std::fs::copy(src, tmp.join(name)).unwrap();
        }
        (root, OpenapiDir::new(&tmp))
    }

    fn edit_lock(dir: &OpenapiDir, from: &str, to: &str) {
        let text = std::fs::read_to_string(&dir.lock).unwrap();
        assert!(text.contains(from), "{from:?} not in the lock");
        std::fs::write(&dir.lock, text.replacen(from, to, 1)).unwrap();
    }

    #[test]
    fn a_mismatch_names_each_differing_field_with_both_values() {
        let (root, dir) = scratch("fields");
        let lock = read(&dir.lock).unwrap();
        let version = format!("info_version = \"{}\"", lock.spec.info_version);
        edit_lock(&dir, &version, "info_version = \"v999\"");
        let err = check(&dir).unwrap_err();
        assert!(
            err.contains(&format!(
                "info_version: locked \"v999\", file has \"{}\"",
                lock.spec.info_version
            )),
            "{err}"
        );
        std::fs::copy(committed().lock, &dir.lock).unwrap();
        edit_lock(&dir, "file = \"partoo.yaml\"", "file = \"other.yaml\"");
        let err = check(&dir).unwrap_err();
        assert!(
            err.contains("file: locked \"other.yaml\", file has \"partoo.yaml\""),
            "{err}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_lock_that_does_not_parse_is_reported_as_such() {
        let (root, dir) = scratch("parse");
        edit_lock(&dir, "[source]", "[source\n");
        let flags = Flags::parse(
            vec!["--root".to_owned(), root.display().to_string()],
            &FLAGS,
        )
        .unwrap();
        let err = run(flags).unwrap_err();
        assert!(
            !err.contains("no lock yet") && err.contains("partoo.lock") && err.contains("line"),
            "{err}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn epoch_seconds_become_the_right_utc_date() {
        assert_eq!(utc_from_epoch(0), "1970-01-01T00:00:00Z");
        // A leap day of a century leap year, and the last second of a day.
        assert_eq!(utc_from_epoch(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_from_epoch(1_796_083_199), "2026-11-30T23:59:59Z");
        let now = now_utc();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.as_str() > "2026-01-01", "{now}");
    }
}
