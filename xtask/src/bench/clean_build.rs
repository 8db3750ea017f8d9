//! The clean debug build of `partoo-api` with one tag feature against all tags: fresh target dirs, crates
//! already downloaded. What a user who enables only `reviews` saves.
//!
//! The two builds run twice, in the order one, all, all, one, and the best of each is kept: on the 2-core
//! machine one build moves by several seconds with the load of the moment (0.714 and 0.798 half an hour apart
//! on the same code), and the mirrored order gives each side an early and a late run. The ratio of the means
//! is printed too, as information; the goal is judged on the best runs, as the other build benches are.
//!
//! After each clean build, `partoo-api` alone is cleaned and built again (its build script and its crate,
//! dependencies already built): the part of the build the tag features control, printed for information. The
//! rest of a clean build, about 40 s of dependencies on the 2-core machine, is the same for every tag.

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
        "\n== clean build: `cargo build -p partoo-api` in fresh target dirs: `{ONE_TAG}` alone (one), all tags (all); one, all, all, one"
    );
    let scratch = root.join("target/xtask/clean-build");
    let features = format!("rustls,{ONE_TAG}");
    let one_tag = ["--no-default-features", "--features", features.as_str()];
    let (mut one, mut one_own) = (Best::default(), Best::default());
    let (mut all, mut all_own) = (Best::default(), Best::default());
    for one_first in [true, false] {
        for is_one in [one_first, !one_first] {
            let (clean, own) = if is_one {
                timed_build(root, &scratch.join("one-tag"), &one_tag)?
            } else {
                timed_build(root, &scratch.join("all-tags"), &[])?
            };
            let (best, best_own) = if is_one {
                (&mut one, &mut one_own)
            } else {
                (&mut all, &mut all_own)
            };
            best.add(clean);
            best_own.add(own);
        }
    }
    println!(
        "runs (one, all, all, one): one tag {one}, all tags {all}; ratio of the means {:.3} (information)",
        one.mean() / all.mean()
    );
    let (one, one_own, all, all_own) = (one.min, one_own.min, all.min, all_own.min);
    let ratio = one / all;
    println!(
        "clean build: one tag ({ONE_TAG}) {one:.1} s, all tags {all:.1} s, ratio to all {ratio:.3} (best of 2 each)"
    );
    println!(
        "partoo-api alone (build script and crate, dependencies built): one tag {one_own:.1} s, all tags \
         {all_own:.1} s, ratio to all {:.3} (no goal: information)",
        one_own / all_own
    );
    summary.push(Entry {
        label: format!("clean build, {ONE_TAG} / all tags"),
        ratio: format!("{one:.1} / {all:.1} s"),
        value: ratio,
        goal: Some(GOAL_RATIO),
    });
    summary.push(Entry {
        label: format!("partoo-api alone, {ONE_TAG} / all tags"),
        ratio: format!("{one_own:.1} / {all_own:.1} s"),
        value: one_own / all_own,
        goal: None,
    });
    Ok(())
}

/// The runs of one side, and the best of them.
#[derive(Default)]
struct Best {
    runs: Vec<f64>,
    min: f64,
}

impl Best {
    fn add(&mut self, seconds: f64) {
        self.min = if self.runs.is_empty() {
            seconds
        } else {
            self.min.min(seconds)
        };
        self.runs.push(seconds);
    }

    /// The mean of the runs: with the mirrored order, a steady drift of the machine's speed cancels out.
    fn mean(&self) -> f64 {
        self.runs.iter().sum::<f64>() / self.runs.len().max(1) as f64
    }
}

impl std::fmt::Display for Best {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let runs: Vec<String> = self.runs.iter().map(|s| format!("{s:.1}")).collect();
        write!(f, "{} s", runs.join(" / "))
    }
}

/// Seconds of one `cargo build -p partoo-api <extra>` into an emptied `target`, then seconds of the same build
/// after `cargo clean -p partoo-api` (only `partoo-api` and its build script built again).
fn timed_build(root: &Path, target: &Path, extra: &[&str]) -> Result<(f64, f64), String> {
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    settle();
    let result = cargo(root, target, &["build", "-p", "partoo-api"], extra).and_then(|clean| {
        cargo(root, target, &["clean", "-p", "partoo-api"], &[])?;
        let own = cargo(root, target, &["build", "-p", "partoo-api"], extra)?;
        Ok((clean, own))
    });
    let _ = std::fs::remove_dir_all(target);
    result
}

/// Flushes what earlier builds wrote (about 1.5 GB of artefacts each) before the clock starts, so that their
/// write-back does not run inside the next build; without it the later builds of a run were 5–9 s slower
/// than the first. Where `sync` cannot run, says so and goes on.
fn settle() {
    match std::process::Command::new("sync").status() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            println!("note: `sync` failed ({status}); earlier builds' writes may overlap this one")
        }
        Err(e) => {
            println!("note: cannot run `sync` ({e}); earlier builds' writes may overlap this one")
        }
    }
}

/// Seconds of `cargo <args> <extra> --quiet` with `CARGO_TARGET_DIR=target`.
fn cargo(root: &Path, target: &Path, args: &[&str], extra: &[&str]) -> Result<f64, String> {
    let started = Instant::now();
    let status = crate::cmd::cargo_command(root)
        .args(args)
        .arg("--quiet")
        .args(extra)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if status.success() {
        Ok(seconds)
    } else {
        Err(format!(
            "`CARGO_TARGET_DIR={} cargo {} {}` failed ({status})",
            target.display(),
            args.join(" "),
            extra.join(" ")
        ))
    }
}
