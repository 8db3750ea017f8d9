//! Adaptation: component schemas that only rename a primitive, an array or another schema.
//!
//! Partoo's document names almost every field type (`BusinessCity: {type: string}`, `BusinessIds: {type:
//! array, items: {$ref: BusinessId}}`, 176 of the 288 schemas of the vendored spec). typify turns each named
//! schema into a one-field newtype with `Deref`, three `From`s, `FromStr`, `Display` and serde derives, so a
//! business's city reads `Option<BusinessCity>` where a caller expects `Option<String>`, and those impls are a
//! large share of the client's compile time. Such components are inlined where they are referenced and
//! removed. Length and range limits on them are dropped with them: typify would otherwise make a checked
//! newtype again, and a response must not fail to decode on a limit the server is the one to enforce.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Ctx, ERROR_SCHEMA, TIMESTAMP_SCHEMA, unescape_segment};
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

/// Most links a chain of aliases may have (`A0: {$ref: A1}`, `A1: {$ref: A2}`, …): inlining follows a
/// chain by recursion, one level per link, so a chain of thousands overflowed the stack and aborted the
/// process. Partoo's are two or three links long.
const MAX_ALIAS_CHAIN: usize = 64;

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
        file: ctx.file,
        aliases: &aliases,
        resolved: BTreeMap::new(),
        resolving: Vec::new(),
        uses: BTreeMap::new(),
    };
    inliner.inline(&mut ctx.doc, true)?;
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
    file: &'a str,
    aliases: &'a BTreeMap<String, Value>,
    /// Each alias worked out, with the links of the longest alias chain it starts (1 for a plain alias).
    resolved: BTreeMap<String, (Value, usize)>,
    /// The chain of aliases being worked out, outermost first; a ref cycle between them (refused earlier by
    /// `ref_cycles`) stops at the repeated name.
    resolving: Vec<String>,
    /// Sites in the document (not inside other aliases) that referred to each alias.
    uses: BTreeMap<String, usize>,
}

impl Inliner<'_> {
    /// The schema to put in place of a ref to alias `name`, and the links of the alias chain it starts.
    /// Defect fixed: a chain longer than [`MAX_ALIAS_CHAIN`] is an error at the alias that starts it (counted
    /// through the aliases already worked out too, so the verdict does not depend on which site comes first).
    fn resolved(&mut self, name: &str) -> Result<(Value, usize), BuildError> {
        if let Some((done, links)) = self.resolved.get(name) {
            self.check_chain(name, *links)?;
            return Ok((done.clone(), *links));
        }
        let Some(mut out) = self.aliases.get(name).cloned() else {
            return Ok((json!({}), 0));
        };
        if self.resolving.iter().any(|n| n == name) {
            return Ok((json!({}), 0));
        }
        self.check_chain(name, 1)?;
        self.resolving.push(name.to_owned());
        drop_limits(&mut out);
        if let Some(items) = out.get_mut("items") {
            drop_limits(items);
        }
        let links = 1 + self.inline(&mut out, false)?;
        self.resolving.pop();
        self.resolved.insert(name.to_owned(), (out.clone(), links));
        Ok((out, links))
    }

    /// Refuses to go on to alias `name`, which starts a chain of `links`, if the chain being worked out
    /// would then be longer than [`MAX_ALIAS_CHAIN`].
    fn check_chain(&self, name: &str, links: usize) -> Result<(), BuildError> {
        if self.resolving.len() + links <= MAX_ALIAS_CHAIN {
            return Ok(());
        }
        let start = self.resolving.first().map_or(name, String::as_str);
        Err(BuildError::at_pointer(
            self.file,
            &pointer_push("/components/schemas", start),
            format!(
                "`{start}` starts a chain of more than {MAX_ALIAS_CHAIN} aliases (`{start}` → … → `{name}`)"
            ),
        )
        .with_hint("give the chain's end a name the others refer to directly"))
    }

    /// Replaces every `{"$ref": alias}` under `node` by the alias's schema (with the ref's siblings laid
    /// over it), and folds a one-element `allOf` left holding a plain schema into its parent (`{allOf:
    /// [{type: string}], nullable: true}` → `{type: string, nullable: true}`), which typify would otherwise
    /// name as a new type. `count`: record the sites in `uses`. Returns the links of the longest alias
    /// chain inlined under `node` (0 if none).
    fn inline(&mut self, node: &mut Value, count: bool) -> Result<usize, BuildError> {
        // Refs name components escaped (`A~1B`), `aliases` has them raw (`A/B`).
        let target = schema_ref(node)
            .map(|escaped| unescape_segment(escaped).into_owned())
            .filter(|name| self.aliases.contains_key(name));
        if let Some(name) = target {
            if count {
                *self.uses.entry(name.clone()).or_default() += 1;
            }
            let (inline, links) = self.resolved(&name)?;
            let siblings = std::mem::take(node);
            *node = merge(inline, siblings, &["$ref"]);
            return Ok(links);
        }
        let mut longest = 0;
        match node {
            Value::Object(obj) => {
                for (key, child) in obj.iter_mut() {
                    // Examples are data: a `$ref` key there is not a reference.
                    if key != "example" && key != "examples" {
                        longest = longest.max(self.inline(child, count)?);
                    }
                }
                fold_single_all_of(obj);
            }
            Value::Array(list) => {
                for c in list {
                    longest = longest.max(self.inline(c, count)?);
                }
            }
            _ => {}
        }
        Ok(longest)
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
