//! Forward compatibility and the shapes progenitor gets wrong: discriminated unions, dates, open objects,
//! `null` in optional collections, enums typify cannot name.
//!
//! Policy (responses must keep decoding when Partoo adds things; requests may stay strict):
//! - a new enum value decodes as `Unknown(String)` (see `crate::enums`, applied after generation);
//! - an extra field is ignored (`open_objects`);
//! - `null` in any optional field decodes as `None` (`nullable_optionals` covers arrays and maps, the only
//!   optional fields typify does not already wrap in `Option`);
//! - every date or date-time decodes into `PartooTimestamp`, which keeps the raw text and understands
//!   RFC 3339, a space separator, hour-only offsets, naive times, epoch numbers and `DD-MM-YYYY`
//!   (`timestamps`);
//! - an unknown variant of a discriminated union decodes into a catch-all variant (`discriminator_unions`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::{Ctx, TIMESTAMP_SCHEMA};
use crate::error::{BuildError, pointer_push};
use crate::walk::{deref, resolve};

/// Doc prefix given to discriminator tag enums, so that `crate::enums` leaves them closed: an open tag would
/// let the first union variant swallow every payload.
pub const TAG_DOC_PREFIX: &str = "Discriminator tag";

/// A component with a discriminator, as `discriminator_unions` reads it before changing anything.
struct Union {
    /// Component names are raw here (`A/B`): escaped only where they go into a pointer or a `$ref`.
    base_name: String,
    base: Value,
    /// The discriminator's `propertyName`.
    prop: String,
    /// Child component → its tags.
    children: BTreeMap<String, Vec<String>>,
}

/// `#/components/schemas/{name}`, the name escaped.
fn schema_ref_to(name: &str) -> String {
    pointer_push("#/components/schemas", name)
}

/// Every component schema with a discriminator that names at least one child, read before any is rewritten
/// (each base's children are found among the schemas as they were, not as earlier bases left them).
fn unions(doc: &Value, file: &str) -> Result<Vec<Union>, BuildError> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (base_name, base) in schemas {
        let Some(disc) = base.get("discriminator") else {
            continue;
        };
        let Some(prop) = disc.get("propertyName").and_then(Value::as_str) else {
            continue;
        };
        let base_ref = schema_ref_to(base_name);
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Some(mapping) = disc.get("mapping").and_then(Value::as_object) {
            let at = pointer_push("/components/schemas", base_name) + "/discriminator/mapping";
            for (tag, target) in mapping {
                let child = mapping_target(schemas, target)
                    .map_err(|msg| BuildError::at_pointer(file, &pointer_push(&at, tag), msg))?;
                children.entry(child).or_default().push(tag.clone());
            }
        } else {
            for (name, s) in schemas {
                let refs_base = s
                    .get("allOf")
                    .and_then(Value::as_array)
                    .is_some_and(|l| l.iter().any(|b| b.get("$ref") == Some(&json!(base_ref))));
                if refs_base {
                    children.entry(name.clone()).or_default().push(name.clone());
                }
            }
        }
        if !children.is_empty() {
            out.push(Union {
                base_name: base_name.clone(),
                base: base.clone(),
                prop: prop.to_owned(),
                children,
            });
        }
    }
    Ok(out)
}

/// Defect fixed: a mapping value that is a bare schema name (`cat: Cat`, which OpenAPI allows beside
/// `#/components/schemas/Cat`) built no union, and one naming nothing left a `$ref` to nowhere. The component
/// a mapping value names (raw), or what is wrong with it.
fn mapping_target(schemas: &Map<String, Value>, target: &Value) -> Result<String, String> {
    let Some(target) = target.as_str() else {
        let found = crate::load::kind_of(target);
        return Err(format!(
            "must be a schema name or a `#/components/schemas/…` reference, found {found}"
        ));
    };
    let name = match crate::walk::schema_ref_name(target) {
        Some(escaped) => super::unescape_segment(escaped).into_owned(),
        None if !target.starts_with('#') => target.to_owned(),
        None => return Err(format!("{target:?} is not a component schema")),
    };
    if schemas.contains_key(&name) {
        Ok(name)
    } else {
        Err(format!("{target:?} names no component schema"))
    }
}

/// `properties` of the schema at `ptr`, made a mapping if absent. Defect fixed: one that is not a mapping
/// (`properties: []`) was indexed and serde_json panicked; it is an error at that pointer, as
/// `check_components` refuses a misshapen `components.schemas`.
fn properties_of<'s>(
    schema: &'s mut Map<String, Value>,
    file: &str,
    ptr: &str,
) -> Result<&'s mut Map<String, Value>, BuildError> {
    let props = schema.entry("properties").or_insert_with(|| json!({}));
    let found = crate::load::kind_of(props);
    props.as_object_mut().ok_or_else(|| {
        BuildError::at_pointer(
            file,
            &pointer_push(ptr, "properties"),
            format!("must be a mapping, found {found}"),
        )
    })
}

