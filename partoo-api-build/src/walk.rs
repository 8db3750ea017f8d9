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

/// A JSON pointer built lazily while walking: a chain of segments up to a root pointer. Rendering it
/// (`Display`, `to_string`) costs an allocation; walking does not, which matters because every rule walks
/// every schema and only a few sites change.
#[derive(Clone, Copy, Debug)]
pub struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Segment<'a> {
    /// An already-rendered pointer (the start of a walk).
    Root(&'a str),
    Key(&'a str),
    Index(usize),
}

impl<'a> Ptr<'a> {
    /// A pointer that starts at an already rendered one.
    pub fn root(pointer: &'a str) -> Self {
        Self {
            parent: None,
            segment: Segment::Root(pointer),
        }
    }

    /// The pointer one map key further down.
    pub fn key(&'a self, key: &'a str) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// The pointer one list index further down.
    pub fn index(&'a self, index: usize) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
}

impl std::fmt::Display for Ptr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.segment {
            Segment::Root(p) => f.write_str(p),
            Segment::Key(k) => {
                f.write_str("/")?;
                crate::error::write_escaped(f, k)
            }
            Segment::Index(i) => write!(f, "/{i}"),
        }
    }
}

/// Calls `f` on every schema in the document, parents before children, with its JSON pointer.
///
/// `f` gets the schema as a `Value` (3.1 allows `true`/`false` schemas) and may rewrite it; the walk then
/// descends into whatever children the rewritten schema has.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&Ptr<'_>, &mut Value)) {
    for_each_schema_root(doc, &mut |ptr, schema| walk_schema(schema, ptr, f));
}

/// Calls `f` on one schema and everything below it.
pub fn walk_schema(node: &mut Value, ptr: &Ptr<'_>, f: &mut dyn FnMut(&Ptr<'_>, &mut Value)) {
    f(ptr, node);
    let Some(obj) = node.as_object_mut() else {
        return;
    };
    // One pass over the keys the schema has (usually a handful), rather than a lookup per keyword.
    for (key, child) in obj.iter_mut() {
        let key = key.as_str();
        match (child_kind(key), child) {
            (Child::Map, Value::Object(children)) => {
                let base = ptr.key(key);
                for (name, grandchild) in children.iter_mut() {
                    walk_schema(grandchild, &base.key(name), f);
                }
            }
            (Child::One { .. }, child @ Value::Object(_))
            | (Child::One { bool_schema: true }, child @ Value::Bool(_)) => {
                walk_schema(child, &ptr.key(key), f);
            }
            (Child::List, Value::Array(list)) => walk_list(list, &ptr.key(key), f),
            // Draft-4 tuple form of `items`.
            (Child::One { .. }, Value::Array(list)) if key == "items" => {
                walk_list(list, &ptr.key(key), f);
            }
            _ => {}
        }
    }
}

/// What a schema keyword holds, as far as the walk goes.
enum Child {
    /// A map of name → schema.
    Map,
    /// One schema; `bool_schema`: `true`/`false` there is a schema too (not for
    /// `additionalProperties`, where it is a flag in 3.0). `items` may also hold a list.
    One { bool_schema: bool },
    /// A list of schemas.
    List,
    /// Anything else: not walked.
    Other,
}

/// The kind of schema keyword `key`. A `match` rather than scans of keyword lists: the walk asks for every
/// key of every schema, many times per run.
fn child_kind(key: &str) -> Child {
    match key {
        "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
            Child::Map
        }
        "additionalProperties" => Child::One { bool_schema: false },
        "items"
        | "not"
        | "contains"
        | "propertyNames"
        | "if"
        | "then"
        | "else"
        | "unevaluatedItems"
        | "unevaluatedProperties"
        | "additionalItems"
        | "contentSchema" => Child::One { bool_schema: true },
        "allOf" | "oneOf" | "anyOf" | "prefixItems" => Child::List,
        _ => Child::Other,
    }
}

fn walk_list(list: &mut [Value], base: &Ptr<'_>, f: &mut dyn FnMut(&Ptr<'_>, &mut Value)) {
    for (i, child) in list.iter_mut().enumerate() {
        walk_schema(child, &base.index(i), f);
    }
}

