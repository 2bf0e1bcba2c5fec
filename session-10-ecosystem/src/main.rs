//! Session 10: the async ecosystem.
//!
//! Run every part:            cargo run -p session-10-ecosystem
//! Run one part:              cargo run -p session-10-ecosystem -- redis --ops 1000
//! Figures worth quoting:     cargo run --release -p session-10-ecosystem -- postgres
//!
//! Watch: which parts are "an async library" (files, postgres, redis) and which are "a
//! blocking library on threads" (docs), and what the `blocking` part prints for each way.
//! PostgreSQL and Redis are read from DATABASE_URL and REDIS_URL (local defaults); a part
//! whose server is down is skipped with one line, unless --require-services is given.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use session_10_ecosystem::lab::{self, Interrupted, Stop};
use session_10_ecosystem::{
    DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, blocking, error_line, heading,
};

/// The async ecosystem: files, a document store, PostgreSQL and Redis, and when to use threads.
///
/// Without a subcommand every part runs in turn. PostgreSQL comes from DATABASE_URL (default
/// postgres://root@127.0.0.1:5432/test), Redis from REDIS_URL (default redis://127.0.0.1:6379).
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Treat an unreachable PostgreSQL or Redis as an error instead of skipping that part.
    #[arg(long, global = true)]
    require_services: bool,

    #[command(subcommand)]
    part: Option<Part>,
}