/// Adaptation (Partoo 2021: `Attributes.Field.Base`, `CustomFields.Field.Base`, `BusinessFields.Section`):
/// progenitor ignores `discriminator`, so the base became a plain struct and every child's own fields (the
/// attribute `value`s) were dropped on decode. The base becomes a `oneOf` of its children plus a catch-all
/// object; each child's `allOf: [$ref base]` becomes an inline copy of the base whose tag property is a
/// required enum of that child's tags.
pub(super) fn discriminator_unions(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let unions = unions(&ctx.doc, ctx.file)?;
    for Union {
        base_name,
        base,
        prop,
        children,
    } in &unions
    {
        let base_ptr = pointer_push("/components/schemas", base_name);
        let base_ref = schema_ref_to(base_name);
        let prop = prop.as_str();
        let mut inline_base = base.as_object().cloned().unwrap_or_default();
        inline_base.remove("discriminator");
        for (child, tags) in children {
            let mut tagged = inline_base.clone();
            let tag = json!({"type": "string", "enum": tags, "description": format!("{TAG_DOC_PREFIX} `{prop}` of this variant.")});
            properties_of(&mut tagged, ctx.file, &base_ptr)?.insert(prop.into(), tag.clone());
            let req = tagged.entry("required").or_insert_with(|| json!([]));
            if let Some(list) = req.as_array_mut()
                && !list.contains(&json!(prop))
            {
                list.push(json!(prop));
            }
            let cptr = pointer_push("/components/schemas", child);
            let mut inherits = false;
            if let Some(all_of) = ctx
                .doc
                .pointer_mut(&format!("{cptr}/allOf"))
                .and_then(Value::as_array_mut)
            {
                for branch in all_of
                    .iter_mut()
                    .filter(|b| b.get("$ref") == Some(&json!(base_ref)))
                {
                    *branch = Value::Object(tagged.clone());
                    inherits = true;
                }
            }
            // A `oneOf` child that does not inherit from the base (a standalone object listed in the base's
            // `oneOf`) gets the tag on its own properties.
            if !inherits
                && let Some(child_schema) =
                    ctx.doc.pointer_mut(&cptr).and_then(Value::as_object_mut)
            {
                properties_of(child_schema, ctx.file, &cptr)?.insert(prop.into(), tag);
                let req = child_schema.entry("required").or_insert_with(|| json!([]));
                if let Some(list) = req.as_array_mut()
                    && !list.contains(&json!(prop))
                {
                    list.push(json!(prop));
                }
            }
            ctx.change(
                cptr,
                format!("base {base_name} inlined with `{prop}` ∈ {tags:?}"),
            );
        }
        let mut variants: Vec<Value> = children
            .keys()
            .map(|c| json!({"$ref": schema_ref_to(c)}))
            .collect();
        variants.push(json!({"type": "object", "description": "A variant this client does not know yet, kept as raw JSON."}));
        let mut union = Map::new();
        if let Some(d) = base.get("description") {
            union.insert("description".into(), d.clone());
        }
        union.insert("oneOf".into(), Value::Array(variants));
        ctx.doc["components"]["schemas"][base_name] = Value::Object(union);
        ctx.change(
            base_ptr,
            format!(
                "discriminator on `{prop}` → oneOf of {} variants + catch-all",
                children.len()
            ),
        );
    }
    if !unions.is_empty() {
        union_cycles(ctx.file, &ctx.doc, &unions)?;
    }
    Ok(())
}

/// Defect fixed: `ref_cycles` runs before `discriminator_unions`, which can make cycles it could not see:
/// the base becomes `oneOf [$ref Cat]` while `Cat: {allOf: [$ref Feline]}`, `Feline: {allOf: [$ref Pet]}`
/// (only a direct `allOf: [$ref base]` is replaced), or while the base is in its own mapping (`Pet = oneOf
/// [$ref Pet]`); typify's `allOf` merge recursed on them until the stack overflowed. The rewritten document
/// is checked again with `ref_cycles`' finder; a cycle through a base is an error at its discriminator.
fn union_cycles(file: &str, doc: &Value, unions: &[Union]) -> Result<(), BuildError> {
    let Some(cycle) = super::refs::alias_cycle(doc) else {
        return Ok(());
    };
    let at_base = cycle[..cycle.len().saturating_sub(1)]
        .iter()
        .position(|n| unions.iter().any(|u| &u.base_name == n));
    let Some(at) = at_base else {
        return Err(super::refs::cycle_error(file, &cycle));
    };
    // The cycle from the base on: `Cat → Feline → Pet → Cat` is reported as `Pet → Cat → Feline → Pet`.
    let mut from_base = cycle[at..cycle.len() - 1].to_vec();
    from_base.extend_from_slice(&cycle[..=at]);
    let base = &cycle[at];
    Err(BuildError::at_pointer(
        file,
        &(pointer_push("/components/schemas", base) + "/discriminator"),
        format!(
            "the discriminator's `oneOf` of its children reaches `{base}` again: {}",
            from_base.join(" → ")
        ),
    )
    .with_hint(format!(
        "map only schemas that inherit from `{base}` directly (`allOf: [{{$ref: '{}'}}, …]`), never `{base}` itself",
        schema_ref_to(base)
    )))
}

