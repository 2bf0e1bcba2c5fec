//! `session-02-cpu`: the course's busy loop on one core, then on every core, with live bars;
//! `session-02-cpu shop`: the course's online shop on one tokio thread.
//!
//! Run: `cargo run --release -p session-02-cpu` (watch phase 1 fill one bar, phase 2 fill all),
//! `cargo run -p session-02-cpu -- --forever` (the course's endless loop; Ctrl-C stops it),
//! `cargo run -p session-02-cpu -- shop` (watch the last three steps start together).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use session_02_cpu::display::{self, Display};
use session_02_cpu::{cpu, shop};

/// One busy loop keeps one core busy; one thread per core keeps them all busy.
///
/// Runs the loop `x += 1` on one thread, then on one thread per core, drawing the usage of every
/// core while it runs, and prints how many cores were busy and how fast each phase counted.
#[derive(Parser, Debug)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// Seconds each phase runs (1 to 3600).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,

    /// Run the course's endless loop on one thread until Ctrl-C, then print the summary.
    #[arg(long, conflicts_with = "seconds")]
    forever: bool,

    /// Print every number, like the Python `print(x)`; the summary shows what that costs.
    #[arg(long)]
    print: bool,

    /// Print only one JSON object: {"cores":N,"phases":[{"threads":..,"busy_cores":..,"increments_per_sec":..},..]}.
    #[arg(long, conflicts_with = "print")]
    json: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The course's online shop: view, add to cart and pay in order, then register the order,
    /// send the e-mail and the SMS together on one tokio thread.
    Shop {
        /// Divide every delay by this factor, 0.01 to 1000000 (e.g. 10 runs the shop ten times faster).
        #[arg(long, default_value_t = 1.0, value_parser = parse_speed, allow_negative_numbers = true)]
        speed: f64,

        /// Run every step after the previous one, to compare with the overlapping schedule.
        #[arg(long)]
        sequential: bool,
    },
}

/// A speed factor from 0.01 to 1,000,000. Below 0.01 the order would take hours, and a tiny
/// factor such as 1e-300 makes `delay / speed` too large for a `Duration`.
fn parse_speed(text: &str) -> Result<f64, String> {
    let speed: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.01..=1e6).contains(&speed) {
        Ok(speed)
    } else {
        Err(format!("must be from 0.01 to 1000000, got {text}"))
    }
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
        // The reader went away (`| head -3`, `| true`): nobody is left to tell, end quietly.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> Result<()> {
    if let Some(Command::Shop { speed, sequential }) = cli.command {
        let mode = if sequential {
            shop::Mode::Sequential
        } else {
            shop::Mode::Overlap
        };
        return shop::run(speed, mode);
    }

    // Ctrl-C (KeyboardInterrupt in Python) sets a flag; the loop sees it and stops cleanly.
    // A second Ctrl-C exits at once, for a learner who does not want to wait.
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    })
    .context("could not install the Ctrl-C handler")?;

    let options = cpu::Options {
        seconds: (!cli.forever).then_some(cli.seconds),
        print: cli.print,
    };
    // The numbers (--print) or the JSON are the whole output; otherwise bars or lines.
    let mut display = if cli.json || cli.print {
        Display::quiet()
    } else {
        Display::for_stdout()
    };
    // ANCHOR: measure
    // cpu::run measures and hands each event (a phase starts, a sample, a phase ends) to this
    // callback; the display draws it. The measuring code never calls the drawing code.
    let report = cpu::run(options, &interrupted, |event| display.show(event))?;
    // ANCHOR_END: measure
    if cli.json {
        // writeln! instead of println!: a full disk or a closed pipe is an error, not a panic.
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", report.to_json()?).context("could not write the JSON to stdout")?;
        out.flush().context("could not write the JSON to stdout")?;
    } else {
        display::print_summary(&report).context("could not write the summary to stdout")?;
    }
    Ok(())
}

/// clap's messages span several lines (usage, tips); a learner gets the gist on one line.
/// Our usage has two lines (with and without a subcommand); the second starts with our name.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("Usage:")
                && !l.starts_with(env!("CARGO_BIN_NAME"))
                && !l.starts_with("For more information")
        })
        .collect::<Vec<_>>()
        .join(" ")
}
