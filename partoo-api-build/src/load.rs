//! Stage 1: bytes → `serde_json::Value`, with a size cap, YAML alias-bomb protection and located parse errors.
//!
//! YAML and JSON are both accepted. JSON (a document starting with `{`) goes through serde_json for its precise
//! errors; everything else through serde_norway, whose deserializer refuses alias expansions that would repeat
//! more events than the document holds many times over ("repetition limit exceeded"), and nests at most 128 deep.

pub mod rendition;
mod unique;

use serde_json::Value;

use crate::error::{BuildError, Location};

/// Largest spec we read: Partoo's bundled document is well under 1 MiB, so 16 MiB leaves room without
/// letting a wrong file (a log, an archive) eat memory.
pub const MAX_SPEC_BYTES: u64 = 16 * 1024 * 1024;

/// Reads `path` (refusing files over [`MAX_SPEC_BYTES`] before reading them) and parses it.
pub fn load_path(path: &std::path::Path) -> Result<Value, BuildError> {
    let (name, bytes) = read_spec(path)?;
    parse(&name, &bytes)
}

/// The name messages use for the spec at `path`, and its bytes, capped at [`MAX_SPEC_BYTES`]: the one way
/// [`load_path`] and [`rendition::read`] open a spec.
pub(crate) fn read_spec(path: &std::path::Path) -> Result<(String, Vec<u8>), BuildError> {
    let name = path.display().to_string();
    match read_capped(path, MAX_SPEC_BYTES) {
        Ok(bytes) => Ok((name, bytes)),
        Err(msg) => Err(BuildError::new(name, Location::Input, msg)),
    }
}

/// Reads a file, refusing it if it is larger than `cap` bytes (checked on the metadata and while reading).
pub fn read_capped(path: &std::path::Path, cap: u64) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > cap {
        return Err(too_large(len, cap));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64, cap));
    }
    Ok(bytes)
}

fn too_large(len: u64, cap: u64) -> String {
    format!(
        "file is {len} bytes, over the {cap}-byte limit for an OpenAPI document; \
         is this the bundled spec and not an archive or a log?"
    )
}

/// Parses a spec held in memory. `name` is used in error messages.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Value, BuildError> {
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(BuildError::new(
            name,
            Location::Input,
            too_large(bytes.len() as u64, MAX_SPEC_BYTES),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        BuildError::new(
            name,
            Location::Text { line, column },
            "the file is not valid UTF-8",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.char_indices().find(|(_, c)| !c.is_whitespace());
    let Some((offset, first_char)) = first else {
        return Err(BuildError::new(name, Location::Input, "the file is empty"));
    };
    if first_char == '<' {
        let (line, column) = line_col(text.as_bytes(), offset);
        return Err(BuildError::new(
            name,
            Location::Text { line, column },
            "this is an HTML or XML page, not an OpenAPI document (it starts with `<`)",
        )
        .with_hint("an HTML page usually means a login wall, an error page or a wrong URL"));
    }
    let value: Value = if first_char == '{' {
        serde_json::from_str(text)
            .map(|unique::UniqueValue(v)| v)
            .map_err(|e| {
                BuildError::new(
                    name,
                    Location::Text {
                        line: e.line(),
                        column: e.column(),
                    },
                    format!("invalid JSON: {e}"),
                )
            })?
    } else {
        if let Some(offset) = too_deep_flow(text) {
            let (line, column) = line_col(text.as_bytes(), offset);
            return Err(BuildError::new(
                name,
                Location::Text { line, column },
                format!(
                    "invalid YAML: flow collections (`[`, `{{`) nested more than {MAX_FLOW_DEPTH} deep"
                ),
            ));
        }
        parse_unique_yaml(text).map_err(|e| {
            let location = match e.at {
                Some((line, column)) => Location::Text { line, column },
                None => Location::Input,
            };
            BuildError::new(name, location, format!("invalid YAML: {}", e.message))
        })?
    };
    check_version(name, text, &value)?;
    Ok(value)
}

/// Why YAML text did not parse: serde_norway's message, and where (line and column, from 1) when known.
pub(crate) struct YamlError {
    pub(crate) at: Option<(usize, usize)>,
    pub(crate) message: String,
}

/// YAML text as a `Value`, refusing a key given twice in one mapping (see `unique`) at that second key
/// (serde_norway places such an error at the start of the mapping).
pub(crate) fn parse_unique_yaml(text: &str) -> Result<Value, YamlError> {
    unique::parse_yaml(text).map_err(|(e, repeated)| {
        let mut message = e.to_string();
        let at = e.location().map(|l| (l.line(), l.column()));
        let at = match (at, repeated) {
            (Some((line, column)), Some(key)) => match unique::second_key(text, line, column, &key)
            {
                Some(second) => {
                    // serde_norway's own " at line L column C" is the mapping's start: say what it is.
                    let start = format!(" at line {line} column {column}");
                    if let Some(bare) = message.strip_suffix(&start) {
                        message = format!("{bare} (the mapping starts at line {line})");
                    }
                    Some(second)
                }
                None => Some((line, column)),
            },
            // serde_norway places it at 1:1 and counts its "position" in characters: find it.
            (at, None) if message.starts_with("control characters are not allowed") => {
                match text.char_indices().find(|(_, c)| not_yaml_printable(*c)) {
                    Some((offset, c)) => {
                        message = format!(
                            "control character U+{:04X} is not allowed in YAML",
                            u32::from(c)
                        );
                        Some(line_col(text.as_bytes(), offset))
                    }
                    None => at,
                }
            }
            (at, _) => at,
        };
        YamlError { at, message }
    })
}

/// Whether YAML forbids `c` in a document: the C0 controls but tab, line feed and carriage return, DEL, and
/// the C1 controls but NEL (YAML 1.2, 5.1).
fn not_yaml_printable(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
        || c == '\u{7f}'
        || (('\u{80}'..='\u{9f}').contains(&c) && c != '\u{85}')
}

/// Deepest flow nesting handed to serde_norway, whose deserializer refuses anything over 128 levels anyway. Its
/// parser (libyaml) spends time proportional to the current flow depth on every token and reads the whole
/// document before the deserializer's limit applies, so 100 000 `[` (200 KB) took a minute.
const MAX_FLOW_DEPTH: usize = 128;

/// Byte offset of the first `[`/`{` nested more than [`MAX_FLOW_DEPTH`] deep, found in one linear pass.
/// Brackets count only where a flow collection can start (line start or after `:`, `-`, `,`, `?`, `[`, `{`),
/// so `[` inside plain text does not; comments and quoted strings (up to the end of their line) are skipped.
fn too_deep_flow(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut prev, mut raw_prev, mut i) = (0usize, b'\n', b'\n', 0);
    while i < bytes.len() {
        let b = bytes[i];
        let token_start = matches!(prev, b'\n' | b':' | b'-' | b',' | b'?' | b'[' | b'{');
        match b {
            b' ' | b'\t' | b'\r' => {}
            b'\n' => prev = b'\n',
            b'#' if matches!(raw_prev, b' ' | b'\t' | b'\n') => {
                i = bytes[i..]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(bytes.len(), |p| i + p);
                continue;
            }
            b'\'' | b'"' if token_start => {
                // Only to the end of the line: a quote that is really text (in a block scalar) must not hide
                // the rest of the document; a quoted scalar spanning lines at worst over-counts.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'\n' {
                    match bytes[j] {
                        b'\\' if b == b'"' => j += 1,
                        b'\'' if b == b'\'' && bytes.get(j + 1) == Some(&b'\'') => j += 1,
                        c if c == b => {
                            j += 1;
                            break;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                (prev, raw_prev, i) = (b, b, j);
                continue;
            }
            b'[' | b'{' if token_start => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(i);
                }
                prev = b;
            }
            // Plain text: must not make the next `[` look like the start of a nested collection.
            b'[' | b'{' => prev = b'.',
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                prev = b;
            }
            _ => prev = b,
        }
        raw_prev = b;
        i += 1;
    }
    None
}

