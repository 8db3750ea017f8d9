//! What the normaliser changed, rule by rule, so a maintainer can see which upstream defects are still live.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Why a rule exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleKind {
    /// OpenAPI 3.1 → 3.0.3, because progenitor and openapiv3 read only 3.0.
    Conversion,
    /// The upstream document is wrong (invalid or self-contradictory); we repair what it meant.
    Defect,
    /// The document is valid but progenitor mishandles it, or our typing policy differs from its default.
    Adaptation,
}

impl RuleKind {
    /// Lower-case label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            RuleKind::Conversion => "conversion",
            RuleKind::Defect => "defect",
            RuleKind::Adaptation => "adaptation",
        }
    }
}

/// One site a rule changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Rule name, as in [`crate::rules::RULES`].
    pub rule: &'static str,
    /// Kind of that rule.
    pub kind: RuleKind,
    /// JSON pointer of the site, in the document as it was when the rule ran.
    pub pointer: String,
    /// What was done there.
    pub detail: String,
}

/// Everything the pipeline has to say besides the generated code.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Every change, in the order the rules made them.
    pub changes: Vec<Change>,
    /// Remarks that are not changes (e.g. a name-table entry that matched nothing).
    pub notes: Vec<String>,
}

impl Report {
    /// Number of changes made by rules of `kind`.
    pub fn count_kind(&self, kind: RuleKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// Changes grouped by rule name, in rule order of first appearance.
    pub fn by_rule(&self) -> Vec<(&'static str, RuleKind, Vec<&Change>)> {
        let mut order: Vec<&'static str> = Vec::new();
        let mut groups: BTreeMap<&'static str, (RuleKind, Vec<&Change>)> = BTreeMap::new();
        for c in &self.changes {
            let entry = groups.entry(c.rule).or_insert_with(|| {
                order.push(c.rule);
                (c.kind, Vec::new())
            });
            entry.1.push(c);
        }
        order
            .into_iter()
            .filter_map(|r| groups.remove(r).map(|(k, v)| (r, k, v)))
            .collect()
    }

    /// A one-line summary, e.g. `12 changes (conversion 3, defect 9, adaptation 0) by 4 rules`.
    pub fn summary_line(&self) -> String {
        format!(
            "{} changes (conversion {}, defect {}, adaptation {}) by {} rules",
            self.changes.len(),
            self.count_kind(RuleKind::Conversion),
            self.count_kind(RuleKind::Defect),
            self.count_kind(RuleKind::Adaptation),
            self.by_rule().len()
        )
    }

    /// The report grouped by rule: rule, kind, count, then the first `sites` sites.
    pub fn render(&self, sites: usize) -> String {
        let mut out = String::new();
        for (rule, kind, changes) in self.by_rule() {
            let _ = writeln!(out, "{rule} ({}) x{}", kind.label(), changes.len());
            for c in changes.iter().take(sites) {
                let _ = writeln!(out, "    {}  {}", c.pointer, c.detail);
            }
            if changes.len() > sites {
                let _ = writeln!(out, "    … {} more", changes.len() - sites);
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}
