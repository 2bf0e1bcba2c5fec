//! Session 5's lab: the generator as an iterator, a stream, the state machine under async, and
//! the executor that drives it. `cargo run -p session-05-generators [-- PART]`; see LAB.md.

use std::io::{ErrorKind, Write};
use std::process::ExitCode;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use session_05_generators::{WakeFrom, executor, fib, state_machine, stream};

/// From Python generators to Rust iterators, streams and the state machine under async.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// The part to run; without one, all five run in order, each under a heading.
    #[command(subcommand)]
    part: Option<Part>,

    /// Stop the Fibonacci numbers past this value (parts fib, next, stream). Any u64 works:
    /// the sequence ends by itself after 92 numbers.
    #[arg(long, global = true, default_value_t = 1000, value_name = "N")]
    limit: u64,

    /// Milliseconds the stream waits before each number, and the helper thread before it wakes
    /// the executor (parts stream, executor). 0 to 5000: at most 92 waits, under 8 minutes.
    #[arg(long, global = true, default_value_t = 50, value_name = "MS",
        value_parser = clap::value_parser!(u64).range(0..=5000))]
    delay_ms: u64,

    /// Which Fibonacci number the state-machine part computes, one poll per step.
    #[arg(long, global = true, default_value_t = 10, value_name = "N")]
    steps: u32,

    /// Who wakes the executor in the executor part.
    #[arg(long, global = true, value_enum, default_value_t = Waker::Thread)]
    waker: Waker,
}

#[derive(Debug, Clone, Copy, Subcommand)]
enum Part {
    /// The course's loop: a `for` over the Fib iterator, stopping past --limit.
    Fib,
    /// next() by hand, the state it remembers, its laziness, and where the sequence ends.
    Next,
    /// The same numbers as an async Stream that waits --delay-ms before each one.
    Stream,
    /// An async fn beside the enum it compiles to, state by state, with their sizes.
    StateMachine,
    /// A minimal block_on executor, printing every poll, Pending, wake and Ready.
    Executor,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Waker {
    /// The future calls its own waker before returning Pending (like yield_now).
    #[value(name = "self")]
    Itself,
    /// Another thread calls the waker after --delay-ms (like a timer or I/O driver).
    Thread,
}

fn main() -> ExitCode {
    let result = match Cli::try_parse() {
        Ok(cli) => run(&cli),
        // Bad usage: clap's own message and code (2). If stderr fails too (`2>/dev/full`),
        // there is nobody to tell, and the exit code still says it.
        Err(usage) if usage.use_stderr() => {
            let _ = usage.print();
            return ExitCode::from(u8::try_from(usage.exit_code()).unwrap_or(2));
        }
        // --help and --version go to stdout, which can be full or closed like any output.
        Err(help) => help.print().context("could not write to stdout"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head -1`): nobody is left to tell, so end quietly.
        Err(err) if reader_went_away(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    let Some(part) = cli.part else {
        let all = [
            Part::Fib,
            Part::Next,
            Part::Stream,
            Part::StateMachine,
            Part::Executor,
        ];
        let heading = Style::new().bold().fg_color(Some(AnsiColor::Cyan.into()));
        for (number, part) in (1..).zip(all) {
            let gap = if number == 1 { "" } else { "\n" };
            let title = title(part);
            writeln!(out, "{gap}{heading}== {number}. {title} =={heading:#}")
                .context("could not write to stdout")?;
            run_part(&mut out, cli, part)?;
        }
        return Ok(());
    };
    run_part(&mut out, cli, part)
}

fn run_part(out: &mut impl Write, cli: &Cli, part: Part) -> anyhow::Result<()> {
    let delay = Duration::from_millis(cli.delay_ms);
    let written = match part {
        Part::Fib => fib::for_loop(out, cli.limit),
        Part::Next => fib::by_hand(out, cli.limit),
        Part::Stream => return stream::run(out, cli.limit, delay),
        Part::StateMachine => state_machine::run(out, cli.steps),
        Part::Executor => {
            let wake_from = match cli.waker {
                Waker::Itself => WakeFrom::Itself,
                Waker::Thread => WakeFrom::OtherThread(delay),
            };
            let (output, events) = executor::run(wake_from);
            events
                .iter()
                .try_for_each(|event| writeln!(out, "{event}"))
                .and_then(|()| writeln!(out, "block_on returned {output:?}"))
        }
    };
    written.context("could not write to stdout")
}

fn title(part: Part) -> &'static str {
    match part {
        Part::Fib => "fib: the generator as an Iterator, in a for loop",
        Part::Next => "next: driving it by hand; its state, its laziness, its end",
        Part::Stream => "stream: an async generator (a Stream that waits)",
        Part::StateMachine => "state-machine: what an async fn compiles to",
        Part::Executor => "executor: the loop that polls, parks and gets woken",
    }
}

/// Whether the error comes from writing into a pipe whose reader has gone.
fn reader_went_away(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == ErrorKind::BrokenPipe)
    })
}
