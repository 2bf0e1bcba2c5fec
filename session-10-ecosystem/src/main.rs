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

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use session_10_ecosystem::{
    DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, blocking, docs, files, heading, kv, pg,
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
    /// Lines in each file.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    lines: u32,
    /// Existing folder to write into (default: a temporary folder, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
struct DocsArgs {
    /// How many tasks use the store at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    tasks: u32,
    /// How many books each task inserts.
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    books: u32,
    /// Database file to use (default: a file in a temporary folder, removed afterwards).
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
            eprintln!("{}", one_line(&err.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
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

/// Runs one part, or all of them in turn.
///
/// The `blocking` part builds its own current-thread runtime (that is the experiment), so
/// this is plain `fn main` with a runtime built by hand rather than `#[tokio::main]`.
fn run(cli: Cli) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("could not start the tokio runtime")?;
    let Some(part) = cli.part else {
        return run_all(&runtime, cli.require_services);
    };
    match part {
        Part::Files(args) => runtime.block_on(files_part(&args)),
        Part::Docs(args) => runtime.block_on(docs_part(&args)),
        Part::Postgres(args) => runtime.block_on(async {
            let mut client = pg::connect(&database_url()).await?;
            postgres_part(&mut client, &args).await
        }),
        Part::Redis(args) => runtime.block_on(async {
            let mut redis = kv::connect(&redis_url()).await?;
            redis_part(&mut redis, &args).await
        }),
        Part::Blocking(args) => blocking_part(&args),
    }
}

/// Every part with its heading. A server that cannot be reached means "skipped" (one line,
/// the run goes on) unless `--require-services`; a failure after connecting is an error.
fn run_all(runtime: &tokio::runtime::Runtime, require_services: bool) -> Result<()> {
    heading("files: aiofiles -> tokio::fs");
    runtime.block_on(files_part(&FilesArgs {
        files: 200,
        lines: 100,
        dir: None,
    }))?;

    heading("docs: umongo -> polodb_core in spawn_blocking");
    runtime.block_on(docs_part(&DocsArgs {
        tasks: 4,
        books: 250,
        db_path: None,
    }))?;

    let server_args = ServerArgs {
        ops: None,
        timeout_secs: 120,
        json: false,
    };
    heading("postgres: asyncpg -> tokio-postgres");
    runtime.block_on(async {
        match pg::connect(&database_url()).await {
            Ok(mut client) => postgres_part(&mut client, &server_args).await,
            Err(err) if require_services => Err(err.context("--require-services")),
            Err(err) => {
                anstream::println!("  skipped: {err:#}");
                Ok(())
            }
        }
    })?;

    heading("redis: asyncio-redis -> redis");
    runtime.block_on(async {
        match kv::connect(&redis_url()).await {
            Ok(mut redis) => redis_part(&mut redis, &server_args).await,
            Err(err) if require_services => Err(err.context("--require-services")),
            Err(err) => {
                anstream::println!("  skipped: {err:#}");
                Ok(())
            }
        }
    })?;

    heading("blocking: inline vs spawn_blocking");
    blocking_part(&BlockingArgs {
        block_ms: 200,
        period_ms: 10,
        work: blocking::Work::Sleep,
    })
}

fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_string())
}

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_string())
}

async fn files_part(args: &FilesArgs) -> Result<()> {
    let temp = tempfile::tempdir().context("could not create a temporary folder")?;
    let options = files::FilesOptions {
        files: args.files as usize,
        lines: args.lines as usize,
        dir: args
            .dir
            .clone()
            .unwrap_or_else(|| temp.path().to_path_buf()),
    };
    files::run(&options).await?.print();
    Ok(())
}

async fn docs_part(args: &DocsArgs) -> Result<()> {
    let options = docs::DocsOptions {
        tasks: args.tasks as usize,
        books_per_task: args.books as usize,
        db_path: args.db_path.clone(),
    };
    docs::run(&options).await?.print();
    Ok(())
}

async fn postgres_part(client: &mut tokio_postgres::Client, args: &ServerArgs) -> Result<()> {
    let ops = args.ops.unwrap_or(2000) as usize;
    if !args.json {
        // The one-by-one pass can take seconds on a busy machine: say what is running.
        anstream::println!("  running {ops} queries one by one, then pipelined ...");
    }
    let report = within(
        args.timeout_secs,
        pg::run(client, ops),
        "the session10_books_* table",
    )
    .await
    .context("the postgres part failed")?;
    if args.json {
        println!("{}", serde_json::to_string(&report.figures.simple)?);
    } else {
        report.print();
    }
    Ok(())
}

async fn redis_part(redis: &mut kv::Redis, args: &ServerArgs) -> Result<()> {
    let ops = args.ops.unwrap_or(10_000) as usize;
    if !args.json {
        anstream::println!("  running {ops} SETs one by one, then in one pipeline ...");
    }
    let report = within(
        args.timeout_secs,
        kv::run(redis, ops),
        "the session10:* keys",
    )
    .await
    .context("the redis part failed")?;
    if args.json {
        println!("{}", serde_json::to_string(&report.figures)?);
    } else {
        report.print();
    }
    Ok(())
}

/// Runs `part` with an upper bound, so a server that stops answering ends the run with a
/// clear line instead of a hang. When the bound hits, the part's own clean-up cannot run.
async fn within<T>(
    secs: u64,
    part: impl std::future::Future<Output = Result<T>>,
    leftovers: &str,
) -> Result<T> {
    let limit = Duration::from_secs(secs);
    match tokio::time::timeout(limit, part).await {
        Ok(result) => result,
        Err(_) => anyhow::bail!(
            "the part did not finish within {limit:?} (--timeout-secs; raise it for a large \
             --ops, or is the server overloaded?): {leftovers} of this run may be left behind"
        ),
    }
}

fn blocking_part(args: &BlockingArgs) -> Result<()> {
    let options = blocking::BlockingOptions {
        period: Duration::from_millis(args.period_ms),
        block: Duration::from_millis(args.block_ms),
        work: args.work,
    };
    let reports = blocking::run(options)?;
    blocking::print(&options, &reports);
    Ok(())
}
