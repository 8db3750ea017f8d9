//! `cargo xtask sync-spec [--from URL|PATH] [--report FILE] [--timeout-ms N] [--max-bytes N] [--root DIR]
//! [--skip-compile-check] [--accept-removals]`
//! and `cargo xtask sync-spec --check [--root DIR]`.
//!
//! Fetches Partoo's bundled OpenAPI document ([`DEFAULT_URL`], or `$PARTOO_OPENAPI_URL`, or `--from`), runs
//! the whole partoo-api-build pipeline on it, and only if that succeeds writes `openapi/partoo.yaml`, the lock
//! and the API surface file (all to temporary files in `openapi/`, then renamed; a failed rename puts back the
//! files already replaced, see [`crate::files::write_files_atomically`]). Prints a change report
//! against the committed spec (operations added, removed, changed, renamed; defect rules; a semver hint),
//! after type-checking `partoo-api` against the new spec (`cargo check`, skipped with `--skip-compile-check`),
//! also written as Markdown with `--report FILE` (its folder is checked before anything is fetched). Identical
//! bytes print "up to date" and write nothing, unless lock, rendition or surface file disagree with the spec
//! (what `--check` fails on): then those are rewritten, all or nothing. A writing run first removes the
//! leftovers of an interrupted one ([`clean_leftovers`]).
//! A new spec that removes more than half of the committed operations is refused unless `--accept-removals`
//! is given (the report is printed, nothing is written): it is more likely another document than Partoo's
//! next release.
//! `--check` fails when spec, lock and surface file disagree (what CI runs).

mod compile;
mod diff;
mod fetch;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use partoo_api_build::{Generated, NameTable, Options};

use crate::flags::{Flags, root};
use crate::lock::{self, Lock, OpenapiDir, Source};
use fetch::{Limits, Origin};

/// Where Partoo publishes its bundled OpenAPI document (all operations, `$ref`s resolved into one file).
/// The environment variable [`URL_ENV`] overrides it; `--from` overrides both.
pub(crate) const DEFAULT_URL: &str =
    "https://developers.partoo.co/assets/openapi/openapi-bundled.yaml";

/// Environment variable that replaces [`DEFAULT_URL`] (e.g. a mirror or a staging copy).
pub(crate) const URL_ENV: &str = "PARTOO_OPENAPI_URL";

/// Default total time for one HTTP attempt (`--timeout-ms`).
const DEFAULT_TIMEOUT_MS: u64 = 60_000;

/// The options of this task (see [`crate::flags::Spec`]).
pub(crate) const FLAGS: crate::flags::Spec = crate::flags::Spec {
    values: &["from", "report", "timeout-ms", "max-bytes", "root"],
    switches: &["check", "skip-compile-check", "accept-removals"],
};

/// Entry point of `cargo xtask sync-spec`.
pub(crate) fn run(flags: Flags) -> Result<(), String> {
    let dir = OpenapiDir::new(&root(&flags).join("openapi"));
    if flags.switch("check") {
        if let Some(other) = ["from", "report", "timeout-ms", "max-bytes"]
            .iter()
            .find(|o| flags.value(o).is_some())
            .or(["skip-compile-check", "accept-removals"]
                .iter()
                .find(|s| flags.switch(s)))
        {
            return Err(format!(
                "--check reads only the committed files; drop --{other}"
            ));
        }
        return check(&dir);
    }
    let from = match flags.value("from") {
        Some(f) => f.to_owned(),
        None => std::env::var(URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_URL.to_owned()),
    };
    let origin = Origin::parse(&from)?;
    let limits = Limits {
        timeout: Duration::from_millis(number(&flags, "timeout-ms", DEFAULT_TIMEOUT_MS, u64::MAX)?),
        max_bytes: number(
            &flags,
            "max-bytes",
            partoo_api_build::load::MAX_SPEC_BYTES,
            partoo_api_build::load::MAX_SPEC_BYTES,
        )?,
    };
    let report_file = flags.value("report").map(PathBuf::from);
    if let Some(path) = &report_file {
        report_folder_exists(path)?;
    }
    let guard = Guard {
        compile_check: !flags.switch("skip-compile-check"),
        accept_removals: flags.switch("accept-removals"),
    };
    sync(&dir, &origin, limits, report_file.as_deref(), guard)
}

