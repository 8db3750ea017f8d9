//! Operation-level repairs: path parameters that disagree with the template, and operation names.

use std::collections::BTreeSet;

use heck::{ToLowerCamelCase, ToSnakeCase};
use serde_json::{Map, Value, json};

use super::Ctx;
use crate::error::{BuildError, pointer_push};
use crate::walk::{METHODS, for_each_operation};

/// `{name}` placeholders of a path template, in order.
pub(crate) fn placeholders(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_owned()))
        .collect()
}

/// The parameter object behind a list entry (following a `#/components/parameters/..` ref).
fn param_view<'a>(doc: &'a Value, p: &'a Value) -> &'a Value {
    crate::walk::follow(doc, p)
}

fn name_in(doc: &Value, p: &Value) -> (String, String) {
    let v = param_view(doc, p);
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    (s("name"), s("in"))
}

/// Defect (Partoo 2021: 6 `in: path` parameters not in their template, 9 placeholders never declared, one
/// declared `in: query`, 2 not `required`): progenitor panics on each (`missing path name mapping`,
/// `assertion failed: parameter_data.required`). A path parameter missing from the template becomes a query
/// parameter; a placeholder declared as query becomes path; an undeclared placeholder is declared (reusing a
/// path parameter component of that name, else a string); every path parameter is made required.
pub(super) fn path_parameters(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let doc_copy = ctx.doc.clone();
    let mut sites = Vec::new();
    let Some(paths) = ctx.doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let holes: BTreeSet<String> = placeholders(path).into_iter().collect();
        let base = pointer_push("/paths", path);
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let mut path_level = BTreeSet::new();
        if let Some(Value::Array(list)) = item.get_mut("parameters") {
            fix_list(
                &doc_copy,
                list,
                &holes,
                &pointer_push(&base, "parameters"),
                &mut sites,
            );
            path_level = declared_path(&doc_copy, list);
        }
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let ptr = pointer_push(&base, method);
            let list = op.entry("parameters").or_insert_with(|| json!([]));
            let Some(list) = list.as_array_mut() else {
                continue;
            };
            fix_list(
                &doc_copy,
                list,
                &holes,
                &pointer_push(&ptr, "parameters"),
                &mut sites,
            );
            let declared: BTreeSet<String> = declared_path(&doc_copy, list)
                .union(&path_level)
                .cloned()
                .collect();
            for hole in holes.difference(&declared) {
                list.push(declare(&doc_copy, hole));
                sites.push((
                    pointer_push(&ptr, "parameters"),
                    format!("declared missing path parameter `{hole}`"),
                ));
            }
            if list.is_empty() {
                op.remove("parameters");
            }
        }
    }
    ctx.changes(sites);
    Ok(())
}

fn declared_path(doc: &Value, list: &[Value]) -> BTreeSet<String> {
    list.iter()
        .map(|p| name_in(doc, p))
        .filter(|(_, i)| i == "path")
        .map(|(n, _)| n)
        .collect()
}

fn fix_list(
    doc: &Value,
    list: &mut [Value],
    holes: &BTreeSet<String>,
    base: &str,
    sites: &mut Vec<(String, String)>,
) {
    for (i, p) in list.iter_mut().enumerate() {
        let (name, place) = name_in(doc, p);
        let ptr = format!("{base}/{i}");
        let in_template = holes.contains(&name);
        let required = param_view(doc, p).get("required") == Some(&json!(true));
        let fix = match (place.as_str(), in_template) {
            ("path", false) => Some((
                "query",
                format!("`{name}` is not in the template → in: query"),
            )),
            ("query", true) => Some((
                "path",
                format!("`{name}` is a template placeholder → in: path"),
            )),
            ("path", true) if !required => {
                Some(("path", format!("path parameter `{name}` → required")))
            }
            _ => None,
        };
        if let Some((new_in, detail)) = fix {
            // Inline a referenced component: it may be used correctly elsewhere.
            let mut inline: Map<String, Value> =
                param_view(doc, p).as_object().cloned().unwrap_or_default();
            inline.insert("in".into(), json!(new_in));
            if new_in == "path" {
                inline.insert("required".into(), json!(true));
            }
            *p = Value::Object(inline);
            sites.push((ptr, detail));
        }
    }
}