/// Accepts OpenAPI 3.0.x and 3.1.x; refuses Swagger 2.0, other versions and non-documents, naming the line.
fn check_version(name: &str, text: &str, value: &Value) -> Result<(), BuildError> {
    let Some(map) = value.as_object() else {
        return Err(BuildError::at_pointer(
            name,
            "",
            format!(
                "expected a mapping at the top of the document, found {}",
                kind_of(value)
            ),
        ));
    };
    let at_key = |key: &str, msg: String| match line_of_top_key(text, key) {
        Some(line) => BuildError::new(name, Location::Text { line, column: 1 }, msg),
        None => BuildError::at_pointer(name, &format!("/{key}"), msg),
    };
    if let Some(v) = map.get("swagger") {
        return Err(at_key(
            "swagger",
            format!(
                "this is a Swagger {} document; only OpenAPI 3.0 and 3.1 are supported",
                show(v)
            ),
        )
        .with_hint("convert it to OpenAPI 3 first (e.g. with swagger2openapi)"));
    }
    let Some(version) = map.get("openapi") else {
        return Err(BuildError::at_pointer(
            name,
            "",
            "no `openapi` version field: not an OpenAPI document",
        ));
    };
    let Some(v) = version.as_str() else {
        return Err(at_key(
            "openapi",
            format!(
                "`openapi` must be a string like \"3.1.0\", found {}",
                show(version)
            ),
        ));
    };
    if !(v.starts_with("3.0.") || v.starts_with("3.1.")) {
        return Err(at_key(
            "openapi",
            format!("OpenAPI {v} is not supported; this pipeline reads 3.0.x and 3.1.x"),
        ));
    }
    if !map.contains_key("paths") {
        return Err(BuildError::at_pointer(
            name,
            "",
            "no `paths`: the document declares no operation to generate",
        ));
    }
    if !map.get("paths").is_some_and(Value::is_object) {
        return Err(at_key(
            "paths",
            format!(
                "`paths` must be a mapping, found {}",
                kind_of(&map["paths"])
            ),
        ));
    }
    Ok(())
}

/// 1-based line of a top-level key (`key:` in YAML, `"key"` in JSON), if found.
fn line_of_top_key(text: &str, key: &str) -> Option<usize> {
    let yaml = format!("{key}:");
    let json = format!("\"{key}\"");
    text.lines()
        .position(|l| l.starts_with(&yaml) || l.trim_start().starts_with(&json))
        .map(|i| i + 1)
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = offset
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, column)
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