#[derive(Debug, Subcommand)]
enum Part {
    /// aiofiles -> tokio::fs: write files concurrently, read them back, count lines.
    Files(FilesArgs),
    /// umongo -> an embedded Mongo-like store (PoloDB), every call in spawn_blocking.
    Docs(DocsArgs),
    /// asyncpg -> tokio-postgres: own table, rollback, one-by-one vs pipelined queries.
    Postgres(ServerArgs),
    /// asyncio-redis -> redis: own keys, SET/GET/INCR, one-by-one vs pipeline, pub/sub.
    Redis(ServerArgs),
    /// A 10 ms ticker next to a blocking call made inline vs in spawn_blocking.
    Blocking(BlockingArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct FilesArgs {
    /// How many files to write and read back (each way).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    files: u32,
    /// Lines in each file (files x lines at most 2,000,000).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    lines: u32,
    /// Existing folder in which the run makes a new folder of its own (session10-files-XXXX),
    /// removed afterwards; nothing else in it is touched. Default: the system's temp folder.
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
struct DocsArgs {
    /// How many tasks use the store at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=16))]
    tasks: u32,
    /// How many books each task inserts (tasks x books at most 40,000: see LAB.md).
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    books: u32,
    /// New store file to create and keep; a path that exists is refused. Default: a file in
    /// a temporary folder, removed afterwards.
    #[arg(long)]
    db_path: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
struct ServerArgs {
    /// How many operations each pass makes (default: 2000 for postgres, 10000 for redis).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    ops: Option<u32>,
    /// Give up on the part after this many seconds (a server that stops answering).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout_secs: u64,
    /// Print only {"ops":N,"sequential_s":..,"pipelined_s":..} on stdout
    /// (for postgres: the simple-query figures).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, clap::Args)]
struct BlockingArgs {
    /// How long the blocking call takes, in milliseconds.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(20..=10_000))]
    block_ms: u64,
    /// How often the ticker wants to run, in milliseconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1_000))]
    period_ms: u64,
    /// What the blocking call does.
    #[arg(long, value_enum, default_value_t = blocking::Work::Sleep)]
    work: blocking::Work,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are not errors: let clap print them and exit 0.
        Err(err) if !err.use_stderr() => err.exit(),
        Err(err) => {
            say(&one_line(&err.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head -1`, `| true`): nothing left to say, to no one.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            say(&format!("error: {}", error_line(&err)));
            match err.downcast_ref::<Interrupted>() {
                Some(stop) => ExitCode::from(stop.exit_code()),
                None => ExitCode::FAILURE,
            }
        }
    }
}

/// One line on stderr; if even stderr is gone there is no one to tell, so no panic.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// clap's messages span several lines (usage, tips); a learner gets the gist on one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one part, or all of them in turn, with SIGINT and SIGTERM handled from the start.
///
/// The `blocking` part builds its own current-thread runtime (that is the experiment), so
/// this is plain `fn main` with a runtime built by hand rather than `#[tokio::main]`.
fn run(cli: Cli) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("could not start the tokio runtime")?;
    let result = runtime.block_on(async {
        let mut stop = Stop::listen()?;
        match cli.part {
            Some(part) => run_part(part, &mut stop).await,
            None => run_all(cli.require_services, &mut stop).await,
        }?;
        anstream::stdout()
            .flush()
            .context("could not write to stdout")
    });
    // A stopped part may leave a blocking call running (a store insert, a file write): do
    // not wait for it, its files are already removed.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}

/// Writes with `write` to stdout (coloured on a terminal); a full disk becomes an error.
fn emit(
    write: impl FnOnce(&mut anstream::AutoStream<std::io::Stdout>) -> std::io::Result<()>,
) -> Result<()> {
    write(&mut anstream::stdout()).context("could not write to stdout")
}

async fn run_part(part: Part, stop: &mut Stop) -> Result<()> {
    let mut out = anstream::stdout();
    match part {
        Part::Files(args) => {
            let report = lab::files(
                args.files as usize,
                args.lines as usize,
                args.dir.as_deref(),
                &mut out,
                stop,
            )
            .await?;
            emit(|out| report.write_to(out))
        }
        Part::Docs(args) => {
            let report = lab::docs(
                args.tasks as usize,
                args.books as usize,
                args.db_path.as_deref(),
                &mut out,
                stop,
            )
            .await?;
            emit(|out| report.write_to(out))
        }
        Part::Postgres(args) => {
            let ops = args.ops.unwrap_or(2000) as usize;
            let limit = Duration::from_secs(args.timeout_secs);
            let report =
                lab::postgres(&database_url(), ops, limit, args.json, &mut out, stop).await?;
            if args.json {
                let json = serde_json::to_string(&report.figures.simple)?;
                emit(|out| writeln!(out, "{json}"))
            } else {
                emit(|out| report.write_to(out))
            }
        }
        Part::Redis(args) => {
            let ops = args.ops.unwrap_or(10_000) as usize;
            let limit = Duration::from_secs(args.timeout_secs);
            let report = lab::redis(&redis_url(), ops, limit, args.json, &mut out, stop).await?;
            if args.json {
                let json = serde_json::to_string(&report.figures)?;
                emit(|out| writeln!(out, "{json}"))
            } else {
                emit(|out| report.write_to(out))
            }
        }
        Part::Blocking(args) => {
            let options = blocking::BlockingOptions {
                period: Duration::from_millis(args.period_ms),
                block: Duration::from_millis(args.block_ms),
                work: args.work,
            };
            let reports = lab::blocking(options, stop).await?;
            emit(|out| blocking::write_to(out, &options, &reports))
        }
    }
}

/// A part's flags as clap's defaults give them, so the full run uses the same numbers as
/// `PART` alone without restating them here.
fn defaults<A: clap::Args + clap::FromArgMatches>() -> Result<A> {
    let command = A::augment_args(clap::Command::new("defaults"));
    let matches = command
        .try_get_matches_from(["defaults"])
        .context("the flags' defaults do not parse")?;
    Ok(A::from_arg_matches(&matches)?)
}

/// Every part with its heading. A server that cannot be reached means "skipped" (one line,
/// the run goes on) unless `--require-services`; a failure after connecting is an error.
async fn run_all(require_services: bool, stop: &mut Stop) -> Result<()> {
    let parts = [
        ("files: aiofiles -> tokio::fs", Part::Files(defaults()?)),
        (
            "docs: umongo -> polodb_core in spawn_blocking",
            Part::Docs(defaults()?),
        ),
        (
            "postgres: asyncpg -> tokio-postgres",
            Part::Postgres(defaults()?),
        ),
        ("redis: asyncio-redis -> redis", Part::Redis(defaults()?)),
        (
            "blocking: inline vs spawn_blocking",
            Part::Blocking(defaults()?),
        ),
    ];
    for (title, part) in parts {
        emit(|out| heading(out, title))?;
        let needs_server = matches!(part, Part::Postgres(_) | Part::Redis(_));
        match run_part(part, stop).await {
            Ok(()) => {}
            Err(err) if needs_server && !require_services && is_unreachable(&err) => {
                emit(|out| writeln!(out, "  skipped: {}", error_line(&err)))?;
            }
            Err(err) if needs_server && is_unreachable(&err) => {
                return Err(err.context("--require-services"));
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Whether a server part failed before it started: the server could not be reached.
fn is_unreachable(err: &anyhow::Error) -> bool {
    let line = err.to_string();
    line.starts_with("could not connect to")
        || line.starts_with("bad ")
        || line.contains("did not answer PING")
}

fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_string())
}

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_string())
}
