//! Integers too wide for 64 bits in a `--body` file. serde_json (without `arbitrary_precision`, which would
//! change `serde_json::Number` for every crate of an application) reads such a literal as the nearest `f64`:
//! `12345678901234567890123` would be sent as `1.2345678901234568e22`, and the round-trip check of `--body`
//! cannot see it, since the rounded number is on both sides. Here such a literal is a usage error, named by its
//! line and column; numbers written with a fraction or an exponent are floats by the writer's choice and pass.
//! A flag value read as JSON gets the same check ([`check_flag`]).

/// Checks the text of a JSON document already known to be valid: every integer literal (no `.`, `e` or `E`)
/// must fit in an `i64` or a `u64`.
pub(super) fn check(json: &[u8]) -> Result<(), String> {
    match first_wide(json) {
        Some(wide) => Err(format!(
            "line {}, column {}: {}",
            wide.line,
            wide.column,
            wide.problem()
        )),
        None => Ok(()),
    }
}

/// [`check`] for a flag value: one line, so the message names no position.
pub(super) fn check_flag(text: &str) -> Result<(), String> {
    first_wide(text.as_bytes()).map_or(Ok(()), |wide| Err(wide.problem()))
}

/// An integer literal too wide for 64 bits, and where it starts (line and column from 1).
struct Wide {
    line: usize,
    column: usize,
    literal: String,
}

impl Wide {
    /// What is wrong, and what to do instead.
    fn problem(&self) -> String {
        let rounded = self.literal.parse::<f64>().map_or(String::new(), |f| {
            format!(" (a JSON reader would send {f:e})")
        });
        format!(
            "the integer {} does not fit in 64 bits{rounded}; write it as a string if the field takes one",
            self.literal
        )
    }
}

/// The first integer literal of `json` that fits in neither an `i64` nor a `u64`.
fn first_wide(json: &[u8]) -> Option<Wide> {
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut at = 0;
    while let Some(&byte) = json.get(at) {
        match byte {
            b'\n' => {
                line += 1;
                line_start = at + 1;
                at += 1;
            }
            b'"' => at = string_end(json, at + 1),
            b'-' | b'0'..=b'9' => {
                let end = json[at..]
                    .iter()
                    .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(json.len(), |len| at + len);
                let literal = String::from_utf8_lossy(&json[at..end]);
                if !fits(&literal) {
                    // The column counts characters, as an editor does.
                    let column = String::from_utf8_lossy(&json[line_start..at])
                        .chars()
                        .count()
                        + 1;
                    return Some(Wide {
                        line,
                        column,
                        literal: literal.into_owned(),
                    });
                }
                at = end;
            }
            _ => at += 1,
        }
    }
    None
}

/// Whether a number literal is a float (fraction or exponent) or an integer that fits in 64 bits.
fn fits(literal: &str) -> bool {
    literal.contains(['.', 'e', 'E'])
        || literal.parse::<i64>().is_ok()
        || literal.parse::<u64>().is_ok()
}

/// Where the string whose contents start at `at` ends: just past its closing quote (escapes skipped).
fn string_end(json: &[u8], mut at: usize) -> usize {
    while let Some(&byte) = json.get(at) {
        match byte {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    json.len()
}

#[cfg(test)]
mod tests {
    use super::{check, check_flag};

    #[test]
    fn an_integer_beyond_64_bits_is_named_by_line_and_column() {
        let body = "{\n  \"ids\": [1, 18446744073709551616]\n}";
        let error = check(body.as_bytes()).unwrap_err();
        assert!(
            error.starts_with("line 2, column 14: the integer 18446744073709551616 does not fit"),
            "{error}"
        );
        assert!(error.contains("1.8446744073709552e19"), "{error}");
        let negative = check(b"[-9223372036854775809]").unwrap_err();
        assert!(negative.contains("-9223372036854775809"), "{negative}");
    }

    #[test]
    fn floats_strings_and_64_bit_integers_pass() {
        let body = r#"{"a": 18446744073709551615, "b": -9223372036854775808, "c": 1e400, "d": 0.5,
            "e": "123456789012345678901234567890", "f": "quote \" then 99999999999999999999", "é": 2E3}"#;
        assert_eq!(check(body.as_bytes()), Ok(()));
    }

    #[test]
    fn a_flag_value_is_checked_without_a_position() {
        assert_eq!(
            check_flag("[7, -99999999999999999999]"),
            Err("the integer -99999999999999999999 does not fit in 64 bits (a JSON reader would send -1e20); \
                 write it as a string if the field takes one"
                .to_owned())
        );
        for fine in [
            "1e20",
            "\"99999999999999999999\"",
            "18446744073709551615",
            "2.5",
        ] {
            assert_eq!(check_flag(fine), Ok(()), "{fine}");
        }
    }
}
