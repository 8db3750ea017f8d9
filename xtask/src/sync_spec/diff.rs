//! The change report of `sync-spec`: what a new spec changes in the generated client compared with the
//! committed one, with a semver hint.
//!
//! Operations are keyed by `METHOD path`. For each operation present in both, the parameters, the body,
//! the success type, deprecation and the property names of the request body and first 2xx response schema
//! (one level, `$ref`s and `allOf` resolved) are compared. A different Rust method for the same key is a
//! rename. Defect rules are compared by name between the two normalisation reports.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use partoo_api_build::{Generated, MethodInfo, RuleKind};
use serde_json::Value;

/// How a change affects users of the generated client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Semver {
    /// Nothing a user can see.
    #[default]
    None,
    /// Only additions: a minor release.
    Additive,
    /// Something removed, renamed or retyped: a major (0.x: minor) release.
    Breaking,
}

impl Semver {
    fn label(self) -> &'static str {
        match self {
            Semver::None => "none",
            Semver::Additive => "additive",
            Semver::Breaking => "breaking",
        }
    }
}

/// Everything that differs between two pipeline runs.
#[derive(Debug, Default)]
pub(crate) struct Diff {
    /// Operations only in the new spec, as `METHOD path → rust_name`.
    pub(crate) added: Vec<String>,
    /// Operations only in the old spec.
    pub(crate) removed: Vec<String>,
    /// `METHOD path: old → new`.
    pub(crate) renamed: Vec<String>,
    /// Per operation (`METHOD path (rust_name)`), what changed.
    pub(crate) changed: Vec<(String, Vec<String>)>,
    /// Defect rules that apply to the new spec but not the old one, with their site count.
    pub(crate) defects_now: Vec<String>,
    /// Defect rules that applied to the old spec and no longer do.
    pub(crate) defects_gone: Vec<String>,
    /// Tags (cargo features of `partoo-api`) only in the new spec, as `Tag (feature `tag`)`.
    pub(crate) tags_added: Vec<String>,
    /// Tags only in the old spec: `cargo xtask features` would delete their features.
    pub(crate) tags_removed: Vec<String>,
    /// How the new tags compare with the features of `partoo-api/Cargo.toml` (filled in by `sync-spec`).
    pub(crate) tag_features: Vec<String>,
    /// Notes of the new run (e.g. name-table entries that match nothing).
    pub(crate) notes: Vec<String>,
    /// The semver hint and why.
    pub(crate) semver: Semver,
    /// The kinds of breaking and additive changes seen.
    pub(crate) reasons: BTreeSet<(Semver, String)>,
}

impl Diff {
    fn bump(&mut self, level: Semver, reason: &str) {
        self.semver = self.semver.max(level);
        if level != Semver::None {
            self.reasons.insert((level, reason.to_owned()));
        }
    }

    /// Whether nothing differs.
    pub(crate) fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.changed.is_empty()
            && self.defects_now.is_empty()
            && self.defects_gone.is_empty()
            && self.tags_added.is_empty()
            && self.tags_removed.is_empty()
    }

    /// One line: counts and the semver hint.
    pub(crate) fn summary_line(&self) -> String {
        format!(
            "operations: {} added, {} removed, {} changed; methods renamed: {}; tags: {} added, {} removed; defect rules: {} new, {} gone; semver: {}",
            self.added.len(),
            self.removed.len(),
            self.changed.len(),
            self.renamed.len(),
            self.tags_added.len(),
            self.tags_removed.len(),
            self.defects_now.len(),
            self.defects_gone.len(),
            self.semver.label()
        )
    }

    /// The report as text (stdout) or Markdown (`--report FILE`), headed by `title`.
    pub(crate) fn render(&self, title: &str, markdown: bool) -> String {
        let mut out = String::new();
        let kinds = |level: Semver| -> String {
            let names: Vec<&str> = self
                .reasons
                .iter()
                .filter(|(l, _)| *l == level)
                .map(|(_, r)| r.as_str())
                .collect();
            names.join(", ")
        };
        let (breaking, additive) = (kinds(Semver::Breaking), kinds(Semver::Additive));
        let why = match (breaking.is_empty(), additive.is_empty()) {
            (true, true) => String::new(),
            (true, false) => format!(" ({additive})"),
            (false, true) => format!(" ({breaking})"),
            (false, false) => format!(" ({breaking}; also additive: {additive})"),
        };
        let label = self.semver.label();
        if markdown {
            let _ = writeln!(
                out,
                "# {title}\n\n**semver hint: {label}**{why}\n\n{}",
                self.summary_line()
            );
        } else {
            let _ = writeln!(
                out,
                "{title}\nsemver hint: {label}{why}\n{}",
                self.summary_line()
            );
        }
        if self.is_empty() {
            out.push_str("\nno change to operations, methods, tags or defect rules\n");
        }
        list(&mut out, "operations added", &self.added, markdown);
        list(&mut out, "operations removed", &self.removed, markdown);
        list(&mut out, "methods renamed", &self.renamed, markdown);
        list(&mut out, "tags added", &self.tags_added, markdown);
        list(&mut out, "tags removed", &self.tags_removed, markdown);
        list(&mut out, "tag features", &self.tag_features, markdown);
        if !self.changed.is_empty() {
            section(&mut out, "operations changed", self.changed.len(), markdown);
            for (op, details) in &self.changed {
                let _ = writeln!(out, "{}", bullet(op, markdown, 0));
                for detail in details {
                    let _ = writeln!(out, "{}", bullet(detail, markdown, 1));
                }
            }
        }
        list(
            &mut out,
            "defect rules now applying",
            &self.defects_now,
            markdown,
        );
        list(
            &mut out,
            "defect rules no longer applying",
            &self.defects_gone,
            markdown,
        );
        list(&mut out, "notes", &self.notes, markdown);
        out
    }
}

