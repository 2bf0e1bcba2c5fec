//! Run one workload on every async runtime and compare, as uvloop is compared with asyncio.
//!
//! ```text
//! cargo run --release -p session-08-runtimes                     # the queue benchmark (ours)
//! cargo run --release -p session-08-runtimes -- --workload echo  # uvloop's echo benchmark
//! cargo run --release -p session-08-runtimes -- --help
//! ```
//!
//! Watch the "vs fastest" column, then run it again: the order of the close ones changes from
//! run to run on a busy machine, the order of the far-apart ones does not.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use session_08_runtimes::bench;
use session_08_runtimes::echo::EchoConfig;
use session_08_runtimes::{Runtime, Workload};

/// Run the same async workload on several Rust runtimes and compare their speed.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Which workload: this project's producer/consumer queue, a TCP echo on loopback, or both.
    #[arg(long, value_enum, default_value_t = WorkloadArg::Queue)]
    workload: WorkloadArg,

    /// Which runtime to run on, or all of them.
    #[arg(long, value_enum, default_value_t = RuntimeArg::All)]
    runtime: RuntimeArg,

    /// Items each of the two producers puts on the queue (queue workload). --items x --repeat
    /// may be at most 100,000,000: a million items take up to about a second per runtime and
    /// run in a release build, ten times that in a debug build.
    #[arg(long, default_value_t = 250_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    items: u64,

    /// Runs per runtime; the table shows the median.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100))]
    repeat: u64,

    /// Echo clients connected at once (echo workload).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1000))]
    clients: u64,

    /// Messages each echo client sends, waiting for each reply (echo workload). An echo run that
    /// takes longer than 60 s stops with an error.
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    messages: u64,

    /// Bytes per echo message (echo workload). Each client holds two buffers of this size, so
    /// --clients x --message-size may be at most 64 MiB.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    message_size: u64,

    /// Print one JSON object instead of the table:
    /// {"workload", "build", "results": [{"runtime", "median_s", "processed", ...}]}.
    #[arg(long)]
    json: bool,
}

/// `--workload` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum WorkloadArg {
    /// Two producers x --items, one consumer, a yield after every action.
    Queue,
    /// --clients clients each send --messages messages to an echo server.
    Echo,
    /// Both, one after the other.
    All,
}

/// `--runtime` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RuntimeArg {
    /// Every runtime below.
    All,
    /// tokio, current-thread runtime.
    TokioCt,
    /// tokio, multi-thread runtime (one worker per core).
    TokioMt,
    /// smol, a LocalExecutor on one thread.
    Smol,
    /// smol, an Executor on one thread per core.
    SmolMt,
    /// async-std (discontinued upstream; smol is its successor).
    AsyncStd,
    /// futures::executor::LocalPool (an executor with no reactor of its own).
    Futures,
}

/// How long one echo run may take before it counts as failed.
const ECHO_TIME_LIMIT: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are not errors: print them and exit 0, or 1 when stdout is full.
        Err(err) if !err.use_stderr() => {
            return match err.print() {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("error: could not write to stdout: {e}");
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            };
        }
        Err(err) => {
            eprintln!("{}", one_line(&err.render().to_string()));
            return ExitCode::from(2);
        }
    };
    if let Err(message) = check_size(&cli) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Ctrl-C: one line and exit code 130, whichever runtime is running. Nothing to clean up:
    // the runs make no files, and their sockets close with the process.
    ctrlc::set_handler(|| {
        eprintln!("\ninterrupted by Ctrl-C: the measurement was stopped before it finished");
        std::process::exit(130);
    })
    .context("could not install the Ctrl-C handler")?;
    if cfg!(debug_assertions) {
        eprintln!(
            "note: debug build, these figures mean little; for real ones run `cargo run --release -p session-08-runtimes`"
        );
    }
    let queue = Workload::Queue { items: cli.items };
    let echo = Workload::Echo(EchoConfig {
        clients: cli.clients,
        messages: cli.messages,
        message_size: usize::try_from(cli.message_size)?,
        time_limit: ECHO_TIME_LIMIT,
    });
    let workloads = match cli.workload {
        WorkloadArg::Queue => vec![queue],
        WorkloadArg::Echo => vec![echo],
        WorkloadArg::All => vec![queue, echo],
    };
    let runtimes = match cli.runtime {
        RuntimeArg::All => Runtime::ALL.to_vec(),
        RuntimeArg::TokioCt => vec![Runtime::TokioCt],
        RuntimeArg::TokioMt => vec![Runtime::TokioMt],
        RuntimeArg::Smol => vec![Runtime::Smol],
        RuntimeArg::SmolMt => vec![Runtime::SmolMt],
        RuntimeArg::AsyncStd => vec![Runtime::AsyncStd],
        RuntimeArg::Futures => vec![Runtime::Futures],
    };
    let repeat = usize::try_from(cli.repeat)?;

    // Progress goes to stderr, and only to a terminal, so it never mixes into piped output.
    let show_progress = std::io::stderr().is_terminal();
    let mut all = Vec::new();
    for workload in workloads {
        if !cli.json {
            emit(&workload.describe())?;
        }
        let mut measurements = Vec::new();
        for &runtime in &runtimes {
            let measurement = bench::measure(runtime, workload, repeat, |run| {
                if show_progress {
                    eprint!("\r  running {} ({run}/{repeat})...   ", runtime.name());
                    let _ = std::io::stderr().flush();
                }
            })?;
            measurements.push(measurement);
        }
        if show_progress {
            eprint!("\r{:60}\r", "");
        }
        if !cli.json {
            emit(&bench::render(&measurements))?;
        }
        all.extend(measurements);
    }
    if cli.json {
        let requested = match cli.workload {
            WorkloadArg::Queue => "queue",
            WorkloadArg::Echo => "echo",
            WorkloadArg::All => "all",
        };
        emit(&bench::to_json(requested, &all).to_string())?;
    }
    Ok(())
}

/// Print a line to stdout (styles stripped when stdout is not a terminal or `NO_COLOR` is set).
///
/// `println!` panics when stdout is a closed pipe (`... | head -3`); here that ends the output
/// quietly instead, as it does for other command-line tools.
fn emit(text: &str) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("could not write to stdout"),
    }
}

/// Refuse sizes the run could not finish in reasonable time or memory.
fn check_size(cli: &Cli) -> Result<(), String> {
    const MAX_ITEM_RUNS: u64 = 100_000_000;
    const MAX_ECHO_BYTES: u64 = 64 * 1024 * 1024;
    if cli.items.saturating_mul(cli.repeat) > MAX_ITEM_RUNS {
        return Err(format!(
            "--items {} x --repeat {} is more than {MAX_ITEM_RUNS} items per runtime: \
             that would run for many minutes; lower one of them",
            cli.items, cli.repeat
        ));
    }
    if cli.clients.saturating_mul(cli.message_size) > MAX_ECHO_BYTES {
        return Err(format!(
            "--clients {} x --message-size {} is more than 64 MiB of messages in flight; \
             lower one of them",
            cli.clients, cli.message_size
        ));
    }
    Ok(())
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
