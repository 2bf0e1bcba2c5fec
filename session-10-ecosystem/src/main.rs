//! Session 10: the async ecosystem, as a lab.
//!
//! Run every part: `cargo run -p session-10-ecosystem`; one part: `... -- redis --ops 1000`;
//! figures worth quoting: `cargo run --release -p session-10-ecosystem -- postgres`.
//! Nothing is left to clean up: `files` and `docs` work in a fresh folder removed at the end
//! (also after Ctrl-C), the table is TEMPORARY, and every Redis key expires within 60 s.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::{CommandFactory, Parser, Subcommand};
use session_10_ecosystem::{Unreachable, blocking, docs, error_line, files, heading};
use session_10_ecosystem::{postgres, redis};
use tempfile::TempDir;

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
    /// Existing folder in which `files` and `docs` make a fresh folder of their own
    /// (session10-XXXXXX), removed at the end; nothing else in it is touched.
    /// Default: the system's temporary folder.
    #[arg(long, global = true)]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    part: Option<Part>,
}

/// One part, as its subcommand (the full run parses each name to get its defaults).
#[derive(Debug, Parser)]
struct OnePart {
    #[command(subcommand)]
    part: Part,
}

#[derive(Debug, Subcommand)]
enum Part {
    /// aiofiles -> tokio::fs: write files concurrently, read them back, count lines.
    Files {
        /// How many files to write and read back (each way).
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        files: u32,
        /// Lines in each file (files x lines at most 2,000,000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        lines: u32,
    },
    /// umongo -> an embedded Mongo-like store (PoloDB), every call in spawn_blocking.
    Docs {
        /// How many tasks use the store at the same time.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=16))]
        tasks: u32,
        /// How many books each task inserts (tasks x books at most 40,000: see LAB.md).
        #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        books: u32,
    },
    /// asyncpg -> tokio-postgres: a TEMPORARY table, one-by-one vs pipelined queries.
    Postgres(ServerArgs),
    /// asyncio-redis -> redis: SET/GET/INCR, one-by-one vs pipeline; keys expire in 60 s.
    Redis(ServerArgs),
    /// A 10 ms ticker next to a blocking call made inline vs in spawn_blocking.
    Blocking {
        /// How long the blocking call takes, in milliseconds.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(20..=10_000))]
        block_ms: u64,
        /// How often the ticker wants to run, in milliseconds.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1_000))]
        period_ms: u64,
    },
}

#[derive(Debug, Clone, clap::Args)]
struct ServerArgs {
    /// How many operations each pass makes (default: 2000 for postgres, 10000 for redis).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    ops: Option<u32>,
    /// Print only {"ops":N,"sequential_s":..,"pipelined_s":..} on stdout
    /// (for postgres: the simple-query figures).
    #[arg(long)]
    json: bool,
}

/// A server part still running after this has a server that stopped answering.
const PART_LIMIT: Duration = Duration::from_secs(120);

