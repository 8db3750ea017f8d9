//! Developer tool for work on the pipeline's speed: checks that a change keeps the output, and gives a
//! deterministic cost.
//!
//! - `cargo run -p partoo-api-build --example pipeline_check -- dump DIR` writes the generated code and the
//!   rest of [`partoo_api_build::Generated`] (its Debug, timings left out) for the snapshot and, when
//!   `../shared` is there, the 2021 spec, each with the default options, without struct builders and with the
//!   `reviews` tag alone. Dump before and after a change and compare the directories (`diff -r`).
//! - `… -- once` runs the pipeline once, then progenitor alone once on the same normalised document: run it
//!   under `valgrind --tool=callgrind` and compare the inclusive instruction counts of
//!   `partoo_api_build::generate_path` and `partoo_api_build::progenitor_alone` (noise-free, unlike the
//!   wall-time ratio `cargo xtask bench --only generate` prints).
//!
//! Run from the workspace root.

use std::path::Path;

use partoo_api_build::{NameTable, Options, generate_path, progenitor_alone};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["dump", dir] => dump(Path::new(dir)),
        ["once"] => once(),
        _ => Err("usage: pipeline_check dump DIR | pipeline_check once".to_owned()),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The options the build script uses: the committed name table.
fn options() -> Result<Options, String> {
    let names = NameTable::load(Path::new("openapi/names.yaml")).map_err(|e| e.to_string())?;
    Ok(Options {
        names,
        ..Options::default()
    })
}

fn dump(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let base = options()?;
    let variants = [
        ("default", base.clone()),
        (
            "no-struct-builders",
            Options {
                struct_builders: false,
                ..base.clone()
            },
        ),
        (
            "reviews",
            Options {
                tags: Some(["reviews".to_owned()].into()),
                ..base
            },
        ),
    ];
    let specs = [
        ("snapshot", "openapi/partoo.yaml"),
        ("2021", "../shared/partoo/openapi-2021-bundled.yaml"),
    ];
    for (spec_name, spec) in specs {
        if !Path::new(spec).exists() {
            println!("{spec}: not found, skipped");
            continue;
        }
        for (variant, options) in &variants {
            let mut generated =
                generate_path(Path::new(spec), options).map_err(|e| e.to_string())?;
            generated.timings.clear();
            let code = std::mem::take(&mut generated.code);
            let stem = dir.join(format!("{spec_name}-{variant}"));
            let write = |ext: &str, text: &str| {
                let path = stem.with_extension(ext);
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
            };
            write("rs", &code)?;
            write("debug", &format!("{generated:#?}"))?;
            println!("{}: {} bytes of code", stem.display(), code.len());
        }
    }
    Ok(())
}

fn once() -> Result<(), String> {
    let options = options()?;
    let spec = Path::new("openapi/partoo.yaml");
    let generated = generate_path(spec, &options).map_err(|e| e.to_string())?;
    let size = progenitor_alone("openapi/partoo.yaml", &generated.normalised, &options)
        .map_err(|e| e.to_string())?;
    println!(
        "pipeline: {} bytes of code; progenitor alone: {size} bytes",
        generated.code.len()
    );
    Ok(())
}
