//! The build-script contract, so that `partoo-api/build.rs` stays a few lines.

use std::path::{Path, PathBuf};

use crate::{BuildError, Location, NameTable, Options};

/// Environment variable naming another spec to build against (compatibility checks).
pub const SPEC_ENV: &str = "PARTOO_API_SPEC";

/// Environment variable naming another name table (`cargo xtask sync-spec` type-checks a staged spec with the
/// table of the tree it will be written into).
pub const NAMES_ENV: &str = "PARTOO_API_NAMES";

/// The umbrella feature of `partoo-api` that turns every tag feature on (see [`crate::select`]).
pub const ALL_TAGS_FEATURE: &str = "all-tags";

/// The tag selection of the crate being built, from Cargo's `CARGO_FEATURE_*` variables: `None` (everything)
/// when [`ALL_TAGS_FEATURE`] is on, else the enabled features' names (`CARGO_FEATURE_CUSTOM_ROLES` →
/// `custom-roles`), of which [`crate::select::select_tags`] uses those that name a tag.
pub fn tag_features_from_env() -> Option<std::collections::BTreeSet<String>> {
    let features: std::collections::BTreeSet<String> = std::env::vars_os()
        .filter_map(|(key, _)| {
            let key = key.into_string().ok()?;
            let name = key.strip_prefix("CARGO_FEATURE_")?;
            Some(name.to_ascii_lowercase().replace('_', "-"))
        })
        .collect();
    (!features.contains(ALL_TAGS_FEATURE)).then_some(features)
}

/// Generates `$OUT_DIR/<out_name>` from `spec` (or `$PARTOO_API_SPEC`) with the name table `names` (or
/// `$PARTOO_API_NAMES`), and tells
/// Cargo to rerun only when those files or the variable change. Prints one `cargo:warning` summary line when a
/// spec other than the default is used. With `options.mock`, the `httpmock` extension goes to
/// [`mock_file_name`]`(out_name)` beside it; with `options.cli`, the command line to [`cli_file_name`]`(out_name)`. `options.names` is replaced by the table read from `names`. Returns the
/// path written.
pub fn build_script(
    spec: &Path,
    names: &Path,
    out_name: &str,
    mut options: Options,
) -> Result<PathBuf, BuildError> {
    println!("cargo:rerun-if-env-changed={SPEC_ENV}");
    println!("cargo:rerun-if-env-changed={NAMES_ENV}");
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let overridden = from_env(SPEC_ENV);
    let spec = overridden.clone().unwrap_or_else(|| spec.to_owned());
    let names = from_env(NAMES_ENV).unwrap_or_else(|| names.to_owned());
    let names = names.as_path();
    println!("cargo:rerun-if-changed={}", spec.display());
    println!(
        "cargo:rerun-if-changed={}",
        crate::load::rendition::rendition_path(&spec).display()
    );
    println!("cargo:rerun-if-changed={}", names.display());
    if names.exists() {
        options.names = NameTable::load(names)?;
    }
    let generated = crate::generate_path(&spec, &options)?;
    if generated.loaded_from == Some(crate::load::rendition::Route::Stale) {
        println!(
            "cargo:warning={} is stale (made from another {}): the YAML was read instead; run `cargo xtask lock`",
            crate::load::rendition::rendition_path(&spec).display(),
            spec.display()
        );
    }
    let out_dir = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            BuildError::new(
                spec.display().to_string(),
                Location::Input,
                "OUT_DIR is not set: not run by Cargo?",
            )
        })?;
    let out = out_dir.join(out_name);
    std::fs::write(&out, &generated.code).map_err(|e| {
        BuildError::new(
            out.display().to_string(),
            Location::Input,
            format!("cannot write: {e}"),
        )
    })?;
    if options.mock {
        let mock = out.with_file_name(mock_file_name(out_name));
        let code = crate::mock::httpmock(&spec.display().to_string(), &generated, &options)?;
        std::fs::write(&mock, code).map_err(|e| {
            BuildError::new(
                mock.display().to_string(),
                Location::Input,
                format!("cannot write: {e}"),
            )
        })?;
    }
    if options.cli {
        let cli = out.with_file_name(cli_file_name(out_name));
        let code = crate::cli::cli(&spec.display().to_string(), &generated, &options)?;
        std::fs::write(&cli, code).map_err(|e| {
            BuildError::new(
                cli.display().to_string(),
                Location::Input,
                format!("cannot write: {e}"),
            )
        })?;
    }
    if overridden.is_some() {
        println!(
            "cargo:warning=partoo-api generated from {SPEC_ENV}={}: {}; {}",
            spec.display(),
            generated.counts_line(),
            generated.report.summary_line()
        );
    }
    Ok(out)
}

/// Where [`build_script`] writes the mock extension: `partoo.rs` → `partoo_mock.rs`.
pub fn mock_file_name(out_name: &str) -> String {
    match out_name.strip_suffix(".rs") {
        Some(stem) => format!("{stem}_mock.rs"),
        None => format!("{out_name}_mock"),
    }
}

/// Where [`build_script`] writes the command line's generated part: `partoo.rs` → `partoo_cli.rs`.
pub fn cli_file_name(out_name: &str) -> String {
    match out_name.strip_suffix(".rs") {
        Some(stem) => format!("{stem}_cli.rs"),
        None => format!("{out_name}_cli"),
    }
}

/// The crate README's build-script example, compiled as a doctest (`cfg(doctest)` only, never built otherwise).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct Readme;
