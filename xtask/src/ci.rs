//! `cargo xtask ci [--skip STEP,STEP] [--shared DIR]`: everything CI runs, in order, stopping at the first
//! failure with the command that failed.
//!
//! Steps: `fmt`, `clippy`, `tests` (README's test command), `mock` (the `mock` feature's lints and tests on
//! the committed spec), `cli` (the same for the `partoo` binary of feature `cli`), `docs` (rustdoc with the
//! default features, then with the features docs.rs uses),
//! `sync-check`, `spec-check` (3.1 validity, names, no copied prose, fidelity to the facts, their examples
//! against the schemas), `package` (publish dry run of both crates, built from their packages), and `compat`:
//! partoo-api with `mock` and `cli` (so the mock and command-line generators are checked too) built against
//! the 2021 spec, the Create-organization seed and the merged facts of Partoo's current API in
//! `../shared/partoo` (read by path, never copied), linted with one tag feature alone (`reviews`, then `address`: no path parameter, no pages), then
//! against the committed snapshot again. `compat` runs last so that the generated crate is rebuilt for the
//! committed spec at most once.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::flags::{Flags, root};

const STEPS: [&str; 10] = [
    "fmt",
    "clippy",
    "tests",
    "mock",
    "cli",
    "docs",
    "sync-check",
    "spec-check",
    "package",
    "compat",
];

/// The options of this task (see [`crate::flags::Spec`]).
pub(crate) const FLAGS: crate::flags::Spec = crate::flags::Spec {
    values: &["skip", "shared", "root"],
    switches: &[],
};

