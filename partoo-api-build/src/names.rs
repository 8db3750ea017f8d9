//! The operation name table (`openapi/names.yaml`): `METHOD /path: operationId` for operations upstream leaves
//! unnamed or names badly, so that a later sync of the spec does not rename the client's methods.

use serde_json::Value;

use crate::error::{BuildError, Location};

/// One line of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameEntry {
    /// Upper-case method, e.g. `POST`.
    pub method: String,
    /// Path template, e.g. `/org/{org_id}`.
    pub path: String,
    /// The operationId to use (camelCase; the method is its snake_case form).
    pub name: String,
    /// 1-based line in the table file, for messages.
    pub line: usize,
}

/// The parsed table; empty by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameTable {
    /// File the table came from (for messages).
    pub file: String,
    /// Entries in file order.
    pub entries: Vec<NameEntry>,
}

impl NameTable {
    /// Reads and parses a table file.
    pub fn load(path: &std::path::Path) -> Result<Self, BuildError> {
        let file = path.display().to_string();
        let bytes = crate::load::read_capped(path, 1024 * 1024)
            .map_err(|msg| BuildError::new(&file, Location::Input, msg))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            BuildError::new(&file, Location::Input, "the name table is not valid UTF-8")
        })?;
        Self::parse(&file, &text)
    }

    /// Parses a table: a YAML mapping from `"METHOD /path"` to an operationId.
    pub fn parse(file: &str, text: &str) -> Result<Self, BuildError> {
        // A key given twice is refused (with its line) rather than the last one silently winning.
        let value: Value = crate::load::parse_unique_yaml(text).map_err(|e| {
            let (line, column) = e.at.unwrap_or((1, 1));
            BuildError::new(
                file,
                Location::Text { line, column },
                format!("invalid YAML: {}", e.message),
            )
        })?;
        let map = match value {
            Value::Null => {
                return Ok(Self {
                    file: file.to_owned(),
                    entries: Vec::new(),
                });
            }
            Value::Object(map) => map,
            _ => {
                return Err(BuildError::new(
                    file,
                    Location::Text { line: 1, column: 1 },
                    "the name table must be a mapping of `METHOD /path: operationId`",
                ));
            }
        };
        let mut entries = Vec::new();
        for (key, name) in map {
            let line = line_of_key(text, &key);
            let at = |msg: String| BuildError::new(file, Location::Text { line, column: 1 }, msg);
            let (method, path) = key
                .split_once(' ')
                .ok_or_else(|| at(format!("key {key:?} is not of the form `METHOD /path`")))?;
            let method = method.to_ascii_uppercase();
            if !crate::walk::METHODS.contains(&method.to_ascii_lowercase().as_str())
                || !path.starts_with('/')
            {
                return Err(at(format!("key {key:?} is not of the form `METHOD /path`")));
            }
            let Some(name) = name.as_str().filter(|n| is_identifier(n)) else {
                return Err(at(format!(
                    "the name for {key:?} must be an identifier like `createOrganization`"
                )));
            };
            if let Some(first) = entries
                .iter()
                .find(|e: &&NameEntry| e.method == method && e.path == path)
            {
                return Err(at(format!(
                    "`{method} {path}` is given twice (first on line {}): which name applies?",
                    first.line
                )));
            }
            entries.push(NameEntry {
                method,
                path: path.to_owned(),
                name: name.to_owned(),
                line,
            });
        }
        Ok(Self {
            file: file.to_owned(),
            entries,
        })
    }

    /// The name for `method` (any case) and `path`, if listed.
    pub fn lookup(&self, method: &str, path: &str) -> Option<&NameEntry> {
        self.entries
            .iter()
            .find(|e| e.method.eq_ignore_ascii_case(method) && e.path == path)
    }
}

/// 1-based line on which `key` is written as a mapping key (`key:`, `"key":` or `'key':`), else 1. A plain
/// `contains` would match a comment or a longer key first (`POST /org` inside `POST /org/{org_id}: …`).
fn line_of_key(text: &str, key: &str) -> usize {
    let forms = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    text.lines()
        .position(|l| forms.iter().any(|f| l.trim_start().starts_with(f.as_str())))
        .map_or(1, |i| i + 1)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
