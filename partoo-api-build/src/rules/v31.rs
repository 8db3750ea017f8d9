//! OpenAPI 3.1 → 3.0.3. progenitor refuses any `openapi` other than 3.0.x and openapiv3 cannot deserialize
//! 3.1's JSON Schema 2020-12 idioms, so Partoo's current (3.1.0) document is lowered here, in memory.

use serde_json::{Map, Value, json};

use super::Ctx;
use crate::error::BuildError;

/// `openapi: 3.1.x` → `3.0.3`, dropping the 3.1-only `jsonSchemaDialect`, `info.summary`,
/// `info.license.identifier` and `components.pathItems`.
pub(super) fn version(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let Some(v) = ctx
        .doc
        .get("openapi")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Ok(());
    };
    if !v.starts_with("3.1.") {
        return Ok(());
    }
    ctx.doc["openapi"] = json!("3.0.3");
    ctx.change("/openapi", format!("{v} → 3.0.3"));
    let mut dropped = Vec::new();
    let doc = &mut ctx.doc;
    if let Some(root) = doc.as_object_mut()
        && root.remove("jsonSchemaDialect").is_some()
    {
        dropped.push("/jsonSchemaDialect");
    }
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        if info.remove("summary").is_some() {
            dropped.push("/info/summary");
        }
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut)
            && license.remove("identifier").is_some()
        {
            dropped.push("/info/license/identifier");
        }
    }
    if let Some(c) = doc.get_mut("components").and_then(Value::as_object_mut)
        && c.remove("pathItems").is_some()
    {
        dropped.push("/components/pathItems");
    }
    for p in dropped {
        ctx.change(p, "removed (3.1 only)");
    }
    Ok(())
}

/// Boolean schemas (`items: false`, `additionalProperties` aside) → `{}` for `true`, `{not: {}}` for `false`.
pub(super) fn boolean_schemas(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut sites = Vec::new();
    crate::walk::for_each_schema(&mut ctx.doc, &mut |ptr, schema| {
        if let Value::Bool(b) = *schema {
            *schema = if b { json!({}) } else { json!({"not": {}}) };
            sites.push((ptr.to_string(), format!("boolean schema {b} → object")));
        }
    });
    ctx.changes(sites);
    Ok(())
}

fn is_null_schema(v: &Value) -> bool {
    match v.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.len() == 1 && ts[0] == "null",
        _ => false,
    }
}

/// `oneOf`/`anyOf` with a `{type: 'null'}` branch → the remaining branch with `nullable: true`
/// (a lone `$ref` becomes `allOf: [$ref]`, the 3.0 idiom progenitor types as `Option`); `type: 'null'` alone →
/// `nullable: true`.
pub(super) fn null_branches(s: &mut Map<String, Value>) -> Option<String> {
    if s.get("type").and_then(Value::as_str) == Some("null") {
        s.remove("type");
        s.insert("nullable".into(), json!(true));
        return Some("type 'null' → nullable".into());
    }
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(branches)) = s.get_mut(key) else {
            continue;
        };
        let before = branches.len();
        branches.retain(|b| !is_null_schema(b));
        if branches.len() == before {
            continue;
        }
        let rest = std::mem::take(branches);
        s.remove(key);
        s.insert("nullable".into(), json!(true));
        match <[Value; 1]>::try_from(rest) {
            Ok([only]) if only.get("$ref").is_some() => {
                s.insert("allOf".into(), json!([only]));
            }
            Ok([Value::Object(only)]) => {
                for (k, v) in only {
                    s.entry(k).or_insert(v);
                }
            }
            Ok([other]) => {
                s.insert("allOf".into(), json!([other]));
            }
            Err(rest) => {
                s.insert(key.into(), Value::Array(rest));
            }
        }
        return Some(format!("{key} null branch → nullable"));
    }
    None
}

/// `type: [T, 'null']` → `type: T, nullable: true`; several non-null types → no `type` (any JSON value), since
/// progenitor has no union of primitives.
pub(super) fn type_arrays(s: &mut Map<String, Value>) -> Option<String> {
    let Some(Value::Array(types)) = s.get("type") else {
        return None;
    };
    let types: Vec<String> = types
        .iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    let nullable = types.iter().any(|t| t == "null");
    let rest: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
    let detail = format!("type {types:?} → ");
    s.remove("type");
    if nullable {
        s.insert("nullable".into(), json!(true));
    }
    let detail = match rest.as_slice() {
        [one] => {
            s.insert("type".into(), json!(one));
            format!("{detail}{one}{}", if nullable { " + nullable" } else { "" })
        }
        [] => format!("{detail}nullable, any type"),
        _ => format!(
            "{detail}any type{}",
            if nullable { " + nullable" } else { "" }
        ),
    };
    Some(detail)
}

