//! Generates the endpoint layer from the vendored spec into `$OUT_DIR/partoo.rs` (see partoo-api-build).
fn main() {
    let spec = std::path::Path::new("openapi/partoo.yaml");
    let names = std::path::Path::new("openapi/names.yaml");
    let options = partoo_api_build::Options {
        mock: std::env::var_os("CARGO_FEATURE_MOCK").is_some(),
        // The `partoo` binary's subcommands and dispatch (feature `cli`).
        cli: std::env::var_os("CARGO_FEATURE_CLI").is_some(),
        // One cargo feature per tag of the spec; `all-tags` (default) generates every operation.
        tags: partoo_api_build::cargo::tag_features_from_env(),
        ..Default::default()
    };
    if let Err(e) = partoo_api_build::cargo::build_script(spec, names, "partoo.rs", options) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
