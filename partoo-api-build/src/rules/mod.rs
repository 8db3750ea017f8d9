//! Stage 2: the ordered list of named normalisation rules.
//!
//! Each rule is a small function over the whole document (`serde_json::Value`). Its doc comment names the
//! upstream construct or defect it handles; every site it changes is recorded in the [`Report`] with a JSON
//! pointer. Order matters: structural repairs (hoisting refs, naming operations) run before the schema walks so
//! that hoisted copies are walked too, and the response and compatibility adaptations run last.

mod aliases;
mod chains;
mod compat;
pub use compat::TAG_DOC_PREFIX;
mod params;
mod paths;
mod refs;
mod responses;
mod schemas;
mod v31;
mod webhooks;
pub use webhooks::EVENTS_EXTENSION;

use serde_json::{Map, Value};

use crate::error::BuildError;
use crate::names::NameTable;
use crate::report::{Change, Report, RuleKind};

/// Name of the synthesised component every non-2xx JSON body is rewritten to.
pub const ERROR_SCHEMA: &str = "PartooError";
/// Name of the synthesised component every date or date-time schema is rewritten to.
pub const TIMESTAMP_SCHEMA: &str = "PartooTimestamp";

/// A named normalisation rule.
pub struct Rule {
    /// Stable name, used in reports and docs.
    pub name: &'static str,
    /// Why it exists.
    pub kind: RuleKind,
    /// One line on what it does.
    pub summary: &'static str,
    apply: Apply,
}

/// A rule that looks at one schema at a time: given each object schema of the document in walk order (parents
/// before children), it returns what it changed there, if anything.
type SchemaFn = fn(&mut Map<String, Value>) -> Option<String>;

/// How a rule runs.
#[derive(Clone, Copy)]
enum Apply {
    /// Over the whole document at once.
    Document(fn(&mut Ctx<'_>) -> Result<(), BuildError>),
    /// On one schema at a time, reading and changing only that schema's own keywords (never its child
    /// schemas, nor which children it has). A run of such rules shares one walk of the document, each schema
    /// going through them in list order: that gives what running them one after another gives, since each
    /// sees every schema as the rules before it left that schema, and the schemas the walk reaches stay
    /// the same throughout.
    Schema(SchemaFn),
    /// On one schema at a time, but it may read the schema's children, or add, drop or move child schemas:
    /// rules listed before it must have walked the document it reshapes, so it starts a new shared walk
    /// (which the [`Apply::Schema`] and [`Apply::Grow`] rules after it may join).
    Reshape(SchemaFn),
    /// Like [`Apply::Schema`], except that it may give a schema a child schema it lacked, always one of
    /// [`GROWN`]. The rules listed before it leave such a schema alone (a test checks), so their not having
    /// walked it changes nothing: it shares a walk like [`Apply::Schema`].
    Grow(SchemaFn),
}

/// The only child schemas an [`Apply::Grow`] rule adds: `{}` and `{type: T}` for JSON's six types.
#[cfg(test)]
fn grown() -> Vec<Value> {
    let types = ["string", "number", "integer", "boolean", "array", "object"];
    std::iter::once(serde_json::json!({}))
        .chain(types.map(|t| serde_json::json!({ "type": t })))
        .collect()
}

/// State handed to each rule.
pub(crate) struct Ctx<'a> {
    pub(crate) doc: Value,
    pub(crate) file: &'a str,
    pub(crate) names: &'a NameTable,
    report: Report,
    rule: &'static str,
    kind: RuleKind,
}

impl Ctx<'_> {
    /// Records that the running rule changed the site at `pointer`.
    pub(crate) fn change(&mut self, pointer: impl Into<String>, detail: impl Into<String>) {
        self.report.changes.push(Change {
            rule: self.rule,
            kind: self.kind,
            pointer: pointer.into(),
            detail: detail.into(),
        });
    }

    /// Adds a remark that is not a change.
    pub(crate) fn note(&mut self, note: impl Into<String>) {
        self.report.notes.push(note.into());
    }

