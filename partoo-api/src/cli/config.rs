//! Global flags and the client they configure, like [`crate::Client::from_env`] with flags on top.

use clap::{Arg, ArgAction, ArgMatches};

use super::Failure;
use crate::{Client, Environment};

/// `--api-key`, `--environment`, `--base-url`, `--rate-limit`, `--max-pages`, `--max-body`, `--verbose`:
/// global, so they may follow the subcommand.
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
        Arg::new("max-pages")
            .long("max-pages")
            .value_name("N")
            .global(true)
            .help_heading("Global options")
            .value_parser(clap::value_parser!(u32).range(1..))
            .help("Most pages an --all stream fetches (default 10000); past it the command fails, naming the cap"),
        Arg::new("max-body")
            .long("max-body")
            .value_name("BYTES")
            .global(true)
            .help_heading("Global options")
            .value_parser(clap::value_parser!(u64).range(1..))
            .help("Largest success body read (default 64 MiB); a larger one fails, naming the limit"),
        Arg::new("verbose")
            .short('v')
            .long("verbose")
            .global(true)
            .help_heading("Global options")
            .action(ArgAction::SetTrue)
            .help("Show method, URL template, status and timing on stderr, and error bodies"),
    ]
}

/// The API key: `--api-key`, else `$PARTOO_API_KEY` (when not blank).
pub(super) fn api_key(m: &ArgMatches) -> Option<String> {
    m.get_one::<String>("api-key").cloned().or_else(|| {
        std::env::var("PARTOO_API_KEY")
            .ok()
            .filter(|v| !v.trim().is_empty())
    })
}

/// The client: each flag overrides its environment variable.
pub(super) fn client(m: &ArgMatches) -> Result<Client, Failure> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let key = api_key(m).ok_or_else(|| {
        Failure::usage("no API key: give --api-key or set PARTOO_API_KEY".to_owned())
    })?;
    let mut builder = Client::builder().api_key(key);
    let (environment, base_url) = target(
        m.get_one::<String>("environment").cloned(),
        m.get_one::<String>("base-url").cloned(),
        var,
    );
    if let Some((source, env)) = environment {
        let env = env
            .parse::<Environment>()
            .map_err(|e| Failure::usage(format!("{source}: {e}")))?;
        builder = builder.environment(env);
    }
    if let Some((source, url)) = base_url {
        // Checked here too, so that the message says where the URL came from.
        crate::config::check_base_url(&url)
            .map_err(|e| Failure::usage(format!("{source}: {e}")))?;
        builder = builder.base_url(url);
    }
    if let Some(n) = m.get_one::<u32>("rate-limit") {
        builder = builder.rate_limit_per_minute(*n);
    }
    if let Some(n) = m.get_one::<u32>("max-pages") {
        builder = builder.max_pages(*n);
    }
    if let Some(n) = m.get_one::<u64>("max-body") {
        let bytes = usize::try_from(*n)
            .map_err(|_| Failure::usage(format!("--max-body {n}: too large for this machine")))?;
        builder = builder.max_body(bytes);
    }
    builder.build().map_err(Failure::from)
}

/// Where a value came from (a flag or an environment variable, named in errors) and the value.
type Sourced = Option<(&'static str, String)>;

/// The environment and base URL to use, each with its source. The flags decide as a pair: when
/// `--environment` or `--base-url` is given, `PARTOO_ENV` and `PARTOO_BASE_URL` are not read, so an explicit
/// `--environment sandbox` is never redirected by a `PARTOO_BASE_URL` left in the shell. Within either pair
/// the base URL overrides the environment, as in [`crate::ClientBuilder`].
fn target(
    flag_env: Option<String>,
    flag_url: Option<String>,
    var: impl Fn(&str) -> Option<String>,
) -> (Sourced, Sourced) {
    if flag_env.is_some() || flag_url.is_some() {
        (
            flag_env.map(|e| ("--environment", e)),
            flag_url.map(|u| ("--base-url", u)),
        )
    } else {
        (
            var("PARTOO_ENV").map(|e| ("PARTOO_ENV", e)),
            var("PARTOO_BASE_URL").map(|u| ("PARTOO_BASE_URL", u)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{global_args, target};

    /// Every subcommand inherits the global flags, and clap panics on two arguments of one name: the build
    /// must refuse a parameter named like any of them (`--max-pages` and `--max-body` were missing, so such a
    /// spec built and its command panicked when the flag was used).
    #[test]
    fn the_generator_reserves_every_global_flag() {
        for arg in global_args() {
            let long = arg.get_long().expect("global flags are long flags");
            assert!(
                partoo_api_build::cli::RESERVED_FLAGS.contains(&long),
                "--{long} is missing from partoo_api_build::cli::RESERVED_FLAGS"
            );
        }
    }

    fn vars(name: &str) -> Option<String> {
        match name {
            "PARTOO_ENV" => Some("production".to_owned()),
            "PARTOO_BASE_URL" => Some("https://elsewhere.example".to_owned()),
            _ => None,
        }
    }

    #[test]
    fn an_environment_flag_is_not_redirected_by_the_base_url_variable() {
        let (env, url) = target(Some("sandbox".to_owned()), None, vars);
        assert_eq!(env, Some(("--environment", "sandbox".to_owned())));
        assert_eq!(url, None);
    }

    #[test]
    fn a_base_url_flag_leaves_both_variables_unread() {
        let (env, url) = target(None, Some("https://flag.example".to_owned()), vars);
        assert_eq!(env, None);
        assert_eq!(url, Some(("--base-url", "https://flag.example".to_owned())));
    }

    #[test]
    fn without_flags_the_variables_decide() {
        let (env, url) = target(None, None, vars);
        assert_eq!(env, Some(("PARTOO_ENV", "production".to_owned())));
        assert_eq!(
            url,
            Some(("PARTOO_BASE_URL", "https://elsewhere.example".to_owned()))
        );
    }
}
