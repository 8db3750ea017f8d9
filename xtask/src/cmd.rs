//! Running cargo from inside `cargo xtask`.

use std::path::Path;
use std::process::Command;

/// A `cargo` command in `root` whose environment does not carry the variables `cargo run` set for xtask.
pub(crate) fn cargo_command(root: &Path) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.current_dir(root);
    // `cargo run` hands xtask the variables it sets for the crate it runs. Passed on, they reach build-script
    // fingerprints (ring's tracks CARGO_MANIFEST_DIR): builds started here would then invalidate, and be
    // invalidated by, builds started from a shell, and a "no-op" rebuild would recompile ring, rustls,
    // reqwest and partoo-api.
    for (key, _) in std::env::vars_os() {
        let Some(name) = key.to_str() else { continue };
        if name.starts_with("CARGO_PKG_")
            || matches!(
                name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_RUSTC_CURRENT_DIR"
            )
        {
            command.env_remove(&key);
        }
    }
    command
}