fn list(out: &mut String, heading: &str, items: &[String], markdown: bool) {
    if items.is_empty() {
        return;
    }
    section(out, heading, items.len(), markdown);
    for item in items {
        let _ = writeln!(out, "{}", bullet(item, markdown, 0));
    }
}

fn section(out: &mut String, heading: &str, n: usize, markdown: bool) {
    if markdown {
        let _ = writeln!(out, "\n## {heading} ({n})\n");
    } else {
        let _ = writeln!(out, "\n{heading} ({n}):");
    }
}

fn bullet(item: &str, markdown: bool, depth: usize) -> String {
    if markdown {
        format!("{}- {item}", "  ".repeat(depth))
    } else {
        format!("  {}{item}", "    ".repeat(depth))
    }
}

/// Compares the old run (if the committed spec generated) with the new one.
pub(crate) fn diff(old: Option<&Generated>, new: &Generated) -> Diff {
    let mut d = Diff {
        notes: new.report.notes.clone(),
        ..Diff::default()
    };
    let key = |m: &MethodInfo| format!("{} {}", m.method, m.path);
    let old_ops: BTreeMap<String, &MethodInfo> = old
        .iter()
        .flat_map(|g| &g.methods)
        .map(|m| (key(m), m))
        .collect();
    let new_ops: BTreeMap<String, &MethodInfo> = new.methods.iter().map(|m| (key(m), m)).collect();
    for (k, m) in &new_ops {
        if !old_ops.contains_key(k) {
            d.added.push(format!("{k} → `{}`", m.rust_name));
            d.bump(Semver::Additive, "operations added");
        }
    }
    for (k, m) in &old_ops {
        let Some(n) = new_ops.get(k) else {
            d.removed.push(format!("{k} (was `{}`)", m.rust_name));
            d.bump(Semver::Breaking, "operations removed");
            continue;
        };
        if m.rust_name != n.rust_name {
            d.renamed
                .push(format!("{k}: `{}` → `{}`", m.rust_name, n.rust_name));
            d.bump(Semver::Breaking, "methods renamed");
        }
        let old_doc = old.map_or(&Value::Null, |g| &g.normalised);
        let details = compare_operation(&mut d, m, old_doc, n, &new.normalised);
        if !details.is_empty() {
            d.changed
                .push((format!("{k} (`{}`)", n.rust_name), details));
        }
    }
    tags::compare_specs(&mut d, old.map(|g| &g.normalised), &new.normalised);
    let defects = |g: Option<&Generated>| -> BTreeMap<&'static str, usize> {
        g.map(|g| g.report.by_rule())
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, kind, _)| *kind == RuleKind::Defect)
            .map(|(rule, _, sites)| (rule, sites.len()))
            .collect()
    };
    let (before, after) = (defects(old), defects(Some(new)));
    for (rule, n) in &after {
        if !before.contains_key(rule) {
            d.defects_now.push(format!("{rule} ({})", sites(*n)));
        }
    }
    for (rule, n) in &before {
        if !after.contains_key(rule) {
            d.defects_gone.push(format!("{rule} (was {})", sites(*n)));
        }
    }
    d
}

