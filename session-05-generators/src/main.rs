//! Session 5: generators -> iterators, streams, and the state machine under async.
//!
//! Run all five parts in order:   cargo run -p session-05-generators
//! Run one part:                  cargo run -p session-05-generators -- fib
//! Watch for: the course's exact `fib` line, the stream's numbers arriving one wait apart,
//! the hand-written future's state after every poll, and the executor's poll/park/wake trace.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use session_05_generators::{executor, fib, state_machine, stream};

/// From Python generators to Rust iterators, streams and the state machine under async.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// The part to run; without one, all five run in order, each under a heading.
    #[command(subcommand)]
    part: Option<Part>,

    /// Stop the Fibonacci numbers past this value (parts fib, next, stream).
    /// Any u64 works: the sequence ends by itself at the largest u64 Fibonacci number.
    #[arg(long, global = true, default_value_t = 1000, value_name = "N")]
    limit: u64,

    /// Milliseconds the stream waits before each number, and the helper thread waits before
    /// it wakes the executor (parts stream, executor). 0 runs without waiting.
    #[arg(
        long,
        global = true,
        default_value_t = 50,
        value_name = "MS",
        value_parser = clap::value_parser!(u64).range(0..=10_000),
    )]
    delay_ms: u64,

    /// Which Fibonacci number the state-machine part computes (one poll per step).
    #[arg(long, global = true, default_value_t = 10, value_name = "N")]
    steps: u32,

    /// Who wakes the executor in the executor part.
    #[arg(long, global = true, value_enum, default_value_t = WakerKind::Thread)]
    waker: WakerKind,
}

#[derive(Debug, Clone, Copy, Subcommand)]
enum Part {
    /// The course's loop: a `for` over the Fib iterator, stopping past --limit.
    Fib,
    /// next() by hand, then from_fn, successors and a lazy take_while; where the sequence ends.
    Next,
    /// The same numbers as an async Stream that waits --delay-ms before each one.
    Stream,
    /// An async fn beside the enum it compiles to, state by state, with their sizes.
    StateMachine,
    /// A minimal block_on executor, printing every poll, Pending, wake and Ready.
    Executor,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum WakerKind {
    /// The future calls its own waker before returning Pending (like yield_now).
    #[value(name = "self")]
    Itself,
    /// Another thread calls the waker after --delay-ms (like a timer or I/O driver).
    Thread,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are not errors: print them and exit 0, unless stdout fails.
        Err(help) if !help.use_stderr() => {
            return match help.print() {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: could not write to stdout: {err}");
                    ExitCode::FAILURE
                }
            };
        }
        Err(err) => {
            eprintln!("{}", one_line(&err.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head -1`): nobody is left to tell, so end quietly.
        Err(err) if reader_went_away(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let parts = match cli.part {
        Some(part) => vec![part],
        None => vec![
            Part::Fib,
            Part::Next,
            Part::Stream,
            Part::StateMachine,
            Part::Executor,
        ],
    };
    let walk_through = cli.part.is_none();
    let mut out = anstream::stdout().lock();
    for (index, part) in parts.into_iter().enumerate() {
        if walk_through {
            heading(&mut out, index, part).context("could not write to stdout")?;
        }
        run_part(&mut out, &cli, part)?;
    }
    Ok(())
}

fn run_part(out: &mut impl Write, cli: &Cli, part: Part) -> anyhow::Result<()> {
    let delay = Duration::from_millis(cli.delay_ms);
    match part {
        Part::Fib => fib::for_loop(out, cli.limit).context("could not write to stdout")?,
        Part::Next => fib::next_and_friends(out, cli.limit).context("could not write to stdout")?,
        Part::Stream => {
            stream::run(out, cli.limit, delay)?;
        }
        Part::StateMachine => {
            state_machine::run(out, cli.steps).context("could not write to stdout")?
        }
        Part::Executor => {
            let wake_from = match cli.waker {
                WakerKind::Itself => executor::WakeFrom::Itself,
                WakerKind::Thread => executor::WakeFrom::OtherThread(delay),
            };
            let (output, events) = executor::run(wake_from);
            for event in events {
                writeln!(out, "{event}").context("could not write to stdout")?;
            }
            writeln!(out, "block_on returned {output:?}").context("could not write to stdout")?;
        }
    }
    Ok(())
}

fn heading(out: &mut impl Write, index: usize, part: Part) -> std::io::Result<()> {
    let title = match part {
        Part::Fib => "fib: the generator as an Iterator, in a for loop",
        Part::Next => "next: driving it by hand, and other ways to write it",
        Part::Stream => "stream: an async generator (a Stream that waits)",
        Part::StateMachine => "state-machine: what an async fn compiles to",
        Part::Executor => "executor: the loop that polls, parks and gets woken",
    };
    let style = Style::new().bold().fg_color(Some(AnsiColor::Cyan.into()));
    let gap = if index == 0 { "" } else { "\n" };
    writeln!(out, "{gap}{style}== {}. {title} =={style:#}", index + 1)
}

/// Whether the error comes from writing into a pipe whose reading end was closed.
fn reader_went_away(err: &anyhow::Error) -> bool {
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
