//! Checks one webhook delivery saved to a file: its signature, then its decoding.
//!
//! ```sh
//! cargo run -p partoo-api --example verify_webhook -- \
//!     [--public-key FILE | --environment production|sandbox] --signature BASE64 BODY_FILE
//! ```
//!
//! On success prints `event: <type>` and a one-line summary of the typed event, exit status 0. Any failure
//! (bad arguments, unreadable file, bad key, bad signature, a body that is not an event) prints one line
//! naming the reason, exit status 1. The key defaults to Partoo's production key; `--public-key` takes a PEM
//! SubjectPublicKeyInfo or a file of the raw 32 bytes.

use std::process::ExitCode;

use partoo_api::Environment;
use partoo_api::webhooks::{PublicKey, Verifier};

const USAGE: &str = "usage: verify_webhook [--public-key FILE | --environment production|sandbox] \
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
    let mut key = None;
    let mut environment = None;
    let mut signature = None;
    let mut body_file = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value; {USAGE}"));
        match arg.as_str() {
            "--public-key" => key = Some(value("--public-key")?),
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
    let key = match (key, environment) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "give --public-key or --environment, not both; {USAGE}"
            ));
        }
        (Some(file), None) => read_key(&file)?,
        (None, Some(env)) => PublicKey::for_environment(
            env.parse::<Environment>()
                .map_err(|_| format!("unknown environment `{env}` (production or sandbox)"))?,
        ),
        (None, None) => PublicKey::production(),
    };
    let body = std::fs::read(&body_file).map_err(|e| format!("cannot read {body_file}: {e}"))?;
    let event = Verifier::new(key)
        .verify_event(Some(signature.as_bytes()), &body)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "event: {}\n{}",
        event.event_type(),
        event.summary()
    ))
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
