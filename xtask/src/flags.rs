//! A tiny `--flag value` parser shared by the tasks (no CLI framework needed for a handful of options).
//! Each task declares its options ([`Spec`]): value options take exactly one non-empty value (`--name value`
//! or `--name=value`), switches take none. Anything else is an error naming the flag.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The options a task knows: those that take a value and the bare switches.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    /// Options written `--name value` or `--name=value`.
    pub(crate) values: &'static [&'static str],
    /// Options written `--name` alone.
    pub(crate) switches: &'static [&'static str],
}

impl Spec {
    /// Every option, for error messages.
    fn known(&self) -> String {
        let mut all: Vec<String> = self.values.iter().map(|v| format!("--{v} VALUE")).collect();
        all.extend(self.switches.iter().map(|s| format!("--{s}")));
        if all.is_empty() {
            "none".to_owned()
        } else {
            all.join(", ")
        }
    }
}

/// Parsed command-line options of one task.
pub(crate) struct Flags {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
}

impl Flags {
    /// Parses `args` against `spec`. Refuses an unknown flag, a value option without a value (or with an
    /// empty one), a switch given a value, an option given twice, and any bare word.
    pub(crate) fn parse(args: Vec<String>, spec: &Spec) -> Result<Self, String> {
        let mut values = BTreeMap::new();
        let mut switches = Vec::new();
        let mut it = args.into_iter().peekable();
        while let Some(arg) = it.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!(
                    "unexpected argument `{arg}` (options: {})",
                    spec.known()
                ));
            };
            let (name, inline) = match name.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (name.to_owned(), None),
            };
            if values.contains_key(&name) || switches.contains(&name) {
                return Err(format!("--{name} is given twice"));
            }
            if spec.switches.contains(&name.as_str()) {
                if let Some(v) = inline {
                    return Err(format!("--{name} takes no value (got `{v}`)"));
                }
                if let Some(next) = it.peek().filter(|n| !n.starts_with("--")) {
                    return Err(format!("--{name} takes no value (got `{next}`)"));
                }
                switches.push(name);
            } else if spec.values.contains(&name.as_str()) {
                let value = match inline {
                    Some(v) => v,
                    None => match it.peek() {
                        Some(next) if !next.starts_with("--") => it.next().unwrap_or_default(),
                        _ => return Err(format!("--{name} needs a value")),
                    },
                };
                if value.trim().is_empty() {
                    return Err(format!("--{name}: the value is empty"));
                }
                values.insert(name, value);
            } else {
                return Err(format!(
                    "unknown option `--{name}` (options: {})",
                    spec.known()
                ));
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

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        values: &["from", "root"],
        switches: &["check"],
    };

    fn parse(args: &[&str]) -> Result<Flags, String> {
        Flags::parse(args.iter().map(|s| (*s).to_owned()).collect(), &SPEC)
    }

    #[test]
    fn values_and_switches_are_parsed() {
        let f = parse(&["--from", "a", "--check", "--root=r"]).unwrap();
        assert_eq!(f.value("from"), Some("a"));
        assert_eq!(f.value("root"), Some("r"));
        assert!(f.switch("check"));
        assert!(!parse(&[]).unwrap().switch("check"));
    }

    #[test]
    fn misuse_is_an_error_naming_the_flag() {
        for (args, needle) in [
            (&["--from"][..], "--from needs a value"),
            (&["--from", "--check"], "--from needs a value"),
            (&["--from", ""], "--from: the value is empty"),
            (&["--from="], "--from: the value is empty"),
            (&["--check", "1"], "--check takes no value (got `1`)"),
            (&["--check=yes"], "--check takes no value (got `yes`)"),
            (&["--nope"], "unknown option `--nope`"),
            (&["word"], "unexpected argument `word`"),
            (&["--from", "a", "--from", "b"], "--from is given twice"),
        ] {
            match parse(args) {
                Ok(_) => panic!("{args:?} accepted"),
                Err(e) => assert!(e.contains(needle), "{args:?}: {e}"),
            }
        }
    }
}
