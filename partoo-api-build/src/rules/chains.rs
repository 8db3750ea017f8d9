//! References between the parts of an operation that are not schemas: path items, parameters, request
//! bodies, responses and headers. Schemas have their own rules (`interior_refs`, `ref_cycles`).
//!
//! Two problems, found by a probe with specs that OpenAPI allows (none in Partoo's):
//! - a cycle (`P: {$ref: P}`, or `P → Q → P`) made progenitor follow it until the stack overflowed, which
//!   aborts the process: no error, no place;
//! - a chain (`$ref: P`, `P: {$ref: Q}`, `Q: {name: …}`) is followed to its end by progenitor but one hop by
//!   the pipeline's readers (`walk::follow`), so the name checks saw no parameter at all, and a chained
//!   parameter named like a builder method was generated, for rustc to refuse.

use serde_json::Value;

use super::Ctx;
use crate::error::{BuildError, pointer_push};
use crate::walk::{SCHEMA_REF_PREFIX, resolve};

/// HTTP methods a path item may hold (OpenAPI 3.0).
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Component kinds whose entries may be `$ref`s that this rule follows.
const KINDS: [&str; 4] = ["parameters", "requestBodies", "responses", "headers"];

/// Refuses a reference cycle among path items, parameters, request bodies, responses and headers, at the
/// first place (in document order, paths before components) that starts one; points every chain of such
/// references at its end (a schema reference ends a chain: schemas are left to their own rules).
pub(super) fn ref_chains(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let sites = sites(&ctx.doc);
    let mut rewrites = Vec::new();
    for pointer in sites {
        let Some(start) = ctx
            .doc
            .pointer(&pointer)
            .and_then(|v| v.get("$ref"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let chain = chain(&ctx.doc, start);
        match chain {
            Chain::Cycle(refs) => {
                return Err(BuildError::at_pointer(
                    ctx.file,
                    &pointer,
                    format!("reference cycle: {}", refs.join(" → ")),
                )
                .with_hint(
                    "a `$ref` must end at a parameter, request body, response, header or path item \
                     that is not itself a reference back",
                ));
            }
            Chain::To(refs) if refs.len() > 1 => rewrites.push((pointer, refs)),
            Chain::To(_) => {}
        }
    }
    for (pointer, refs) in rewrites {
        let end = refs.last().cloned().unwrap_or_default();
        if let Some(Value::Object(site)) = ctx.doc.pointer_mut(&pointer) {
            site.insert("$ref".to_owned(), Value::String(end.clone()));
        }
        ctx.change(pointer, format!("{}: points at {end}", refs.join(" → ")));
    }
    Ok(())
}

/// Where a chain of references leads.
enum Chain {
    /// The references followed, the last one's target not a reference (or a schema, or nothing: the
    /// `dangling_refs` rule, run before, refuses references to nothing).
    To(Vec<String>),
    /// The references followed, ending with the first one met again.
    Cycle(Vec<String>),
}

/// Follows `start` while its target is itself a `$ref` (schema references end a chain).
fn chain(doc: &Value, start: &str) -> Chain {
    let mut refs = vec![start.to_owned()];
    let mut current = start;
    while !current.starts_with(SCHEMA_REF_PREFIX) {
        let Some(next) = resolve(doc, current)
            .and_then(|target| target.get("$ref"))
            .and_then(Value::as_str)
        else {
            break;
        };
        let seen = refs.iter().any(|r| r == next);
        refs.push(next.to_owned());
        if seen {
            return Chain::Cycle(refs);
        }
        current = next;
    }
    Chain::To(refs)
}

/// The JSON pointers of every place that may hold such a reference, in document order: each path item,
/// its parameters, and each operation's parameters, request body, responses and their headers; then each
/// component of [`KINDS`] and the headers of component responses.
fn sites(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let entries = |value: Option<&Value>, base: &str, out: &mut Vec<String>| match value {
        Some(Value::Array(list)) => out.extend((0..list.len()).map(|i| format!("{base}/{i}"))),
        Some(Value::Object(map)) => out.extend(map.keys().map(|k| pointer_push(base, k))),
        _ => {}
    };
    let headers_of = |responses: Option<&Value>, base: &str, out: &mut Vec<String>| {
        for (code, response) in responses.and_then(Value::as_object).into_iter().flatten() {
            let at = pointer_push(base, code);
            entries(response.get("headers"), &format!("{at}/headers"), out);
        }
    };
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let base = pointer_push("/paths", path);
        out.push(base.clone());
        entries(
            item.get("parameters"),
            &format!("{base}/parameters"),
            &mut out,
        );
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let at = format!("{base}/{method}");
            entries(op.get("parameters"), &format!("{at}/parameters"), &mut out);
            out.push(format!("{at}/requestBody"));
            let responses = op.get("responses");
            entries(responses, &format!("{at}/responses"), &mut out);
            headers_of(responses, &format!("{at}/responses"), &mut out);
        }
    }
    let components = doc.get("components");
    for kind in KINDS {
        let base = format!("/components/{kind}");
        entries(components.and_then(|c| c.get(kind)), &base, &mut out);
    }
    let responses = components.and_then(|c| c.get("responses"));
    headers_of(responses, "/components/responses", &mut out);
    out
}
