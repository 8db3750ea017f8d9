//! `partoo`: Partoo's API from the shell (feature `cli`); everything is in [`partoo_api::cli`].
fn main() -> std::process::ExitCode {
    partoo_api::cli::main()
}
