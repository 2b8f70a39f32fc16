//! Command line and environment. Every `serve` flag has a `MOCKCLOUD_*` variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::credentials::CredentialClock;

#[derive(Debug, Parser)]
#[command(name = "mockcloud", version, about = "Cloud image-management APIs emulated on localhost")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `mockcloud` with no subcommand is `mockcloud serve`.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every provider on one port (the default).
    Serve(ServeArgs),
    /// Print every emulated route: method, path pattern, operation id.
    Routes,
    /// Exit 0 when a server answers healthy (used by the Docker HEALTHCHECK).
    Health {
        #[arg(long, env = "MOCKCLOUD_HEALTH_URL", default_value = "http://127.0.0.1:8990")]
        url: String,
    },
    /// Scenario files.
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Validate a scenario file and print every problem with its JSON path.
    Check { file: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockArg {
    Real,
    Virtual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MOCKCLOUD_LISTEN", default_value = "127.0.0.1:8990")]
    pub listen: SocketAddr,
    /// A folder with one sub-folder of JSON fixtures per provider, replacing the embedded ones.
    #[arg(long, env = "MOCKCLOUD_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// Scenario file to load at start (repeatable; the variable takes a comma-separated list).
    #[arg(long = "scenario", env = "MOCKCLOUD_SCENARIO", value_delimiter = ',')]
    pub scenarios: Vec<PathBuf>,
    /// Seed for every id and random draw (random when absent).
    #[arg(long, env = "MOCKCLOUD_SEED")]
    pub seed: Option<u64>,
    /// `real` follows the wall clock (scaled by --time-scale); `virtual` moves only through the admin API.
    #[arg(long, env = "MOCKCLOUD_CLOCK", value_enum, default_value = "real")]
    pub clock: ClockArg,
    /// Real seconds per product second under the real clock: 0.01 runs a 100 s step in 1 s.
    #[arg(long, env = "MOCKCLOUD_TIME_SCALE", default_value_t = 1.0, value_parser = parse_scale)]
    pub time_scale: f64,
    /// Load state from this file at start (if it exists) and save it on shutdown and on demand.
    #[arg(long, env = "MOCKCLOUD_STATE_FILE")]
    pub state_file: Option<PathBuf>,
    /// Base URL put into URLs the server hands out (default: from the request's Host header).
    #[arg(long, env = "MOCKCLOUD_PUBLIC_URL")]
    pub public_url: Option<String>,
    #[arg(long, env = "MOCKCLOUD_LOG_FORMAT", value_enum, default_value = "pretty")]
    pub log_format: LogFormat,
    /// Largest request body accepted; larger ones get 413 in the owning provider's format.
    #[arg(long, env = "MOCKCLOUD_MAX_BODY_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_body_bytes: u64,
    /// How many requests the journal keeps (oldest dropped first).
    #[arg(long, env = "MOCKCLOUD_JOURNAL_SIZE", default_value_t = 10_000)]
    pub journal_size: usize,
    /// PEM certificate chain for TLS on the same port (default: a self-signed one for localhost).
    #[arg(long, env = "MOCKCLOUD_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for `--tls-cert`.
    #[arg(long, env = "MOCKCLOUD_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Whether credentials age in real time (default) or with the product clock.
    #[arg(long, env = "MOCKCLOUD_CREDENTIAL_CLOCK", value_enum, default_value = "real")]
    pub credential_clock: CredentialClock,
}

fn parse_scale(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err("the time scale must be a positive number".into())
    }
}

impl ServeArgs {
    /// The defaults, as `mockcloud` with no flags and no environment would run (tests build on this).
    pub fn parse_args<I, T>(args: I) -> Result<ServeArgs, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        let args = std::iter::once(std::ffi::OsString::from("mockcloud")).chain(args.into_iter().map(Into::into));
        Only::try_parse_from(args).map(|o| o.serve)
    }
}
