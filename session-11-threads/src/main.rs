//! Session 11: threads. Run every part, one heading each (about a minute):
//!
//!     cargo run --release -p session-11-threads
//!
//! or one part: `greet`, `cancel`, `race`, `cpu`, `scale`, e.g.
//! `cargo run --release -p session-11-threads -- cpu --json`. Each part lives in a module of
//! the library; this file parses the command line, refuses what cannot finish in minutes, and
//! turns errors into exit codes.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand, error::ErrorKind};
use session_11_threads::{Speed, cancel, cpu, greet, heading, human, race, scale};

/// The longest a run may wait, by design: about ten minutes.
const WAIT_BUDGET: Duration = Duration::from_secs(600);
/// The most square roots one `cpu` run may take: about four minutes of one core (release).
const SQRT_BUDGET: u64 = 100_000_000_000;

/// Threads in Rust: the course's session 11 (spawn, join, detached threads), then cancelling,
/// races and locks, CPU-bound work without a GIL, and threads vs async tasks.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Divide every delay by F (0.1 to 100): the greeter's 1 s becomes 1/F s.
    #[arg(long, global = true, default_value = "1", value_name = "F", value_parser = parse_speed)]
    speed: Speed,
    /// One part to run; without it, every part runs in turn.
    #[command(subcommand)]
    part: Option<Part>,
}

#[derive(Subcommand)]
enum Part {
    /// The course's program: start a greeter thread, print `Task Done !` at once.
    Greet {
        /// Who the greeter greets (control and bidi characters are dropped).
        #[arg(long, default_value = "Mohammad", value_parser = clean_name)]
        name: String,
        /// How many lines the greeter prints, one per second.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
        count: u32,
    },
    /// Background workers that stop promptly when asked.
    Cancel {
        /// How many background workers.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=256))]
        workers: u32,
        /// One unit of work in ms (divided by --speed); workers check the flag between units.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=60_000))]
        tick_ms: u64,
        /// Cancel after MS ms (divided by --speed) instead of waiting for Enter [default when
        /// stdin is not a terminal: 2000].
        #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=600_000))]
        cancel_after: Option<u64>,
    },
    /// The course's cinema: 2 seats, two people booking 2 each, with and without a lock.
    Race {
        /// Rounds of the "how often does it oversell" experiment (16 threads each).
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=50_000))]
        runs: u32,
    },
    /// Sum of square roots of 1..=N on 1 thread and on one thread per core.
    Cpu {
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
    },
    /// 100,000 tokio tasks vs 10,000 threads: time and memory of each.
    Scale {
        /// How many OS threads.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=20_000))]
        threads: u32,
        /// How many tokio tasks.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        tasks: u32,
        /// How long each thread or task sleeps, in ms (divided by --speed).
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=10_000))]
        sleep_ms: u64,
    },
}

fn parse_speed(s: &str) -> Result<Speed, String> {
    let range = Speed::RANGE;
    let bad = || format!("must be a number from {} to {}", range.start(), range.end());
    s.parse().ok().and_then(Speed::new).ok_or_else(bad)
}

fn clean_name(s: &str) -> Result<String, String> {
    Ok(session_11_threads::clean(s))
}

/// Refuse, before any work, a combination of flags that cannot finish in minutes.
fn check_budget(cli: Cli) -> Result<Cli, clap::Error> {
    let wait = |what: &str, ms: u64| {
        let (took, budget) = (human(cli.speed.ms(ms)), human(WAIT_BUDGET));
        (cli.speed.ms(ms) > WAIT_BUDGET)
            .then(|| format!("{what} would take {took} at this --speed, over the {budget} budget"))
    };
    let refused = match &cli.part {
        Some(Part::Greet { count, .. }) => {
            wait("--count lines a second apart", 1000 * u64::from(*count))
        }
        Some(Part::Cancel {
            tick_ms,
            cancel_after,
            ..
        }) => wait(
            "--cancel-after plus one --tick-ms",
            cancel_after.unwrap_or(2000) + tick_ms,
        ),
        Some(Part::Cpu { n, repeat, .. }) => {
            (n.saturating_mul(2 * u64::from(*repeat)) > SQRT_BUDGET).then(|| {
                let most = session_11_threads::thousands(SQRT_BUDGET);
                format!(
                    "--n x --repeat x 2 thread counts is over the budget of {most} square roots"
                )
            })
        }
        _ => None,
    };
    match refused {
        Some(why) => Err(Cli::command().error(ErrorKind::ValueValidation, why)),
        None => Ok(cli),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse().and_then(check_budget) {
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
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    let Err(err) = run(cli.speed, cli.part) else {
        return ExitCode::SUCCESS;
    };
    let closed = |e: &io::Error| e.kind() == io::ErrorKind::BrokenPipe;
    // The reader went away (`| head -1`): nothing more to say, and no error.
    if err.chain().any(|e| e.downcast_ref().is_some_and(closed)) {
        return ExitCode::SUCCESS;
    }
    let _ = writeln!(io::stderr(), "error: {err:#}");
    ExitCode::FAILURE
}

fn run(speed: Speed, part: Option<Part>) -> Result<()> {
    let Some(part) = part else {
        return run_all(speed);
    };
    match part {
        Part::Greet { name, count } => greet::greet(speed, &name, count),
        Part::Cancel {
            workers,
            tick_ms,
            cancel_after,
        } => {
            let after = cancel_after.map(|ms| speed.ms(ms));
            cancel::lesson(workers as usize, speed.ms(tick_ms), after, speed.ms(2000))
        }
        // Our pause between check and book (the course's program has none; see race.rs).
        Part::Race { runs } => race::lesson(speed.ms(100), runs),
        Part::Cpu {
            n,
            threads,
            repeat,
            json,
        } => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let parallel = threads.map_or(cores, |t| t as usize);
            let mut counts = vec![1, parallel];
            counts.dedup();
            if !json {
                return cpu::lesson(n, &counts, repeat);
            }
            if cfg!(debug_assertions) {
                eprintln!("note: debug build; timings are not representative (use --release)");
            }
            let runs = cpu::measure(n, &counts, repeat)?;
            session_11_threads::say(cpu::to_json(n, repeat, &runs))
        }
        Part::Scale {
            threads,
            tasks,
            sleep_ms,
        } => scale::lesson(threads as usize, tasks as usize, speed.ms(sleep_ms)),
    }
}

/// Every part in turn, with its defaults.
fn run_all(speed: Speed) -> Result<()> {
    for part in ["greet", "cancel", "race", "cpu", "scale"] {
        heading(part)?;
        run(
            speed,
            Cli::try_parse_from([env!("CARGO_PKG_NAME"), part])?.part,
        )?;
    }
    Ok(())
}
