//! The one error type of the pipeline: a message plus the place in the input it is about.

use std::fmt;

/// Where in the input a [`BuildError`] applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A position in the source text (1-based line and column), for parse errors.
    Text {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A JSON pointer into the document (RFC 6901), e.g. `/components/schemas/Org`.
    Pointer(String),
    /// An operation, named by method, path and (when known) operationId.
    Operation {
        /// Upper-case HTTP method.
        method: String,
        /// The path template.
        path: String,
        /// The operationId, if the document has one.
        operation_id: Option<String>,
    },
    /// The whole input (size limits, encoding).
    Input,
}

/// A failure of the pipeline, always tied to a file and a place in it.
///
/// `Display` prints `file:line:column: message`, `file#/json/pointer: message` or
/// `file: operation POST /org (createOrganization): message`, then the hint on its own line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    /// The spec (or name table) the error is about, as given by the caller.
    pub file: String,
    /// The place in that file.
    pub location: Location,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when we know.
    pub hint: Option<String>,
}

impl BuildError {
    /// An error at `location` in `file`.
    pub fn new(file: impl Into<String>, location: Location, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// An error at a JSON pointer.
    pub fn at_pointer(file: &str, pointer: &str, message: impl Into<String>) -> Self {
        Self::new(file, Location::Pointer(pointer.to_owned()), message)
    }

    /// Adds advice on how to fix the input.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::Text { line, column } => write!(f, "{}:{line}:{column}: ", self.file)?,
            Location::Pointer(p) if p.is_empty() => write!(f, "{}#/: ", self.file)?,
            Location::Pointer(p) => write!(f, "{}#{p}: ", self.file)?,
            Location::Operation {
                method,
                path,
                operation_id,
            } => {
                write!(f, "{}: operation {method} {path}", self.file)?;
                if let Some(id) = operation_id {
                    write!(f, " ({id})")?;
                }
                f.write_str(": ")?;
            }
            Location::Input => write!(f, "{}: ", self.file)?,
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

/// Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    // Writing to a String cannot fail.
    let _ = write_escaped(&mut out, segment);
    out
}

/// Writes `segment` escaped as one JSON pointer segment (`~` → `~0`, `/` → `~1`), in one piece when it
/// needs no escape (most segments).
pub fn write_escaped(out: &mut impl fmt::Write, segment: &str) -> fmt::Result {
    // Single-character searches run on `memchr`, fast even in the build script's unoptimised profile.
    if !segment.contains('~') && !segment.contains('/') {
        return out.write_str(segment);
    }
    out.write_str(&segment.replace('~', "~0").replace('/', "~1"))
}

/// Appends an escaped segment to a JSON pointer.
pub fn pointer_push(base: &str, segment: &str) -> String {
    let mut out = String::with_capacity(base.len() + segment.len() + 1);
    out.push_str(base);
    out.push('/');
    // Writing to a String cannot fail.
    let _ = write_escaped(&mut out, segment);
    out
}

#[cfg(test)]
mod tests {
    use super::{escape_segment, pointer_push};

    #[test]
    fn segments_are_escaped_tilde_first() {
        assert_eq!(escape_segment("plain"), "plain");
        assert_eq!(escape_segment("/org/{id}"), "~1org~1{id}");
        assert_eq!(escape_segment("a~1/b~"), "a~01~1b~0");
        assert_eq!(escape_segment(""), "");
        assert_eq!(pointer_push("/paths", "/orgs/{id}"), "/paths/~1orgs~1{id}");
    }
}
