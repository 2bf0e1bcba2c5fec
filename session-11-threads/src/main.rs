//! Session 11: threads.
//!
//! Run every part, one heading each (about a minute; `--speed 10` shrinks the delays):
//!
//!     cargo run --release -p session-11-threads
//!
//! or one part: `greet`, `join`, `detached`, `many`, `cancel`, `race`, `cpu`, `scale`, e.g.
//!
//!     cargo run --release -p session-11-threads -- cpu --json
//!
//! Watch where `Task Done !` lands among the greeter's lines in `greet`, `join` and `detached`,
//! the seats left in `race`, and the speed-up in `cpu`.
//!
//! The course's own programs, one file each, are in `examples/` (see README.md). This binary is
//! the lab that measures them; each part lives in a module of the library: `src/greet.rs`
//! (greet, join, detached, many), `src/cancel.rs`, `src/race.rs`, `src/cpu.rs`, `src/scale.rs`.

use std::fmt::Display;
use std::io::{self, Write};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use session_11_threads::{Speed, cancel, cpu, greet, heading, note, race, scale};

/// Threads in Rust: the course's session 11 (spawn, join, detached threads), then cancelling,
/// races and locks, CPU-bound work without a GIL, and threads vs async tasks.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Divide every delay by F (0.001 to 1000000): the greeter's 1 s becomes 1/F s (e.g. `--speed 10`).
    #[arg(long, global = true, default_value = "1", value_name = "F", value_parser = parse_speed)]
    speed: Speed,

    /// One part to run; without it, every part runs in turn.
    #[command(subcommand)]
    part: Option<Part>,
}

#[derive(Subcommand)]
enum Part {
    /// The course's program: start a greeter thread, print `Task Done !` at once.
    Greet(GreeterArgs),
    /// `t.join()`: main waits for the greeter before `Task Done !`.
    Join(GreeterArgs),
    /// A detached thread (Python's `daemon=True`): it dies when main returns.
    Detached(GreeterArgs),
    /// Mohammad and Ali from a Vec, then a crowd of greeters, then scoped threads.
    Many {
        /// Lines each greeter prints.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
        count: u32,
        /// How many quiet greeters in the crowd.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=2000))]
        crowd: u32,
    },
    /// Background workers that stop promptly when asked.
    Cancel(CancelArgs),
    /// The course's cinema: 2 seats, two people booking 2 each, with and without a lock.
    Race {
        /// Rounds of the "how often does it oversell" experiment (each round starts 16
        /// threads; 2,000 rounds take about 2 s, so at most 50,000).
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=50_000))]
        runs: u32,
    },
    /// Sum of square roots of 1..=N on 1 thread and on one thread per core (our work; the
    /// course's do_math is examples/compute_example.rs).
    Cpu(CpuArgs),
    /// 10,000 threads vs 100,000 tokio tasks: time and peak memory of each.
    Scale(ScaleArgs),
    /// One phase of `scale`, run in a child process so its peak memory is its own.
    #[command(hide = true)]
    ScaleChild {
        #[arg(long)]
        kind: KindArg,
        #[arg(long)]
        count: usize,
        #[arg(long)]
        sleep_us: u64,
        #[arg(long)]
        stack_kib: Option<usize>,
    },
}

#[derive(clap::Args)]
struct GreeterArgs {
    /// Who the greeter greets.
    #[arg(long, default_value = "Mohammad")]
    name: String,
    /// How many lines the greeter prints, one per second.
    #[arg(long, default_value_t = greet::GREETER_COUNT, value_parser = clap::value_parser!(u32).range(1..=1000))]
    count: u32,
}

#[derive(clap::Args)]
struct CancelArgs {
    /// How many background workers.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=256))]
    workers: u32,
    /// One unit of work, in milliseconds (divided by --speed): workers check the stop flag
    /// between units.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    tick_ms: u64,
    /// Cancel after MS milliseconds (divided by --speed) instead of waiting for Enter (the default when stdin is not a
    /// terminal is 2000).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    cancel_after: Option<u64>,
}

#[derive(clap::Args)]
struct CpuArgs {
    /// Sum the square roots of 1..=N.
    #[arg(long, default_value_t = cpu::COURSE_N, value_parser = clap::value_parser!(u64).range(1..=10_000_000_000))]
    n: u64,
    /// Threads for the parallel run [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Time each thread count this many times and report the median.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    repeat: u32,
    /// Print one JSON object instead of the lesson.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ScaleArgs {
    /// How many OS threads.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    threads: u32,
    /// How many tokio tasks.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    tasks: u32,
    /// How long each thread or task sleeps, in milliseconds (divided by --speed).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    sleep_ms: u64,
    /// Stack size reserved per thread, in KiB [default: Rust's 2048].
    #[arg(long, value_parser = clap::value_parser!(u64).range(16..=(1 << 32)))]
    stack_kib: Option<u64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Threads,
    Tasks,
}