fn declare(doc: &Value, hole: &str) -> Value {
    let component = doc
        .pointer("/components/parameters")
        .and_then(Value::as_object)
        .and_then(|ps| {
            ps.iter().find(|(_, p)| {
                p.get("name").and_then(Value::as_str) == Some(hole)
                    && p.get("in").and_then(Value::as_str) == Some("path")
            })
        });
    match component {
        Some((key, _)) => json!({"$ref": format!("#/components/parameters/{key}")}),
        None => json!({"name": hole, "in": "path", "required": true, "schema": {"type": "string"}}),
    }
}

/// Applies `openapi/names.yaml`: each listed `METHOD /path` gets the listed operationId, whatever upstream
/// calls it. Entries that match no operation are reported as notes.
pub(super) fn name_table(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let names = ctx.names;
    let mut used = BTreeSet::new();
    let mut sites = Vec::new();
    for_each_operation(&mut ctx.doc, &mut |op| {
        let Some(entry) = names.lookup(op.method, op.path) else {
            return;
        };
        used.insert((entry.method.as_str(), entry.path.as_str()));
        let old = op
            .op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if old.as_deref() != Some(entry.name.as_str()) {
            op.op.insert("operationId".into(), json!(entry.name));
            let from = old.map_or("none".to_owned(), |o| format!("`{o}`"));
            sites.push((
                pointer_push(&op.pointer, "operationId"),
                format!("{from} → `{}` ({}:{})", entry.name, names.file, entry.line),
            ));
        }
    });
    ctx.changes(sites);
    for e in names
        .entries
        .iter()
        .filter(|e| !used.contains(&(e.method.as_str(), e.path.as_str())))
    {
        ctx.note(format!(
            "{}:{}: name table entry `{} {}` matches no operation",
            names.file, e.line, e.method, e.path
        ));
    }
    Ok(())
}

/// Defect (Partoo 2021: 16 operations, e.g. POST /org): no operationId, which progenitor refuses. Synthesises
/// `{method}{Path}` with `{x}` read as `by x`, e.g. `getOrgByOrgId`; the name table should pin a better one.
pub(super) fn missing_operation_ids(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut sites = Vec::new();
    for_each_operation(&mut ctx.doc, &mut |op| {
        if op
            .op
            .get("operationId")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
        {
            return;
        }
        let words: Vec<String> = std::iter::once(op.method.to_owned())
            .chain(op.path.split('/').filter(|s| !s.is_empty()).map(|seg| {
                match seg.strip_prefix('{') {
                    Some(rest) => format!("by_{}", rest.trim_end_matches('}')),
                    None => seg.to_owned(),
                }
            }))
            .collect();
        let id = words.join("_").to_lower_camel_case();
        op.op.insert("operationId".into(), json!(id));
        sites.push((
            pointer_push(&op.pointer, "operationId"),
            format!("synthesised `{id}`; pin a name in openapi/names.yaml"),
        ));
    });
    ctx.changes(sites);
    Ok(())
}

/// Defect (Partoo 2021: `revokeAPIKey` and `revokeApiKey`): operationIds that are equal after snake_case give
/// two methods of the same name and code that does not compile. Later ones get a numeric suffix.
pub(super) fn operation_id_collisions(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut seen = BTreeSet::new();
    let mut sites = Vec::new();
    for_each_operation(&mut ctx.doc, &mut |op| {
        let Some(id) = op
            .op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        if seen.insert(id.to_snake_case()) {
            return;
        }
        let new = (2..)
            .map(|n| format!("{id}{n}"))
            .find(|c| !seen.contains(&c.to_snake_case()))
            .unwrap_or_default();
        seen.insert(new.to_snake_case());
        op.op.insert("operationId".into(), json!(new));
        sites.push((
            pointer_push(&op.pointer, "operationId"),
            format!("`{id}` collides after snake_case → `{new}`"),
        ));
    });
    ctx.changes(sites);
    Ok(())
}

/// Adaptation: progenitor builds method docs from `summary` and `description` and ignores `externalDocs`.
/// The link to Partoo's reference page is appended to the description so that it reaches the docs.
pub(super) fn reference_links(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut sites = Vec::new();
    for_each_operation(&mut ctx.doc, &mut |op| {
        let Some(url) = op
            .op
            .get("externalDocs")
            .and_then(|d| d.get("url"))
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let description = op
            .op
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        if description.contains(&url) {
            return;
        }
        let text = if description.is_empty() {
            format!("Partoo reference: <{url}>")
        } else {
            format!("{}\n\nPartoo reference: <{url}>", description.trim_end())
        };
        op.op.insert("description".into(), json!(text));
        sites.push((
            pointer_push(&op.pointer, "description"),
            format!("link to {url}"),
        ));
    });
    ctx.changes(sites);
    Ok(())
}
