//! The one shape serde accepts that a delivery must not have: a JSON array where the event type has an object.
//!
//! serde's derived `Deserialize` reads a struct from a sequence too, field by field in declaration order, so
//! `"payload": [{"id": 5}]` decoded as a payload whose first field (`review`) was `{"id": 5}`: a body that does
//! not fit the schema came back typed, its values under names the body never gave. The typed value,
//! re-serialised, shows where that happened: an object where the body has an array.

use serde_json::Value;

/// The path (in `serde_path_to_error`'s notation: `payload.contacts[0]`, `.` for the body itself) of the first
/// place where `given` has an array and `typed`, the decoded value re-serialised, an object.
pub(super) fn array_for_object(given: &Value, typed: &Value) -> Option<String> {
    let mut path = String::new();
    find(given, typed, &mut path).then(|| {
        if path.is_empty() {
            ".".to_owned()
        } else {
            path
        }
    })
}

/// Whether such a place is at or below `path`; `path` is left pointing at it when there is one.
fn find(given: &Value, typed: &Value, path: &mut String) -> bool {
    match (given, typed) {
        (Value::Array(_), Value::Object(_)) => true,
        (Value::Object(fields), Value::Object(typed_fields)) => {
            fields.iter().any(|(key, value)| {
                let Some(typed) = typed_fields.get(key) else {
                    return false;
                };
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                let found = find(value, typed, path);
                if !found {
                    path.truncate(len);
                }
                found
            })
        }
        (Value::Array(values), Value::Array(typed_values)) => values
            .iter()
            .zip(typed_values)
            .enumerate()
            .any(|(index, (value, typed))| {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                let found = find(value, typed, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::array_for_object;
    use serde_json::json;

    #[test]
    fn the_path_names_the_first_array_read_as_an_object() {
        let typed = json!({"payload": {"contacts": [{"phone": "1"}, {"phone": "2"}]}});
        assert_eq!(array_for_object(&typed, &typed), None);
        let given = json!({"payload": {"contacts": [{"phone": "1"}, ["2"]]}});
        assert_eq!(
            array_for_object(&given, &typed).as_deref(),
            Some("payload.contacts[1]")
        );
        assert_eq!(
            array_for_object(&json!([1]), &json!({"a": 1})).as_deref(),
            Some(".")
        );
        // A field typed as any JSON keeps the array: not a mismatch.
        let any = json!({"extra": [1, 2]});
        assert_eq!(array_for_object(&any, &any), None);
    }
}
