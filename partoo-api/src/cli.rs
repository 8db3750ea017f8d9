//! The `partoo` command line (feature `cli`): one subcommand per operation, generated at build time from the
//! same normalised document as [`crate::Client`] (see `partoo-api-build`'s `cli` module), plus
//! `webhooks verify` and `completions`.
//!
//! Exit codes: 0 success, 1 API error, 2 usage error, 3 network or decoding failure, 4 authentication
//! (401/403), 101 a bug (a panic). The API key is never printed.

mod config;
mod failure;
mod output;
mod tools;
mod unique_keys;
mod wide_integers;

use std::process::ExitCode;

pub(crate) use failure::Failure;
#[allow(
    unused_imports,
    reason = "called by generated commands for non-JSON success bodies; Partoo's spec has none today"
)]
pub(crate) use output::bytes;
#[cfg_attr(
    not(feature = "all-tags"),
    allow(
        unused_imports,
        reason = "`items` serves paginated operations; a tag selection may have none"
    )
)]
pub(crate) use output::{Out, items, once};

/// The generated subcommands (`commands`) and their calls (`dispatch`).
#[allow(clippy::all, clippy::pedantic, unreachable_pub, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/partoo_cli.rs"));
}

/// The whole command tree: global flags, one subcommand per operation, `webhooks` and `completions`.
pub fn command() -> clap::Command {
    let mut cmd = clap::Command::new("partoo")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Partoo's REST API v2 from the shell; one subcommand per operation of the spec")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(
            "Exit codes: 0 success, 1 API error, 2 usage error, 3 network or decoding failure, \
             4 authentication (401/403), 101 a bug (a panic).",
        );
    for arg in config::global_args() {
        cmd = cmd.arg(arg);
    }
    cmd.subcommands(generated::commands())
        .subcommand(tools::webhooks_command())
        .subcommand(tools::completions_command())
}

/// Stack of the thread that runs a command (see [`main`]).
const STACK_BYTES: usize = 64 * 1024 * 1024;

/// Runs `partoo` with the process's arguments and returns its exit code.
///
/// Everything runs on a thread of its own with a large stack: an unoptimised build takes more than 1 MB to
/// build the 150 subcommands, and 4 to 6 MB to poll a request (`get-my-user` overflowed with 4 MB and ran
/// with 6), where the main thread has 8 MB on Linux and 1 MB on Windows. The stack is reserved, not touched
/// until used.
pub fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .name("partoo".to_owned())
        .stack_size(STACK_BYTES)
        .spawn(main_on_worker);
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            to_stderr("error: the command panicked (a bug: please report it)");
            ExitCode::from(101)
        }
        Err(e) => {
            to_stderr(&format!("error: cannot start the command's thread: {e}"));
            ExitCode::from(3)
        }
    }
}

/// [`main`] on its thread.
fn main_on_worker() -> ExitCode {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let printed = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else if let Err(write) = printed {
                // `--help` or `--version` that could not be written (`> /dev/full`): as for any output.
                to_stderr(&format!("error: cannot write to stdout: {write}"));
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let verbose = matches.get_flag("verbose");
    match run(&matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // A server may echo the key it received (in an error body, hence the message): never print it.
            // And what the server wrote is shown, not acted on by the terminal (see `printable`).
            let key = config::api_key(&matches);
            let message = scrub(&failure.message, key.as_deref());
            to_stderr(&format!("error: {}", printable(&message, false)));
            if verbose && let Some(detail) = &failure.detail {
                to_stderr(&printable(&scrub(detail, key.as_deref()), true));
            }
            ExitCode::from(failure.code)
        }
    }
}

/// `text` with the API key (as given, and trimmed) replaced by `[API key]`, as the library replaces it in error
/// bodies: in the spellings it looks for, and not for keys under 8 bytes.
fn scrub(text: &str, key: Option<&str>) -> String {
    let mut text = text.to_owned();
    if let Some(key) = key {
        for form in [key, key.trim()] {
            if let Some(scrubbed) =
                crate::error::live_keys::replace_key(text.as_bytes(), form.as_bytes())
            {
                text = String::from_utf8_lossy(&scrubbed).into_owned();
            }
        }
    }
    text
}