    /// Records a batch of `(pointer, detail)` changes collected while the document was borrowed.
    pub(crate) fn changes(&mut self, sites: Vec<(String, String)>) {
        for (p, d) in sites {
            self.change(p, d);
        }
    }
}

macro_rules! rule {
    ($name:ident, $kind:ident, $summary:literal, $f:path) => {
        rule!($name, $kind, $summary, Document $f)
    };
    ($name:ident, $kind:ident, $summary:literal, $apply:ident $f:path) => {
        Rule {
            name: stringify!($name),
            kind: RuleKind::$kind,
            summary: $summary,
            apply: Apply::$apply($f),
        }
    };
}

/// Every rule, in the order it runs.
pub static RULES: &[Rule] = &[
    rule!(
        openapi_31_version,
        Conversion,
        "openapi 3.1.x → 3.0.3; drops 3.1-only top-level fields",
        v31::version
    ),
    rule!(
        webhooks,
        Conversion,
        "top-level `webhooks` → each event's payload schema a component; the event list kept for `Event`",
        webhooks::webhooks
    ),
    rule!(
        boolean_schemas,
        Conversion,
        "`true`/`false` schemas → `{}` / `{not: {}}`",
        v31::boolean_schemas
    ),
    rule!(
        null_branches,
        Conversion,
        "`oneOf`/`anyOf` with a `{type: 'null'}` branch → the other branch + nullable",
        Reshape v31::null_branches
    ),
    rule!(
        type_arrays,
        Conversion,
        "`type: [T, 'null']` → `type: T, nullable: true`; several types → any value",
        Schema v31::type_arrays
    ),
    rule!(
        examples_keyword,
        Conversion,
        "schema `examples: [..]` → `example`",
        Schema v31::examples
    ),
    rule!(
        const_keyword,
        Conversion,
        "`const: v` → `enum: [v]`",
        Schema v31::const_keyword
    ),
    rule!(
        exclusive_bounds,
        Conversion,
        "numeric `exclusiveMinimum/Maximum` → bound + boolean",
        Schema v31::exclusive_bounds
    ),
    rule!(
        content_keywords,
        Conversion,
        "`contentMediaType`/`contentEncoding` → `format: binary`/`byte`",
        Schema v31::content_keywords
    ),
    rule!(
        dangling_refs,
        Defect,
        "refuses a `$ref` that points nowhere (error, not a change)",
        refs::dangling_refs
    ),
    rule!(
        ref_chains,
        Adaptation,
        "refuses a `$ref` cycle among parameters, bodies, responses, headers or path items (progenitor \
         overflows its stack on one); a chain of such refs → pointed at its end",
        chains::ref_chains
    ),
    rule!(
        interior_refs,
        Defect,
        "refs into a schema's interior (`#/components/schemas/A/B`) → hoisted components",
        refs::interior_refs
    ),
    rule!(
        json_schema_2020_keywords,
        Conversion,
        "drops 2020-12 keywords 3.0 lacks (`$defs`, `prefixItems`, `if`, …)",
        Reshape v31::keywords_2020
    ),
    rule!(
        boolean_required,
        Defect,
        "schema-level `required: true` (Swagger style) → removed",
        Schema schemas::boolean_required
    ),
    rule!(
        nonstandard_types,
        Defect,
        "`type: timestamp`, `Integer`, `string | null`, `array of string`, … → JSON Schema types",
        Grow schemas::nonstandard_types
    ),
    rule!(
        enum_values,
        Defect,
        "enum values of the wrong type, comma-joined or duplicated → fixed",
        Schema schemas::enum_values
    ),
    rule!(
        enum_defaults,
        Defect,
        "a `default` outside the enum or of the wrong type → removed",
        Schema schemas::enum_defaults
    ),
    rule!(
        bogus_patterns,
        Defect,
        "`pattern`s that are format names or invalid regexes → removed",
        Schema schemas::bogus_patterns
    ),
    rule!(
        untyped_arrays,
        Defect,
        "`type: array` without `items` → `items: {}`",
        Grow schemas::untyped_arrays
    ),
    rule!(
        schema_parameter_refs,
        Defect,
        "a parameter that `$ref`s a schema → the path parameter it names, else dropped",
        refs::schema_parameter_refs
    ),
    rule!(
        path_templates,
        Defect,
        "refuses a path template with a stray `{`/`}`, a placeholder twice or no leading `/` (error)",
        params::path_templates
    ),
    rule!(
        path_parameters,
        Defect,
        "path parameters missing from, or undeclared in, the path template",
        paths::path_parameters
    ),
    rule!(
        parameter_values,
        Adaptation,
        "path and header parameters: `nullable` dropped; an array or object value is refused; so are \
         cookie parameters, values given as `content` and query values that are structs",
        params::parameter_values
    ),
    rule!(
        name_table,
        Adaptation,
        "operationIds from openapi/names.yaml for operations upstream leaves unnamed or names badly",
        paths::name_table
    ),
    rule!(
        missing_operation_ids,
        Defect,
        "synthesises `{method}{Path}` (e.g. `getOrgByOrgId`) for operations without operationId",
        paths::missing_operation_ids
    ),
    rule!(
        operation_id_collisions,
        Defect,
        "operationIds equal after snake_case → suffixed",
        paths::operation_id_collisions
    ),
    rule!(
        ref_cycles,
        Defect,
        "refuses schemas that are only aliases of themselves (error, not a change)",
        refs::ref_cycles
    ),
    rule!(
        ref_siblings,
        Conversion,
        "`$ref` with sibling keywords → `allOf: [$ref]` + siblings (3.0 ignores siblings)",
        Reshape v31::ref_siblings
    ),
    rule!(
        server_side_patterns,
        Adaptation,
        "remaining `pattern`s dropped: the server validates, the client must not reject its data",
        Schema schemas::server_side_patterns
    ),
    rule!(
        discriminator_unions,
        Adaptation,
        "discriminator mappings → `oneOf` of the children, each tagged (progenitor ignores mappings)",
        compat::discriminator_unions
    ),
    rule!(
        unnamed_statuses,
        Adaptation,
        "statuses without a reason phrase (`460`): an error one dropped (the range covers it), a success one → `2XX`",
        responses::unnamed_statuses
    ),
    rule!(
        error_responses,
        Adaptation,
        "every non-2xx JSON body → the shared `PartooError` (progenitor merges inline error bodies into the success type)",
        responses::error_responses
    ),
    rule!(
        success_responses,
        Adaptation,
        "one success body per operation: several 2xx schemas or media types → one",
        responses::success_responses
    ),
    rule!(
        success_ranges,
        Adaptation,
        "the 2xx responses of an operation, all with the same body → one `2XX`: any 2xx that decodes is a success",
        responses::success_ranges
    ),
    rule!(
        request_bodies,
        Adaptation,
        "one request media type per operation; `+json` → JSON; multipart is refused; none → body dropped",
        responses::request_bodies
    ),
    rule!(
        timestamps,
        Adaptation,
        "every date/date-time schema → `PartooTimestamp`, which decodes all of Partoo's date forms",
        compat::timestamps
    ),
    rule!(
        nullable_optionals,
        Adaptation,
        "optional array and map properties made nullable so a `null` decodes",
        compat::nullable_optionals
    ),
    rule!(
        open_objects,
        Adaptation,
        "`additionalProperties: false` dropped so new server fields decode",
        Schema compat::open_objects
    ),
    rule!(
        enum_variants,
        Adaptation,
        "enum value lists typify cannot name (\"\", case twins) or validates (numbers) → plain type",
        Schema compat::enum_variants
    ),
    rule!(
        float_precision,
        Adaptation,
        "`format: float` dropped so numbers decode as f64: Partoo sends epoch seconds as floats, which f32 rounds by minutes",
        Schema compat::float_precision
    ),
    rule!(
        uuid_strings,
        Adaptation,
        "`format: uuid` dropped from strings: typify would name the `uuid` crate, which the client lacks",
        Schema compat::uuid_strings
    ),
    rule!(
        primitive_aliases,
        Adaptation,
        "components that only name a primitive, an array or another schema are inlined: `String`, not a newtype",
        aliases::primitive_aliases
    ),
    rule!(
        dropshot_extensions,
        Adaptation,
        "`x-dropshot-pagination`/`x-dropshot-websocket` dropped: progenitor's code for them needs `futures`/`rand`",
        paths::dropshot_extensions
    ),
    rule!(
        reference_links,
        Adaptation,
        "an operation's `externalDocs` link is appended to its description, so method docs point to Partoo's page",
        paths::reference_links
    ),
];

