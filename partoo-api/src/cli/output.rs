//! Printing success bodies: one JSON document, or one item a line (as received) with `--all`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Instant;

use futures_util::TryStreamExt;
use futures_util::stream::BoxStream;
use progenitor_client::ByteStream;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::Failure;
use crate::hooks::{RAW_SUCCESS, RawCell};
use crate::types::PartooError;
use crate::{Error, GeneratedError, ResponseValue, SendExt};

/// Where results go: stdout (pretty JSON on a terminal, compact otherwise) and, with `--verbose`, a trace on
/// stderr.
pub(crate) struct Out {
    verbose: bool,
    pretty: bool,
    started: Instant,
}

impl Out {
    pub(crate) fn new(verbose: bool) -> Self {
        Self {
            verbose,
            pretty: std::io::stdout().is_terminal(),
            started: Instant::now(),
        }
    }

    /// Notes the request about to be made (`--verbose`: method and URL template, never the key).
    pub(crate) fn request(&mut self, method: &str, path: &str) {
        self.started = Instant::now();
        if self.verbose {
            super::to_stderr(&format!("> {method} {path}"));
        }
    }

    /// Notes a failed request (`--verbose`: its status, or that it failed) and turns it into the failure.
    fn failed(&self, e: Error) -> Failure {
        self.done(
            &e.status()
                .map_or("failed".to_owned(), |s| s.as_u16().to_string()),
        );
        Failure::from(e)
    }

    fn done(&self, what: &str) {
        if self.verbose {
            super::to_stderr(&format!(
                "< {what} in {} ms",
                self.started.elapsed().as_millis()
            ));
        }
    }

    /// Writes JSON text as received, token for token: indented on a terminal, on one line otherwise; a
    /// closed stdout (`| head`) ends quietly.
    fn json(&self, json: &str) -> Result<bool, Failure> {
        self.line(&if self.pretty {
            indent(json)
        } else {
            compact(json)
        })
    }

    /// Writes `text` and a newline; whether stdout is still open.
    fn line(&self, text: &str) -> Result<bool, Failure> {
        let mut text = text.to_owned();
        text.push('\n');
        stdout(text.as_bytes())
    }
}

/// Writes `bytes` to stdout and flushes; `Ok(false)` when the reader has gone (`| head`): that ends the
/// output quietly, not with a panic or an error.
pub(super) fn stdout(bytes: &[u8]) -> Result<bool, Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Failure::network(format!("cannot write to stdout: {e}"))),
    }
}

/// Sends one request and prints its success body as received (after it decoded into the success type), so
/// fields the spec does not declare are shown too.
pub(crate) async fn once<T, F>(send: F, out: &mut Out) -> Result<(), Failure>
where
    F: Future<Output = Result<ResponseValue<T>, GeneratedError<PartooError>>> + Send,
    T: DeserializeOwned + Send,
{
    let status = Arc::new(AtomicU16::new(0));
    let seen = Arc::clone(&status);
    let send = async move {
        let result = send.await;
        if let Ok(response) = &result {
            seen.store(response.status().as_u16(), Ordering::Relaxed);
        }
        result
    };
    let raw: RawCell = Arc::default();
    match RAW_SUCCESS
        .scope(Arc::clone(&raw), send.into_result())
        .await
    {
        Ok(value) => {
            out.done(&status.load(Ordering::Relaxed).to_string());
            // The body as received (it decoded into the success type, so it is JSON), with any field the spec
            // does not declare, its key order and its numbers' digits. Printing it instead of the typed value
            // also spares compiling `Serialize` for every response type.
            drop(value);
            let received = raw.lock().ok().and_then(|mut slot| slot.take());
            if received.as_ref().is_some_and(|bytes| bytes.is_empty()) {
                return Ok(()); // a success without a body (an operation whose success type is `()`)
            }
            let body = received
                .as_deref()
                .map(serde_json::from_slice::<&RawValue>)
                .transpose()
                .map_err(|e| Failure::network(format!("the success body is not JSON: {e}")))?
                .ok_or_else(|| Failure::network("the success body was not kept".to_owned()))?;
            out.json(body.get()).map(drop)
        }
        Err(Error::Decode {
            status: Some(status),
            raw,
            truncated: false,
            ..
        }) if status.is_success() && raw.is_empty() => {
            // Processed, with nothing to print: a delete answered `204 No Content` where the spec documents a
            // JSON body. Failing it would tell a script to repeat a request that took effect.
            out.done(status.as_str());
            super::to_stderr(&format!(
                "note: {status} without a body, where the spec documents one: nothing to print"
            ));
            Ok(())
        }
        Err(e) => Err(out.failed(e)),
    }
}

