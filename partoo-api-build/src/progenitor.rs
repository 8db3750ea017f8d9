//! Stage `progenitor`: the normalised document → progenitor 0.15.1 (builder interface) → tokens, with panics
//! and errors turned into errors located at the one schema or operation that causes them.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ::progenitor::{GenerationSettings, Generator, InterfaceStyle, TypeImpl};
use serde_json::{Value, json};

use crate::error::{BuildError, Location, pointer_push};
use crate::rules::TIMESTAMP_SCHEMA;
use crate::walk::METHODS;

/// Deserializes the normalised document into openapiv3's model, naming the JSON pointer that does not fit.
///
/// The plain deserializer runs first: tracking the path costs about a tenth of the conversion on every build
/// (2.5 ms of 23 on the snapshot at opt-level 0) and only serves to name the place of a failure, so a failure
/// is redone with `serde_path_to_error`.
pub(crate) fn to_openapi(file: &str, doc: &Value) -> Result<openapiv3::OpenAPI, BuildError> {
    use serde::Deserialize as _;
    match openapiv3::OpenAPI::deserialize(doc) {
        Ok(spec) => Ok(spec),
        Err(_) => to_openapi_located(file, doc),
    }
}

/// [`to_openapi`]'s slow path: the same conversion, tracking the path to name the JSON pointer of the failure.
fn to_openapi_located(file: &str, doc: &Value) -> Result<openapiv3::OpenAPI, BuildError> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(doc).map_err(|e| {
        let pointer: String = e
            .path()
            .iter()
            .map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                serde_path_to_error::Segment::Map { key } => pointer_push("", key),
                serde_path_to_error::Segment::Enum { variant } => pointer_push("", variant),
                serde_path_to_error::Segment::Unknown => "/?".to_owned(),
            })
            .collect();
        let pointer = narrow(doc, &pointer).unwrap_or(pointer);
        BuildError::at_pointer(file, &pointer, format!("does not fit the OpenAPI 3.0 model after normalisation: {}", e.inner()))
            .with_hint("a normalisation rule is missing for this construct; add one in partoo-api-build/src/rules")
    })
}

/// Whether `doc` fits openapiv3's model (the fast deserializer, already compiled for [`to_openapi`]).
fn fits(doc: &Value) -> bool {
    use serde::Deserialize as _;
    openapiv3::OpenAPI::deserialize(doc).is_ok()
}

/// A narrower place for a failure `serde_path_to_error` put at `coarse`: openapiv3 flattens the extensions of
/// path items, operations and components into buffered content, so a missing `schema` of one parameter is
/// reported at `/paths`. Each path item (each component) is tried alone in an otherwise empty document, and
/// within the first that fails, a key or list item whose removal lets it fit is followed down, as long as one
/// does. Only run on a failure; `None` when nothing narrower is found.
fn narrow(doc: &Value, coarse: &str) -> Option<String> {
    let base = json!({"openapi": doc.get("openapi")?, "info": doc.get("info")?, "paths": {}});
    if !fits(&base) {
        return None;
    }
    let mut entries: Vec<(String, Value)> = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut one = base.clone();
        one["paths"] = json!({ path: item });
        entries.push((pointer_push("/paths", path), one));
    }
    let components = doc.get("components").and_then(Value::as_object);
    for (kind, named) in components.into_iter().flatten() {
        for (name, value) in named.as_object().into_iter().flatten() {
            let mut one = base.clone();
            one["components"] = json!({ kind: { name: value } });
            entries.push((pointer_push(&pointer_push("/components", kind), name), one));
        }
    }
    let (mut at, small) = entries
        .into_iter()
        .filter(|(p, _)| p.starts_with(coarse))
        .find(|(_, one)| !fits(one))?;
    'down: loop {
        let children: Vec<String> = match small.pointer(&at) {
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            Some(Value::Array(l)) => (0..l.len()).map(|i| i.to_string()).collect(),
            _ => break,
        };
        for child in children {
            let mut trial = small.clone();
            match trial.pointer_mut(&at) {
                Some(Value::Object(m)) => drop(m.remove(&child)),
                Some(Value::Array(l)) => drop(l.remove(child.parse::<usize>().ok()?)),
                _ => break 'down,
            }
            if fits(&trial) {
                at = pointer_push(&at, &child);
                continue 'down;
            }
        }
        break;
    }
    Some(at)
}