/// Rules add components (`PartooError`, hoisted schemas, …) by indexing `components.schemas`, which panics if
/// either is something other than a mapping: refuse such a document first, at the offending pointer.
fn check_components(doc: &Value, file: &str) -> Result<(), BuildError> {
    for ptr in ["/components", "/components/schemas"] {
        if let Some(v) = doc.pointer(ptr).filter(|v| !v.is_object() && !v.is_null()) {
            let found = crate::load::kind_of(v);
            return Err(BuildError::at_pointer(
                file,
                ptr,
                format!("must be a mapping, found {found}"),
            ));
        }
    }
    Ok(())
}

/// Runs every rule in order on `doc`.
pub(crate) fn normalise(
    doc: Value,
    file: &str,
    names: &NameTable,
) -> Result<(Value, Report), BuildError> {
    let rules: Vec<&Rule> = RULES.iter().collect();
    run(doc, file, names, &rules)
}

/// Runs only the named rules, in list order (for tests and bisecting).
pub fn normalise_with(
    doc: Value,
    names: &NameTable,
    only: &[&str],
) -> Result<(Value, Report), BuildError> {
    let rules: Vec<&Rule> = RULES.iter().filter(|r| only.contains(&r.name)).collect();
    run(doc, "<test>", names, &rules)
}

