//! The only code that navigates the OpenAPI document: traversals shared by the rules (every schema, every
//! operation) and the look-ups the later stages need (`$ref`s followed, properties through `allOf`, an
//! operation's parameters and success schema, a schema's closure).

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::pointer_push;

/// HTTP methods an OpenAPI path item may hold, in the order progenitor walks them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

mod schemas;
pub use schemas::{Ptr, for_each_schema, walk_schema};

/// One operation of the document.
pub struct Operation<'a> {
    /// Path template, e.g. `/org/{org_id}`.
    pub path: &'a str,
    /// Lower-case method.
    pub method: &'static str,
    /// The operation object.
    pub op: &'a mut Map<String, Value>,
}

impl Operation<'_> {
    /// JSON pointer of the operation object's `key`, e.g. `/paths/~1org/post/operationId`: rendered on demand,
    /// since rules record a change at few operations.
    pub fn pointer_to(&self, key: &str) -> String {
        Ptr::root("/paths")
            .key(self.path)
            .key(self.method)
            .key(key)
            .to_string()
    }
}

/// Calls `f` on every operation, in document order.
pub fn for_each_operation(doc: &mut Value, f: &mut dyn FnMut(Operation<'_>)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (k, v) in item.iter_mut() {
            let Some(method) = METHODS.iter().find(|m| **m == k) else {
                continue;
            };
            let Some(op) = v.as_object_mut() else {
                continue;
            };
            f(Operation { path, method, op });
        }
    }
}

/// Every operation as `(path, lower-case method, operation object)`, read-only, in document order.
pub fn operations(doc: &Value) -> Vec<(&str, &'static str, &Map<String, Value>)> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (k, v) in item.as_object().into_iter().flatten() {
            if let (Some(method), Some(op)) = (METHODS.iter().find(|m| **m == k), v.as_object()) {
                out.push((path.as_str(), *method, op));
            }
        }
    }
    out
}

/// The parameters that apply to an operation, each `#/components/parameters/..` ref resolved: the path
/// item's, but those the operation redeclares (OpenAPI: an operation's parameter replaces the path item's of
/// the same `name` and `in`, as progenitor does too), then the operation's own. Progenitor keys its merge by
/// `name` alone; a path item's parameter of the same name elsewhere (`id` in path, `id` in query) stays in
/// this list, so the two clash in `operation::check_parameter_names` and the spec is refused, never generated
/// with one of them silently lost.
pub fn parameters<'a>(doc: &'a Value, path: &str, op: &'a Map<String, Value>) -> Vec<&'a Value> {
    let path_level = doc
        .pointer(&format!("{}/parameters", pointer_push("/paths", path)))
        .and_then(Value::as_array);
    let own: Vec<&Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| follow(doc, p))
        .collect();
    fn key(p: &Value) -> Option<(&str, &str)> {
        let text = |k: &str| p.get(k).and_then(Value::as_str);
        text("name").zip(text("in"))
    }
    let overridden = |p: &Value| key(p).is_some_and(|k| own.iter().any(|o| key(o) == Some(k)));
    let mut out: Vec<&Value> = path_level
        .into_iter()
        .flatten()
        .map(|p| follow(doc, p))
        .filter(|p| !overridden(p))
        .collect();
    out.extend(own);
    out
}

/// Calls `f` on the `responses` map of every operation, with the map's JSON pointer.
pub fn for_each_responses(doc: &mut Value, f: &mut dyn FnMut(&Ptr<'_>, &mut Map<String, Value>)) {
    for_each_operation(doc, &mut |op| {
        if let Some(responses) = op.op.get_mut("responses").and_then(Value::as_object_mut) {
            let (paths, method) = (Ptr::root("/paths"), op.method);
            let path = paths.key(op.path);
            f(&path.key(method).key("responses"), responses);
        }
    });
}

/// How a reference to a component schema starts.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// The component schema a reference names: `#/components/schemas/X` → `X`.
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix(SCHEMA_REF_PREFIX)
}

/// The component schema a `{"$ref": "#/components/schemas/X"}` schema points to: `X`.
pub fn schema_ref(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(schema_ref_name)
}

/// Resolves a local JSON pointer (`#/a/b` or `/a/b`) in `doc`.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let ptr = reference.strip_prefix('#')?;
    if ptr.is_empty() {
        return Some(doc);
    }
    doc.pointer(ptr)
}

