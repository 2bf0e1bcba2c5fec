//! The lab: run one workload on every async runtime and compare, as uvloop is compared with
//! asyncio. `cargo run --release -p session-08-runtimes -- --help` lists the flags.

use std::io::{self, IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use session_08_runtimes::Runtime;
use session_08_runtimes::bench::{self, Workload};
use session_08_runtimes::echo::EchoConfig;

/// Run the same async workload on several Rust runtimes and compare their speed.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Which workload: this project's producer/consumer queue, a TCP echo on loopback, or both.
    #[arg(long, value_enum, default_value_t = WorkloadArg::Queue)]
    workload: WorkloadArg,

    /// Which runtime to run on [default: all of them].
    #[arg(long, value_enum)]
    runtime: Option<Runtime>,

    /// Items each of the two producers puts on the queue (queue workload).
    #[arg(long, default_value_t = 250_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    items: u64,

    /// Runs per runtime; the table shows the median. A whole run may take at most 10 minutes by
    /// the lab's estimate from measured costs (LAB.md); larger sizes are refused.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100))]
    repeat: u64,

    /// Echo clients connected at once (echo workload).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1000))]
    clients: u64,

    /// Messages each echo client sends, waiting for each reply (echo workload). One echo run may
    /// take at most 60 s.
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    messages: u64,

    /// Bytes per echo message (echo workload). Each client holds two buffers of this size, so
    /// --clients x --message-size may be at most 64 MiB.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    message_size: u64,

    /// Print one JSON object instead of the tables:
    /// {"workload", "build", "results": [{"runtime", "median_s", "processed", ...}]}.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum WorkloadArg {
    /// Two producers x --items, one consumer, a yield after every action.
    Queue,
    /// --clients clients each send --messages messages to an echo server.
    Echo,
    /// Both, one after the other.
    All,
}

/// How long one echo run may take before it is stopped with an error.
const ECHO_TIME_LIMIT: Duration = Duration::from_secs(60);
/// The longest a whole run may take by the lab's estimate (`Workload::estimate_s`): 10 minutes.
const BUDGET_S: f64 = 600.0;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version go to stdout, where a full disk is an output error (exit 1).
            // A usage error goes to stderr; if even that fails (`2>/dev/full`), exit 2 anyway.
            match err.print() {
                Err(e) if !err.use_stderr() && e.kind() != io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(io::stderr(), "error: could not write to stdout: {e}");
                    return ExitCode::FAILURE;
                }
                _ => return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2)),
            }
        }
    };
    let runtimes = cli
        .runtime
        .map_or(Runtime::value_variants().to_vec(), |r| vec![r]);
    let workloads = workloads(&cli);
    if let Err(message) = check_size(&cli, &workloads, runtimes.len()) {
        let _ = writeln!(io::stderr(), "error: {message}");
        return ExitCode::from(2);
    }
    match run(&cli, &workloads, &runtimes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn workloads(cli: &Cli) -> Vec<Workload> {
    let queue = Workload::Queue { items: cli.items };
    let echo = Workload::Echo(EchoConfig {
        clients: cli.clients,
        messages: cli.messages,
        message_size: cli.message_size as usize, // at most 1 MiB (clap's range)
        time_limit: ECHO_TIME_LIMIT,
    });
    match cli.workload {
        WorkloadArg::Queue => vec![queue],
        WorkloadArg::Echo => vec![echo],
        WorkloadArg::All => vec![queue, echo],
    }
}

/// Refuse, before any work, sizes the run could not finish in minutes or in memory.
fn check_size(cli: &Cli, workloads: &[Workload], runtimes: usize) -> Result<(), String> {
    const MAX_ECHO_BYTES: u64 = 64 * 1024 * 1024;
    if cli.clients * cli.message_size > MAX_ECHO_BYTES {
        return Err(format!(
            "--clients {} x --message-size {} is more than 64 MiB of messages in flight; \
             lower one of them",
            cli.clients, cli.message_size
        ));
    }
    let build = bench::build();
    for workload in workloads {
        let one_run = workload.estimate_s();
        if matches!(workload, Workload::Echo(_)) && one_run > ECHO_TIME_LIMIT.as_secs_f64() {
            return Err(format!(
                "--clients {} x --messages {} could take {one_run:.0} s a run ({build} build), \
                 over the echo run's 60 s limit; lower --clients or --messages",
                cli.clients, cli.messages
            ));
        }
    }
    let runs = (runtimes as u64 * cli.repeat) as f64;
    let total: f64 = workloads.iter().map(|w| w.estimate_s() * runs).sum();
    if total > BUDGET_S {
        return Err(format!(
            "these sizes could take {:.0} min ({runs} runs of each workload, {build} build), \
             over the 10-minute bound; lower --items, --messages or --repeat{}",
            total / 60.0,
            if build == "debug" {
                ", or use --release"
            } else {
                ""
            }
        ));
    }
    Ok(())
}

fn run(cli: &Cli, workloads: &[Workload], runtimes: &[Runtime]) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        let _ = writeln!(
            io::stderr(),
            "note: a debug build's figures mean little; use --release"
        );
    }
    // Progress goes to stderr, and only to a terminal, so it never mixes into piped output.
    let progress = io::stderr().is_terminal();
    let repeat = cli.repeat as usize; // at most 100 (clap's range)
    let mut all = Vec::new();
    for &workload in workloads {
        if !cli.json {
            emit(&workload.describe())?;
        }
        let mut measurements = Vec::new();
        for &runtime in runtimes {
            if progress {
                eprint!("\r  running {} ({repeat} runs)...   ", runtime.name());
            }
            measurements.push(bench::measure(runtime, workload, repeat)?);
        }
        if progress {
            eprint!("\r{:60}\r", "");
        }
        if !cli.json {
            emit(&bench::render(&measurements))?;
        }
        all.extend(measurements);
    }
    if cli.json {
        let requested = cli
            .workload
            .to_possible_value()
            .expect("no variant is skipped");
        emit(&bench::to_json(requested.get_name(), &all).to_string())?;
    }
    Ok(())
}

/// Print a line to stdout (styles stripped when stdout is not a terminal or `NO_COLOR` is set).
fn emit(text: &str) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        // The reader went away (`| head -1`): there is nobody left to tell, so stop quietly.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.context("could not write to stdout"),
    }
}
