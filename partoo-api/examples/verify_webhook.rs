//! Checks one webhook delivery saved to a file: its signature, then its decoding.
//!
//! ```sh
//! cargo run -p partoo-api --example verify_webhook -- \
//!     [--public-key FILE... | --environment production|sandbox] --signature BASE64 BODY_FILE
//! ```
//!
//! When the signature verifies: prints `event: <type>` and a one-line summary of the event, exit status 0.
//! That holds for a body that could not be typed too (`Event::Unparsed`): it is Partoo's, a receiver must
//! keep it, so a third line says that it did not fit the schema and why (`event: (no type)` when the body has
//! no string `type`). Any failure (bad arguments, unreadable file, bad key, bad signature) prints one line
//! naming the reason, exit status 1. The key defaults to Partoo's production key; `--public-key` takes a PEM
//! SubjectPublicKeyInfo or a file of the raw 32 bytes, and may be given more than once (key rotation: any of
//! them may have signed).

use std::process::ExitCode;

use partoo_api::Environment;
use partoo_api::webhooks::{Event, ParseError, PublicKey, Verifier};

const USAGE: &str = "usage: verify_webhook [--public-key FILE... | --environment production|sandbox] \
                     --signature BASE64 BODY_FILE";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(lines) => {
            println!("{lines}");
            ExitCode::SUCCESS
        }
        Err(reason) => {
            println!("error: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    let mut keys = Vec::new();
    let mut environment = None;
    let mut signature = None;
    let mut body_file = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value; {USAGE}"));
        match arg.as_str() {
            "--public-key" => keys.push(value("--public-key")?),
            "--environment" => environment = Some(value("--environment")?),
            "--signature" => signature = Some(value("--signature")?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}; {USAGE}"));
            }
            _ if body_file.is_none() => body_file = Some(arg),
            _ => return Err(format!("more than one BODY_FILE; {USAGE}")),
        }
    }
    let signature = signature.ok_or(format!("--signature is required; {USAGE}"))?;
    let body_file = body_file.ok_or(format!("BODY_FILE is required; {USAGE}"))?;
    let verifier = match (keys.is_empty(), environment) {
        (false, Some(_)) => {
            return Err(format!(
                "give --public-key or --environment, not both; {USAGE}"
            ));
        }
        (false, None) => Verifier::from_keys(
            keys.iter()
                .map(|file| read_key(file))
                .collect::<Result<Vec<_>, _>>()?,
        )
        .map_err(|e| e.to_string())?,
        (true, Some(env)) => Verifier::for_environment(
            env.parse::<Environment>()
                .map_err(|_| format!("unknown environment `{env}` (production or sandbox)"))?,
        ),
        (true, None) => Verifier::for_environment(Environment::Production),
    };
    let body = std::fs::read(&body_file).map_err(|e| format!("cannot read {body_file}: {e}"))?;
    let event = verifier
        .verify_event(Some(signature.as_bytes()), &body)
        .map_err(|e| e.to_string())?;
    let mut lines = format!("event: {}\n{}", event.type_label(), event.summary());
    if let Event::Unparsed { error, .. } = &event {
        let why = match error {
            ParseError::Schema { .. } => "it did not fit the schema of its event type",
            _ => "it did not fit the schema of any event (no JSON object with a string `type`)",
        };
        lines.push_str(&format!(
            "\nsignature verified, but {why}: kept as Event::Unparsed (a receiver answers 2xx and keeps it)"
        ));
    }
    Ok(lines)
}

/// A PEM public key, or a file holding exactly the 32 raw key bytes.
fn read_key(file: &str) -> Result<PublicKey, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    if bytes.len() == 32 {
        return PublicKey::from_bytes(&bytes).map_err(|e| format!("{file}: {e}"));
    }
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{file}: neither PEM nor 32 raw bytes"))?;
    PublicKey::from_pem(&text).map_err(|e| format!("{file}: {e}"))
}
