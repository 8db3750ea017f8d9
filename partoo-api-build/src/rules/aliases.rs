//! Adaptation: component schemas that only rename a primitive, an array or another schema.
//!
//! Partoo's document names almost every field type (`BusinessCity: {type: string}`, `BusinessIds: {type:
//! array, items: {$ref: BusinessId}}`, 176 of the 288 schemas of the vendored spec). typify turns each named
//! schema into a one-field newtype with `Deref`, three `From`s, `FromStr`, `Display` and serde derives, so a
//! business's city reads `Option<BusinessCity>` where a caller expects `Option<String>`, and those impls are a
//! large share of the client's compile time. Such components are inlined where they are referenced and
//! removed. Length and range limits on them are dropped with them: typify would otherwise make a checked
//! newtype again, and a response must not fail to decode on a limit the server is the one to enforce.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{Ctx, ERROR_SCHEMA, TIMESTAMP_SCHEMA};
use crate::error::{BuildError, pointer_push};
use crate::walk::schema_ref;

const PRIMITIVES: [&str; 4] = ["string", "integer", "number", "boolean"];
/// Keywords an alias may carry besides `type`, `items` and `$ref` that stay where it is inlined: annotations,
/// and array size limits (typify does not check those).
const KEPT: [&str; 12] = [
    "format",
    "description",
    "title",
    "example",
    "nullable",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "minItems",
    "maxItems",
];
/// Limits an alias may carry, removed when it is inlined (typify would turn a limited scalar into a
/// checked newtype).
const LIMITS: [&str; 8] = [
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// Inlines the components that only name a primitive, an array or another schema, and removes them.
pub(super) fn primitive_aliases(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let Some(schemas) = ctx
        .doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let aliases: BTreeMap<String, Value> = schemas
        .iter()
        .filter(|(name, s)| is_alias(name, s))
        .map(|(name, s)| (name.clone(), s.clone()))
        .collect();
    if aliases.is_empty() {
        return Ok(());
    }
    if let Some(s) = ctx
        .doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        s.retain(|name, _| !aliases.contains_key(name));
    }
    let mut inliner = Inliner {
        aliases: &aliases,
        resolved: BTreeMap::new(),
        resolving: BTreeSet::new(),
        uses: BTreeMap::new(),
    };
    inliner.inline(&mut ctx.doc, true);
    let uses = inliner.uses;
    for (name, original) in &aliases {
        let what = match original.get("type").and_then(Value::as_str) {
            Some(t) => t.to_owned(),
            None => schema_ref(original).unwrap_or("schema").to_owned(),
        };
        let limits: Vec<&str> = LIMITS
            .iter()
            .copied()
            .filter(|k| original.get(*k).is_some())
            .collect();
        let dropped = if limits.is_empty() {
            String::new()
        } else {
            format!("; {} dropped", limits.join(", "))
        };
        let n = uses.get(name).copied().unwrap_or(0);
        ctx.change(
            pointer_push("/components/schemas", name),
            format!("alias of {what} inlined at {n} sites and removed{dropped}"),
        );
    }
    Ok(())
}

/// Whether component `name` is a plain alias: a primitive without `enum`, an array of a primitive or of a
/// ref, or a bare ref (also as a one-element `allOf`), with nothing but annotations and limits beside.
fn is_alias(name: &str, schema: &Value) -> bool {
    if name == TIMESTAMP_SCHEMA || name == ERROR_SCHEMA {
        return false;
    }
    let Some(obj) = schema.as_object() else {
        return false;
    };
    let only_allowed = |obj: &Map<String, Value>, extra: &[&str]| {
        obj.keys().all(|k| {
            let k = k.as_str();
            KEPT.contains(&k) || LIMITS.contains(&k) || extra.contains(&k)
        })
    };
    match obj.get("type").and_then(Value::as_str) {
        Some(t) if PRIMITIVES.contains(&t) => only_allowed(obj, &["type"]),
        Some("array") => {
            let items_ok = obj
                .get("items")
                .and_then(Value::as_object)
                .is_some_and(|items| {
                    let is_ref = items.contains_key("$ref") && items.len() == 1;
                    let is_primitive = items
                        .get("type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| PRIMITIVES.contains(&t))
                        && only_allowed(items, &["type"]);
                    is_ref || is_primitive
                });
            items_ok && only_allowed(obj, &["type", "items"])
        }
        Some(_) => false,
        // `{allOf: [{$ref: X}], nullable: true}`: how a nullable ref is written in 3.0.
        None if obj.contains_key("allOf") => {
            let single_ref = match obj
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([only]) => only
                    .as_object()
                    .is_some_and(|o| o.len() == 1 && o.contains_key("$ref")),
                _ => false,
            };
            single_ref && only_allowed(obj, &["allOf"])
        }
        None => schema_ref(schema).is_some() && only_allowed(obj, &["$ref"]),
    }
}

