//! `cargo run -p session-07-scraper` runs the sync scraper, then the async one, on the same random
//! delays, then prints how close each came to its best possible time and a timeline of the tasks.
//! `--help` lists the flags. The lesson itself is in `examples/`; the lab's versions of the two
//! programs are `src/sync_version.rs` and `src/async_version.rs`.

use std::io::{self, Write};
use std::process::ExitCode;

use anstyle::Style;
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use session_07_scraper::{Log, Plan, Version, report};

/// The course's producer/consumer scraper, sync vs async, measured against its bounds.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Which version to run; `both` runs sync, then async, on the same delays.
    #[arg(long, value_enum, default_value_t = Mode::Both)]
    mode: Mode,

    /// How many items the producer makes (the course makes 20).
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    items: u64,

    /// Seed for the random scraping delays: the same seed repeats the same delays.
    /// [default: a random seed, printed at the start]
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    seed: Option<u64>,

    /// Divide every delay by F (0.01 to 100): `--speed 10` runs ten times faster, same shape.
    #[arg(long, value_name = "F", default_value = "1", value_parser = parse_speed,
          allow_negative_numbers = true)]
    speed: f64,

    /// Print one JSON object on stdout instead of the report; the course's lines go to stderr.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Compute, without running anything, the best possible speed-up of async over sync for
    /// many random draws of the course's 20 delays (sync bound / async bound per seed).
    Bounds {
        /// How many seeds (draws) to compute.
        #[arg(long, value_name = "N", default_value_t = 10_000,
              value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        seeds: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    /// scrape everything, then process everything, on one thread
    Sync,
    /// producer and consumer tasks joined by a channel, on tokio
    Async,
    /// the async version with blocking sleeps inside the tasks
    AsyncBlocking,
    /// sync, then async, on the same delays
    Both,
}

impl Mode {
    fn versions(self) -> Vec<Version> {
        match self {
            Mode::Sync => vec![Version::Sync],
            Mode::Async => vec![Version::Async],
            Mode::AsyncBlocking => vec![Version::AsyncBlocking],
            Mode::Both => vec![Version::Sync, Version::Async],
        }
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
        // The reader has gone (`| head`): nothing is wrong, there is just nobody to print for.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Bounds { seeds }) = cli.command {
        let gains = session_07_scraper::plan::best_speedups(20, seeds);
        report::speedups(&mut io::stdout().lock(), 20, &gains).context("could not write")?;
        return Ok(());
    }
    // Ctrl-C: stop at once with one line, whichever version is running (a blocking sleep
    // cannot be interrupted from inside, so the handler ends the process).
    ctrlc::set_handler(|| {
        eprintln!("\ninterrupted by Ctrl-C: the run was stopped before it finished");
        std::process::exit(130);
    })
    .context("could not install the Ctrl-C handler")?;

    let seed = cli.seed.unwrap_or_else(|| u64::from(fastrand::u32(..)));
    let plan = Plan::draw(cli.items as usize, seed, cli.speed);

    // With --json, stdout carries only the JSON object; the live lines go to stderr.
    let mut lines: Box<dyn Write + Send> = if cli.json {
        Box::new(anstream::stderr())
    } else {
        Box::new(anstream::stdout())
    };
    let bold = Style::new().bold();
    writeln!(
        lines,
        "{} items, seed {seed} (repeat this run with --seed {seed}), delays divided by {}",
        cli.items, cli.speed
    )?;
    if cfg!(debug_assertions) {
        writeln!(
            lines,
            "(a debug build: the times below are almost all waiting, so --release changes little)"
        )?;
    }

    let log = if cli.json {
        Log::new(anstream::stderr())
    } else {
        Log::new(anstream::stdout())
    };
    // A course line that cannot be written ends the run here, not half a minute later.
    let log = log.on_write_error(|err| {
        if err.kind() == io::ErrorKind::BrokenPipe {
            // The reader has gone (`| head`): stop quietly, as `yes | head` does.
            std::process::exit(0);
        }
        eprintln!("error: could not write the output: {err}");
        std::process::exit(1);
    });
    let mut runs = Vec::new();
    for version in cli.mode.versions() {
        writeln!(
            lines,
            "\n{bold}== {}: {} =={bold:#}",
            version.name(),
            version.describe()
        )?;
        runs.push(session_07_scraper::run(version, &plan, &log)?);
    }

    if cli.json {
        let json = report::json(plan.items(), seed, cli.speed, &runs);
        let mut out = io::stdout().lock();
        writeln!(out, "{json}")
            .and_then(|()| out.flush())
            .context("could not write the JSON")?;
        return Ok(());
    }
    let mut out = anstream::stdout();
    writeln!(out)?;
    report::summary(&mut out, &runs)?;
    writeln!(out)?;
    report::timeline(&mut out, &runs)?;
    Ok(())
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// The slowest `--speed`: 100 times slower than the course (over a minute per item).
const MIN_SPEED: f64 = 0.01;
/// The fastest `--speed`. Beyond it, the runtime's 1 ms timer tick is as long as the delays
/// themselves, and the run measures the timer instead of the schedule.
const MAX_SPEED: f64 = 100.0;

/// Parses `--speed`: a number from [`MIN_SPEED`] to [`MAX_SPEED`]; every delay is divided by it.
fn parse_speed(text: &str) -> Result<f64, String> {
    let speed: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number"))?;
    if speed.is_nan() || speed <= 0.0 {
        return Err(format!(
            "{text} is not allowed: every delay is divided by the speed, so it must be above 0"
        ));
    }
    if !(MIN_SPEED..=MAX_SPEED).contains(&speed) {
        return Err(format!(
            "{text} is out of range: the speed must be from {MIN_SPEED} to {MAX_SPEED}"
        ));
    }
    Ok(speed)
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

#[cfg(test)]
mod tests {
    use super::parse_speed;

    #[test]
    fn speed_must_be_a_positive_number_in_range() {
        assert_eq!(parse_speed("2.5"), Ok(2.5));
        assert_eq!(parse_speed("100"), Ok(100.0));
        assert_eq!(parse_speed("0.01"), Ok(0.01));
        assert!(parse_speed("0").is_err());
        assert!(
            parse_speed("1e-300").is_err(),
            "delays of centuries would hang the run"
        );
        assert!(
            parse_speed("1e300").is_err(),
            "delays of 0 ns measure nothing"
        );
        assert!(parse_speed("101").is_err());
        assert!(parse_speed("-1").is_err());
        assert!(parse_speed("NaN").is_err());
        assert!(parse_speed("inf").is_err());
        assert!(parse_speed("fast").is_err());
    }
}