/// Sends one request whose success body is not JSON (progenitor's `ByteStream`) and copies the body to stdout
/// as it arrives, byte for byte.
#[allow(
    dead_code,
    reason = "called by generated commands for non-JSON success bodies; Partoo's spec has none today"
)]
pub(crate) async fn bytes<F>(send: F, out: &mut Out) -> Result<(), Failure>
where
    F: Future<Output = Result<ResponseValue<ByteStream>, GeneratedError<PartooError>>> + Send,
{
    match crate::error::bytes_result(send).await {
        Ok(response) => {
            out.done(&response.status().as_u16().to_string());
            let mut body = response.into_inner();
            while let Some(chunk) = body
                .try_next()
                .await
                .map_err(|e| Failure::network(format!("reading the success body: {e}")))?
            {
                if !stdout(&chunk)? {
                    break;
                }
            }
            Ok(())
        }
        Err(e) => Err(out.failed(e)),
    }
}

/// Prints every item of a page stream as the server sent it (its JSON text made compact, nothing else
/// changed), one a line, flushed as it arrives; stops after `--max-items`.
#[cfg_attr(
    not(feature = "all-tags"),
    allow(
        dead_code,
        reason = "called by generated commands; a tag selection may need none"
    )
)]
pub(crate) async fn items(
    mut stream: BoxStream<'_, Result<Box<RawValue>, Error>>,
    m: &clap::ArgMatches,
    out: &mut Out,
) -> Result<(), Failure> {
    let max = m.get_one::<u64>("max-items").copied();
    let mut count = 0u64;
    while max.is_none_or(|max| count < max) {
        let next = stream.try_next().await;
        let item = match next {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(e) => {
                out.done(&format!("{count} items, then an error"));
                return Err(Failure::from(e));
            }
        };
        count += 1;
        if !out.line(&compact(item.get()))? {
            break;
        }
    }
    out.done(&format!("{count} items"));
    Ok(())
}

/// Each character of the JSON text `json`, with whether it lies inside a string literal (after its opening
/// quote, up to and including the closing one), where whitespace and brackets are text, not structure.
fn scan(json: &str) -> impl Iterator<Item = (char, bool)> + '_ {
    let (mut in_string, mut escaped) = (false, false);
    json.chars().map(move |c| {
        let literal = in_string;
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else {
            in_string = c == '"';
        }
        (c, literal)
    })
}

/// Whitespace between JSON tokens.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// JSON text without the whitespace between its tokens (strings, numbers and key order untouched), so that
/// an item the server sent over several lines fits on one.
fn compact(json: &str) -> String {
    scan(json)
        .filter(|&(c, literal)| literal || !is_blank(c))
        .map(|(c, _)| c)
        .collect()
}

/// JSON text indented by two spaces a level, like `serde_json::to_string_pretty`, with its tokens untouched
/// (strings, numbers, key order and repeated keys as received); `{}` and `[]` stay on one line.
fn indent(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    // An opening bracket was just written: its first token goes on a new line, unless it closes it.
    let mut opened = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    for (c, literal) in scan(json) {
        if literal {
            out.push(c);
            continue;
        }
        if is_blank(c) {
            continue;
        }
        let closing = matches!(c, '}' | ']');
        if closing {
            depth = depth.saturating_sub(1);
        }
        // A new line before a first token, and before a closing bracket that is not right after its opening.
        if opened != closing {
            newline(&mut out, depth);
        }
        opened = false;
        match c {
            '{' | '[' => {
                out.push(c);
                depth += 1;
                opened = true;
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{compact, indent};

    #[test]
    fn indent_matches_serde_json_pretty_and_keeps_tokens() {
        let json = r#"{"a":[1,{"b":"x, y: [z]","c":{}},[]],"d":"q\"{","e":null}"#;
        let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
        // Sorted keys here, so serde_json's own printing is the reference.
        assert_eq!(
            indent(json),
            serde_json::to_string_pretty(&value).expect("prints")
        );
        assert_eq!(
            indent("{ \"z\" : 1.10, \"a\" : 12345678901234567890123 }"),
            "{\n  \"z\": 1.10,\n  \"a\": 12345678901234567890123\n}"
        );
        assert_eq!(indent("[ ]"), "[]");
        assert_eq!(indent("\"a b\""), "\"a b\"");
    }

    #[test]
    fn compact_drops_whitespace_between_tokens_only() {
        let json = "{ \"a b\" : [1 ,\n 2.50],\r\n\t\"c\\\" \" : \"x\\\\\" }";
        assert_eq!(compact(json), "{\"a b\":[1,2.50],\"c\\\" \":\"x\\\\\"}");
    }
}
