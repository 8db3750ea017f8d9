//! Tag selection: keep only the operations of some tags, and the components they reach.
//!
//! A user who calls only the review endpoints should not pay for generating and compiling the other 140
//! operations. Each tag of the spec is a cargo feature of `partoo-api`, named by [`tag_feature`]; the build
//! script hands the enabled ones to [`select_tags`] (through [`crate::Options::tags`]), which runs on the
//! normalised document, before progenitor:
//!
//! - an operation is kept when any of its tags is selected (an operation in several tags comes with any of
//!   them); an operation without tags is always kept, since no feature could bring it back;
//! - every component (schema, parameter, response, request body, header) that a kept operation does not reach
//!   through `$ref`s or discriminator mappings is removed, so typify generates none of it;
//! - roots that the hand-written layer needs are kept whatever the selection: the webhook payload schemas
//!   (webhook events are decoded whatever endpoints are called) and the shared error body
//!   [`crate::rules::ERROR_SCHEMA`] (the runtime's `Error` decodes it).
//!
//! `features` may hold other names too (the build script passes every enabled cargo feature): names that are
//! no tag's feature select nothing. Cargo refuses unknown features, and a test of `partoo-api` checks that its
//! features and the spec's tags agree, so a tag cannot lack its feature unnoticed.

use std::collections::{BTreeSet, HashSet};

use heck::ToKebabCase;
use serde_json::Value;

use crate::rules::{ERROR_SCHEMA, EVENTS_EXTENSION};
use crate::walk::{self, METHODS};

/// The cargo feature of a tag: its name in kebab case (`Groups and Sections` → `groups-and-sections`,
/// `ApiKeys` → `api-keys`).
pub fn tag_feature(tag: &str) -> String {
    tag.to_kebab_case()
}

/// Every tag the document's operations use, as `(tag, feature)`, sorted by feature; two tags with the same
/// feature name (`Api Keys`, `ApiKeys`) share it.
pub fn spec_tags(doc: &Value) -> Vec<(String, String)> {
    let mut by_feature = std::collections::BTreeMap::new();
    for (_, _, op) in walk::operations(doc) {
        for tag in operation_tags(op) {
            by_feature
                .entry(tag_feature(tag))
                .or_insert_with(|| tag.to_owned());
        }
    }
    by_feature.into_iter().map(|(f, tag)| (tag, f)).collect()
}

/// The tags of one operation object, in order (those that are strings).
pub fn operation_tags(op: &serde_json::Map<String, Value>) -> impl Iterator<Item = &str> {
    op.get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// What [`select_tags`] kept and removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Operations kept / in the document.
    pub kept_operations: (usize, usize),
    /// Components removed, as `kind/name` (`schemas/Business`).
    pub removed_components: Vec<String>,
}

impl Selection {
    /// One line for the report: `tag features: kept 10 of 150 operations, removed 140 unreachable components`.
    pub fn note(&self) -> String {
        let (kept, all) = self.kept_operations;
        format!(
            "tag features: kept {kept} of {all} operations, removed {} unreachable components",
            self.removed_components.len()
        )
    }
}

/// Keeps the operations of the tags whose feature names are in `features` (see the module docs), then removes
/// the components nothing kept reaches.
pub fn select_tags(doc: &mut Value, features: &BTreeSet<String>) -> Selection {
    let all = walk::operations(doc).len();
    remove_unselected_operations(doc, features);
    let kept = walk::operations(doc).len();
    let removed = prune_components(doc);
    Selection {
        kept_operations: (kept, all),
        removed_components: removed,
    }
}

fn remove_unselected_operations(doc: &mut Value, features: &BTreeSet<String>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        item.retain(|key, op| {
            if !METHODS.contains(&key.as_str()) {
                return true;
            }
            let Some(op) = op.as_object() else {
                return true;
            };
            let mut tags = operation_tags(op).peekable();
            tags.peek().is_none() || tags.any(|t| features.contains(&tag_feature(t)))
        });
    }
    paths.retain(|_, item| {
        item.as_object()
            .is_none_or(|m| m.keys().any(|k| METHODS.contains(&k.as_str())))
    });
}

/// Component kinds whose members a `$ref` can name.
const COMPONENT_KINDS: [&str; 5] = [
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
];

/// Removes the components of [`COMPONENT_KINDS`] not reachable from `paths`, the webhook events and the
/// error schema; returns them as `kind/name`.
fn prune_components(doc: &mut Value) -> Vec<String> {
    let mut reached: HashSet<String> = HashSet::new();
    let mut queue: Vec<String> = Vec::new();
    let mut push = |reference: &str, queue: &mut Vec<String>| {
        if let Some(local) = walk::component_ref(reference)
            && reached.insert(local.to_owned())
        {
            queue.push(local.to_owned());
        }
    };
    if let Some(paths) = doc.get("paths") {
        walk::refs_in(paths, &mut |r| push(r, &mut queue));
    }
    let events = doc.get(EVENTS_EXTENSION).and_then(Value::as_array);
    for event in events.into_iter().flatten() {
        if let Some(schema) = event.get("schema").and_then(Value::as_str) {
            push(&format!("{}{schema}", walk::SCHEMA_REF_PREFIX), &mut queue);
        }
    }
    push(
        &format!("{}{ERROR_SCHEMA}", walk::SCHEMA_REF_PREFIX),
        &mut queue,
    );
    while let Some(local) = queue.pop() {
        let pointer = format!("/components/{local}");
        if let Some(component) = doc.pointer(&pointer) {
            walk::refs_in(component, &mut |r| push(r, &mut queue));
        }
    }
    let mut removed = Vec::new();
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return removed;
    };
    for kind in COMPONENT_KINDS {
        let Some(members) = components.get_mut(kind).and_then(Value::as_object_mut) else {
            continue;
        };
        members.retain(|name, _| {
            // Component names never contain `/` or `~` after normalisation, but escape as a pointer would.
            let local = format!("{kind}/{}", crate::error::escape_segment(name));
            let keep = reached.contains(&local);
            if !keep {
                removed.push(format!("{kind}/{name}"));
            }
            keep
        });
    }
    removed
}
