//! Turns Partoo's OpenAPI document into a Rust client, with no network and no panics.
//!
//! The pipeline has four stages, one module each:
//!
//! 1. [`load`]: bytes → JSON value (YAML or JSON; size cap, alias-bomb protection, located parse errors).
//! 2. [`rules`]: an ordered list of named normalisation rules: OpenAPI 3.1 → 3.0.3, Partoo's real defects,
//!    and the adaptations progenitor needs. Each change is reported with a JSON pointer.
//!    Then [`select`] keeps only the operations of the tags asked for ([`Options::tags`]; all by default) and the
//!    components they reach.
//! 3. `generate`: progenitor 0.15.1 (builder interface) under `catch_unwind`; a failure is narrowed to the
//!    schema or operation that causes it.
//! 4. `items` cuts progenitor's tokens into items without parsing them; `enums` opens string enums with an
//!    `Unknown(String)` variant (parsing just those items); then every operation is checked to have its client
//!    method, and the support code is added.
//!
//! ```no_run
//! let out = partoo_api_build::generate_path(
//!     std::path::Path::new("openapi/partoo.yaml"),
//!     &partoo_api_build::Options::default(),
//! )?;
//! println!("{}", out.report.summary_line());
//! std::fs::write("client.rs", out.code)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builders;
pub mod cargo;
pub mod cli;
mod enums;
pub mod error;
pub mod events;
mod generate;
mod items;
pub mod load;
pub mod mock;
pub mod names;
pub mod report;
pub mod rules;
pub mod select;
mod support;
mod surface;
pub mod walk;

use std::path::Path;
use std::time::Instant;

use serde_json::Value;

pub use error::{BuildError, Location};
pub use events::TypedEvent;
pub use generate::MethodInfo;
pub use names::NameTable;
pub use report::{Change, Report, RuleKind};
pub use support::Pagination;
pub use surface::surface_markdown;

/// How to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Operation names that override or fill in upstream operationIds.
    pub names: NameTable,
    /// Rust path of the type every date/date-time maps to (must implement serde, `Display` and `FromStr`).
    pub timestamp_type: String,
    /// Rust path of the hand-written runtime the emitted support code uses: `{runtime}::pagination::{
    /// PageRequest, CursorRequest, IntoItems, PageNumber, number, text}` (`PageNumber(i64)` must convert with
    /// `TryInto` into each integer type a `page` parameter may be generated as: `i64`, `i32`, `u64`, `u32`,
    /// `NonZeroU64`, `NonZeroU32`, `f64`).
    pub runtime: String,
    /// Type stored in the generated `Client` and handed to its hooks (progenitor's `inner`), if any.
    pub inner_type: Option<String>,
    /// Keep typify's struct builders (`types::X::builder()`, `body_map`) for the types request bodies are made
    /// of; response types never get one. Without them the generated code is about a quarter smaller.
    pub struct_builders: bool,
    /// Also write progenitor's typed `httpmock` extension ([`mock::httpmock`]) in [`cargo::build_script`].
    pub mock: bool,
    /// Also write the `partoo` command line's generated part ([`cli::cli`]) in [`cargo::build_script`].
    pub cli: bool,
    /// Generate only the operations of these tags, named by their cargo feature ([`select::tag_feature`]),
    /// and the components they reach; `None` (the default) generates everything. See [`select`].
    pub tags: Option<std::collections::BTreeSet<String>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            names: NameTable::default(),
            timestamp_type: "crate::Timestamp".to_owned(),
            runtime: "crate".to_owned(),
            inner_type: Some("crate::ClientState".to_owned()),
            struct_builders: true,
            mock: false,
            cli: false,
            tags: None,
        }
    }
}

/// What a successful run produces.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The client: Rust source, unformatted (format it with prettyplease for humans).
    pub code: String,
    /// Every change the rules made, and notes.
    pub report: Report,
    /// One entry per operation of the document, with its client method.
    pub methods: Vec<MethodInfo>,
    /// Operation methods (`fn x(&self …)` of `impl Client`) counted in the generated code; generation fails
    /// unless they are exactly the methods of `methods`.
    pub method_count: usize,
    /// Number of string enums given an `Unknown` variant.
    pub open_enums: usize,
    /// Operations given pagination support.
    pub pagination: support::Pagination,
    /// Wall time of each stage, in order (`load` only when the pipeline read the input itself).
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// The normalised document (OpenAPI 3.0.3), as fed to progenitor.
    pub normalised: Value,
    /// Webhook events given a variant of `webhook_events::Event` (the others are named in `report.notes`).
    pub webhook_events: Vec<TypedEvent>,
}

impl Generated {
    /// The closing line of a run: `N operations, M methods`.
    pub fn counts_line(&self) -> String {
        format!(
            "{} operations, {} methods",
            self.methods.len(),
            self.method_count
        )
    }
}

