//! The last gate of `sync-spec`: the staged spec must not only generate but give a `partoo-api` that
//! compiles. Runs `cargo check -p partoo-api --features mock,cli` against it, with the tree's name table,
//! in a target dir of its own under `target/` (so the main build is not invalidated), before anything is
//! renamed into `openapi/`.

use std::path::Path;

use crate::cmd::cargo_command;

/// Target directory of the check, under the workspace's `target/`.
const TARGET_SUBDIR: &str = "target/sync-spec-check";

/// How many rustc errors a refusal quotes.
const QUOTED_ERRORS: usize = 5;

/// Type-checks `partoo-api` in `workspace` against the spec `bytes` (staged under the check's target dir,
/// never in `openapi/`) with the name table `names`.
pub(super) fn check(workspace: &Path, bytes: &[u8], names: &Path) -> Result<(), String> {
    let target = workspace.join(TARGET_SUBDIR);
    // One file per run: two syncs at once (the tests) must not check each other's spec.
    let staged = target.join(format!("staged-partoo-{}.yaml", std::process::id()));
    std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    crate::files::write_atomic(&staged, bytes)?;
    let output = cargo_command(workspace)
        // With `mock` and `cli` on (and the default features): every part generated from the spec.
        .args([
            "check",
            "-p",
            "partoo-api",
            "--features",
            "mock,cli",
            "--message-format",
            "short",
        ])
        .env("CARGO_TARGET_DIR", &target)
        .env(partoo_api_build::cargo::SPEC_ENV, &staged)
        .env(partoo_api_build::cargo::NAMES_ENV, names)
        .output();
    let _ = std::fs::remove_file(&staged);
    let output = output.map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(refusal(&stderr))
}

/// The message for a failed check: the first rustc errors (`--message-format short` puts each on one line),
/// or, when there are none (the build script refused the spec), the end of cargo's output; and what to do.
fn refusal(stderr: &str) -> String {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("error[") || l.contains(": error:"))
        .collect();
    let shown = if errors.is_empty() {
        let lines: Vec<&str> = stderr.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    } else {
        let mut text = errors
            .iter()
            .take(QUOTED_ERRORS)
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        if errors.len() > QUOTED_ERRORS {
            text.push_str(&format!("\n… and {} more", errors.len() - QUOTED_ERRORS));
        }
        text
    };
    format!(
        "the new spec generates, but partoo-api does not compile against it; nothing was written\n{shown}\n\
         fix the pipeline (partoo-api-build) or pin names in openapi/names.yaml, then run sync-spec again \
         (--skip-compile-check writes the spec without this check)"
    )
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn a_refusal_quotes_the_first_rustc_errors() {
        let stderr = "   Compiling partoo-api v0.1.0\n\
                      src/lib.rs:1:1: error[E0592]: duplicate definitions with name `sandbox`\n\
                      src/lib.rs:2:1: error[E0592]: duplicate definitions with name `builder`\n\
                      error: could not compile `partoo-api` (lib) due to 2 previous errors\n";
        let text = refusal(stderr);
        assert!(text.contains("does not compile"), "{text}");
        assert!(
            text.contains("name `sandbox`") && text.contains("name `builder`"),
            "{text}"
        );
        assert!(!text.contains("could not compile"), "{text}");
    }

    #[test]
    fn a_refusal_without_rustc_errors_quotes_the_end_of_the_output() {
        let text = refusal("warning: something\nerror: failed to run custom build command\nboom\n");
        assert!(
            text.contains("failed to run custom build command") && text.contains("boom"),
            "{text}"
        );
    }
}
