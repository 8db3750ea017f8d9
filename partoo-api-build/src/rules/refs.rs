//! Reference repairs and checks: refs to nowhere, refs into a schema's interior, parameters that are schema
//! refs, and schemas that are nothing but aliases of themselves.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use heck::ToUpperCamelCase;
use serde_json::{Value, json};

use super::{Ctx, unescape_segment};
use crate::error::{BuildError, pointer_push};
use crate::walk::{Ptr, for_each_schema, resolve};

/// Keys whose values are data (examples, defaults), not document structure: `$ref` inside them means nothing.
fn is_data_key(key: &str) -> bool {
    matches!(key, "example" | "examples" | "default" | "enum" | "const")
}

/// The first `$ref` in the document (outside example data), in document order, for which `bad` holds: the
/// pointer of the object holding it, and the reference. The pointer is rendered for that one only.
fn first_ref<'d>(
    v: &'d Value,
    ptr: &Ptr<'_>,
    bad: &mut dyn FnMut(&'d str) -> bool,
) -> Option<(String, String)> {
    // Plain loops, scalars skipped: the build script runs this unoptimised, where iterator adapters cost more
    // per node, and this visits every node of the document (on the snapshot, 95 M instructions instead of
    // 106 M under callgrind).
    match v {
        Value::Object(map) => {
            match map.get("$ref") {
                Some(Value::String(r)) if bad(r) => return Some((ptr.to_string(), r.clone())),
                // Not a reference at all (an object here is a property named `$ref`): its JSON text.
                Some(v @ (Value::Number(_) | Value::Bool(_) | Value::Null | Value::Array(_))) => {
                    return Some((ptr.to_string(), v.to_string()));
                }
                _ => {}
            }
            for (k, child) in map {
                if !matches!(child, Value::Object(_) | Value::Array(_)) || is_data_key(k) {
                    continue;
                }
                if let found @ Some(_) = first_ref(child, &ptr.key(k), bad) {
                    return found;
                }
            }
            None
        }
        Value::Array(list) => {
            for (i, child) in list.iter().enumerate() {
                if !matches!(child, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                if let found @ Some(_) = first_ref(child, &ptr.index(i), bad) {
                    return found;
                }
            }
            None
        }
        _ => None,
    }
}

/// A `$ref` that resolves to nothing, or to another file, or that is no string, is an error: generation
/// cannot guess the target.
/// progenitor would panic with no location on the first one.
pub(super) fn dangling_refs(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let doc = &ctx.doc;
    // Most references repeat (a handful of components are used everywhere): each is resolved once.
    let mut resolved: HashSet<&str> = HashSet::new();
    let found = first_ref(doc, &Ptr::root(""), &mut |r| {
        if resolved.contains(r) {
            return false;
        }
        let ok = r.starts_with('#') && resolve(doc, r).is_some();
        if ok {
            resolved.insert(r);
        }
        !ok
    });
    let Some((ptr, r)) = found else {
        return Ok(());
    };
    let holder = doc.pointer(&ptr).and_then(|h| h.get("$ref"));
    if !holder.is_some_and(Value::is_string) {
        return Err(
            BuildError::at_pointer(ctx.file, &ptr, format!("`$ref` is {r}, not a string"))
                .with_hint("a reference is a string, such as \"#/components/schemas/Name\""),
        );
    }
    if !r.starts_with('#') {
        return Err(BuildError::at_pointer(
            ctx.file,
            &ptr,
            format!("external `$ref` {r:?} is not supported"),
        )
        .with_hint("use the bundled (single-file) spec"));
    }
    let names = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let wanted = r.rsplit('/').next().unwrap_or("");
    let near = names
        .and_then(|n| n.keys().find(|k| k.eq_ignore_ascii_case(wanted)))
        .cloned();
    let mut err = BuildError::at_pointer(ctx.file, &ptr, format!("`$ref` {r:?} points to nothing"));
    if let Some(near) = near {
        err = err.with_hint(format!("did you mean #/components/schemas/{near}?"));
    }
    Err(err)
}

fn is_component_ref(r: &str) -> bool {
    crate::walk::schema_ref_name(r).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// Defect (Partoo 2021: `#/components/schemas/ApiKeys/Status`, `…/ApiKeys/ApiKey/properties/id`, 15 refs):
/// refs into the inside of a schema. typify resolves only top-level components and panics on these, so each
/// target is copied to a new component (named from its path) and the refs point there. Repeats until no
/// interior ref is left, since a hoisted copy may hold some itself.
pub(super) fn interior_refs(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut hoisted: BTreeMap<String, String> = BTreeMap::new();
    for _round in 0..32 {
        let mut interior = BTreeSet::new();
        for_each_schema(&mut ctx.doc, &mut |_, s| {
            if let Some(r) = s.get("$ref").and_then(Value::as_str)
                && !is_component_ref(r)
                && !hoisted.contains_key(r)
            {
                interior.insert(r.to_owned());
            }
        });
        if interior.is_empty() {
            break;
        }
        for r in interior {
            let Some(target) = resolve(&ctx.doc, &r).cloned() else {
                continue;
            };
            let name = unique_schema_name(&ctx.doc, &hoist_name(&r));
            ctx.doc["components"]["schemas"][&name] = target;
            ctx.change(
                format!("/components/schemas/{name}"),
                format!("hoisted from {r}"),
            );
            hoisted.insert(r, format!("#/components/schemas/{name}"));
        }
        let mut sites = Vec::new();
        for_each_schema(&mut ctx.doc, &mut |ptr, s| {
            if let Some(r) = s.get("$ref").and_then(Value::as_str)
                && let Some(new) = hoisted.get(r)
            {
                sites.push((ptr.to_string(), format!("$ref {r} → {new}")));
                s["$ref"] = json!(new);
            }
        });
        ctx.changes(sites);
    }
    Ok(())
}

/// `#/components/schemas/ApiKeys/ApiKey/properties/id` → `ApiKeysApiKeyId`.
fn hoist_name(r: &str) -> String {
    let skip = [
        "#",
        "components",
        "schemas",
        "properties",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "$defs",
        "definitions",
    ];
    r.split('/')
        .filter(|s| !skip.contains(s) && s.parse::<usize>().is_err())
        .map(|s| {
            s.replace("~1", "_")
                .replace("~0", "_")
                .to_upper_camel_case()
        })
        .collect()
}

/// `base`, or `base2`, `base3`, … — the first name not yet used in `components.schemas`.
pub(crate) fn unique_schema_name(doc: &Value, base: &str) -> String {
    let taken = |n: &str| doc.pointer(&format!("/components/schemas/{n}")).is_some();
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_owned())
}

/// Defect (Partoo 2021, DELETE /groups/{group_id}: `- $ref: '#/components/schemas/GroupId'` in `parameters`):
/// a parameter list entry that is a schema, not a parameter. If its snake_case name is a placeholder of the
/// path it becomes that path parameter, typed by the schema; otherwise it is dropped.
pub(super) fn schema_parameter_refs(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut sites = Vec::new();
    let Some(paths) = ctx.doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (key, holder) in item.iter_mut() {
            let list = if key == "parameters" {
                Some(holder)
            } else {
                holder.get_mut("parameters")
            };
            let Some(Value::Array(list)) = list else {
                continue;
            };
            let base = pointer_push(&pointer_push("/paths", path), key);
            for (i, p) in list.iter_mut().enumerate() {
                let Some(r) = p.get("$ref").and_then(Value::as_str).map(str::to_owned) else {
                    continue;
                };
                if crate::walk::schema_ref_name(&r).is_none() {
                    continue;
                }
                let schema_name = r.rsplit('/').next().unwrap_or("");
                let param = heck::ToSnakeCase::to_snake_case(schema_name);
                let ptr = if key == "parameters" {
                    format!("{base}/{i}")
                } else {
                    format!("{base}/parameters/{i}")
                };
                if path.contains(&format!("{{{param}}}")) {
                    *p = json!({"name": param, "in": "path", "required": true, "schema": {"$ref": r}});
                    sites.push((ptr, format!("schema ref {r} → path parameter `{param}`")));
                } else {
                    *p = Value::Null;
                    sites.push((ptr, format!("schema ref {r} is not a parameter → dropped")));
                }
            }
            list.retain(|p| !p.is_null());
        }
    }
    ctx.changes(sites);
    Ok(())
}

