//! `cargo xtask bench [--quick]`: how fast the client and its build are, on this machine.
//!
//! 1. Runs `cargo bench -p partoo-api --bench client` (release profile): request overhead of the client
//!    against raw reqwest, pagination against the ideal time, typed against untyped decoding; then
//!    `--bench webhooks`: verifying and decoding a 2 kB webhook event against bare Ed25519 + `Value`.
//! 2. Times the build-script work, `partoo_api_build::generate_path`, in this process (dev profile, like a
//!    build script) on the committed spec and on the 2021 spec in `../shared/partoo`, runs interleaved with
//!    progenitor alone ([`generate`]).
//! 3. Times a no-op `cargo build -p partoo-api` and checks from `-v` output that the build script did not run.
//! 4. Full runs only: a clean debug build with one tag feature against all tags ([`clean_build`]).
//!
//! The client target also runs the **bulk sync** figure: ≥ 1,000 item requests through `bulk::Bulk` and a
//! client limited to 300 requests per 3 s, against a loopback server enforcing that quota (429 past it).
//!
//! Every result is one line with its ratio, and a summary block closes the run. A benchmark never fails on a
//! time: it reports. `--quick` runs fewer iterations, for a smoke run. `--only NAME` runs one part: `client`,
//! `webhooks`, `bulk` (the bulk sync alone), `generate`, `noop` or `clean-build`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::flags::{Flags, root};

mod clean_build;
mod generate;

/// Goals, as stated in the task.
const GOAL_NOOP_S: f64 = 0.3;
/// The bulk sync's goals: elapsed within 2 % of the quota's bound, and not one 429.
const GOAL_BULK_RATIO: f64 = 1.02;

/// What `--only` accepts.
const PARTS: [&str; 6] = [
    "client",
    "webhooks",
    "bulk",
    "generate",
    "noop",
    "clean-build",
];

/// One line of the summary block.
struct Entry {
    label: String,
    ratio: String,
    value: f64,
    goal: Option<f64>,
}

/// The options of this task (see [`crate::flags::Spec`]).
pub(crate) const FLAGS: crate::flags::Spec = crate::flags::Spec {
    values: &["root", "only"],
    switches: &["quick"],
};

/// Entry point of `cargo xtask bench`.
pub(crate) fn run(flags: Flags) -> Result<(), String> {
    let quick = flags.switch("quick");
    let only = flags.value("only");
    if let Some(part) = only.filter(|p| !PARTS.contains(p)) {
        return Err(format!(
            "--only {part}: no such part (known: {})",
            PARTS.join(", ")
        ));
    }
    let wanted = |part: &str| only.is_none_or(|o| o == part);
    let root = root(&flags);
    let started = Instant::now();
    header(quick);
    let mut summary = Vec::new();
    for (target, what) in BENCH_TARGETS {
        if wanted(target) {
            bench_target(&root, target, what, quick, &[], &mut summary)?;
        }
    }
    if only == Some("bulk") {
        let (target, what) = ("client", "bulk sync alone");
        bench_target(
            &root,
            target,
            what,
            quick,
            &["--only", "bulk"],
            &mut summary,
        )?;
    }
    if wanted("generate") {
        generate::run(&root, quick, &mut summary);
    }
    if wanted("noop") {
        noop_rebuild(&root, &mut summary)?;
    }
    // Two clean builds: minutes, so in full runs (or `--only clean-build`) only.
    if !quick && wanted("clean-build") {
        clean_build::run(&root, &mut summary)?;
    }
    println!("\n== summary ({})", if quick { "quick" } else { "full" });
    for e in &summary {
        let verdict = match e.goal {
            Some(goal) if e.value <= goal => format!("goal ≤ {goal}: met"),
            Some(goal) => format!("goal ≤ {goal}: missed"),
            None => "no goal".to_owned(),
        };
        println!(
            "  {:<34} {:<16} {:>7.3}   {verdict}",
            e.label, e.ratio, e.value
        );
    }
    println!(
        "  (xtask wall time {:.1} s, compiling included; building xtask itself not included)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn header(quick: bool) {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_owned();
    let nproc = Command::new("nproc")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(1, usize::from)
                .to_string()
        });
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".to_owned());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc ?".to_owned(), |s| s.trim().to_owned());
    println!(
        "== cargo xtask bench ({}): nproc {nproc}, CPU {model}, load average {load} at start, {rustc}",
        if quick { "quick smoke run" } else { "full run" }
    );
}

