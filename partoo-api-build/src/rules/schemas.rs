//! Schema-level defects of Partoo's documents: Swagger-style `required`, made-up type names, broken enums,
//! defaults and patterns.

use serde_json::{Map, Value, json};

/// Defect (Partoo 2021: `BusinessCategories`, `Day`): `required: true` on a schema, Swagger 2 style. openapiv3
/// expects a list and fails to deserialize the whole document.
pub(super) fn boolean_required(s: &mut Map<String, Value>) -> Option<String> {
    match s.get("required") {
        Some(Value::Bool(b)) => {
            let b = *b;
            s.remove("required");
            Some(format!("required: {b} removed"))
        }
        _ => None,
    }
}

const JSON_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// Defect (Partoo 2021: 33 sites, e.g. `timestamp`, `datetime`, `Integer`, `float`, `text`, `string,`,
/// `integer / null`, `string | null`, `array of string`, a six-way union): type names outside JSON Schema's
/// six, on which progenitor panics (`todo!("invalid type: …")`). Each is mapped to what it means; `timestamp`
/// (unix seconds in the examples) becomes a number of format `unix-time`, which the `timestamps` rule types.
pub(super) fn nonstandard_types(s: &mut Map<String, Value>) -> Option<String> {
    let Some(Value::String(raw)) = s.get("type") else {
        return None;
    };
    if JSON_TYPES.contains(&raw.as_str()) {
        return None;
    }
    let raw = raw.clone();
    let parts: Vec<String> = raw
        .split(['|', '/'])
        .map(|p| {
            p.trim()
                .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != ' ')
                .to_ascii_lowercase()
        })
        .filter(|p| !p.is_empty())
        .collect();
    let nullable = parts.iter().any(|p| p == "null");
    let rest: Vec<&String> = parts.iter().filter(|p| *p != "null").collect();
    s.remove("type");
    if nullable {
        s.insert("nullable".into(), json!(true));
    }
    let mapped = match rest.as_slice() {
        [one] => map_one(one, s),
        _ => "any value".to_owned(),
    };
    Some(format!(
        "type {raw:?} → {mapped}{}",
        if nullable { " + nullable" } else { "" }
    ))
}

fn map_one(t: &str, s: &mut Map<String, Value>) -> String {
    if let Some(item) = t.strip_prefix("array of ") {
        let item = match item.trim() {
            "strings" => "string",
            "objects" => "object",
            other => other,
        };
        s.insert("type".into(), json!("array"));
        if !s.contains_key("items") {
            let item = if JSON_TYPES.contains(&item) {
                json!({"type": item})
            } else {
                json!({})
            };
            s.insert("items".into(), item);
        }
        return format!("array of {item}");
    }
    let (ty, format) = match t {
        "int" | "integer" | "long" => ("integer", None),
        "float" | "double" | "decimal" | "number" => ("number", None),
        "bool" | "boolean" => ("boolean", None),
        "text" | "enum" | "str" | "string" => ("string", None),
        "datetime" | "date-time" => ("string", Some("date-time")),
        "date" => ("string", Some("date")),
        "timestamp" => ("number", Some("unix-time")),
        "array" | "list" => ("array", None),
        "object" | "dict" | "map" => ("object", None),
        _ => return "any value".to_owned(),
    };
    s.insert("type".into(), json!(ty));
    if let Some(f) = format {
        s.insert("format".into(), json!(f));
        return format!("{ty} (format {f})");
    }
    ty.to_owned()
}

