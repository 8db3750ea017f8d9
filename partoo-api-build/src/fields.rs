//! Struct fields typify would name twice: refused with the schema's pointer, rather than handed to rustc as
//! a struct with two fields of one name. It reads only the normalised document, so the pipeline runs it on
//! its second thread while progenitor runs (on a copy: the schema walk lends schemas mutably).

use serde_json::Value;

use crate::error::BuildError;
use crate::operation::{Case, typify_ident};
use crate::walk::{for_each_schema, properties};

/// The field typify 0.8 gives an object's `additionalProperties` when they have a schema of their own
/// (anything but `true`): a flattened map named `extra`, after the properties.
const EXTRA_FIELD: &str = "extra";

/// Refuses (none in Partoo's documents; any spec can have it) two names of one object that typify turns into
/// the same Rust field (`fooBar` and `foo_bar` are both `foo_bar`, `type` and `type_` both `type_`; a
/// property `extra` beside `additionalProperties` with a schema, which typify stores in a field `extra`).
/// typify emits both fields and the client does not compile. A field cannot be renamed without changing the
/// JSON it reads, and dropping one would lose data, so the document is refused at the first such object.
pub(crate) fn check(file: &str, doc: &mut Value) -> Result<(), BuildError> {
    // An object without `allOf` is checked during the walk, from its own keywords. The walk lends each
    // schema mutably, and the names through `allOf` need the whole document: those objects are listed, then
    // read after it.
    let mut first: Option<(String, String)> = None;
    let mut merged: Vec<String> = Vec::new();
    for_each_schema(doc, &mut |ptr, schema| {
        let Some(obj) = schema.as_object().filter(|_| first.is_none()) else {
            return;
        };
        // One pass over the keys (the build script runs unoptimised, and most schemas have no fields).
        let (mut all_of, mut fields) = (false, false);
        for key in obj.keys() {
            match key.len() {
                5 => all_of |= key == "allOf",
                8 => fields |= key == "required",
                10 => fields |= key == "properties",
                _ => {}
            }
        }
        if all_of {
            merged.push(ptr.to_string());
        } else if fields && let Some(message) = collision(&Value::Null, schema) {
            first = Some((ptr.to_string(), message));
        }
    });
    if first.is_none() {
        first = merged.into_iter().find_map(|pointer| {
            let schema = doc.pointer(&pointer)?;
            collision(doc, schema).map(|message| (pointer, message))
        });
    }
    match first {
        None => Ok(()),
        Some((pointer, message)) => {
            Err(BuildError::at_pointer(file, &pointer, message).with_hint(
                "the two names are different JSON keys but one Rust field; rename one of them in the spec",
            ))
        }
    }
}

/// The first pair of names of `schema` that typify makes into one field, as a message; `None` if every field
/// name is distinct. The names are the properties, with those of its `allOf` parts (typify merges them into
/// one struct; `doc` resolves their `$ref`s), then its `required` names without a property (typify gives those
/// a field too), then `extra` when its `additionalProperties` have a schema.
fn collision(doc: &Value, schema: &Value) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    if schema.get("allOf").is_some() {
        for (name, _) in properties(doc, schema) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    } else if let Some(own) = schema.get("properties").and_then(Value::as_object) {
        names.extend(own.keys().map(String::as_str));
    }
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let fields: Vec<String> = names
        .iter()
        .map(|name| typify_ident(name, Case::Snake))
        .collect();
    for (i, field) in fields.iter().enumerate() {
        if let Some(j) = fields[..i].iter().position(|f| f == field) {
            return Some(message(
                &format!("property `{}`", names[j]),
                &format!("property `{}`", names[i]),
                field,
            ));
        }
    }
    let extra = schema
        .get("additionalProperties")
        .is_some_and(|a| !matches!(a, Value::Bool(_)));
    let clash = fields
        .iter()
        .position(|f| f == EXTRA_FIELD)
        .filter(|_| extra)?;
    Some(message(
        &format!("property `{}`", names[clash]),
        "`additionalProperties` (typify's flattened map)",
        EXTRA_FIELD,
    ))
}

fn message(earlier: &str, later: &str, field: &str) -> String {
    format!(
        "{earlier} and {later} would both be the Rust field `{field}`: the generated struct would not compile"
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::collision;

    fn of(schema: serde_json::Value) -> Option<String> {
        collision(&json!({}), &schema)
    }

    #[test]
    fn names_equal_after_snake_case_collide() {
        let msg = of(json!({"properties": {"fooBar": {}, "foo_bar": {}}})).unwrap();
        assert!(
            msg.contains("`fooBar`")
                && msg.contains("`foo_bar`")
                && msg.contains("field `foo_bar`"),
            "{msg}"
        );
        assert!(of(json!({"properties": {"type": {}, "type_": {}}})).is_some());
        assert!(of(json!({"properties": {"1st": {}, "x1st": {}}})).is_some());
    }

    #[test]
    fn a_required_name_without_a_property_is_a_field_too() {
        assert!(of(json!({"properties": {"fooBar": {}}, "required": ["foo_bar"]})).is_some());
        assert!(of(json!({"properties": {"fooBar": {}}, "required": ["fooBar"]})).is_none());
    }

    #[test]
    fn extra_collides_only_with_an_additional_properties_schema() {
        let msg =
            of(json!({"properties": {"extra": {}}, "additionalProperties": {"type": "string"}}))
                .unwrap();
        assert!(msg.contains("additionalProperties"), "{msg}");
        assert!(of(json!({"properties": {"extra": {}}, "additionalProperties": {}})).is_some());
        assert!(of(json!({"properties": {"extra": {}}, "additionalProperties": true})).is_none());
        assert!(of(json!({"properties": {"extra": {}}})).is_none());
    }

    #[test]
    fn properties_of_all_of_parts_are_one_struct() {
        let doc = json!({"components": {"schemas": {
            "A": {"properties": {"fooBar": {}}},
            "B": {"properties": {"foo_bar": {"type": "integer"}}},
        }}});
        let merged = json!({"allOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]});
        let msg = collision(&doc, &merged).unwrap();
        assert!(
            msg.contains("`fooBar`") && msg.contains("`foo_bar`"),
            "{msg}"
        );
        // The same name in two parts is one field.
        let same =
            json!({"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {"fooBar": {}}}]});
        assert!(collision(&doc, &same).is_none());
    }

    #[test]
    fn distinct_fields_pass() {
        assert!(of(json!({"properties": {"fooBar": {}, "foo_baz": {}, "type": {}}})).is_none());
    }
}
