//! Turns Partoo's OpenAPI document into a Rust client, with no network and no panics.
//!
//! The pipeline is one ordered list of named stages, [`Stage::ALL`]; each stage is one module of this crate
//! (one file, or `rules/`) and one entry of [`Generated::timings`], under the same name:
//!
//! | # | stage | takes → gives |
//! |---|---|---|
//! | 1 | [`load`] | bytes → JSON value (YAML or JSON; size cap, alias-bomb protection, located parse errors) |
//! | 2 | [`rules`] | JSON → normalised OpenAPI 3.0.3 JSON: named rules (3.1 → 3.0.3, Partoo's defects, what progenitor needs), each change reported with a JSON pointer |
//! | 3 | [`select`] | only the operations of the tags asked for ([`Options::tags`]; all by default) and the components they reach |
//! | 4 | `progenitor` | normalised JSON → progenitor 0.15.1's tokens under `catch_unwind`; a failure is narrowed to one schema or operation |
//! | 5 | `index` | tokens → the generated code split once into items: `mod types`, `mod builder`, the client's methods, each builder's `send` and setter types; two types of one name, or an inline schema given another's type, refused at its pointer |
//! | 6 | [`operation`] | normalised JSON + index → one [`Operation`] per operation, and the count check (every operation has its client method); the half that reads only the document runs on a second thread beside `progenitor` (and is timed with it), with the check that no object has two names typify makes one field of (`fields`) |
//! | 7 | `builders` | typify's struct builders kept for request bodies only (or all dropped); then a type named like a prelude item the code left there names bare refused |
//! | 8 | `enums` | string enums opened with an `Unknown(String)` variant |
//! | 9 | `support` | operations → `mod operations` (facts per operation) and the pagination impls; progenitor's public constructors made crate-private (`ClientBuilder` is the way in) |
//! | 10 | [`events`] | `webhook_events::Event`, one variant per typed webhook event |
//! | 11 | `print` | index + additions → the client's source text, written item by item |
//!
//! Only [`walk`] navigates the document (`$ref`s, `allOf`, parameters, success schemas); only `index` splits
//! the generated code. After the pipeline, [`mock`] generates the `httpmock` extension from the same
//! [`Generated`], [`surface_markdown`] the API surface file, and [`cargo`] is the build-script contract.
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
mod fields;
mod index;
mod items;
pub mod load;
pub mod mock;
pub mod names;
pub mod operation;
mod print;
mod progenitor;
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
pub use names::NameTable;
pub use operation::{MethodInfo, Operation, Parameter};
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

impl Options {
    /// [`Options::runtime`] as a Rust path, for every stage that emits code naming the runtime; `file` names
    /// the spec in the error when it is not one (never replaced by `crate` silently).
    pub fn runtime_path(&self, file: &str) -> Result<syn::Path, BuildError> {
        syn::parse_str(&self.runtime).map_err(|e| {
            BuildError::new(
                file,
                Location::Input,
                format!(
                    "Options::runtime `{}` is not a Rust path: {e}",
                    self.runtime
                ),
            )
        })
    }
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
    /// One record per operation of the document (what `methods` summarises), as every stage after
    /// `operations` sees it.
    pub operations: Vec<Operation>,
    /// Operation methods (`fn x(&self …)` of `impl Client`) counted in the generated code; generation fails
    /// unless they are exactly the methods of `methods`.
    pub method_count: usize,
    /// Number of string enums given an `Unknown` variant.
    pub open_enums: usize,
    /// Operations given pagination support.
    pub pagination: support::Pagination,
    /// Wall time of each stage, in the order and under the names of [`Stage::ALL`] (`load` only when the
    /// pipeline read the input itself).
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// The normalised document (OpenAPI 3.0.3), as fed to progenitor.
    pub normalised: Value,
    /// Webhook events given a variant of `webhook_events::Event` (the others are named in `report.notes`).
    pub webhook_events: Vec<TypedEvent>,
    /// How [`generate_path`] read the spec (`None` for a document handed over in memory).
    pub loaded_from: Option<load::rendition::Route>,
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

/// Reads the spec at `path` (through its JSON rendition when a current one is beside it: see
/// [`load::rendition`]) and generates the client.
pub fn generate_path(path: &Path, options: &Options) -> Result<Generated, BuildError> {
    let started = Instant::now();
    let (doc, route) = load::rendition::read(path)?;
    let loaded = started.elapsed();
    let mut generated = generate_value(&path.display().to_string(), doc, options)?;
    generated.timings.insert(0, (Stage::Load.name(), loaded));
    if route == load::rendition::Route::Stale {
        generated.report.notes.push(format!(
            "{} was written from other bytes than {}: the YAML was read instead (slower); rewrite it with \
             `cargo xtask lock`",
            load::rendition::rendition_path(path).display(),
            path.display()
        ));
    }
    generated.loaded_from = Some(route);
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
    generated.timings.insert(0, (Stage::Load.name(), loaded));
    Ok(generated)
}

/// Normalises an already parsed document (stage `rules` only).
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
    progenitor::generate_tokens(name, normalised, options).map(|tokens| tokens.to_string().len())
}

