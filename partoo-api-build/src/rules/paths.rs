//! Operation-level repairs: path parameters that disagree with the template, and operation names.

use std::collections::BTreeSet;

use heck::ToLowerCamelCase;
use serde_json::{Map, Value, json};

use super::Ctx;
use crate::error::{BuildError, Location, pointer_push};
use crate::walk::{METHODS, Operation, Ptr, RefTargets, for_each_operation, refs_of};

/// `{name}` placeholders of a path template, in order.
pub(crate) fn placeholders(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_owned()))
        .collect()
}

/// What `path_parameters` reads besides the lists it rewrites, as it was before the rule started: the
/// targets of the lists' `$ref`s and the path parameters among `components.parameters`.
struct Before {
    targets: RefTargets,
    /// `(component key, parameter name)` of each `in: path` component parameter, in document order.
    path_components: Vec<(String, String)>,
}

impl Before {
    fn take(doc: &Value) -> Self {
        let mut lists = Vec::new();
        for item in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(Map::values)
        {
            lists.extend(item.get("parameters").and_then(Value::as_array));
            for method in METHODS {
                lists.extend(
                    item.get(method)
                        .and_then(|op| op.get("parameters"))
                        .and_then(Value::as_array),
                );
            }
        }
        let targets = RefTargets::take(doc, refs_of(lists.into_iter().flatten()));
        let path_components = doc
            .pointer("/components/parameters")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("path"))
            .filter_map(|(key, p)| Some((key.clone(), p.get("name")?.as_str()?.to_owned())))
            .collect();
        Self {
            targets,
            path_components,
        }
    }
}

/// The parameter object behind a list entry (following a `#/components/parameters/..` ref).
fn param_view<'a>(before: &'a Before, p: &'a Value) -> &'a Value {
    before.targets.follow(p)
}

fn name_in(before: &Before, p: &Value) -> (String, String) {
    let v = param_view(before, p);
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    (s("name"), s("in"))
}

