//! The subcommands that are not operations: `webhooks verify` and `completions`.

use clap::{Arg, ArgAction, ArgMatches, Command};

use super::{Failure, output};
use crate::Environment;
use crate::webhooks::{Event, PublicKey, Verifier};

pub(super) fn webhooks_command() -> Command {
    Command::new("webhooks")
        .about("Webhook tools that need no API key")
        .subcommand_required(true)
        .subcommand(
            Command::new("verify")
                .about("Check a delivery's Ed25519 signature and print its event type and summary")
                .arg(
                    Arg::new("signature")
                        .long("signature")
                        .value_name("B64")
                        .required(true)
                        .help("The signature header's value (standard base64)"),
                )
                .arg(
                    Arg::new("environment")
                        .long("environment")
                        .value_name("production|sandbox")
                        .help("Verify with that environment's published key (default: production)"),
                )
                .arg(
                    Arg::new("public-key")
                        .long("public-key")
                        .value_name("FILE")
                        .action(ArgAction::Append)
                        .conflicts_with("environment")
                        .help("A PEM public key, or a file of its 32 raw bytes (repeatable)"),
                )
                .arg(
                    Arg::new("body").value_name("BODY").required(true).help(
                        "The delivery's body, as received (a file, or `-` for standard input)",
                    ),
                ),
        )
}

/// `webhooks verify`: exit 0 with the event when the signature holds, 1 when it does not.
pub(super) fn webhooks(m: &ArgMatches) -> Result<(), Failure> {
    let Some(("verify", m)) = m.subcommand() else {
        return Err(Failure::usage("webhooks: expected `verify`".to_owned()));
    };
    // A global `--environment` given before `webhooks` reaches these matches too, but after clap's own
    // check that the two flags conflict: checked here again, so the environment is never silently ignored.
    if m.get_many::<String>("public-key").is_some() && m.get_one::<String>("environment").is_some()
    {
        return Err(Failure::usage(
            "give --public-key or --environment, not both".to_owned(),
        ));
    }
    let verifier = match m.get_many::<String>("public-key") {
        Some(files) => Verifier::from_keys(
            files
                .map(|file| read_key(file))
                .collect::<Result<Vec<_>, _>>()?,
        )
        .map_err(|e| Failure::usage(format!("--public-key: {e}")))?,
        None => {
            let env = match m.get_one::<String>("environment") {
                Some(env) => env
                    .parse::<Environment>()
                    .map_err(|e| Failure::usage(format!("--environment: {e}")))?,
                None => Environment::Production,
            };
            Verifier::for_environment(env)
        }
    };
    let body = read_input(m.get_one::<String>("body").map_or("-", String::as_str))?;
    let signature = m.get_one::<String>("signature").map(String::as_bytes);
    let event = verifier
        .verify_event(signature, &body)
        .map_err(|e| Failure {
            code: 1,
            message: format!("signature check failed: {e}"),
            detail: None,
        })?;
    let mut report = format!("event: {}\n{}\n", event.type_label(), event.summary());
    if let Event::Unparsed { .. } = &event {
        report.push_str("signature verified, but the body fits no typed event: kept unparsed\n");
    }
    output::stdout(report.as_bytes()).map(drop)
}

fn read_input(source: &str) -> Result<Vec<u8>, Failure> {
    if source == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
        return Ok(bytes);
    }
    std::fs::read(source).map_err(|e| Failure::usage(format!("{source}: cannot read: {e}")))
}

/// A PEM public key, or a file of exactly the 32 raw key bytes.
fn read_key(file: &str) -> Result<PublicKey, Failure> {
    let bytes = read_input(file)?;
    let key = if bytes.len() == 32 {
        PublicKey::from_bytes(&bytes).map_err(|e| e.to_string())
    } else {
        String::from_utf8(bytes)
            .map_err(|_| "neither PEM nor 32 raw bytes".to_owned())
            .and_then(|text| PublicKey::from_pem(&text).map_err(|e| e.to_string()))
    };
    key.map_err(|e| Failure::usage(format!("--public-key {file}: {e}")))
}

pub(super) fn completions_command() -> Command {
    Command::new("completions")
        .about("Print a shell completion script")
        .arg(
            Arg::new("shell")
                .required(true)
                .value_parser(clap::value_parser!(clap_complete::Shell)),
        )
}

pub(super) fn completions(m: &ArgMatches) -> Result<(), Failure> {
    let Some(shell) = m.get_one::<clap_complete::Shell>("shell").copied() else {
        return Err(Failure::usage("completions: which shell?".to_owned()));
    };
    // Into memory first: clap_complete panics when its writer fails, as stdout does under `| head`.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut super::command(), "partoo", &mut script);
    output::stdout(&script).map(drop)
}