/// One step of a run: a rule over the whole document, or a run of per-schema rules sharing one walk.
enum Step<'r> {
    Document(&'r Rule, fn(&mut Ctx<'_>) -> Result<(), BuildError>),
    Walk(&'r [&'r Rule]),
}

/// The steps that run `rules` in order: each document rule alone; a per-schema rule with the
/// [`Apply::Schema`] and [`Apply::Grow`] rules right after it, in one walk.
fn plan<'r>(rules: &'r [&'r Rule]) -> Vec<Step<'r>> {
    let mut steps = Vec::new();
    let mut rest = rules;
    while let Some((first, after)) = rest.split_first() {
        if let Apply::Document(apply) = first.apply {
            steps.push(Step::Document(first, apply));
            rest = after;
            continue;
        }
        let joined = after
            .iter()
            .take_while(|r| matches!(r.apply, Apply::Schema(_) | Apply::Grow(_)))
            .count();
        let (walk, after) = rest.split_at(1 + joined);
        steps.push(Step::Walk(walk));
        rest = after;
    }
    steps
}

/// Runs `rules` in order, as [`plan`] groups them.
fn run(
    doc: Value,
    file: &str,
    names: &NameTable,
    rules: &[&Rule],
) -> Result<(Value, Report), BuildError> {
    check_components(&doc, file)?;
    let mut ctx = Ctx {
        doc,
        file,
        names,
        report: Report::default(),
        rule: "",
        kind: RuleKind::Conversion,
    };
    for step in plan(rules) {
        match step {
            Step::Document(rule, apply) => {
                ctx.rule = rule.name;
                ctx.kind = rule.kind;
                apply(&mut ctx)?;
            }
            Step::Walk(walk) => ctx.schema_rules(walk),
        }
    }
    Ok((ctx.doc, ctx.report))
}

/// Unescapes one JSON pointer segment (`~1` → `/`, then `~0` → `~`): the component name a `$ref` segment
/// names (the inverse of [`crate::error::escape_segment`]).
pub(crate) fn unescape_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~").into()
    } else {
        segment.into()
    }
}