/// What `sync` checks before it writes.
#[derive(Clone, Copy)]
struct Guard {
    /// Type-check `partoo-api` against the new spec (off with `--skip-compile-check`).
    compile_check: bool,
    /// Write a spec that removes more than half of the committed operations (`--accept-removals`).
    accept_removals: bool,
}

/// Refuses a new spec that removes more than half of the committed operations, unless accepted: that is
/// rather another document (a wrong URL, another API, an empty or cut-down export) than Partoo's next
/// release, and the pipeline would accept it, since any valid spec generates.
fn removals_accepted(
    guard: Guard,
    committed: usize,
    removed: usize,
    name: &str,
) -> Result<(), String> {
    if guard.accept_removals || removed * 2 <= committed {
        return Ok(());
    }
    Err(format!(
        "the new spec removes {removed} of the {committed} committed operations: is {name} Partoo's \
         bundled spec? Nothing was written. The change report is above; if the removals are real, run again \
         with --accept-removals"
    ))
}

/// The folder of the `--report` file exists (checked before anything is fetched or written: the report is
/// written last, after `openapi/`).
fn report_folder_exists(path: &Path) -> Result<(), String> {
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if folder.is_dir() {
        Ok(())
    } else {
        Err(format!(
            "--report {}: the folder {} does not exist; nothing was written",
            path.display(),
            folder.display()
        ))
    }
}

