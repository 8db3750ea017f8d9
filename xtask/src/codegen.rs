//! `cargo xtask codegen [--spec PATH] [--names PATH] [--out FILE] [--surface FILE] [--sites N]
//! [--no-struct-builders]`
//!
//! Runs the partoo-api-build pipeline on a spec (default `openapi/partoo.yaml`; a `.md` reference page is
//! read for its YAML block), prints the report grouped by rule, writes the formatted client to `--out` and,
//! for the committed spec, the API surface file. Ends with `N operations, M methods`.

use std::path::{Path, PathBuf};

use partoo_api_build::{Generated, NameTable, Options};

use crate::flags::{Flags, root};

/// The options of this task (see [`crate::flags::Spec`]).
pub(crate) const FLAGS: crate::flags::Spec = crate::flags::Spec {
    values: &["spec", "names", "out", "surface", "sites", "root"],
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
    let generated = generate_with(&spec, &names, !flags.switch("no-struct-builders"))?;
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
    // Both outputs are computed first and written together: a failure leaves both files as they were.
    let code = flags
        .value("out")
        .map(|out| format_code(&generated.code).map(|code| (PathBuf::from(out), code)))
        .transpose()?;
    let surface = match flags.value("surface") {
        Some(p) => Some(PathBuf::from(p)),
        None if flags.value("spec").is_none() => Some(root.join("openapi/partoo.api.md")),
        None => None,
    }
    .map(|path| (path, partoo_api_build::surface_markdown(&generated)));
    let files: Vec<(&Path, &[u8])> = code
        .iter()
        .chain(&surface)
        .map(|(path, text)| (path.as_path(), text.as_bytes()))
        .collect();
    crate::files::write_files_atomically(&files)?;
    if let Some((out, code)) = &code {
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
    generate_with(spec, names, true)
}

/// [`generate`], choosing whether typify's struct builders are kept.
pub(crate) fn generate_with(
    spec: &Path,
    names: &Path,
    struct_builders: bool,
) -> Result<Generated, String> {
    let mut options = Options {
        struct_builders,
        ..Options::default()
    };
    if names.exists() {
        options.names = NameTable::load(names).map_err(|e| e.to_string())?;
    }
    let name = spec.display().to_string();
    if spec.extension().is_some_and(|e| e == "md") {
        let md = std::fs::read_to_string(spec).map_err(|e| format!("{name}: {e}"))?;
        let yaml = crate::seed::yaml_block(&name, &md)?;
        partoo_api_build::generate_bytes(&name, yaml.as_bytes(), &options)
    } else {
        partoo_api_build::generate_path(spec, &options)
    }
    .map_err(|e| e.to_string())
}

/// prettyplease formatting, for humans reading the output.
pub(crate) fn format_code(code: &str) -> Result<String, String> {
    let file = syn::parse_file(code).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}
