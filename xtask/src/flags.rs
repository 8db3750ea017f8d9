//! A tiny `--flag value` parser shared by the tasks (no CLI framework needed for a handful of options).

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Parsed command-line options of one task.
pub(crate) struct Flags {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
}

impl Flags {
    /// `--name value` pairs and bare `--switch`es; anything else is an error.
    pub(crate) fn parse(args: Vec<String>) -> Result<Self, String> {
        let mut values = BTreeMap::new();
        let mut switches = Vec::new();
        let mut it = args.into_iter().peekable();
        while let Some(arg) = it.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument `{arg}`"));
            };
            if let Some((k, v)) = name.split_once('=') {
                values.insert(k.to_owned(), v.to_owned());
            } else if it.peek().is_some_and(|next| !next.starts_with("--")) {
                values.insert(name.to_owned(), it.next().unwrap_or_default());
            } else {
                switches.push(name.to_owned());
            }
        }
        Ok(Self { values, switches })
    }

    /// The value of `--name`, if given.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether the bare switch `--name` was given.
    pub(crate) fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    /// Refuses options the task does not know.
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), String> {
        for k in self.values.keys().chain(&self.switches) {
            if !known.contains(&k.as_str()) {
                return Err(format!(
                    "unknown option `--{k}` (known: {})",
                    known.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// The workspace root: `--root`, else the parent of this crate's manifest directory.
pub(crate) fn root(flags: &Flags) -> PathBuf {
    match flags.value("root") {
        Some(r) => PathBuf::from(r),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default(),
    }
}