/// partoo-api's bench targets, and what each measures.
const BENCH_TARGETS: [(&str, &str); 2] = [
    ("client", "request overhead, pagination, decoding"),
    ("webhooks", "webhook verification + decoding"),
];

/// Builds and runs one bench target of partoo-api, echoing its lines and collecting their ratios.
fn bench_target(
    root: &Path,
    target: &str,
    what: &str,
    quick: bool,
    extra: &[&str],
    summary: &mut Vec<Entry>,
) -> Result<(), String> {
    let bench = ["bench", "--quiet", "-p", "partoo-api", "--bench", target];
    println!("\n== {target}: {what} (cargo bench -p partoo-api --bench {target}, release profile)");
    let started = Instant::now();
    let status = crate::cmd::cargo_command(root)
        .args(bench)
        .arg("--no-run")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo {} --no-run` failed ({status})",
            bench.join(" ")
        ));
    }
    println!(
        "bench target compiled (or found fresh) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut child = crate::cmd::cargo_command(root)
        .args(bench)
        .arg("--")
        .args(quick.then_some("--quick"))
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or("the bench's output is not captured")?;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the bench's output: {e}"))?;
        println!("{line}");
        if let Some(entry) = parse_ratio_line(&line) {
            summary.push(entry);
        }
        if let Some(entry) = parse_count_429(&line) {
            summary.push(entry);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for the bench: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo {}` failed ({status})", bench.join(" ")));
    }
    Ok(())
}

/// `label: …; goal ≤ G; ratio what V[; more]` → a summary entry. The bulk sync line states no goal (its
/// format is fixed); its goal is [`GOAL_BULK_RATIO`].
fn parse_ratio_line(line: &str) -> Option<Entry> {
    let (label, rest) = line.split_once(": ")?;
    let (_, ratio) = rest.rsplit_once("ratio ")?;
    let ratio = ratio.split(';').next()?;
    let (what, value) = ratio.trim().rsplit_once(' ')?;
    let value = value.parse().ok()?;
    let goal = rest
        .split_once("goal ≤ ")
        .and_then(|(_, g)| {
            let end = g
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(g.len());
            g[..end].parse().ok()
        })
        .or((label == "bulk sync").then_some(GOAL_BULK_RATIO));
    Some(Entry {
        label: label.to_owned(),
        ratio: what.to_owned(),
        value,
        goal,
    })
}

/// The bulk sync line's `429 responses: K` → a summary entry with the goal K = 0.
fn parse_count_429(line: &str) -> Option<Entry> {
    let rest = line.strip_prefix("bulk sync: ")?;
    let (_, count) = rest.rsplit_once("429 responses: ")?;
    Some(Entry {
        label: "bulk sync 429 responses".to_owned(),
        ratio: "count".to_owned(),
        value: count.trim().parse().ok()?,
        goal: Some(0.0),
    })
}

/// How many times the no-op check is tried: other work in the same checkout can invalidate shared
/// artifacts between the settling build and the timed one.
const NOOP_ATTEMPTS: usize = 3;