/// Fetch, validate, compare, write, verify, report.
fn sync(
    dir: &OpenapiDir,
    origin: &Origin,
    limits: Limits,
    report_file: Option<&Path>,
    guard: Guard,
) -> Result<(), String> {
    clean_leftovers(dir)?;
    let bytes = fetch::fetch(origin, limits)?;
    let name = origin.describe();
    let current = std::fs::read(&dir.spec).ok();
    let mut compile_check = guard.compile_check;
    let mut repair = false;
    if current.as_deref() == Some(bytes.as_slice()) {
        let sha = lock::sha256_hex(&bytes);
        match lock::check(dir) {
            Ok(()) => {
                println!(
                    "up to date: {name} is identical to {} (sha256 {sha}); nothing rewritten",
                    dir.spec.display()
                );
                if let Some(path) = report_file {
                    let text = format!(
                        "# {name}: up to date\n\nThe fetched spec is identical to the committed one (sha256 {sha}).\n"
                    );
                    crate::files::write_atomic(path, text.as_bytes())?;
                }
                return Ok(());
            }
            Err(problems) => {
                // Same spec, but lock, rendition or surface disagree with it (an interrupted run, a deleted
                // or hand-edited file): rewrite them all together, as for a new spec.
                eprintln!(
                    "{name} is identical to {}, but the files beside it disagree with it:\n{problems}\nrewriting them …",
                    dir.spec.display()
                );
                compile_check = false;
                repair = true;
            }
        }
    }

    eprintln!("validating {name} ({}) …", fetch::kilobytes(bytes.len()));
    let started = Instant::now();
    let options = options(dir)?;
    let new = partoo_api_build::generate_bytes(&name, &bytes, &options)
        .map_err(|e| format!("the pipeline refuses the new spec; nothing was written\n{e}"))?;
    // The `mock` and `cli` features generate more from the same document, and refuse what they cannot
    // make (a parameter named like a command-line flag, …): checked here too, with the place named.
    crate::codegen::features_code(&name, &new, &options).map_err(|e| {
        format!("the pipeline refuses the new spec for the `mock` or `cli` feature; nothing was written\n{e}")
    })?;
    eprintln!(
        "validated in {} ms: {}; {}",
        started.elapsed().as_millis(),
        new.counts_line(),
        new.report.summary_line()
    );
    if compile_check {
        let started = Instant::now();
        eprintln!("type-checking partoo-api against it (cargo check) …");
        compile::check(&workspace(), &bytes, &dir.names)?;
        eprintln!("type-checked in {:.1} s", started.elapsed().as_secs_f64());
    }
    let committed = dir.spec.display().to_string();
    let old = match current
        .as_deref()
        .map(|old| partoo_api_build::generate_bytes(&committed, old, &options))
    {
        Some(Ok(g)) => Some(g),
        Some(Err(e)) => {
            eprintln!(
                "note: the committed spec does not generate ({e}); every operation counts as added"
            );
            None
        }
        None => None,
    };
    let mut changes = diff::diff(old.as_ref(), &new);
    changes.tag_features = tag_features(dir, &new)?;

    let facts = lock::facts("partoo.yaml", &bytes, &new)?;
    let title = title(old.as_ref().zip(current.as_deref()), &facts, &name);
    if let Some(old) = &old
        && let Err(e) = removals_accepted(guard, old.methods.len(), changes.removed.len(), &name)
    {
        print!("{}", changes.render(&title, false));
        return Err(e);
    }
    // A repair keeps the lock's source when its facts are right (as an up-to-date run rewrites nothing).
    let source = match lock::read(&dir.lock) {
        Ok(previous) if repair && previous.spec == facts => previous.source,
        _ => Source {
            kind: lock::SpecKind::Upstream,
            origin: name.clone(),
            fetched_at: lock::now_utc(),
        },
    };
    let lock = Lock {
        spec: facts,
        source,
    };
    let rendition = lock::rendition(&bytes)?.into_bytes();
    let files = [
        (dir.spec.as_path(), bytes),
        (dir.rendition.as_path(), rendition),
        (dir.lock.as_path(), lock::render(&lock)?.into_bytes()),
        (
            dir.surface.as_path(),
            partoo_api_build::surface_markdown(&new).into_bytes(),
        ),
    ];
    // Only the files whose content changes (for a repair, the spec itself is left alone).
    let to_write: Vec<(&Path, &[u8])> = files
        .iter()
        .filter(|(path, bytes)| std::fs::read(path).ok().as_ref() != Some(bytes))
        .map(|(path, bytes)| (*path, bytes.as_slice()))
        .collect();
    crate::files::write_files_atomically(&to_write)?;
    for (path, bytes) in &files {
        if std::fs::read(path).ok().as_ref() != Some(bytes) {
            return Err(format!(
                "{} changed while sync-spec was writing it; run it again",
                path.display()
            ));
        }
        eprintln!(
            "wrote {} ({})",
            path.display(),
            fetch::kilobytes(bytes.len())
        );
    }

    let written: Vec<String> = to_write
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    let written = written.join(", ");
    if repair {
        // Never leave `--check` failing after an exit 0.
        lock::check(dir)
            .map_err(|e| format!("the files were rewritten, but they still disagree:\n{e}"))?;
        println!(
            "rewrote {written} to agree with {} (its bytes are unchanged)",
            dir.spec.display()
        );
    }
    print!("{}", changes.render(&title, false));
    if let Some(path) = report_file {
        crate::files::write_atomic(path, changes.render(&title, true).as_bytes())
            .map_err(|e| format!("{e} (the report only: {written} were written)"))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Removes leftovers of an interrupted write in `openapi/` (see [`crate::files::remove_leftovers`]) and says so.
pub(crate) fn clean_leftovers(dir: &OpenapiDir) -> Result<(), String> {
    let Some(folder) = dir.spec.parent() else {
        return Ok(());
    };
    let names: Vec<&str> = dir
        .written()
        .into_iter()
        .filter_map(|p| p.file_name()?.to_str())
        .collect();
    for path in crate::files::remove_leftovers(folder, &names)? {
        eprintln!(
            "removed {}, left behind by an interrupted run",
            path.display()
        );
    }
    Ok(())
}

/// Compares the tags of the new spec with the tag features of `partoo-api/Cargo.toml` (beside `openapi/`):
/// lines for the report about tags without a feature (their operations would be missing from builds that pick
/// tags), or an error naming the tags whose feature name another feature already has.
fn tag_features(dir: &OpenapiDir, new: &Generated) -> Result<Vec<String>, String> {
    let Some(manifest) = dir
        .spec
        .parent()
        .and_then(Path::parent)
        .map(|root| root.join("partoo-api/Cargo.toml"))
        .filter(|m| m.exists())
    else {
        return Ok(Vec::new());
    };
    match crate::features::compare_tags(&new.normalised, &manifest) {
        Ok(check) if !check.colliding.is_empty() => Err(format!(
            "tags that cannot become features of {} (rename them upstream); nothing was written\n  {}",
            manifest.display(),
            check.colliding.join("\n  ")
        )),
        Ok(check) if check.missing.is_empty() => Ok(Vec::new()),
        Ok(check) => Ok(vec![format!(
            "new tags without a feature in {}: {}; run `cargo xtask features`",
            manifest.display(),
            check.missing.join(", ")
        )]),
        Err(e) => {
            eprintln!("warning: cannot compare the tags with the features: {e}");
            Ok(Vec::new())
        }
    }
}

/// `--check`: spec, lock and surface file agree.
fn check(dir: &OpenapiDir) -> Result<(), String> {
    lock::check(dir)?;
    let lock = lock::read(&dir.lock)?;
    println!(
        "ok: {}, {} and {} agree (sha256 {}, {} operations, info.version {})",
        dir.spec.display(),
        dir.lock.display(),
        dir.surface.display(),
        lock.spec.sha256,
        lock.spec.operations,
        lock.spec.info_version
    );
    Ok(())
}

/// The workspace this xtask was built from: where `partoo-api` is type-checked (also when `--root` points
/// elsewhere, as in the tests).
fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// A positive integer option, at most `max`.
fn number(flags: &Flags, name: &str, default: u64, max: u64) -> Result<u64, String> {
    let Some(text) = flags.value(name) else {
        return Ok(default);
    };
    match text.parse::<u64>() {
        Ok(n) if n > 0 && n <= max => Ok(n),
        Ok(_) => Err(format!("--{name}: must be between 1 and {max}")),
        Err(e) => Err(format!("--{name} `{text}`: {e}")),
    }
}

/// Pipeline options with the committed name table.
fn options(dir: &OpenapiDir) -> Result<Options, String> {
    let mut options = Options::default();
    if dir.names.exists() {
        options.names = NameTable::load(&dir.names).map_err(|e| e.to_string())?;
    }
    Ok(options)
}

/// `partoo.yaml: v2 (46a4b4f7, 82 operations) → v3 (…, 83 operations) from URL`.
fn title(old: Option<(&Generated, &[u8])>, new: &lock::SpecFacts, origin: &str) -> String {
    let short = |sha: &str| sha.chars().take(8).collect::<String>();
    let before = match old {
        Some((g, bytes)) => {
            let version = partoo_api_build::load::parse("old", bytes)
                .ok()
                .and_then(|d| {
                    d.pointer("/info/version")
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            format!(
                "{version} ({}, {} operations)",
                short(&lock::sha256_hex(bytes)),
                g.methods.len()
            )
        }
        None => "nothing".to_owned(),
    };
    format!(
        "Change report for partoo.yaml: {before} → {} ({}, {} operations) from {origin}",
        new.info_version,
        short(&new.sha256),
        new.operations
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> Flags {
        Flags::parse(args.iter().map(|s| (*s).to_owned()).collect(), &FLAGS).unwrap()
    }

    #[test]
    fn check_switch_is_seen_wherever_it_stands() {
        assert!(flags(&["--check"]).switch("check"));
        assert!(flags(&["--check", "--root", "x"]).switch("check"));
        assert!(flags(&["--root", "x", "--check"]).switch("check"));
        assert!(!flags(&["--root", "x"]).switch("check"));
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(number(&flags(&[]), "max-bytes", 7, 10), Ok(7));
        assert_eq!(
            number(&flags(&["--max-bytes", "10"]), "max-bytes", 7, 10),
            Ok(10)
        );
        assert!(number(&flags(&["--max-bytes", "11"]), "max-bytes", 7, 10).is_err());
        assert!(number(&flags(&["--max-bytes", "0"]), "max-bytes", 7, 10).is_err());
        assert!(number(&flags(&["--max-bytes", "x"]), "max-bytes", 7, 10).is_err());
    }
}
