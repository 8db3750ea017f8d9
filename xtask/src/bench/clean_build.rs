//! The clean debug build of `partoo-api` with one tag feature against all tags: two fresh target dirs, one after
//! the other in the same run, crates already downloaded. What a user who enables only `reviews` saves.

use std::path::Path;
use std::time::Instant;

use super::Entry;

/// The tag built alone.
const ONE_TAG: &str = "reviews";
/// Goal for the ratio of the one-tag build to the all-tags build.
const GOAL_RATIO: f64 = 0.7;

/// Runs both builds and prints `clean build: one tag (reviews) X s, all tags Y s, ratio to all R`.
pub(super) fn run(root: &Path, summary: &mut Vec<Entry>) -> Result<(), String> {
    println!(
        "\n== clean build: `cargo build -p partoo-api` in fresh target dirs, `{ONE_TAG}` alone then all tags"
    );
    let scratch = root.join("target/xtask/clean-build");
    let features = format!("rustls,{ONE_TAG}");
    let one = timed_build(
        root,
        &scratch.join("one-tag"),
        &["--no-default-features", "--features", &features],
    )?;
    let all = timed_build(root, &scratch.join("all-tags"), &[])?;
    let ratio = one / all;
    println!(
        "clean build: one tag ({ONE_TAG}) {one:.1} s, all tags {all:.1} s, ratio to all {ratio:.3}"
    );
    summary.push(Entry {
        label: format!("clean build, {ONE_TAG} / all tags"),
        ratio: format!("{one:.1} / {all:.1} s"),
        value: ratio,
        goal: Some(GOAL_RATIO),
    });
    Ok(())
}

/// Seconds of one `cargo build -p partoo-api <extra>` into an emptied `target`.
fn timed_build(root: &Path, target: &Path, extra: &[&str]) -> Result<f64, String> {
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    let started = Instant::now();
    let status = crate::cmd::cargo_command(root)
        .args(["build", "--quiet", "-p", "partoo-api"])
        .args(extra)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(target);
    if status.success() {
        Ok(seconds)
    } else {
        Err(format!(
            "`CARGO_TARGET_DIR={} cargo build -p partoo-api {}` failed ({status})",
            target.display(),
            extra.join(" ")
        ))
    }
}
