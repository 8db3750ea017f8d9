//! The build-script work, `partoo_api_build::generate_path`, timed in this process (dev profile, opt-level 0,
//! like the build script) on the committed spec and on the 2021 spec, against progenitor alone on the same
//! normalised document.
//!
//! Each round runs the pipeline and then progenitor alone, back to back, so that both see the same load on
//! the machine; `total` and `progenitor alone` are the best of each over the rounds. Timing every pipeline
//! run first and every progenitor run after moved the ratio by up to ±10 % between two runs of the bench on
//! the shared 2-core machine, since the load changed between the two blocks.
//!
//! The ratio goal is the build script's: it applies to the committed snapshot, the only spec a build script
//! reads (through its JSON rendition). The 2021 spec is a robustness input, read as YAML; its ratio is printed
//! for information.

use std::path::Path;
use std::time::{Duration, Instant};

use partoo_api_build::load::rendition::Route;
use partoo_api_build::{Generated, NameTable, Options};

use super::Entry;

/// Goal for the pipeline's best run, in seconds.
const GOAL_GENERATE_S: f64 = 0.5;
/// Goal for the pipeline's time over progenitor's alone on the same normalised document (snapshot only).
const GOAL_PROGENITOR_RATIO: f64 = 1.2;

/// One spec to time: its label, its path, and whether the ratio goal applies to it.
struct Spec {
    label: &'static str,
    path: std::path::PathBuf,
    ratio_goal: Option<f64>,
}

/// Times both specs and pushes their lines to `summary`.
pub(super) fn run(root: &Path, quick: bool, summary: &mut Vec<Entry>) {
    let rounds = if quick { 2 } else { 7 };
    println!(
        "\n== build script work (partoo_api_build::generate_path in the xtask process: dev profile, \
         opt-level 0, like the build script; each round the pipeline then progenitor alone)"
    );
    let names = root.join("openapi/names.yaml");
    let mut options = Options::default();
    if names.exists() {
        match NameTable::load(&names) {
            Ok(table) => options.names = table,
            Err(e) => {
                println!("generate: cannot load {}: {e}", names.display());
                return;
            }
        }
    }
    let specs = [
        Spec {
            label: "generate snapshot",
            path: root.join("openapi/partoo.yaml"),
            ratio_goal: Some(GOAL_PROGENITOR_RATIO),
        },
        Spec {
            label: "generate 2021 spec",
            path: root.join("../shared/partoo/openapi-2021-bundled.yaml"),
            ratio_goal: None,
        },
    ];
    for spec in specs {
        if !spec.path.exists() {
            println!("{}: skipped, {} not found", spec.label, spec.path.display());
            continue;
        }
        if let Err(e) = time_spec(&spec, &options, rounds, summary) {
            println!("{}: {} failed: {e}", spec.label, spec.path.display());
        }
    }
}

/// The best pipeline run and the best progenitor-alone run over `rounds` interleaved rounds.
fn time_spec(
    spec: &Spec,
    options: &Options,
    rounds: usize,
    summary: &mut Vec<Entry>,
) -> Result<(), String> {
    let name = spec.path.display().to_string();
    let mut times = Vec::with_capacity(rounds);
    // The fastest pipeline run, kept for its split by stage.
    let mut fastest: Option<(Duration, Generated)> = None;
    let mut alone = Duration::MAX;
    // Each round's pipeline time over its own progenitor-alone time: both ran within a second of each other.
    let mut paired = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let generated =
            partoo_api_build::generate_path(&spec.path, options).map_err(|e| e.to_string())?;
        let took = started.elapsed();
        times.push(took);
        let started = Instant::now();
        partoo_api_build::progenitor_alone(&name, &generated.normalised, options)
            .map_err(|e| format!("progenitor alone: {e}"))?;
        let progenitor = started.elapsed();
        alone = alone.min(progenitor);
        paired.push(took.as_secs_f64() / progenitor.as_secs_f64());
        if fastest.as_ref().is_none_or(|(best, _)| took < *best) {
            fastest = Some((took, generated));
        }
    }
    let Some((best, generated)) = fastest else {
        return Err("no round ran".to_owned());
    };
    let read = match generated.loaded_from {
        Some(Route::Rendition) => "read through its JSON rendition",
        Some(Route::Stale) => "its JSON rendition is stale: YAML read",
        _ => "YAML read",
    };
    let all: Vec<String> = times
        .iter()
        .map(|t| format!("{:.3}", t.as_secs_f64()))
        .collect();
    println!(
        "{}: {} ({} kB) → {}, {} kB of code, {read}; runs {} s; best of {rounds} {:.3} s; goal ≤ \
         {GOAL_GENERATE_S} s; ratio to goal {:.3}",
        spec.label,
        spec.path.display(),
        std::fs::metadata(&spec.path).map_or(0, |m| m.len()) / 1024,
        generated.counts_line(),
        generated.code.len() / 1024,
        all.join(" / "),
        best.as_secs_f64(),
        best.as_secs_f64() / GOAL_GENERATE_S
    );
    let ratio = best.as_secs_f64() / alone.as_secs_f64();
    let goal = match spec.ratio_goal {
        Some(goal) => format!("goal ≤ {goal}"),
        None => "no goal: not a build-script input".to_owned(),
    };
    println!(
        "build script: total {:.3} s, progenitor alone {:.3} s, ratio to progenitor alone {ratio:.3} ({goal})",
        best.as_secs_f64(),
        alone.as_secs_f64()
    );
    let split: Vec<String> = generated
        .timings
        .iter()
        .map(|(stage, d)| format!("{stage} {:.3} s", d.as_secs_f64()))
        .collect();
    println!("  split of the best run: {}", split.join(", "));
    let (low, median, high) = spread(&mut paired);
    println!(
        "  ratio within each round: median {median:.3}, from {low:.3} to {high:.3} (information: on a \
         machine whose speed moves between rounds, the best of each side can come from different rounds)"
    );
    summary.push(Entry {
        label: format!("{}: pipeline / progenitor", spec.label),
        ratio: format!("{:.3} / {:.3} s", best.as_secs_f64(), alone.as_secs_f64()),
        value: ratio,
        goal: spec.ratio_goal,
    });
    summary.push(Entry {
        label: format!("{} (best of {rounds}, s)", spec.label),
        ratio: "seconds".to_owned(),
        value: best.as_secs_f64(),
        goal: Some(GOAL_GENERATE_S),
    });
    Ok(())
}

/// The lowest, median and highest of `values` (sorted in place); zeros when there are none.
fn spread(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    match &*values {
        [] => (0.0, 0.0, 0.0),
        [low, .., high] => (*low, values[values.len() / 2], *high),
        [only] => (*only, *only, *only),
    }
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn spread_gives_low_median_high() {
        assert_eq!(spread(&mut [1.3, 1.1, 1.2]), (1.1, 1.2, 1.3));
        assert_eq!(spread(&mut [1.4, 1.0, 1.1, 1.2]), (1.0, 1.2, 1.4));
        assert_eq!(spread(&mut [1.5]), (1.5, 1.5, 1.5));
        assert_eq!(spread(&mut []), (0.0, 0.0, 0.0));
    }
}