/// Is this value a JSON media type (`application/json`, `application/json; charset=…`, `application/*+json`)?
pub(crate) fn is_json_media(media: &str) -> bool {
    let base = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    base == "application/json" || (base.starts_with("application/") && base.ends_with("+json"))
}

impl Ctx<'_> {
    /// Runs per-schema `rules` in one walk: each object schema goes through them in order, then the walk
    /// goes on to its children. Sites are recorded rule by rule, as if each rule had walked alone.
    fn schema_rules(&mut self, rules: &[&Rule]) {
        let apply: Vec<(&Rule, SchemaFn)> = rules
            .iter()
            .filter_map(|r| match r.apply {
                Apply::Schema(f) | Apply::Reshape(f) | Apply::Grow(f) => Some((*r, f)),
                Apply::Document(_) => None,
            })
            .collect();
        let mut sites: Vec<Vec<(String, String)>> = vec![Vec::new(); apply.len()];
        crate::walk::for_each_schema(&mut self.doc, &mut |ptr, schema| {
            if let Some(obj) = schema.as_object_mut() {
                for ((_, f), sites) in apply.iter().zip(sites.iter_mut()) {
                    if let Some(detail) = f(obj) {
                        sites.push((ptr.to_string(), detail));
                    }
                }
            }
        });
        for ((rule, _), sites) in apply.iter().zip(sites) {
            self.rule = rule.name;
            self.kind = rule.kind;
            self.changes(sites);
        }
    }

    /// Runs `f` on every object schema; each `Some(detail)` it returns is recorded at that schema's pointer.
    pub(crate) fn each_schema(
        &mut self,
        f: &mut dyn FnMut(&mut serde_json::Map<String, Value>) -> Option<String>,
    ) {
        let mut sites = Vec::new();
        crate::walk::for_each_schema(&mut self.doc, &mut |ptr, schema| {
            if let Some(obj) = schema.as_object_mut()
                && let Some(detail) = f(obj)
            {
                sites.push((ptr.to_string(), detail));
            }
        });
        self.changes(sites);
    }
}

#[cfg(test)]
mod tests {
    use super::{Apply, RULES, Rule, Step, grown, plan};

    /// The list is ordered so that the per-schema rules share four walks of the document (each walk is
    /// about 2 ms of a 0.4 s build script). A rule added between two of them splits a walk: place it so it
    /// does not, or raise this number on purpose.
    #[test]
    fn the_rule_list_walks_the_document_four_times() {
        let rules: Vec<&Rule> = RULES.iter().collect();
        let walks: Vec<Vec<&str>> = plan(&rules)
            .into_iter()
            .filter_map(|step| match step {
                Step::Walk(walk) => Some(walk.iter().map(|r| r.name).collect()),
                Step::Document(..) => None,
            })
            .collect();
        assert_eq!(walks.len(), 4, "{walks:#?}");
    }

    /// What lets an [`Apply::Grow`] rule share a walk with the per-schema rules listed before it (in any
    /// selection `normalise_with` makes of them): each of those rules leaves every schema it may add alone.
    #[test]
    fn rules_before_a_growing_rule_leave_what_it_adds_alone() {
        let mut checked = 0;
        for (at, rule) in RULES.iter().enumerate() {
            if !matches!(rule.apply, Apply::Grow(_)) {
                continue;
            }
            for earlier in &RULES[..at] {
                let (Apply::Schema(f) | Apply::Reshape(f) | Apply::Grow(f)) = earlier.apply else {
                    continue;
                };
                for schema in grown() {
                    let mut seen = schema.as_object().cloned().unwrap_or_default();
                    let detail = f(&mut seen);
                    assert_eq!(
                        detail, None,
                        "{} changes {schema} (before {})",
                        earlier.name, rule.name
                    );
                    assert_eq!(
                        serde_json::Value::Object(seen),
                        schema,
                        "{} before {}",
                        earlier.name,
                        rule.name
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 0, "no rule grows schemas");
    }
}