/// Defect (Partoo 2021: `enum: ["True, False"]` on POST /authorize, `type: string, enum: [true, false]` on
/// `content__isnull`, `[USER_INPUT, USER_INPUT]` on the publisher states): values of the wrong type, one
/// comma-joined value, duplicates. typify errors or panics on each. Values are coerced to the declared type,
/// a lone `"A, B"` is split, duplicates are dropped, a `null` value in a
/// non-nullable enum makes it nullable. An `enum` that lists nothing (`[]`, or no list) is dropped.
pub(super) fn enum_values(s: &mut Map<String, Value>) -> Option<String> {
    let values = match s.get("enum")? {
        Value::Array(values) if !values.is_empty() => values,
        // An enum must list at least one value; typify would ignore it silently.
        other => {
            let why = if other.is_array() {
                "lists no value"
            } else {
                "is no list"
            };
            let detail = format!("enum {other} {why}: dropped, any value of the type is taken");
            s.remove("enum");
            return Some(detail);
        }
    };
    let ty = s
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let before = values.clone();
    let nullable = s.get("nullable") == Some(&json!(true));
    let mut out: Vec<Value> = Vec::new();
    let mut had_null = false;
    let split =
        before.len() == 1 && ty == "string" && before[0].as_str().is_some_and(|v| v.contains(", "));
    for v in &before {
        let coerced: Vec<Value> = match (ty.as_str(), v) {
            // `null` in the list of a nullable enum is the 3.0.3 way to allow it.
            (_, Value::Null) if nullable => vec![Value::Null],
            (_, Value::Null) => {
                had_null = true;
                vec![]
            }
            ("string", Value::String(text)) if split => {
                text.split(',').map(|p| json!(p.trim())).collect()
            }
            ("string", Value::Bool(_) | Value::Number(_)) => vec![json!(v.to_string())],
            ("integer" | "number", Value::String(text)) => {
                vec![
                    text.trim()
                        .parse::<i64>()
                        .map(|n| json!(n))
                        .unwrap_or_else(|_| {
                            text.trim()
                                .parse::<f64>()
                                .map(|f| json!(f))
                                .unwrap_or_else(|_| v.clone())
                        }),
                ]
            }
            _ => vec![v.clone()],
        };
        for c in coerced {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    if out == before {
        return None;
    }
    s.insert("enum".into(), Value::Array(out.clone()));
    if had_null {
        s.insert("nullable".into(), json!(true));
    }
    Some(format!(
        "enum {} → {}",
        Value::Array(before),
        Value::Array(out)
    ))
}

fn fits_type(v: &Value, ty: &str) -> bool {
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

/// Whether an integer default is over `i64::MAX` where typify types the value `i64`: without an unsigned
/// format (`uint64`, `uint`) and without a `minimum` of 0 or more, which would let it choose `u64`. typify
/// accepts such a default and writes code that panics when it is used.
fn beyond_i64(d: &Value, ty: &str, s: &Map<String, Value>) -> bool {
    let unsigned = matches!(
        s.get("format").and_then(Value::as_str),
        Some("uint64" | "uint" | "uint32" | "uint16" | "uint8")
    ) || s
        .get("minimum")
        .and_then(Value::as_f64)
        .is_some_and(|m| m >= 0.0);
    ty == "integer" && !d.is_i64() && d.is_u64() && !unsigned
}

/// Defect (Partoo 2021: 3 sites, e.g. `default: 'False'` with `enum: ["True, False"]`): a `default` outside
/// the enum, of the wrong type, or `null` on a non-nullable schema. progenitor refuses the document ("value
/// does not conform to the given schema"). Such a default is removed, as is an integer default over
/// `i64::MAX` where the value is typed `i64` ([`beyond_i64`]).
pub(super) fn enum_defaults(s: &mut Map<String, Value>) -> Option<String> {
    let d = s.get("default")?.clone();
    let nullable = s.get("nullable") == Some(&json!(true));
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
    let bad = if d.is_null() {
        !nullable
    } else if let Some(Value::Array(values)) = s.get("enum") {
        !values.contains(&d)
    } else {
        !fits_type(&d, ty) || beyond_i64(&d, ty, s)
    };
    if !bad {
        return None;
    }
    s.remove("default");
    Some(format!("default {d} does not fit the schema → removed"))
}

/// Defect (Partoo 2021: `pattern: date` ×7, `pattern: yyyy-mm-dd`): a format name where a regular expression
/// belongs, or a pattern that is not a valid ECMA regex. As regexes they would reject valid server data.
pub(super) fn bogus_patterns(s: &mut Map<String, Value>) -> Option<String> {
    let p = s.get("pattern")?.as_str().map(str::to_owned);
    let reason = match &p {
        None => "not a string",
        Some(p)
            if p.chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-' || c == ' ' || c == '_') =>
        {
            "a format name, not a regex"
        }
        Some(p) if regress::Regex::new(p).is_err() => "not a valid regex",
        Some(_) => return None,
    };
    s.remove("pattern");
    Some(format!(
        "pattern {} is {reason} → removed",
        p.unwrap_or_default()
    ))
}

/// Policy: `pattern`s are dropped. The server owns validation; a client-side regex (typify would emit `regress`
/// checks) can only turn valid server data into decode errors when the server's rules move.
pub(super) fn server_side_patterns(s: &mut Map<String, Value>) -> Option<String> {
    s.remove("pattern").map(|p| format!("pattern {p} dropped"))
}

/// Defect (Partoo 2021: `Group`, `BusinessCategories`, `CustomField*Constraint`, …): `type: array` without
/// `items`, which OpenAPI 3.0 requires. Given `items: {}` (any value).
pub(super) fn untyped_arrays(s: &mut Map<String, Value>) -> Option<String> {
    if s.get("type").and_then(Value::as_str) == Some("array") && !s.contains_key("items") {
        s.insert("items".into(), json!({}));
        return Some("array without items → items: {}".into());
    }
    None
}
