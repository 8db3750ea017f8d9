//! `cargo xtask codegen [--spec PATH] [--names PATH] [--out FILE] [--mock-out FILE] [--cli-out FILE]
//! [--surface FILE] [--sites N] [--no-struct-builders]`
//!
//! Runs the partoo-api-build pipeline on a spec (default `openapi/partoo.yaml`; a `.md` reference page is
//! read for its YAML block), prints the report grouped by rule, then runs the generators of the `mock` and
//! `cli` features on the same result, as the build script does with those features: a spec one of them
//! refuses is refused here too, with the place named. Writes the formatted client to `--out` (the mock
//! code to `--mock-out`, the command line to `--cli-out`) and, for the committed spec, the API surface file.
//! Ends with `N operations, M methods`.

use std::path::{Path, PathBuf};

use partoo_api_build::{Generated, NameTable, Options};

use crate::flags::{Flags, root};

/// The options of this task (see [`crate::flags::Spec`]).
pub(crate) const FLAGS: crate::flags::Spec = crate::flags::Spec {
    values: &[
        "spec", "names", "out", "mock-out", "cli-out", "surface", "sites", "root",
    ],
    switches: &["no-struct-builders"],
};

/// Entry point of `cargo xtask codegen`.
pub(crate) fn run(flags: Flags) -> Result<(), String> {
    let root = root(&flags);
    let default_spec = root.join("openapi/partoo.yaml");
    let spec = flags
        .value("spec")
        .map_or_else(|| default_spec.clone(), PathBuf::from);
    let names = flags
        .value("names")
        .map_or_else(|| root.join("openapi/names.yaml"), PathBuf::from);
    let options = options(&names, !flags.switch("no-struct-builders"))?;
    let generated = generate_with(&spec, &options)?;
    let sites = flags
        .value("sites")
        .map_or(Ok(3), str::parse)
        .map_err(|e| format!("--sites: {e}"))?;
    print!("{}", generated.report.render(sites));
    println!(
        "{}; {} string enums opened",
        generated.report.summary_line(),
        generated.open_enums
    );
    let events: Vec<String> = generated
        .webhook_events
        .iter()
        .map(|e| format!("{} → Event::{}", e.event_type, e.variant))
        .collect();
    println!(
        "webhook events typed: {}",
        if events.is_empty() {
            "none (every delivery decodes as Event::Other)".to_owned()
        } else {
            events.join(", ")
        }
    );
    let (mock, cli) = features_code(&spec.display().to_string(), &generated, &options)?;
    println!(
        "feature `mock`: {} kB of code; feature `cli`: {} kB of code",
        mock.len() / 1000,
        cli.len() / 1000
    );
    // Every output is computed first and all are written together: a failure leaves the files as they were.
    let formatted = |flag: &str, code: &str| {
        flags
            .value(flag)
            .map(|out| format_code(code).map(|code| (PathBuf::from(out), code)))
            .transpose()
    };
    let code = formatted("out", &generated.code)?;
    let mock = formatted("mock-out", &mock)?;
    let cli = formatted("cli-out", &cli)?;
    let surface = match flags.value("surface") {
        Some(p) => Some(PathBuf::from(p)),
        None if flags.value("spec").is_none() => Some(root.join("openapi/partoo.api.md")),
        None => None,
    }
    .map(|path| (path, partoo_api_build::surface_markdown(&generated)));
    let files: Vec<(&Path, &[u8])> = code
        .iter()
        .chain(&mock)
        .chain(&cli)
        .chain(&surface)
        .map(|(path, text)| (path.as_path(), text.as_bytes()))
        .collect();
    crate::files::write_files_atomically(&files)?;
    for (out, code) in code.iter().chain(&mock).chain(&cli) {
        println!("wrote {} ({} lines)", out.display(), code.lines().count());
    }
    if let Some((surface, _)) = &surface {
        println!("wrote {}", surface.display());
    }
    let stages: Vec<String> = generated
        .timings
        .iter()
        .map(|(stage, d)| format!("{stage} {} ms", d.as_millis()))
        .collect();
    println!("timings: {}", stages.join(", "));
    println!("{}", generated.counts_line());
    Ok(())
}

/// Runs the pipeline on `spec` with the name table at `names` (if the file exists).
pub(crate) fn generate(spec: &Path, names: &Path) -> Result<Generated, String> {
    generate_with(spec, &options(names, true)?)
}

/// The build script's options: the name table at `names` (if the file exists), typify's struct builders
/// kept or not, every tag.
fn options(names: &Path, struct_builders: bool) -> Result<Options, String> {
    let mut options = Options {
        struct_builders,
        ..Options::default()
    };
    if names.exists() {
        options.names = NameTable::load(names).map_err(|e| e.to_string())?;
    }
    Ok(options)
}

/// The code of the `mock` and `cli` features for `generated` (from the spec `name`), or the error that names
/// what one of their generators refuses. `sync-spec` runs it on a new spec too.
pub(crate) fn features_code(
    name: &str,
    generated: &Generated,
    options: &Options,
) -> Result<(String, String), String> {
    let mock = partoo_api_build::mock::httpmock(name, generated, options)
        .map_err(|e| format!("the `mock` feature's generator refuses this spec\n{e}"))?;
    let cli = partoo_api_build::cli::cli(name, generated, options)
        .map_err(|e| format!("the `cli` feature's generator refuses this spec\n{e}"))?;
    Ok((mock, cli))
}

/// Runs the pipeline on `spec` with `options`.
fn generate_with(spec: &Path, options: &Options) -> Result<Generated, String> {
    let name = spec.display().to_string();
    if spec.extension().is_some_and(|e| e == "md") {
        let md = std::fs::read_to_string(spec).map_err(|e| format!("{name}: {e}"))?;
        let yaml = crate::seed::yaml_block(&name, &md)?;
        partoo_api_build::generate_bytes(&name, yaml.as_bytes(), options)
    } else {
        partoo_api_build::generate_path(spec, options)
    }
    .map_err(|e| e.to_string())
}

/// prettyplease formatting, for humans reading the output.
pub(crate) fn format_code(code: &str) -> Result<String, String> {
    let file = syn::parse_file(code).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}