/// Entry point of `cargo xtask ci`.
pub(crate) fn run(flags: Flags) -> Result<(), String> {
    let root = root(&flags);
    let skip: Vec<&str> = flags
        .value("skip")
        .map(|s| s.split(',').collect())
        .unwrap_or_default();
    if let Some(bad) = skip.iter().find(|s| !STEPS.contains(s)) {
        return Err(format!(
            "--skip: unknown step `{bad}` (steps: {})",
            STEPS.join(", ")
        ));
    }
    let shared = flags
        .value("shared")
        .map_or_else(|| root.join("../shared"), PathBuf::from);
    for step in STEPS.iter().filter(|s| !skip.contains(s)) {
        let started = Instant::now();
        println!("== ci: {step}");
        match *step {
            "fmt" => cargo(&root, &["fmt", "--all", "--check"], &[])?,
            "clippy" => cargo(
                &root,
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
                &[],
            )?,
            "tests" => cargo(&root, &["test", "--workspace"], &[])?,
            "mock" => mock(&root)?,
            "cli" => cli(&root)?,
            "docs" => docs(&root)?,
            "sync-check" => cargo(&root, &["xtask", "sync-spec", "--check"], &[])?,
            "spec-check" => {
                let shared = shared.to_string_lossy().into_owned();
                cargo(&root, &["xtask", "spec-check", "--shared", &shared], &[])?;
            }
            // Packages both crates and builds them from the `.crate` files alone (no network, no ../openapi).
            "package" => {
                clear_stale_packages()?;
                cargo(
                    &root,
                    &[
                        "publish",
                        "--dry-run",
                        "-p",
                        "partoo-api-build",
                        "-p",
                        "partoo-api",
                    ],
                    &[],
                )?
            }
            "compat" => compat(&root, &shared)?,
            other => return Err(format!("ci: no runner for step `{other}`")),
        }
        println!(
            "== ci: {step} ok ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    }
    println!("== ci: all steps passed");
    Ok(())
}

/// The `mock` feature on the committed spec: lints, the tests that use it as a user would (its rustdoc is in `docs`).
/// Only partoo-api is rebuilt (with the feature, beside the plain build in the same target dir).
fn mock(root: &Path) -> Result<(), String> {
    let targets = [
        "--lib",
        "--test",
        "mock",
        "--test",
        "mock_readme",
        "--test",
        "mock_matching",
    ];
    feature_checks(root, "mock", &targets, &targets)?;
    cargo(
        root,
        &["test", "--doc", "-p", "partoo-api", "--features", "mock"],
        &[],
    )
}

/// The `cli` feature: lints of the library and the `partoo` binary, the binary's tests (rustdoc: `docs`).
fn cli(root: &Path) -> Result<(), String> {
    let tests = ["--test", "cli", "--test", "cli_all"];
    let lint = ["--lib", "--bin", "partoo"];
    let lint: Vec<&str> = lint.into_iter().chain(tests).collect();
    feature_checks(root, "cli", &lint, &tests)
}

/// partoo-api with `feature` on: `cargo clippy` of the targets `lint` with `-D warnings`, then `cargo test` of
/// the targets `test`.
fn feature_checks(root: &Path, feature: &str, lint: &[&str], test: &[&str]) -> Result<(), String> {
    let with = ["-p", "partoo-api", "--features", feature];
    let clippy: Vec<&str> = ["clippy"]
        .into_iter()
        .chain(with)
        .chain(lint.iter().copied())
        .chain(["--", "-D", "warnings"])
        .collect();
    cargo(root, &clippy, &[])?;
    let tests: Vec<&str> = ["test"]
        .into_iter()
        .chain(with)
        .chain(test.iter().copied())
        .collect();
    cargo(root, &tests, &[])
}

/// Rustdoc with `-D warnings`: the workspace with its default features, then partoo-api with the features
/// docs.rs builds it with (`[package.metadata.docs.rs]` in its Cargo.toml, read through `cargo metadata`), so
/// the published docs, `mock` and `cli` modules included, are the ones checked.
fn docs(root: &Path) -> Result<(), String> {
    let deny = [("RUSTDOCFLAGS", "-D warnings")];
    cargo(root, &["doc", "--workspace", "--no-deps"], &deny)?;
    let features = docs_rs_features(root)?.join(",");
    cargo(
        root,
        &[
            "doc",
            "-p",
            "partoo-api",
            "--no-deps",
            "--features",
            &features,
        ],
        &deny,
    )
}

/// The `features` list of partoo-api's `[package.metadata.docs.rs]`; an error when it is missing or empty
/// (docs.rs would then leave the feature-gated modules out of the published docs).
fn docs_rs_features(root: &Path) -> Result<Vec<String>, String> {
    let output = crate::cmd::cargo_command(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata --no-deps --format-version 1` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata: unreadable output: {e}"))?;
    let features: Vec<String> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "partoo-api")
        .and_then(|p| p["metadata"]["docs"]["rs"]["features"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect();
    if features.is_empty() {
        return Err(
            "partoo-api/Cargo.toml: `[package.metadata.docs.rs] features` is missing or empty: docs.rs \
             would publish the docs without the `mock` and `cli` modules"
                .to_owned(),
        );
    }
    Ok(features)
}

/// Builds partoo-api against the upstream documents we hold, after checking each generates one method per
/// operation, then once more against the committed spec so the tree is left as it was.
fn compat(root: &Path, shared: &Path) -> Result<(), String> {
    let full = shared.join("partoo/openapi-2021-bundled.yaml");
    let seed_page = shared.join("partoo/create-organization.seed.md");
    if !full.exists() || !seed_page.exists() {
        return Err(format!(
            "{} not found: the compatibility builds need Partoo's reference specs (skip with --skip compat)",
            shared.join("partoo").display()
        ));
    }
    let scratch = root.join("target/xtask");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let seed = scratch.join("create-organization.seed.yaml");
    let md =
        std::fs::read_to_string(&seed_page).map_err(|e| format!("{}: {e}", seed_page.display()))?;
    crate::files::write_atomic(
        &seed,
        crate::seed::yaml_block(&seed_page.display().to_string(), &md)?.as_bytes(),
    )?;
    // Partoo's current API as the facts in ../shared describe it, merged into one document by its own script.
    let current = scratch.join("current-facts.yaml");
    let merge = shared.join("partoo/current/merge.py");
    let status = std::process::Command::new("python3")
        .arg(&merge)
        .arg(&current)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run python3 {}: {e}", merge.display()))?;
    if !status.success() {
        return Err(format!("python3 {} failed ({status})", merge.display()));
    }
    let names = root.join("openapi/names.yaml");
    for (spec, expected) in [(&full, Some(82)), (&seed, Some(1)), (&current, None)] {
        let generated = crate::codegen::generate(spec, &names)?;
        let line = generated.counts_line();
        println!("{}: {line}", spec.display());
        let expected = expected.unwrap_or(generated.methods.len());
        if generated.methods.len() != expected || generated.method_count != expected {
            return Err(format!(
                "{}: expected {expected} operations and methods, got {line}",
                spec.display()
            ));
        }
        let spec = spec
            .canonicalize()
            .map_err(|e| format!("{}: {e}", spec.display()))?;
        // With `mock` and `cli`: the same client plus the mock code and the `partoo` command line, so one
        // build checks all three generators against each spec (no extra build, only the cli module's code).
        cargo(
            root,
            &["build", "-p", "partoo-api", "--features", "mock,cli"],
            &[("PARTOO_API_SPEC", spec.to_str().unwrap_or_default())],
        )?;
    }
    upstream_sync(root, &full, &scratch)?;
    // One tag feature alone: the hand-written layer (and the mocks, and the command line) must need nothing
    // of the other tags, and must leave nothing unused (a warning here) when a tag has no path parameter
    // and no paginated operation, as `address` has none.
    for tag in ["rustls,reviews,mock,cli", "rustls,address,mock,cli"] {
        cargo(
            root,
            &[
                "clippy",
                "-p",
                "partoo-api",
                "--no-default-features",
                "--features",
                tag,
                "--",
                "-D",
                "warnings",
            ],
            &[],
        )?;
    }
    cargo(root, &["build", "-p", "partoo-api"], &[])
}

/// What a maintainer's first real `sync-spec` leaves must pass the spec checks: Partoo's 2021 document is synced
/// into a scratch copy of `openapi/` (no compile check here: the build above covered it), then `spec-check`
/// runs on the result, whose lock now says `upstream`.
fn upstream_sync(root: &Path, upstream: &Path, scratch: &Path) -> Result<(), String> {
    let scratch_root = scratch.join("upstream-sync");
    let openapi = scratch_root.join("openapi");
    let _ = std::fs::remove_dir_all(&scratch_root);
    std::fs::create_dir_all(&openapi).map_err(|e| format!("{}: {e}", openapi.display()))?;
    for file in [
        "partoo.yaml",
        "partoo.json",
        "partoo.lock",
        "partoo.api.md",
        "names.yaml",
    ] {
        let from = root.join("openapi").join(file);
        std::fs::copy(&from, openapi.join(file)).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    let scratch_root = scratch_root.to_string_lossy().into_owned();
    let upstream = upstream.to_string_lossy().into_owned();
    cargo(
        root,
        &[
            "xtask",
            "sync-spec",
            "--root",
            &scratch_root,
            "--from",
            &upstream,
            "--skip-compile-check",
        ],
        &[],
    )?;
    cargo(
        root,
        &["xtask", "sync-spec", "--check", "--root", &scratch_root],
        &[],
    )?;
    let spec = format!("{scratch_root}/openapi/partoo.yaml");
    cargo(root, &["xtask", "spec-check", "--spec", &spec], &[])
}

/// A publish dry run serves partoo-api-build to partoo-api from a temporary local registry, which cargo unpacks
/// under `$CARGO_HOME/registry/src/<registry>/partoo-api-build-0.1.0` and then reuses as if versions never
/// changed: a second dry run from the same folder would build partoo-api against the first run's sources.
/// Our crates are not on crates.io, so every such unpacked copy is stale and is removed first.
fn clear_stale_packages() -> Result<(), String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else {
        return Ok(());
    };
    let Ok(registries) = std::fs::read_dir(&src) else {
        return Ok(());
    };
    for registry in registries.flatten() {
        let Ok(packages) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for package in packages.flatten() {
            let name = package.file_name().to_string_lossy().into_owned();
            if name.starts_with("partoo-api-build-") || name.starts_with("partoo-api-0") {
                std::fs::remove_dir_all(package.path())
                    .map_err(|e| format!("{}: {e}", package.path().display()))?;
            }
        }
    }
    Ok(())
}

/// Runs `cargo <args>` in `root` with extra environment; the error quotes the command.
fn cargo(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let shown: Vec<String> = env
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .chain(std::iter::once(format!("cargo {}", args.join(" "))))
        .collect();
    let status = crate::cmd::cargo_command(root)
        .args(args)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", shown.join(" ")))
    }
}
