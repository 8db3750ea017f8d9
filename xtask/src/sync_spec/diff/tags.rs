//! Tags in the change report: each tag is a cargo feature of `partoo-api` (`cargo xtask features`), so a tag
//! removed upstream deletes a feature users may enable, and an operation leaving a tag disappears from builds
//! that enable only that tag.

use std::collections::BTreeSet;

use partoo_api_build::select::{operation_tags, spec_tags};
use serde_json::Value;

use super::{Diff, Semver};

/// Compares the tags of the old document (if any) with those of the new one: tags added and removed.
pub(super) fn compare_specs(d: &mut Diff, old: Option<&Value>, new: &Value) {
    let describe = |(tag, feature): &(String, String)| format!("{tag} (feature `{feature}`)");
    let before: BTreeSet<(String, String)> =
        old.map(spec_tags).unwrap_or_default().into_iter().collect();
    let after: BTreeSet<(String, String)> = spec_tags(new).into_iter().collect();
    let features = |set: &BTreeSet<(String, String)>| -> BTreeSet<String> {
        set.iter().map(|(_, f)| f.clone()).collect()
    };
    let (old_features, new_features) = (features(&before), features(&after));
    for tag in after.iter().filter(|(_, f)| !old_features.contains(f)) {
        d.tags_added.push(describe(tag));
        d.bump(Semver::Additive, "tag features added");
    }
    for tag in before.iter().filter(|(_, f)| !new_features.contains(f)) {
        d.tags_removed.push(describe(tag));
        d.bump(Semver::Breaking, "tag features removed");
    }
}

/// The tags of one operation object (empty when it has none).
pub(super) fn of_operation(op: Option<&Value>) -> BTreeSet<String> {
    op.and_then(Value::as_object)
        .into_iter()
        .flat_map(operation_tags)
        .map(str::to_owned)
        .collect()
}

/// Compares one operation's tags; an operation leaving a tag is breaking (builds enabling only that tag lose
/// it), one only gaining tags is additive.
pub(super) fn compare_operation(
    d: &mut Diff,
    before: &BTreeSet<String>,
    after: &BTreeSet<String>,
    out: &mut Vec<String>,
) {
    if before == after {
        return;
    }
    let list = |set: &BTreeSet<String>| {
        if set.is_empty() {
            "(none)".to_owned()
        } else {
            set.iter().cloned().collect::<Vec<_>>().join(", ")
        }
    };
    out.push(format!("tags: {} → {}", list(before), list(after)));
    if before.is_subset(after) {
        d.bump(Semver::Additive, "operations added to tags");
    } else {
        d.bump(Semver::Breaking, "operations moved between tags");
    }
}
