//! The 3.1 top-level `webhooks`: requests Partoo sends to the integrator. A client makes no such request, but
//! the integrator must decode their bodies, so each event's payload schema is kept as a component (and goes
//! through every later rule like any other schema); the list of events is left at the document's root, under
//! [`EVENTS_EXTENSION`], for `events` to emit the dispatching `Event` enum from.

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

use super::Ctx;
use crate::error::{BuildError, escape_segment, pointer_push};
use crate::walk::{resolve, schema_ref};

/// Root extension holding one entry per webhook event:
/// `{webhook, schema, summary?, deprecated?, example_type?}` (`schema` names the payload's component).
pub const EVENTS_EXTENSION: &str = "x-partoo-webhook-events";

/// Each webhook's JSON request body schema → a component schema (a `$ref` to one is kept as is; an inline
/// schema is hoisted as `{Webhook}Event`); the `webhooks` map itself is removed (3.0 has none).
pub(super) fn webhooks(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let Some(hooks) = ctx.doc.as_object_mut().and_then(|r| r.remove("webhooks")) else {
        return Ok(());
    };
    let Value::Object(hooks) = hooks else {
        ctx.change("/webhooks", "not a map: dropped");
        return Ok(());
    };
    let mut events = Vec::new();
    for (name, item) in &hooks {
        let at = pointer_push("/webhooks", name);
        let found = item
            .as_object()
            .into_iter()
            .flat_map(|m| m.iter())
            .find_map(|(method, op)| Some((method, body_of(&ctx.doc, op)?)));
        let Some((method, (schema, example_type))) = found else {
            ctx.change(&at, "no JSON request body: dropped");
            continue;
        };
        let op = &item[method.as_str()];
        let component = match schema_ref(&schema) {
            Some(existing) if schema.as_object().is_some_and(|m| m.len() == 1) => {
                existing.to_owned()
            }
            _ => {
                let component =
                    free_name(&ctx.doc, &format!("{}Event", name.to_upper_camel_case()));
                let Some(schemas) = schemas_mut(&mut ctx.doc) else {
                    ctx.change(&at, "components/schemas is not a map: dropped");
                    continue;
                };
                schemas.insert(component.clone(), schema);
                ctx.change(
                    pointer_push(&at, method),
                    format!("inline payload schema hoisted to #/components/schemas/{component}"),
                );
                component
            }
        };
        let mut entry = Map::new();
        entry.insert("webhook".into(), json!(name));
        entry.insert("schema".into(), json!(component));
        for key in ["summary", "deprecated"] {
            if let Some(v) = op.get(key) {
                entry.insert(key.into(), v.clone());
            }
        }
        if let Some(t) = example_type {
            entry.insert("example_type".into(), json!(t));
        }
        ctx.change(
            &at,
            format!("webhook event kept: payload #/components/schemas/{component}"),
        );
        events.push(Value::Object(entry));
    }
    if let Some(root) = ctx.doc.as_object_mut() {
        root.insert(EVENTS_EXTENSION.into(), Value::Array(events));
    }
    Ok(())
}

/// A webhook operation's JSON body schema and the `type` of its example, if any (`$ref`'d bodies resolved).
fn body_of(doc: &Value, op: &Value) -> Option<(Value, Option<String>)> {
    let mut body = op.get("requestBody")?;
    if let Some(target) = body.get("$ref").and_then(Value::as_str) {
        body = resolve(doc, target)?;
    }
    let content = body.get("content")?.as_object()?;
    let media = content.get("application/json").or_else(|| {
        content
            .iter()
            .find(|(k, _)| k.contains("json"))
            .map(|(_, v)| v)
    })?;
    let schema = media.get("schema")?.clone();
    let example = media.get("example").or_else(|| {
        media
            .get("examples")
            .and_then(Value::as_object)
            .and_then(|m| m.values().find_map(|e| e.get("value")))
    });
    let example_type = example
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some((schema, example_type))
}

/// `wanted`, or `wanted2`, `wanted3`… when a component of that name exists.
fn free_name(doc: &Value, wanted: &str) -> String {
    let taken = |n: &str| {
        doc.pointer(&format!("/components/schemas/{}", escape_segment(n)))
            .is_some()
    };
    let mut name = wanted.to_owned();
    let mut n = 2;
    while taken(&name) {
        name = format!("{wanted}{n}");
        n += 1;
    }
    name
}

/// `components/schemas`, created when absent; `None` when the document has something else there.
fn schemas_mut(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.as_object_mut()?
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()?
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
}