pub(crate) fn settings(options: &crate::Options) -> GenerationSettings {
    let mut s = GenerationSettings::new();
    if let Some(inner) = options
        .inner_type
        .as_deref()
        .and_then(|t| t.parse::<proc_macro2::TokenStream>().ok())
    {
        s.with_inner_type(inner);
    }
    s.with_interface(InterfaceStyle::Builder).with_replacement(
        TIMESTAMP_SCHEMA,
        &options.timestamp_type,
        [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
    );
    s
}

/// The panic message, cut to its first lines: typify's `todo!`s dump whole schemas in `Debug` form.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    let full = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".to_owned());
    let mut short: String = full.lines().take(4).collect::<Vec<_>>().join(" ");
    if short.len() > 400 {
        let cut = (0..=400)
            .rev()
            .find(|i| short.is_char_boundary(*i))
            .unwrap_or(0);
        short.truncate(cut);
        short.push_str(" …");
    }
    short
}

/// Runs one progenitor entry point; an error or a panic becomes an `Err` with its message.
pub(crate) fn guarded<T>(
    call: impl FnOnce() -> Result<T, ::progenitor::Error>,
) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("progenitor error: {e}")),
        Err(payload) => Err(format!("progenitor panicked: {}", panic_text(payload))),
    }
}

/// Runs progenitor's client generation once.
fn run(
    spec: &openapiv3::OpenAPI,
    options: &crate::Options,
) -> Result<proc_macro2::TokenStream, String> {
    let settings = settings(options);
    guarded(|| Generator::new(&settings).generate_tokens(spec))
}

/// Generates tokens for the whole document; on failure, narrows the failure to one schema or operation.
pub(crate) fn generate_tokens(
    file: &str,
    doc: &Value,
    options: &crate::Options,
) -> Result<proc_macro2::TokenStream, BuildError> {
    let spec = to_openapi(file, doc)?;
    let whole = match run(&spec, options) {
        Ok(tokens) => return Ok(tokens),
        Err(msg) => msg,
    };
    Err(
        locate(file, doc, &|s| run(s, options).map(drop)).unwrap_or_else(|| {
            BuildError::new(file, Location::Input, whole).with_hint(
            "no single schema or operation reproduces it alone; report it with the spec attached",
        )
        }),
    )
}

/// Tries each component schema alone, then each operation alone, and reports the first for which `run` fails.
pub(crate) fn locate(
    file: &str,
    doc: &Value,
    run: &dyn Fn(&openapiv3::OpenAPI) -> Result<(), String>,
) -> Option<BuildError> {
    let mut empty = doc.clone();
    empty["paths"] = json!({});
    let names = crate::walk::component_schema_names(doc);
    // Schemas are converted before any operation, so a bad one fails everything: find it first.
    if let Err(msg) = to_openapi(file, &empty)
        .map_err(|e| e.message)
        .and_then(|s| run(&s))
    {
        for name in &names {
            let mut one = empty.clone();
            one["components"]["schemas"] = json!({});
            copy_closure(doc, name, &mut one);
            if let Err(m) = to_openapi(file, &one)
                .map_err(|e| e.message)
                .and_then(|s| run(&s))
            {
                return Some(BuildError::at_pointer(
                    file,
                    &pointer_push("/components/schemas", name),
                    m,
                ));
            }
        }
        return Some(BuildError::at_pointer(file, "/components/schemas", msg));
    }
    let mut found = None;
    for (path, method, op) in crate::walk::operations(doc) {
        let path = path.to_owned();
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut one = doc.clone();
        let mut item = doc["paths"][&path].clone();
        if let Some(obj) = item.as_object_mut() {
            obj.retain(|k, _| k == method || !METHODS.contains(&k.as_str()));
        }
        one["paths"] = json!({ path.clone(): item });
        if let Err(m) = to_openapi(file, &one)
            .map_err(|e| e.message)
            .and_then(|s| run(&s))
        {
            found = Some(BuildError::new(
                file,
                Location::Operation {
                    method: method.to_ascii_uppercase(),
                    path,
                    operation_id: id,
                },
                m,
            ));
            break;
        }
    }
    found
}

/// Copies schema `name` and everything it references into `out`'s components.
fn copy_closure(doc: &Value, name: &str, out: &mut Value) {
    for (n, schema) in crate::walk::schema_closure(doc, name) {
        out["components"]["schemas"][n] = schema.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path must not change the error: the pointer of the value that does not fit, and serde's message.
    #[test]
    fn a_document_that_does_not_fit_names_its_pointer() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": 5, "version": "1"},
            "paths": {}
        });
        let e = to_openapi("spec.yaml", &doc).expect_err("a number is not a description");
        assert_eq!(
            e.location,
            Location::Pointer("/info/title".to_owned()),
            "{e}"
        );
        assert_eq!(
            e.message,
            "does not fit the OpenAPI 3.0 model after normalisation: \
             invalid type: integer `5`, expected a string"
        );
        assert!(
            e.hint.as_deref().is_some_and(|h| h.contains("rules")),
            "{e}"
        );
    }

    #[test]
    fn a_document_that_fits_converts() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}
        });
        let spec = to_openapi("spec.yaml", &doc).expect("fits");
        assert_eq!(spec.paths.paths.len(), 1);
    }
}