/// One stage of the pipeline, in the order they run ([`Stage::ALL`]); [`Stage::name`] is both its module
/// and its entry in [`Generated::timings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// [`load`]: bytes → JSON value.
    Load,
    /// [`rules`]: the named normalisation rules.
    Rules,
    /// [`select`]: the tag selection.
    Select,
    /// `progenitor`: progenitor's tokens, failures narrowed.
    Progenitor,
    /// `index`: the generated code split once.
    Index,
    /// [`operation`]: one [`Operation`] per operation, and the method count check.
    Operation,
    /// `builders`: typify's struct builders trimmed.
    Builders,
    /// `enums`: string enums opened.
    Enums,
    /// `support`: `mod operations` and the pagination impls.
    Support,
    /// [`events`]: the webhook events module.
    Events,
    /// `print`: the client's source text.
    Print,
}

impl Stage {
    /// Every stage, in the order the pipeline runs them.
    pub const ALL: [Stage; 11] = [
        Stage::Load,
        Stage::Rules,
        Stage::Select,
        Stage::Progenitor,
        Stage::Index,
        Stage::Operation,
        Stage::Builders,
        Stage::Enums,
        Stage::Support,
        Stage::Events,
        Stage::Print,
    ];

    /// The stage's name: its module in `partoo-api-build/src` and its label in [`Generated::timings`].
    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Rules => "rules",
            Stage::Select => "select",
            Stage::Progenitor => "progenitor",
            Stage::Index => "index",
            Stage::Operation => "operation",
            Stage::Builders => "builders",
            Stage::Enums => "enums",
            Stage::Support => "support",
            Stage::Events => "events",
            Stage::Print => "print",
        }
    }
}

/// Times the stages of one run.
struct Clock(Vec<(&'static str, std::time::Duration)>);

impl Clock {
    /// Runs `stage`'s work and records its wall time under the stage's name.
    fn run<T>(&mut self, stage: Stage, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = work();
        self.0.push((stage.name(), started.elapsed()));
        out
    }
}

/// Generates from a parsed document: every stage of [`Stage::ALL`] but `load`, in order.
pub fn generate_value(name: &str, doc: Value, options: &Options) -> Result<Generated, BuildError> {
    let runtime = options.runtime_path(name)?;
    let mut clock = Clock(Vec::new());
    let (mut normalised, mut report) = clock.run(Stage::Rules, || normalise(name, doc, options))?;
    clock.run(Stage::Select, || {
        if let Some(features) = &options.tags {
            let selection = select::select_tags(&mut normalised, features);
            report.notes.push(selection.note());
        }
    });
    let (tokens, from_document) = clock.run(Stage::Progenitor, || {
        std::thread::scope(|scope| {
            // What reads only the document needs nothing progenitor makes: it runs on a second thread
            // meanwhile (timed with this stage), the only work of a run that does. That is the half of
            // `operation` that reads the document, and on a copy (the schema walk lends schemas mutably) the
            // field-name check and the list of inline objects the index stage checks.
            let beside = scope.spawn(|| {
                let operations = operation::from_document(&normalised);
                let mut copy = normalised.clone();
                let fields = fields::check(name, &mut copy);
                let inline = index::inline_objects(&mut copy);
                (operations, fields, inline)
            });
            let tokens = progenitor::generate_tokens(name, &normalised, options);
            (tokens, beside.join())
        })
    });
    let (from_document, fields, inline) = from_document.map_err(|_| {
        BuildError::new(
            name,
            Location::Input,
            "reading the operations of the normalised document panicked (a bug: report it with the spec)",
        )
    })?;
    // Two fields of one name: typify generates them, rustc would refuse them.
    fields?;
    // Checked on the document before progenitor's outcome: where progenitor failed (it panics on a path
    // parameter that a query parameter of the same name hides), these say why.
    operation::check_http_methods(name, &from_document)?;
    operation::check_parameter_names(name, &from_document)?;
    let tokens = tokens?;
    let mut index = clock.run(Stage::Index, || {
        let index = index::CodeIndex::new(tokens);
        index::check_type_names(name, &index.types, &normalised, index::NameCheck::Twice)?;
        index::check_inline_types(name, &index.types, &inline).map(|()| index)
    })?;
    let (operations, method_count) = clock.run(Stage::Operation, || {
        let mut operations = from_document;
        operation::complete(&mut operations, &index);
        // Counted from the generated code, not from `operations`: the two must agree.
        operation::check_methods(name, "client", &operations, &index.client_methods)
            .map(|count| (operations, count))
    })?;
    clock.run(Stage::Builders, || {
        builders::trim(options.struct_builders, &mut index);
        // After the trim: the struct builders left are code that may name `Default` bare.
        index::check_type_names(name, &index.types, &normalised, index::NameCheck::Prelude)
    })?;
    let (open_enums, enum_impls) = clock.run(Stage::Enums, || enums::open_enums(&mut index.types));
    let (support, pagination) = clock.run(Stage::Support, || {
        support::seal_constructors(&mut index.file)
            .map_err(|e| BuildError::new(name, Location::Input, e))?;
        Ok::<_, BuildError>(support::stage(
            &operations,
            &index.types,
            &index.builders,
            &runtime,
            &mut report.notes,
        ))
    })?;
    let (events, webhook_events) = clock.run(Stage::Events, || {
        events::stage(name, &normalised, &index.types, &runtime, &mut report.notes)
    })?;
    let code = clock.run(Stage::Print, || {
        print::print(
            index,
            print::Additions {
                types_text: enum_impls,
                types: support.page_impls,
                builders: support.accessors,
                file: vec![support.operations, events],
            },
        )
    });
    let methods = operations.iter().map(Operation::method_info).collect();
    let timings = clock.0;
    Ok(Generated {
        timings,
        code,
        report,
        methods,
        operations,
        method_count,
        open_enums,
        pagination,
        normalised,
        webhook_events,
        loaded_from: None,
    })
}
