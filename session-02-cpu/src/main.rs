//! `session-02-cpu`: the course's busy loop on one core, then on every core, with live bars;
//! `session-02-cpu shop`: the course's online shop on one tokio thread.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser, Subcommand, error::ErrorKind};
use session_02_cpu::display::{self, Display};
use session_02_cpu::{cpu, shop};

/// `--print` writes about 10 MB a second (`print(x)` for every number): it runs this long at most.
const PRINT_SECONDS: u64 = 5;

/// One busy loop keeps one core busy; one thread per core keeps them all busy.
///
/// Runs the loop `x += 1` on one thread, then on one thread per core, drawing the usage of every
/// core while it runs, and prints how many cores were busy and how fast each phase counted.
#[derive(Parser, Debug)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// Seconds each phase runs (1 to 300; with --print, 1 to 5).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
    seconds: u64,

    /// Run the course's endless loop on one thread until Ctrl-C, then print the summary.
    #[arg(long, conflicts_with_all = ["seconds", "print"])]
    forever: bool,

    /// Print every number, like the Python `print(x)`; phase 2 counts without printing.
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
        /// Divide every delay by this factor, 0.1 to 100 (10 runs the shop ten times faster).
        #[arg(long, default_value_t = 1.0, value_parser = parse_speed, allow_negative_numbers = true)]
        speed: f64,

        /// Run every step after the previous one, to compare with the overlapping schedule.
        #[arg(long)]
        sequential: bool,
    },
}

fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if (0.1..=100.0).contains(&speed) => Ok(speed),
        _ => Err(format!("must be a number from 0.1 to 100, got `{text}`")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::try_parse().and_then(|cli| match cli.print && cli.seconds > PRINT_SECONDS {
        true => Err(Cli::command().error(
            ErrorKind::ArgumentConflict,
            format!(
                "--print writes about 10 MB a second: use --seconds {PRINT_SECONDS} or less with it"
            ),
        )),
        false => Ok(cli),
    });
    let cli = match cli {
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
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(130), // stopped by Ctrl-C, after the summary
        // The reader went away (`| head -3`): nobody is left to tell, end quietly.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    (err.chain())
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// Runs what the command line asks for; `Ok(true)` when Ctrl-C stopped it.
fn run(cli: Cli) -> Result<bool> {
    if let Some(Command::Shop { speed, sequential }) = cli.command {
        let mode = match sequential {
            true => shop::Mode::Sequential,
            false => shop::Mode::Overlap,
        };
        return shop::run(speed, mode).map(|()| false);
    }

    // Ctrl-C (KeyboardInterrupt in Python) sets a flag; the loop sees it, and the summary says
    // what it counted. A second Ctrl-C exits at once.
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    })
    .context("could not install the Ctrl-C handler")?;

    // The numbers (--print) or the JSON are the whole output; otherwise bars or lines.
    let display = match cli.json || cli.print {
        true => Display::Quiet,
        false => Display::for_stdout(),
    };
    let seconds = (!cli.forever).then_some(cli.seconds);
    // ANCHOR: measure
    // cpu::run measures and hands each sample of the cores' usage to this callback; the display
    // draws it. The measuring code never calls the drawing code.
    let report = cpu::run(seconds, cli.print, &interrupted, |s| display.show(s))?;
    // ANCHOR_END: measure
    if cli.json {
        let mut out = io::stdout().lock();
        writeln!(out, "{}", report.to_json()).context("could not write the JSON to stdout")?;
    } else {
        display::print_summary(&report).context("could not write the summary to stdout")?;
    }
    Ok(report.interrupted)
}