fn main() -> ExitCode {
    let cli = match Cli::try_parse().and_then(check_products) {
        Ok(cli) => cli,
        Err(err) => {
            // clap's own message: --help and --version go to stdout, where a full disk is an
            // output error (one line, exit 1); bad usage goes to stderr, and if even that fails
            // (`2>/dev/full`) the exit code still says 2.
            if let Err(e) = err.print()
                && !err.use_stderr()
                && e.kind() != io::ErrorKind::BrokenPipe
            {
                let _ = writeln!(io::stderr(), "error: could not write to stdout: {e}");
                return ExitCode::FAILURE;
            }
            return ExitCode::from(err.exit_code() as u8);
        }
    };
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`| head -1`): nothing left to say, to no one.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {}", error_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// Refuses, at parse time, flag products that would take too much memory or break the store.
fn check_products(cli: Cli) -> Result<Cli, clap::Error> {
    let (product, max, what) = match cli.part {
        Some(Part::Files { files, lines }) => {
            (files * lines, files::MAX_TOTAL_LINES, "--files x --lines")
        }
        Some(Part::Docs { tasks, books }) => {
            (tasks * books, docs::MAX_TOTAL_BOOKS, "--tasks x --books")
        }
        _ => return Ok(cli),
    };
    if product as usize <= max {
        return Ok(cli);
    }
    let message = format!("{what} is {product}, over the bound of {max} (see --help)");
    Err(Cli::command().error(clap::error::ErrorKind::ValueValidation, message))
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs the parts in a fresh folder of the run's own, with a Ctrl-C guard around them.
/// (`blocking` builds runtimes of its own, so this is not `#[tokio::main]`.)
fn run(cli: Cli) -> Result<ExitCode> {
    let parent = cli.dir.clone().unwrap_or_else(std::env::temp_dir);
    // Only `files` and `docs` write files. mkdtemp: a new folder, never one that exists.
    let mkdir = "could not make a folder: give a writable --dir";
    let scratch = match cli.part {
        Some(Part::Postgres(_) | Part::Redis(_) | Part::Blocking { .. }) => None,
        _ => Some(TempDir::with_prefix_in("session10-", &parent).context(mkdir)?),
    };
    let runtime = tokio::runtime::Runtime::new().context("could not start the tokio runtime")?;
    let interrupted = runtime.block_on(async {
        tokio::select! {
            biased; // ctrl_c first: its handler is in place before any work starts
            _ = tokio::signal::ctrl_c() => Ok(true),
            result = run_parts(cli, scratch.as_ref().map_or(&parent, |dir| dir.path())) => result.map(|()| false),
        }
    });
    // Blocking calls already running (a file write, a store insert) end before the folder goes.
    runtime.shutdown_timeout(Duration::from_secs(10));
    let removed = scratch.map(TempDir::close).transpose();
    let interrupted = interrupted?;
    removed.context("could not remove the run's folder")?;
    if !interrupted {
        return Ok(ExitCode::SUCCESS);
    }
    let _ = writeln!(std::io::stderr(), "interrupted: nothing is left behind");
    Ok(ExitCode::from(130))
}

/// One part, or every part with its heading. A server part that could not start is
/// "skipped" in one line in the full run, unless `--require-services`.
async fn run_parts(cli: Cli, dir: &Path) -> Result<()> {
    let mut out = anstream::stdout();
    match cli.part {
        Some(part) => run_part(part, dir, &mut out).await?,
        None => {
            for name in ["files", "docs", "postgres", "redis", "blocking"] {
                let part = OnePart::try_parse_from(["session-10-ecosystem", name])?.part;
                let title = match part {
                    Part::Files { .. } => "files: aiofiles -> tokio::fs",
                    Part::Docs { .. } => "docs: umongo -> polodb_core in spawn_blocking",
                    Part::Postgres(_) => "postgres: asyncpg -> tokio-postgres",
                    Part::Redis(_) => "redis: asyncio-redis -> redis",
                    Part::Blocking { .. } => "blocking: inline vs spawn_blocking",
                };
                wrote(heading(&mut out, title))?;
                match run_part(part, dir, &mut out).await {
                    Err(err) if !cli.require_services && err.is::<Unreachable>() => {
                        wrote(writeln!(out, "  skipped: {}", error_line(&err)))?;
                    }
                    other => other?,
                }
            }
        }
    }
    wrote(out.flush())
}

/// A failed write to stdout, said as such (a closed pipe is told apart in `main`).
fn wrote(written: std::io::Result<()>) -> Result<()> {
    written.context("could not write to stdout")
}

async fn run_part(part: Part, dir: &Path, out: &mut impl Write) -> Result<()> {
    let dir = dir.to_path_buf();
    match part {
        Part::Files { files, lines } => {
            let (files, lines) = (files as usize, lines as usize);
            let report = files::run(&files::FilesOptions { files, lines, dir }).await?;
            wrote(report.write_to(out))
        }
        Part::Docs { tasks, books } => {
            let (tasks, books) = (tasks as usize, books as usize);
            let report = docs::run(&docs::DocsOptions { tasks, books, dir }).await?;
            wrote(report.write_to(out))
        }
        Part::Postgres(args) => {
            let config = postgres::config(&env_url("DATABASE_URL", postgres::DEFAULT_URL)?)?;
            let at = postgres::describe(&config);
            if !args.json {
                wrote(writeln!(out, "  PostgreSQL at {at}"))?;
            }
            let client = postgres::connect(&config).await?;
            let ops = args.ops.unwrap_or(2000) as usize;
            let report = within_limit(postgres::run(&client, ops)).await?;
            match args.json {
                true => wrote(writeln!(out, "{}", serde_json::to_string(&report.simple)?)),
                false => wrote(report.write_to(out)),
            }
        }
        Part::Redis(args) => {
            let info = redis::config(&env_url("REDIS_URL", redis::DEFAULT_URL)?)?;
            if !args.json {
                wrote(writeln!(out, "  Redis at {}", redis::describe(&info)))?;
            }
            let mut client = redis::connect(&info).await?;
            let ops = args.ops.unwrap_or(10_000) as usize;
            let report = within_limit(redis::run(&mut client, &redis::prefix(), ops)).await?;
            match args.json {
                true => wrote(writeln!(out, "{}", serde_json::to_string(&report.figures)?)),
                false => wrote(report.write_to(out)),
            }
        }
        Part::Blocking {
            block_ms,
            period_ms,
        } => {
            let options = blocking::BlockingOptions {
                period: Duration::from_millis(period_ms),
                block: Duration::from_millis(block_ms),
            };
            // Its own thread, so that Ctrl-C need not wait for the measurement to end.
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || tx.send(blocking::run(options)));
            let reports = rx.await.context("the measuring thread panicked")??;
            wrote(blocking::write_to(out, &options, &reports))
        }
    }
}

/// A server part, bounded in time: a server that stops answering cannot hang the run.
async fn within_limit<T>(part: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::time::timeout(PART_LIMIT, part).await.map_err(|_| {
        anyhow!("the part did not finish within {PART_LIMIT:?}: is the server overloaded?")
    })?
}

/// The URL in `name`, or `default` when it is not set. A value that is not UTF-8 is refused
/// without being shown.
fn env_url(name: &str, default: &str) -> Result<String, Unreachable> {
    match std::env::var(name) {
        Ok(url) => Ok(url),
        Err(std::env::VarError::NotPresent) => Ok(default.to_string()),
        Err(std::env::VarError::NotUnicode(_)) => Err(Unreachable(format!("{name} is not UTF-8"))),
    }
}
