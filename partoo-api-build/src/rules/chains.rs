//! References between the parts of an operation that are not schemas: path items, parameters, request
//! bodies, responses and headers. Schemas have their own rules (`interior_refs`, `ref_cycles`).
//!
//! Two problems, found by a probe with specs that OpenAPI allows (none in Partoo's):
//! - a cycle (`P: {$ref: P}`, or `P → Q → P`) made progenitor follow it until the stack overflowed, which
//!   aborts the process: no error, no place;
//! - a chain (`$ref: P`, `P: {$ref: Q}`, `Q: {name: …}`) is followed to its end by progenitor but one hop by
//!   the pipeline's readers (`walk::follow`), so the name checks saw no parameter at all, and a chained
//!   parameter named like a builder method was generated, for rustc to refuse.

use std::collections::HashSet;

use serde_json::Value;

use super::Ctx;
use crate::error::BuildError;
use crate::walk::{Chain, for_each_ref_site, ref_chain};

/// Refuses a reference cycle among path items, parameters, request bodies, responses and headers, at the
/// first place (in document order, paths before components) that starts one; points every chain of such
/// references at its end (a schema reference ends a chain: schemas are left to their own rules).
pub(super) fn ref_chains(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let doc = &ctx.doc;
    // Most places name a parameter or response directly: each such reference is followed once.
    let mut direct: HashSet<&str> = HashSet::new();
    let mut rewrites = Vec::new();
    let mut cycle = None;
    for_each_ref_site(doc, &mut |ptr, start| {
        if cycle.is_some() || direct.contains(start) {
            return;
        }
        match ref_chain(doc, start) {
            Chain::Cycle(refs) => cycle = Some((ptr.to_string(), refs)),
            Chain::To(refs) if refs.len() > 1 => rewrites.push((ptr.to_string(), refs)),
            Chain::To(_) => {
                direct.insert(start);
            }
        }
    });
    if let Some((pointer, refs)) = cycle {
        return Err(BuildError::at_pointer(
            ctx.file,
            &pointer,
            format!("reference cycle: {}", refs.join(" → ")),
        )
        .with_hint(
            "a `$ref` must end at a parameter, request body, response, header or path item that is not \
             itself a reference back",
        ));
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