/// The changes of one operation present in both runs; bumps the semver hint as it goes.
fn compare_operation(
    d: &mut Diff,
    old: &MethodInfo,
    old_doc: &Value,
    new: &MethodInfo,
    new_doc: &Value,
) -> Vec<String> {
    let mut out = Vec::new();
    let params = |m: &MethodInfo| -> BTreeMap<String, (String, bool)> {
        m.parameters
            .iter()
            .map(|p| {
                let (name, rest) = p.split_once(": ").unwrap_or((p, ""));
                let (place, required) = rest
                    .split_once(", ")
                    .map_or((rest, false), |(pl, r)| (pl, r == "required"));
                (format!("{name} ({place})"), (place.to_owned(), required))
            })
            .collect()
    };
    let (before, after) = (params(old), params(new));
    for (name, (_, required)) in &after {
        match before.get(name) {
            None if *required => {
                out.push(format!("parameter added: {name}, required"));
                d.bump(Semver::Breaking, "required parameters added");
            }
            None => {
                out.push(format!("parameter added: {name}"));
                d.bump(Semver::Additive, "optional parameters added");
            }
            Some((_, was)) if was != required => {
                out.push(format!(
                    "parameter {name}: {}",
                    if *required {
                        "now required"
                    } else {
                        "now optional"
                    }
                ));
                let level = if *required {
                    Semver::Breaking
                } else {
                    Semver::Additive
                };
                d.bump(
                    level,
                    if *required {
                        "parameters made required"
                    } else {
                        "parameters made optional"
                    },
                );
            }
            Some(_) => {}
        }
    }
    for name in before.keys().filter(|n| !after.contains_key(*n)) {
        out.push(format!("parameter removed: {name}"));
        d.bump(Semver::Breaking, "parameters removed");
    }
    if old.has_body != new.has_body {
        out.push(
            if new.has_body {
                "request body added"
            } else {
                "request body removed"
            }
            .to_owned(),
        );
        d.bump(
            if new.has_body {
                Semver::Additive
            } else {
                Semver::Breaking
            },
            "request body added or removed",
        );
    }
    if old.success_type != new.success_type {
        out.push(format!(
            "success type: `{}` → `{}`",
            old.success_type, new.success_type
        ));
        d.bump(Semver::Breaking, "success types changed");
    }
    if old.deprecated != new.deprecated {
        out.push(
            if new.deprecated {
                "now deprecated"
            } else {
                "no longer deprecated"
            }
            .to_owned(),
        );
        d.bump(Semver::Additive, "deprecations");
    }
    tags::compare_operation(
        d,
        &tags::of_operation(operation(old_doc, old)),
        &tags::of_operation(operation(new_doc, new)),
        &mut out,
    );
    for (what, get) in [
        ("request", request_fields as Fields),
        ("response", response_fields as Fields),
    ] {
        let (a, b) = (get(old_doc, old), get(new_doc, new));
        let plus: Vec<&String> = b.difference(&a).collect();
        let minus: Vec<&String> = a.difference(&b).collect();
        if !plus.is_empty() {
            out.push(format!("{what} fields added: {}", join(&plus)));
            d.bump(Semver::Additive, &format!("{what} fields added"));
        }
        if !minus.is_empty() {
            out.push(format!("{what} fields removed: {}", join(&minus)));
            d.bump(Semver::Breaking, &format!("{what} fields removed"));
        }
    }
    out
}

fn sites(n: usize) -> String {
    if n == 1 {
        "1 site".to_owned()
    } else {
        format!("{n} sites")
    }
}

type Fields = fn(&Value, &MethodInfo) -> BTreeSet<String>;

fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The operation object of `m` in a (normalised) document.
fn operation<'a>(doc: &'a Value, m: &MethodInfo) -> Option<&'a Value> {
    doc.get("paths")?
        .get(&m.path)?
        .get(m.method.to_ascii_lowercase())
}

/// Property names of the request body schema.
fn request_fields(doc: &Value, m: &MethodInfo) -> BTreeSet<String> {
    operation(doc, m)
        .and_then(|op| op.get("requestBody"))
        .map(|body| media_fields(doc, body))
        .unwrap_or_default()
}

/// Property names of the first 2xx response's schema.
fn response_fields(doc: &Value, m: &MethodInfo) -> BTreeSet<String> {
    operation(doc, m)
        .and_then(|op| op.get("responses"))
        .and_then(Value::as_object)
        .and_then(|r| {
            r.iter()
                .filter(|(code, _)| code.starts_with('2'))
                .min_by_key(|(code, _)| code.as_str())
        })
        .map(|(_, response)| media_fields(doc, response))
        .unwrap_or_default()
}

/// Fields of the schema of a request body or response (JSON media type preferred).
fn media_fields(doc: &Value, holder: &Value) -> BTreeSet<String> {
    let holder = partoo_api_build::walk::deref(doc, holder);
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return BTreeSet::new();
    };
    let media = content
        .iter()
        .find(|(k, _)| k.contains("json"))
        .or_else(|| content.iter().next())
        .map(|(_, v)| v);
    media
        .and_then(|m| m.get("schema"))
        .map(|s| schema_fields(doc, s, 0))
        .unwrap_or_default()
}

/// One level of property names: `$ref` followed, `allOf`/`oneOf`/`anyOf` members merged, arrays looked through.
fn schema_fields(doc: &Value, schema: &Value, depth: usize) -> BTreeSet<String> {
    let schema = partoo_api_build::walk::deref(doc, schema);
    let mut out: BTreeSet<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    if depth < 4 {
        for key in ["allOf", "oneOf", "anyOf"] {
            for member in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.extend(schema_fields(doc, member, depth + 1));
            }
        }
        if let Some(items) = schema.get("items") {
            out.extend(
                schema_fields(doc, items, depth + 1)
                    .into_iter()
                    .map(|f| format!("[].{f}")),
            );
        }
    }
    out
}

mod tags;

#[cfg(test)]
mod tests;