/// Defect (Partoo 2021: 6 `in: path` parameters not in their template, 9 placeholders never declared, one
/// declared `in: query`, 2 not `required`): progenitor panics on each (`missing path name mapping`,
/// `assertion failed: parameter_data.required`). A path parameter missing from the template becomes a query
/// parameter; a placeholder declared as query becomes path; an undeclared placeholder is declared (reusing a
/// path parameter component of that name, else a string); every path parameter is made required.
pub(super) fn path_parameters(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let before = Before::take(&ctx.doc);
    let mut sites = Vec::new();
    let Some(paths) = ctx.doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let holes: BTreeSet<String> = placeholders(path).into_iter().collect();
        let paths_ptr = Ptr::root("/paths");
        let base = paths_ptr.key(path);
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let mut path_level = BTreeSet::new();
        if let Some(Value::Array(list)) = item.get_mut("parameters") {
            let none = BTreeSet::new();
            fix_list(
                &before,
                list,
                &holes,
                &none,
                &base.key("parameters"),
                &mut sites,
            );
            path_level = declared_path(&before, list);
        }
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let ptr = base.key(method);
            let list = op.entry("parameters").or_insert_with(|| json!([]));
            let Some(list) = list.as_array_mut() else {
                continue;
            };
            fix_list(
                &before,
                list,
                &holes,
                &path_level,
                &ptr.key("parameters"),
                &mut sites,
            );
            let declared: BTreeSet<String> = declared_path(&before, list)
                .union(&path_level)
                .cloned()
                .collect();
            for hole in holes.difference(&declared) {
                list.push(declare(&before, hole));
                sites.push((
                    ptr.key("parameters").to_string(),
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

fn declared_path(before: &Before, list: &[Value]) -> BTreeSet<String> {
    list.iter()
        .map(|p| name_in(before, p))
        .filter(|(_, i)| i == "path")
        .map(|(n, _)| n)
        .collect()
}

/// Fixes the `in` of the parameters of `list`; `path_level` names the path parameters the path item declares
/// (for an operation's list).
fn fix_list(
    before: &Before,
    list: &mut [Value],
    holes: &BTreeSet<String>,
    path_level: &BTreeSet<String>,
    base: &Ptr<'_>,
    sites: &mut Vec<(String, String)>,
) {
    // A query parameter named like a placeholder is the placeholder's declaration gone wrong, unless the
    // placeholder is declared already: then it is a query parameter of its own (and the two collide by name,
    // which a later check reports as such).
    let declared = declared_path(before, list);
    for (i, p) in list.iter_mut().enumerate() {
        let (name, place) = name_in(before, p);
        let in_template = holes.contains(&name);
        let required = param_view(before, p).get("required") == Some(&json!(true));
        let fix = match (place.as_str(), in_template) {
            ("path", false) => Some((
                "query",
                format!("`{name}` is not in the template → in: query"),
            )),
            ("query", true) if !declared.contains(&name) && !path_level.contains(&name) => Some((
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
            let mut inline: Map<String, Value> = param_view(before, p)
                .as_object()
                .cloned()
                .unwrap_or_default();
            inline.insert("in".into(), json!(new_in));
            if new_in == "path" {
                inline.insert("required".into(), json!(true));
            }
            *p = Value::Object(inline);
            sites.push((base.index(i).to_string(), detail));
        }
    }
}

fn declare(before: &Before, hole: &str) -> Value {
    match before.path_components.iter().find(|(_, name)| name == hole) {
        // Defect fixed: the key went into the reference unescaped (`a/b` named `#/components/parameters/a/b`).
        Some((key, _)) => json!({"$ref": pointer_push("#/components/parameters", key)}),
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
                op.pointer_to("operationId"),
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
            op.pointer_to("operationId"),
            format!("synthesised `{id}`; pin a name in openapi/names.yaml"),
        ));
    });
    ctx.changes(sites);
    Ok(())
}

/// Methods `Client` has besides one per operation: progenitor's constructors, the `ClientInfo` and
/// `ClientHooks` methods its generated code calls (an inherent method of the same name would shadow them), and
/// the hand-written layer's constructors.
const CLIENT_METHODS: &[&str] = &[
    "new",
    "new_with_client",
    "api_version",
    "baseurl",
    "client",
    "inner",
    "pre",
    "exec",
    "post",
    "builder",
    "production",
    "sandbox",
    "from_env",
];

/// Defect (Partoo 2021: `revokeAPIKey` and `revokeApiKey`): operationIds that are equal after snake_case give
/// two methods of the same name and code that does not compile. Later ones get a numeric suffix. So does an
/// operationId that would name one of [`CLIENT_METHODS`], and one whose builder struct (the method's name in
/// UpperCamelCase) another already has: `x1` and `x_1` are two methods but one builder, `X1`.
///
/// A name the table pins (`openapi/names.yaml`) is never renamed: pinned operations claim their names first,
/// whatever their place in the document, and a pin that collides (with a `Client` method or another pin) is
/// an error at its line of the table.
pub(super) fn operation_id_collisions(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    use crate::operation::method_and_builder;
    let names = ctx.names;
    let mut methods: BTreeSet<String> = CLIENT_METHODS.iter().map(|m| (*m).to_owned()).collect();
    let mut builders = BTreeSet::new();
    let pinned = |op: &Operation<'_>, id: &str| {
        names
            .lookup(op.method, op.path)
            .filter(|entry| entry.name == id)
    };
    let mut refused = None;
    // Every operationId met, to tell an exact repeat from a collision after snake_case.
    let mut ids = BTreeSet::new();
    for_each_operation(&mut ctx.doc, &mut |op| {
        let Some(id) = op.op.get("operationId").and_then(Value::as_str) else {
            return;
        };
        let Some(entry) = pinned(&op, id) else {
            return;
        };
        ids.insert(id.to_owned());
        let (method, builder) = method_and_builder(id);
        if refused.is_none() && (methods.contains(&method) || builders.contains(&builder)) {
            let message = format!(
                "`{id}` gives the client method `{method}` (builder `{builder}`), which {}: pin another name",
                if CLIENT_METHODS.contains(&method.as_str()) {
                    "`Client` already has"
                } else {
                    "another entry of the table gives too"
                }
            );
            refused = Some(BuildError::new(
                &names.file,
                Location::Text {
                    line: entry.line,
                    column: 1,
                },
                message,
            ));
        }
        methods.insert(method);
        builders.insert(builder);
    });
    if let Some(err) = refused {
        return Err(err);
    }
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
        if pinned(&op, &id).is_some() {
            return;
        }
        let (method, builder) = method_and_builder(&id);
        let first_seen = ids.insert(id.clone());
        let why = if CLIENT_METHODS.contains(&method.as_str()) {
            "names a method `Client` already has"
        } else if !first_seen {
            "is an earlier operation's operationId too"
        } else if methods.contains(&method) {
            "collides after snake_case"
        } else if builders.contains(&builder) {
            "gives a builder another operation has"
        } else {
            methods.insert(method);
            builders.insert(builder);
            return;
        };
        let (new, (method, builder)) = (2..)
            .map(|n| format!("{id}{n}"))
            .map(|c| {
                let names = method_and_builder(&c);
                (c, names)
            })
            .find(|(_, (m, b))| !methods.contains(m) && !builders.contains(b))
            .unwrap_or_default();
        methods.insert(method);
        builders.insert(builder);
        op.op.insert("operationId".into(), json!(new));
        sites.push((
            op.pointer_to("operationId"),
            format!("`{id}` {why} → `{new}`"),
        ));
    });
    ctx.changes(sites);
    Ok(())
}

/// The operation extensions progenitor reads for Dropshot servers (Oxide's framework), whose code names
/// crates the client does not depend on: `futures` for `x-dropshot-pagination`'s streams, `rand` for
/// `x-dropshot-websocket`'s handshake.
const DROPSHOT_EXTENSIONS: [&str; 2] = ["x-dropshot-pagination", "x-dropshot-websocket"];

/// Adaptation (none in Partoo's documents): an operation with a Dropshot extension gave a client that did not
/// compile. The extension is dropped; the operation is generated as any other (a websocket upgrade with only
/// a `101` response is then refused by progenitor, which is right: the client has no websocket support).
pub(super) fn dropshot_extensions(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut sites = Vec::new();
    for_each_operation(&mut ctx.doc, &mut |op| {
        for key in DROPSHOT_EXTENSIONS {
            if op.op.remove(key).is_some() {
                sites.push((
                    op.pointer_to(key),
                    "dropped: its code needs crates the client lacks".to_owned(),
                ));
            }
        }
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
        sites.push((op.pointer_to("description"), format!("link to {url}")));
    });
    ctx.changes(sites);
    Ok(())
}