/// `text` with what a terminal would act on written as an escape (`\u{1b}`): control characters (an escape
/// sequence can clear the screen or set the window's title, a carriage return overwrites the line), the line
/// and paragraph separators, and the bidirectional overrides and isolates that reorder what is shown. Line
/// breaks and tabs are kept when `multi_line`.
fn printable(text: &str, multi_line: bool) -> String {
    text.chars()
        .map(|c| {
            let kept = multi_line && matches!(c, '\n' | '\t');
            let acted_on = c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            if acted_on && !kept {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Writes `line` to stderr; a stderr that cannot be written (closed) loses it instead of panicking, as
/// `eprintln!` would, which turned the command's exit code into 101.
pub(crate) fn to_stderr(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn run(matches: &clap::ArgMatches) -> Result<(), Failure> {
    let Some((name, sub)) = matches.subcommand() else {
        return Err(Failure::usage("no subcommand given".to_owned()));
    };
    match name {
        "webhooks" => return tools::webhooks(sub),
        "completions" => return tools::completions(sub),
        _ => {}
    }
    let client = config::client(matches)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::network(format!("cannot start the async runtime: {e}")))?;
    let mut out = Out::new(matches.get_flag("verbose"));
    runtime.block_on(generated::dispatch(&client, name, sub, &mut out))
}

/// Whether `--all` was given (only paginated subcommands have it).
#[cfg_attr(
    not(feature = "all-tags"),
    allow(
        dead_code,
        reason = "called by generated commands; a tag selection may need none"
    )
)]
pub(crate) fn wants_all(m: &clap::ArgMatches) -> bool {
    m.try_get_one::<bool>("all").ok().flatten().copied() == Some(true)
}

/// A path parameter's value as clap reads it: refused when empty, `.` or `..`, which would change the
/// request's path (`GET /business/..` is `GET /`) rather than fill one segment of it. Other text is sent
/// percent-encoded (a `/` included), so it stays in its segment.
#[cfg_attr(
    not(feature = "all-tags"),
    allow(
        dead_code,
        reason = "called by generated commands; a tag selection may need none"
    )
)]
pub(crate) fn path_segment(text: &str) -> Result<String, String> {
    // The value is read as JSON first ([`flag`]): `".."` (quotes included) is `..` too.
    let value = serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_owned());
    match value.as_str() {
        "" | "." | ".." => Err(format!(
            "{text:?} would change the request's path; a path parameter needs a value of its own"
        )),
        // As the library refuses it: URLs read a `\` as `/`.
        v if v.contains('\\') => Err(format!(
            "{text:?} holds a `\\`, which URLs read as `/`: it would change the request's path"
        )),
        _ => Ok(text.to_owned()),
    }
}

/// The value of flag `name` as the setter's type: the text as JSON (`12`, `true`, `["a"]`), else as a JSON
/// string (`Paris`, `open`).
pub(crate) fn flag<T: serde::de::DeserializeOwned>(
    m: &clap::ArgMatches,
    name: &str,
) -> Result<Option<T>, Failure> {
    m.get_one::<String>(name)
        .map(|text| convert(name, text))
        .transpose()
}

/// Every value of a repeatable flag (`--groups 1 --groups 2` or `--groups 1,2`), each as `T`.
#[cfg_attr(
    not(feature = "all-tags"),
    allow(
        dead_code,
        reason = "called by generated commands; a tag selection may need none"
    )
)]
pub(crate) fn flags<T: serde::de::DeserializeOwned>(
    m: &clap::ArgMatches,
    name: &str,
) -> Result<Option<Vec<T>>, Failure> {
    m.get_many::<String>(name)
        .map(|texts| texts.map(|text| convert(name, text)).collect())
        .transpose()
}