/// Reads the spec at `path` and generates the client.
pub fn generate_path(path: &Path, options: &Options) -> Result<Generated, BuildError> {
    let started = Instant::now();
    let doc = load::load_path(path)?;
    let loaded = started.elapsed();
    let mut generated = generate_value(&path.display().to_string(), doc, options)?;
    generated.timings.insert(0, ("load", loaded));
    Ok(generated)
}

/// Generates the client from a spec held in memory; `name` is used in messages.
pub fn generate_bytes(
    name: &str,
    bytes: &[u8],
    options: &Options,
) -> Result<Generated, BuildError> {
    let started = Instant::now();
    let doc = load::parse(name, bytes)?;
    let loaded = started.elapsed();
    let mut generated = generate_value(name, doc, options)?;
    generated.timings.insert(0, ("load", loaded));
    Ok(generated)
}

/// Normalises an already parsed document (stage 2 only).
pub fn normalise(name: &str, doc: Value, options: &Options) -> Result<(Value, Report), BuildError> {
    rules::normalise(doc, name, &options.names)
}

/// Runs progenitor alone on an already normalised document (`Generated::normalised`) and prints its tokens,
/// without any stage of ours: the floor `cargo xtask bench` compares the whole pipeline with. Returns the size
/// of the code.
pub fn progenitor_alone(
    name: &str,
    normalised: &Value,
    options: &Options,
) -> Result<usize, BuildError> {
    generate::generate_tokens(name, normalised, options).map(|tokens| tokens.to_string().len())
}

/// Generates from a parsed document (stages 2–4).
pub fn generate_value(name: &str, doc: Value, options: &Options) -> Result<Generated, BuildError> {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |stage: &'static str| {
        timings.push((stage, clock.elapsed()));
        clock = Instant::now();
    };
    let (mut normalised, mut report) = normalise(name, doc, options)?;
    if let Some(features) = &options.tags {
        let selection = select::select_tags(&mut normalised, features);
        report.notes.push(selection.note());
    }
    lap("normalise");
    let tokens = generate::generate_tokens(name, &normalised, options)?;
    lap("progenitor");
    let mut file = items::split(tokens);
    let types_at = file.iter().position(|item| item.is("mod", "types"));
    let mut types = types_at
        .and_then(|at| file[at].body())
        .map(|body| items::split(body.stream()))
        .unwrap_or_default();
    lap("split");
    if options.struct_builders {
        builders::keep_request_builders(&file, &mut types);
    } else {
        builders::strip(&mut file, &mut types);
    }
    let open_enums = enums::open_enums(&mut types);
    let (_, success) = generate::inspect(&file);
    let mut methods = generate::operations(&normalised);
    // Counted from the generated code, not from `methods`: the two must agree.
    let method_count = generate::check_methods(
        name,
        "client",
        &methods,
        &generate::operation_methods(&file),
    )?;
    for m in &mut methods {
        let builder = heck::ToUpperCamelCase::to_upper_camel_case(m.rust_name.as_str());
        m.success_type = success
            .get(&builder)
            .cloned()
            .unwrap_or_else(|| "?".to_owned());
    }
    let (support, page_impls, page_clients, pagination) =
        support::emit(&normalised, &methods, &file, &types, &options.runtime);
    report.notes.extend(
        pagination
            .left_out
            .iter()
            .map(|(op, why)| format!("{op}: no pagination support ({why})")),
    );
    report.notes.extend(
        pagination
            .notes
            .iter()
            .map(|(op, note)| format!("{op}: {note}")),
    );
    let (webhook_events, notes) = events::typed_events(&normalised, &types);
    report.notes.extend(notes);
    let events = events::emit(&webhook_events, &options.runtime);
    // The emitted support code is small: parse it to report a mistake in it here, not in rustc.
    for tokens in [&support, &page_impls, &page_clients, &events] {
        syn::parse2::<syn::File>(tokens.clone()).map_err(|e| {
            BuildError::new(
                name,
                Location::Input,
                format!("support code does not parse: {e}"),
            )
        })?;
    }
    types.extend(items::split(page_impls));
    if let Some(at) = types_at {
        file[at].set_body(items::join(types));
    }
    if let Some(builder) = file.iter_mut().find(|item| item.is("mod", "builder"))
        && let Some(body) = builder.body()
    {
        let mut inner = body.stream();
        inner.extend(page_clients);
        builder.set_body(inner);
    }
    file.extend(items::split(support));
    file.extend(items::split(events));
    lap("enums, checks, support");
    let code = items::join(file).to_string();
    lap("print");
    Ok(Generated {
        timings,
        code,
        report,
        methods,
        method_count,
        open_enums,
        pagination,
        normalised,
        webhook_events,
    })
}