const TIME_FORMATS: [&str; 6] = [
    "date-time",
    "datetime",
    "datetype",
    "date",
    "unix-time",
    "timestamp",
];

/// Adaptation: typify maps `date-time` to `chrono::DateTime<Utc>`, which rejects most of what Partoo sends
/// (space separator, `+00` offsets, naive times, epoch numbers, `DD-MM-YYYY`, and `format: date` fields holding
/// full timestamps). Every such schema becomes a ref to `PartooTimestamp`, which the generator maps to the
/// client's lenient timestamp type.
pub(super) fn timestamps(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    // progenitor replaces the type of that name wherever it is: a component of the document named so (in any
    // case) would silently become the timestamp type.
    let taken = crate::walk::component_schema_names(&ctx.doc)
        .into_iter()
        .find(|c| {
            crate::operation::typify_ident(c, crate::operation::Case::Pascal) == TIMESTAMP_SCHEMA
        });
    if let Some(taken) = taken {
        return Err(BuildError::at_pointer(
            ctx.file,
            &pointer_push("/components/schemas", &taken),
            format!(
                "the document defines `{taken}`, which typify names `{TIMESTAMP_SCHEMA}`, the type this pipeline \
                 reserves for dates (it would silently become the client's timestamp type)"
            ),
        ));
    }
    let target = format!("#/components/schemas/{TIMESTAMP_SCHEMA}");
    let mut any = false;
    ctx.each_schema(&mut |s| {
        let format = s.get("format").and_then(Value::as_str)?.to_owned();
        if !TIME_FORMATS.contains(&format.as_str()) || s.contains_key("enum") {
            return None;
        }
        let nullable = s.get("nullable") == Some(&json!(true));
        let description = s.get("description").cloned();
        s.clear();
        if nullable {
            s.insert("allOf".into(), json!([{"$ref": target}]));
            s.insert("nullable".into(), json!(true));
        } else {
            s.insert("$ref".into(), json!(target));
        }
        if let (Some(d), true) = (description, nullable) {
            s.insert("description".into(), d);
        }
        any = true;
        Some(format!("format {format} → {TIMESTAMP_SCHEMA}"))
    });
    if any {
        ctx.doc["components"]["schemas"][TIMESTAMP_SCHEMA] = json!({
            "type": "string",
            "description": "A date or point in time in any of the forms Partoo sends.",
        });
    }
    Ok(())
}

/// Adaptation: `additionalProperties: false` makes typify emit `deny_unknown_fields`, so a field Partoo adds
/// tomorrow would break decoding today. Dropped.
pub(super) fn open_objects(s: &mut Map<String, Value>) -> Option<String> {
    (s.get("additionalProperties") == Some(&json!(false))).then(|| {
        s.remove("additionalProperties");
        "additionalProperties: false dropped".to_owned()
    })
}

/// Adaptation: typify types an optional array as `Vec<T>` and an optional map as a map, both with
/// `#[serde(default)]`: absent decodes, `null` does not. Such properties are made nullable (→ `Option<…>`).
pub(super) fn nullable_optionals(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let referenced = referenced_collections(ctx);
    ctx.each_schema(&mut |s| {
        if !matches!(s.get("properties"), Some(Value::Object(_))) {
            return None;
        }
        let required: Vec<String> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let props = s.get_mut("properties")?.as_object_mut()?;
        let mut changed = Vec::new();
        for (name, p) in props.iter_mut() {
            if required.contains(name) || p.get("nullable") == Some(&json!(true)) {
                continue;
            }
            let reference = p.get("$ref").and_then(Value::as_str);
            let collection = match reference.and_then(|r| referenced.get(r)) {
                Some(known) => *known,
                None => is_collection(p),
            };
            if !collection {
                continue;
            }
            if p.get("$ref").is_some() {
                let r = p.clone();
                *p = json!({"allOf": [r], "nullable": true});
            } else if let Some(obj) = p.as_object_mut() {
                obj.insert("nullable".into(), json!(true));
            }
            changed.push(name.clone());
        }
        (!changed.is_empty()).then(|| format!("optional {} made nullable", changed.join(", ")))
    });
    Ok(())
}