fn convert<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T, Failure> {
    let invalid = |e: &str| Failure::usage(format!("--{name}: invalid value {text:?}: {e}"));
    // Read as JSON, an integer beyond 64 bits is an `f64`: sent rounded by a flag that takes any JSON, refused
    // as "floating point `1e20`" by an integer flag. Either way its width is the problem to name. (A float flag
    // refuses it too; written `1e20`, with an exponent, it passes.)
    let as_json = match serde_json::from_str::<T>(text) {
        Ok(value) => {
            return wide_integers::check_flag(text)
                .map(|()| value)
                .map_err(|e| invalid(&e));
        }
        Err(e) => e,
    };
    serde_json::from_value::<T>(serde_json::Value::String(text.to_owned())).map_err(|as_string| {
        // Text that is JSON (`2.0`, `true`) was meant as that value: its error says what the flag wants
        // (`invalid type: floating point `2.0`, expected i64`), where reading it as a string would not.
        let e = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => match wide_integers::check_flag(text) {
                Ok(()) => as_json.to_string(),
                Err(wide) => wide,
            },
            Err(_) => as_string.to_string(),
        };
        // The position in a one-line flag value says nothing.
        let e = e
            .rsplit_once(" at line ")
            .map_or(e.as_str(), |(message, _)| message);
        invalid(e)
    })
}

/// The page `--all` starts at: flag `name` (the `page` parameter) read as the page setter's type `T`, as the
/// stream's page number; `None` when the flag was not given.
#[cfg_attr(
    not(feature = "all-tags"),
    allow(
        dead_code,
        reason = "called by generated paginated commands; a tag selection may have none"
    )
)]
pub(crate) fn first_page<T: serde::de::DeserializeOwned + serde::Serialize>(
    m: &clap::ArgMatches,
    name: &str,
) -> Result<Option<i64>, Failure> {
    let Some(page) = flag::<T>(m, name)? else {
        return Ok(None);
    };
    // Integers as they are; a whole `f64` too, but never a fraction rounded away.
    let number = match serde_json::to_value(&page) {
        Ok(serde_json::Value::Number(n)) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0)
                .and_then(|_| crate::pagination::number(&n))
        }),
        _ => None,
    };
    let text = m.get_one::<String>(name).map_or("", String::as_str);
    number
        .map(Some)
        .ok_or_else(|| Failure::usage(format!("--{name}: {text:?} is not a page number")))
}

/// The request body from `--body FILE|-`, decoded into the request type; a mismatch names the JSON path, and
/// so does a key the request type would not send (see [`dropped`]).
#[cfg_attr(
    not(feature = "all-tags"),
    allow(
        dead_code,
        reason = "called by generated commands; a tag selection may need none"
    )
)]
pub(crate) fn body<T: serde::de::DeserializeOwned + serde::Serialize>(
    m: &clap::ArgMatches,
) -> Result<Option<T>, Failure> {
    let Some((source, bytes)) = body_bytes(m)? else {
        return Ok(None);
    };
    // Read twice: for keys given twice (see `unique_keys`), then as the request type; in between, the text
    // for integers a JSON reader would round (see `wide_integers`).
    let at_path = |e: serde_path_to_error::Error<serde_json::Error>| {
        let path = e.path().to_string();
        Failure::usage(format!("--body {source}: at `{path}`: {}", e.into_inner()))
    };
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize::<_, unique_keys::UniqueKeys>(de).map_err(at_path)?;
    wide_integers::check(&bytes).map_err(|e| Failure::usage(format!("--body {source}: {e}")))?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let typed: T = serde_path_to_error::deserialize(de).map_err(at_path)?;
    // The typed value is what is sent: every key given must come back out of it.
    let given: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::usage(format!("--body {source}: {e}")))?;
    let sent = serde_json::to_value(&typed).map_err(|e| {
        Failure::usage(format!(
            "--body {source}: the request type does not encode: {e}"
        ))
    })?;
    let mut lost = Vec::new();
    dropped(&given, &sent, &mut String::new(), &mut lost);
    if lost.is_empty() {
        return Ok(Some(typed));
    }
    const SHOWN: usize = 5;
    let more = lost.len().saturating_sub(SHOWN);
    lost.truncate(SHOWN);
    let mut message = format!("--body {source}: {}", lost.join("; "));
    if more > 0 {
        message.push_str(&format!("; and {more} more"));
    }
    Err(Failure::usage(message))
}

/// The request body from `--body FILE|-` as raw bytes, sent as they are: for a `body` setter that takes
/// `reqwest::Body` (`application/octet-stream`), where there is no JSON to check.
#[allow(
    dead_code,
    reason = "called by generated commands for raw-byte bodies; Partoo's spec has none today, another spec may"
)]
pub(crate) fn raw_body(m: &clap::ArgMatches) -> Result<Option<Vec<u8>>, Failure> {
    Ok(body_bytes(m)?.map(|(_, bytes)| bytes))
}

