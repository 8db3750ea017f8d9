//! Developer tasks for the partoo-api workspace. One module per task; run `cargo xtask` for the list.

mod bench;
mod ci;
mod cmd;
mod codegen;
mod features;
mod files;
mod flags;
mod lock;
mod seed;
mod spec_check;
mod sync_spec;

use std::process::ExitCode;

/// A task: name, one-line help, entry point, options.
type Task = (
    &'static str,
    &'static str,
    fn(flags::Flags) -> Result<(), String>,
    flags::Spec,
);

/// Every task.
pub(crate) const TASKS: &[Task] = &[
    (
        "codegen",
        "run the pipeline on a spec, print the report, write code/surface [--spec PATH] [--out FILE]",
        codegen::run,
        codegen::FLAGS,
    ),
    (
        "lock",
        "rewrite openapi/partoo.lock and the surface file from the current spec [--origin TEXT]",
        lock::run,
        lock::FLAGS,
    ),
    (
        "features",
        "rewrite partoo-api's tag features (one per tag of the spec) [--check]",
        features::run,
        features::FLAGS,
    ),
    (
        "sync-spec",
        "fetch, validate and lock the spec, print the change report [--from URL|PATH] [--check]",
        sync_spec::run,
        sync_spec::FLAGS,
    ),
    (
        "spec-check",
        "openapi/partoo.yaml is valid 3.1, fully named, and repeats no upstream prose",
        spec_check::run,
        spec_check::FLAGS,
    ),
    (
        "bench",
        "client overhead, pagination, decoding, bulk sync, build-script time, no-op rebuild [--quick] [--only PART]",
        bench::run,
        bench::FLAGS,
    ),
    (
        "ci",
        "everything CI runs: fmt, clippy, tests, compatibility builds, docs",
        ci::run,
        ci::FLAGS,
    ),
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(task) = args.next() else {
        println!("usage: cargo xtask <task> [options]\n\ntasks:");
        for (name, help, _, _) in TASKS {
            println!("  {name:<10} {help}");
        }
        return ExitCode::SUCCESS;
    };
    let Some((_, _, run, spec)) = TASKS.iter().find(|(name, _, _, _)| *name == task) else {
        eprintln!("error: unknown task `{task}`; run `cargo xtask` for the list");
        return ExitCode::from(2);
    };
    let result = flags::Flags::parse(args.collect(), spec).and_then(run);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