/// Is this schema an array, or an object without properties (a map)?
fn is_collection(schema: &Value) -> bool {
    let ty = schema.get("type").and_then(Value::as_str);
    let is_map = ty == Some("object")
        && schema
            .get("properties")
            .is_none_or(|p| p.as_object().is_none_or(Map::is_empty));
    ty == Some("array") || is_map
}

/// For each `$ref` a property holds that resolves: whether its target (refs followed) [`is_collection`],
/// judged before `nullable_optionals` wraps any property, as the rule reads them.
fn referenced_collections(ctx: &mut Ctx<'_>) -> HashMap<String, bool> {
    let mut refs = BTreeSet::new();
    crate::walk::for_each_schema(&mut ctx.doc, &mut |_, s| {
        let props = s.get("properties").and_then(Value::as_object);
        for r in crate::walk::refs_of(props.into_iter().flat_map(Map::values)) {
            if !refs.contains(r) {
                refs.insert(r.to_owned());
            }
        }
    });
    refs.into_iter()
        .filter(|r| resolve(&ctx.doc, r).is_some())
        .map(|r| {
            let collection = is_collection(deref(&ctx.doc, &json!({ "$ref": r })));
            (r, collection)
        })
        .collect()
}

/// Adaptation: enum lists typify cannot turn into a Rust enum (it panics on `""` and on values equal but for
/// case, and on mixed types) or would validate against a closed set (integer and number enums become checked
/// newtypes). `""` is dropped from string enums; the other lists are dropped, leaving the plain type.
pub(super) fn enum_variants(s: &mut Map<String, Value>) -> Option<String> {
    let values = s.get("enum")?.as_array()?.clone();
    let is_tag = s
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| d.starts_with(TAG_DOC_PREFIX));
    if is_tag {
        return None;
    }
    let all_strings = values.iter().all(|v| v.is_string() || v.is_null());
    if all_strings {
        let lower: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect();
        let mut dedup = lower.clone();
        dedup.sort();
        dedup.dedup();
        if dedup.len() != lower.len() {
            s.remove("enum");
            return Some("enum values equal but for case → plain string".into());
        }
        if values.iter().any(|v| v == "") {
            let kept: Vec<Value> = values.into_iter().filter(|v| v != "").collect();
            if kept.iter().all(Value::is_null) {
                s.remove("enum");
            } else {
                s.insert("enum".into(), Value::Array(kept));
            }
            return Some("empty string dropped from enum".into());
        }
        return None;
    }
    s.remove("enum");
    let ty = s
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("untyped")
        .to_owned();
    Some(format!("{ty} enum {} → plain {ty}", Value::Array(values)))
}

/// Adaptation (Partoo: `Business.created`/`modified`, `type: number, format: float`, hold epoch seconds such as
/// `1561335111.681374`): typify maps `float` to `f32`, whose 24-bit mantissa rounds such values by about a
/// minute. The format is dropped, so every number is an `f64`.
pub(super) fn float_precision(s: &mut Map<String, Value>) -> Option<String> {
    // Also without a `type`: `{allOf: [{$ref: Ratio}], format: float}` (a `$ref` with a sibling) becomes a
    // number once the alias `Ratio` is inlined, after this rule has run.
    let is_number = matches!(s.get("type").and_then(Value::as_str), Some("number") | None);
    if is_number && s.get("format").and_then(Value::as_str) == Some("float") {
        s.remove("format");
        return Some("format float → f64".into());
    }
    None
}

/// Adaptation (any `format: uuid` of a string or of a schema without `type`, in a property, a parameter or an
/// array's items): typify maps
/// it to `::uuid::Uuid`, and the client has no `uuid` dependency, so the generated code would not compile. The
/// format is dropped: the value stays a `String`, kept exactly as sent (an id Partoo sends in another case or
/// form still decodes).
pub(super) fn uuid_strings(s: &mut Map<String, Value>) -> Option<String> {
    // Also without a `type`: `{allOf: [{$ref: Name}], format: uuid}` (a `$ref` with a sibling) becomes a
    // string once the alias `Name` is inlined, after this rule has run.
    let is_string = matches!(s.get("type").and_then(Value::as_str), Some("string") | None);
    if is_string && s.get("format").and_then(Value::as_str) == Some("uuid") {
        s.remove("format");
        return Some("format uuid → String".into());
    }
    None
}