/// The request body from `--body FILE|-` as text, sent as it is: for a `String` body of a `text/*` media type,
/// where JSON would want the text quoted. Bytes that are not UTF-8 are a usage error.
#[allow(
    dead_code,
    reason = "called by generated commands for text bodies; Partoo's spec has none today, another spec may"
)]
pub(crate) fn text_body(m: &clap::ArgMatches) -> Result<Option<String>, Failure> {
    let Some((source, bytes)) = body_bytes(m)? else {
        return Ok(None);
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        Failure::usage(format!(
            "--body {source}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// `--body FILE|-`, when given: the source as given (a path or `-`) and the bytes read from it.
#[cfg_attr(
    not(feature = "all-tags"),
    allow(
        dead_code,
        reason = "called by generated commands; a tag selection may need none"
    )
)]
fn body_bytes(m: &clap::ArgMatches) -> Result<Option<(&str, Vec<u8>)>, Failure> {
    let Some(source) = m.get_one::<String>("body") else {
        return Ok(None);
    };
    let bytes = if source == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| Failure::usage(format!("--body -: cannot read standard input: {e}")))?;
        bytes
    } else {
        std::fs::read(source)
            .map_err(|e| Failure::usage(format!("--body {source}: cannot read: {e}")))?
    };
    Ok(Some((source.as_str(), bytes)))
}

/// Pushes onto `lost`, one per key, each key of `given` (at any depth, through objects and arrays) that is not
/// in `sent`, the same JSON re-serialised from the request type, with its JSON pointer (below `path`) and why.
/// Values are not compared: a number may come back spelled otherwise (`1` as `1.0`) and is the same number.
fn dropped(
    given: &serde_json::Value,
    sent: &serde_json::Value,
    path: &mut String,
    lost: &mut Vec<String>,
) {
    use serde_json::Value;
    let step = |path: &mut String, token: &str| {
        path.push('/');
        path.push_str(&token.replace('~', "~0").replace('/', "~1"));
    };
    match given {
        Value::Object(fields) => {
            for (key, value) in fields {
                let len = path.len();
                step(path, key);
                match sent.get(key.as_str()) {
                    Some(sent) => dropped(value, sent, path, lost),
                    None if value.is_null() => lost.push(format!(
                        "at `{path}`: null cannot be sent: the request type leaves an absent value out"
                    )),
                    None => lost.push(format!("at `{path}`: not a field of the request type")),
                }
                path.truncate(len);
            }
        }
        // serde reads a struct from a sequence too, field by field in declaration order: an array that became
        // an object would be sent under names the file never gave.
        Value::Array(_) if sent.is_object() => {
            let at = if path.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("at `{path}`")
            };
            lost.push(format!(
                "{at}: an array where the request type has an object; write the object with its field names"
            ));
        }
        Value::Array(values) => {
            for (index, value) in values.iter().enumerate() {
                let len = path.len();
                step(path, &index.to_string());
                dropped(value, sent.get(index).unwrap_or(&Value::Null), path, lost);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::text_body;

    fn matches(path: &std::path::Path) -> clap::ArgMatches {
        clap::Command::new("t")
            .arg(clap::Arg::new("body").long("body"))
            .try_get_matches_from(["t", "--body", path.to_str().unwrap()])
            .unwrap()
    }

    #[test]
    fn a_text_body_is_the_files_text_and_refuses_what_is_not_utf8() {
        let dir = std::env::temp_dir().join(format!("partoo-text-body-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = dir.join("note.txt");
        std::fs::write(&text, "Merci !\n\"quoted\"").unwrap();
        assert_eq!(
            text_body(&matches(&text)).unwrap().as_deref(),
            Some("Merci !\n\"quoted\"")
        );
        let bytes = dir.join("bytes.bin");
        std::fs::write(&bytes, b"ok\xff").unwrap();
        let err = text_body(&matches(&bytes)).unwrap_err();
        assert!(
            format!("{err:?}").contains("not UTF-8 text (invalid byte at offset 2)"),
            "{err:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
