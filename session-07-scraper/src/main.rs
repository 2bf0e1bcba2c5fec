//! `cargo run -p session-07-scraper` runs the sync scraper, then the async one, on the same random
//! delays, then prints how close each came to its best possible time and a timeline of the tasks.
//! `--help` lists the flags. The lesson itself is in `examples/`.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use anstyle::Style;
use anyhow::Context;
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use session_07_scraper::plan::{best_speedups, worst_case};
use session_07_scraper::{Plan, Version, report};

/// The course's producer/consumer scraper, sync vs async, measured against its bounds.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Which version to run; `both` runs sync, then async, on the same delays.
    #[arg(long, value_enum, default_value_t = Mode::Both)]
    mode: Mode,

    /// How many items the producer makes (the course makes 20). A run that could take over
    /// 10 minutes is refused.
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    items: u32,

    /// Seed for the random scraping delays: the same seed repeats the same delays.
    /// [default: a random seed, printed at the start]
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    seed: Option<u64>,

    /// Divide every delay by F (0.1 to 100): `--speed 10` runs ten times faster, same shape.
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

/// The longest wait a run may ask for: minutes, not hours.
const BUDGET: Duration = Duration::from_secs(10 * 60);
/// `--speed` divides every delay: above 100 the delays shrink towards tokio's 1 ms timer tick,
/// and the run would measure the timer instead of the schedule.
const SPEEDS: std::ops::RangeInclusive<f64> = 0.1..=100.0;

fn parse_speed(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(speed) if SPEEDS.contains(&speed) => Ok(speed),
        _ => Err(format!(
            "the speed must be a number from {} to {}",
            SPEEDS.start(),
            SPEEDS.end()
        )),
    }
}

impl Cli {
    /// The longest this run can take, whatever the draw: every scrape at its 1.2 s maximum.
    fn worst_case(&self, items: u32) -> Duration {
        let versions = self.mode.versions().into_iter();
        versions
            .map(|v| worst_case(v, items))
            .sum::<Duration>()
            .div_f64(self.speed)
    }

    /// Refuses, before any work, a run that could wait longer than [`BUDGET`].
    fn within_budget(self) -> Result<Cli, clap::Error> {
        let worst = self.worst_case(self.items);
        if self.command.is_some() || worst <= BUDGET {
            return Ok(self);
        }
        let fits = (1..self.items)
            .rev()
            .find(|&n| self.worst_case(n) <= BUDGET);
        let minutes = worst.as_secs_f64() / 60.0;
        let worst = match minutes {
            m if m >= 120.0 => format!("{:.1} h", m / 60.0),
            m => format!("{m:.0} min"),
        };
        let message = format!(
            "--items {} at --speed {} could wait up to {worst} (every scrape at its 1.2 s \
             maximum), over the {} min limit: use --items {} or fewer, or a higher --speed",
            self.items,
            self.speed,
            BUDGET.as_secs() / 60,
            fits.unwrap_or(0),
        );
        Err(Cli::command().error(ErrorKind::ValueValidation, message))
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse().and_then(Cli::within_budget) {
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
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader has gone (`| head`): nothing is wrong, there is just nobody to print for.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "could not X: because Y".
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Bounds { seeds }) = cli.command {
        let gains = best_speedups(20, seeds);
        return report::speedups(&mut io::stdout().lock(), 20, &gains)
            .context("could not write the result");
    }
    let seed = cli.seed.unwrap_or_else(|| u64::from(fastrand::u32(..)));
    let plan = Plan::draw(cli.items as usize, seed, cli.speed);
    // With --json, stdout carries only the JSON object; the course's lines go to stderr.
    let lines = || -> Box<dyn Write> {
        match cli.json {
            true => Box::new(anstream::stderr()),
            false => Box::new(anstream::stdout()),
        }
    };
    let mut out = lines();
    let bold = Style::new().bold();
    let mut runs = Vec::new();
    writeln!(
        out,
        "{} items, seed {seed} (repeat this run with --seed {seed}), delays divided by {}",
        cli.items, cli.speed
    )
    .context("could not write the output")?;
    if cfg!(debug_assertions) {
        let note =
            "(a debug build: the times below are almost all waiting, so --release changes little)";
        writeln!(out, "{note}").context("could not write the output")?;
    }
    for version in cli.mode.versions() {
        let heading = format!("{}: {}", version.name(), version.describe());
        writeln!(out, "\n{bold}== {heading} =={bold:#}").context("could not write the output")?;
        runs.push(session_07_scraper::run(version, &plan, lines())?);
    }

    if cli.json {
        let json = report::json(plan.items(), seed, cli.speed, &runs);
        let mut out = io::stdout().lock();
        return writeln!(out, "{json}").context("could not write the JSON");
    }
    let mut out = anstream::stdout();
    writeln!(out)
        .and_then(|()| report::summary(&mut out, &runs))
        .and_then(|()| writeln!(out))
        .and_then(|()| report::timeline(&mut out, &runs))
        .context("could not write the report")
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