/// `base` with the keys of `over` (except `skip`) laid over it; `nullable` stays true if either says so.
fn merge(base: Value, over: Value, skip: &[&str]) -> Value {
    let (Value::Object(mut base), Value::Object(over)) = (base, over) else {
        return json!({});
    };
    let nullable = base.get("nullable") == Some(&json!(true));
    for (k, v) in over {
        if !skip.contains(&k.as_str()) {
            base.insert(k, v);
        }
    }
    if nullable {
        base.insert("nullable".into(), json!(true));
    }
    Value::Object(base)
}

/// Puts each alias's schema in place of the refs to it. An alias's own schema is worked out once, by the
/// same walk: its limits dropped, the aliases it refers to inlined in turn.
struct Inliner<'a> {
    aliases: &'a BTreeMap<String, Value>,
    resolved: BTreeMap<String, Value>,
    /// Aliases being worked out; a ref cycle between them (refused earlier by `ref_cycles`) stops at the
    /// repeated name.
    resolving: BTreeSet<String>,
    /// Sites in the document (not inside other aliases) that referred to each alias.
    uses: BTreeMap<String, usize>,
}

impl Inliner<'_> {
    /// The schema to put in place of a ref to alias `name`.
    fn resolved(&mut self, name: &str) -> Value {
        if let Some(done) = self.resolved.get(name) {
            return done.clone();
        }
        let Some(mut out) = self.aliases.get(name).cloned() else {
            return json!({});
        };
        if !self.resolving.insert(name.to_owned()) {
            return json!({});
        }
        drop_limits(&mut out);
        if let Some(items) = out.get_mut("items") {
            drop_limits(items);
        }
        self.inline(&mut out, false);
        self.resolving.remove(name);
        self.resolved.insert(name.to_owned(), out.clone());
        out
    }

    /// Replaces every `{"$ref": alias}` under `node` by the alias's schema (with the ref's siblings laid
    /// over it), and folds a one-element `allOf` left holding a plain schema into its parent (`{allOf:
    /// [{type: string}], nullable: true}` → `{type: string, nullable: true}`), which typify would otherwise
    /// name as a new type. `count`: record the sites in `uses`.
    fn inline(&mut self, node: &mut Value, count: bool) {
        let target = schema_ref(node)
            .filter(|name| self.aliases.contains_key(*name))
            .map(str::to_owned);
        if let Some(name) = target {
            if count {
                *self.uses.entry(name.clone()).or_default() += 1;
            }
            let inline = self.resolved(&name);
            let siblings = std::mem::take(node);
            *node = merge(inline, siblings, &["$ref"]);
            return;
        }
        match node {
            Value::Object(obj) => {
                for (key, child) in obj.iter_mut() {
                    // Examples are data: a `$ref` key there is not a reference.
                    if key != "example" && key != "examples" {
                        self.inline(child, count);
                    }
                }
                fold_single_all_of(obj);
            }
            Value::Array(list) => list.iter_mut().for_each(|c| self.inline(c, count)),
            _ => {}
        }
    }
}

fn drop_limits(schema: &mut Value) {
    if let Some(obj) = schema.as_object_mut() {
        for k in LIMITS {
            obj.remove(k);
        }
    }
}

fn fold_single_all_of(obj: &mut Map<String, Value>) {
    let plain = match obj
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => only.get("$ref").is_none() && only.get("type").is_some(),
        _ => false,
    };
    if !plain || obj.contains_key("type") || obj.contains_key("properties") {
        return;
    }
    let Some(Value::Array(mut list)) = obj.remove("allOf") else {
        return;
    };
    let Some(inner) = list.pop() else {
        return;
    };
    let parent = std::mem::take(obj);
    if let Value::Object(merged) = merge(inner, Value::Object(parent), &[]) {
        *obj = merged;
    }
}