/// Follows `$ref`s (at most a few hops, to stay safe on cycles) and returns the target schema.
pub fn deref<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| resolve(doc, r))
        {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

/// Calls `f` on every local reference inside `value`: each `$ref` string, and each value of a discriminator's
/// `mapping` (which names schemas by reference without a `$ref` key).
pub fn refs_in(value: &Value, f: &mut dyn FnMut(&str)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => f(reference),
                    ("mapping", Value::Object(mapping)) => {
                        mapping.values().filter_map(Value::as_str).for_each(&mut *f);
                        refs_in(child, f);
                    }
                    _ => refs_in(child, f),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs_in(item, f)),
        _ => {}
    }
}

/// The object behind a list entry or a map value that may be a `{"$ref": …}` (a parameter, a response, a
/// request body): the target of a local reference, one hop; the value itself otherwise (or when the
/// reference points nowhere: `rules::refs` refuses those before anything reads them).
pub fn follow<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(doc, r))
        .unwrap_or(value)
}

/// What some local references pointed to when it was taken, each target copied: lets a rule that rewrites
/// part of the document keep reading the targets as they were before it started (what a copy of the whole
/// document gave, at the cost of the few targets only).
pub struct RefTargets(HashMap<String, Value>);

impl RefTargets {
    /// Resolves each of `refs` in `doc` now; references that point nowhere are left out, as [`follow`] leaves
    /// them unresolved.
    pub fn take<'r>(doc: &Value, refs: impl IntoIterator<Item = &'r str>) -> Self {
        let mut targets = HashMap::new();
        for r in refs {
            if !targets.contains_key(r)
                && let Some(target) = resolve(doc, r)
            {
                targets.insert(r.to_owned(), target.clone());
            }
        }
        Self(targets)
    }

    /// [`follow`] on the document as it was when taken: the target of `value`'s `$ref` (which must be one of
    /// the references given to [`RefTargets::take`]), else `value` itself.
    pub fn follow<'a>(&'a self, value: &'a Value) -> &'a Value {
        value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.0.get(r))
            .unwrap_or(value)
    }
}

/// The `$ref` of each value, where it has one: the references [`RefTargets::take`] needs for them.
pub fn refs_of<'a>(values: impl IntoIterator<Item = &'a Value>) -> impl Iterator<Item = &'a str> {
    values
        .into_iter()
        .filter_map(|v| v.get("$ref").and_then(Value::as_str))
}

/// How a reference to any component starts.
pub const COMPONENT_REF_PREFIX: &str = "#/components/";

/// The component a local reference names, as `kind/name` (`#/components/schemas/X` → `schemas/X`).
pub fn component_ref(reference: &str) -> Option<&str> {
    reference.strip_prefix(COMPONENT_REF_PREFIX)
}

/// The names of the component schemas, in document order.
pub fn component_schema_names(doc: &Value) -> Vec<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The component schema named `name` (`#/components/schemas/{name}`).
pub fn component_schema<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    doc.get("components")?.get("schemas")?.get(name)
}

/// How deep [`properties`] follows nested `allOf`s (a guard against cycles).
const ALL_OF_DEPTH: usize = 8;

/// The properties of an object schema as `(name, schema)`, following `$ref`s and `allOf` (Partoo builds
/// envelopes as `allOf: [ListResult, {items…}]`): the parts of an `allOf` first, in order, then the schema's
/// own `properties`; each property schema with its `$ref`s followed. A name declared twice is listed twice,
/// the nearest declaration (the schema's own) last.
pub fn properties<'a>(doc: &'a Value, schema: &'a Value) -> Vec<(&'a str, &'a Value)> {
    fn collect<'a>(
        doc: &'a Value,
        schema: &'a Value,
        depth: usize,
        out: &mut Vec<(&'a str, &'a Value)>,
    ) {
        let schema = deref(doc, schema);
        if depth > ALL_OF_DEPTH {
            return;
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect(doc, part, depth + 1, out);
        }
        for (name, s) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            out.push((name.as_str(), deref(doc, s)));
        }
    }
    let mut out = Vec::new();
    collect(doc, schema, 0, &mut out);
    out
}

/// A schema seen through the `{allOf: [X], nullable: true}` wrapping 3.0 uses for a nullable reference: `X`
/// (its `$ref`s followed); any other schema as is.
pub fn unwrap_single_all_of<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .map_or(schema, |first| deref(doc, first))
}

/// The JSON body schema of an operation's first 2xx response that has one (responses given by `$ref`
/// followed), with its `$ref`s followed.
pub fn json_success_schema<'a>(doc: &'a Value, op: &'a Map<String, Value>) -> Option<&'a Value> {
    op.get("responses")
        .and_then(Value::as_object)?
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, response)| {
            follow(doc, response)
                .pointer("/content/application~1json/schema")
                .map(|s| deref(doc, s))
        })
}

