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
        if let Err(why) = placeholders(path) {
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
    let mut sites: Vec<String> = Vec::new();
    let paths = ctx.doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let base = pointer_push("/paths", path);
        sites.push(pointer_push(&base, "parameters"));
        for method in METHODS {
            if item.get(method).is_some() {
                sites.push(pointer_push(&pointer_push(&base, method), "parameters"));
            }
        }
    }
    let mut params: Vec<String> = Vec::new();
    for list in sites {
        let count = ctx
            .doc
            .pointer(&list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        params.extend((0..count).map(|i| format!("{list}/{i}")));
    }
    let components = ctx
        .doc
        .pointer("/components/parameters")
        .and_then(Value::as_object);
    params.extend(
        components
            .into_iter()
            .flat_map(Map::keys)
            .map(|name| pointer_push("/components/parameters", name)),
    );
    let mut changes = Vec::new();
    for pointer in params {
        let Some(param) = ctx
            .doc
            .pointer(&pointer)
            .filter(|p| p.get("$ref").is_none())
        else {
            continue;
        };
        let text = |key: &str| param.get(key).and_then(Value::as_str).unwrap_or_default();
        let (name, place) = (text("name").to_owned(), text("in").to_owned());
        if place != "path" && place != "header" {
            continue;
        }
        let Some(schema) = param.get("schema") else {
            continue;
        };
        let own_nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let target = deref(&ctx.doc, schema);
        let kind = target.get("type").and_then(Value::as_str);
        let map = target
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(false));
        let refuse = |why: &str| {
            Err(BuildError::at_pointer(
                ctx.file,
                &pointer,
                format!("{place} parameter `{name}`: {why}; progenitor writes it with `to_string()`, which it lacks"),
            )
            .with_hint("declare it as a string (or number) in the spec, the form the server reads"))
        };
        if kind == Some("array") {
            return refuse("its value is an array");
        }
        if kind == Some("object") || map {
            return refuse("its value is an object");
        }
        if own_nullable {
            changes.push(format!("{pointer}/schema"));
        } else if target.get("nullable") == Some(&Value::Bool(true)) {
            return refuse("its value is nullable (through a `$ref`)");
        }
    }
    for pointer in changes {
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