/// Schema-level `examples: [..]` (2020-12) → `example: <first>`.
pub(super) fn examples(s: &mut Map<String, Value>) -> Option<String> {
    let ex = s.get("examples")?;
    let first = match ex {
        Value::Array(list) => list.first().cloned(),
        // A map here is 3.0's media-type `examples`, not a schema keyword: leave it alone.
        Value::Object(_) => return None,
        other => Some(other.clone()),
    };
    s.remove("examples");
    if let Some(first) = first {
        s.entry("example").or_insert(first);
    }
    Some("examples → example".into())
}

/// `const: v` → `enum: [v]` (openapiv3 would silently drop `const`).
pub(super) fn const_keyword(s: &mut Map<String, Value>) -> Option<String> {
    let v = s.remove("const")?;
    s.insert("enum".into(), json!([v]));
    Some("const → single-value enum".into())
}

/// Numeric `exclusiveMinimum: n` (2020-12) → `minimum: n, exclusiveMinimum: true` (and likewise for maximum).
pub(super) fn exclusive_bounds(s: &mut Map<String, Value>) -> Option<String> {
    let mut done = Vec::new();
    for (excl, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n @ Value::Number(_)) = s.get(excl).cloned() {
            s.insert(bound.into(), n);
            s.insert(excl.into(), json!(true));
            done.push(excl);
        } else if s.get(excl) == Some(&json!(true)) && !s.contains_key(bound) {
            // A boolean exclusive bound without its bound is meaningless and makes progenitor panic.
            s.remove(excl);
            done.push(excl);
        }
    }
    (!done.is_empty()).then(|| format!("{} → 3.0 form", done.join(", ")))
}

/// `contentEncoding: base64` → `format: byte`; `contentMediaType` (raw bytes) → `format: binary`.
pub(super) fn content_keywords(s: &mut Map<String, Value>) -> Option<String> {
    let enc = s.remove("contentEncoding");
    let media = s.remove("contentMediaType");
    if enc.is_none() && media.is_none() {
        return None;
    }
    let format = if enc.as_ref().and_then(Value::as_str) == Some("base64") {
        "byte"
    } else {
        "binary"
    };
    s.insert("format".into(), json!(format));
    Some(format!("content keywords → format {format}"))
}

/// JSON Schema 2020-12 keywords with no 3.0 meaning, dropped (after `interior_refs` has hoisted any `$defs`
/// that something points into).
const KEYWORDS_2020: [&str; 18] = [
    "$schema",
    "$id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$comment",
    "$defs",
    "prefixItems",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "dependentSchemas",
    "dependentRequired",
    "patternProperties",
    "propertyNames",
    "contains",
];

/// Drops [`KEYWORDS_2020`] from every schema.
pub(super) fn keywords_2020(s: &mut Map<String, Value>) -> Option<String> {
    // Most schemas have none: a look at their few keys is cheaper than eighteen removals.
    if !s.keys().any(|k| KEYWORDS_2020.contains(&k.as_str())) {
        return None;
    }
    let dropped: Vec<&str> = KEYWORDS_2020
        .into_iter()
        .filter(|k| s.remove(*k).is_some())
        .collect();
    (!dropped.is_empty()).then(|| format!("dropped {}", dropped.join(", ")))
}

/// Keywords that only annotate; beside a `$ref` they are dropped (3.0 ignores them there).
const ANNOTATIONS: [&str; 10] = [
    "description",
    "title",
    "summary",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "default",
];

/// `$ref` with siblings: annotations are dropped; anything that constrains (`nullable`, …) moves beside an
/// `allOf: [$ref]`, which openapiv3 keeps and progenitor honours.
pub(super) fn ref_siblings(s: &mut Map<String, Value>) -> Option<String> {
    if !s.contains_key("$ref") || s.len() == 1 {
        return None;
    }
    let reference = s.remove("$ref")?;
    let siblings: Vec<String> = s.keys().cloned().collect();
    s.retain(|k, _| !ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-"));
    if s.is_empty() {
        s.insert("$ref".into(), reference);
        Some(format!(
            "dropped annotations beside $ref: {}",
            siblings.join(", ")
        ))
    } else {
        let mut wrapped = Map::new();
        wrapped.insert("$ref".into(), reference);
        s.insert("allOf".into(), json!([wrapped]));
        Some(format!("$ref with {} → allOf wrapper", siblings.join(", ")))
    }
}