/// A settling `cargo build -p partoo-api`, then a timed one with `-v` whose output must show the build
/// script as fresh.
fn noop_rebuild(root: &Path, summary: &mut Vec<Entry>) -> Result<(), String> {
    println!("\n== no-op rebuild (cargo build -p partoo-api, dev profile)");
    let mut attempt = 0;
    let (elapsed, verdict, rerun) = loop {
        attempt += 1;
        let (settle, settle_out) = timed_cargo(root, &["build", "-p", "partoo-api"])?;
        let compiled = settle_out
            .lines()
            .filter(|l| l.trim_start().starts_with("Compiling "))
            .count();
        println!(
            "settling build: {:.1} s ({compiled} crates compiled)",
            settle.as_secs_f64()
        );
        let (elapsed, out) = timed_cargo(root, &["build", "-v", "-p", "partoo-api"])?;
        let fresh = out
            .lines()
            .any(|l| l.trim_start().starts_with("Fresh partoo-api v"));
        let rerun = out.lines().any(runs_our_build_script);
        let recompiled = out
            .lines()
            .any(|l| l.trim_start().starts_with("Compiling "));
        let verdict = match (fresh, rerun, recompiled) {
            (true, false, false) => "\"Fresh partoo-api\", build script not rerun".to_owned(),
            (_, true, _) => "build script RERUN".to_owned(),
            (_, false, true) => "crates recompiled, build script not rerun".to_owned(),
            _ => "no Fresh/Running line for partoo-api found".to_owned(),
        };
        if fresh && !rerun && !recompiled || attempt == NOOP_ATTEMPTS {
            break (elapsed, verdict, rerun);
        }
        println!(
            "attempt {attempt}: second build took {:.1} s, {verdict}; cargo says:",
            elapsed.as_secs_f64()
        );
        for dirty in out.lines().filter(|l| l.trim_start().starts_with("Dirty ")) {
            println!("  {}", dirty.trim());
        }
        println!(
            "  (another build in this checkout may have replaced shared artifacts; settling again)"
        );
    };
    println!(
        "no-op rebuild: second `cargo build -v -p partoo-api` {:.3} s (attempt {attempt}), {verdict}; \
         goal ≤ {GOAL_NOOP_S} s; ratio to goal {:.3}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / GOAL_NOOP_S
    );
    summary.push(Entry {
        label: if rerun {
            "no-op rebuild (s) [build script RERUN]".to_owned()
        } else {
            "no-op rebuild (s)".to_owned()
        },
        ratio: "seconds".to_owned(),
        value: elapsed.as_secs_f64(),
        goal: Some(GOAL_NOOP_S),
    });
    Ok(())
}

/// Runs cargo with `args`, returning its wall time and its stderr (where cargo reports progress).
fn timed_cargo(root: &Path, args: &[&str]) -> Result<(Duration, String), String> {
    let started = Instant::now();
    let output = crate::cmd::cargo_command(root)
        .args(args)
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(format!(
            "`cargo {}` failed ({}):\n{stderr}",
            args.join(" "),
            output.status
        ));
    }
    Ok((elapsed, stderr))
}

/// `Running …/build/partoo-api-HASH/build-script-build` (not partoo-api-build's directory).
fn runs_our_build_script(line: &str) -> bool {
    let line = line.trim_start();
    if !line.starts_with("Running ") || !line.contains("build-script-build") {
        return false;
    }
    line.match_indices("/build/partoo-api-").any(|(at, m)| {
        let rest = &line[at + m.len()..];
        let hash: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        !hash.is_empty() && rest[hash.len()..].starts_with('/')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_lines_parse() {
        let e = parse_ratio_line(
            "request overhead: 2000 requests; goal ≤ 1.05; ratio client/raw 1.031",
        )
        .expect("parses");
        assert_eq!(e.label, "request overhead");
        assert_eq!(e.ratio, "client/raw");
        assert!((e.value - 1.031).abs() < 1e-9);
        assert_eq!(e.goal, Some(1.05));
        let e = parse_ratio_line("pagination c=1: elapsed 2000 ms; ratio to ideal 1.070")
            .expect("parses");
        assert_eq!((e.ratio.as_str(), e.goal), ("to ideal", None));
        assert!(parse_ratio_line("bench client (full mode)").is_none());
        let bulk = "bulk sync: 1200 requests, quota 300 per 3 s; elapsed 12.100 s; bound 12.000 s; \
                    ratio to bound 1.008; 429 responses: 2";
        let e = parse_ratio_line(bulk).expect("parses");
        assert_eq!(
            (e.label.as_str(), e.ratio.as_str()),
            ("bulk sync", "to bound")
        );
        assert!((e.value - 1.008).abs() < 1e-9);
        assert_eq!(e.goal, Some(GOAL_BULK_RATIO));
        let k = parse_count_429(bulk).expect("parses");
        assert_eq!((k.value, k.goal), (2.0, Some(0.0)));
        assert!(parse_count_429("pagination c=1: ratio to ideal 1.0").is_none());
    }

    #[test]
    fn build_script_runs_are_recognised() {
        assert!(runs_our_build_script(
            "     Running `/w/target/debug/build/partoo-api-0123abcd89ef4567/build-script-build`"
        ));
        assert!(!runs_our_build_script(
            "     Running `/w/target/debug/build/partoo-api-build-0123abcd89ef4567/build-script-build`"
        ));
        assert!(!runs_our_build_script(
            "     Running `/w/target/debug/build/serde-0123abcd89ef4567/build-script-build`"
        ));
    }
}
