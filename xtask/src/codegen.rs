//! `cargo xtask codegen [--spec PATH] [--names PATH] [--out FILE] [--surface FILE] [--sites N]
//! [--no-struct-builders]`
//!
//! Runs the partoo-api-build pipeline on a spec (default `openapi/partoo.yaml`; a `.md` reference page is
//! read for its YAML block), prints the report grouped by rule, writes the formatted client to `--out` and,
//! for the committed spec, the API surface file. Ends with `N operations, M methods`.

use std::path::{Path, PathBuf};

use partoo_api_build::{Generated, NameTable, Options};

use crate::flags::{Flags, root};

pub(crate) fn run(flags: Flags) -> Result<(), String> {
    flags.only(&[
        "spec",
        "names",
        "out",
        "surface",
        "sites",
        "root",
        "no-struct-builders",
    ])?;
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
    if let Some(out) = flags.value("out") {
        let code = format_code(&generated.code)?;
        write_atomic(Path::new(out), code.as_bytes())?;
        println!("wrote {out} ({} lines)", code.lines().count());
    }
    let surface = match flags.value("surface") {
        Some(p) => Some(PathBuf::from(p)),
        None if flags.value("spec").is_none() => Some(root.join("openapi/partoo.api.md")),
        None => None,
    };
    if let Some(surface) = surface {
        write_atomic(
            &surface,
            partoo_api_build::surface_markdown(&generated).as_bytes(),
        )?;
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

/// A temporary file name in `path`'s folder (so that a rename over `path` is atomic), tagged `tag`.
pub(crate) fn temp_beside(path: &Path, tag: &str) -> std::path::PathBuf {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{file_name}.{tag}-{}", std::process::id()))
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: never half-written.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = temp_beside(path, "tmp");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", path.display())
    })
}
