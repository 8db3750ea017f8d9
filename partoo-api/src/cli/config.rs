//! Global flags and the client they configure, like [`crate::Client::from_env`] with flags on top.

use clap::{Arg, ArgAction, ArgMatches};

use super::Failure;
use crate::{Client, Environment};

/// `--api-key`, `--environment`, `--base-url`, `--rate-limit`, `--verbose`: global, so they may follow the
/// subcommand.
pub(super) fn global_args() -> Vec<Arg> {
    vec![
        Arg::new("api-key")
            .long("api-key")
            .value_name("KEY")
            .global(true)
            .help_heading("Global options")
            .help("API key (default: $PARTOO_API_KEY); never printed; an empty value is an error"),
        Arg::new("environment")
            .long("environment")
            .value_name("production|sandbox")
            .global(true)
            .help_heading("Global options")
            .help("Partoo environment (default: $PARTOO_ENV, else production)"),
        Arg::new("base-url")
            .long("base-url")
            .value_name("URL")
            .global(true)
            .help_heading("Global options")
            .help("Base URL, overriding the environment's (default: $PARTOO_BASE_URL)"),
        Arg::new("rate-limit")
            .long("rate-limit")
            .value_name("N")
            .global(true)
            .help_heading("Global options")
            .value_parser(clap::value_parser!(u32).range(1..))
            .help("At most N requests per minute"),
        Arg::new("verbose")
            .short('v')
            .long("verbose")
            .global(true)
            .help_heading("Global options")
            .action(ArgAction::SetTrue)
            .help("Show method, URL template, status and timing on stderr, and error bodies"),
    ]
}

/// The client: each flag overrides its environment variable.
pub(super) fn client(m: &ArgMatches) -> Result<Client, Failure> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let key = m
        .get_one::<String>("api-key")
        .cloned()
        .or_else(|| var("PARTOO_API_KEY"))
        .ok_or_else(|| {
            Failure::usage("no API key: give --api-key or set PARTOO_API_KEY".to_owned())
        })?;
    let mut builder = Client::builder().api_key(key);
    let environment = m
        .get_one::<String>("environment")
        .map(|e| ("--environment", e.clone()))
        .or_else(|| var("PARTOO_ENV").map(|e| ("PARTOO_ENV", e)));
    if let Some((source, env)) = environment {
        let env = env
            .parse::<Environment>()
            .map_err(|e| Failure::usage(format!("{source}: {e}")))?;
        builder = builder.environment(env);
    }
    if let Some(url) = m
        .get_one::<String>("base-url")
        .cloned()
        .or_else(|| var("PARTOO_BASE_URL"))
    {
        builder = builder.base_url(url);
    }
    if let Some(n) = m.get_one::<u32>("rate-limit") {
        builder = builder.rate_limit_per_minute(*n);
    }
    builder.build().map_err(Failure::from)
}