/// Refuses component schemas that reach themselves through `$ref`/`allOf`/`oneOf`/`anyOf`/`not` alone (no
/// property or item in between). Such a schema has no finite shape; typify would recurse forever on it.
/// Recursion through a property or an array item is fine and generates `Box`/`Vec`.
pub(super) fn ref_cycles(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    match alias_cycle(&ctx.doc) {
        Some(cycle) => Err(cycle_error(ctx.file, &cycle)),
        None => Ok(()),
    }
}

/// The error [`ref_cycles`] gives for `cycle` (as [`alias_cycle`] returns it), at its first schema.
pub(super) fn cycle_error(file: &str, cycle: &[String]) -> BuildError {
    let first = cycle.first().map_or("", String::as_str);
    BuildError::at_pointer(
        file,
        &pointer_push("/components/schemas", first),
        format!("schema is an alias of itself: {}", cycle.join(" → ")),
    )
    .with_hint("a recursive schema must recurse through a property or an array item")
}

/// The first component schema (in name order) that reaches itself through `$ref`/`allOf`/`oneOf`/`anyOf`/
/// `not` alone, as the cycle of names it goes through, that schema first and last (`A → B → A`). Also run by
/// `discriminator_unions` on the document it rewrote, which may hold cycles the original did not.
pub(super) fn alias_cycle(doc: &Value) -> Option<Vec<String>> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)?;
    // Refs name components escaped (`A~1B`), the keys of `components.schemas` are raw (`A/B`).
    let mut edges: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, s) in schemas {
        let mut out = Vec::new();
        alias_edges(s, &mut out);
        let out = out.into_iter().map(|r| unescape_segment(r).into_owned());
        edges.insert(name, out.collect());
    }
    // Colour-marking DFS: 1 = on the stack, 2 = done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for start in edges.keys().copied() {
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        if state.contains_key(start) {
            continue;
        }
        state.insert(start, 1);
        while let Some((node, idx)) = stack.pop() {
            let next = edges.get(node).and_then(|e| e.get(idx)).map(String::as_str);
            match next {
                None => {
                    state.insert(node, 2);
                }
                Some(n) => {
                    stack.push((node, idx + 1));
                    match state.get(n) {
                        Some(1) => {
                            let from = stack.iter().position(|(s, _)| *s == n).unwrap_or(0);
                            let mut cycle: Vec<String> =
                                stack[from..].iter().map(|(s, _)| (*s).to_owned()).collect();
                            cycle.push(n.to_owned());
                            return Some(cycle);
                        }
                        Some(_) => {}
                        None if edges.contains_key(n) => {
                            state.insert(n, 1);
                            stack.push((n, 0));
                        }
                        None => {}
                    }
                }
            }
        }
    }
    None
}

fn alias_edges<'a>(s: &'a Value, out: &mut Vec<&'a str>) {
    if let Some(r) = crate::walk::schema_ref(s) {
        out.push(r);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(list)) = s.get(key) {
            list.iter().for_each(|b| alias_edges(b, out));
        }
    }
    if let Some(n) = s.get("not") {
        alias_edges(n, out);
    }
}