fn parse_speed(s: &str) -> Result<Speed, String> {
    let factor: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    Speed::new(factor)
        .ok_or_else(|| format!("`{s}` must be between {} and {}", Speed::MIN, Speed::MAX))
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
    let result = run(cli);
    // A lesson line that could not be written (stdout closed, disk full) counts as a failure.
    let result = result.and_then(|()| match session_11_threads::stdout_error() {
        Some(err) => {
            Err(anyhow::Error::new(io::Error::from(err)).context("could not write to stdout"))
        }
        None => Ok(()),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head -1`, `| true`): nothing more to say, and no error.
        Err(err) if reader_went_away(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// True when `err` comes from writing into a pipe whose reader has closed it.
fn reader_went_away(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// One line on stdout, with any failure (closed pipe, full disk) as an error instead of the
/// panic `println!` gives.
fn print_line(line: impl Display) -> Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .context("could not write to stdout")
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

fn run(cli: Cli) -> Result<()> {
    let speed = cli.speed;
    match cli.part {
        Some(part) => run_part(speed, part),
        None => run_all(speed),
    }
}

fn run_part(speed: Speed, part: Part) -> Result<()> {
    match part {
        Part::Greet(a) => greet::greet(speed, &a.name, a.count),
        Part::Join(a) => greet::join(speed, &a.name, a.count),
        Part::Detached(a) => {
            greet::detached(speed, &a.name, a.count);
            // Return at once: ending the process is what ends the detached thread.
            Ok(())
        }
        Part::Many { count, crowd } => {
            let names = ["Mohammad".to_string(), "Ali".to_string()];
            greet::many(speed, &names, count, crowd)
        }
        Part::Cancel(a) => {
            let cancel_on = match a.cancel_after {
                Some(ms) => cancel::CancelOn::After(speed.ms(ms)),
                None if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
                    cancel::CancelOn::Enter
                }
                None => {
                    let after = speed.ms(2000);
                    note(format!(
                        "stdin is not a terminal: cancelling after {} (see --cancel-after)",
                        session_11_threads::human(after)
                    ));
                    cancel::CancelOn::After(after)
                }
            };
            cancel::lesson(a.workers as usize, speed.ms(a.tick_ms), cancel_on)
        }
        Part::Race { runs } => {
            // Our pause between check and book (the course's program has none; see race.rs).
            race::lesson(speed.ms(100), runs);
            Ok(())
        }
        Part::Cpu(a) => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let parallel = a.threads.map_or(cores, |t| t as usize);
            let counts: Vec<usize> = if parallel == 1 {
                vec![1]
            } else {
                vec![1, parallel]
            };
            if a.json {
                if session_11_threads::DEBUG_BUILD {
                    eprintln!("note: debug build; timings are not representative (use --release)");
                }
                let runs = cpu::measure(a.n, &counts, a.repeat)?;
                print_line(cpu::to_json(a.n, a.repeat, &runs))
            } else {
                cpu::lesson(a.n, &counts, a.repeat)
            }
        }
        Part::Scale(a) => {
            let stack_kib = a
                .stack_kib
                .map(usize::try_from)
                .transpose()
                .context("--stack-kib is too large for this machine")?;
            scale::lesson(
                a.threads as usize,
                a.tasks as usize,
                speed.ms(a.sleep_ms),
                stack_kib,
            )
        }
        Part::ScaleChild {
            kind,
            count,
            sleep_us,
            stack_kib,
        } => {
            let kind = match kind {
                KindArg::Threads => scale::Kind::Threads,
                KindArg::Tasks => scale::Kind::Tasks,
            };
            // Never outlive the `scale` that started this child (it may be killed by a signal).
            scale::when_parent_goes(|| {
                // stderr is likely a pipe to the parent that is gone: ignore a failure to write.
                let _ = writeln!(
                    io::stderr(),
                    "scale-child: the parent process is gone; stopping"
                );
                std::process::exit(1)
            });
            let phase = scale::child_run(kind, count, Duration::from_micros(sleep_us), stack_kib)?;
            print_line(scale::phase_json(&phase))
        }
    }
}

/// Every part in turn, with defaults.
fn run_all(speed: Speed) -> Result<()> {
    let course = |name: &str| GreeterArgs {
        name: name.to_string(),
        count: greet::GREETER_COUNT,
    };
    if !next_part("greet: start a thread, print `Task Done !` at once") {
        return Ok(());
    }
    run_part(speed, Part::Greet(course("Mohammad")))?;
    if !next_part("join: wait for the thread before `Task Done !`") {
        return Ok(());
    }
    run_part(speed, Part::Join(course("Mohammad")))?;
    if !next_part("detached: the thread dies when main returns (Python's daemon=True)") {
        return Ok(());
    }
    // A detached thread only dies with its process, so this part runs as a process of its own.
    let exe = std::env::current_exe().context("could not find this program to re-run it")?;
    let status = Command::new(exe)
        .args(["--speed", &speed.factor().to_string(), "detached"])
        .status()
        .context("could not run the `detached` part as its own process")?;
    if !status.success() {
        bail!("the `detached` part failed ({status})");
    }
    if !next_part("many: threads from a Vec, a crowd, scoped threads") {
        return Ok(());
    }
    run_part(
        speed,
        Part::Many {
            count: 3,
            crowd: 100,
        },
    )?;
    if !next_part("cancel: ask background workers to stop") {
        return Ok(());
    }
    run_part(
        speed,
        Part::Cancel(CancelArgs {
            workers: 2,
            tick_ms: 100,
            cancel_after: None,
        }),
    )?;
    if !next_part("race: the cinema booking") {
        return Ok(());
    }
    run_part(speed, Part::Race { runs: 2000 })?;
    if !next_part("cpu: square roots on 1 thread and on every core") {
        return Ok(());
    }
    run_part(
        speed,
        Part::Cpu(CpuArgs {
            n: cpu::COURSE_N,
            threads: None,
            repeat: 3,
            json: false,
        }),
    )?;
    if !next_part("scale: 10,000 threads vs 100,000 tokio tasks") {
        return Ok(());
    }
    run_part(
        speed,
        Part::Scale(ScaleArgs {
            threads: 10_000,
            tasks: 100_000,
            sleep_ms: 1000,
            stack_kib: None,
        }),
    )
}

/// Print the next part's heading, unless stdout has already failed: after `| head -3` there is
/// no one left to read the remaining parts, so the run stops there.
fn next_part(title: &str) -> bool {
    if session_11_threads::stdout_error().is_some() {
        return false;
    }
    heading(title);
    true
}