/// A visitor of schema roots: called with each root's pointer and the root schema.
type RootFn<'f> = dyn FnMut(&Ptr<'_>, &mut Value) + 'f;

/// Calls `f` on each top-level schema of the document, in document order: components and every schema slot
/// of parameters, bodies, responses. Pointers stay unrendered segment chains, as in the walk below them.
fn for_each_schema_root(doc: &mut Value, f: &mut RootFn<'_>) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let top = Ptr::root("");
    for (key, section) in root.iter_mut() {
        match key.as_str() {
            "components" => {
                let Some(components) = section.as_object_mut() else {
                    continue;
                };
                let components_ptr = top.key("components");
                for (kind, items) in components.iter_mut() {
                    let Some(items) = items.as_object_mut() else {
                        continue;
                    };
                    let kind_ptr = components_ptr.key(kind);
                    for (name, item) in items.iter_mut() {
                        let ptr = kind_ptr.key(name);
                        match kind.as_str() {
                            "schemas" => f(&ptr, item),
                            "parameters" | "headers" => param_schemas(item, &ptr, f),
                            "requestBodies" | "responses" => body_schemas(item, &ptr, f),
                            _ => {}
                        }
                    }
                }
            }
            "paths" => {
                let Some(paths) = section.as_object_mut() else {
                    continue;
                };
                let paths_ptr = top.key("paths");
                for (path, item) in paths.iter_mut() {
                    let base = paths_ptr.key(path);
                    let Some(item) = item.as_object_mut() else {
                        continue;
                    };
                    for (k, v) in item.iter_mut() {
                        let ptr = base.key(k);
                        if k == "parameters" {
                            list_params(v, &ptr, f);
                        } else if METHODS.contains(&k.as_str()) {
                            operation_schemas(v, &ptr, f);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn operation_schemas(op: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    let Some(op) = op.as_object_mut() else { return };
    for (k, v) in op.iter_mut() {
        let ptr = base.key(k);
        match k.as_str() {
            "parameters" => list_params(v, &ptr, f),
            "requestBody" => body_schemas(v, &ptr, f),
            "responses" => {
                if let Some(responses) = v.as_object_mut() {
                    for (code, r) in responses.iter_mut() {
                        body_schemas(r, &ptr.key(code), f);
                    }
                }
            }
            _ => {}
        }
    }
}

fn list_params(list: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    if let Some(list) = list.as_array_mut() {
        for (i, p) in list.iter_mut().enumerate() {
            param_schemas(p, &base.index(i), f);
        }
    }
}

fn param_schemas(param: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    if let Some(obj) = param.as_object_mut() {
        for (k, v) in obj.iter_mut() {
            match k.as_str() {
                "schema" => f(&base.key(k), v),
                "content" => media_schemas(v, &base.key(k), f),
                _ => {}
            }
        }
    }
}

fn body_schemas(body: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    if let Some(obj) = body.as_object_mut() {
        for (k, v) in obj.iter_mut() {
            match k.as_str() {
                "content" => media_schemas(v, &base.key(k), f),
                "headers" => {
                    if let Some(headers) = v.as_object_mut() {
                        let hbase = base.key(k);
                        for (name, h) in headers.iter_mut() {
                            param_schemas(h, &hbase.key(name), f);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn media_schemas(content: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    if let Some(content) = content.as_object_mut() {
        for (mt, media) in content.iter_mut() {
            if let Some(schema) = media.as_object_mut().and_then(|m| m.get_mut("schema")) {
                f(&base.key(mt).key("schema"), schema);
            }
        }
    }
}

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

/// The parameters that apply to an operation: the path item's, then the operation's own, each
/// `#/components/parameters/..` ref resolved.
pub fn parameters<'a>(doc: &'a Value, path: &str, op: &'a Map<String, Value>) -> Vec<&'a Value> {
    let path_level = doc
        .pointer(&format!("{}/parameters", pointer_push("/paths", path)))
        .and_then(Value::as_array);
    let own = op.get("parameters").and_then(Value::as_array);
    path_level
        .into_iter()
        .chain(own)
        .flatten()
        .map(|p| follow(doc, p))
        .collect()
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