/// Component schema `name` and every component schema it reaches (through `$ref`s and discriminator
/// mappings), each once, as `(name, schema)`; names that resolve to nothing are skipped.
pub fn schema_closure<'a>(doc: &'a Value, name: &str) -> Vec<(&'a str, &'a Value)> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut out: Vec<(&'a str, &'a Value)> = Vec::new();
    let mut todo = vec![name.to_owned()];
    while let Some(next) = todo.pop() {
        if out.iter().any(|(n, _)| *n == next) {
            continue;
        }
        let Some((key, schema)) = schemas.get_key_value(&next) else {
            continue;
        };
        out.push((key.as_str(), schema));
        refs_in(schema, &mut |r| {
            if let Some(target) = schema_ref_name(r) {
                todo.push(target.to_owned());
            }
        });
    }
    out
}

/// Component kinds whose entries [`for_each_ref_site`] visits: the non-schema parts an operation may reference.
pub const REF_SITE_KINDS: [&str; 4] = ["parameters", "requestBodies", "responses", "headers"];

/// Where a chain of references leads.
pub enum Chain {
    /// The references followed, the last one's target not a reference (or a schema, or nothing: the
    /// `dangling_refs` rule, run before, refuses references to nothing).
    To(Vec<String>),
    /// The references followed, ending with the first one met again.
    Cycle(Vec<String>),
}

/// Follows `start` while its target is itself a `$ref` (schema references end a chain).
pub fn ref_chain(doc: &Value, start: &str) -> Chain {
    let mut refs = vec![start.to_owned()];
    let mut current = start;
    while !current.starts_with(SCHEMA_REF_PREFIX) {
        let Some(next) = resolve(doc, current)
            .and_then(|target| target.get("$ref"))
            .and_then(Value::as_str)
        else {
            break;
        };
        let seen = refs.iter().any(|r| r == next);
        refs.push(next.to_owned());
        if seen {
            return Chain::Cycle(refs);
        }
        current = next;
    }
    Chain::To(refs)
}

/// Calls `f` with each place that holds a `$ref` (its pointer, rendered only when asked, and the reference)
/// among those that may reference a non-schema part, in document order: each path item, its parameters, and
/// each operation's parameters, request body, responses and their headers; then each component of
/// [`REF_SITE_KINDS`] and the headers of component responses.
pub fn for_each_ref_site<'d>(doc: &'d Value, f: &mut dyn FnMut(&Ptr<'_>, &'d str)) {
    fn entries<'d>(value: Option<&'d Value>, base: &Ptr<'_>, f: &mut dyn FnMut(&Ptr<'_>, &'d str)) {
        match value {
            Some(Value::Array(list)) => {
                for (i, entry) in list.iter().enumerate() {
                    if let Some(r) = entry.get("$ref").and_then(Value::as_str) {
                        f(&base.index(i), r);
                    }
                }
            }
            Some(Value::Object(map)) => {
                for (key, entry) in map {
                    if let Some(r) = entry.get("$ref").and_then(Value::as_str) {
                        f(&base.key(key), r);
                    }
                }
            }
            _ => {}
        }
    }
    fn headers_of<'d>(
        responses: Option<&'d Value>,
        base: &Ptr<'_>,
        f: &mut dyn FnMut(&Ptr<'_>, &'d str),
    ) {
        for (code, response) in responses.and_then(Value::as_object).into_iter().flatten() {
            let at = base.key(code);
            entries(response.get("headers"), &at.key("headers"), f);
        }
    }
    let paths = Ptr::root("/paths");
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let base = paths.key(path);
        if let Some(r) = item.get("$ref").and_then(Value::as_str) {
            f(&base, r);
        }
        entries(item.get("parameters"), &base.key("parameters"), f);
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let at = base.key(method);
            entries(op.get("parameters"), &at.key("parameters"), f);
            if let Some(r) = op.pointer("/requestBody/$ref").and_then(Value::as_str) {
                f(&at.key("requestBody"), r);
            }
            let responses = at.key("responses");
            entries(op.get("responses"), &responses, f);
            headers_of(op.get("responses"), &responses, f);
        }
    }
    let components = doc.get("components");
    let root = Ptr::root("/components");
    for kind in REF_SITE_KINDS {
        entries(components.and_then(|c| c.get(kind)), &root.key(kind), f);
    }
    let responses = root.key("responses");
    headers_of(components.and_then(|c| c.get("responses")), &responses, f);
}
