//! Path templates and parameter values progenitor turns into code that does not compile: refused, or (for a
//! `nullable` no path segment or header can use) adapted, each at its pointer.

use serde_json::{Map, Value};

use super::Ctx;
use crate::error::{BuildError, pointer_push};
use crate::walk::{METHODS, deref};

/// Defect (none in Partoo's documents): a path template with a `{` or `}` that opens or closes no placeholder
/// (`/x/{id}}`), or one placeholder twice (`/x/{id}/y/{id}`). progenitor writes the template into a
/// `format!` string, which rustc refuses for a stray brace, and the mock's path for a repeated placeholder.
pub(super) fn path_templates(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let paths = ctx.doc.get("paths").and_then(Value::as_object);
    for path in paths.into_iter().flat_map(Map::keys) {
        // `x-…` keys are extensions of the Paths object, not paths.
        let checked = if path.starts_with('/') || path.starts_with("x-") {
            placeholders(path).map(drop)
        } else {
            // progenitor appends it to the base URL as written: `x/{id}` would give no client method.
            Err("it does not start with `/` (a path is appended to the server's URL)".to_owned())
        };
        if let Err(why) = checked {
            return Err(BuildError::at_pointer(
                ctx.file,
                &pointer_push("/paths", path),
                format!("path template `{path}`: {why}"),
            ));
        }
    }
    Ok(())
}

/// The placeholders of a path template, in order, or why the template is not one progenitor can take.
fn placeholders(path: &str) -> Result<Vec<&str>, String> {
    let mut out: Vec<&str> = Vec::new();
    let mut rest = path;
    while let Some(at) = rest.find(['{', '}']) {
        if rest[at..].starts_with('}') {
            return Err("a `}` closes no placeholder".to_owned());
        }
        let inner = &rest[at + 1..];
        let Some(end) = inner
            .find(['{', '}'])
            .filter(|e| inner[*e..].starts_with('}'))
        else {
            return Err("a `{` opens a placeholder that is not closed".to_owned());
        };
        let name = &inner[..end];
        if out.contains(&name) {
            return Err(format!("the placeholder `{{{name}}}` appears twice"));
        }
        out.push(name);
        rest = &inner[end + 1..];
    }
    Ok(out)
}

/// Adaptation and defect (none in Partoo's documents): progenitor writes a path or header parameter's value
/// with `to_string()`, which an `Option`, a `Vec` or a map does not have. A path segment or a header is never
/// null (an optional header that has no value is not sent), so `nullable` is dropped from such a parameter's
/// own schema (a report line each). An array or object value, or a nullable schema reached through a `$ref`, is refused at the
/// parameter: there is no one way to write it in a path or a header that the client could choose.
pub(super) fn parameter_values(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    // Read first (most documents have no such parameter, and rendering a pointer for each parameter would
    // cost more than the check); the few schemas to change are changed after.
    let mut nullable: Vec<String> = Vec::new();
    let doc = &ctx.doc;
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let lists = std::iter::once(("", item)).chain(
            METHODS
                .iter()
                .filter_map(|m| item.get(*m).map(|op| (*m, op))),
        );
        for (method, holder) in lists {
            let list = holder.get("parameters").and_then(Value::as_array);
            for (i, param) in list.into_iter().flatten().enumerate() {
                let pointer = || {
                    let base = pointer_push("/paths", path);
                    let base = if method.is_empty() {
                        base
                    } else {
                        pointer_push(&base, method)
                    };
                    format!("{base}/parameters/{i}")
                };
                check_value(ctx.file, doc, param, pointer, &mut nullable)?;
            }
        }
    }
    let components = doc
        .pointer("/components/parameters")
        .and_then(Value::as_object);
    for (name, param) in components.into_iter().flatten() {
        let pointer = || pointer_push("/components/parameters", name);
        check_value(ctx.file, doc, param, pointer, &mut nullable)?;
    }
    for pointer in nullable {
        if let Some(schema) = ctx.doc.pointer_mut(&pointer).and_then(Value::as_object_mut) {
            schema.remove("nullable");
        }
        ctx.change(
            pointer,
            "nullable dropped: a path segment or a header is never null",
        );
    }
    Ok(())
}

/// [`parameter_values`] for one parameter object (a `$ref` is checked where it points, as a component):
/// an error for an array or object value (in a path or header), a cookie parameter, a value given as
/// `content`, or a query value that is an object with properties; or the pointer of its own nullable schema
/// pushed to `nullable`.
fn check_value(
    file: &str,
    doc: &Value,
    param: &Value,
    pointer: impl Fn() -> String,
    nullable: &mut Vec<String>,
) -> Result<(), BuildError> {
    if param.get("$ref").is_some() {
        return Ok(());
    }
    let place = param.get("in").and_then(Value::as_str).unwrap_or_default();
    let name = param
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // Every refusal names the parameter at its place, with what to do instead.
    let refuse = |why: String, hint: &str| {
        Err(
            BuildError::at_pointer(file, &pointer(), format!("{place} parameter `{name}`{why}"))
                .with_hint(hint),
        )
    };
    // progenitor refuses both with a dump of its parsed parameter (40 lines and more): said in one line.
    if place == "cookie" {
        return refuse(
            ": progenitor 0.15.1 does not support cookie parameters".to_owned(),
            "remove it from the spec; set the cookie on your own reqwest client",
        );
    }
    if param.get("schema").is_none() && param.get("content").is_some() {
        return refuse(
            " gives its value as `content` (a media type), which progenitor 0.15.1 does not support"
                .to_owned(),
            "describe the value with `schema`",
        );
    }
    // A map (`additionalProperties`) is sent as its entries; a struct makes progenitor panic, optional or not.
    if place == "query"
        && let Some(schema) = param.get("schema")
        && deref(doc, schema)
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty())
    {
        return refuse(
            ": its value is an object with properties, which progenitor 0.15.1 cannot send (it panics)"
                .to_owned(),
            "describe it as a map (`additionalProperties`), or as one parameter per property",
        );
    }
    if place != "path" && place != "header" {
        return Ok(());
    }
    let Some(schema) = param.get("schema") else {
        return Ok(());
    };
    let own_nullable = schema.get("nullable") == Some(&Value::Bool(true));
    let target = deref(doc, schema);
    let kind = target.get("type").and_then(Value::as_str);
    let map = target
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false));
    let why = if kind == Some("array") {
        "its value is an array"
    } else if kind == Some("object") || map {
        "its value is an object"
    } else if own_nullable {
        nullable.push(format!("{}/schema", pointer()));
        return Ok(());
    } else if target.get("nullable") == Some(&Value::Bool(true)) {
        "its value is nullable (through a `$ref`)"
    } else {
        return Ok(());
    };
    refuse(
        format!(": {why}; progenitor writes it with `to_string()`, which it lacks"),
        "declare it as a string (or number) in the spec, the form the server reads",
    )
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_read_and_bad_templates_named() {
        assert_eq!(
            placeholders("/org/{org_id}/x/{id}").unwrap(),
            ["org_id", "id"]
        );
        assert_eq!(placeholders("/a/{name}:cancel").unwrap(), ["name"]);
        assert!(
            placeholders("/x/{id}}")
                .unwrap_err()
                .contains("closes no placeholder")
        );
        assert!(placeholders("/x/{id").unwrap_err().contains("not closed"));
        assert!(placeholders("/x/{a{b}").unwrap_err().contains("not closed"));
        assert!(
            placeholders("/x/{id}/y/{id}")
                .unwrap_err()
                .contains("`{id}` appears twice")
        );
    }
}
