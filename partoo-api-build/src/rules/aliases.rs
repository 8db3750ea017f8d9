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

const PREFIX: &str = "#/components/schemas/";
const PRIMITIVES: [&str; 4] = ["string", "integer", "number", "boolean"];
/// Keywords an alias may carry besides `type`, `items` and `$ref`: annotations and the limits we drop.
const ALLOWED: [&str; 20] = [
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
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
/// Limits removed when an alias is inlined (typify would turn a limited scalar into a checked newtype).
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
    let mut resolved = BTreeMap::new();
    for name in aliases.keys() {
        let schema = resolve(name, &aliases, &mut BTreeSet::new());
        resolved.insert(name.clone(), schema);
    }
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    if let Some(s) = ctx
        .doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        s.retain(|name, _| !aliases.contains_key(name));
    }
    replace_refs(&mut ctx.doc, &resolved, &mut uses);
    for (name, original) in &aliases {
        let what = match original.get("type").and_then(Value::as_str) {
            Some(t) => t.to_owned(),
            None => original
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(PREFIX))
                .unwrap_or("schema")
                .to_owned(),
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
        obj.keys()
            .all(|k| ALLOWED.contains(&k.as_str()) || extra.contains(&k.as_str()))
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
        None => {
            obj.get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|r| r.starts_with(PREFIX))
                && only_allowed(obj, &["$ref"])
        }
    }
}

/// The schema to put in place of a ref to alias `name`: its own refs to other aliases resolved, its limits
/// dropped. A ref cycle between aliases (refused earlier by `ref_cycles`) stops at the repeated name.
fn resolve(name: &str, aliases: &BTreeMap<String, Value>, seen: &mut BTreeSet<String>) -> Value {
    let Some(schema) = aliases.get(name) else {
        return json!({ "$ref": format!("{PREFIX}{name}") });
    };
    if !seen.insert(name.to_owned()) {
        return json!({});
    }
    let mut out = schema.clone();
    if let Some(obj) = out.as_object_mut() {
        for k in LIMITS {
            obj.remove(k);
        }
        if let Some(items) = obj.get_mut("items").and_then(Value::as_object_mut) {
            for k in LIMITS {
                items.remove(k);
            }
        }
    }
    let target = out
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(PREFIX))
        .map(str::to_owned);
    if let Some(target) = target
        && aliases.contains_key(&target)
    {
        let inner = resolve(&target, aliases, seen);
        out = merge(inner, out, &["$ref"]);
    }
    let nested_target = out
        .pointer("/allOf/0/$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(PREFIX))
        .map(str::to_owned);
    if let Some(target) = nested_target
        && aliases.contains_key(&target)
        && let Some(obj) = out.as_object_mut()
    {
        obj.remove("allOf");
        let inner = resolve(&target, aliases, seen);
        out = merge(inner, out, &[]);
    }
    let item_target = out
        .pointer("/items/$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(PREFIX))
        .map(str::to_owned);
    if let Some(target) = item_target
        && aliases.contains_key(&target)
    {
        out["items"] = resolve(&target, aliases, seen);
    }
    seen.remove(name);
    out
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

/// Replaces every `{"$ref": alias}` in the document by the alias's schema, and folds a one-element `allOf`
/// left holding a plain schema into its parent (`{allOf: [{type: string}], nullable: true}` → `{type:
/// string, nullable: true}`), which typify would otherwise name as a new type.
fn replace_refs(
    node: &mut Value,
    resolved: &BTreeMap<String, Value>,
    uses: &mut BTreeMap<String, usize>,
) {
    match node {
        Value::Object(obj) => {
            let target = obj
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(PREFIX))
                .filter(|name| resolved.contains_key(*name))
                .map(str::to_owned);
            if let Some(name) = target {
                *uses.entry(name.clone()).or_default() += 1;
                let inline = resolved.get(&name).cloned().unwrap_or_else(|| json!({}));
                let siblings = std::mem::take(obj);
                *node = merge(inline, Value::Object(siblings), &["$ref"]);
                return;
            }
            for (key, child) in obj.iter_mut() {
                // Examples are data: a `$ref` key there is not a reference.
                if key != "example" && key != "examples" {
                    replace_refs(child, resolved, uses);
                }
            }
            fold_single_all_of(obj);
        }
        Value::Array(list) => list
            .iter_mut()
            .for_each(|c| replace_refs(c, resolved, uses)),
        _ => {}
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
